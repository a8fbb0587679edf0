"""Co-change mining: bounded, incremental, shared through the state database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchard.memory.tag_cache import TagStore
from orchard.repomap.cochange import CoChange, mine_history
from tests.support.gitrepo import GitRepo


def test_files_committed_together_become_partners(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit("api and schema", {"api.py": "a = 1\n", "schema.graphql": "type A\n"})
    git_repo.commit("api and schema again", {"api.py": "a = 2\n", "schema.graphql": "type B\n"})
    git_repo.commit("api and docs", {"api.py": "a = 3\n", "docs.md": "x\n"})
    cochange = CoChange(mine_history(git_repo.root, TagStore(tmp_path / "s.db", "v")))
    partners = dict(cochange.partners("api.py"))
    assert partners["schema.graphql"] > partners["docs.md"] > 0
    assert cochange.change_counts()["api.py"] == 3


def test_commits_are_read_from_git_once_then_from_the_store(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    git_repo = make_repo()
    store = TagStore(tmp_path / "s.db", "v")
    git_repo.commit("pair", {"a.py": "1\n", "b.py": "2\n"})
    first = mine_history(git_repo.root, store)
    sha = git_repo.head()
    assert store.commits([sha]) == {sha: ("a.py", "b.py")}
    git_repo.commit("new pair", {"c.py": "3\n", "d.py": "4\n"})
    second = mine_history(git_repo.root, store)
    assert second[0] == ("c.py", "d.py") and second[1:] == first


def test_huge_commits_and_the_limit_bound_the_cost(git_repo: GitRepo, tmp_path: Path) -> None:
    store = TagStore(tmp_path / "s.db", "v")
    git_repo.commit("bulk", {f"gen/f{i}.py": f"{i}\n" for i in range(40)})
    git_repo.commit("pair", {"x.py": "1\n", "y.py": "2\n"})
    commits = mine_history(git_repo.root, store, max_files=30)
    assert all(len(files) <= 30 for files in commits)
    assert mine_history(git_repo.root, store, limit=1) == [("x.py", "y.py")]


def test_folder_without_git_has_no_history(tmp_path: Path) -> None:
    assert mine_history(tmp_path, None) == []
