"""Anthropic Messages, sans-I/O: the provider (requests and answers).

``AsyncHTTPModel``/``HTTPModel`` do the I/O; this module builds the
``httpx.Request`` (``POST {base_url}/v1/messages`` with ``x-api-key`` and
``anthropic-version``) and hands the answers to ``response``. Options are in
``options``, content blocks in ``request``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import httpx

from llm_async._core.types import JSONMapping, JSONObject, JSONValue
from llm_async.providers.anthropic.request import (
    CACHE,
    STRUCTURED_TOOL,
    strict_schema,
    tool_spec,
    wire_messages,
)
from llm_async.providers.anthropic.response import (
    AnthropicStreamParser,
    error_message,
    parse_message,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt
    from llm_async.providers.anthropic.options import ClaudeOptions
    from llm_async.providers.base import ResponseSink

__all__ = ["API_VERSION", "DEFAULT_BASE_URL", "AnthropicProvider", "ClaudeModelSpec"]


class ClaudeModelSpec(Protocol):
    """What the provider reads of a model's description (``models.ClaudeSpec``)."""

    @property
    def model_id(self) -> str: ...
    @property
    def claude_id(self) -> str: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def thinking(self) -> bool: ...
    @property
    def adaptive(self) -> bool: ...
    @property
    def web_search(self) -> bool: ...
    @property
    def structured_outputs(self) -> bool: ...

    def options(self) -> type[ClaudeOptions]: ...


#: Where requests go when neither ``base_url`` nor ``ANTHROPIC_BASE_URL`` is set.
DEFAULT_BASE_URL = "https://api.anthropic.com"
#: The ``anthropic-version`` header sent with every request.
API_VERSION = "2023-06-01"
_DEFAULT_THINKING_BUDGET = 1024
_LONG_OUTPUT = 64000  # above this, older models need the 128k-output beta


def _values(options: BaseModel | JSONMapping) -> JSONObject:
    if isinstance(options, Mapping):
        return {k: v for k, v in options.items() if v is not None}
    return {k: v for k, v in options if v is not None}


class AnthropicProvider:
    """Builds Messages API requests for one Claude model and parses the answers.

    ``base_url=None`` means ``$ANTHROPIC_BASE_URL``, else the Anthropic API,
    read for each request. The key goes in the ``x-api-key`` header only.
    """

    def __init__(self, spec: ClaudeModelSpec, *, base_url: str | None = None) -> None:
        self.spec = spec
        self.model_name = spec.claude_id
        self._base_url = base_url.rstrip("/") if base_url else None
        self.Options = spec.options()

    def __repr__(self) -> str:
        return f"<AnthropicProvider {self.model_name!r} at {self.base_url}>"

    @property
    def base_url(self) -> str:
        """The API's root (the endpoint is ``{base_url}/v1/messages``)."""
        if self._base_url:
            return self._base_url
        return (os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def accepts_url(self, attachment: Attachment) -> bool:
        """Images and PDFs are sent by URL (the API fetches them)."""
        mime = attachment.resolve_type()
        return bool(mime and (mime.startswith("image/") or mime == "application/pdf"))

    def _structured_tool(self, prompt: Prompt) -> bool:
        """Whether a schema is answered through a forced tool (older models)."""
        return prompt.schema is not None and not self.spec.structured_outputs

    def build_body(
        self, prompt: Prompt, *, stream: bool
    ) -> tuple[JSONObject, list[str]]:
        """The JSON body for ``prompt`` and the ``anthropic-beta`` names it needs."""
        spec = self.spec
        values = _values(prompt.options)
        forced = self._structured_tool(prompt)
        if forced and any(
            not getattr(t, "_is_server_side_tool", False) for t in prompt.tools
        ):
            raise ValueError(
                f"{spec.model_id} cannot use a schema and tools in one prompt "
                "(it has no native structured output); use one or the other"
            )
        system, messages = wire_messages(prompt.messages)
        body: JSONObject = {"model": self.model_name, "messages": messages}
        betas: list[str] = []
        if system:
            blocks: list[JSONObject] = [
                {"type": "text", "text": text} for text in system
            ]
            if values.get("cache"):
                blocks[-1]["cache_control"] = dict(CACHE)
                body["system"] = blocks
            else:
                body["system"] = "\n\n".join(system)
        if values.get("cache") and messages:
            content = messages[-1]["content"]
            content[-1] = {**content[-1], "cache_control": dict(CACHE)}
        prefill = values.get("prefill")
        if prefill:
            if spec.adaptive:
                raise ValueError(
                    f"{spec.model_id} does not accept a prefill; use a schema or "
                    "the system prompt instead"
                )
            messages.append(
                {"role": "assistant", "content": [{"type": "text", "text": prefill}]}
            )
        for name in ("temperature", "top_p", "top_k", "stop_sequences"):
            if name in values:
                body[name] = values[name]
        if "user_id" in values:
            body["metadata"] = {"user_id": values["user_id"]}
        max_tokens = values.get("max_tokens", spec.max_tokens)
        self._thinking(values, body, max_tokens)
        body["max_tokens"] = max_tokens
        effort = values.get("thinking_effort")
        if effort:
            body.setdefault("output_config", {})["effort"] = effort
            if not spec.adaptive:
                betas.append("effort-2025-11-24")
        if max_tokens > _LONG_OUTPUT and not spec.adaptive:
            betas.append("output-128k-2025-02-19")
        if values.get("fast"):
            body["speed"] = "fast"
            betas.append("fast-mode-2026-02-01")
        tools = self._tools(prompt, values)
        if prompt.schema is not None:
            if forced:
                tools.append({"name": STRUCTURED_TOOL, "input_schema": prompt.schema})
                body["tool_choice"] = {"type": "tool", "name": STRUCTURED_TOOL}
            else:
                body.setdefault("output_config", {})["format"] = {
                    "type": "json_schema",
                    "schema": strict_schema(prompt.schema),
                }
        if tools:
            body["tools"] = tools
        if stream:
            body["stream"] = True
        return body, betas

    def _thinking(self, values: JSONObject, body: JSONObject, max_tokens: int) -> None:
        """Set ``thinking`` as the options ask (only models that can think)."""
        spec = self.spec
        if not spec.thinking:
            return
        wanted = any(
            values.get(name)
            for name in (
                "thinking",
                "thinking_budget",
                "thinking_display",
                "thinking_adaptive",
            )
        )
        if not wanted:
            return
        budget = values.get("thinking_budget")
        thinking: JSONObject
        if values.get("thinking_adaptive"):
            thinking = {"type": "adaptive"}
        elif budget:
            thinking = {"type": "enabled", "budget_tokens": budget}
        elif spec.adaptive:
            thinking = {"type": "adaptive"}
        else:
            budget = _DEFAULT_THINKING_BUDGET
            thinking = {"type": "enabled", "budget_tokens": budget}
        if (
            budget is not None
            and thinking["type"] == "enabled"
            and budget >= max_tokens
        ):
            raise ValueError(
                f"thinking_budget ({budget}) must be less than max_tokens "
                f"({max_tokens}): raise max_tokens or lower the budget"
            )
        if values.get("thinking_display"):
            thinking["display"] = "summarized"
        body["thinking"] = thinking

    def _tools(self, prompt: Prompt, values: JSONObject) -> list[JSONObject]:
        """Web search (the option), server-side tools, then the client tools."""
        tools: list[JSONObject] = []
        if values.get("web_search"):
            if not self.spec.web_search:
                raise ValueError(
                    f"{self.spec.model_id} cannot search the web; the models that "
                    "can are listed in docs/anthropic.md"
                )
            search: JSONObject = {
                "type": "web_search_20250305",
                "name": "web_search",
            }
            for option, field in (
                ("web_search_max_uses", "max_uses"),
                ("web_search_allowed_domains", "allowed_domains"),
                ("web_search_blocked_domains", "blocked_domains"),
            ):
                if option in values:
                    search[field] = values[option]
            if "web_search_location" in values:
                location = dict(values["web_search_location"])
                search["user_location"] = {"type": "approximate", **location}
            tools.append(search)
        for tool in prompt.tools:
            if getattr(tool, "_is_server_side_tool", False):
                tools.append(tool.tool_spec(self))
            else:
                tools.append(tool_spec(tool))
        return tools

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """``POST {base_url}/v1/messages`` with the JSON body."""
        body, betas = self.build_body(prompt, stream=stream)
        headers = {"anthropic-version": API_VERSION}
        if key:
            headers["x-api-key"] = key
        if betas:
            headers["anthropic-beta"] = ",".join(betas)
        return httpx.Request(
            "POST", f"{self.base_url}/v1/messages", json=body, headers=headers
        )

    def _answer_shape(self, sink: ResponseSink) -> JSONObject:
        """How to read the answer to the sink's prompt (forced tool, prefill)."""
        prompt = getattr(sink, "prompt", None)
        if prompt is None:
            return {}
        values = _values(prompt.options)
        prefill = values.get("prefill") or ""
        return {
            "structured": self._structured_tool(prompt),
            "prefill": "" if values.get("hide_prefill") else prefill,
        }

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a non-streamed ``message``; records usage and JSON."""
        return parse_message(data, sink, **self._answer_shape(sink))

    def stream_parser(self, sink: ResponseSink) -> AnthropicStreamParser:
        """A fresh parser for one streamed response."""
        return AnthropicStreamParser(sink, **self._answer_shape(sink))

    def error_message(
        self, status_code: int, body: JSONValue
    ) -> tuple[str, str | None]:
        """Message and ``error.type`` of an Anthropic error body."""
        return error_message(status_code, body)
