"""The OpenAI-compatible path against a real ``llama_cpp.server`` on 127.0.0.1.

The server runs the SmolLM2 GGUF in a subprocess on a free port; the model is
registered through ``extra-openai-models.yaml``, as the README shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async as llm
from tests.local_support import OPTIONS, llama_server, require_smollm2, reset_registry

OPENAI_COMPATIBLE_MISSING = (
    "OpenAI-compatible models (register_openai_compatible and the "
    "extra-openai-models.yaml loader) have not landed yet"
)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A llama_cpp.server serving SmolLM2 for the whole session."""
    if not hasattr(llm, "register_openai_compatible"):
        pytest.skip(OPENAI_COMPATIBLE_MISSING)
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


@pytest.mark.integration
async def test_streams_from_llama_cpp_server(server_model: str) -> None:
    model = llm.get_async_model(server_model)
    response = model.prompt("Name three colours.", **OPTIONS)
    chunks = [chunk async for chunk in response]
    assert len(chunks) > 1
    assert "".join(chunks) == await response.text()
    assert (await response.text()).strip()


@pytest.mark.integration
async def test_conversation_through_llama_cpp_server(server_model: str) -> None:
    conversation = llm.get_async_model(server_model).conversation()
    first = await conversation.prompt("Please say the word pelican.", **OPTIONS).text()
    second = conversation.prompt("Say it again.", **OPTIONS)
    assert await second.text()
    roles = [message.role for message in second.prompt.messages]
    assert roles == ["user", "assistant", "user"]
    assert second.prompt.messages[1].parts[0].text == first
