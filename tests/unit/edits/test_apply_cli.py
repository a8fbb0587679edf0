"""`orchard apply` from the shell: exit codes, JSON, dry runs, stdin, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchard.cli import main

REPLY = """Here are the changes.

**src/app.py**
```python
<<<<<<< SEARCH
def main():
    return 1
=======
def main():
    return 2
>>>>>>> REPLACE
```
"""

BROKEN = (
    REPLY
    + """
src/app.py
```python
<<<<<<< SEARCH
def never_there():
=======
def x():
>>>>>>> REPLACE
```
"""
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "proj/src").mkdir(parents=True)
    (tmp_path / "proj/src/app.py").write_text("def main():\n    return 1\n")
    return tmp_path / "proj"


def _reply(tmp_path: Path, text: str) -> str:
    path = tmp_path / "reply.md"
    path.write_text(text)
    return str(path)


def test_real_process_applies_a_reply_and_exits_0(root: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchard", "apply", "--root", str(root), _reply(tmp_path, REPLY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "applied  src/app.py  edit #1 (exact" in done.stdout
    assert (root / "src/app.py").read_text() == "def main():\n    return 2\n"


def test_real_process_reads_the_reply_from_stdin(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchard", "apply", "--root", str(root), "--json", "-"],
        input=REPLY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"][0]["path"] == "src/app.py"


def test_any_failure_exits_1_and_keeps_the_other_edits_applied(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["apply", "--root", str(root), "--json", _reply(tmp_path, BROKEN)])
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [a["index"] for a in data["applied"]] == [0]
    (failure,) = data["failed"]
    assert failure["path"] == "src/app.py" and failure["reason"] == "no_match"
    assert failure["closest_lines"] is not None
    assert (root / "src/app.py").read_text() == "def main():\n    return 2\n"


def test_failure_text_output_carries_the_message(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--root", str(root), _reply(tmp_path, BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "FAILED   src/app.py  edit #2 (no_match)" in out
    assert "1 applied, 1 failed" in out


def test_dry_run_writes_nothing(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--dry-run", "--root", str(root), _reply(tmp_path, REPLY)]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert (root / "src/app.py").read_text() == "def main():\n    return 1\n"


def test_reply_without_edits_exits_0(root: Path, tmp_path: Path) -> None:
    assert main(["apply", "--root", str(root), _reply(tmp_path, "Looks fine as is.\n")]) == 0


def test_forced_format_is_used(root: Path, tmp_path: Path) -> None:
    diff = "```diff\n--- a/src/app.py\n+++ b/src/app.py\n@@\n-    return 1\n+    return 3\n```\n"
    assert main(["apply", "--format", "udiff", "--root", str(root), _reply(tmp_path, diff)]) == 0
    assert (root / "src/app.py").read_text() == "def main():\n    return 3\n"
    status = main(["apply", "--format", "editblock", "--root", str(root), _reply(tmp_path, diff)])
    assert status == 0  # an editblock reading of a diff finds no blocks: nothing to do
    assert (root / "src/app.py").read_text() == "def main():\n    return 3\n"


def test_usage_errors_exit_2(root: Path, tmp_path: Path) -> None:
    assert main(["apply", "--root", str(tmp_path / "missing"), _reply(tmp_path, REPLY)]) == 2
    assert main(["apply", "--root", str(root), str(tmp_path / "no-such-reply.md")]) == 2
    assert main(["apply", "--fuzzy-threshold", "1.5", _reply(tmp_path, REPLY)]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", "--format", "xml", _reply(tmp_path, REPLY)])
    assert exit_info.value.code == 2
