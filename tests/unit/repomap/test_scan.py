"""Which files the map covers: git's ignore rules, .orchardignore, settings, unreadable files."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from orchard.repomap.scan import FileStatus, filter_unignored, list_files, read_content
from orchard.vcs.queries import indexed_file_count
from tests.support.gitrepo import GitRepo


def test_listing_respects_gitignore_and_includes_untracked_files(git_repo: GitRepo) -> None:
    files = list_files(git_repo.root)
    assert "src/app.py" in files and "src/util.py" in files
    assert "notes.txt" in files  # untracked but not ignored
    assert "debug.log" not in files  # *.log is in .gitignore


def test_orchardignore_and_settings_exclude_are_applied(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo(
        {
            "app/main.py": "x = 1\n",
            "vendor/lib.py": "y = 2\n",
            "gen/out_pb2.py": "z = 3\n",
            ".orchardignore": "vendor/\n",
        }
    )
    files = list_files(repo.root, exclude=("*_pb2.py",))
    assert "app/main.py" in files
    assert "vendor/lib.py" not in files
    assert "gen/out_pb2.py" not in files


def test_filter_keeps_only_paths_git_would_list(git_repo: GitRepo) -> None:
    git_repo.write("new.py", "a = 1\n")
    git_repo.write("trace.log", "ignored\n")
    assert filter_unignored(git_repo.root, ["new.py", "trace.log"]) == {"new.py"}


def test_folder_outside_git_is_walked(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("a = 1\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x\n")
    assert list_files(tmp_path) == ["pkg/a.py"]


def test_binary_large_and_non_utf8_files_are_classified_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "image.py").write_bytes(b"\x89PNG\0\0\0data")
    (tmp_path / "big.py").write_bytes(b"x = 1\n" * 100)
    (tmp_path / "latin.py").write_bytes("name = 'café'\n".encode("latin-1"))
    (tmp_path / "ok.py").write_bytes(b"ok = True\n")
    assert read_content(tmp_path / "image.py", 1000).status is FileStatus.BINARY
    assert read_content(tmp_path / "big.py", 100).status is FileStatus.TOO_LARGE
    assert read_content(tmp_path / "latin.py", 1000).status is FileStatus.NOT_UTF8
    assert read_content(tmp_path / "gone.py", 1000).status is FileStatus.MISSING
    ok = read_content(tmp_path / "ok.py", 1000)
    assert ok.status is FileStatus.SOURCE and ok.data == b"ok = True\n"


def test_minified_bundles_are_listed_by_path_only(tmp_path: Path) -> None:
    (tmp_path / "bundle.js").write_text("var a=1;" * 2000)
    (tmp_path / "app.js").write_text("function main() {\n  return 1;\n}\n" * 200)
    assert read_content(tmp_path / "bundle.js", 1_000_000).status is FileStatus.MINIFIED
    assert read_content(tmp_path / "app.js", 1_000_000).status is FileStatus.SOURCE


def test_git_index_size_is_read_from_its_header_in_a_worktree_too(git_repo: GitRepo) -> None:
    tracked = git_repo.git("ls-files").split()
    assert indexed_file_count(git_repo.root) == len(tracked) > 0
    other = git_repo.root.parent / "other-worktree"
    git_repo.git("worktree", "add", "-q", "-b", "elsewhere", str(other))
    (other / "extra.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "extra.py"], cwd=other, check=True)
    assert indexed_file_count(other) == len(tracked) + 1  # its own index
    assert indexed_file_count(git_repo.root) == len(tracked)


def test_no_git_index_size_outside_a_repository(tmp_path: Path) -> None:
    assert indexed_file_count(tmp_path) is None
