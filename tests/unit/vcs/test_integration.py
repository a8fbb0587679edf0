"""vcs/integration.py on real repositories: merge-tree merges, diff3 conflict regions, one-sided
deletions and binaries kept whole, commits with chosen contents, the git version check."""

from __future__ import annotations

import dataclasses

import pytest

from orchard.errors import GitError
from orchard.vcs.integration import (
    check_merge_tree_version,
    commit_merge,
    file_at,
    merge_commits,
    parse_conflict_regions,
    require_merge_tree,
)
from orchard.vcs.merge_plan import FileChangeKind
from orchard.vcs.repository import git_common_dir
from tests.support.gitrepo import GitRepo

BASE = "def greet(name):\n    return name\n\n\ndef add(a, b):\n    return a + b\n"


def two_sides(repo: GitRepo, ours: dict[str, str | bytes], theirs: dict[str, str | bytes],
              drop: tuple[str, ...] = ()) -> tuple[str, str]:  # fmt: skip
    base = repo.head()
    repo.git("checkout", "-q", "-b", "ours")
    one = repo.commit("ours", ours)
    repo.git("checkout", "-q", "-b", "theirs", base)
    for path in drop:
        repo.git("rm", "-q", path)
    two = repo.commit("theirs", theirs)
    repo.git("checkout", "-q", "main")
    return one, two


def test_different_functions_merge_cleanly(git_repo: GitRepo) -> None:
    git_repo.commit("base", {"m.py": BASE})
    one, two = two_sides(
        git_repo,
        {"m.py": BASE.replace("return name", "return name.title()")},
        {"m.py": BASE.replace("a + b", "int(a) + int(b)")},
    )
    merge = merge_commits(git_repo.root, one, two, "a2")
    assert merge.clean
    commit = commit_merge(git_repo.root, git_common_dir(git_repo.root), merge, [], [one, two], "m")
    text = (file_at(git_repo.root, commit, "m.py") or b"").decode()
    assert "name.title()" in text and "int(a) + int(b)" in text
    assert git_repo.git("rev-parse", f"{commit}^2").strip() == two


def test_same_line_conflict_gives_diff3_regions_at_the_marker_lines(git_repo: GitRepo) -> None:
    git_repo.commit("base", {"m.py": BASE})
    one, two = two_sides(
        git_repo,
        {"m.py": BASE.replace("return name", "return name.upper()")},
        {"m.py": BASE.replace("return name", "return name.lower()")},
    )
    merge = merge_commits(git_repo.root, one, two, "a2")
    (plan,) = merge.conflicts
    assert plan.kind is FileChangeKind.CONFLICT and plan.path == "m.py"
    assert plan.current == BASE.replace("return name", "return name.upper()").encode()
    (region,) = plan.conflicts
    lines = (plan.result or b"").decode().splitlines()
    assert lines[region.start_line] == "<<<<<<< integration"
    assert lines[region.end_line - 1] == ">>>>>>> a2"
    assert (region.ours, region.base, region.theirs) == (
        "    return name.upper()\n",
        "    return name\n",
        "    return name.lower()\n",
    )


def test_chosen_contents_replace_gits_in_the_commit(git_repo: GitRepo) -> None:
    git_repo.commit("base", {"m.py": BASE})
    one, two = two_sides(
        git_repo,
        {"m.py": BASE.replace("return name", "return 1")},
        {"m.py": BASE.replace("return name", "return 2")},
    )
    merge = merge_commits(git_repo.root, one, two, "a2")
    settled = dataclasses.replace(merge.conflicts[0], result=b"settled\n")
    common = git_common_dir(git_repo.root)
    commit = commit_merge(git_repo.root, common, merge, [settled], [one, two], "m")
    assert file_at(git_repo.root, commit, "m.py") == b"settled\n"
    assert git_repo.git("status", "--porcelain") == ""  # the user's index and tree untouched


def test_a_file_deleted_on_one_side_keeps_the_edited_version_and_is_reported(
    git_repo: GitRepo,
) -> None:
    git_repo.commit("base", {"m.py": BASE})
    one, two = two_sides(git_repo, {"m.py": BASE + "# edited\n"}, {}, drop=("m.py",))
    merge = merge_commits(git_repo.root, one, two, "a2")
    (plan,) = merge.conflicts
    assert plan.result == (BASE + "# edited\n").encode()
    assert plan.unresolved and "deleted" in (plan.conflicts[0].note or "")


def test_binary_conflicts_keep_the_integrated_side(git_repo: GitRepo) -> None:
    git_repo.commit("base", {"logo.bin": b"\0base"})
    one, two = two_sides(git_repo, {"logo.bin": b"\0ours"}, {"logo.bin": b"\0theirs"})
    (plan,) = merge_commits(git_repo.root, one, two, "a2").conflicts
    assert plan.binary and plan.result == b"\0ours" and plan.unresolved


def test_parse_conflict_regions_ignores_markers_of_other_labels() -> None:
    text = "a\n<<<<<<< yours\nx\n=======\ny\n>>>>>>> other\nb\n"
    assert parse_conflict_regions(text, "a2") == ()


def test_git_older_than_2_38_is_refused_by_name(git_repo: GitRepo) -> None:
    require_merge_tree(git_repo.root)  # this machine's git is new enough
    check_merge_tree_version("git version 2.38.0")
    with pytest.raises(GitError, match=r"2\.37\.1"):
        check_merge_tree_version("git version 2.37.1")
