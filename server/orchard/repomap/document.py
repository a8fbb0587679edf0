"""An open editor buffer in the index: its unsaved text, its parse tree, its tags.

Applies the editor's incremental changes (LSP positions, UTF-16 columns) to the text and to the
tree with tree-sitter's edit API, then reparses incrementally. It must not know LSP types: the
caller converts changes to `TextEdit`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from orchard.grammars import Tree
from orchard.repomap.retag import UnitTags, retag
from orchard.repomap.tags import Tag, TagExtractor

log = logging.getLogger(__name__)

# Below this size the whole tags query is as quick as finding what an edit left unchanged.
RETAG_BYTES = 24_000


@dataclass(frozen=True, slots=True)
class TextEdit:
    """One change to a buffer: replace the range by `text` (columns in UTF-16 code units)."""

    start_line: int = 0
    start_character: int = 0
    end_line: int = 0
    end_character: int = 0
    text: str = ""
    whole: bool = False  # replace the whole buffer by `text`


@dataclass(frozen=True, slots=True)
class _TreeEdit:
    start_byte: int
    old_end_byte: int
    new_end_byte: int
    start_point: tuple[int, int]
    old_end_point: tuple[int, int]
    new_end_point: tuple[int, int]


class LiveDocument:
    """A buffer open in the editor; its text wins over the file on disk."""

    def __init__(self, rel_path: str, language: str | None) -> None:
        self.rel_path = rel_path
        self.language = language
        self.text = ""
        self.data = b""
        self.tree: Tree | None = None
        self.tags: list[Tag] = []
        self.tags_stale = False
        self.incremental_updates = 0
        self.units: UnitTags | None = None  # what the last tags query left for the next

    def update(
        self,
        text: str,
        changes: Sequence[TextEdit] | None,
        extractor: TagExtractor,
        taggable: bool,
        *,
        extract: bool = True,
    ) -> None:
        """Take the buffer's new text; reuse the old tree when `changes` lead to exactly it.

        With `extract=False` only the tree is brought up to date (a fraction of a millisecond);
        the tags query runs later, in `refresh_tags`, when someone needs the tags.
        """
        replayed = _replay(self.text, changes) if changes and self.tree is not None else None
        # Trust the edits only when they turn the old text into exactly the new one.
        edits = replayed[0] if replayed is not None and replayed[1] == text else None
        old_tree = self.tree
        self.text, self.data = text, text.encode("utf-8", errors="surrogatepass")
        if self.language is None or not taggable:
            self.tree, self.tags, self.tags_stale = None, [], False
            return
        parser = extractor.parser(self.language)
        if edits is not None and old_tree is not None:
            for edit in edits:
                old_tree.edit(
                    edit.start_byte,
                    edit.old_end_byte,
                    edit.new_end_byte,
                    edit.start_point,
                    edit.old_end_point,
                    edit.new_end_point,
                )
            self.tree = parser.parse(self.data, old_tree)
            self.incremental_updates += 1
        else:
            self.tree = parser.parse(self.data)
        self.tags_stale = True
        if extract:
            self.refresh_tags(extractor)

    def refresh_tags(self, extractor: TagExtractor) -> bool:
        """Run the tags query on the current tree if the text changed since; tell if it ran."""
        if not self.tags_stale or self.tree is None or self.language is None:
            return False
        if len(self.data) >= RETAG_BYTES:
            self.tags, self.units = retag(
                extractor, self.rel_path, self.tree, self.data, self.language, self.units
            )
        else:
            self.tags = extractor.extract_tree(self.rel_path, self.tree, self.data, self.language)
            self.units = None
        self.tags_stale = False
        return True


def _replay(text: str, changes: Sequence[TextEdit]) -> tuple[list[_TreeEdit], str] | None:
    edits: list[_TreeEdit] = []
    for change in changes:
        if change.whole:
            return None
        start = _offset(text, change.start_line, change.start_character)
        end = _offset(text, change.end_line, change.end_character)
        if end < start:
            return None
        new_text = text[:start] + change.text + text[end:]
        start_byte = len(text[:start].encode("utf-8", errors="surrogatepass"))
        edits.append(
            _TreeEdit(
                start_byte=start_byte,
                old_end_byte=start_byte + len(text[start:end].encode("utf-8", "surrogatepass")),
                new_end_byte=start_byte + len(change.text.encode("utf-8", "surrogatepass")),
                start_point=_point(text, start),
                old_end_point=_point(text, end),
                new_end_point=_point(new_text, start + len(change.text)),
            )
        )
        text = new_text
    return edits, text


def replay_text(text: str, changes: Sequence[TextEdit]) -> str:
    """Apply `changes` to `text` the way the editor did, and return the result."""
    for change in changes:
        if change.whole:
            text = change.text
            continue
        start = _offset(text, change.start_line, change.start_character)
        end = _offset(text, change.end_line, change.end_character)
        text = text[:start] + change.text + text[max(start, end) :]
    return text


def _offset(text: str, line: int, utf16_column: int) -> int:
    """Return the index in `text` of an LSP position (clamped to the text, as LSP asks)."""
    start = 0
    for _ in range(line):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if end > start and text[end - 1] == "\r":
        end -= 1
    units, index = 0, start
    while index < end and units < utf16_column:
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def _point(text: str, index: int) -> tuple[int, int]:
    row = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return row, len(text[line_start:index].encode("utf-8", errors="surrogatepass"))
