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

from typing import TYPE_CHECKING

from llm_async._core.options import option_values
from llm_async._core.parts import (
    StreamEvent,
)
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.openai.chat_options import (
    NOT_SENT,
    ChatOptions,
    chat_options_class,
    parse_logit_bias,
)
from llm_async.providers.openai.chat_request import tool_spec, wire_messages
from llm_async.providers.openai.chat_response import (
    OpenAIChatParser,
    parse_completion,
)
from llm_async.providers.openai.common import (
    DEFAULT_BASE_URL,
    OpenAIEndpoint,
    clean_usage_details,
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


class OpenAIChatProvider(OpenAIEndpoint):
    """Builds Chat Completions requests for one model and parses the answers.

    ``reasoning`` models get ``max_tokens`` as ``max_completion_tokens``.
    """

    path = "/chat/completions"

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        options: type[ChatOptions] = ChatOptions,
        reasoning: bool = False,
    ) -> None:
        super().__init__(model_name, base_url=base_url)
        self.Options = options
        self.reasoning = reasoning

    def build_body(self, prompt: Prompt, *, stream: bool) -> JSONObject:
        """The JSON body for ``prompt``."""
        options = prompt.options
        values = option_values(options)
        image_detail = values.get("image_detail")
        body: JSONObject = {
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
        if prompt.tools:
            tools = [
                tool_spec(tool)
                for tool in prompt.tools
                if not getattr(tool, "_is_server_side_tool", False)
            ]
            if tools:
                body["tools"] = tools
        return body

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a non-streamed ``chat.completion``; records usage and JSON."""
        return parse_completion(data, sink)

    def stream_parser(self, sink: ResponseSink) -> OpenAIChatParser:
        """A fresh parser for one streamed response."""
        return OpenAIChatParser(sink)
