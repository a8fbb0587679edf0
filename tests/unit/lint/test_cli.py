"""`orchard lint`: text and JSON output, and its exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchard.cli import build_parser


def run_lint(*argv: str) -> int:
    args = build_parser("lint").parse_args(["lint", *argv])
    return int(args.run(args))


def test_errors_are_printed_one_per_line_and_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "app.py").write_text("import os\nprint(missing)\n", encoding="utf-8")
    assert run_lint("--root", str(project), "app.py") == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "app.py:1:8 warning ruff F401 `os` imported but unused",
        "app.py:2:7 error ruff F821 Undefined name `missing`",
    ]


def test_warnings_alone_exit_0(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "app.py").write_text("import os\n", encoding="utf-8")
    assert run_lint("--root", str(project), "app.py") == 0
    assert "F401" in capsys.readouterr().out


def test_json_output_has_one_based_positions(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "src").mkdir()
    (project / "src" / "broken.go").write_text("package main\n\nfunc main() {\n", "utf-8")
    assert run_lint("--json", "--syntax-only", "src") == 1
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry == {
        "path": "src/broken.go",
        "line": 3,
        "column": 13,
        "end_line": 3,
        "end_column": 14,
        "severity": "error",
        "source": "orchard-syntax",
        "code": "unclosed",
        "message": "`{` is never closed",
        "url": None,
    }


def test_missing_path_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_lint(str(tmp_path / "nope.py")) == 2
    assert "no such file or folder" in capsys.readouterr().err
