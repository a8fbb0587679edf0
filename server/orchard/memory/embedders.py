"""Embedders: the offline one (feature hashing over identifiers and their parts; lexical, not
semantic) and one that asks a configured litellm embedding model through `ModelClient.embed`.
Each names its vector space, so vectors of different models are never compared. No SQL here.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from orchard.memory.terms import expand, identifiers

if TYPE_CHECKING:
    from orchard.config import Settings
    from orchard.models.client import ModelClient

OFFLINE_DIMENSIONS = 384
Vector = list[float]


class Embedder(Protocol):
    """Turns texts into vectors of one space."""

    @property
    def space(self) -> str:
        """The name of the vector space (model and size); vectors of two spaces never mix."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Return one vector per text, in order."""
        ...


class OfflineEmbedder:
    """Feature hashing of identifiers and their snake/Camel parts: lexical similarity only."""

    def __init__(self, dimensions: int = OFFLINE_DIMENSIONS) -> None:
        self.dimensions = dimensions

    @property
    def space(self) -> str:
        """Name the space by method and size."""
        return f"offline-hash/{self.dimensions}"

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Embed on a worker thread (hashing is CPU work)."""
        return await asyncio.to_thread(self.embed_now, texts)

    def embed_now(self, texts: Sequence[str]) -> list[Vector]:
        """Embed synchronously."""
        return [self.vector(text) for text in texts]

    def vector(self, text: str) -> Vector:
        """Return the unit vector of one text (zero vector for a text with no identifiers)."""
        counts: dict[str, float] = {}
        for ident in identifiers(text):
            words = expand(ident)
            for position, word in enumerate(words):
                counts[word] = counts.get(word, 0.0) + (1.0 if position == 0 else 0.5)
        values = [0.0] * self.dimensions
        for word, count in counts.items():
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            number = int.from_bytes(digest, "little")
            weight = 1.0 + math.log(1.0 + count)
            for probe in range(2):  # two slots per word: fewer collisions, denser sign bits
                slot = (number >> (probe * 24)) % self.dimensions
                sign = 1.0 if (number >> (48 + probe)) & 1 else -1.0
                values[slot] += sign * weight
        norm = math.sqrt(sum(v * v for v in values))
        return [v / norm for v in values] if norm else values


class ModelEmbedder:
    """Embeddings from a litellm model (hosted, or local such as Ollama) via `ModelClient`."""

    def __init__(self, client: ModelClient, model: str) -> None:
        self.client = client
        self.model = model

    @property
    def space(self) -> str:
        """Name the space by the model's litellm string."""
        return f"model/{self.model}"

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Ask the model (batched and retried by the client)."""
        if not texts:
            return []
        result = await self.client.embed(self.model, list(texts))
        return [list(vector) for vector in result.vectors]


def embedder_for(settings: Settings, client: ModelClient | None = None) -> Embedder:
    """Return the configured embedder: `memory.embedding_model` if set, else the offline one."""
    model = settings.memory.embedding_model
    if not model:
        return OfflineEmbedder(settings.memory.offline_dimensions)
    if client is None:
        from orchard.models.client import ModelClient

        client = ModelClient(settings)
    return ModelEmbedder(client, model)


def pack(vector: Sequence[float]) -> bytes:
    """Pack a vector as little-endian float32, as sqlite-vec reads it."""
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack(blob: bytes) -> Vector:
    """Unpack a float32 blob."""
    return list(struct.unpack(f"<{len(blob) // 4}f", blob))
