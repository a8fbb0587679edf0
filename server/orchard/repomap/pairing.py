"""Name pairing: a test and the file it tests (`foo.py` ↔ `test_foo.py`, `foo_test.go`, ...).

Nothing references a test, so the symbol graph never reaches one; pairing by name does. Works on
paths only; it must not read files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath

_TEST_STEM = re.compile(
    r"^(?:test_|tests_)(?P<a>.+)$|^(?P<b>.+?)(?:_test|_tests|_spec|Test|Tests|Spec|IT)$"
    r"|^(?P<c>.+?)\.(?:test|spec|tests)$"
)
_TEST_DIRS = frozenset({"test", "tests", "spec", "specs", "__tests__", "testing", "t"})
_MAX_PARTNERS = 3


def split_test(rel_path: str) -> tuple[bool, str]:
    """Return whether `rel_path` is a test and the stem of the file it is about."""
    pure = PurePosixPath(rel_path)
    stem = pure.name.split(".", 1)[0] if pure.name.count(".") > 1 else pure.stem
    full_stem = pure.name.rsplit(".", 1)[0]
    for candidate in (full_stem, stem):
        match = _TEST_STEM.match(candidate)
        if match:
            subject = match.group("a") or match.group("b") or match.group("c")
            return True, subject.lower()
    in_test_dir = any(part in _TEST_DIRS for part in pure.parts[:-1])
    return in_test_dir and stem.lower() not in {"conftest", "__init__"}, stem.lower()


class TestPairs:
    """Tests and their subjects among a set of paths, matched by name and nearness."""

    __test__ = False  # not a pytest class

    def __init__(self, rel_paths: Iterable[str] = ()) -> None:
        self._tests: dict[str, set[str]] = defaultdict(set)
        self._subjects: dict[str, set[str]] = defaultdict(set)
        self._cache: dict[str, tuple[str, ...]] = {}
        for rel_path in rel_paths:
            self.add(rel_path)

    def add(self, rel_path: str) -> None:
        """Index one path."""
        is_test, stem = split_test(rel_path)
        (self._tests if is_test else self._subjects)[stem].add(rel_path)
        self._cache.clear()

    def remove(self, rel_path: str) -> None:
        """Forget one path."""
        is_test, stem = split_test(rel_path)
        (self._tests if is_test else self._subjects)[stem].discard(rel_path)
        self._cache.clear()

    def partners(self, rel_path: str) -> tuple[str, ...]:
        """Return the tests of a subject, or the subjects of a test, nearest first."""
        cached = self._cache.get(rel_path)
        if cached is not None:
            return cached
        is_test, stem = split_test(rel_path)
        pool = (self._subjects if is_test else self._tests).get(stem, set())
        suffix = PurePosixPath(rel_path).suffix
        ranked = sorted(
            (p for p in pool if p != rel_path and _same_family(PurePosixPath(p).suffix, suffix)),
            key=lambda other: (*_nearness(rel_path, other), other),
        )
        result = tuple(ranked[:_MAX_PARTNERS])
        self._cache[rel_path] = result
        return result


def _same_family(a: str, b: str) -> bool:
    families = ({".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"}, {".c", ".h", ".cc", ".cpp", ".hpp"})
    return a == b or any(a in family and b in family for family in families)


def _nearness(a: str, b: str) -> tuple[int, int]:
    # Folders shared once test folders are set aside (`tests/shop/` mirrors `shop/`), then the
    # common prefix; negated so that the nearest sorts first.
    left = [p for p in PurePosixPath(a).parts[:-1] if p not in _TEST_DIRS]
    right = [p for p in PurePosixPath(b).parts[:-1] if p not in _TEST_DIRS]
    prefix = 0
    for x, y in zip(left, right, strict=False):
        if x != y:
            break
        prefix += 1
    return -len(set(left) & set(right)), -prefix
