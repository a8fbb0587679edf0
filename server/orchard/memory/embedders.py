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
from functools import lru_cache
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
    """Feature hashing of identifiers and their snake/Camel parts: lexical similarity only.

    Each word gets a fixed pseudo-random +-1 code (from its hash); a text's vector is the
    weighted sum of its words' codes, normalized (random indexing). Dense codes keep the sign
    bits meaningful, so the binary-quantized vec0 scan finds near neighbours (SimHash).
    """

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
        seen: dict[str, int] = {}
        for ident in identifiers(text):
            seen[ident] = seen.get(ident, 0) + 1
        counts: dict[str, int] = {}
        for ident, times in seen.items():
            for position, word in enumerate(expand(ident)):
                # a whole identifier counts twice as much as one of its parts
                counts[word] = counts.get(word, 0) + times * (2 if position == 0 else 1)
        if not counts:
            return [0.0] * self.dimensions
        # Every dimension is a 32-bit field of one big integer, so adding a word's code to
        # all dimensions at once is one integer addition (the +1 signs; -1s follow from totals).
        packed = total = 0
        for word, count in counts.items():
            weight = min(count, 8)
            packed += weight * _packed_code(word, self.dimensions)
            total += weight
        raw = packed.to_bytes(self.dimensions * _FIELD_BYTES, "little")
        ones = struct.unpack(f"<{self.dimensions}I", raw)
        values = [2.0 * one - total for one in ones]
        norm = math.sqrt(sum(v * v for v in values))
        return [v / norm for v in values] if norm else values


_FIELD_BYTES = 4
_ONE = (1).to_bytes(_FIELD_BYTES, "little")
_ZERO = bytes(_FIELD_BYTES)


@lru_cache(maxsize=200_000)
def _packed_code(word: str, dimensions: int) -> int:
    """Return the word's fixed sign code, one 32-bit field per dimension (1 for +, 0 for -)."""
    digest = hashlib.shake_256(word.encode("utf-8")).digest((dimensions + 7) // 8)
    bits = int.from_bytes(digest, "little")
    fields = b"".join(_ONE if (bits >> index) & 1 else _ZERO for index in range(dimensions))
    return int.from_bytes(fields, "little")


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
