"""Sans-I/O parts of tool execution and chains, shared by both facades.

Looking tools up, checking a call's arguments, turning outputs and exceptions
into ``ToolResult`` objects, building the messages of the next round, finding
calls left pending by a paused chain, and the display separator between rounds.
The I/O (running tools and hooks, prompting) lives in ``_chain.py``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llm_async._core.errors import ChainLimitExceeded, PauseChain
from llm_async._core.parts import (
    AttachmentPart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from llm_async._core.prompt import tool_result_message
from llm_async._core.tools import Tool, Toolbox, ToolCall, ToolOutput, ToolResult
from llm_async._core.types import JSONObject, JSONValue
from llm_async._core.ulid import monotonic_ulid

if TYPE_CHECKING:
    from llm_async._core.attachments import Attachment

__all__ = [
    "DEFAULT_CHAIN_LIMIT",
    "UNSET",
    "CallOutcome",
    "ResumePoint",
    "cancelled_result",
    "chain_limit_error",
    "check_chain_limit",
    "ensure_call_id",
    "error_result",
    "find_resume_point",
    "invalid_arguments",
    "missing_tool_result",
    "no_implementation_result",
    "output_result",
    "reply_messages",
    "resumed_results",
    "round_separator",
    "settle",
    "tool_result_messages",
    "toolboxes_of",
    "tools_by_name",
]

#: Model calls a chain may make before ``ChainLimitExceeded`` (``chain_limit=``).
DEFAULT_CHAIN_LIMIT = 10


class _Unset:
    """Default of ``conversation.chain(chain_limit=)``: use the conversation's."""

    def __repr__(self) -> str:
        return "<conversation's chain_limit>"


UNSET: Any = _Unset()


def check_chain_limit(limit: object) -> int | None:
    """Validate ``chain_limit``: a positive int, or ``None``/``0`` for no limit."""
    if limit is None or limit == 0:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(
            f"chain_limit must be a positive integer, or None for no limit; "
            f"got {limit!r}"
        )
    return limit


def chain_limit_error(limit: int, calls: Sequence[ToolCall]) -> ChainLimitExceeded:
    """The error raised when the model still asks for tools after ``limit`` rounds."""
    names = ", ".join(sorted({call.name for call in calls}))
    return ChainLimitExceeded(
        f"Chain limit of {limit} exceeded: the model still requested tool calls "
        f"({names}) after {limit} responses; they were not run. Pass a higher "
        f"chain_limit= (or chain_limit=None for no limit) to allow more rounds; "
        "continuing the conversation with conversation.chain() runs the pending "
        "calls."
    )


def tools_by_name(tools: Sequence[object]) -> dict[str, Tool]:
    """Executable tools by name; server-side tools are never run locally."""
    return {tool.name: tool for tool in tools if isinstance(tool, Tool)}


def ensure_call_id(tool_call: ToolCall) -> ToolCall:
    """Give a call without an id one (``tc_`` + a ULID), in place."""
    if tool_call.tool_call_id is None:
        tool_call.tool_call_id = "tc_" + monotonic_ulid()
    return tool_call


def _result(
    call: ToolCall,
    output: str,
    *,
    tool: Tool | None = None,
    exception: BaseException | None = None,
    attachments: list[Attachment] | None = None,
) -> ToolResult:
    return ToolResult(
        name=call.name,
        output=output,
        attachments=list(attachments or []),
        tool_call_id=call.tool_call_id,
        instance=tool._toolbox if tool is not None else None,
        exception=exception,
    )


def cancelled_result(tool: Tool | None, call: ToolCall, exc: Exception) -> ToolResult:
    """The result of a call that ``before_call`` cancelled."""
    return _result(call, f"Cancelled: {exc}", tool=tool, exception=exc)


def error_result(tool: Tool | None, call: ToolCall, exc: BaseException) -> ToolResult:
    """The result of a failed call: exception type and message, no traceback."""
    message = str(exc)
    text = type(exc).__name__ + (f": {message}" if message else "")
    return _result(call, f"Error: {text}", tool=tool, exception=exc)


def missing_tool_result(call: ToolCall) -> ToolResult:
    """The result of a call of a tool that is not available."""
    message = f'Error: tool "{call.name}" does not exist'
    return _result(call, message, exception=KeyError(call.name))


def no_implementation_result(tool: Tool, call: ToolCall) -> ToolResult:
    """The result of a call of a tool that has no implementation."""
    message = f'Error: tool "{call.name}" has no implementation'
    return _result(call, message, tool=tool, exception=KeyError(call.name))


def invalid_arguments(
    tool: Tool, call: ToolCall, accepts_tool_call: bool
) -> tuple[JSONObject, ToolResult | None]:
    """The keyword arguments for the implementation, or an error result.

    Arguments are untrusted input: invalid JSON (``{"_raw": ...}`` from the
    stream parser), a non-object, or values that fail the tool's schema give an
    error result and the tool is not called.
    """
    arguments = call.arguments
    declared = tool.input_schema.get("properties", {})
    if (
        isinstance(arguments, dict)
        and set(arguments) == {"_raw"}
        and "_raw" not in declared
    ):
        raw = str(arguments["_raw"])
        shown = raw if len(raw) <= 200 else raw[:200] + "..."
        try:
            json.loads(raw)
        except ValueError:
            problem = f"the arguments are not valid JSON: {shown}"
        else:  # valid JSON, but an array, a string, a number...
            problem = f"the arguments must be a JSON object, not {shown}"
        return {}, _invalid(tool, call, problem)
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return {}, _invalid(
            tool, call, f"the arguments must be a JSON object, not {arguments!r}"
        )
    if tool._arguments is not None:
        try:
            kwargs = tool._arguments.validate(arguments)
        except ValueError as exc:
            return {}, _invalid(tool, call, str(exc))
    else:
        kwargs = dict(arguments)
        unbound = _binding_problem(tool.implementation, kwargs, accepts_tool_call)
        if unbound:
            return {}, _invalid(tool, call, unbound)
    if accepts_tool_call:
        kwargs["llm_tool_call"] = call
    return kwargs, None


def _binding_problem(
    function: Any, kwargs: JSONObject, accepts_tool_call: bool
) -> str | None:
    import inspect

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    probe = dict(kwargs)
    if accepts_tool_call:
        probe["llm_tool_call"] = None
    try:
        signature.bind(**probe)
    except TypeError as exc:
        return str(exc)
    return None


def _invalid(tool: Tool, call: ToolCall, problem: str) -> ToolResult:
    exc = ValueError(f'Invalid arguments for tool "{call.name}": {problem}')
    return _result(call, f"Error: {exc}", tool=tool, exception=exc)


def _json_default(value: object) -> JSONValue:
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def output_result(tool: Tool, call: ToolCall, output: object) -> ToolResult:
    """The result of a successful call; non-strings are sent as JSON."""
    attachments: list[Attachment] = []
    if isinstance(output, ToolOutput):
        attachments = list(output.attachments)
        output = output.output
    if not isinstance(output, str):
        output = json.dumps(output, default=_json_default)
    return _result(call, output, tool=tool, attachments=attachments)


def toolboxes_of(tools: Sequence[Tool | None]) -> list[Toolbox]:
    """The distinct toolbox instances behind ``tools``, in order."""
    seen: dict[int, Toolbox] = {}
    for tool in tools:
        box = getattr(tool, "_toolbox", None)
        if isinstance(box, Toolbox) and id(box) not in seen:
            seen[id(box)] = box
    return list(seen.values())


@dataclass
class CallOutcome:
    """How one call of a turn ended: a result, a pause, a hook error, or not run."""

    result: ToolResult | None = None
    pause: PauseChain | None = None
    error: Exception | None = None


def settle(
    outcomes: Sequence[CallOutcome], calls: Sequence[ToolCall]
) -> list[ToolResult]:
    """The results in call order; raise the first hook error, else the first pause.

    A pause carries ``tool_call`` (the call that paused) and ``tool_results``
    (every completed result, in call order).
    """
    results = [o.result for o in outcomes if o.result is not None]
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    for outcome, call in zip(outcomes, calls, strict=True):
        pause = outcome.pause
        if pause is not None:
            pause.tool_call = call
            pause.tool_results = results
            raise pause
    return results


def tool_result_messages(results: Sequence[ToolResult]) -> list[Message]:
    """The messages that send tool results: a ``tool`` message, then a ``user``
    message of the attachments the tools returned (if any)."""
    if not results:
        return []
    message = tool_result_message(results)
    attachments = []
    for part in message.parts:
        if isinstance(part, ToolResultPart) and part.attachments:
            attachments.extend(part.attachments)
            part.attachments = []
    messages = [message]
    if attachments:
        messages.append(Message("user", [AttachmentPart(a) for a in attachments]))
    return messages


def reply_messages(
    history: Sequence[Message],
    prompt: str | None,
    tool_results: Sequence[ToolResult],
    messages: Sequence[Message],
) -> list[Message]:
    """The chain ``reply()`` sends: history, tool results, the prompt, ``messages``."""
    chain = [*history, *tool_result_messages(tool_results)]
    if prompt:
        chain.append(Message("user", [TextPart(prompt)]))
    chain.extend(messages)
    return chain


@dataclass
class ResumePoint:
    """A chain to resume: calls of the last assistant message still without results.

    ``history`` ends with that assistant message; ``answered`` are the result
    parts already given after it.
    """

    history: list[Message]
    pending: list[ToolCall]
    answered: list[ToolResultPart]


def find_resume_point(messages: Sequence[Message]) -> ResumePoint | None:
    """Pending local tool calls at the end of ``messages``, if any.

    The chain must end with an assistant message of tool calls, followed only by
    ``tool`` messages (and the ``user`` message of tool attachments). Results
    match calls by ``tool_call_id``; id-less calls match by name, one result each.
    """
    index = len(messages) - 1
    answered: list[ToolResultPart] = []
    while index >= 0 and messages[index].role in ("tool", "user"):
        message = messages[index]
        if message.role == "user" and not all(
            isinstance(part, AttachmentPart) for part in message.parts
        ):
            return None
        answered[:0] = [p for p in message.parts if isinstance(p, ToolResultPart)]
        index -= 1
    if index < 0 or messages[index].role != "assistant":
        return None
    calls = [
        part
        for part in messages[index].parts
        if isinstance(part, ToolCallPart) and not part.server_executed
    ]
    if not calls:
        return None
    by_id = {p.tool_call_id for p in answered if p.tool_call_id is not None}
    unnamed = [p.name for p in answered if p.tool_call_id is None]
    pending = []
    for part in calls:
        if part.tool_call_id is not None and part.tool_call_id in by_id:
            continue
        if part.tool_call_id is None and part.name in unnamed:
            unnamed.remove(part.name)
            continue
        pending.append(ToolCall(part.name, dict(part.arguments), part.tool_call_id))
    if not pending:
        return None
    return ResumePoint(list(messages[: index + 1]), pending, answered)


def resumed_results(point: ResumePoint, new: Sequence[ToolResult]) -> list[ToolResult]:
    """Earlier answers and the newly run pending calls, as ``ToolResult`` objects."""
    earlier = [
        ToolResult(
            name=part.name,
            output=part.output,
            attachments=list(part.attachments),
            tool_call_id=part.tool_call_id,
        )
        for part in point.answered
    ]
    return [*earlier, *new]


def round_separator(previous: str, chunk: str) -> str:
    """``" "`` when two rounds' texts would otherwise run together (display only)."""
    if previous and chunk and not previous[-1].isspace() and not chunk[0].isspace():
        return " "
    return ""
