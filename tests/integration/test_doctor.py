"""`orchard doctor` as users run it, in and out of a git repository.

Most cases run the real command in-process (each subprocess would pay litellm's import again);
the missing-git case needs a process of its own, started with a PATH that has no git.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchard.cli import main
from orchard.sandbox.bwrap import probe
from tests.support.gitrepo import GitRepo


def run_doctor(cwd: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "orchard", "doctor", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=280, check=False,
    )  # fmt: skip


def doctor_in_process(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run `orchard doctor ARGS` in this process from `cwd`; return its exit code and stdout."""
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    code = main(["doctor", *args])
    return code, capsys.readouterr().out


def test_doctor_passes_in_a_git_repository_and_prints_a_table(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor_in_process(git_repo.root, monkeypatch, capsys)
    assert code == 0, out
    lines = out.splitlines()
    for name in ("git", "git worktree", "repository", "sqlite-vec", "tree-sitter grammars",
                 "litellm"):  # fmt: skip
        row = next(line for line in lines if line.startswith(name + " "))
        assert "ok" in row.split()
    assert "all required checks passed" in out


@pytest.mark.slow
def test_doctor_without_git_on_path_fails_with_a_clear_row(tmp_path: Path) -> None:
    bare_path = str(Path(sys.executable).parent)  # python, but no git
    done = run_doctor(tmp_path, "--json", path=bare_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["git"]["status"] == "fail" and "not on PATH" in checks["git"]["detail"]
    assert report["ok"] is False


def test_doctor_outside_a_repository_warns_but_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor_in_process(tmp_path, monkeypatch, capsys, "--json")
    report = json.loads(out)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["repository"]["status"] == "warn"
    assert "not in a git repository" in checks["repository"]["detail"]
    assert code == 0


def test_doctor_reports_missing_model_key(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git_repo.write(
        ".orchard.toml",
        '[[models]]\nmodel = "openai/gpt-4o"\napi_key_env = "ORCHARD_TEST_NO_SUCH_KEY"\n',
    )
    monkeypatch.delenv("ORCHARD_TEST_NO_SUCH_KEY", raising=False)
    code, out = doctor_in_process(git_repo.root, monkeypatch, capsys, "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    model = checks["model openai/gpt-4o"]
    assert model["status"] == "fail" and "ORCHARD_TEST_NO_SUCH_KEY" in model["detail"]
    assert code == 1


def path_without_bwrap(tmp_path: Path) -> str:
    """A PATH with git and python but no bwrap."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("git",):
        found = shutil.which(name)
        assert found is not None
        (folder / name).symlink_to(found)
    return f"{folder}:{Path(sys.executable).parent}"


def test_doctor_says_whether_the_sandbox_works(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(doctor_in_process(git_repo.root, monkeypatch, capsys, "--json")[1])
    row = {c["name"]: c for c in report["checks"]}["sandbox"]
    if probe().works:
        assert row["status"] == "ok" and "network off" in row["detail"]
    else:
        assert row["status"] == "warn" and row["required"] is False


@pytest.mark.slow
def test_doctor_without_bubblewrap_warns_in_auto_and_fails_when_bwrap_is_required(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    bare = path_without_bwrap(tmp_path)
    report = json.loads(run_doctor(git_repo.root, "--json", path=bare).stdout)
    row = {c["name"]: c for c in report["checks"]}["sandbox"]
    assert row["status"] == "warn" and "bwrap is not on PATH" in row["detail"]
    git_repo.write(".orchard.toml", '[agents]\nsandbox = "bwrap"\n')
    done = run_doctor(git_repo.root, "--json", path=bare)
    report = json.loads(done.stdout)
    row = {c["name"]: c for c in report["checks"]}["sandbox"]
    assert row["status"] == "fail" and row["required"] is True and done.returncode == 1
