"""The Gemini provider: builds ``generateContent`` requests and parses answers.

``AsyncHTTPModel``/``HTTPModel`` do the I/O. Streaming uses
``streamGenerateContent?alt=sse``; the key goes in the ``x-goog-api-key``
header, never in the URL.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import httpx

from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.gemini.options import GeminiOptions
from llm_async.providers.gemini.request import (
    SAFETY_SETTINGS,
    is_file_uri,
    tool_declarations,
    wire_contents,
)
from llm_async.providers.gemini.response import (
    GeminiParser,
    error_message,
    parse_generate_response,
)
from llm_async.providers.gemini.schema import gemini_schema

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import ResponseSink

__all__ = ["DEFAULT_BASE_URL", "GeminiProvider"]

#: The Generative Language API root.
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
# Option name -> generationConfig field (sent as they are).
_GENERATION_FIELDS = {
    "temperature": "temperature",
    "max_output_tokens": "maxOutputTokens",
    "top_p": "topP",
    "top_k": "topK",
    "stop_sequences": "stopSequences",
    "seed": "seed",
}


@lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    return httpx.URL(url)


class GeminiProvider:
    """Builds Gemini requests for one model and parses its answers.

    ``thinking`` says the model thinks: its thought summaries are asked for
    (``includeThoughts``) unless the prompt hides reasoning.
    """

    def __init__(
        self,
        model_name: str,
        *,
        options: type[GeminiOptions] = GeminiOptions,
        thinking: bool = False,
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        self.model_name = model_name
        self.Options = options
        self.thinking = thinking
        self.base_url = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"<GeminiProvider {self.model_name!r} at {self.base_url}>"

    def accepts_url(self, attachment: Attachment) -> bool:
        """YouTube and Files API URLs are passed on; others are downloaded."""
        return is_file_uri(getattr(attachment, "url", None))

    def generation_config(self, prompt: Prompt) -> JSONObject:
        """``generationConfig`` for the prompt's options, schema and thinking."""
        options = prompt.options
        values: JSONObject = dict(options)
        config: JSONObject = {
            field: values[name]
            for name, field in _GENERATION_FIELDS.items()
            if values.get(name) is not None
        }
        if values.get("json_object"):
            config["responseMimeType"] = "application/json"
        if prompt.schema is not None:
            config["responseMimeType"] = "application/json"
            config["responseSchema"] = gemini_schema(prompt.schema)
        if values.get("media_resolution") is not None:
            resolution = str(values["media_resolution"]).upper()
            config["mediaResolution"] = f"MEDIA_RESOLUTION_{resolution}"
        thinking: JSONObject = {}
        budget = values.get("thinking_budget")
        if budget is not None:
            thinking["thinkingBudget"] = budget
        if values.get("thinking_level") is not None:
            thinking["thinkingLevel"] = values["thinking_level"]
        if self.thinking and not prompt.hide_reasoning and budget != 0:
            thinking["includeThoughts"] = True
        if thinking:
            config["thinkingConfig"] = thinking
        return config

    def build_body(self, prompt: Prompt) -> JSONObject:
        """The JSON body for ``prompt`` (the same for both endpoints)."""
        system, contents = wire_contents(prompt.messages)
        body: JSONObject = {"contents": contents, "safetySettings": SAFETY_SETTINGS}
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        functions = [
            tool
            for tool in prompt.tools
            if not getattr(tool, "_is_server_side_tool", False)
        ]
        if functions:
            body["tools"] = [{"functionDeclarations": tool_declarations(functions)}]
        config = self.generation_config(prompt)
        if config:
            body["generationConfig"] = config
        return body

    def url(self, *, stream: bool) -> httpx.URL:
        """The endpoint: ``:streamGenerateContent?alt=sse`` or ``:generateContent``."""
        method = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return _parsed_url(f"{self.base_url}/models/{self.model_name}:{method}")

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """``POST`` the body, the key in ``x-goog-api-key``."""
        headers = {"x-goog-api-key": key} if key else {}
        return httpx.Request(
            "POST",
            self.url(stream=stream),
            json=self.build_body(prompt),
            headers=headers,
        )

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a whole answer; records usage, tool calls and JSON."""
        return parse_generate_response(data, sink)

    def stream_parser(self, sink: ResponseSink) -> GeminiParser:
        """A fresh parser for one streamed answer."""
        return GeminiParser(sink)

    def error_message(
        self, status_code: int, body: JSONValue
    ) -> tuple[str, str | None]:
        """Message and code (``ErrorInfo`` reason, else status) of an error body."""
        return error_message(status_code, body)
