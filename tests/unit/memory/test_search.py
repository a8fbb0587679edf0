"""Hybrid search on a real SQLite file: a query naming a concept finds the chunk that implements
it, with the offline embedder and with embeddings from the local model server through litellm."""

from __future__ import annotations

import pytest

from orchard.config import ModelSettings, Settings
from orchard.memory.api import Memory
from orchard.memory.embedders import ModelEmbedder, OfflineEmbedder
from orchard.memory.search import fts_chunk_ids, fuse, vector_chunk_ids
from orchard.models.client import ModelClient
from tests.support.gitrepo import GitRepo
from tests.support.model_server import EMBEDDING_DIMENSIONS, ModelServer
from tests.unit.memory.conftest import state_db


@pytest.mark.parametrize(
    ("query", "path", "name"),
    [
        ("exponential backoff delay", "src/retry.py", "backoff_delay"),
        ("when should we retry", "src/retry.py", "should_retry"),
        ("slugify a title", "web/slug.ts", "slugifyTitle"),
        ("total price of the shopping cart", "src/cart.py", "total_price"),
    ],
)
async def test_a_query_naming_a_concept_finds_the_chunk_that_implements_it(
    memory: Memory, query: str, path: str, name: str
) -> None:
    hits = await memory.search(query, 3)
    assert (hits[0].rel_path, hits[0].name) == (path, name)
    assert hits[0].kind == "chunk"


async def test_both_retrievers_answer_and_the_vector_half_alone_finds_the_concept(
    memory: Memory,
) -> None:
    embedder = memory.embedder
    assert isinstance(embedder, OfflineEmbedder)
    space = memory.store.space(embedder.space)
    (vector,) = await embedder.embed(["retry policy should retry"])
    by_vector = vector_chunk_ids(memory.store, space, vector, 3)
    by_text = fts_chunk_ids(memory.store, "retry policy should retry", 3)
    names = {c.id: c.name for c in memory.store.chunks()}
    assert names[by_vector[0]] in {"should_retry", "RetryPolicy"}
    assert names[by_text[0]] in {"should_retry", "RetryPolicy"}
    hits = await memory.search("retry policy should retry", 2)
    assert set(hits[0].matched_by) == {"fts", "vector"}


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = fuse({"fts": ["a", "b", "c"], "vector": ["b", "d", "e"]})
    assert [item for item, _, _ in fused][:3] == ["b", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[0][2] == ("fts", "vector")


async def test_embeddings_from_the_local_model_server_through_litellm(
    code_repo: GitRepo, model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model = "openai/embed-test"
    settings = Settings(models=(ModelSettings(model=model, api_base=model_server.api_base),))
    embedder = ModelEmbedder(ModelClient(settings), model)
    memory = await Memory.open(code_repo.root, state_db(code_repo), settings, embedder)
    try:
        report = await memory.index()
        assert report.embedded == len(memory.store.chunks()) > 0
        space = memory.store.space("model/openai/embed-test")
        assert space is not None and space.dimensions == EMBEDDING_DIMENSIONS
        assert any(r.path.endswith("embeddings") for r in model_server.requests)
        hits = await memory.search("exponential backoff delay", 3)
        assert (hits[0].rel_path, hits[0].name) == ("src/retry.py", "backoff_delay")
        requests = len(model_server.requests)
        assert (await memory.index()).embedded == 0  # nothing changed: nothing embedded again
        assert len(model_server.requests) == requests
    finally:
        await memory.close()


async def test_an_empty_query_is_refused_clearly(memory: Memory) -> None:
    from orchard.errors import MemoryStoreError

    with pytest.raises(MemoryStoreError):
        await memory.search("   ")
