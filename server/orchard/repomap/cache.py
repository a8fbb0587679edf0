"""How the repo map's entries are kept: content digests, and tags and symbols encoded as blobs
(marshal, tied to the interpreter). Tags are keyed by (content sha, language, TAGS_VERSION),
never by absolute path or mtime, so a repository and all its worktrees share them. The tables
themselves are the state database's (`memory/tag_cache.py`). It must not parse or rank.
"""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from collections.abc import Sequence

from orchard.repomap.graph import FileSymbols
from orchard.repomap.tags import Tag, TagKind, TagRow

# marshal's format is tied to the interpreter: a new one must not read old blobs.
FORMAT = f"m{marshal.version}"


def content_sha(data: bytes) -> str:
    """Return the key of a file's content (sha1, as git does for blobs, but of the raw bytes)."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def encode_tags(tags: Sequence[Tag]) -> bytes:
    """Pack tags (without their path) into a compact blob."""
    rows = tuple((t.name, t.kind is TagKind.DEFINITION, t.line, t.category) for t in tags)
    return marshal.dumps(rows)


def encode_rows(rows: Sequence[TagRow]) -> bytes:
    """Pack sorted tag rows (TagExtractor.rows) into the blob encode_tags makes of their Tags."""
    definition = TagKind.DEFINITION.value
    return marshal.dumps(
        tuple((name, kind == definition, line, category) for line, name, kind, category in rows)
    )


def symbols_of_rows(rows: Sequence[TagRow]) -> FileSymbols:
    """Summarize tag rows as FileSymbols.from_tags summarizes their Tags."""
    definition = TagKind.DEFINITION.value
    defines: set[str] = set()
    refs: Counter[str] = Counter()
    for _, name, kind, _ in rows:
        if kind == definition:
            defines.add(name)
        else:
            refs[name] += 1
    return FileSymbols(tuple(sorted(defines)), tuple(sorted(refs.items())))


def decode_tags(rel_path: str, blob: bytes) -> list[Tag]:
    """Unpack a blob written by encode_tags, giving the tags `rel_path`."""
    rows = marshal.loads(blob)
    return [
        Tag(rel_path, name, TagKind.DEFINITION if is_def else TagKind.REFERENCE, line, category)
        for name, is_def, line, category in rows
    ]


def encode_symbols(symbols: FileSymbols) -> bytes:
    """Pack a file's graph summary."""
    return marshal.dumps((symbols.defines, symbols.references))


def decode_symbols(blob: bytes) -> FileSymbols:
    """Unpack a blob written by encode_symbols."""
    defines, references = marshal.loads(blob)
    return FileSymbols(defines, references)
