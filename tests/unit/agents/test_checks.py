"""The checks after an agent's edits: the test command (process group, timeout, cancel) and
new lint errors, with real subprocesses and the real lint pipeline."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from orchard.agents.checks import lint_feedback, new_lint_errors, run_test_command, trim_output
from orchard.config import LintSettings
from orchard.lint.pipeline import LintPipeline

SPAWN_GRANDCHILD = "sleep 30 & echo $! > child.pid; wait"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rpartition(")")[2].split()[0] == "Z")


def wait_dead(pid: int) -> bool:
    for _ in range(100):
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


async def test_passing_and_failing_commands_report_exit_code_and_output(tmp_path: Path) -> None:
    ok = await run_test_command("echo fine", tmp_path, 30)
    assert ok.passed and ok.output == "fine" and ok.feedback("t") == ""
    bad = await run_test_command("echo 'assert 1 == 2' >&2; exit 4", tmp_path, 30)
    assert not bad.passed and bad.exit_code == 4 and "assert 1 == 2" in bad.output
    assert "failed with exit code 4" in bad.feedback("pytest -q")


async def test_a_command_past_its_timeout_dies_with_its_children(tmp_path: Path) -> None:
    outcome = await run_test_command(SPAWN_GRANDCHILD, tmp_path, 1.0)
    assert outcome.timed_out and not outcome.passed
    assert "did not finish" in outcome.feedback("slow")
    assert wait_dead(int((tmp_path / "child.pid").read_text()))


async def test_cancelling_a_test_run_kills_its_process_group(tmp_path: Path) -> None:
    task = asyncio.create_task(run_test_command(SPAWN_GRANDCHILD, tmp_path, 60))
    pid_file = tmp_path / "child.pid"
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert wait_dead(int(pid_file.read_text()))


def test_long_output_keeps_its_head_and_tail() -> None:
    text = "HEAD" + "x" * 10_000 + "TAIL"
    trimmed = trim_output(text)
    assert trimmed.startswith("HEAD") and trimmed.endswith("TAIL") and len(trimmed) < 4200
    assert "characters left out" in trimmed


async def test_only_errors_the_edits_introduced_are_reported(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text("def broken(:\n    pass\n")  # broken before and after
    (tmp_path / "new.py").write_text("def fine():\n    return (1\n")  # broken by the edit
    (tmp_path / "ok.py").write_text("x = 2\n")
    before = {
        "old.py": "def broken(:\n    pass\n",
        "new.py": "def fine():\n    return 1\n",
        "ok.py": None,
    }
    pipeline = LintPipeline(LintSettings(tools={"python": ()}), root=tmp_path)
    errors = await new_lint_errors(pipeline, tmp_path, before, ["old.py", "new.py", "ok.py"])
    assert [e.path.name for e in errors] == ["new.py"]
    message = lint_feedback(errors, tmp_path)
    assert message.startswith("Your edits applied, but they introduced")
    assert "## new.py" in message and "line 2, column" in message
    assert ">2 |     return" in message  # the offending line is shown, marked
