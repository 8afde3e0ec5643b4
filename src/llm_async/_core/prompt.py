"""A prompt: the input of one model call, and its canonical message chain."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from llm_async._core.parts import (
    AttachmentPart,
    Message,
    Part,
    TextPart,
    ToolResultPart,
)
from llm_async._core.tools import ServerSideTool, Tool, Toolbox, ToolResult
from llm_async._core.types import JSONObject

if TYPE_CHECKING:
    import pydantic

    from llm_async._core.attachments import Attachment

__all__ = ["Prompt", "SchemaInput", "ToolInput", "turn_messages"]

#: One item of ``tools=``: a ``Tool``, a function, a ``Toolbox`` instance or a
#: server-side tool (``wrap_tools`` turns them into tools).
ToolInput: TypeAlias = "Tool | Toolbox | ServerSideTool | Callable[..., object]"
#: What ``schema=`` takes: a JSON schema dict or a pydantic model class.
SchemaInput: TypeAlias = "JSONObject | type[pydantic.BaseModel] | None"


def _render_exception(exception: BaseException | None) -> str | None:
    if exception is None:
        return None
    return f"{type(exception).__name__}: {exception}"


def tool_result_message(tool_results: Sequence[ToolResult]) -> Message:
    """The ``tool`` message that carries the results of tool calls."""
    return Message(
        "tool",
        [
            ToolResultPart(
                name=result.name,
                output=result.output,
                tool_call_id=result.tool_call_id,
                attachments=list(result.attachments),
                exception=_render_exception(result.exception),
            )
            for result in tool_results
        ],
    )


def turn_messages(
    prompt: str | None,
    *,
    fragments: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    tool_results: Sequence[ToolResult] = (),
) -> list[Message]:
    """The messages one new turn adds to a history: tool results, then the user."""
    messages: list[Message] = []
    if tool_results:
        messages.append(tool_result_message(tool_results))
    if fragments:
        text = "\n".join(
            str(item) for item in [*fragments, *([prompt] if prompt else [])]
        )
    else:  # the usual turn: the prompt alone
        text = str(prompt) if prompt else ""
    parts: list[Part] = []
    if text:
        parts.append(TextPart(text))
    if attachments:
        parts.extend(AttachmentPart(attachment) for attachment in attachments)
    if parts:
        messages.append(Message("user", parts))
    return messages


def wrap_tools(tools: Sequence[ToolInput] | None) -> list[Any]:
    """Normalise ``tools=``: Tool objects, functions and Toolbox instances."""
    wrapped: list[Any] = []
    for tool in tools or ():
        if isinstance(tool, Tool) or getattr(tool, "_is_server_side_tool", False):
            wrapped.append(tool)
        elif hasattr(tool, "tools") and callable(tool.tools):
            wrapped.extend(tool.tools())
        elif callable(tool):
            function_tool = getattr(Tool, "function", None)
            if function_tool is None:  # pragma: no cover - Tool.function not built
                raise TypeError(f"Invalid tool: {tool}")
            wrapped.append(function_tool(tool))
        else:
            raise TypeError(f"Invalid tool: {tool}")
    return wrapped


def schema_to_dict(schema: SchemaInput) -> JSONObject | None:
    """A JSON schema dict from a dict or a pydantic model class (titles kept)."""
    if schema is None or isinstance(schema, dict):
        return schema
    json_schema = getattr(schema, "model_json_schema", None)
    if json_schema is None:
        raise TypeError(
            "schema= must be a JSON schema dict or a pydantic model class, "
            f"not {type(schema).__name__}"
        )
    result: JSONObject = json_schema()
    return result


class Prompt:
    """The input of one model call.

    ``prompt`` and ``system`` are ``""`` when empty; ``messages`` is the full input
    chain the model sees (history included when the prompt was built for a
    conversation or a reply).
    """

    def __init__(
        self,
        prompt: str | None,
        model: object,
        *,
        fragments: Sequence[str] | None = None,
        attachments: Sequence[Attachment] | None = None,
        system: str | None = None,
        system_fragments: Sequence[str] | None = None,
        prompt_json: str | None = None,
        options: Any = None,
        schema: SchemaInput = None,
        tools: Sequence[ToolInput] | None = None,
        tool_results: Sequence[ToolResult] | None = None,
        messages: Sequence[Message] | None = None,
        hide_reasoning: bool = False,
    ) -> None:
        self._prompt = prompt
        self._system = system
        self.model = model
        self.fragments = list(fragments or [])
        self.attachments = list(attachments or [])
        self.system_fragments = list(system_fragments or [])
        self.prompt_json = prompt_json
        self.options = options if options is not None else {}
        self.schema = schema_to_dict(schema)
        self.tools = wrap_tools(tools)
        self.tool_results = list(tool_results or [])
        self._messages = list(messages) if messages is not None else None
        self.hide_reasoning = hide_reasoning

    @property
    def prompt(self) -> str:
        """The user's text for this turn, fragments first."""
        return "\n".join(
            str(item)
            for item in [*self.fragments, *([self._prompt] if self._prompt else [])]
        )

    @property
    def system(self) -> str:
        """The system prompt, system fragments first, blank pieces dropped."""
        if not self.system_fragments:
            return str(self._system).strip() if self._system else ""
        pieces = [
            str(item).strip() for item in [*self.system_fragments, self._system or ""]
        ]
        return "\n\n".join(piece for piece in pieces if piece)

    @property
    def messages(self) -> list[Message]:
        """The canonical input chain: explicit ``messages=`` or this turn alone."""
        if self._messages is not None:
            return list(self._messages)
        chain: list[Message] = []
        system = self.system
        if system:
            chain.append(Message("system", [TextPart(system)]))
        chain.extend(
            turn_messages(
                self._prompt,
                fragments=self.fragments,
                attachments=self.attachments,
                tool_results=self.tool_results,
            )
        )
        return chain

    def __repr__(self) -> str:
        return f"<Prompt {self.prompt!r}>"
