"""The sandbox and process groups with real processes: bubblewrap confines writes and the
network; a recorded group is ended only while it is still the one Orchard started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchard.errors import SettingsError
from orchard.sandbox.bwrap import Sandbox, choose_sandbox, probe
from orchard.sandbox.processes import ProcessGroup, end_group

needs_bwrap = pytest.mark.skipif(not probe().works, reason=f"no sandbox: {probe().detail}")


def sandboxed(sandbox: Sandbox, script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = sandbox.wrap([sys.executable, "-c", script], cwd)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


@needs_bwrap
def test_only_the_worktree_and_a_private_tmp_are_writable(tmp_path: Path) -> None:
    worktree, outside = tmp_path / "wt", Path.home() / ".orchard-sandbox-probe"
    worktree.mkdir()
    (tmp_path / "repo.txt").write_text("readable\n")
    sandbox = Sandbox(probe().executable or "bwrap", (worktree,), readable=(tmp_path,))
    script = (
        "import pathlib, tempfile\n"
        "pathlib.Path('inside').write_text('ok')\n"
        "tempfile.NamedTemporaryFile().write(b'x')\n"
        f"print(pathlib.Path({str(tmp_path / 'repo.txt')!r}).read_text().strip())\n"
        f"try:\n    pathlib.Path({str(outside)!r}).write_text('no')\nexcept OSError:\n"
        "    print('refused')\n"
    )
    done = sandboxed(sandbox, script, worktree)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["readable", "refused"]
    assert (worktree / "inside").read_text() == "ok"
    assert not outside.exists()


@needs_bwrap
def test_the_network_is_off_unless_allowed(tmp_path: Path) -> None:
    script = "import socket\nprint([n for _, n in socket.if_nameindex()])\n"
    off = sandboxed(Sandbox(probe().executable or "bwrap", (tmp_path,)), script, tmp_path)
    assert off.returncode == 0 and off.stdout.strip() == "['lo']"
    on = sandboxed(Sandbox(probe().executable or "bwrap", (tmp_path,), True), script, tmp_path)
    assert on.returncode == 0 and on.stdout.strip() != "['lo']"


def test_off_never_sandboxes_and_bwrap_refuses_when_it_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert choose_sandbox("off", [tmp_path]).sandbox is None
    probe.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap here
    try:
        assert choose_sandbox("auto", [tmp_path]).sandbox is None
        with pytest.raises(SettingsError, match="bwrap is not on PATH"):
            choose_sandbox("bwrap", [tmp_path])
    finally:
        probe.cache_clear()


def test_a_leftover_group_is_ended_and_a_reused_pid_is_left_alone() -> None:
    leader = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        group = ProcessGroup.of_leader(leader.pid, "tests")
        impostor = ProcessGroup(leader.pid, "1", "tests")  # same pid, another start time
        assert end_group(impostor) is False
        assert leader.poll() is None
        assert end_group(group) is True
        assert leader.wait(timeout=10) < 0
    finally:
        leader.kill()
        leader.wait()
