"""Running tool calls, and chains that prompt until the model stops calling tools.

The calls of one turn run through ``async_gather``: concurrently where the
facade can (coroutine-function tools on the caller's loop, blocking tools one
at a time in a worker thread), in turn where it cannot. A coroutine-function
tool or hook always works, on the caller's loop or on a private one in a
worker thread; docs/tools.md says which runs where.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from llm_async._core.chain_base import (
    DEFAULT_CHAIN_LIMIT,
    CallOutcome,
    cancelled_result,
    chain_limit_error,
    check_chain_limit,
    ensure_call_id,
    error_result,
    find_resume_point,
    invalid_arguments,
    missing_tool_result,
    no_implementation_result,
    output_result,
    resumed_results,
    round_separator,
    settle,
    tool_result_messages,
    toolboxes_of,
    tools_by_name,
)
from llm_async._core.concurrency import (
    AsyncLock,
    async_gather,
    async_resolve,
    async_run_blocking,
)
from llm_async._core.errors import CancelToolCall, PauseChain
from llm_async._core.parts import StreamEvent
from llm_async._core.prompt import Prompt, ToolInput, wrap_tools
from llm_async._core.tools import (
    AfterCallHook,
    BeforeCallHook,
    Tool,
    Toolbox,
    _accepts_tool_call,
    _is_async_callable,
)

from .response import AsyncResponse

if TYPE_CHECKING:
    from llm_async._core.parts import Message
    from llm_async._core.tools import ToolCall, ToolResult

    from .conversation import AsyncConversation

__all__ = ["AsyncChainResponse", "execute_tool_calls", "run_tool_calls"]

_PREPARE_LOCK = "_llm_prepare_lock_" + AsyncLock.__name__


class _Turn:
    """Shared state of one turn's calls: plain tools take turns; stop on pause."""

    def __init__(self) -> None:
        self.lock = AsyncLock()
        self.stopped = False


async def execute_tool_calls(
    response: AsyncResponse,
    *,
    before_call: BeforeCallHook | None = None,
    after_call: AfterCallHook | None = None,
    tool_calls_list: Sequence[ToolCall] | None = None,
    tools: Sequence[ToolInput] | None = None,
) -> list[ToolResult]:
    """Run ``response``'s tool calls (or ``tool_calls_list``); see the method."""
    calls = (
        list(tool_calls_list)
        if tool_calls_list is not None
        else await response.tool_calls()
    )
    available = wrap_tools(tools) if tools is not None else response.prompt.tools
    return await run_tool_calls(
        calls,
        available,
        before_call if before_call is not None else response.before_call,
        after_call if after_call is not None else response.after_call,
    )


async def run_tool_calls(
    calls: Sequence[ToolCall],
    tools: Sequence[ToolInput],
    before_call: BeforeCallHook | None = None,
    after_call: AfterCallHook | None = None,
) -> list[ToolResult]:
    """Run ``calls`` with ``tools``; results in call order.

    Every call that starts finishes before anything is raised. When a tool (or
    ``before_call``) raises ``PauseChain`` or a hook raises, calls that have not
    started are not started; then the first hook error is raised, else the
    first pause, with ``tool_call`` and ``tool_results`` (the completed results).
    """
    by_name = tools_by_name(tools)
    calls = [ensure_call_id(call) for call in calls]
    resolved = [by_name.get(call.name) for call in calls]
    await _prepare(toolboxes_of(resolved))
    turn = _Turn()
    outcomes = await async_gather(
        [
            functools.partial(_run_call, tool, call, before_call, after_call, turn)
            for tool, call in zip(resolved, calls, strict=True)
        ]
    )
    return settle(outcomes, calls)


async def _prepare(toolboxes: Sequence[Toolbox]) -> None:
    """Run each toolbox's ``prepare()`` and ``prepare_async()`` once."""
    for box in toolboxes:
        if box._prepared:
            continue
        lock = box.__dict__.setdefault(_PREPARE_LOCK, AsyncLock())
        async with lock:
            if box._prepared:
                continue
            if type(box).prepare is not Toolbox.prepare:
                await async_run_blocking(box.prepare)
            if type(box).prepare_async is not Toolbox.prepare_async:
                await async_resolve(box.prepare_async())
            box._prepared = True


async def _run_call(
    tool: Tool | None,
    call: ToolCall,
    before_call: BeforeCallHook | None,
    after_call: AfterCallHook | None,
    turn: _Turn,
) -> CallOutcome:
    """One call: ``before_call``, the tool, ``after_call``; never raises."""
    function = tool.implementation if tool is not None else None
    if function is not None and _is_async_callable(function):
        return await _run_call_unlocked(tool, call, before_call, after_call, turn)
    async with turn.lock:
        return await _run_call_unlocked(tool, call, before_call, after_call, turn)


async def _run_call_unlocked(
    tool: Tool | None,
    call: ToolCall,
    before_call: BeforeCallHook | None,
    after_call: AfterCallHook | None,
    turn: _Turn,
) -> CallOutcome:
    if turn.stopped:
        return CallOutcome()
    try:
        if before_call is not None:
            try:
                await async_resolve(before_call(tool, call))
            except CancelToolCall as exc:
                return CallOutcome(result=cancelled_result(tool, call, exc))
        result = await _invoke(tool, call)
        if after_call is not None:
            await async_resolve(after_call(tool, call, result))
        return CallOutcome(result=result)
    except PauseChain as pause:
        turn.stopped = True
        return CallOutcome(pause=pause)
    except Exception as exc:  # a hook failed: raised once every call has ended
        turn.stopped = True
        return CallOutcome(error=exc)


async def _invoke(tool: Tool | None, call: ToolCall) -> ToolResult:
    """Run the tool; its failures (not ``PauseChain``) become error results."""
    if tool is None:
        return missing_tool_result(call)
    function = tool.implementation
    if function is None:
        return no_implementation_result(tool, call)
    kwargs, problem = invalid_arguments(tool, call, _accepts_tool_call(function))
    if problem is not None:
        return problem
    try:
        if _is_async_callable(function):
            output = await async_resolve(function(**kwargs))
        else:
            output = await async_resolve(
                await async_run_blocking(functools.partial(function, **kwargs))
            )
        return output_result(tool, call, output)
    except PauseChain:
        raise
    except Exception as exc:
        return error_result(tool, call, exc)


class AsyncChainResponse:
    """A prompt that runs tools and prompts again until the model stops calling them.

    Iterate it for text across every round (a space is shown between rounds
    whose texts would run together), or use ``text()``, ``astream_events()`` or
    ``responses()`` (one response per model call). Nothing runs until it is
    consumed; once complete, every reader replays the rounds.

    ``chain_limit`` caps the number of model calls (default 10; ``None`` or
    ``0``: no cap): when the model still asks for tools after that many
    responses, ``ChainLimitExceeded`` is raised and the calls are not run.
    """

    def __init__(
        self,
        prompt: Prompt,
        model: object,
        stream: bool,
        conversation: AsyncConversation | None = None,
        key: str | None = None,
        chain_limit: int | None = DEFAULT_CHAIN_LIMIT,
        before_call: BeforeCallHook | None = None,
        after_call: AfterCallHook | None = None,
    ) -> None:
        self.prompt = prompt
        self.model = model
        self.stream = stream
        self.conversation = conversation
        self.key = key
        self.chain_limit = check_chain_limit(chain_limit)
        self.before_call = before_call
        self.after_call = after_call
        self._responses: list[AsyncResponse] = []
        self._started = False
        self._running = False
        self._done = False
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} prompt={self.prompt.prompt!r} "
            f"rounds={len(self._responses)}>"
        )

    async def log_to_db(self, db: object) -> list[str]:
        """Run the chain to its end and log every round (see
        ``Response.log_to_db``); the turn ids."""
        async for _response in self.responses():
            pass
        return [await response.log_to_db(db) for response in self._responses]

    async def responses(self) -> AsyncIterator[AsyncResponse]:
        """Each round's response, in order; tools run between rounds.

        A round's tool calls run once the consumer asks for the next round, after
        that response has completed. A finished (or failed) chain replays its
        rounds (and raises its error again) instead of prompting again.
        """
        if self._started and not self._running:
            for response in list(self._responses):
                yield response
            if self._error is not None:
                raise self._error
            return
        if self._running:
            raise RuntimeError("This chain is already being consumed")
        self._started = self._running = True
        try:
            async for response in self._rounds():
                yield response
            self._done = True
        except (Exception, PauseChain) as exc:
            self._error = exc
            raise
        finally:
            self._running = False

    async def _rounds(self) -> AsyncIterator[AsyncResponse]:
        response = await self._first_response()
        count = 0
        while True:
            count += 1
            self._responses.append(response)
            yield response
            calls = await response.tool_calls()
            if not calls:
                return
            if self.chain_limit is not None and count >= self.chain_limit:
                raise chain_limit_error(self.chain_limit, calls)
            results = await run_tool_calls(
                calls, response.prompt.tools, self.before_call, self.after_call
            )
            messages = [
                *response.prompt.messages,
                *await response.messages(),
                *tool_result_messages(results),
            ]
            response = self._response(
                self._next_prompt(response.prompt, messages, results)
            )

    async def _first_response(self) -> AsyncResponse:
        """The first round; pending calls left by a paused chain run first."""
        prompt = self.prompt
        point = find_resume_point(prompt.messages) if prompt.tools else None
        if point is not None:
            new = await run_tool_calls(
                point.pending, prompt.tools, self.before_call, self.after_call
            )
            results = resumed_results(point, new)
            messages = [*point.history, *tool_result_messages(results)]
            prompt = self._next_prompt(prompt, messages, results)
        return self._response(prompt)

    def _next_prompt(
        self, prior: Prompt, messages: list[Message], results: list[ToolResult]
    ) -> Prompt:
        return Prompt(
            "",
            self.model,
            attachments=[a for result in results for a in result.attachments],
            system=prior._system,
            system_fragments=prior.system_fragments,
            options=prior.options,
            schema=prior.schema,
            tools=prior.tools,
            tool_results=results,
            messages=messages,
            hide_reasoning=prior.hide_reasoning,
        )

    def _response(self, prompt: Prompt) -> AsyncResponse:
        return AsyncResponse(
            prompt,
            self.model,
            self.stream,
            conversation=self.conversation,
            key=self.key,
            before_call=self.before_call,
            after_call=self.after_call,
        )

    async def __aiter__(self) -> AsyncIterator[str]:
        previous = ""
        later_round = False
        async for response in self.responses():
            boundary, later_round = later_round, True
            async for chunk in response:
                if not chunk:
                    continue
                if boundary:
                    separator = round_separator(previous, chunk)
                    if separator:
                        yield separator
                    boundary = False
                yield chunk
                previous = chunk

    async def astream_events(self) -> AsyncIterator[StreamEvent]:
        """Every event of every round; a ``" "`` text event between rounds'
        texts that would run together (display only, never stored)."""
        previous = ""
        later_round = False
        async for response in self.responses():
            boundary, later_round = later_round, True
            async for event in response.astream_events():
                if event.type == "text" and event.chunk:
                    if boundary:
                        separator = round_separator(previous, event.chunk)
                        if separator:
                            yield StreamEvent("text", separator)
                        boundary = False
                    previous = event.chunk
                yield event

    async def text(self) -> str:
        """The text of every round, joined as iteration shows it."""
        return "".join([chunk async for chunk in self])
