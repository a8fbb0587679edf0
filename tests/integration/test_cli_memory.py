"""The real `orchard memory` command: index, search (text and JSON), stats, forget, misuse."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitrepo import GitRepo
from tests.unit.memory.conftest import FIXTURE_FILES


def orchard(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchard", "memory", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_index_search_stats_and_forget_from_the_shell(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo(FIXTURE_FILES)
    indexed = orchard(repo.root, "index", "--json")
    assert indexed.returncode == 0, indexed.stderr
    report = json.loads(indexed.stdout)
    assert sorted(report["rechunked"]) == sorted(FIXTURE_FILES)
    assert "embedding" in indexed.stderr  # progress goes to stderr, never stdout

    found = orchard(repo.root, "search", "exponential", "backoff", "--json", "--limit", "2")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 2
    assert (hits[0]["path"], hits[0]["name"], hits[0]["startLine"]) == (
        "src/retry.py",
        "backoff_delay",
        6,
    )
    text = orchard(repo.root, "search", "slugify title")
    assert "web/slug.ts:1-6  slugifyTitle" in text.stdout

    stats = json.loads(orchard(repo.root, "stats", "--json").stdout)
    assert stats["files"] == len(FIXTURE_FILES) and stats["embedder"] == "offline-hash/384"
    assert stats["vectors"] == stats["chunks"] > 0

    assert orchard(repo.root, "forget", "--file", "src/retry.py").returncode == 0
    after = json.loads(orchard(repo.root, "search", "backoff delay", "--json").stdout)
    assert all(hit.get("path") != "src/retry.py" for hit in after)
    assert orchard(repo.root, "forget", "--all").returncode == 0
    assert json.loads(orchard(repo.root, "stats", "--json").stdout)["chunks"] == 0


def test_misuse_is_refused_with_exit_2(tmp_path: Path, make_repo: Callable[..., GitRepo]) -> None:
    assert orchard(tmp_path, "stats").returncode == 2  # not a repository
    repo = make_repo()
    both = orchard(repo.root, "forget", "--task", "t1", "--all")
    assert both.returncode == 2
    assert orchard(repo.root, "search", "x", "--limit", "0").returncode == 2
    blank = orchard(repo.root, "search", " ")
    assert blank.returncode == 1 and "needs a query" in blank.stderr
