"""Tools the model may call, and the calls and results that flow through a chain.

Sans-I/O: nothing here runs a tool; the response and chain modules do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llm_async._attachments import Attachment

__all__ = ["Tool", "ToolCall", "ToolOutput", "ToolResult"]


@dataclass
class Tool:
    """A function the model can call: a name, a description and a JSON schema."""

    name: str
    description: str | None = None
    input_schema: dict[str, Any] = field(default_factory=dict)
    implementation: Callable[..., Any] | None = None
    plugin: str | None = None


@dataclass
class ToolCall:
    """A call of a tool requested by the model."""

    name: str
    arguments: dict[str, Any]
    tool_call_id: str | None = None


@dataclass
class ToolResult:
    """The outcome of a tool call, sent back to the model."""

    name: str
    output: str
    attachments: list[Attachment] = field(default_factory=list)
    tool_call_id: str | None = None
    instance: Any = None
    exception: BaseException | None = None


@dataclass
class ToolOutput:
    """Return this from a tool to send attachments along with the output."""

    output: Any = None
    attachments: list[Attachment] = field(default_factory=list)
