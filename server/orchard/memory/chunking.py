"""Code chunks from the repo map's tree-sitter definitions, or line windows where there are none.

A definition's extent is found from its tag's line by indentation (the tags carry the name's
line only; parsing again would duplicate `repomap/tags.py`), capped at a size; a class keeps
its header and each nested definition is its own chunk. Pure: bytes in,
chunks out; no SQL, no files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from orchard.repomap.languages import language_for
from orchard.repomap.tags import DEFINITION_CATEGORIES, Tag, TagKind, default_extractor

# Definitions with a body worth a chunk of their own: not constants, variables or fields.
CHUNK_CATEGORIES = DEFINITION_CATEGORIES - {"constant", "variable", "field"}
_CLOSERS = ("}", ")", "]", "end", "fi", "esac")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One searchable piece of a file: 0-based inclusive lines, the defined name if any."""

    rel_path: str
    start_line: int
    end_line: int
    name: str
    kind: str  # a tag category ("function", "class", ...) or "window"
    text: str

    @property
    def sha(self) -> str:
        """Return the key of the chunk's text (embeddings are cached by it)."""
        return hashlib.sha1(self.text.encode("utf-8"), usedforsecurity=False).hexdigest()


def chunk_file(
    rel_path: str, data: bytes, *, max_lines: int = 80, window_lines: int = 40
) -> list[Chunk]:
    """Return the chunks of one file: its definitions, else windows of `window_lines` lines."""
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if not lines:
        return []
    language = language_for(rel_path, data)
    tags: list[Tag] = []
    if language is not None and default_extractor().has_query(language):
        tags = default_extractor().extract(rel_path, data, language)
    definitions = [
        t for t in tags if t.kind is TagKind.DEFINITION and t.category in CHUNK_CATEGORIES
    ]
    if not definitions:
        return window_chunks(rel_path, lines, window_lines)
    starts = sorted({_first_line(lines, tag.line) for tag in definitions})
    chunks: dict[tuple[int, int], Chunk] = {}
    for tag in definitions:
        start = _first_line(lines, tag.line)
        end = min(_last_line(lines, tag.line), start + max_lines - 1)
        # A class keeps its header; each nested definition is a chunk of its own.
        nested = [s for s in starts if start < s <= end]
        if nested:
            end = nested[0] - 1
            while end > start and not lines[end].strip():
                end -= 1
        if (start, end) not in chunks:
            body = "\n".join(lines[start : end + 1])
            chunks[(start, end)] = Chunk(rel_path, start, end, tag.name, tag.category, body)
    return sorted(chunks.values(), key=lambda c: (c.start_line, c.end_line))


def window_chunks(rel_path: str, lines: list[str], window_lines: int) -> list[Chunk]:
    """Cut lines into consecutive windows (for files no tags query understands)."""
    out: list[Chunk] = []
    for start in range(0, len(lines), window_lines):
        end = min(start + window_lines, len(lines)) - 1
        body = "\n".join(lines[start : end + 1])
        if body.strip():
            out.append(Chunk(rel_path, start, end, "", "window", body))
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _first_line(lines: list[str], line: int) -> int:
    """Step back over decorators and attributes written above the definition."""
    start = line
    while start > 0 and lines[start - 1].lstrip().startswith(("@", "#[")):
        start -= 1
    return start


def _last_line(lines: list[str], line: int) -> int:
    """Return the last line of the block opened at `line`: up to the next line as shallow."""
    indent = _indent(lines[line])
    last = line
    for index in range(line + 1, len(lines)):
        current = lines[index]
        if not current.strip():
            continue
        if _indent(current) > indent:
            last = index
            continue
        if current.lstrip().startswith(_CLOSERS):
            last = index
            if current.rstrip().endswith((":", "{")):
                continue  # `) -> int:` closes a signature and opens the body
        break
    return last
