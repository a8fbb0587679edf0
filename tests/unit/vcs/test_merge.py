"""Merge plans: an agent's commit merged three-way into the user's current state with git's own
merge-file, against real repositories, snapshots and worktrees; nothing written by planning."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from orchard.errors import PathSafetyError
from orchard.vcs.apply_plan import AppliedPlan, apply_plan, moved_paths
from orchard.vcs.merge import plan_merge
from orchard.vcs.merge_plan import MARKER_BASE, MARKER_OURS, FileChangeKind, MergePlan
from orchard.vcs.snapshot import create_snapshot
from orchard.vcs.worktree import commit_worktree, create_worktree
from tests.support.gitrepo import GitRepo
from tests.unit.vcs.userstate import user_state

LINES = "".join(f"line {n}\n" for n in range(1, 21))


def edited(text: str, number: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[number - 1] = new + "\n"
    return "".join(lines)


AgentWork = Callable[[dict[str, str | bytes | None]], MergePlan]


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo({"a.txt": LINES, "b.txt": "bee\n", "tool.sh": "echo hi\n"})


def agent_commit(repo: GitRepo, files: dict[str, str | bytes | None]) -> tuple[str, str]:
    """Snapshot the repo, let an 'agent' write `files` (None deletes) in its worktree, commit."""
    snapshot = create_snapshot(repo.root, "t1")
    worktree = create_worktree(snapshot, "a1")
    for path, content in files.items():
        target = worktree.path / path
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    commit = commit_worktree(worktree, "agent work", "test/model")
    assert commit is not None
    return snapshot.commit, commit


def plan(repo: GitRepo, base: str, commit: str, **buffers: str) -> MergePlan:
    return plan_merge(repo.root, "t1", "a1", base, commit, buffers)


def test_user_edits_of_other_lines_after_the_snapshot_are_kept_with_the_agents(
    repo: GitRepo,
) -> None:
    base, commit = agent_commit(repo, {"a.txt": edited(LINES, 3, "agent 3")})
    repo.write("a.txt", edited(LINES, 17, "user 17"))
    before = user_state(repo)
    merge = plan(repo, base, commit)
    assert user_state(repo) == before  # planning writes nothing
    assert merge.is_clean
    (file,) = merge.files
    assert file.kind is FileChangeKind.MODIFIED
    assert file.current == edited(LINES, 17, "user 17").encode()
    assert file.result == edited(edited(LINES, 3, "agent 3"), 17, "user 17").encode()


def test_an_unsaved_buffer_is_what_the_merge_uses(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"a.txt": edited(LINES, 3, "agent 3")})
    repo.write("a.txt", edited(LINES, 10, "on disk 10"))
    buffer = edited(LINES, 19, "buffer 19")
    (file,) = plan(repo, base, commit, **{"a.txt": buffer}).files
    assert file.from_buffer
    assert file.current == buffer.encode()
    assert file.result is not None and b"buffer 19" in file.result
    assert b"on disk 10" not in file.result


def test_both_changing_one_line_is_a_conflict_with_diff3_markers_and_0_based_lines(
    repo: GitRepo,
) -> None:
    base, commit = agent_commit(repo, {"a.txt": edited(LINES, 5, "agent 5")})
    repo.write("a.txt", edited(LINES, 5, "user 5"))
    merge = plan(repo, base, commit)
    (file,) = merge.conflicts
    assert file.kind is FileChangeKind.CONFLICT
    (region,) = file.conflicts
    assert file.result is not None
    lines = file.result.decode().splitlines()
    assert lines[region.start_line] == MARKER_OURS
    assert lines[region.end_line - 1] == ">>>>>>> a1"
    assert MARKER_BASE in lines[region.start_line : region.end_line]
    assert (region.ours, region.base, region.theirs) == ("user 5\n", "line 5\n", "agent 5\n")
    assert region.start_line == 4


def test_agent_deleting_a_file_the_user_changed_is_a_conflict_keeping_the_users(
    repo: GitRepo,
) -> None:
    base, commit = agent_commit(repo, {"b.txt": None, "a.txt": edited(LINES, 1, "agent 1")})
    repo.write("b.txt", "bee changed by the user\n")
    merge = plan(repo, base, commit)
    b = merge.file("b.txt")
    assert b is not None and b.kind is FileChangeKind.CONFLICT
    assert b.result == b"bee changed by the user\n"
    assert b.conflicts[0].note
    a = merge.file("a.txt")
    assert a is not None and a.kind is FileChangeKind.MODIFIED


def test_agent_deleting_an_untouched_file_deletes_it(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"b.txt": None})
    repo.write("a.txt", edited(LINES, 1, "user edits another file"))
    merge = plan(repo, base, commit)
    (b,) = merge.files
    assert (b.path, b.kind, b.result) == ("b.txt", FileChangeKind.DELETED, None)
    applied = apply_plan(repo.root, merge)
    assert applied.deleted == ("b.txt",)
    assert not (repo.root / "b.txt").exists()
    assert "user edits another file" in (repo.root / "a.txt").read_text()


def test_agent_creating_a_path_the_user_also_created_differently_conflicts(
    repo: GitRepo,
) -> None:
    base, commit = agent_commit(repo, {"new/mod.py": "X = 1\n", "other.py": "Y = 2\n"})
    repo.write("new/mod.py", "X = 'user'\n")
    merge = plan(repo, base, commit)
    clash = merge.file("new/mod.py")
    assert clash is not None and clash.kind is FileChangeKind.CONFLICT
    assert clash.conflicts[0].ours == "X = 'user'\n" and clash.conflicts[0].theirs == "X = 1\n"
    created = merge.file("other.py")
    assert created is not None and created.kind is FileChangeKind.CREATED
    assert created.current is None and created.result == b"Y = 2\n"


def test_binary_file_is_taken_when_the_user_left_it_else_a_markerless_conflict(
    repo: GitRepo,
) -> None:
    repo.commit("images", {"logo.bin": b"\0\1\2", "icon.bin": b"\0\3"})
    base, commit = agent_commit(repo, {"logo.bin": b"\0\1\2\3", "icon.bin": b"\0\4"})
    repo.write("icon.bin", b"\0\5")
    merge = plan(repo, base, commit)
    logo, icon = merge.file("logo.bin"), merge.file("icon.bin")
    assert logo is not None and logo.binary and logo.result == b"\0\1\2\3" and not logo.unresolved
    assert icon is not None and icon.binary and icon.kind is FileChangeKind.CONFLICT
    assert icon.result == b"\0\5" and icon in merge.conflicts
    (region,) = icon.conflicts
    assert (region.start_line, region.end_line) == (0, 0) and region.note  # no markers


def test_a_rename_with_edits_on_both_sides_merges_into_the_new_path(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"a.txt": None, "moved/a.txt": edited(LINES, 2, "agent 2")})
    repo.write("a.txt", edited(LINES, 18, "user 18"))
    merge = plan(repo, base, commit)
    (file,) = merge.files
    assert (file.kind, file.path, file.old_path) == (FileChangeKind.RENAMED, "moved/a.txt", "a.txt")
    apply_plan(repo.root, merge)
    assert not (repo.root / "a.txt").exists()
    text = (repo.root / "moved/a.txt").read_text()
    assert "agent 2" in text and "user 18" in text


def test_only_files_the_agent_changed_are_planned(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"b.txt": "bee by agent\n"})
    repo.write("a.txt", "the user rewrote this\n")
    repo.write("untracked.txt", "mine\n")
    assert [f.path for f in plan(repo, base, commit).files] == ["b.txt"]


def test_symlink_out_of_the_root_is_refused(repo: GitRepo, tmp_path: Path) -> None:
    base, commit = agent_commit(repo, {"linked/x.txt": "inside\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, repo.root / "linked")
    with pytest.raises(PathSafetyError):
        plan(repo, base, commit)


def test_buffer_path_escaping_the_root_is_refused(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"b.txt": "x\n"})
    with pytest.raises(PathSafetyError):
        plan_merge(repo.root, "t1", "a1", base, commit, {"../evil.txt": "x"})


def test_apply_keeps_the_files_mode_and_never_touches_index_head_or_branch(
    repo: GitRepo,
) -> None:
    os.chmod(repo.root / "tool.sh", 0o755)
    repo.commit("executable")
    base, commit = agent_commit(repo, {"tool.sh": "echo agent\n", "a.txt": edited(LINES, 1, "x")})
    index = (repo.root / ".git/index").read_bytes()
    head, branch = repo.head(), repo.git("symbolic-ref", "HEAD")
    applied = apply_plan(repo.root, plan(repo, base, commit))
    assert sorted(applied.written) == ["a.txt", "tool.sh"]
    assert (repo.root / "tool.sh").stat().st_mode & 0o777 == 0o755
    assert (repo.root / ".git/index").read_bytes() == index
    assert (repo.root / "tool.sh").read_text() == "echo agent\n"
    assert (repo.head(), repo.git("symbolic-ref", "HEAD")) == (head, branch)
    status = repo.git("status", "--porcelain")
    assert status.splitlines() == [" M a.txt", " M tool.sh"]  # worktree side only, nothing staged


def test_a_file_changed_after_planning_is_reported_as_moved(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"a.txt": edited(LINES, 3, "agent 3")})
    merge = plan(repo, base, commit)
    assert moved_paths(repo.root, merge) == []
    repo.write("a.txt", edited(LINES, 9, "typed meanwhile"))
    assert moved_paths(repo.root, merge) == ["a.txt"]


def test_buffered_files_are_not_compared_with_the_disk(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"a.txt": edited(LINES, 3, "agent 3")})
    merge = plan(repo, base, commit, **{"a.txt": edited(LINES, 9, "buffer")})
    assert moved_paths(repo.root, merge) == []


def test_agent_creating_a_file_while_the_user_edited_another_creates_it(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"pkg/new.py": "NEW = 1\n"})
    repo.write("b.txt", "the user's own edit\n")
    merge = plan(repo, base, commit)
    (created,) = merge.files
    assert (created.path, created.kind, created.current) == (
        "pkg/new.py",
        FileChangeKind.CREATED,
        None,
    )
    assert apply_plan(repo.root, merge).written == ("pkg/new.py",)
    assert (repo.root / "pkg/new.py").read_text() == "NEW = 1\n"
    assert (repo.root / "b.txt").read_text() == "the user's own edit\n"


def test_a_rename_onto_a_file_the_user_made_keeps_both_of_the_users_files(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"b.txt": None, "c.txt": "bee\n"})
    repo.write("c.txt", "the user's own c\n")
    merge = plan(repo, base, commit)
    (file,) = merge.conflicts
    assert (file.path, file.result) == ("c.txt", b"the user's own c\n")
    apply_plan(repo.root, merge)
    assert (repo.root / "b.txt").read_text() == "bee\n"
    assert (repo.root / "c.txt").read_text() == "the user's own c\n"


def test_a_file_the_user_deleted_but_the_agent_changed_stays_deleted(repo: GitRepo) -> None:
    base, commit = agent_commit(repo, {"b.txt": "bee by the agent\n"})
    (repo.root / "b.txt").unlink()
    merge = plan(repo, base, commit)
    (file,) = merge.conflicts
    assert file.current is None and file.result is None and file.unresolved[0].note
    assert apply_plan(repo.root, merge) == AppliedPlan((), ())
    assert not (repo.root / "b.txt").exists()
