"""The tags the index already knows, by content (sha, language): the repository's shared tags
cache when there is one, else a dictionary in this process (outside a git repository). It must
not read or parse files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from orchard.memory.tag_cache import TagStore
from orchard.repomap.graph import FileSymbols
from orchard.repomap.parsing import ParsedFile, taggable


class KnownTags:
    """Symbols and packed tags of each content parsed once, here or by another process."""

    def __init__(self, store: TagStore | None) -> None:
        self.store = store
        self._memory: dict[tuple[str, str], tuple[FileSymbols, bytes]] = {}

    def any(self) -> bool:
        """Tell whether any content's tags are known (else a build parses everything)."""
        return self.store.holds_tags() if self.store is not None else bool(self._memory)

    def symbols(self, known: Sequence[ParsedFile]) -> dict[tuple[str, str], FileSymbols]:
        """Return the symbols known for these files' contents, by (sha, language)."""
        keys = {(p.sha, p.language) for p in known if p.language and taggable(p.status, p.language)}
        if self.store is None:
            return {k: self._memory[k][0] for k in keys if k in self._memory}
        return {key: entry.symbols for key, entry in self.store.get_many(keys).items()}

    def blob(self, record: ParsedFile) -> bytes | None:
        """Return the packed tags of `record`'s content, or None when unknown."""
        assert record.language is not None
        key = (record.sha, record.language)
        if key in self._memory:
            return self._memory[key][1]
        return self.store.tags_blob(*key) if self.store is not None else None

    def remember(self, parsed: Iterable[ParsedFile]) -> None:
        """Keep the tags of freshly parsed files."""
        entries = [
            (p.sha, p.language, p.symbols, p.tags_blob)
            for p in parsed
            if p.language is not None and p.tags_blob is not None
        ]
        if self.store is None:
            for sha, language, symbols, blob in entries:
                self._memory[(sha, language)] = (symbols, blob)
        else:
            self.store.put_many(entries)
