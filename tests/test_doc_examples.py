"""Every Python example in the user documentation runs, as a user pastes it.

Each document's ```python blocks run in order in one namespace (later examples
use earlier ones' variables) with the harness of ``tests/test_seed_examples.py``,
against the synthetic OpenAI server of ``tests/synthetic_openai_server.py``
(also answering the Ollama-style base URL of docs/openai.md). Blocks that
cannot run offline are listed in ``SKIPPED`` with the reason; every other block
runs, and a skip entry that matches no block fails the test.
"""

from __future__ import annotations

import asyncio
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
from tests.embedding_support import EMBEDDINGS_URL, synthetic_embeddings
from tests.openai_responses_support import (
    RESPONSES_URL,
    synthetic_completions_server,
    synthetic_responses_server,
)
from tests.synthetic_anthropic_batches import SyntheticMessageBatches
from tests.synthetic_batch_api import SyntheticBatchAPI
from tests.synthetic_openai_server import CHAT_URL, synthetic_openai
from tests.test_seed_examples import JPEG, fenced_python, run_example, sent_bodies
from tests.test_seed_examples import openai as openai  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[1]
OLLAMA_CHAT_URL = "http://localhost:11434/v1/chat/completions"
COMPLETIONS_URL = "https://api.openai.com/v1/completions"

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
    "docs/architecture.md",
    "docs/anthropic.md",
    "docs/gemini.md",
    "docs/security.md",
    "docs/cli.md",
    "docs/coming-from-llm.md",
    "docs/embeddings.md",
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
    openai.post(RESPONSES_URL).mock(side_effect=synthetic_responses_server)
    openai.post(COMPLETIONS_URL).mock(side_effect=synthetic_completions_server)
    openai.post(EMBEDDINGS_URL).mock(side_effect=synthetic_embeddings)
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
    calls = [call.request for call in docs_server.calls]
    first, second = (r for r in calls if "chat/completions" in str(r.url))
    assert str(first.url) == CHAT_URL
    assert json.loads(first.content)["temperature"] == 0.2
    assert json.loads(first.content)["max_tokens"] == 50
    # The Responses API: a summary streamed as reasoning, and the restored
    # conversation's turn sent the first turn's encrypted reasoning back.
    assert "thinking: Thinking it over." in out
    summary, turn, restored, hosted = (
        json.loads(r.content) for r in calls if str(r.url) == RESPONSES_URL
    )
    assert summary["reasoning"] == {"effort": "low", "summary": "auto"}
    assert restored["input"][:3] == [
        turn["input"][0],
        {
            "type": "reasoning",
            "id": "rs_synthetic_1",
            "encrypted_content": "synthetic-ciphertext-1",
            "summary": [],
        },
        {
            "role": "assistant",
            "content": "Synthetic answer: Pick a number from 1 to 10",
        },
    ]
    assert "Synthetic answer: Double it" in out
    assert [tool["type"] for tool in hosted["tools"]] == [
        "code_interpreter",
        "web_search",
    ]
    assert f"code_interpreter -> {2**100}" in out
    assert "... and then Once upon a time" in out
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
    assert set(namespace["tools"]) == {
        "multiply",
        "times",
        "Memory",
        "llm_time",
        "llm_version",
    }
    assert not docs_server.calls


def test_architecture_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    shout = docs_server.post("https://shout.example/v1/answer").mock(
        return_value=httpx.Response(200, json={"text": "HELLO", "tokens": [1, 1]})
    )
    namespace = run_doc("docs/architecture.md")
    assert capsys.readouterr().out == "HELLO\n"
    (call,) = shout.calls
    assert json.loads(call.request.content) == {"prompt": "hello", "stream": False}
    assert call.request.headers["authorization"] == "Bearer sk-shout"
    # The same provider streams, through the async facade too.
    shout.mock(
        return_value=httpx.Response(
            200,
            content=b'data: {"text": "HEL"}\n\ndata: {"text": "LO"}\n\n',
            headers={"content-type": "text/event-stream"},
        )
    )
    llm = namespace["llm_async"]

    async def stream() -> list[str]:
        model = llm.get_async_model("shout")
        return [chunk async for chunk in model.prompt("hello", key="sk-shout")]

    assert asyncio.run(stream()) == ["HEL", "LO"]


def test_anthropic_md(
    docs_server: respx.MockRouter,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.provider_cases import ANTHROPIC

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        question = body["messages"][-1]["content"][0]["text"]
        return ANTHROPIC.text([f"Claude: {question}"], bool(body.get("stream")))

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-synthetic")
    route = docs_server.post(ANTHROPIC.url).mock(side_effect=answer)
    run_doc("docs/anthropic.md")
    out = capsys.readouterr().out
    assert "Claude: Two names for a pet pelican" in out
    assert "Usage(input=11, output=7, details={})" in out
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert (first["model"], first["system"]) == ("claude-sonnet-4-5", "Be brief")
    assert second["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert second["max_tokens"] == 4000


def test_gemini_md(
    docs_server: respx.MockRouter,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/gemini.md against a synthetic Gemini stream (the key from the env)."""
    from tests.support import CANARY_KEY

    monkeypatch.setenv("GEMINI_API_KEY", CANARY_KEY)
    answers = ['{"name": "Pelly", "age": 3}', "Pelly, Beaky and Gulliver"]

    def synthetic_gemini(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        schema = "responseSchema" in body.get("generationConfig", {})
        chunk = {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [{"text": answers[not schema]}],
                    },
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 6,
                "candidatesTokenCount": 5,
                "thoughtsTokenCount": 4,
            },
            "modelVersion": "gemini-2.5-flash-synthetic",
        }
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=f"data: {json.dumps(chunk)}\r\n\r\n".encode(),
        )

    route = docs_server.post(host="generativelanguage.googleapis.com").mock(
        side_effect=synthetic_gemini
    )
    run_doc("docs/gemini.md")
    out = capsys.readouterr().out
    assert "Pelly, Beaky and Gulliver" in out
    assert "Usage(input=6, output=9," in out
    assert "gemini-2.5-flash-synthetic" in out
    assert '{"name": "Pelly", "age": 3}' in out
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert first["generationConfig"] == {
        "temperature": 0.2,
        "thinkingConfig": {"thinkingBudget": 512, "includeThoughts": True},
    }
    assert second["generationConfig"]["responseSchema"] == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    for call in route.calls:
        assert call.request.headers["x-goog-api-key"] == CANARY_KEY


def test_cli_md(capsys: pytest.CaptureFixture[str]) -> None:
    run_doc("docs/cli.md")
    assert capsys.readouterr().out.splitlines() == ["True", "Log me"]


def test_coming_from_llm_md(capsys: pytest.CaptureFixture[str]) -> None:
    run_doc("docs/coming-from-llm.md")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["{", "Canned answer", "['llm_time', 'llm_version']", "['items']"]


def test_embeddings_md(
    docs_server: respx.MockRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = run_doc("docs/embeddings.md")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1536 1536"  # len(vector), model.dimensions
    assert out[1] == "2"
    assert out[2] == "250 512"  # the async embed_multi
    assert out[3] == "text-embedding-3-small"  # the default embedding model
    assert out[4] == "3"  # collection.count()
    assert out[5].startswith("hound 1.0 my happy hound {'name': 'Hound'}")
    assert "[3.0, 5.0, 5.0, 3.0]" in out  # the toy model, blocking
    assert "[5.0, 4.0, 0.0, 0.0]" in out  # and async
    assert "12 (0.5, -1.0, 2.0)" in out
    assert "smollm2-embed None" in out
    sent = bodies(docs_server)
    embedding_bodies = [b for b in sent if "input" in b]
    assert {b["model"] for b in embedding_bodies} == {"text-embedding-3-small"}
    assert sorted(len(b["input"]) for b in embedding_bodies if b.get("dimensions")) == [
        1,
        2,
        50,
        100,
        100,
    ]
    # Both collections share the file the blocking one created.
    collection = namespace["llm"].Collection("async-entries", "embeddings.db")
    assert collection.count() == 2


def test_batch_md(
    docs_server: respx.MockRouter,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = SyntheticBatchAPI("https://api.openai.com/v1")
    api.mount(docs_server)
    claude = SyntheticMessageBatches("https://api.anthropic.com")
    claude.mount(docs_server)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-synthetic")
    namespace = run_doc("docs/batch.md")
    out = capsys.readouterr().out
    assert "r1 Synthetic answer: Great pelican, would watch again. 7" in out
    assert "['Synthetic answer: first text', 'Synthetic answer: second text']" in out
    assert "5 of 5 read back" in out
    assert "5 rows done" in out
    assert "a Synthetic answer: Summarise: pelicans fish." in out
    assert [line["custom_id"] for line in api.uploaded_lines()] == ["a", "b"]
    assert [r["custom_id"] for r in claude.created["requests"]] == ["a", "b"]
    assert claude.created["requests"][0]["params"]["model"] == "claude-sonnet-4-5"
    assert out.count("b Synthetic answer: Summarise: gulls steal chips.") == 2
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
