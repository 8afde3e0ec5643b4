"""OpenAI Responses API options, validated.

Only what ``/v1/responses`` accepts: no ``stop``, ``seed``, penalties or
``logit_bias`` (the endpoint rejects them), and no ``temperature``/``top_p`` on
reasoning models (OpenAI rejects those there). ``max_output_tokens`` is also
accepted as ``max_tokens``, the name ``llm`` uses.
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, Field

from llm_async._core.options import Options
from llm_async._core.types import JSONObject
from llm_async.providers.openai.chat_options import JSON_OBJECT
from llm_async.providers.openai.option_fields import class_named, options_class

__all__ = ["ResponsesOptions", "responses_options_class"]


class ResponsesOptions(Options):
    """Options of the OpenAI Responses API models."""

    max_output_tokens: int | None = Field(
        default=None,
        ge=1,
        validation_alias=AliasChoices("max_output_tokens", "max_tokens"),
        description="Maximum number of tokens to generate, reasoning included "
        "(also accepted as max_tokens)",
    )
    json_object: bool | None = JSON_OBJECT


def responses_options_class(
    *,
    vision: bool = False,
    reasoning: bool = False,
    verbosity: bool = False,
    image_detail_original: bool = False,
    service_tier: bool = False,
) -> type[ResponsesOptions]:
    """``ResponsesOptions`` plus the fields the model supports (cached).

    Reasoning models get ``reasoning_effort`` and ``reasoning_summary``, the
    others ``temperature`` and ``top_p``; vision models ``image_detail``
    (with ``original`` where ``image_detail_original``).
    """
    wanted: JSONObject = {
        "temperature": not reasoning,
        "top_p": not reasoning,
        "image_detail": vision and not image_detail_original,
        "image_detail_original": vision and image_detail_original,
        "reasoning_effort": reasoning,
        "reasoning_summary": reasoning,
        "verbosity": verbosity,
        "service_tier": service_tier,
    }
    names = [name for name, on in wanted.items() if on]
    options: type[ResponsesOptions] = options_class(ResponsesOptions, names)
    return options


def __getattr__(name: str) -> type[BaseModel]:
    # The classes responses_options_class() makes, found by name (for pickle).
    return class_named(ResponsesOptions, name, __name__)
