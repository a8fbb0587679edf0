"""Running linters: timeouts kill the whole process group, absent tools are skipped once."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest

from orchard.config import LintSettings
from orchard.lint.pipeline import LintPipeline

HANGING_LINTER = """
import subprocess, sys, time
from pathlib import Path
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
Path(sys.argv[1]).write_text(str(child.pid))
time.sleep(600)
"""

REPORTING_LINTER = """
import sys
for name in sys.argv[1:]:
    print(f"{name}:2:5: warning: W42 suspicious thing")
    print(f"{name}:1: error: broken thing")
"""


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def wait_until_gone(pid: int) -> bool:
    for _ in range(100):
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to see the child")
async def test_hung_linter_and_its_children_are_killed_at_the_timeout(project: Path) -> None:
    script = project / "hang.py"
    script.write_text(HANGING_LINTER, encoding="utf-8")
    pid_file = project / "child.pid"
    target = project / "app.py"
    target.write_text("x = 1\n", encoding="utf-8")
    settings = LintSettings(
        tools={"python": ()},
        timeout_seconds=1.0,
        commands=(f"[python] {sys.executable} {script} {pid_file}",),
    )
    report = await LintPipeline(settings, project).run([target])
    (failure,) = report.failures
    assert failure.endswith("ran longer than 1s and was stopped")
    assert report.diagnostics == ()
    assert wait_until_gone(int(pid_file.read_text()))


async def test_user_command_output_is_read_with_the_generic_parser(project: Path) -> None:
    script = project / "report.py"
    script.write_text(REPORTING_LINTER, encoding="utf-8")
    target = project / "app.py"
    target.write_text("x = 1\ny = 2\n", encoding="utf-8")
    settings = LintSettings(
        tools={"python": ()}, commands=(f"[python] {sys.executable} {script} {{files}}",)
    )
    report = await LintPipeline(settings, project).run([target])
    assert [(d.line, d.column, str(d.severity), d.code, d.message) for d in report.diagnostics] == [
        (0, 0, "error", None, "broken thing"),
        (1, 4, "warning", "W42", "suspicious thing"),
    ]
    assert {d.source for d in report.diagnostics} == {Path(sys.executable).name}
    assert report.diagnostics[1].context == ("x = 1", "y = 2", "")


async def test_user_command_only_runs_on_its_languages(project: Path) -> None:
    script = project / "report.py"
    script.write_text(REPORTING_LINTER, encoding="utf-8")
    target = project / "app.go"
    target.write_text("package main\n", encoding="utf-8")
    settings = LintSettings(
        tools={"go": ()}, commands=(f"[python] {sys.executable} {script} {{files}}",)
    )
    report = await LintPipeline(settings, project).run([target])
    assert report.diagnostics == ()


async def test_absent_linter_is_skipped_with_one_notice(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = project / "app.py"
    target.write_text("x = (\n", encoding="utf-8")
    settings = LintSettings(tools={"python": ()}, commands=("no-such-linter-4711 --strict",))
    with caplog.at_level(logging.WARNING, logger="orchard.lint"):
        first = await LintPipeline(settings, project).run([target])
        second = await LintPipeline(settings, project).run([target])
    assert first.skipped == second.skipped == ("no-such-linter-4711",)
    notices = [r for r in caplog.records if "no-such-linter-4711 is not installed" in r.message]
    assert len(notices) == 1
    assert [d.source for d in first.diagnostics] == ["orchard-syntax"]


async def test_unknown_linter_name_in_settings_is_reported_and_ignored(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = project / "app.py"
    target.write_text("x = 1\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="orchard.lint"):
        report = await LintPipeline(LintSettings(tools={"python": ("pylintz",)}), project).run(
            [target]
        )
    assert report.diagnostics == () and report.failures == ()
    assert any("no linter named `pylintz`" in r.message for r in caplog.records)


async def test_disabled_language_gets_no_diagnostics(project: Path) -> None:
    target = project / "broken.json"
    target.write_text('{"a": }\n', encoding="utf-8")
    enabled = await LintPipeline(LintSettings(), project).run([target])
    disabled = await LintPipeline(LintSettings(disabled_languages=("json",)), project).run([target])
    assert len(enabled.diagnostics) == 1
    assert disabled.diagnostics == ()


async def test_folders_are_expanded_skipping_vendored_and_binary_files(project: Path) -> None:
    (project / "src").mkdir()
    (project / "src" / "bad.py").write_text("def f(:\n", encoding="utf-8")
    (project / "node_modules" / "dep").mkdir(parents=True)
    (project / "node_modules" / "dep" / "bad.js").write_text("if (\n", encoding="utf-8")
    (project / "src" / "blob.py").write_bytes(b"\x00\x01def (")
    report = await LintPipeline(LintSettings(tools={"python": ()}), project).run(
        [project], linters_too=False
    )
    assert [(d.path.name, d.line) for d in report.diagnostics] == [("bad.py", 0)]
