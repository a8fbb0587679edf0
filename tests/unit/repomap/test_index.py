"""The live index: cache shared by worktrees, buffers over disk, incremental edits, file events."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchard.config import RepoMapSettings
from orchard.repomap import MapRequest, RepoIndex, RepoMap, TextEdit, parsing
from orchard.repomap import index as index_module
from orchard.repomap.index import open_store
from orchard.repomap.tags import default_extractor
from tests.support.gitrepo import GitRepo


def _index(repo: GitRepo, **settings: object) -> RepoIndex:
    index = RepoIndex(repo.root, RepoMapSettings(**settings), store=open_store(repo.root))  # type: ignore[arg-type]
    index.build()
    return index


def test_warm_start_and_other_worktrees_parse_nothing(shop_repo: GitRepo) -> None:
    cold = RepoIndex(shop_repo.root, store=open_store(shop_repo.root)).build()
    assert cold.parsed == 9 and cold.from_cache == 0
    warm = RepoIndex(shop_repo.root, store=open_store(shop_repo.root)).build()
    assert warm.parsed == 0
    worktree = shop_repo.root.parent / "shop-feature"
    shop_repo.git("worktree", "add", "-q", "-b", "feature", str(worktree))
    other = RepoIndex(worktree, store=open_store(worktree))
    assert other.build().parsed == 0  # same state.db, keyed by content, not path
    assert "compute_invoice_total" in other.graph.defines("shop/billing.py")


def test_only_changed_files_are_parsed_again(shop_repo: GitRepo) -> None:
    _index(shop_repo)
    shop_repo.write("shop/users.py", "class UserAccount:\n    def logout(self):\n        pass\n")
    stats = RepoIndex(shop_repo.root, store=open_store(shop_repo.root)).build()
    assert stats.parsed == 1


def test_unreadable_files_are_listed_by_path_and_binaries_left_out(shop_repo: GitRepo) -> None:
    shop_repo.write("data/latin.py", "name = 'café'\n".encode("latin-1"))
    shop_repo.write("data/huge.py", "x = 1\n" * 50)
    shop_repo.write("data/blob.bin", b"\0\1\2")
    index = _index(shop_repo, max_file_bytes=200)
    assert {"data/latin.py", "data/huge.py"} <= set(index.files())
    assert "data/blob.bin" not in index.files()
    assert index.graph.defines("data/huge.py") == ()


def test_unsaved_buffer_wins_and_close_goes_back_to_disk(shop_repo: GitRepo) -> None:
    repo_map = RepoMap(_index(shop_repo))
    request = MapRequest(active_file="shop/checkout.py", tokens=400)
    before = repo_map.render(request)
    assert "apply_coupon" not in before.text
    text = (shop_repo.root / "shop/billing.py").read_text()
    repo_map.index.update_document(
        "shop/billing.py", text + "\n\ndef apply_coupon(total):\n    return total\n"
    )
    repo_map.index.update_document(
        "shop/checkout.py",
        "from shop.billing import apply_coupon\n\n\n"
        "def checkout(cart):\n    return apply_coupon(cart)\n",
    )
    after = repo_map.render(request)
    assert after.version != before.version
    assert "def apply_coupon(total):" in after.text  # no stale map after an edit
    repo_map.index.close_document("shop/billing.py")
    repo_map.index.close_document("shop/checkout.py")
    assert "apply_coupon" not in repo_map.render(request).text


def test_keystrokes_reparse_incrementally_to_the_same_tags(shop_repo: GitRepo) -> None:
    index = _index(shop_repo)
    text = "def first():\n    return 1\n"
    index.update_document("shop/new.py", text)
    typed = '\n\ndef sécönd(x):\n    return first("😀", after_emoji())\n'
    for offset, char in enumerate(typed):
        lines = (text + typed[:offset]).split("\n")
        line, column = len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2
        edit = TextEdit(line, column, line, column, char)
        index.update_document("shop/new.py", text + typed[: offset + 1], [edit])
    document = index.documents["shop/new.py"]
    assert document.incremental_updates == len(typed)
    fresh = default_extractor().extract("shop/new.py", (text + typed).encode())
    assert document.tags == fresh
    assert "sécönd" in index.graph.defines("shop/new.py")
    assert ("after_emoji", 1) in index.graph.references("shop/new.py")


def test_inconsistent_changes_fall_back_to_a_full_parse(shop_repo: GitRepo) -> None:
    index = _index(shop_repo)
    index.update_document("shop/a.py", "def one():\n    pass\n")
    wrong = TextEdit(0, 4, 0, 7, "two")  # claims to change `one`, but the text says otherwise
    index.update_document("shop/a.py", "def three():\n    pass\n", [wrong])
    assert index.documents["shop/a.py"].incremental_updates == 0
    assert index.graph.defines("shop/a.py") == ("three",)


def test_checkout_events_add_remove_and_rename_files(shop_repo: GitRepo) -> None:
    index = _index(shop_repo)
    shop_repo.git("checkout", "-q", "-b", "rename")
    shop_repo.git("mv", "shop/users.py", "shop/accounts.py")
    shop_repo.write(
        "shop/audit.py",
        "from shop.accounts import UserAccount\n\ndef audit():\n    return UserAccount()\n",
    )
    shop_repo.write("build.log", "ignored by .gitignore? no: there is none, but it has no tags\n")
    index.files_changed(created=["shop/accounts.py", "shop/audit.py"], deleted=["shop/users.py"])
    assert "shop/users.py" not in index.files()
    assert {"shop/accounts.py", "shop/audit.py"} <= set(index.files())
    assert index.graph.definers_of("UserAccount") == ["shop/accounts.py"]


def test_c_plus_plus_headers_are_parsed_as_cpp(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo(
        {
            "geo/shape.h": (
                "namespace geo {\nclass Shape {\n public:\n"
                "  virtual double area() const = 0;\n};\n}\n"
            ),
            "geo/circle.cpp": (
                '#include "shape.h"\nclass Circle : public geo::Shape {\n public:\n'
                "  double area() const override { return 3.14; }\n};\n"
            ),
        }
    )
    index = _index(repo)
    assert "Shape" in index.graph.defines("geo/shape.h")
    assert index.records["geo/shape.h"].language == "cpp"


def test_deferred_tags_reach_the_graph_at_the_next_map(shop_repo: GitRepo) -> None:
    repo_map = RepoMap(_index(shop_repo))
    text = (shop_repo.root / "shop/users.py").read_text()
    typed = text + "\n\ndef deactivate_account(user):\n    return user\n"
    repo_map.index.update_document("shop/users.py", typed, defer_tags=True)
    assert "deactivate_account" not in repo_map.index.graph.defines("shop/users.py")
    rendered = repo_map.render(MapRequest(mentioned_identifiers=("deactivate_account",)))
    assert "def deactivate_account(user):" in rendered.text


def test_a_changed_signature_is_not_served_from_a_stale_map(shop_repo: GitRepo) -> None:
    repo_map = RepoMap(_index(shop_repo))
    request = MapRequest(focus_files=("shop/checkout.py",), tokens=300)
    assert "def compute_invoice_total(lines):" in repo_map.render(request).text
    text = (shop_repo.root / "shop/billing.py").read_text()
    changed = text.replace("(lines):", "(lines, currency):")
    repo_map.index.update_document("shop/billing.py", changed)  # same names, new text
    assert "def compute_invoice_total(lines, currency):" in repo_map.render(request).text


def _identities(index: RepoIndex) -> dict[str, tuple[str, str, str | None]]:
    return {rel: (r.sha, r.status.value, r.language) for rel, r in index.records.items()}


def _odd_files(repo: GitRepo) -> None:
    repo.write("data/latin.py", "name = 'café'\n".encode("latin-1"))
    repo.write("data/huge.py", "x = 1\n" * 50)
    repo.write("data/blob.bin", b"\0\1\2")
    repo.write(
        "include/cart.h", "namespace shop {\nclass Cart {\n public:\n  int total();\n};\n}\n"
    )


def test_a_cold_build_in_the_pool_identifies_files_as_one_that_reads_them_first(
    shop_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With nothing cached, the workers read and identify each file; with tags cached, this
    # process reads them first. Both must come to the same records, graph and stored stats.
    _odd_files(shop_repo)
    monkeypatch.setattr(parsing, "POOL_MIN_BYTES", 0)
    settings = RepoMapSettings(max_file_bytes=200)
    store = open_store(shop_repo.root)
    assert store is not None and not store.holds_tags()
    cold = RepoIndex(shop_repo.root, settings, store=store, workers=2)
    assert cold.build().parsed == 10
    stats = store.stats(cold._root_key)
    assert store.holds_tags() and "data/blob.bin" not in cold.files()
    store.put_stats(cold._root_key, {}, replace_all=True)  # read here this time
    again = RepoIndex(shop_repo.root, settings, store=store, workers=2)
    assert again.build().parsed == 0
    assert _identities(again) == _identities(cold)
    assert again.records["include/cart.h"].language == "cpp"  # told by its text, not its name
    assert again.graph.files == cold.graph.files
    assert "Cart" in cold.graph.defines("include/cart.h")
    assert store.stats(again._root_key) == stats


def test_a_cold_build_without_a_cache_reads_in_this_process_to_the_same_graph(
    shop_repo: GitRepo,
) -> None:
    _odd_files(shop_repo)
    settings = RepoMapSettings(max_file_bytes=200)
    cached = RepoIndex(shop_repo.root, settings, store=open_store(shop_repo.root))
    cached.build()
    plain = RepoIndex(shop_repo.root, settings, store=None)
    assert plain.build().parsed == 10
    assert _identities(plain) == _identities(cached)
    assert plain.graph.files == cached.graph.files


def test_a_first_build_of_a_big_tree_parses_in_workers_started_before_the_listing(
    shop_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "EARLY_POOL_FILES", 5)  # the shop holds 10 files
    started: list[int] = []
    real_pool = parsing.ParsingPool

    def counted(workers: int) -> parsing.ParsingPool:
        started.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(index_module, "ParsingPool", counted)
    early = RepoIndex(shop_repo.root, store=open_store(shop_repo.root), workers=2)
    assert early.build().parsed == 9
    assert started == [2]  # started early, and used although the work is small
    plain = RepoIndex(shop_repo.root, store=None, workers=1)  # in this process
    plain.build()
    assert _identities(early) == _identities(plain)
    assert early.graph.files == plain.graph.files
    again = RepoIndex(shop_repo.root, store=open_store(shop_repo.root), workers=2)
    assert again.build().parsed == 0
    assert started == [2]  # tags were cached: no early workers
