"""`orchard map` from the shell: text or JSON, focus and mentions honoured, budget kept."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.gitrepo import GitRepo


def _orchard(*args: str, cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchard", *args], cwd=cwd, capture_output=True, text=True
    )


def test_map_json_lists_files_in_rank_order_with_scores(shop_repo: GitRepo) -> None:
    done = _orchard(
        "map",
        "--focus",
        "shop/checkout.py",
        "--mention",
        "Money",
        "--tokens",
        "300",
        "--json",
        cwd=str(shop_repo.root),
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    paths = [entry["path"] for entry in payload["files"]]
    assert paths[0] == "shop/billing.py"  # what checkout calls
    assert "shop/money.py" in paths[:3]  # the mentioned class
    assert "shop/checkout.py" not in paths  # the focus is already in context
    assert payload["tokens"] <= 300 == payload["budget"]
    assert payload["text"].startswith("shop/billing.py:\n")
    assert "indexing [" not in done.stderr  # no progress bar when stderr is not a terminal


def test_map_text_goes_to_stdout(shop_repo: GitRepo) -> None:
    done = _orchard("map", "--root", str(shop_repo.root), "--tokens", "128", cwd="/")
    assert done.returncode == 0, done.stderr
    assert "shop/" in done.stdout
