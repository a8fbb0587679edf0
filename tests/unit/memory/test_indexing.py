"""Re-chunking only what changed, unsaved buffers, the embedding cache, and switching models."""

from __future__ import annotations

from orchard.config import MemorySettings, Settings
from orchard.memory.api import Memory
from orchard.memory.embedders import OfflineEmbedder
from orchard.memory.search import vector_chunk_ids
from tests.support.gitrepo import GitRepo
from tests.unit.memory.conftest import CART, RETRY, state_db


async def test_editing_a_file_rechunks_only_that_file(memory: Memory, code_repo: GitRepo) -> None:
    before = {c.id: c for c in memory.store.chunks()}
    code_repo.write("src/cart.py", CART + "\n\ndef empty_cart(cart):\n    cart.items.clear()\n")
    report = await memory.index()
    assert report.rechunked == ["src/cart.py"]
    after = {c.id: c for c in memory.store.chunks()}
    untouched = {i for i, c in before.items() if c.rel_path != "src/cart.py"}
    assert untouched <= set(after)  # every other file's chunks kept their rows
    assert "empty_cart" in {c.name for c in after.values()}
    # the cart's unchanged chunks came from the cache, only the new one was embedded
    assert report.embedded == 1
    assert report.from_cache == len([c for c in after.values() if c.rel_path == "src/cart.py"]) - 1
    assert (await memory.index()).rechunked == []


async def test_a_deleted_file_leaves_memory_on_the_next_index(
    memory: Memory, code_repo: GitRepo
) -> None:
    code_repo.git("rm", "-q", "web/slug.ts")
    report = await memory.index()
    assert report.removed == ["web/slug.ts"]
    assert memory.store.chunks("web/slug.ts") == []


async def test_an_unsaved_buffer_is_indexed_and_marked_until_saved_text_replaces_it(
    memory: Memory,
) -> None:
    buffer = RETRY + "\n\ndef circuit_breaker_open(failures):\n    return failures > 5\n"
    assert await memory.index_text("src/retry.py", buffer, unsaved=True)
    assert memory.store.file_shas()["src/retry.py"][1] is True
    hits = await memory.search("circuit breaker open", 1)
    assert hits[0].name == "circuit_breaker_open"
    assert not await memory.index_text("src/retry.py", buffer, unsaved=True)  # unchanged
    assert (await memory.stats())["unsaved_files"] == 1
    report = await memory.index()  # the disk still has the old text: it wins once indexed
    assert report.rechunked == ["src/retry.py"]
    assert memory.store.file_shas()["src/retry.py"][1] is False


async def test_switching_the_embedding_model_reembeds_lazily_and_never_mixes_spaces(
    memory: Memory, code_repo: GitRepo
) -> None:
    first = memory.store.space(memory.embedder.space)
    assert first is not None
    chunks = len(memory.store.chunks())
    settings = Settings(memory=MemorySettings(offline_dimensions=128))
    switched = await Memory.open(code_repo.root, state_db(code_repo), settings)
    try:
        assert switched.embedder.space != memory.embedder.space
        assert switched.store.space(switched.embedder.space) is None  # nothing until indexed
        hits = await switched.search("exponential backoff delay", 3)
        assert all(h.matched_by == ("fts",) for h in hits)  # no vectors of another space used
        report = await switched.index()
        assert report.rechunked == [] and report.embedded == chunks
        second = switched.store.space(switched.embedder.space)
        assert second is not None and second.dimensions == 128
        (query,) = await switched.embedder.embed(["backoff delay"])
        assert vector_chunk_ids(switched.store, first, query) == []  # 128 dims vs 384: refused
        assert vector_chunk_ids(switched.store, second, query)
        spaces = (await switched.stats())["spaces"]
        assert [s["vectors"] for s in spaces] == [chunks, chunks]
    finally:
        await switched.close()


def test_the_offline_embedder_is_lexical_over_identifier_parts() -> None:
    embedder = OfflineEmbedder(64)
    (a, b, c) = embedder.embed_now(["parse_config_file", "ConfigFileParser", "render_html"])

    def cosine(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert cosine(a, b) > cosine(a, c)
    assert embedder.embed_now(["!!!"]) == [[0.0] * 64]
