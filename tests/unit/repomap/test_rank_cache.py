"""The faster paths give the plain paths' results: pairing, stored rankings, graph snapshots."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from orchard.repomap import MapRequest, RepoIndex, RepoMap
from orchard.repomap.index import open_store
from orchard.repomap.pairing import _TEST_DIRS, TestPairs, split_test
from orchard.repomap.rank import RANK_VERSION, Ranker
from tests.support.gitrepo import GitRepo

_PATHS = [
    "shop/billing.py",
    "shop/models.py",
    "shop/tests/test_models.py",
    "shop/tests/models.py",
    "legacy/shop/models.py",
    "tests/shop/test_billing.py",
    "tests/models.py",
    "tests/deep/er/models.py",
    "web/cart.ts",
    "web/cart.spec.ts",
    "web/cart.py",
    "web/__tests__/cart.tsx",
    "src/a.h",
    "src/a_test.cc",
    "lib/.hidden.py",
    "lib/odd.",
    "pkg/__init__.py",
    "tests/pkg/__init__.py",
]


def _reference_partners(paths: list[str], rel_path: str) -> tuple[str, ...]:
    # The pathlib implementation this replaced: every candidate compared in full, then sorted.
    def nearness(a: str, b: str) -> tuple[int, int]:
        left = [p for p in PurePosixPath(a).parts[:-1] if p not in _TEST_DIRS]
        right = [p for p in PurePosixPath(b).parts[:-1] if p not in _TEST_DIRS]
        prefix = 0
        for x, y in zip(left, right, strict=False):
            if x != y:
                break
            prefix += 1
        return -len(set(left) & set(right)), -prefix

    families = ({".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"}, {".c", ".h", ".cc", ".cpp", ".hpp"})

    def same_family(a: str, b: str) -> bool:
        return a == b or any(a in f and b in f for f in families)

    is_test, stem = split_test(rel_path)
    pool = [p for p in paths if split_test(p) == (not is_test, stem) and p != rel_path]
    suffix = PurePosixPath(rel_path).suffix
    ranked = sorted(
        (p for p in pool if same_family(PurePosixPath(p).suffix, suffix)),
        key=lambda other: (*nearness(rel_path, other), other),
    )
    return tuple(ranked[:3])


def test_pairing_by_stem_gives_the_pathlib_results() -> None:
    pairs = TestPairs(_PATHS)
    for rel_path in _PATHS:
        assert pairs.partners(rel_path) == _reference_partners(_PATHS, rel_path), rel_path
    nearest = {"shop/tests/test_models.py", "shop/tests/models.py"}  # same folder once tests/ go
    assert set(pairs.partners("shop/models.py")[:2]) == nearest


def test_pairing_on_this_repository_matches_the_reference() -> None:
    root = Path(__file__).resolve().parents[3]
    listed = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    pairs = TestPairs(listed)
    for rel_path in listed:
        assert pairs.partners(rel_path) == _reference_partners(listed, rel_path), rel_path


def _plain(repo: GitRepo) -> RepoMap:
    index = RepoIndex(repo.root, store=None)  # no cache: every file parsed and linked one by one
    index.build()
    return RepoMap(index)


def _stored(repo: GitRepo) -> RepoMap:
    index = RepoIndex(repo.root, store=open_store(repo.root))
    index.build()
    return RepoMap(index)


def test_a_stored_global_ranking_is_the_computed_one(shop_repo: GitRepo) -> None:
    plain = _plain(shop_repo).rank(MapRequest())
    first = _stored(shop_repo)
    assert first.rank(MapRequest()) == plain
    key = f"{RANK_VERSION}/{first.index.fingerprint()}"
    assert first.index.store is not None and first.index.store.ranking(key) is not None
    again = _stored(shop_repo)  # another process: read back, not ranked
    assert again.index.fingerprint() == first.index.fingerprint()
    assert again.rank(MapRequest()) == plain
    assert (
        again.render(MapRequest(tokens=400)).text
        == _plain(shop_repo).render(MapRequest(tokens=400)).text
    )


def test_the_stored_ranking_follows_changes(shop_repo: GitRepo) -> None:
    before = _stored(shop_repo)
    old_key = before.index.fingerprint()
    before.rank(MapRequest())
    shop_repo.write(
        "shop/users.py", "from shop.money import Money\n\nclass UserAccount:\n    pass\n"
    )
    after = _stored(shop_repo)
    assert after.index.fingerprint() != old_key
    assert after.rank(MapRequest()) == _plain(shop_repo).rank(MapRequest())
    # An unsaved buffer changes the key too, and its ranking is computed, not read.
    after.index.update_document("shop/money.py", "class Money:\n    pass\n")
    assert after.index.fingerprint() != _stored(shop_repo).index.fingerprint()
    live = after.rank(MapRequest())
    ranker = Ranker(after.index.graph, after.index.cochange, after.index.pairs)
    assert live == ranker.rank({})


def test_warm_start_from_the_graph_snapshot_equals_a_fresh_index(shop_repo: GitRepo) -> None:
    _stored(shop_repo)
    shop_repo.write("shop/users.py", "class UserAccount:\n    def logout(self):\n        pass\n")
    shop_repo.write(
        "shop/coupons.py", "from shop.money import Money\n\ndef discount(m: Money):\n    return m\n"
    )
    (shop_repo.root / "shop" / "reports.py").unlink()
    warm = RepoIndex(shop_repo.root, store=open_store(shop_repo.root))
    stats = warm.build()
    assert stats.parsed == 2  # only the changed and the new file
    fresh = _plain(shop_repo).index
    assert warm.graph.files == fresh.graph.files
    assert warm.graph.definers == fresh.graph.definers
    assert warm.graph.referencers == fresh.graph.referencers
    assert set(warm.records) == set(fresh.records)
    request = MapRequest(focus_files=("shop/checkout.py",), tokens=500)
    assert RepoMap(warm).render(request).text == RepoMap(fresh).render(request).text
    # And the snapshot now holds the new state: the next start re-links nothing.
    assert RepoIndex(shop_repo.root, store=open_store(shop_repo.root)).build().parsed == 0


def test_an_unchanged_warm_start_parses_nothing(shop_repo: GitRepo) -> None:
    _stored(shop_repo)
    index = RepoIndex(shop_repo.root, store=open_store(shop_repo.root))
    stats = index.build()
    assert stats.parsed == 0 and stats.from_cache == stats.files
    assert index.graph.files == _plain(shop_repo).index.graph.files


def test_maps_after_edits_reuse_nothing_stale(shop_repo: GitRepo) -> None:
    # Each edit's map in a running index equals the map of a new index given the same buffer.
    live = _stored(shop_repo)
    request = MapRequest(active_file="shop/checkout.py", tokens=400)
    live.render(request)
    base = (shop_repo.root / "shop" / "checkout.py").read_text()
    texts = [
        base + "\n\ndef unused_helper(value):\n    return value\n",  # a name nobody uses
        base + "\n\ndef audit(user):\n    return UserAccount().login()\n",  # a new link
        base.replace("compute_invoice_total(cart.lines)", "list_products(cart)"),
        base,
    ]
    for text in texts:
        live.index.update_document("shop/checkout.py", text, defer_tags=True)
        fresh = _plain(shop_repo)
        fresh.index.update_document("shop/checkout.py", text)
        assert live.rank(request) == fresh.rank(request)
        assert live.render(request).text == fresh.render(request).text


def test_a_map_of_an_unchanged_tree_is_read_back_and_follows_changes(shop_repo: GitRepo) -> None:
    request = MapRequest(focus_files=("shop/checkout.py",), mentioned_identifiers=("Money",))
    first = _stored(shop_repo).render(request, tokens=300)
    again = _stored(shop_repo)
    read_back = again.render(request, tokens=300)
    assert (read_back.text, read_back.files, read_back.tokens) == (
        first.text,
        first.files,
        first.tokens,
    )
    assert again._ranked is None  # served from the state database: nothing was ranked
    assert read_back.text == _plain(shop_repo).render(request, tokens=300).text
    shop_repo.write("shop/money.py", "class Money:\n    def refund(self):\n        return self\n")
    changed = _stored(shop_repo).render(request, tokens=300)
    assert (
        "def refund" in changed.text
        and changed.text == _plain(shop_repo).render(request, tokens=300).text
    )


def test_maps_after_definitions_move_equal_a_fresh_index(shop_repo: GitRepo) -> None:
    # Files linked through a definition that goes, comes back or moves have their cached
    # links patched, not recomputed: the maps still equal those of a new index.
    live = _stored(shop_repo)
    requests = [
        MapRequest(active_file="shop/checkout.py", tokens=400),
        MapRequest(active_file="shop/billing.py", tokens=400),
    ]
    for request in requests:
        live.render(request)
    billing = (shop_repo.root / "shop" / "billing.py").read_text()
    texts = [
        billing.replace("def compute_invoice_total", "def compute_invoice_total_v2"),
        "def Money(cents):\n    return cents\n\n\n" + billing,  # a second definer of Money
        billing.replace("def compute_invoice_total(lines):", "def"),  # half typed: it hides
        billing,
    ]
    for text in texts:
        live.index.update_document("shop/billing.py", text, defer_tags=True)
        fresh = _plain(shop_repo)
        fresh.index.update_document("shop/billing.py", text)
        for request in requests:
            assert live.rank(request) == fresh.rank(request)
            assert live.render(request).text == fresh.render(request).text


def test_a_pause_in_typing_ranks_the_last_request_again(shop_repo: GitRepo) -> None:
    live = _stored(shop_repo)
    request = MapRequest(active_file="shop/checkout.py", tokens=400)
    live.render(request)
    billing = (shop_repo.root / "shop" / "billing.py").read_text()
    text = billing.replace("def compute_invoice_total(lines):", "def")  # links move
    live.index.update_document("shop/billing.py", text, defer_tags=True)
    before = live.index.rank_version  # the tags wait for the pause
    live.index.flush()  # the pause after typing: its idle time ranks the last request
    ranked = live._ranked
    assert live.index.rank_version != before
    assert ranked is not None and ranked[0][0] == live.index.rank_version
    fresh = _plain(shop_repo)
    fresh.index.update_document("shop/billing.py", text)
    assert ranked[1] == fresh.rank(request)
    assert live.rank(request) is ranked[1]  # the next map finds it done
    assert live.render(request).text == fresh.render(request).text


def test_a_map_read_back_leaves_the_stored_graph_undecoded_until_it_is_used(
    shop_repo: GitRepo,
) -> None:
    request = MapRequest(focus_files=("shop/checkout.py",), tokens=300)
    first = _stored(shop_repo).render(request)
    again = _stored(shop_repo)
    assert again.render(request).text == first.text
    assert again.index._deferred is not None  # the names of the stored graph were not needed
    assert again.index.files() == _plain(shop_repo).index.files()
    other = MapRequest(mentioned_identifiers=("UserAccount",), tokens=300)
    assert again.render(other).text == _plain(shop_repo).render(other).text
    assert again.index._deferred is None
    fresh = _plain(shop_repo).index.graph
    assert again.index.graph.files == fresh.files
    assert again.index.graph.definers == fresh.definers
    assert again.index.graph.referencers == fresh.referencers
