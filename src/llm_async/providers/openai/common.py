"""What the OpenAI endpoints share, sans-I/O: base URL, key header, error bodies,
usage cleaning, attachment URLs and tool-call arguments.

Used by Chat Completions (``chat*``), the Responses API (``responses*``) and
Completions (``completions``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache, partial
from typing import TYPE_CHECKING

import httpx

from llm_async._core.parts import TextPart
from llm_async._core.types import JSONObject, JSONValue
from llm_async._core.ulid import monotonic_ulid

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment
    from llm_async._core.parts import Part
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import ResponseSink

__all__ = [
    "DEFAULT_BASE_URL",
    "OpenAIEndpoint",
    "call_arguments",
    "clean_usage_details",
    "data_url",
    "error_text",
    "image_url",
    "new_call_id",
    "record_response_json",
    "record_usage",
    "text_of",
    "without_none",
]

#: Where requests go when neither ``base_url`` nor ``OPENAI_BASE_URL`` is set.
DEFAULT_BASE_URL = "https://api.openai.com/v1"

_NESTED = (dict, list)  # what without_none goes into (not a call per scalar)


def without_none(value: object) -> JSONValue:
    """``value`` with ``None`` entries of dicts removed, recursively."""
    if isinstance(value, dict):
        return {
            k: without_none(v) if isinstance(v, _NESTED) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [without_none(v) if isinstance(v, _NESTED) else v for v in value]
    return value


def record_response_json(sink: ResponseSink, data: JSONObject) -> None:
    """``sink.response_json = without_none(data)``, computed when first read if
    the sink can defer it (a response can: ``defer_response_json``)."""
    defer = getattr(sink, "defer_response_json", None)
    if defer is None:
        sink.response_json = without_none(data)
    else:
        defer(partial(without_none, data))


def clean_usage_details(value: object) -> JSONValue:
    """Usage details with zeros, ``None``, ``False`` and empty dicts removed."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if isinstance(item, dict):
                item = clean_usage_details(item)
                if not item:
                    continue
            elif item is None or item == 0:  # False and 0.0 too
                continue
            cleaned[key] = item
        return cleaned
    return value


def record_usage(
    usage: JSONValue,
    sink: ResponseSink,
    *,
    input_key: str = "prompt_tokens",
    output_key: str = "completion_tokens",
) -> int:
    """Record ``usage`` on the sink; returns the reasoning token count.

    Chat and Completions count ``prompt_tokens``/``completion_tokens``; the
    Responses API ``input_tokens``/``output_tokens``. The other keys (and
    ``<output_key>_details``, where reasoning tokens are) go in the details.
    """
    if not isinstance(usage, dict):
        return 0
    input_tokens = usage.get(input_key)
    output_tokens = usage.get(output_key)
    details = clean_usage_details(usage)
    for key in (input_key, output_key, "total_tokens"):
        details.pop(key, None)
    sink.set_usage(
        input=input_tokens if isinstance(input_tokens, int) else None,
        output=output_tokens if isinstance(output_tokens, int) else None,
        details=details,
    )
    output_details = usage.get(f"{output_key}_details")
    if isinstance(output_details, dict):
        reasoning = output_details.get("reasoning_tokens")
        if isinstance(reasoning, int):
            return reasoning
    return 0


def error_text(error: JSONValue) -> str:
    """The message of an OpenAI-style ``error`` value (dict or string)."""
    if isinstance(error, str):
        return error
    if not isinstance(error, dict):
        return ""
    message = error.get("message") or error.get("detail") or ""
    if not isinstance(message, str):
        message = json.dumps(message)
    metadata = error.get("metadata")
    raw = metadata.get("raw") if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw and raw not in message:
        # OpenRouter: "Provider returned error" plus the upstream's own words.
        message = f"{message}: {raw}" if message else raw
    return message


def new_call_id() -> str:
    """A tool call id for servers that send none (or an empty one)."""
    return "call_" + monotonic_ulid()


def text_of(parts: Iterable[Part]) -> str:
    """The text parts of a message, one per line."""
    return "\n".join(part.text for part in parts if isinstance(part, TextPart))


def call_arguments(arguments: JSONValue) -> str:
    """A tool call's arguments as the JSON string the API expects back."""
    if isinstance(arguments, dict) and set(arguments) == {"_raw"}:
        raw = arguments["_raw"]
        if isinstance(raw, str):
            return raw  # what the model sent, unparseable: send it back as it was
    return json.dumps(arguments)


def data_url(attachment: Attachment, mime: str) -> str:
    """``data:{mime};base64,...`` of the attachment's bytes."""
    return f"data:{mime};base64,{attachment.base64_content()}"


def image_url(attachment: Attachment, mime: str) -> str:
    """An image's URL when it has only one, else its bytes as a data URL."""
    url = getattr(attachment, "url", None)
    has_bytes = (
        getattr(attachment, "content", None) is not None
        or getattr(attachment, "path", None) is not None
    )
    if not url or has_bytes:
        return data_url(attachment, mime)
    return str(url)


@lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per endpoint rather than per request."""
    return httpx.URL(url)


class OpenAIEndpoint:
    """The base of the OpenAI providers: one model name, one endpoint path.

    ``base_url=None`` means ``$OPENAI_BASE_URL``, else the OpenAI API, read for
    each request. The key, when there is one, is sent as ``Authorization:
    Bearer``; without one no ``Authorization`` header is sent.
    """

    #: The endpoint below the base URL, e.g. ``"/chat/completions"``.
    path = ""

    def __init__(self, model_name: str, *, base_url: str | None = None) -> None:
        self.model_name = model_name
        self._base_url = base_url.rstrip("/") if base_url else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model_name!r} at {self.base_url}>"

    @property
    def base_url(self) -> str:
        """The API's base URL (requests go to ``{base_url}{path}``)."""
        if self._base_url:
            return self._base_url
        return (os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def accepts_url(self, attachment: Attachment) -> bool:
        """Images are sent by URL; other URLs are downloaded and sent inline."""
        mime = attachment.resolve_type()
        return bool(mime and mime.startswith("image/"))

    def post(self, body: JSONObject, key: str | None) -> httpx.Request:
        """``POST {base_url}{path}`` with the JSON ``body`` and the key header."""
        headers = {"authorization": f"Bearer {key}"} if key else {}
        return httpx.Request(
            "POST",
            _parsed_url(f"{self.base_url}{self.path}"),
            json=body,
            headers=headers,
        )

    def build_body(self, prompt: Prompt, *, stream: bool) -> JSONObject:
        """The JSON body for ``prompt``; each endpoint defines it."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_body()")

    def build_request(
        self, prompt: Prompt, *, stream: bool, key: str | None
    ) -> httpx.Request:
        """``POST {base_url}{path}`` with ``build_body()``'s JSON."""
        return self.post(self.build_body(prompt, stream=stream), key)

    def error_message(
        self, status_code: int, body: JSONValue
    ) -> tuple[str, str | None]:
        """Message and code of an OpenAI-style error body (and common variants)."""
        if isinstance(body, dict):
            error = body.get("error", body)
            message = error_text(error)
            if not message and isinstance(body.get("detail"), (str, list)):
                detail = body["detail"]  # FastAPI servers (llama_cpp.server)
                message = detail if isinstance(detail, str) else json.dumps(detail)
            code: JSONValue = None
            if isinstance(error, dict):
                code = error.get("code") or error.get("type")
            if message:
                return message, None if code is None else str(code)
        if isinstance(body, str) and body.strip():
            return body.strip()[:500], None
        return f"HTTP {status_code} error", None
