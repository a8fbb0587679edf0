"""Snapshots capture the user's working state without changing anything of the user's."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from orchard.errors import PathSafetyError, WorkspaceError
from orchard.vcs.snapshot import create_snapshot, load_snapshot, snapshot_ref
from tests.support.gitrepo import GitRepo, init_repo
from tests.unit.vcs.userstate import user_state


def show(repo: GitRepo, commit: str, path: str) -> bytes:
    done = subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=repo.root, capture_output=True, check=True
    )
    return done.stdout


def tree_paths(repo: GitRepo, commit: str) -> set[str]:
    return set(repo.git("ls-tree", "-r", "--name-only", commit).splitlines())


@pytest.fixture
def dirty_repo(git_repo: GitRepo) -> GitRepo:
    """The shared repo plus a stash, a staged edit, a staged-then-edited file and a deletion."""
    git_repo.write("README.md", "# stashed change\n")
    git_repo.git("stash", "push", "-q", "-m", "user stash")
    git_repo.write("src/app.py", "def greet(name):\n    return f'hi {name}'\n")
    git_repo.git("add", "src/app.py")  # staged
    git_repo.write("src/util.py", "def add(a, b):\n    return a + b + 0\n")
    git_repo.git("add", "src/util.py")
    git_repo.write("src/util.py", "def add(a, b):\n    return b + a\n")  # staged, then edited
    (git_repo.root / "README.md").unlink()  # unstaged deletion
    git_repo.write("src/new_module.py", "VALUE = 1\n")  # untracked
    git_repo.write("build/output.log", "ignored too\n")  # ignored
    return git_repo


def test_snapshot_captures_staged_unstaged_and_untracked_files(dirty_repo: GitRepo) -> None:
    snapshot = create_snapshot(dirty_repo.root, "t1")

    assert (
        show(dirty_repo, snapshot.commit, "src/app.py")
        == b"def greet(name):\n    return f'hi {name}'\n"
    )
    assert show(dirty_repo, snapshot.commit, "src/util.py") == b"def add(a, b):\n    return b + a\n"
    assert show(dirty_repo, snapshot.commit, "src/new_module.py") == b"VALUE = 1\n"
    paths = tree_paths(dirty_repo, snapshot.commit)
    assert "README.md" not in paths
    assert "notes.txt" in paths
    assert "debug.log" not in paths and "build/output.log" not in paths
    assert set(snapshot.changed_paths) == {
        "README.md",
        "notes.txt",
        "src/app.py",
        "src/new_module.py",
        "src/util.py",
    }


def test_snapshot_leaves_every_user_byte_untouched(dirty_repo: GitRepo) -> None:
    before = user_state(dirty_repo)

    create_snapshot(dirty_repo.root, "t1", {"src/app.py": "unsaved\n", "brand_new.py": "x = 1\n"})

    assert user_state(dirty_repo) == before


def test_snapshot_commit_has_head_as_parent_and_is_kept_by_a_ref(dirty_repo: GitRepo) -> None:
    snapshot = create_snapshot(dirty_repo.root, "t1")

    assert dirty_repo.git("rev-parse", f"{snapshot.commit}^").strip() == dirty_repo.head()
    assert snapshot.ref == snapshot_ref("t1") == "refs/orchard/tasks/t1/base"
    assert dirty_repo.git("rev-parse", snapshot.ref).strip() == snapshot.commit
    assert snapshot.head == dirty_repo.head()
    assert snapshot.branch == "main"


def test_unsaved_buffers_override_disk_and_add_new_files(git_repo: GitRepo) -> None:
    snapshot = create_snapshot(
        git_repo.root, "t2", {"src/app.py": "print('unsaved')\n", "pkg/fresh.py": "NEW = True\n"}
    )

    assert show(git_repo, snapshot.commit, "src/app.py") == b"print('unsaved')\n"
    assert show(git_repo, snapshot.commit, "pkg/fresh.py") == b"NEW = True\n"
    assert not (git_repo.root / "pkg").exists()
    assert {"src/app.py", "pkg/fresh.py"} <= set(snapshot.changed_paths)


def test_buffer_of_an_ignored_file_is_left_out(git_repo: GitRepo) -> None:
    snapshot = create_snapshot(git_repo.root, "t3", {"secret.log": "token=abc\n"})

    assert "secret.log" not in tree_paths(git_repo, snapshot.commit)


def test_buffer_keeps_the_executable_mode_of_its_file(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo({"run.sh": "#!/bin/sh\necho old\n"})
    (repo.root / "run.sh").chmod(0o755)
    repo.commit("make it executable")

    snapshot = create_snapshot(repo.root, "t4", {"run.sh": "#!/bin/sh\necho new\n"})

    assert repo.git("ls-tree", snapshot.commit, "run.sh").split()[0] == "100755"
    assert show(repo, snapshot.commit, "run.sh") == b"#!/bin/sh\necho new\n"


@pytest.mark.parametrize("bad", ["../outside.py", "/etc/passwd", ".git/config", "a/../../b", ""])
def test_buffer_paths_outside_the_repository_are_refused(git_repo: GitRepo, bad: str) -> None:
    with pytest.raises(PathSafetyError):
        create_snapshot(git_repo.root, "t5", {bad: "x"})


def test_snapshot_works_on_a_detached_head(git_repo: GitRepo) -> None:
    first = git_repo.git("rev-parse", "HEAD~1").strip()
    git_repo.git("checkout", "-q", "--detach", first)
    git_repo.write("src/app.py", "detached edit\n")

    snapshot = create_snapshot(git_repo.root, "t6")

    assert snapshot.branch is None
    assert snapshot.head == first
    assert show(git_repo, snapshot.commit, "src/app.py") == b"detached edit\n"
    assert git_repo.git("rev-parse", "HEAD").strip() == first


def test_clean_repository_gives_an_empty_change_list(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo({"a.txt": "a\n"})

    snapshot = create_snapshot(repo.root, "t7")

    assert snapshot.is_clean
    assert repo.git("rev-parse", f"{snapshot.commit}^{{tree}}") == repo.git(
        "rev-parse", "HEAD^{tree}"
    )


def test_repository_without_commits_is_refused_clearly(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "empty")

    with pytest.raises(WorkspaceError, match="no commit yet"):
        create_snapshot(repo.root, "t8")


def test_bare_repository_is_refused_clearly(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "bare.git")], check=True)

    with pytest.raises(WorkspaceError, match="bare repository"):
        create_snapshot(tmp_path / "bare.git", "t9")


def test_folder_outside_any_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError):
        create_snapshot(tmp_path, "t10")


def test_non_utf8_file_name_is_captured(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo({"a.txt": "a\n"})
    name = b"caf\xe9.txt"
    (repo.root / os.fsdecode(name)).write_bytes(b"latin-1 name\n")

    snapshot = create_snapshot(repo.root, "t11")

    listing = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--name-only", snapshot.commit],
        cwd=repo.root,
        capture_output=True,
        check=True,
    ).stdout
    assert name in listing.split(b"\0")
    assert os.fsdecode(name) in snapshot.changed_paths


def test_submodule_is_recorded_as_its_commit(make_repo: Callable[..., GitRepo]) -> None:
    inner = make_repo({"lib.py": "X = 1\n"}, name="inner")
    outer = make_repo({"main.py": "import lib\n"}, name="outer")
    outer.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(inner.root),
        "vendor/inner",
    )
    outer.git("commit", "-q", "-m", "add submodule")
    (outer.root / "vendor/inner/lib.py").write_text("X = 2\n")  # dirty inside the submodule
    outer.write("main.py", "import lib  # edited\n")

    snapshot = create_snapshot(outer.root, "t12")

    entry = outer.git("ls-tree", snapshot.commit, "vendor/inner").split()
    assert entry[0] == "160000" and entry[2] == inner.head()
    assert show(outer, snapshot.commit, "main.py") == b"import lib  # edited\n"


def test_load_snapshot_returns_what_create_snapshot_made(dirty_repo: GitRepo) -> None:
    made = create_snapshot(dirty_repo.root, "t13", {"extra.py": "E = 1\n"})

    loaded = load_snapshot(dirty_repo.root, "t13")

    assert loaded == made


def test_load_snapshot_of_unknown_task_is_refused(git_repo: GitRepo) -> None:
    with pytest.raises(WorkspaceError, match="no snapshot"):
        load_snapshot(git_repo.root, "missing")


def test_snapshot_from_a_subfolder_covers_the_whole_repository(dirty_repo: GitRepo) -> None:
    snapshot = create_snapshot(dirty_repo.root / "src", "t14")

    assert "notes.txt" in tree_paths(dirty_repo, snapshot.commit)
    assert snapshot.root == dirty_repo.root.resolve()


def test_buffer_inside_a_submodule_is_left_out(make_repo: Callable[..., GitRepo]) -> None:
    inner = make_repo({"lib.py": "X = 1\n"}, name="inner")
    outer = make_repo({"main.py": "M = 1\n"}, name="outer")
    outer.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.root), "vendor"
    )
    outer.git("commit", "-q", "-m", "add submodule")

    snapshot = create_snapshot(
        outer.root, "t15", {"vendor/lib.py": "X = 2\n", "main.py": "M = 2\n"}
    )

    assert show(outer, snapshot.commit, "main.py") == b"M = 2\n"
    assert outer.git("ls-tree", snapshot.commit, "vendor").split()[2] == inner.head()


def test_snapshot_of_a_users_linked_worktree_uses_its_own_index(git_repo: GitRepo) -> None:
    linked = git_repo.root.parent / "linked"
    git_repo.git("worktree", "add", "-q", str(linked), "feature")
    (linked / "src/app.py").write_text("edited in the linked worktree\n")
    main_index = (git_repo.root / ".git/index").read_bytes()

    snapshot = create_snapshot(linked, "t16")

    assert snapshot.branch == "feature"
    assert show(git_repo, snapshot.commit, "src/app.py") == b"edited in the linked worktree\n"
    assert "notes.txt" not in tree_paths(git_repo, snapshot.commit)  # untracked in main only
    assert (git_repo.root / ".git/index").read_bytes() == main_index
