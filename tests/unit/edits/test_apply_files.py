"""Applying edits to real files: path safety, encodings, line endings, atomic writes, dry runs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from orchard.edits import Edit, EditKind, apply_edits, parse_edits, resolve_target
from orchard.errors import PathSafetyError, WorkspaceError


def _replace(path: str, search: str, replace: str, index: int = 0) -> Edit:
    return Edit(path, EditKind.REPLACE, search, replace, "editblock", index)


def _whole(path: str, content: str, index: int = 0) -> Edit:
    return Edit(path, EditKind.WHOLE, replace=content, fmt="whole", index=index)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src/app.py").write_text("def main():\n    return 1\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/secret.txt").write_text("keep\n")
    return root


@pytest.mark.parametrize(
    "path",
    ["../outside/secret.txt", "src/../../outside/secret.txt", "..\\outside\\secret.txt"],
)
def test_dotdot_escape_is_refused_and_nothing_is_written(project: Path, path: str) -> None:
    result = apply_edits([_whole(path, "pwned\n")], project)
    assert [f.reason for f in result.failed] == ["unsafe_path"]
    assert "outside the project root" in result.failed[0].message
    assert (project.parent / "outside/secret.txt").read_text() == "keep\n"


def test_absolute_path_outside_root_is_refused(project: Path) -> None:
    target = project.parent / "outside/secret.txt"
    result = apply_edits([_whole(str(target), "pwned\n")], project)
    assert [f.reason for f in result.failed] == ["unsafe_path"]
    assert target.read_text() == "keep\n"


def test_absolute_path_inside_root_is_allowed(project: Path) -> None:
    result = apply_edits([_whole(str(project / "src/app.py"), "x = 1\n")], project)
    assert result.ok and result.applied[0].path == "src/app.py"
    assert (project / "src/app.py").read_text() == "x = 1\n"


def test_symlink_leading_outside_is_refused(project: Path) -> None:
    (project / "link").symlink_to(project.parent / "outside")
    (project / "file_link.txt").symlink_to(project.parent / "outside/secret.txt")
    edits = [_whole("link/secret.txt", "pwned\n"), _whole("file_link.txt", "pwned\n", 1)]
    result = apply_edits(edits, project)
    assert [f.reason for f in result.failed] == ["unsafe_path", "unsafe_path"]
    assert (project.parent / "outside/secret.txt").read_text() == "keep\n"
    assert not (project.parent / "outside/new.txt").exists()


def test_symlink_inside_root_is_written_through_not_replaced(project: Path) -> None:
    (project / "alias.py").symlink_to(project / "src/app.py")
    result = apply_edits([_replace("alias.py", "    return 1\n", "    return 2\n")], project)
    assert result.ok, result.feedback()
    assert (project / "alias.py").is_symlink()
    assert (project / "src/app.py").read_text() == "def main():\n    return 2\n"


@pytest.mark.parametrize("path", [".git/config", "src/.git/hooks/pre-commit", ".GIT/HEAD"])
def test_nothing_under_dot_git_is_written(project: Path, path: str) -> None:
    (project / ".git").mkdir()
    (project / ".git/config").write_text("[core]\n")
    result = apply_edits([_whole(path, "evil\n")], project)
    assert [f.reason for f in result.failed] == ["unsafe_path"]
    assert (project / ".git/config").read_text() == "[core]\n"


def test_resolve_target_refuses_the_root_itself_and_empty_paths(project: Path) -> None:
    for bad in ("", ".", "src/..", "a\x00b"):
        with pytest.raises(PathSafetyError):
            resolve_target(project, bad)


def test_binary_and_non_utf8_targets_are_refused_untouched(project: Path) -> None:
    (project / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (project / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    edits = [_replace("logo.png", "PNG\n", "JPG\n"), _replace("latin1.txt", "caf\n", "x\n", 1)]
    result = apply_edits(edits, project)
    assert [f.reason for f in result.failed] == ["binary", "binary"]
    assert "binary file" in result.failed[0].message
    assert "not UTF-8" in result.failed[1].message
    assert (project / "latin1.txt").read_bytes() == "caf\xe9\n".encode("latin-1")


def test_crlf_file_stays_crlf_and_bom_is_kept(project: Path) -> None:
    (project / "win.txt").write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\nthree\r\n")
    result = apply_edits([_replace("win.txt", "one\ntwo\n", "one\n2\n")], project)
    assert result.ok, result.feedback()
    assert (project / "win.txt").read_bytes() == b"\xef\xbb\xbfone\r\n2\r\nthree\r\n"


def test_missing_final_newline_stays_missing_on_disk(project: Path) -> None:
    (project / "cfg.ini").write_bytes(b"[a]\nkey = 1")
    result = apply_edits([_replace("cfg.ini", "key = 1\n", "key = 2\n")], project)
    assert result.ok
    assert (project / "cfg.ini").read_bytes() == b"[a]\nkey = 2"


def test_utf8_content_round_trips_byte_for_byte(project: Path) -> None:
    original = "# ünïcødé ✓ 日本語 🍎\nvalue = 'ß'\n"
    (project / "u.py").write_text(original, encoding="utf-8")
    result = apply_edits([_replace("u.py", "value = 'ß'\n", "value = 'ẞ'\n")], project)
    assert result.ok
    assert (project / "u.py").read_bytes() == original.replace("'ß'", "'ẞ'").encode("utf-8")


def test_write_is_atomic_keeps_mode_and_leaves_no_temporary_files(project: Path) -> None:
    script = project / "run.sh"
    script.write_text("#!/bin/sh\necho 1\n")
    script.chmod(0o755)
    inode = script.stat().st_ino
    result = apply_edits([_replace("run.sh", "echo 1\n", "echo 2\n")], project)
    assert result.ok
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert script.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in project.iterdir()) == ["run.sh", "src"]


def test_new_file_in_new_folders_is_created_with_ordinary_permissions(project: Path) -> None:
    result = apply_edits([_replace("pkg/sub/mod.py", "", "X = 1\n")], project)
    assert result.ok and result.written == ("pkg/sub/mod.py",)
    created = project / "pkg/sub/mod.py"
    assert created.read_text() == "X = 1\n"
    assert stat.S_IMODE(created.stat().st_mode) & 0o644 == 0o644


def test_dry_run_reports_but_writes_nothing(project: Path) -> None:
    edits = [_replace("src/app.py", "    return 1\n", "    return 2\n"), _whole("n.py", "x\n", 1)]
    result = apply_edits(edits, project, dry_run=True)
    assert result.ok and result.dry_run
    assert set(result.written) == {"src/app.py", "n.py"}
    assert (project / "src/app.py").read_text() == "def main():\n    return 1\n"
    assert not (project / "n.py").exists()


def test_failed_and_applied_edits_of_one_reply_are_both_reported(project: Path) -> None:
    reply = (
        "src/app.py\n```python\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n"
        ">>>>>>> REPLACE\n```\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\ndef nothing_like_it():\n"
        "=======\ndef x():\n>>>>>>> REPLACE\n```\n\n../escape.py\n```python\n<<<<<<< SEARCH\n"
        "=======\nx = 1\n>>>>>>> REPLACE\n```\n"
    )
    result = apply_edits(parse_edits(reply), project)
    assert [a.index for a in result.applied] == [0]
    assert [(f.index, f.reason) for f in result.failed] == [(1, "no_match"), (2, "unsafe_path")]
    assert (project / "src/app.py").read_text() == "def main():\n    return 2\n"
    assert not (project.parent / "escape.py").exists()
    feedback = result.feedback()
    assert feedback.startswith("2 edits of your reply failed to apply.")
    assert "do not send them again" in feedback


def test_editing_a_missing_file_says_how_to_create_it(project: Path) -> None:
    result = apply_edits([_replace("nope.py", "x = 1\n", "x = 2\n")], project)
    assert [f.reason for f in result.failed] == ["missing_file"]
    assert "empty SEARCH" in result.failed[0].message


def test_a_directory_target_is_refused_not_crashed_on(project: Path) -> None:
    result = apply_edits([_whole("src", "x\n")], project)
    assert [f.reason for f in result.failed] == ["unreadable"]


def test_missing_root_is_a_workspace_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        apply_edits([], tmp_path / "absent")


def test_result_json_carries_applied_and_failed(project: Path) -> None:
    result = apply_edits(
        [_replace("src/app.py", "    return 1\n", "    return 2\n"), _whole("/etc/x", "", 1)],
        project,
    )
    data = result.to_json()
    assert data["applied"][0]["path"] == "src/app.py"
    assert data["failed"][0]["reason"] == "unsafe_path"
    assert {"path", "reason", "message", "closest", "closest_lines"} <= set(data["failed"][0])


def test_write_that_the_file_system_refuses_becomes_a_failure(project: Path) -> None:
    result = apply_edits([_replace("src/app.py/child.py", "", "x = 1\n")], project)
    assert [f.reason for f in result.failed] == ["unreadable"]
    assert "could not be written" in result.failed[0].message
    assert (project / "src/app.py").read_text() == "def main():\n    return 1\n"
