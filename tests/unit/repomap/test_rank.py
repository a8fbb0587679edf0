"""Ranking: the request's mentions and focus pull the right files up, deterministically."""

from __future__ import annotations

import random

from orchard.repomap import MapRequest, RepoMap
from orchard.repomap.cochange import CoChange
from orchard.repomap.graph import FileSymbols, SymbolGraph
from orchard.repomap.pairing import TestPairs
from orchard.repomap.rank import Ranker
from tests.support.gitrepo import GitRepo


def test_mentioned_identifier_pulls_its_definer_and_callers_to_the_top(
    shop_repo: GitRepo,
) -> None:
    repo_map = RepoMap.open(shop_repo.root)
    ranking = repo_map.rank(MapRequest(mentioned_identifiers=("compute_invoice_total",)))
    top = [path for path, _ in ranking.files]
    assert top[0] == "shop/billing.py"
    callers = {"shop/checkout.py", "shop/reports.py", "tests/test_billing.py"}
    assert callers <= set(top[1:5])
    assert top.index("shop/users.py") > 4 and top.index("shop/catalog.py") > 4


def test_task_text_mentions_work_like_explicit_ones(shop_repo: GitRepo) -> None:
    repo_map = RepoMap.open(shop_repo.root)
    ranking = repo_map.rank(MapRequest(task_text="Make compute_invoice_total round to cents"))
    assert ranking.files[0][0] == "shop/billing.py"
    by_file = repo_map.rank(MapRequest(task_text="Fix the search in shop/search.py please"))
    assert by_file.files[0][0] == "shop/search.py"


def test_focus_file_is_ranked_from_but_not_shown(shop_repo: GitRepo) -> None:
    repo_map = RepoMap.open(shop_repo.root)
    rendered = repo_map.render(MapRequest(focus_files=("shop/search.py",), tokens=256))
    shown = [path for path, _ in rendered.files]
    assert "shop/search.py" not in shown
    assert shown[0] == "shop/catalog.py"  # what search.py uses comes first
    assert "def list_products" in rendered.text


def test_test_file_follows_its_subject_by_name(shop_repo: GitRepo) -> None:
    repo_map = RepoMap.open(shop_repo.root)
    shown = [p for p, _ in repo_map.rank(MapRequest(focus_files=("shop/billing.py",))).files]
    assert shown.index("tests/test_billing.py") < shown.index("shop/users.py")


def test_files_that_changed_together_pull_each_other_up(shop_repo: GitRepo) -> None:
    for round_ in range(3):
        shop_repo.commit(
            f"users and schema {round_}",
            {
                "shop/users.py": f"class UserAccount:\n    version = {round_}\n",
                "shop/schema.graphql": f"type User {{ id: ID{round_} }}\n",
            },
        )
    repo_map = RepoMap.open(shop_repo.root)
    shown = [p for p, _ in repo_map.rank(MapRequest(focus_files=("shop/users.py",))).files]
    assert shown[1] == "shop/schema.graphql"  # shares no identifier, only history


def _graph(order: list[str]) -> SymbolGraph:
    graph = SymbolGraph()
    files = {
        f"m{i}.py": FileSymbols(
            defines=(f"func_{i}",), references=((f"func_{(i * 7 + 3) % 30}", 1 + i % 3),)
        )
        for i in range(30)
    }
    for name in order:
        graph.set_file(name, files[name])
    return graph


def test_ranking_does_not_depend_on_the_order_files_arrived() -> None:
    names = [f"m{i}.py" for i in range(30)]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    first = Ranker(_graph(names), CoChange(), TestPairs(names)).rank({"m3.py": 1.0})
    second = Ranker(_graph(shuffled), CoChange(), TestPairs(names)).rank({"m3.py": 1.0})
    assert first == second
    assert first.files[0][0] == "m3.py"


def test_incremental_edge_updates_match_a_fresh_graph() -> None:
    names = [f"m{i}.py" for i in range(30)]
    graph = _graph(names)
    ranker = Ranker(graph, CoChange(), TestPairs(names))
    ranker.rank({"m1.py": 1.0})  # fills the edge cache
    changed = FileSymbols(defines=("func_10", "brand_new"), references=(("func_1", 2),))
    graph.set_file("m5.py", changed)
    fresh = _graph(names)
    fresh.set_file("m5.py", changed)
    expected = Ranker(fresh, CoChange(), TestPairs(names)).rank({"m1.py": 1.0})
    assert ranker.rank({"m1.py": 1.0}) == expected
