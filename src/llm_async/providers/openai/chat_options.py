"""OpenAI Chat Completions options, validated (shared by compatible servers)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model, field_validator

from llm_async._core.options import Options

if TYPE_CHECKING:
    pass

__all__ = ["NOT_SENT", "ChatOptions", "chat_options_class", "parse_logit_bias"]

_IMAGE_DETAIL = Literal["low", "high", "auto"]
_REASONING_EFFORT = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
# Options consumed by the request builder rather than sent as they are.
NOT_SENT = frozenset({"json_object", "image_detail"})


def parse_logit_bias(value: Any) -> dict[int, int] | None:
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


class ChatOptions(Options):
    """Options of the OpenAI Chat Completions models."""

    temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Sampling temperature from 0 to 2: higher is more random, "
        "lower more focused and deterministic",
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of tokens to generate"
    )
    top_p: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Nucleus sampling: consider only the tokens in the top_p "
        "probability mass (alter this or temperature, not both)",
    )
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
    json_object: bool | None = Field(
        default=None,
        description="Answer with a JSON object (the prompt must mention JSON)",
    )

    @field_validator("logit_bias", mode="before")
    @classmethod
    def _check_logit_bias(cls, value: Any) -> dict[int, int] | None:
        return parse_logit_bias(value)


_EXTRA_FIELDS: dict[str, tuple[Any, Any]] = {
    "image_detail": (
        _IMAGE_DETAIL | None,
        Field(
            default=None,
            description="Detail of image attachments: low, high or auto",
        ),
    ),
    "reasoning_effort": (
        _REASONING_EFFORT | None,
        Field(
            default=None,
            description="How hard a reasoning model thinks: none, minimal, low, "
            "medium, high or xhigh (which values a model accepts varies)",
        ),
    ),
    "service_tier": (
        str | None,
        Field(
            default=None,
            description="Processing tier: auto, default, flex, priority...",
        ),
    ),
}
_option_classes: dict[tuple[bool, bool, bool], type[ChatOptions]] = {}


def chat_options_class(
    *, vision: bool = False, reasoning: bool = False, service_tier: bool = False
) -> type[ChatOptions]:
    """``ChatOptions`` plus ``image_detail`` (vision), ``reasoning_effort``
    (reasoning) and ``service_tier``, as the model supports them (cached)."""
    flags = (vision, reasoning, service_tier)
    found = _option_classes.get(flags)
    if found is not None:
        return found
    names = [name for name, wanted in zip(_EXTRA_FIELDS, flags, strict=True) if wanted]
    if not names:
        _option_classes[flags] = ChatOptions
        return ChatOptions
    suffix = "".join(name.title().replace("_", "") for name in names)
    options: type[ChatOptions] = create_model(
        f"ChatOptionsWith{suffix}",
        __base__=ChatOptions,
        __module__=__name__,
        __doc__=ChatOptions.__doc__,
        **{name: _EXTRA_FIELDS[name] for name in names},  # type: ignore[call-overload]
    )
    return _option_classes.setdefault(flags, options)


def __getattr__(name: str) -> Any:
    # The classes chat_options_class() makes, found by name (for pickle).
    if name.startswith("ChatOptionsWith"):
        for flags in itertools.product((False, True), repeat=3):
            found = chat_options_class(
                vision=flags[0], reasoning=flags[1], service_tier=flags[2]
            )
            if found.__name__ == name:
                return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
