"""The llm-async command line, through click's runner and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import respx
from click.testing import CliRunner

import llm_sync
from llm_async._core import registry as _registry
from llm_async.cli import cli
from tests.support import load_recorded, recorded_responses

SRC = Path(__file__).resolve().parent.parent / "src"


def run(*args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def logged(user_path: Path) -> list[dict[str, Any]]:
    result = run("logs", "-n", "0", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


@pytest.fixture
def scripted() -> Any:
    """A scripted model registered as ``scripted`` for the command line."""
    model = llm_sync.ScriptedModel([["Hello ", "world"]])
    _registry.register_model(model, llm_sync.AsyncScriptedModel())
    yield model
    _registry._reset()


def test_prompt_is_the_default_command_and_streams_and_logs(
    scripted: Any, user_path: Path
) -> None:
    result = run("-m", "scripted", "Say hi", "-s", "be brief")
    assert result.exit_code == 0
    assert result.output == "Hello world\n"
    assert scripted.prompts[0].prompt == "Say hi"
    assert scripted.prompts[0].system == "be brief"
    [row] = logged(user_path)
    assert (row["model"], row["prompt"], row["response"]) == (
        "scripted",
        "Say hi",
        "Hello world",
    )
    assert row["system"] == "be brief"


def test_no_log_and_logs_off(scripted: Any, user_path: Path) -> None:
    assert run("prompt", "-m", "scripted", "one", "--no-log").exit_code == 0
    assert not (user_path / "logs.db").exists()
    scripted.add("two")
    assert run("logs", "off").exit_code == 0
    assert run("-m", "scripted", "two").exit_code == 0
    assert not (user_path / "logs.db").exists()
    scripted.add("three")
    assert run("logs", "on").exit_code == 0
    assert run("-m", "scripted", "three").exit_code == 0
    assert [r["prompt"] for r in logged(user_path)] == ["three"]


def test_stdin_is_the_prompt_or_comes_before_it(scripted: Any) -> None:
    scripted.add("x")
    assert run("-m", "scripted", "--no-log", input="piped text").exit_code == 0
    assert run("-m", "scripted", "question", "--no-log", input="context").exit_code == 0
    assert scripted.prompts[0].prompt == "piped text"
    assert scripted.prompts[1].prompt == "context\nquestion"


def test_continue_a_logged_conversation(user_path: Path) -> None:
    assert run("-m", "echo", "first").exit_code == 0
    result = run("-c", "second")
    assert result.exit_code == 0
    assert json.loads(result.output)["previous"] == ["first"]
    rows = logged(user_path)
    assert len({r["conversation_id"] for r in rows}) == 1
    result = run("--cid", rows[0]["conversation_id"], "third")
    assert json.loads(result.output)["previous"] == ["first", "second"]
    assert [r["prompt"] for r in run_json("logs", "-c", "-n", "2")] == [
        "second",
        "third",
    ]


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_continue_without_a_log_is_an_error() -> None:
    result = run("-c", "hello")
    assert result.exit_code == 1
    assert "No conversation has been logged yet" in result.output


def test_options_are_validated_by_the_model(scripted: Any) -> None:
    result = run("-m", "scripted", "x", "-o", "temperature", "hot", "--no-log")
    assert result.exit_code == 2
    assert "temperature" in result.output and "hot" in result.output
    result = run("-m", "scripted", "x", "-o", "warmth", "1", "--no-log")
    assert result.exit_code == 2
    assert "no option 'warmth'" in result.output
    scripted.add("ok")
    assert run("-m", "scripted", "x", "-o", "temperature", "0.5").exit_code == 0
    assert scripted.prompts[-1].options.temperature == 0.5


def test_unknown_model_suggests_close_names() -> None:
    result = run("-m", "ecoh", "hi")
    assert result.exit_code == 1
    assert "Unknown model: ecoh" in result.output
    assert "Did you mean: echo" in result.output
    assert "Traceback" not in result.output


def test_missing_key_names_the_command_that_sets_it() -> None:
    result = run("-m", "gpt-4o-mini", "hi", "--no-log")
    assert result.exit_code == 1
    assert "llm-async keys set openai" in result.output
    assert "Traceback" not in result.output


def test_openai_stream_through_respx_with_key_and_usage() -> None:
    fixture = load_recorded("openai/chat_basic_stream.json")
    with respx.mock() as router:
        route = router.post("https://api.openai.com/v1/chat/completions").mock(
            side_effect=recorded_responses(fixture)
        )
        result = CliRunner().invoke(
            cli, ["-m", "gpt-4o", "hello", "--key", "sk-test", "-u", "--no-log"]
        )
    assert result.exit_code == 0, result.output
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"
    assert "Token usage:" in result.stderr
    assert result.stdout.strip()


def test_schema_dsl_and_no_stream(scripted: Any) -> None:
    scripted.replies.clear()
    scripted.add('{"name": "x"}')
    result = run("-m", "scripted", "p", "--schema", "name, age int", "--no-stream")
    assert result.exit_code == 0
    assert scripted.prompts[-1].schema["required"] == ["name", "age"]
    assert result.output == '{"name": "x"}\n'
    bad = run("-m", "scripted", "p", "--schema", "{not json")
    assert bad.exit_code == 2 and "--schema" in bad.output


def test_schema_file_must_hold_a_json_object(scripted: Any, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text("[1, 2]")
    result = run("-m", "scripted", "p", "--schema", str(path), "--no-stream")
    assert result.exit_code == 2
    assert "not an object" in result.output
    assert not scripted.prompts or scripted.prompts[-1].schema is None


def test_attachments_from_a_file_and_stdin(scripted: Any, tmp_path: Path) -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\0" * 32
    path = tmp_path / "pixel.png"
    path.write_bytes(png)
    scripted.add("two")
    assert run("-m", "scripted", "look", "-a", str(path), "--no-log").exit_code == 0
    piped = run("-m", "scripted", "look", "-a", "-", "--no-log", input=png)
    assert piped.exit_code == 0
    first, second = (p.attachments[0] for p in scripted.prompts)
    assert first.path == str(path.resolve())
    assert second.content == png
    missing = run("-m", "scripted", "x", "-a", str(tmp_path / "nope.png"))
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_builtin_tools_run_in_a_chain() -> None:
    model = llm_sync.ScriptedModel(
        [
            llm_sync.ScriptedReply(
                tool_calls=[llm_sync.ToolCall("llm_version", {}, tool_call_id="t1")]
            ),
            "done",
        ]
    )
    _registry.register_model(model, llm_sync.AsyncScriptedModel())
    try:
        result = run("-m", "scripted", "version?", "-T", "llm_version", "--no-log")
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "done"
        results = model.prompts[1].tool_results
        assert [r.name for r in results] == ["llm_version"]
        unknown = run("-m", "scripted", "x", "-T", "nope")
        assert unknown.exit_code == 2 and "llm_time" in unknown.output
    finally:
        _registry._reset()


def test_models_list_options_json_async_and_default() -> None:
    listing = run("models")
    assert "EchoModel: echo" in listing.output
    assert "(aliases: 4o-mini)" in listing.output
    options = run("models", "--options", "-q", "echo").output
    assert "temperature" in options
    data = run_json("models", "list")
    echo = next(m for m in data if m["model_id"] == "echo")
    assert echo["async"] is True and "temperature" in echo["options"]
    assert "EchoModel (async): echo" in run("models", "--async").output
    assert run("models", "default", "4o").exit_code == 0
    assert run("models", "default").output.strip() == "gpt-4o"
    assert run("models", "default", "nope").exit_code == 1


def test_keys_set_get_list_path(user_path: Path) -> None:
    assert run("keys", "set", "openai", "--value", "sk-one").exit_code == 0
    assert run("keys", "set", "other", input="sk-two\n").exit_code == 0
    assert run("keys", "get", "openai").output.strip() == "sk-one"
    assert run("keys", "list").output.split() == ["openai", "other"]
    assert run("keys", "path").output.strip() == str(user_path / "keys.json")
    missing = run("keys", "get", "nope")
    assert missing.exit_code == 1 and "llm-async keys set nope" in missing.output


def test_aliases_set_list_remove_path(user_path: Path) -> None:
    assert run("aliases", "set", "e", "echo").exit_code == 0
    assert run_json("aliases", "list")["e"] == "echo"
    assert run("aliases", "remove", "e").exit_code == 0
    assert "e" not in run_json("aliases", "list")
    assert run("aliases", "remove", "e").exit_code == 1
    assert run("aliases", "path").output.strip() == str(user_path / "aliases.json")
    assert run("aliases", "set", "x", "ecoh").exit_code == 1


def test_logs_reads_what_llm_logged(tmp_path: Path) -> None:
    db = tmp_path / "llm.db"
    db.write_bytes(FIXTURE_DB.read_bytes())
    rows = run_json("logs", "-n", "0", "-d", str(db))
    assert [r["prompt"] for r in rows] == ["hello there", "and again", '{"a": 1}']
    assert rows[1]["response"] == "AND AGAIN"
    assert rows[2]["options"] == {"temperature": 0.5}
    text = run("logs", "-n", "1", "-d", str(db)).output
    assert "Model: **upper**" in text and '{"A": 1}' in text


FIXTURE_DB = Path(__file__).parent / "fixtures" / "llm_logs" / "llm-0.36-logs.db"


def _process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_python_m_llm_sync_runs_the_command_line(user_path: Path) -> None:
    done = _process("-m", "llm_sync", "-m", "echo", "from a process")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["prompt"] == "from a process"
    assert (user_path / "logs.db").exists()
    bad = _process("-m", "llm_sync", "-m", "ecoh", "x")
    assert bad.returncode == 1
    assert "Did you mean: echo" in bad.stderr and "Traceback" not in bad.stderr


def test_console_script_entry_point_is_declared() -> None:
    import tomllib

    pyproject = tomllib.loads((SRC.parent / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"]["llm-async"] == "llm_async.cli:main"
    done = _process("-c", "from llm_async.cli import main; main()", "--help")
    assert done.returncode == 0 and "logs" in done.stdout


def test_ctrl_c_stops_the_stream_with_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("llm_async.cli.cmd_prompt._print", interrupted)
    result = CliRunner().invoke(cli, ["-m", "echo", "x"])
    assert result.exit_code == 130
    assert "Interrupted" in result.stderr


LLM_CLI = Path(os.environ.get("LLM_CLI", "/tmp/llmcli/bin/llm"))


@pytest.mark.skipif(not LLM_CLI.exists(), reason="the real llm CLI is not installed")
def test_the_real_llm_lists_what_we_logged(user_path: Path) -> None:
    assert run("-m", "echo", "logged by us", "-s", "sys").exit_code == 0
    done = subprocess.run(
        [str(LLM_CLI), "logs", "--json", "-n", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "LLM_USER_PATH": str(user_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert (row["model"], row["prompt"], row["system"]) == (
        "echo",
        "logged by us",
        "sys",
    )
