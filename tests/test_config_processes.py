"""Config files shared by several processes: no update lost or undone, and a
reader never sees a partial file (the CLI, a notebook and a web app's workers
use the same user directory)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import llm_async

PROCESSES = 8
ROUNDS = 50
SRC = str(Path(llm_async.__file__).resolve().parent.parent)

# Each writer, in round j: sets key k<i>-<j> and alias a<i>-<j>; every third
# round removes the alias of two rounds before; every fifth sets the default
# model. Mixed writes to keys.json, aliases.json and default_model.txt.
WRITER = textwrap.dedent(
    """
    import os, sys, time
    from llm_async._core import config
    number = int(sys.argv[1])
    go = sys.argv[2]
    while not os.path.exists(go):
        time.sleep(0.001)
    for j in range(int(sys.argv[3])):
        config.set_key(f"k{number}-{j}", f"value-{number}-{j}")
        config.write_alias(f"a{number}-{j}", f"model-{number}-{j}")
        if j % 3 == 2:
            config.delete_alias(f"a{number}-{j - 2}")
        if j % 5 == 4:
            config.set_default_model(f"model-{number}-{j}")
    """
)

# Reads every file until told to stop: each read must parse completely.
READER = textwrap.dedent(
    """
    import os, sys, time
    from llm_async._core import config
    go, stop = sys.argv[1], sys.argv[2]
    while not os.path.exists(go):
        time.sleep(0.001)
    reads = 0
    while not os.path.exists(stop):
        config.load_keys()
        config.load_aliases()
        config.get_default_model()
        reads += 1
        time.sleep(0.0005)
    print(reads)
    """
)


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, *sys.path])}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def shared_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The user directory, in memory where possible: the writes are serialized
    and each one fsyncs twice, which on a busy disk costs tens of ms."""
    memory = Path("/dev/shm")
    base = tempfile.mkdtemp(dir=memory if memory.is_dir() else None)
    monkeypatch.setenv("LLM_USER_PATH", os.path.join(base, "user"))
    try:
        yield Path(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_writers_in_many_processes_lose_and_resurrect_nothing(
    shared_dir: Path,
) -> None:
    user_path = shared_dir / "user"
    go, stop = shared_dir / "go", shared_dir / "stop"
    user_path.mkdir()
    (user_path / "aliases.json").write_text("{}")  # readers need not wait for it
    writers = [_spawn(WRITER, str(n), str(go), str(ROUNDS)) for n in range(PROCESSES)]
    readers = [_spawn(READER, str(go), str(stop)) for _ in range(2)]
    time.sleep(0.5)  # let every process import and wait at the line
    go.touch()
    try:
        for writer in writers:
            _, errors = writer.communicate(timeout=300)
            assert writer.returncode == 0, errors
    finally:
        stop.touch()
        for process in writers + readers:
            if process.poll() is None:
                process.communicate(timeout=60)
    for reader in readers:
        out, errors = reader.communicate()
        assert reader.returncode == 0, errors  # no partial or invalid file seen
        assert int(out) > 0

    keys = json.loads((user_path / "keys.json").read_text())
    expected_keys = {
        f"k{n}-{j}": f"value-{n}-{j}" for n in range(PROCESSES) for j in range(ROUNDS)
    }
    assert {k: v for k, v in keys.items() if k != "// Note"} == expected_keys

    removed = {j - 2 for j in range(ROUNDS) if j % 3 == 2}
    aliases = json.loads((user_path / "aliases.json").read_text())
    assert aliases == {
        f"a{n}-{j}": f"model-{n}-{j}"
        for n in range(PROCESSES)
        for j in range(ROUNDS)
        if j not in removed
    }
    last = max(j for j in range(ROUNDS) if j % 5 == 4)
    finals = {f"model-{n}-{last}" for n in range(PROCESSES)}
    assert (user_path / "default_model.txt").read_text() in finals
    temporary = [p.name for p in user_path.iterdir() if p.name.endswith(".tmp")]
    assert temporary == []
