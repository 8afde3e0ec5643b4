"""Gemini options, validated; which ones a model has depends on its thinking."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from llm_async._core.options import Options, with_fields
from llm_async._core.types import JSONObject

__all__ = ["MEDIA_RESOLUTIONS", "GeminiOptions", "gemini_options_class"]

#: ``media_resolution`` values (sent as ``MEDIA_RESOLUTION_<VALUE>``).
MEDIA_RESOLUTIONS = ("low", "medium", "high", "ultra_high", "unspecified")
_MediaResolution = Literal["low", "medium", "high", "ultra_high", "unspecified"]


class GeminiOptions(Options):
    """Options of the Gemini models (names as in the ``llm-gemini`` plugin)."""

    temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Randomness of the output from 0 to 2: higher is more "
        "creative, lower more deterministic",
    )
    max_output_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of tokens to generate"
    )
    top_p: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Nucleus sampling: pick from the most probable tokens whose "
        "probabilities add up to top_p",
    )
    top_k: int | None = Field(
        default=None,
        ge=1,
        description="Pick the next token among the top_k most probable ones",
    )
    stop_sequences: list[str] | None = Field(
        default=None,
        description="Up to 5 strings (or one string) at which to stop generating",
    )
    seed: int | None = Field(
        default=None, description="An integer seed for (mostly) repeatable sampling"
    )
    json_object: bool | None = Field(
        default=None, description="Answer with valid JSON (responseMimeType JSON)"
    )
    media_resolution: _MediaResolution | None = Field(
        default=None,
        description="Resolution of image and video input: low, medium, high, "
        "ultra_high or unspecified",
    )

    @field_validator("stop_sequences", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        return value


_option_classes: dict[tuple[bool, tuple[str, ...]], type[GeminiOptions]] = {}


def gemini_options_class(
    *, thinking_budget: bool = False, thinking_levels: tuple[str, ...] = ()
) -> type[GeminiOptions]:
    """``GeminiOptions`` plus ``thinking_budget`` and/or ``thinking_level``
    (limited to ``thinking_levels``), as the model supports them (cached)."""
    key = (thinking_budget, tuple(thinking_levels))
    found = _option_classes.get(key)
    if found is not None:
        return found
    fields: JSONObject = {}
    if thinking_budget:
        fields["thinking_budget"] = (
            int | None,
            Field(
                default=None,
                ge=-1,
                description="Thinking budget in tokens: 0 turns thinking off, "
                "-1 lets the model decide",
            ),
        )
    if thinking_levels:
        choices = ", ".join(thinking_levels)
        fields["thinking_level"] = (
            Literal[tuple(thinking_levels)] | None,
            Field(default=None, description=f"How hard the model thinks: {choices}"),
        )
    options: type[GeminiOptions] = with_fields(GeminiOptions, fields)
    return _option_classes.setdefault(key, options)
