"""Token usage of a response."""

from __future__ import annotations

from dataclasses import dataclass

from llm_async._core.types import JSONObject

__all__ = ["Usage"]


@dataclass
class Usage:
    """Tokens a response consumed: ``input``, ``output`` and provider ``details``."""

    input: int | None = None
    output: int | None = None
    details: JSONObject | None = None
