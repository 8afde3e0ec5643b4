"""Every Python example in the user documentation runs, as a user pastes it.

Each document's ```python blocks run in order in one namespace (later examples
use earlier ones' variables) with the harness of ``tests/test_seed_examples.py``,
against the synthetic OpenAI server of ``tests/synthetic_openai_server.py``
(also answering the Ollama-style base URL of docs/openai.md). Blocks that
cannot run offline are listed in ``SKIPPED`` with the reason; every other block
runs, and a skip entry that matches no block fails the test.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from llm_async._core.registry import _reset as reset_registry
from tests.core.media import png_bytes, wav_bytes
from tests.synthetic_batch_api import SyntheticBatchAPI
from tests.synthetic_openai_server import CHAT_URL, synthetic_openai
from tests.test_seed_examples import JPEG, fenced_python, run_example, sent_bodies
from tests.test_seed_examples import openai as openai  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[1]
OLLAMA_CHAT_URL = "http://localhost:11434/v1/chat/completions"

# A substring of a block → why it does not run here.
SKIPPED: dict[str, str] = {
    'get_model("smollm2")': "needs the real SmolLM2 model file and llama-cpp-python"
    " (the integration tests and `nox -s demo` run it)",
    'get_async_model("smollm2")': "needs the real SmolLM2 model file and"
    " llama-cpp-python (the integration tests and `nox -s demo` run it)",
    "llm.register_gguf(": "needs a GGUF file on disk and llama-cpp-python",
    "@ray.remote": "needs a Ray cluster: tests/test_ray_batch.py runs the same code"
    " (examples/batch_on_ray.py) on a local one",
}
# Skipped blocks outside the README: (document, text of the skip).
DOC_SKIPS = {("docs/batch.md", "@ray.remote")}


def skip_reason(block: str) -> str | None:
    return next((why for text, why in SKIPPED.items() if text in block), None)


def run_doc(name: str) -> dict[str, Any]:
    """Run a document's ```python blocks in one namespace, and return it."""
    blocks = fenced_python(ROOT / name)
    assert blocks, f"{name} has no python examples"
    namespace: dict[str, Any] = {}
    for block in blocks:
        if skip_reason(block) is None:
            # Blocks inside a list item are indented.
            run_example(textwrap.dedent(block), namespace)
    return {k: v for k, v in namespace.items() if k != "__builtins__"}


DOCS = (
    "README.md",
    "docs/openai.md",
    "docs/messages.md",
    "docs/tools.md",
    "docs/transport.md",
    "docs/testing-and-plugins.md",
    "docs/batch.md",
)


def test_every_block_runs_or_is_skipped_for_a_reason() -> None:
    """No stale skips; only the README's local-model examples are skipped."""
    assert {f"docs/{doc.name}" for doc in (ROOT / "docs").glob("*.md")} <= set(DOCS)
    blocks = {name: fenced_python(ROOT / name) for name in DOCS}
    for text in SKIPPED:
        assert any(text in b for bs in blocks.values() for b in bs), text
    for name, found in blocks.items():
        if name != "README.md":
            allowed = [text for doc, text in DOC_SKIPS if doc == name]
            skipped = [b for b in found if skip_reason(b)]
            assert all(any(t in b for t in allowed) for b in skipped), name
    assert len(blocks["README.md"]) == 3  # all three need a local model


@pytest.fixture
def docs_server(openai: respx.MockRouter, tmp_path: Path) -> Iterator[respx.MockRouter]:
    """The seed fixture, plus an Ollama-style local server and the files used."""
    reset_registry()
    openai.post(OLLAMA_CHAT_URL).mock(side_effect=synthetic_openai)
    (tmp_path / "photo.jpg").write_bytes(JPEG)
    (tmp_path / "picture.png").write_bytes(png_bytes())
    (tmp_path / "recording.wav").write_bytes(wav_bytes())
    yield openai
    reset_registry()


def bodies(router: respx.MockRouter) -> list[dict[str, Any]]:
    return [json.loads(body) for body in sent_bodies(router) if body]


def test_readme(docs_server: respx.MockRouter) -> None:
    assert run_doc("README.md") == {}
    assert not docs_server.calls


def test_openai_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_doc("docs/openai.md")
    out = capsys.readouterr().out
    assert "Synthetic answer: Three names for a pelican" in out
    assert "Usage(input=11, output=7, details={})" in out
    assert "'finish_reason': 'stop'" in out  # response.json()
    assert "Synthetic answer: Hello!" in out
    first, second = (call.request for call in docs_server.calls)
    assert str(first.url) == CHAT_URL
    assert json.loads(first.content)["temperature"] == 0.2
    assert json.loads(first.content)["max_tokens"] == 50
    # register_openai_compatible: the alias, base URL and server's model name.
    assert str(second.url) == OLLAMA_CHAT_URL
    assert json.loads(second.content)["model"] == "qwen2.5:0.5b"
    assert namespace["llm"].get_model("qwen").model_id == "qwen-local"


def test_messages_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_doc("docs/messages.md")
    out = capsys.readouterr().out
    llm = namespace["llm"]
    italy = namespace["history"] + [llm.user("And of Italy?")]
    assert str(italy) in out  # print(response.prompt.messages)
    assert "Synthetic answer: And of Italy?" in out
    assert "[calling multiply]" in out  # the stream events loop
    assert "image/jpeg" in out  # print(model.attachment_types)
    assert "Synthetic answer: What is in these pictures?" in out
    assert namespace["audio"].type == "audio/wav"
    assert namespace["dog"] == namespace["Dog"](name="panda", age=3)
    sent = bodies(docs_server)
    images = [
        part["image_url"]["url"]
        for body in sent
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    ]
    assert [url[:22] for url in images] == [
        "data:image/jpeg;base64",
        "data:image/png;base64,",
    ]
    assert any(body.get("response_format") for body in sent)
    # The restored response's reply sent the whole history.
    french = sent[-5]["messages"]
    assert french[-1] == {"role": "user", "content": "Now in French"}
    assert "Invent a dog" in json.dumps(french)
    assert "Synthetic answer: Now in French" in out
    # The restored conversation's chain sent the saved rounds first.
    saved_round, doubled = sent[-3]["messages"], sent[-2]["messages"]
    assert saved_round[-1]["role"] == "tool"
    assert doubled[: len(saved_round)] == saved_round
    answer, question = doubled[len(saved_round) :]
    assert answer["content"].startswith("Synthetic answer after tool: ")
    assert question == {"role": "user", "content": "And doubled?"}
    assert sent[-1]["messages"][-1]["role"] == "tool"


def test_tools_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_doc("docs/tools.md")
    out = capsys.readouterr().out
    tool = namespace["tool"]
    assert (tool.name, tool.description) == (
        "weather",
        "Get the weather forecast for a place.",
    )
    assert tool.input_schema["required"] == ["place"]
    # The toolbox: prepared once, its methods and added tools all sent.
    assert out.count("Memory: opening the store") == 1
    assert out.count("Memory: ready") == 1
    sent = bodies(docs_server)
    names = {tool["function"]["name"] for tool in sent[0]["tools"]}
    assert names == {"Memory_get", "Memory_set", "today", "forget"}
    assert "Synthetic answer after tool: 9" in out  # multiply(3, 3)
    assert "Synthetic answer after tool: PANDA" in out
    assert "tool_call_name upper" in out  # chain.stream_events()
    assert len(namespace["conversation"].responses) == 4
    # before_call cancelled delete_file, the chain went on; nothing deleted.
    assert "Synthetic answer after tool: Cancelled: deleting files" in out
    assert "delete_file ->" not in out


def test_transport_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    run_doc("docs/transport.md")
    assert capsys.readouterr().out == "Synthetic answer: Three names for a pelican\n"
    # Transport settings are options of the model, never sent to the provider.
    (body,) = bodies(docs_server)
    assert not {"timeout", "total_timeout", "max_retries"} & body.keys()
    # The error branch: a 429 with max_retries=0 is raised at once.
    docs_server.post(CHAT_URL).mock(
        return_value=httpx.Response(
            429,
            json={"error": {"message": "Slow down", "code": "rate_limit_exceeded"}},
            headers={"retry-after": "7"},
        )
    )
    run_doc("docs/transport.md")
    assert "Rate limited; retry after 7" in capsys.readouterr().out
    assert len(docs_server.calls) == 2


def test_testing_and_plugins_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_doc("docs/testing-and-plugins.md")
    # The examples' own asserts ran; the plugin example defined its hook.
    assert namespace["model"].prompts[1].tool_results[0].output == "5"
    assert callable(namespace["register_models"])
    assert set(namespace["tools"]) == {"multiply", "times", "Memory"}
    assert not docs_server.calls


def test_batch_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    api = SyntheticBatchAPI("https://api.openai.com/v1")
    api.mount(docs_server)
    namespace = run_doc("docs/batch.md")
    out = capsys.readouterr().out
    assert "r1 Synthetic answer: Great pelican, would watch again. 7" in out
    assert "['Synthetic answer: first text', 'Synthetic answer: second text']" in out
    assert "5 of 5 read back" in out
    assert "a Synthetic answer: Summarise: pelicans fish." in out
    assert [line["custom_id"] for line in api.uploaded_lines()] == ["a", "b"]
    assert "batch_on_ray" not in namespace  # the Ray block is skipped
    sent = [
        json.loads(call.request.content)
        for call in docs_server.calls
        if str(call.request.url) == CHAT_URL
    ]
    assert sent[0]["messages"][0] == {
        "role": "system",
        "content": "Answer positive or negative",
    }
