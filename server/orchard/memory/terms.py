"""Code-aware words for full-text search: identifiers with their snake_case and CamelCase parts.

FTS5's tokenizers cannot split `parse_config` or `ConfigLoader`, so text is expanded here, both
when a chunk is stored and when a query is asked. Pure functions; no SQL beyond quoting terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
MIN_PART = 2
_STOP_TEXT = (
    "a an and are as at be by do does for from how in is it of on or that the this to where"
    " which with what who why self def return none true false"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


def identifiers(text: str) -> Iterator[str]:
    """Yield every identifier-like word of `text`, as written."""
    yield from _IDENTIFIER.findall(text)


def parts(identifier: str) -> list[str]:
    """Split an identifier into lower-case parts: `parseHTTPConfig_v2` -> parse http config v2."""
    found: list[str] = []
    for piece in identifier.split("_"):
        found.extend(match.lower() for match in _CAMEL.findall(piece))
    return [part for part in found if len(part) >= MIN_PART]


@lru_cache(maxsize=200_000)
def expand(identifier: str) -> tuple[str, ...]:
    """Return the identifier (lower-cased) followed by its parts, without repeats."""
    whole = identifier.lower().strip("_")
    words = [whole] if len(whole) >= MIN_PART else []
    for part in parts(identifier):
        if part not in words:
            words.append(part)
    return tuple(words)


def index_text(text: str) -> str:
    """Return `text` as the words FTS5 should index: each identifier, then its parts."""
    return " ".join(word for ident in identifiers(text) for word in expand(ident))


def query_terms(query: str) -> list[str]:
    """Return the distinct search words of a query (identifiers and parts, no stop words)."""
    terms: list[str] = []
    for ident in identifiers(query):
        for word in expand(ident):
            if word not in STOP_WORDS and word not in terms:
                terms.append(word)
    return terms


def fts_match(terms: Iterable[str]) -> str | None:
    """Return an FTS5 MATCH expression that ORs the quoted terms, or None when there are none."""
    quoted = [f'"{term}"' for term in terms if term]
    return " OR ".join(quoted) if quoted else None
