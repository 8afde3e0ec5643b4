"""OpenAI Chat Completions, sans-I/O: the provider (requests and answers).

Also speaks to OpenAI-compatible servers (Ollama, llama.cpp's server, vLLM,
OpenRouter, Groq...): it ignores fields it does not know, accepts ``content:
null``, usage on any chunk (or none), a stream without ``data: [DONE]``, and
reasoning text in ``reasoning_content`` or ``reasoning``.

``AsyncHTTPModel``/``HTTPModel`` do the I/O; this module only builds the
``httpx.Request`` and turns JSON bodies and server-sent events into stream events.
Options are in ``chat_options``, request bodies in ``chat_request``, answers
(streamed and whole) in ``chat_response``.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import httpx

from llm_async._core.parts import (
    StreamEvent,
)
from llm_async.providers.openai.chat_options import (
    NOT_SENT,
    ChatOptions,
    chat_options_class,
    parse_logit_bias,
)
from llm_async.providers.openai.chat_request import tool_spec, wire_messages
from llm_async.providers.openai.chat_response import (
    OpenAIChatParser,
    clean_usage_details,
    error_text,
    parse_completion,
)

if TYPE_CHECKING:
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import ResponseSink

__all__ = [
    "DEFAULT_BASE_URL",
    "ChatOptions",
    "OpenAIChatParser",
    "OpenAIChatProvider",
    "chat_options_class",
    "clean_usage_details",
    "parse_logit_bias",
    "wire_messages",
]

#: Where requests go when neither ``base_url`` nor ``OPENAI_BASE_URL`` is set.
DEFAULT_BASE_URL = "https://api.openai.com/v1"


@lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per endpoint rather than per request."""
    return httpx.URL(url)


class OpenAIChatProvider:
    """Builds Chat Completions requests for one model and parses the answers.

    ``base_url=None`` means ``$OPENAI_BASE_URL``, else the OpenAI API, read for
    each request. The key, when there is one, is sent as ``Authorization:
    Bearer``; without one no ``Authorization`` header is sent.
    """

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        options: type[ChatOptions] = ChatOptions,
        reasoning: bool = False,
    ) -> None:
        self.model_name = model_name
        self._base_url = base_url.rstrip("/") if base_url else None
        self.Options = options
        self.reasoning = reasoning

    def __repr__(self) -> str:
        return f"<OpenAIChatProvider {self.model_name!r} at {self.base_url}>"

    @property
    def base_url(self) -> str:
        """The API's base URL (the endpoint is ``{base_url}/chat/completions``)."""
        if self._base_url:
            return self._base_url
        return (os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def accepts_url(self, attachment: Any) -> bool:
        """Images are sent by URL; other URLs are downloaded and sent inline."""
        mime = attachment.resolve_type()
        return bool(mime and mime.startswith("image/"))

    def build_body(self, prompt: Prompt, *, stream: bool) -> dict[str, Any]:
        """The JSON body for ``prompt``."""
        options = prompt.options
        # A pydantic Options instance iterates as (name, value) pairs.
        values: dict[str, Any] = dict(options)
        image_detail = values.get("image_detail")
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": wire_messages(prompt.messages, image_detail=image_detail),
            "stream": stream,
        }
        for name, value in values.items():
            if value is None or name in NOT_SENT:
                continue
            if name == "max_tokens" and self.reasoning:
                name = "max_completion_tokens"  # reasoning models refuse max_tokens
            body[name] = value
        if stream:
            body["stream_options"] = {"include_usage": True}
        if values.get("json_object"):
            body["response_format"] = {"type": "json_object"}
        if prompt.schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": prompt.schema},
            }
        tools = [
            tool_spec(tool)
            for tool in prompt.tools
            if not getattr(tool, "_is_server_side_tool", False)
        ]
        if tools:
            body["tools"] = tools
        return body

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """``POST {base_url}/chat/completions`` with the JSON body."""
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.Request(
            "POST",
            _parsed_url(f"{self.base_url}/chat/completions"),
            json=self.build_body(prompt, stream=stream),
            headers=headers,
        )

    def parse_response(self, data: Any, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a non-streamed ``chat.completion``; records usage and JSON."""
        return parse_completion(data, sink)

    def stream_parser(self, sink: ResponseSink) -> OpenAIChatParser:
        """A fresh parser for one streamed response."""
        return OpenAIChatParser(sink)

    def error_message(self, status_code: int, body: Any) -> tuple[str, str | None]:
        """Message and code of an OpenAI-style error body (and common variants)."""
        if isinstance(body, dict):
            error = body.get("error", body)
            message = error_text(error)
            if not message and isinstance(body.get("detail"), (str, list)):
                detail = body["detail"]  # FastAPI servers (llama_cpp.server)
                message = detail if isinstance(detail, str) else json.dumps(detail)
            code: Any = None
            if isinstance(error, dict):
                code = error.get("code") or error.get("type")
            if message:
                return message, None if code is None else str(code)
        if isinstance(body, str) and body.strip():
            return body.strip()[:500], None
        return f"HTTP {status_code} error", None
