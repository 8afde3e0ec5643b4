# Generated from tests/_async/test_llama_server.py; do not edit.
# Edit the async source and run `python scripts/unasync.py`.
"""The OpenAI-compatible path against a real ``llama_cpp.server`` on 127.0.0.1.

The server runs the SmolLM2 GGUF in a subprocess on a free port; the model is
registered with ``register_openai_compatible()`` and through
``extra-openai-models.yaml``, as docs/openai.md shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_sync as llm
from tests.local_support import OPTIONS, llama_server, require_smollm2, reset_registry


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A llama_cpp.server serving SmolLM2 for the whole session."""
    path = require_smollm2(server=True)
    with llama_server(path) as url:
        yield url


@pytest.fixture
def server_model(server_url: str, user_path: Path) -> Iterator[str]:
    """The server, registered in extra-openai-models.yaml as ``smollm2-server``."""
    user_path.mkdir(parents=True, exist_ok=True)
    (user_path / "extra-openai-models.yaml").write_text(
        "- model_id: smollm2-server\n"
        "  model_name: smollm2\n"
        f'  api_base: "{server_url}"\n',
        encoding="utf-8",
    )
    reset_registry()
    yield "smollm2-server"
    reset_registry()


@pytest.fixture
def registered_model(server_url: str) -> Iterator[str]:
    """The server, registered from Python as ``smollm2-local``."""
    reset_registry()
    llm.register_openai_compatible(
        "smollm2-local", base_url=server_url, model_name="smollm2", aliases=["sl"]
    )
    yield "smollm2-local"
    reset_registry()


@pytest.mark.integration
def test_streams_through_register_openai_compatible(
    registered_model: str,
) -> None:
    model = llm.get_model("sl")
    assert model.model_id == registered_model
    response = model.prompt("Name three colours.", system="Be brief.", **OPTIONS)
    chunks = [chunk for chunk in response]
    assert len(chunks) > 1
    assert "".join(chunks) == response.text()
    assert (response.text()).strip()
    # llama_cpp.server 0.3.36 ignores stream_options.include_usage: a streamed
    # answer has no usage (the non-streamed test checks it).
    data = response.json()
    assert data is not None
    assert data["finish_reason"] in ("stop", "length")
    assert response.resolved_model


@pytest.mark.integration
def test_non_streamed_answer_matches_the_stream(registered_model: str) -> None:
    # Two requests to llama.cpp need not produce the same text (prompt-cache
    # reuse, thread scheduling, CPU kernels): compare what is deterministic.
    model = llm.get_model(registered_model)
    streamed = model.prompt("Say hello.", **OPTIONS)
    assert (streamed.text()).strip()
    whole = model.prompt("Say hello.", stream=False, **OPTIONS)
    assert (whole.text()).strip()
    usage = whole.usage()
    assert usage.input and usage.input > 0
    assert usage.output and 0 < usage.output <= OPTIONS["max_tokens"]
    data = whole.json()
    assert data is not None
    assert data["object"] == "chat.completion"


@pytest.mark.integration
def test_streams_from_llama_cpp_server(server_model: str) -> None:
    model = llm.get_model(server_model)
    response = model.prompt("Name three colours.", **OPTIONS)
    chunks = [chunk for chunk in response]
    assert len(chunks) > 1
    assert "".join(chunks) == response.text()
    assert (response.text()).strip()


@pytest.mark.integration
def test_conversation_through_llama_cpp_server(server_model: str) -> None:
    conversation = llm.get_model(server_model).conversation()
    first = conversation.prompt("Please say the word pelican.", **OPTIONS).text()
    second = conversation.prompt("Say it again.", **OPTIONS)
    assert second.text()
    roles = [message.role for message in second.prompt.messages]
    assert roles == ["user", "assistant", "user"]
    assert second.prompt.messages[1].parts[0].text == first
