"""OpenAI Completions (``/v1/completions``), sans-I/O: ``gpt-3.5-turbo-instruct``
and the ``completion: true`` entries of ``extra-openai-models.yaml``.

The prompt is the text of the user and assistant messages, one per line (as
``llm`` sends it); these models take no system prompt, tools, schema or
attachments. Answers are ``text_completion`` objects, whole or streamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from llm_async._core.errors import APIConnectionError, ResponseDecodeError, ServerError
from llm_async._core.parts import Message, StreamEvent
from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.openai.chat_options import SamplingOptions
from llm_async.providers.openai.chat_response import record_usage
from llm_async.providers.openai.common import (
    OpenAIEndpoint,
    error_text,
    record_response_json,
    text_of,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from llm_async._core.attachments import Attachment
    from llm_async._core.prompt import Prompt
    from llm_async._http.sse import ServerSentEvent
    from llm_async.providers.base import ResponseSink

__all__ = [
    "CompletionOptions",
    "CompletionsParser",
    "OpenAICompletionsProvider",
    "completion_prompt",
]


class CompletionOptions(SamplingOptions):
    """Options of the OpenAI Completions models."""

    logprobs: int | None = Field(
        default=None,
        ge=0,
        le=5,
        description="Include the log probabilities of the most likely N tokens",
    )


def completion_prompt(messages: Iterable[Message]) -> str:
    """The prompt text: user and assistant messages, one per line.

    A system message raises ``ValueError``: completion models have none.
    """
    lines: list[str] = []
    for message in messages:
        text = text_of(message.parts)
        if message.role == "system" and text:
            raise ValueError(
                "System prompts are not supported for OpenAI completion models"
            )
        if message.role in ("user", "assistant") and text:
            lines.append(text)
    return "\n".join(lines)


def _choice_text(data: JSONObject) -> tuple[str, JSONValue]:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        return "", None
    first = choices[0]
    if not isinstance(first, dict):
        raise ResponseDecodeError("A choice in the answer is not an object")
    text = first.get("text")
    return (text if isinstance(text, str) else ""), first.get("finish_reason")


def _check(data: JSONValue) -> JSONObject:
    if not isinstance(data, dict):
        raise ResponseDecodeError(
            f"Expected a JSON object from the server, got {type(data).__name__}"
        )
    if "error" in data and not data.get("choices"):
        raise ServerError(error_text(data["error"]) or "The request failed")
    return data


class CompletionsParser:
    """Turns one streamed ``text_completion`` answer into text events."""

    __slots__ = ("_done", "_finish", "_meta", "_sink", "_text", "_usage")

    def __init__(self, sink: ResponseSink) -> None:
        self._sink = sink
        self._text: list[str] = []
        self._meta: JSONObject | None = None
        self._usage: JSONValue = None
        self._finish: JSONValue = None
        self._done = False

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """The text of one chunk (nothing for ``[DONE]``)."""
        if event.data == "[DONE]":
            self._done = True
            return []
        data = _check(event.json())
        if self._meta is None:
            self._meta = {k: data.get(k) for k in ("id", "object", "model", "created")}
        if data.get("usage"):
            self._usage = data["usage"]
        text, finish = _choice_text(data)
        if finish:
            self._finish = finish
        if not text:
            return []
        self._text.append(text)
        return [StreamEvent("text", text, 0)]

    def finish(self) -> list[StreamEvent]:
        """Record usage, model and ``response_json``; a cut stream raises."""
        if not self._done and self._finish is None:
            raise APIConnectionError(
                "The stream ended before the model finished (no finish_reason "
                "and no [DONE]): the connection was closed early"
            )
        if self._usage is not None:
            record_usage(self._usage, self._sink)
        meta = self._meta or {}
        record_response_json(
            self._sink,
            {
                "content": "".join(self._text),
                "finish_reason": self._finish,
                "usage": self._usage,
                **meta,
            },
        )
        model = meta.get("model")
        if isinstance(model, str) and model:
            self._sink.set_resolved_model(model)
        return []


class OpenAICompletionsProvider(OpenAIEndpoint):
    """Builds Completions requests for one model and parses the answers.

    ``default_max_tokens`` is sent when the prompt sets no ``max_tokens``
    (``gpt-3.5-turbo-instruct`` stops after 16 tokens otherwise).
    """

    path = "/completions"
    Options = CompletionOptions

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        default_max_tokens: int | None = None,
    ) -> None:
        super().__init__(model_name, base_url=base_url)
        self.default_max_tokens = default_max_tokens

    def accepts_url(self, attachment: Attachment) -> bool:
        """No attachments at all."""
        return False

    def build_body(self, prompt: Prompt, *, stream: bool) -> JSONObject:
        """The JSON body for ``prompt``."""
        body: JSONObject = {
            "model": self.model_name,
            "prompt": completion_prompt(prompt.messages),
            "stream": stream,
        }
        for name, value in prompt.options:
            if value is not None:
                body[name] = value
        if "max_tokens" not in body and self.default_max_tokens is not None:
            body["max_tokens"] = self.default_max_tokens
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """The text of a non-streamed ``text_completion``; records usage and JSON."""
        data = _check(data)
        if not isinstance(data.get("choices"), list):
            raise ResponseDecodeError("The server's answer has no choices")
        record_response_json(sink, data)
        record_usage(data.get("usage"), sink)
        model = data.get("model")
        if isinstance(model, str) and model:
            sink.set_resolved_model(model)
        text, _ = _choice_text(data)
        return [StreamEvent("text", text, 0)] if text else []

    def stream_parser(self, sink: ResponseSink) -> CompletionsParser:
        """A fresh parser for one streamed response."""
        return CompletionsParser(sink)
