"""Name pairing: a test and the file it tests (`foo.py` ↔ `test_foo.py`, `foo_test.go`, ...).

Nothing references a test, so the symbol graph never reaches one; pairing by name does. Paths
are indexed by stem once (linear in files) and compared as strings. It must not read files.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_TEST_STEM = re.compile(
    r"^(?:test_|tests_)(?P<a>.+)$|^(?P<b>.+?)(?:_test|_tests|_spec|Test|Tests|Spec|IT)$"
    r"|^(?P<c>.+?)\.(?:test|spec|tests)$"
)
_TEST_DIRS = frozenset({"test", "tests", "spec", "specs", "__tests__", "testing", "t"})
_MAX_PARTNERS = 3
_FAMILIES = (
    frozenset({".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"}),
    frozenset({".c", ".h", ".cc", ".cpp", ".hpp"}),
)


def _suffix(name: str) -> str:
    # pathlib's rule: the last dot, unless the name starts or ends with it.
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def split_test(rel_path: str) -> tuple[bool, str]:
    """Return whether `rel_path` is a test and the stem of the file it is about."""
    folders, _, name = rel_path.rpartition("/")
    suffix = _suffix(name)
    plain_stem = name[: len(name) - len(suffix)] if suffix else name
    stem = name.split(".", 1)[0] if name.count(".") > 1 else plain_stem
    full_stem = name.rsplit(".", 1)[0]
    for candidate in (full_stem, stem):
        match = _TEST_STEM.match(candidate)
        if match:
            subject = match.group("a") or match.group("b") or match.group("c")
            return True, subject.lower()
    in_test_dir = any(part in _TEST_DIRS for part in folders.split("/")) if folders else False
    return in_test_dir and stem.lower() not in {"conftest", "__init__"}, stem.lower()


@dataclass(frozen=True, slots=True)
class _PathInfo:
    is_test: bool
    stem: str
    suffix: str
    folders: tuple[str, ...]  # test folders set aside (`tests/shop/` mirrors `shop/`)
    folder_set: frozenset[str]


def _info(rel_path: str) -> _PathInfo:
    is_test, stem = split_test(rel_path)
    folders_text, _, name = rel_path.rpartition("/")
    folders = (
        tuple(p for p in folders_text.split("/") if p and p not in _TEST_DIRS)
        if folders_text
        else ()
    )
    return _PathInfo(is_test, stem, _suffix(name), folders, frozenset(folders))


class TestPairs:
    """Tests and their subjects among a set of paths, matched by name and nearness."""

    __test__ = False  # not a pytest class

    def __init__(self, rel_paths: Iterable[str] = ()) -> None:
        self._tests: dict[str, set[str]] = defaultdict(set)
        self._subjects: dict[str, set[str]] = defaultdict(set)
        self._infos: dict[str, _PathInfo] = {}
        self._cache: dict[str, tuple[str, ...]] = {}
        # Indexed on first use: a warm map whose ranking is cached never pairs anything.
        self._pending: list[str] | None = list(rel_paths)

    def _ready(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            for rel_path in pending:
                self._index(rel_path)

    def _index(self, rel_path: str) -> None:
        info = self._infos.get(rel_path) or _info(rel_path)
        self._infos[rel_path] = info
        (self._tests if info.is_test else self._subjects)[info.stem].add(rel_path)

    def add(self, rel_path: str) -> None:
        """Index one path."""
        self._ready()
        self._index(rel_path)
        self._cache.clear()

    def remove(self, rel_path: str) -> None:
        """Forget one path."""
        self._ready()
        info = self._infos.pop(rel_path, None) or _info(rel_path)
        (self._tests if info.is_test else self._subjects)[info.stem].discard(rel_path)
        self._cache.clear()

    def partners(self, rel_path: str) -> tuple[str, ...]:
        """Return the tests of a subject, or the subjects of a test, nearest first."""
        cached = self._cache.get(rel_path)
        if cached is not None:
            return cached
        self._ready()
        mine = self._infos.get(rel_path) or _info(rel_path)
        pool = (self._subjects if mine.is_test else self._tests).get(mine.stem, set())
        infos = self._infos
        candidates = []
        for other in pool:
            if other == rel_path:
                continue
            theirs = infos.get(other) or _info(other)
            if not _same_family(theirs.suffix, mine.suffix):
                continue
            candidates.append((*_nearness(mine, theirs), other))
        result = tuple(item[2] for item in heapq.nsmallest(_MAX_PARTNERS, candidates))
        self._cache[rel_path] = result
        return result


def _same_family(a: str, b: str) -> bool:
    return a == b or any(a in family and b in family for family in _FAMILIES)


def _nearness(a: _PathInfo, b: _PathInfo) -> tuple[int, int]:
    # Folders shared once test folders are set aside, then the common prefix; negated so that
    # the nearest sorts first.
    prefix = 0
    for x, y in zip(a.folders, b.folders, strict=False):
        if x != y:
            break
        prefix += 1
    return -len(a.folder_set & b.folder_set), -prefix
