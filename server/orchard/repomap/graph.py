"""The symbol graph: which files define and which reference each identifier, kept incrementally.

Updating one file touches only that file's names. It holds names and counts, never tags' lines
or text, and it does not rank (see rank.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from orchard.repomap.tags import Tag, TagKind

# File stems that name their folder rather than themselves (`pkg/__init__.py` is module `pkg`).
_FOLDER_STEMS = frozenset({"__init__", "index", "mod", "lib", "main", "package"})


@dataclass(frozen=True, slots=True)
class FileSymbols:
    """What one file contributes to the graph: its defined names and referenced names."""

    defines: tuple[str, ...] = ()  # sorted, distinct
    references: tuple[tuple[str, int], ...] = ()  # sorted (name, count)

    @classmethod
    def from_tags(cls, tags: Iterable[Tag]) -> FileSymbols:
        """Summarize a file's tags into distinct definitions and counted references."""
        definition = TagKind.DEFINITION
        tags = tags if isinstance(tags, list | tuple) else list(tags)
        defines = {tag.name for tag in tags if tag.kind is definition}
        refs = Counter([tag.name for tag in tags if tag.kind is not definition])
        return cls(tuple(sorted(defines)), tuple(sorted(refs.items())))


EMPTY = FileSymbols()


def module_names(rel_path: str) -> tuple[str, ...]:
    """Name the module a path defines, so imports of it link to the file (`a/b.py` -> `b`)."""
    folders, _, name = rel_path.rpartition("/")
    stem = name.split(".", 1)[0]
    parent = folders.rpartition("/")[2]
    if stem in _FOLDER_STEMS and parent:
        return (parent, stem) if stem not in {"__init__", "index"} else (parent,)
    return (stem,) if stem else ()


class SymbolGraph:
    """Definers and referencers per identifier, over every file in the map (tagged or not)."""

    def __init__(self) -> None:
        self.files: dict[str, FileSymbols] = {}
        self.definers: dict[str, set[str]] = {}
        self.referencers: dict[str, dict[str, int]] = {}
        self.version = 0
        # Names whose definers changed since the ranker last looked (it invalidates edges).
        self.changed_names: set[str] = set()
        self.changed_files: set[str] = set()

    def __contains__(self, rel_path: object) -> bool:
        return rel_path in self.files

    def __len__(self) -> int:
        return len(self.files)

    def set_file(self, rel_path: str, symbols: FileSymbols) -> None:
        """Add or replace one file's names; only the names that differ are touched."""
        old = self.files.get(rel_path)
        if old == symbols:
            return
        if old is None:
            self._add_new(rel_path, symbols)
            return
        modules = set(module_names(rel_path))
        old_defs = set(old.defines) | modules if old is not None else set()
        new_defs = set(symbols.defines) | modules
        for name in sorted(old_defs - new_defs):
            self._drop_definer(name, rel_path)
        for name in sorted(new_defs - old_defs):
            self.definers.setdefault(name, set()).add(rel_path)
            self.changed_names.add(name)
        old_refs = dict(old.references) if old is not None else {}
        new_refs = dict(symbols.references)
        for name in sorted(old_refs.keys() - new_refs.keys()):
            self._drop_referencer(name, rel_path)
        for name, count in symbols.references:
            if old_refs.get(name) != count:
                self.referencers.setdefault(name, {})[rel_path] = count
        self.files[rel_path] = symbols
        self.changed_files.add(rel_path)
        self.version += 1

    def _add_new(self, rel_path: str, symbols: FileSymbols) -> None:
        # A file the graph has never seen: nothing to diff (the bulk path of a warm start).
        definers, referencers, changed = self.definers, self.referencers, self.changed_names
        for name in (*symbols.defines, *module_names(rel_path)):
            holders = definers.get(name)
            if holders is None:
                definers[name] = {rel_path}
            elif rel_path in holders:
                continue
            else:
                holders.add(rel_path)
            changed.add(name)
        for name, count in symbols.references:
            users = referencers.get(name)
            if users is None:
                referencers[name] = {rel_path: count}
            else:
                users[rel_path] = count
        self.files[rel_path] = symbols
        self.changed_files.add(rel_path)
        self.version += 1

    def remove_file(self, rel_path: str) -> None:
        """Drop one file and its names."""
        old = self.files.pop(rel_path, None)
        if old is None:
            return
        for name in sorted(set(old.defines) | set(module_names(rel_path))):
            self._drop_definer(name, rel_path)
        for name, _count in old.references:
            self._drop_referencer(name, rel_path)
        self.changed_files.add(rel_path)
        self.version += 1

    def _drop_definer(self, name: str, rel_path: str) -> None:
        holders = self.definers.get(name)
        if holders is not None and rel_path in holders:
            holders.discard(rel_path)
            self.changed_names.add(name)
            if not holders:
                del self.definers[name]

    def _drop_referencer(self, name: str, rel_path: str) -> None:
        users = self.referencers.get(name)
        if users is not None:
            users.pop(rel_path, None)
            if not users:
                del self.referencers[name]

    def defines(self, rel_path: str) -> tuple[str, ...]:
        """Return the names `rel_path` defines in its text (not its module name)."""
        return self.files.get(rel_path, EMPTY).defines

    def references(self, rel_path: str) -> tuple[tuple[str, int], ...]:
        """Return the names `rel_path` references, with counts."""
        return self.files.get(rel_path, EMPTY).references

    def definers_of(self, name: str) -> list[str]:
        """Return the files that define `name`, sorted."""
        return sorted(self.definers.get(name, ()))

    def referencers_of(self, name: str) -> list[str]:
        """Return the files that reference `name`, sorted."""
        return sorted(self.referencers.get(name, ()))

    def name_weight(self, name: str) -> float:
        """Weigh an identifier for linking: specific names up, private and common names down."""
        weight = 1.0
        if len(name) >= 8 and _is_compound(name):
            weight *= 4.0
        elif len(name) <= 2:
            weight *= 0.3
        if name.startswith("_"):
            weight *= 0.2
        spread = len(self.definers.get(name, ()))
        if spread > 5:
            weight *= 5.0 / spread
        users = len(self.referencers.get(name, ()))
        if users > 50:
            weight *= math.sqrt(50.0 / users)
        return weight


def _is_compound(name: str) -> bool:
    stripped = name.strip("_")
    if "_" in stripped or "-" in stripped:
        return True
    return any(c.isupper() for c in stripped[1:]) and any(c.islower() for c in stripped)
