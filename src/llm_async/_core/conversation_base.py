"""Sans-I/O helpers for conversations, shared by both facades."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from llm_async._core.parts import Message, TextPart

if TYPE_CHECKING:
    from llm_async._core.response_base import ResponseBase

__all__ = ["history_messages"]


class _History(Protocol):
    """A conversation of either facade: its completed turns."""

    @property
    def responses(self) -> Sequence[ResponseBase]: ...


def history_messages(
    conversation: _History,
    messages: Sequence[Message] | None,
    system: str | None,
    system_fragments: Sequence[str] | None,
) -> list[Message]:
    """The chain a new turn continues: explicit messages, else the history.

    The history is the last completed turn's input chain plus its output. The
    first turn starts with the system prompt, if any. A ``system=`` given on a
    later turn is not added to the chain (as in ``llm``).
    """
    if messages is not None:
        return list(messages)
    if conversation.responses:
        last = conversation.responses[-1]
        return [*last.prompt.messages, *last._state.messages()]
    loaded = getattr(conversation, "loaded_messages", None)
    if loaded:
        return list(loaded)
    pieces = [str(item).strip() for item in [*(system_fragments or []), system or ""]]
    system_text = "\n\n".join(piece for piece in pieces if piece)
    return [Message("system", [TextPart(system_text)])] if system_text else []
