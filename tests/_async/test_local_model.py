"""Local GGUF models: the real SmolLM2 through llama.cpp, plus install errors.

Integration tests use greedy sampling with a fixed seed, so answers repeat.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async as llm
from tests.local_support import (
    INSTALL_LOCAL,
    INSTALL_SMOLLM2,
    OPTIONS,
    SMOLLM2,
    load,
    require_smollm2,
    reset_registry,
)


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The SmolLM2 file, loaded once per test session (the cache is per process)."""
    path = require_smollm2()
    load(SMOLLM2)
    return path


@pytest.fixture
def registered() -> Iterator[None]:
    """Forget runtime registrations made by the test."""
    yield None
    reset_registry()


@pytest.mark.integration
async def test_streams_an_answer_in_several_chunks(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    response = model.prompt("Name three colours.", **OPTIONS)
    chunks = [chunk async for chunk in response]
    assert len(chunks) >= 3
    assert all(isinstance(chunk, str) for chunk in chunks)
    assert "".join(chunks) == await response.text()
    assert (await response.text()).strip()


@pytest.mark.integration
async def test_aliases_reach_the_same_model(smollm2: Path) -> None:
    for name in ("SmolLM2", "smollm2-135m"):
        assert llm.get_async_model(name).model_id == "smollm2"


@pytest.mark.integration
async def test_usage_counts_tokens_like_llama_cpp(smollm2: Path) -> None:
    response = llm.get_async_model("smollm2").prompt("Name three colours.", **OPTIONS)
    usage = await response.usage()
    assert usage.input is not None and usage.input > 0
    assert usage.output is not None and 0 < usage.output <= OPTIONS["max_tokens"]
    details = await response.json()
    assert details is not None
    assert details["finish_reason"] in ("stop", "length")
    # llama-cpp-python reports usage for non-streamed completions only: the
    # streamed counts must match it.
    unstreamed = load(SMOLLM2).llama.create_chat_completion(
        messages=[{"role": "user", "content": "Name three colours."}],
        stream=False,
        **OPTIONS,
    )
    assert unstreamed["usage"]["prompt_tokens"] == usage.input
    assert unstreamed["usage"]["completion_tokens"] == usage.output


@pytest.mark.integration
async def test_same_answer_streamed_or_not(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    streamed = model.prompt("Name a fruit.", **OPTIONS)
    chunks = [chunk async for chunk in streamed]
    assert len(chunks) > 1
    whole = model.prompt("Name a fruit.", stream=False, **OPTIONS)
    # Unstreamed: the whole answer arrives as one chunk. The two texts are not
    # compared: two generations need not be bit-identical.
    whole_chunks = [chunk async for chunk in whole]
    assert len(whole_chunks) == 1
    assert whole_chunks[0].strip()
    assert (await whole.usage()).input == (await streamed.usage()).input


@pytest.mark.integration
async def test_stop_and_max_tokens_are_applied(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    options = {**OPTIONS, "max_tokens": 40}
    text = await model.prompt("Name three colours, one per line.", **options).text()
    assert "\n" in text
    stopped = model.prompt("Name three colours, one per line.", stop="\n", **options)
    assert "\n" not in await stopped.text()
    short = model.prompt("Tell me a long story.", **{**OPTIONS, "max_tokens": 3})
    assert (await short.usage()).output == 3
    assert (await short.json() or {})["finish_reason"] == "length"


@pytest.mark.integration
async def test_system_prompt_reaches_the_gguf_chat_template(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    # No chat_format given: llama-cpp-python uses the template in the GGUF file.
    assert load(SMOLLM2).llama.chat_format == "chat_template.default"
    pirate = model.prompt(
        "Name three colours.", system="You are a pirate. Talk like a pirate.", **OPTIONS
    )
    plain = model.prompt("Name three colours.", **OPTIONS)
    assert [m.role for m in pirate.prompt.messages] == ["system", "user"]
    assert (await pirate.text()).strip()
    assert (await plain.text()).strip()
    # The system prompt went through the template (SmolLM2's template puts in
    # a default system prompt when none is given): the prompts differ.
    assert (await pirate.usage()).input != (await plain.usage()).input


@pytest.mark.integration
async def test_second_turn_of_a_conversation_sees_the_first(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    conversation = model.conversation()
    first = conversation.prompt("Please say the word pelican.", **OPTIONS)
    first_text = await first.text()
    second = conversation.prompt("Say it again.", **OPTIONS)
    second_text = await second.text()

    messages = second.prompt.messages
    assert [m.role for m in messages] == ["user", "assistant", "user"]
    assert messages[0].parts[0].text == "Please say the word pelican."
    assert messages[1].parts[0].text == first_text
    first_usage = await first.usage()
    assert first_usage.input is not None and first_usage.output is not None
    assert (await second.usage()).input > first_usage.input + first_usage.output
    assert second_text.strip()


@pytest.mark.integration
async def test_stopping_early_frees_the_model(smollm2: Path) -> None:
    model = llm.get_async_model("smollm2")
    response = model.prompt("Count from one to twenty.", **OPTIONS)
    async for _chunk in response:
        break
    # The abandoned response is closed (at once, or by the event loop a moment
    # later), which frees the model for the next prompt.
    assert await model.prompt("Name a fruit.", **OPTIONS).text()
    assert not load(SMOLLM2).lock.locked()


@pytest.mark.integration
async def test_a_second_prompt_while_the_first_is_half_read_fails_clearly(
    smollm2: Path,
) -> None:
    # The same caller (thread or task) would wait for itself forever.
    model = llm.get_async_model("smollm2")
    first = model.prompt("Count from one to twenty.", **OPTIONS)
    async for _chunk in first:
        with pytest.raises(llm.LocalModelError, match="read that response to the end"):
            await model.prompt("Name a fruit.", **OPTIONS).text()
        break
    assert await model.prompt("Name a fruit.", **OPTIONS).text()


@pytest.mark.integration
async def test_prompt_longer_than_the_context_window(
    smollm2: Path, registered: None
) -> None:
    # n_ctx is rounded up to 256 tokens, as llama.cpp does.
    llm.register_gguf("smollm2-tiny-context", smollm2, n_ctx=64)
    model = llm.get_async_model("smollm2-tiny-context")
    with pytest.raises(llm.ContextWindowExceededError, match="window of 256"):
        await model.prompt("pelican " * 400).text()
    # Between the requested 64 and the real 256 tokens: fits.
    assert await model.prompt("pelican " * 100, **OPTIONS).text()


async def test_options_are_validated() -> None:
    model = llm.get_async_model("smollm2")
    with pytest.raises(ValueError, match="temperature"):
        model.prompt("hi", temperature=5)
    with pytest.raises(ValueError, match="max_tokens"):
        model.prompt("hi", max_tokens=0)
    with pytest.raises(ValueError, match="nucleus"):
        model.prompt("hi", nucleus=0.5)
    assert model.prompt("hi", stop="END").prompt.options.stop == ["END"]


async def test_missing_file_names_the_path(registered: None, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"
    llm.register_gguf("missing-file", missing)
    response = llm.get_async_model("missing-file").prompt("hi")
    with pytest.raises(llm.LocalModelError, match=r"nowhere\.gguf") as info:
        await response.text()
    assert isinstance(info.value, llm.ModelError)
    assert str(missing) in str(info.value)


async def test_missing_extra_says_what_to_install(
    registered: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_file = tmp_path / "model.gguf"
    model_file.write_bytes(b"GGUF")
    llm.register_gguf("no-extra", model_file)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails
    response = llm.get_async_model("no-extra").prompt("hi")
    with pytest.raises(llm.LocalModelError) as info:
        await response.text()
    assert INSTALL_LOCAL in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


async def test_missing_smollm2_package_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "llm_async.providers.llama_cpp.engine.PackagedFile.find",
        lambda self: None,
        raising=True,
    )
    response = llm.get_async_model("smollm2").prompt("hi")
    with pytest.raises(llm.LocalModelError) as info:
        await response.text()
    assert INSTALL_SMOLLM2 in str(info.value)
