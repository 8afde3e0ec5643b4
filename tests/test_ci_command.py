"""``.ci/run`` runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("Run the tests", 1)[1]
    command = re.search(r"```bash\n(.*?)\n```", section, re.DOTALL)
    assert command is not None
    script = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert script[-1] == command.group(1)
    assert "set -euo pipefail" in script
