"""OpenAI Chat Completions options, validated (shared by compatible servers)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, field_validator

from llm_async._core.options import Options
from llm_async.providers.openai.option_fields import FIELDS, class_named, options_class

__all__ = [
    "JSON_OBJECT",
    "NOT_SENT",
    "ChatOptions",
    "SamplingOptions",
    "chat_options_class",
    "parse_logit_bias",
]

# Options consumed by the request builder rather than sent as they are.
NOT_SENT = frozenset({"json_object", "image_detail"})


def parse_logit_bias(value: object) -> dict[int, int] | None:
    """``logit_bias`` as ``{token_id: bias}``: a dict or a JSON object string.

    Biases must be integers from -100 to 100; token ids non-negative integers.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("Invalid JSON in logit_bias string") from None
    if not isinstance(value, Mapping):
        raise ValueError("logit_bias must be a dict or a JSON object string")
    parsed: dict[int, int] = {}
    for key, bias in value.items():
        try:
            token = int(key)
            amount = int(bias)
        except (TypeError, ValueError):
            raise ValueError(
                "Invalid key-value pair in logit_bias dictionary"
            ) from None
        if isinstance(bias, float) and bias != amount:
            raise ValueError("Invalid key-value pair in logit_bias dictionary")
        if token < 0 or not -100 <= amount <= 100:
            raise ValueError("Invalid key-value pair in logit_bias dictionary")
        parsed[token] = amount
    return parsed


class SamplingOptions(Options):
    """Sampling and length options of Chat Completions and Completions."""

    temperature: float | None = FIELDS["temperature"][1]
    max_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of tokens to generate"
    )
    top_p: float | None = FIELDS["top_p"][1]
    frequency_penalty: float | None = Field(
        default=None,
        ge=-2,
        le=2,
        description="From -2 to 2: positive values penalise tokens by how often "
        "they already appeared",
    )
    presence_penalty: float | None = Field(
        default=None,
        ge=-2,
        le=2,
        description="From -2 to 2: positive values penalise tokens that already "
        "appeared at all",
    )
    stop: str | list[str] | None = Field(
        default=None, description="A string (or list) at which to stop generating"
    )
    logit_bias: dict[int, int] | str | None = Field(
        default=None,
        description="Bias for token ids: a dict or JSON object of token id to a "
        "value from -100 to 100",
    )
    seed: int | None = Field(
        default=None, description="An integer seed for (mostly) repeatable sampling"
    )

    @field_validator("logit_bias", mode="before")
    @classmethod
    def _check_logit_bias(cls, value: object) -> dict[int, int] | None:
        return parse_logit_bias(value)


#: The ``json_object`` option (Chat Completions and the Responses API).
JSON_OBJECT: Any = Field(
    default=None,
    description="Answer with a JSON object (the prompt must mention JSON)",
)


class ChatOptions(SamplingOptions):
    """Options of the OpenAI Chat Completions models."""

    json_object: bool | None = JSON_OBJECT


def chat_options_class(
    *, vision: bool = False, reasoning: bool = False, service_tier: bool = False
) -> type[ChatOptions]:
    """``ChatOptions`` plus ``image_detail`` (vision), ``reasoning_effort``
    (reasoning) and ``service_tier``, as the model supports them (cached)."""
    wanted = {
        "image_detail": vision,
        "reasoning_effort": reasoning,
        "service_tier": service_tier,
    }
    names = [name for name, on in wanted.items() if on]
    options: type[ChatOptions] = options_class(ChatOptions, names)
    return options


def __getattr__(name: str) -> type[BaseModel]:
    # The classes chat_options_class() makes, found by name (for pickle).
    return class_named(ChatOptions, name, __name__)
