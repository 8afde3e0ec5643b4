"""Options of the Claude models, validated (the ``llm-anthropic`` plugin's names)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, field_validator, model_validator

from llm_async._core.options import Options

__all__ = [
    "ClaudeEffortOptions",
    "ClaudeOptions",
    "ClaudeThinkingOptions",
    "options_class",
]

_EFFORT = Literal["low", "medium", "high", "xhigh", "max"]


def parse_stop_sequences(value: object) -> list[str] | None:
    """``stop_sequences`` as a list: a list of strings, a JSON list or one string."""
    if value is None:
        return None
    message = "stop_sequences must be a list of strings or a single string"
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        value = parsed if isinstance(parsed, list) else [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError(message)
    return value


class ClaudeOptions(Options):
    """Options of every Claude model."""

    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Maximum number of tokens to generate (default: the model's "
        "maximum output)",
    )
    temperature: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Randomness from 0.0 to 1.0 (the API's default is 1.0)",
    )
    top_p: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Nucleus sampling: only the tokens in the top_p probability "
        "mass (alter this or temperature, not both)",
    )
    top_k: int | None = Field(
        default=None, ge=1, description="Sample only from the top K tokens"
    )
    stop_sequences: list[str] | str | None = Field(
        default=None,
        description="Text sequences that stop generation: a list or one string",
    )
    user_id: str | None = Field(
        default=None, description="An external id of the user (metadata.user_id)"
    )
    prefill: str | None = Field(
        default=None,
        description="Text the answer starts with (sent as a final assistant turn)",
    )
    hide_prefill: bool | None = Field(
        default=None, description="Do not repeat the prefill at the start of the text"
    )
    cache: bool | None = Field(
        default=None,
        description="Mark the system prompt and the last message for prompt caching",
    )
    fast: bool | None = Field(
        default=None, description="Fast mode for lower latency (speed: fast, beta)"
    )
    web_search: bool | None = Field(
        default=None, description="Let the model search the web (a server tool)"
    )
    web_search_max_uses: int | None = Field(
        default=None, ge=1, description="Maximum number of web searches per request"
    )
    web_search_allowed_domains: list[str] | None = Field(
        default=None, description="Only search these domains"
    )
    web_search_blocked_domains: list[str] | None = Field(
        default=None, description="Never search these domains"
    )
    web_search_location: dict[str, str] | None = Field(
        default=None,
        description="Approximate user location: city, region, country, timezone",
    )

    @field_validator("stop_sequences", mode="before")
    @classmethod
    def _check_stop_sequences(cls, value: object) -> list[str] | None:
        return parse_stop_sequences(value)

    @field_validator("web_search_location")
    @classmethod
    def _check_location(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        required = {"city", "region", "country", "timezone"}
        if value is not None and not required <= set(value):
            raise ValueError(
                f"web_search_location must contain: {', '.join(sorted(required))}"
            )
        return value

    @model_validator(mode="after")
    def _check_domains(self) -> ClaudeOptions:
        if (
            self.web_search_allowed_domains is not None
            and self.web_search_blocked_domains is not None
        ):
            raise ValueError(
                "Use web_search_allowed_domains or web_search_blocked_domains, not both"
            )
        return self


class ClaudeThinkingOptions(ClaudeOptions):
    """Options of the Claude models that can think before answering."""

    thinking: bool | None = Field(default=None, description="Enable thinking")
    thinking_budget: int | None = Field(
        default=None,
        ge=1024,
        description="Tokens the model may spend thinking (at least 1024; turns "
        "thinking on)",
    )
    thinking_display: bool | None = Field(
        default=None, description="Ask for summarized thinking text"
    )
    thinking_adaptive: bool | None = Field(
        default=None,
        description="Adaptive thinking: the model decides how much to think",
    )


class ClaudeEffortOptions(ClaudeThinkingOptions):
    """Options of the Claude models that also take an effort level."""

    thinking_effort: _EFFORT | None = Field(
        default=None,
        description="Effort: low, medium, high, xhigh or max (output_config.effort)",
    )


def options_class(*, thinking: bool, effort: bool) -> type[ClaudeOptions]:
    """The ``Options`` class of a model with these capabilities."""
    if effort:
        return ClaudeEffortOptions
    if thinking:
        return ClaudeThinkingOptions
    return ClaudeOptions
