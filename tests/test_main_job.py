"""The README's main job, run as the demo session runs it: a real subprocess.

``examples/stream_local.py`` streams an answer from SmolLM2 through the real
llama.cpp. A crash (for example a segfault inside llama.cpp) fails this test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.local_support import require_smollm2

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "stream_local.py"
USAGE_LINE = re.compile(r"^\[(\d+) input tokens, (\d+) output tokens\]$", re.M)


def test_stream_local_example_streams_and_reports_usage() -> None:
    require_smollm2()
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", str(EXAMPLE), "Name three colours."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    reads: list[tuple[float, bytes]] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        data = os.read(process.stdout.fileno(), 65536)
        if not data:
            break
        reads.append((time.monotonic(), data))
    else:
        process.kill()
        pytest.fail("examples/stream_local.py did not finish within 300 s")
    returncode = process.wait(timeout=30)
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.stdout.close()
    if process.stderr is not None:
        process.stderr.close()
    out = b"".join(data for _, data in reads).decode()
    assert returncode == 0, f"exit code {returncode}; stderr:\n{stderr[-3000:]}"

    header, _, rest = out.partition("\n\n")
    assert header == "smollm2> Name three colours."
    usage = USAGE_LINE.search(rest)
    assert usage is not None, out
    assert int(usage.group(1)) > 0 and int(usage.group(2)) > 0
    answer = rest[: usage.start()].strip()
    assert answer, out
    # Streamed: the answer reached the pipe in more than one piece, as it was
    # generated, not all at once at the end.
    assert len(reads) >= 3, reads
