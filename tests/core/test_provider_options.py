"""Options validated once per distinct value (a copy for each prompt), and the
provider's options for a prompt: transport settings left out, equal options
shared, unhashable ones validated every time."""

from __future__ import annotations

import json

import pytest
from pydantic import ConfigDict, ValidationError, field_validator

from llm_async._core import options as options_module
from llm_async._core.options import Options, validate_options
from llm_async._core.prompt import Prompt
from llm_async.providers import http_model_base
from llm_async.providers.http_model_base import (
    provider_options,
    provider_prompt,
    with_transport_options,
)


class Sampling(Options):
    temperature: float | None = None
    stop: str | list[str] | None = None
    seed: int | None = None


class Open(Options):
    model_config = ConfigDict(extra="allow")


Full = with_transport_options(Sampling)


def test_transport_settings_are_left_out() -> None:
    given = Full(temperature=0.5, timeout=3, max_retries=0)
    found = provider_options(given, Sampling)
    assert type(found) is Sampling
    assert found.model_dump() == {"temperature": 0.5, "stop": None, "seed": None}
    assert found.model_fields_set == {"temperature"}


def test_equal_options_share_one_validated_instance() -> None:
    first = provider_options(Full(temperature=0.5, timeout=3), Sampling)
    again = provider_options(Full(temperature=0.5, timeout=3), Sampling)
    other = provider_options(Full(temperature=0.7), Sampling)
    assert again is first
    assert other is not first
    assert other.temperature == 0.7


def test_which_options_were_set_is_part_of_the_key() -> None:
    unset = provider_options(Full(), Sampling)
    set_to_default = provider_options(Full(seed=None), Sampling)
    assert unset.model_fields_set == set()
    assert set_to_default.model_fields_set == {"seed"}


def test_equal_values_of_other_types_are_not_confused() -> None:
    # 1 == True == 1.0 as dict keys: the value types are part of the key.
    as_int = provider_options(Open(flag=1), Open)
    as_bool = provider_options(Open(flag=True), Open)
    assert as_int.model_extra == {"flag": 1}
    assert as_bool.model_extra == {"flag": True}
    assert type(as_bool.model_extra["flag"]) is bool  # type: ignore[index]


def test_unhashable_values_are_validated_every_time() -> None:
    first = provider_options(Full(stop=["a", "b"]), Sampling)
    again = provider_options(Full(stop=["a", "b"]), Sampling)
    assert first.stop == again.stop == ["a", "b"]
    assert first is not again


def test_mappings_are_validated() -> None:
    found = provider_options({"temperature": 1, "timeout": 5}, Sampling)
    assert type(found) is Sampling
    assert found.temperature == 1.0


def test_the_cache_is_bounded() -> None:
    for i in range(http_model_base._provider_options.kept + 10):
        provider_options(Full(seed=i), Sampling)
    assert len(http_model_base._provider_options) <= (
        http_model_base._provider_options.kept
    )


def test_provider_prompt_copies_the_prompt_with_the_providers_options() -> None:
    prompt = Prompt("hi", None, options=Full(temperature=0.2, timeout=9))
    copy = provider_prompt(prompt, Sampling)
    assert copy is not prompt
    assert copy.prompt == "hi"
    assert type(copy.options) is Sampling
    assert copy.options.temperature == 0.2
    assert type(prompt.options) is Full  # the caller's prompt is unchanged


def test_validated_options_are_a_new_copy_each_time() -> None:
    first = validate_options(Sampling, {"temperature": 0.5})
    first.temperature = 0.9  # the caller's own copy
    again = validate_options(Sampling, {"temperature": 0.5})
    assert again is not first
    assert again.temperature == 0.5
    assert again.model_fields_set == {"temperature"}


def test_validation_errors_are_raised_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValidationError, match="temperature"):
            validate_options(Sampling, {"temperature": "hot"})


def test_validated_values_of_other_types_are_not_confused() -> None:
    assert validate_options(Open, {"flag": 1}).model_extra == {"flag": 1}
    flag = validate_options(Open, {"flag": True}).model_extra
    assert flag == {"flag": True}
    assert type(flag["flag"]) is bool  # type: ignore[index]


def test_unhashable_options_are_validated_every_time() -> None:
    first = validate_options(Sampling, {"stop": ["a"]})
    again = validate_options(Sampling, {"stop": ["a"]})
    assert first.stop == again.stop == ["a"]
    assert first.stop is not again.stop
    for i in range(options_module._validated.kept + 10):
        validate_options(Sampling, {"seed": i})
    assert len(options_module._validated) <= options_module._validated.kept


class Biased(Options):
    bias: dict[str, int] | None = None

    @field_validator("bias", mode="before")
    @classmethod
    def parse(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value


def test_options_validated_into_a_mutable_value_are_not_shared() -> None:
    # A string validated into a dict: each prompt gets a dict of its own.
    first = validate_options(Biased, {"bias": '{"a": 1}'})
    first.bias["a"] = 2  # type: ignore[index]
    again = validate_options(Biased, {"bias": '{"a": 1}'})
    assert again.bias == {"a": 1}
    shared = provider_options(again, Biased)
    assert provider_options(again, Biased) is not shared


def test_only_pydantic_options_are_remembered() -> None:
    from llm_async._core.options_memo import OptionsMemo

    memo: OptionsMemo[object] = OptionsMemo()
    first, shared = memo.get("key", object)  # a plugin's own kind of options
    again, _ = memo.get("key", object)
    assert not shared
    assert first is not again
    assert len(memo) == 0
