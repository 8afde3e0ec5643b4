"""The OpenAI Responses API (``/v1/responses``), sans-I/O: the provider.

Used by the o-series and the gpt-5 family. Requests are sent with ``store:
false``; reasoning models also ask for ``include: ["reasoning.encrypted_content"]``
so the reasoning items come back encrypted and go out again with the next turn
(conversations, ``reply()``, chains and ``from_dict()`` all keep them in the
reasoning parts). Input items are built in ``responses_request``, answers
parsed in ``responses_response``, options in ``responses_options``; hosted
tools are in ``server_tools``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_async._core.types import JSONObject, JSONValue
from llm_async.providers.openai.common import OpenAIEndpoint
from llm_async.providers.openai.responses_options import (
    ResponsesOptions,
    responses_options_class,
)
from llm_async.providers.openai.responses_request import function_tool, input_items
from llm_async.providers.openai.responses_response import (
    ResponsesStreamParser,
    parse_response_object,
)
from llm_async.providers.openai.server_tools import CodeInterpreter, WebSearch

if TYPE_CHECKING:
    from llm_async._core.parts import StreamEvent
    from llm_async._core.prompt import Prompt
    from llm_async.providers.base import ResponseSink

__all__ = [
    "OpenAIResponsesProvider",
    "ResponsesOptions",
    "ResponsesStreamParser",
    "responses_options_class",
]

# Options turned into request fields of another name or place.
_SENT_AS_IS = ("max_output_tokens", "temperature", "top_p", "service_tier")


class OpenAIResponsesProvider(OpenAIEndpoint):
    """Builds Responses API requests for one model and parses the answers.

    ``reasoning`` models get ``reasoning: {effort, summary}`` from the
    ``reasoning_effort`` and ``reasoning_summary`` options (no summary is asked
    for with ``hide_reasoning=True``) and the encrypted reasoning items.
    """

    path = "/responses"

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        options: type[ResponsesOptions] = ResponsesOptions,
        reasoning: bool = False,
    ) -> None:
        super().__init__(model_name, base_url=base_url)
        self.Options = options
        self.reasoning = reasoning

    @property
    def server_side_tools(self) -> tuple[type, ...]:
        """``WebSearch``, ``CodeInterpreter`` and raw ``ServerSideTool`` specs."""
        from llm_async._core.tools import ServerSideTool

        return (WebSearch, CodeInterpreter, ServerSideTool)

    def build_body(self, prompt: Prompt, *, stream: bool) -> JSONObject:
        """The JSON body for ``prompt``."""
        values: JSONObject = dict(prompt.options)
        items, instructions = input_items(
            prompt.messages, image_detail=values.get("image_detail")
        )
        body: JSONObject = {
            "model": self.model_name,
            "input": items,
            "stream": stream,
            "store": False,
        }
        if instructions:
            body["instructions"] = instructions
        for name in _SENT_AS_IS:
            if values.get(name) is not None:
                body[name] = values[name]
        if self.reasoning:
            reasoning: JSONObject = {}
            if values.get("reasoning_effort"):
                reasoning["effort"] = values["reasoning_effort"]
            if values.get("reasoning_summary") and not prompt.hide_reasoning:
                reasoning["summary"] = values["reasoning_summary"]
            if reasoning:
                body["reasoning"] = reasoning
            body["include"] = ["reasoning.encrypted_content"]
        text: JSONObject = {}
        if values.get("verbosity"):
            text["verbosity"] = values["verbosity"]
        if values.get("json_object"):
            text["format"] = {"type": "json_object"}
        if prompt.schema is not None:
            # Not strict: OpenAI's strict mode needs additionalProperties: false
            # and every property required, which most schemas do not say.
            text["format"] = {
                "type": "json_schema",
                "name": "output",
                "schema": prompt.schema,
                "strict": False,
            }
        if text:
            body["text"] = text
        tools = prompt.tools
        if tools:
            body["tools"] = [
                tool.tool_spec(prompt.model)
                if getattr(tool, "_is_server_side_tool", False)
                else function_tool(tool)
                for tool in tools
            ]
            for tool in tools:
                if getattr(tool, "_is_server_side_tool", False):
                    tool.prepare_request(prompt.model, body)
        return body

    def parse_response(self, data: JSONValue, sink: ResponseSink) -> list[StreamEvent]:
        """Events of a non-streamed ``response`` object; records usage and JSON."""
        return parse_response_object(data, sink)

    def stream_parser(self, sink: ResponseSink) -> ResponsesStreamParser:
        """A fresh parser for one streamed response."""
        return ResponsesStreamParser(sink)
