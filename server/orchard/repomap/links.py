"""Each file's out-edges for the ranking walk: symbol links, co-change and test pairing.

A file's symbol links are its strongest (target, name) contributions; they are kept per file a
little deeper than used, so that when names change definers only those names' contributions
are patched instead of the file's every reference weighed again. Patched edges equal recomputed
ones bit for bit. It must not rank, read files or render.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass

from orchard.repomap.cochange import CoChange
from orchard.repomap.graph import SymbolGraph
from orchard.repomap.pairing import TestPairs

MAX_DEFINERS = 40  # a name defined in more files than this says nothing about where to look
MAX_EDGES = 64  # a file's strongest symbol links; the rest carry too little of the walk to matter
_KEPT = 2 * MAX_EDGES  # contributions kept per file, so that a few can go without a recount
_KIND_WEIGHTS = {"symbol": 1.0, "cochange": 0.6, "pair": 0.5}

Edge = tuple[str, float, str]  # (target file, share of the walk, name; "" for non-symbol edges)
Contribution = tuple[float, str, str]  # (-weight, target, name): sorts strongest first
Targets = tuple[tuple[str, ...], float]  # a name's definers and its weight


@dataclass(slots=True)
class _Linked:
    """One file's edges and the strongest contributions they came from."""

    edges: tuple[Edge, ...]
    kept: list[Contribution]  # the exact strongest len(kept) contributions, sorted
    complete: bool  # kept holds every contribution


class Links:
    """Out-edges per file, computed on demand and patched when names change definers."""

    def __init__(self, graph: SymbolGraph, cochange: CoChange, pairs: TestPairs) -> None:
        self.graph = graph
        self.cochange = cochange
        self.pairs = pairs
        self._linked: dict[str, _Linked] = {}
        self._names: dict[str, Targets] = {}

    def edges(self, rel_path: str) -> tuple[Edge, ...]:
        """Return where a walk from `rel_path` goes, with shares summing to 1 (or nothing)."""
        found = self._linked.get(rel_path)
        if found is None:
            found = self._link(rel_path)
        return found.edges

    def sync(self) -> set[str]:
        """Follow the graph's changes since the last call; return the files whose edges changed.

        Only files whose edges were computed count: the others are computed when first asked.
        """
        graph = self.graph
        changed_files = set(graph.changed_files)
        by_file: dict[str, list[str]] = {}
        for name in sorted(graph.changed_names):
            for rel_path in graph.referencers.get(name, ()):
                if rel_path not in changed_files and rel_path in self._linked:
                    by_file.setdefault(rel_path, []).append(name)
        before = {name: self._names.pop(name, None) for name in graph.changed_names}
        graph.changed_names.clear()
        graph.changed_files.clear()
        changed: set[str] = set()
        for rel_path in sorted(changed_files):
            old = self._linked.pop(rel_path, None)
            if old is not None and self._link(rel_path).edges != old.edges:
                changed.add(rel_path)
        for rel_path in sorted(by_file):
            if self._patch(rel_path, by_file[rel_path], before):
                changed.add(rel_path)
        return changed

    def targets(self, name: str) -> Targets:
        """Return the files a reference to `name` links to, and the name's weight."""
        found = self._names.get(name)
        if found is None:
            holders = self.graph.definers.get(name, ())
            if not holders or len(holders) > MAX_DEFINERS + 1:
                found = ((), 0.0)
            else:
                found = (tuple(sorted(holders)), self.graph.name_weight(name))
            self._names[name] = found
        return found

    def _contributions(
        self, rel_path: str, name: str, count: int, to: Targets
    ) -> list[Contribution]:
        targets, name_weight = to
        others = len(targets) - (rel_path in targets)
        if others <= 0:
            return []
        weight = name_weight * math.sqrt(count) / others
        return [(-weight, target, name) for target in targets if target != rel_path]

    def _link(self, rel_path: str) -> _Linked:
        every: list[Contribution] = []
        for name, count in self.graph.references(rel_path):
            every.extend(self._contributions(rel_path, name, count, self.targets(name)))
        complete = len(every) <= _KEPT
        kept = sorted(every) if complete else heapq.nsmallest(_KEPT, every)
        found = _Linked(self._normalized(rel_path, kept), kept, complete)
        self._linked[rel_path] = found
        return found

    def _patch(self, rel_path: str, names: list[str], before: dict[str, Targets | None]) -> bool:
        # Only `names` changed definers, and the file's own references did not change: take
        # their old contributions out of the kept ones and put the new ones in.
        linked = self._linked[rel_path]
        kept = linked.kept
        strongest = kept[:MAX_EDGES]
        counts = dict(self.graph.references(rel_path))
        for name in names:
            count = counts.get(name)
            old = before.get(name)
            if count is None or old is None:  # not linked through this name as cached
                self._linked.pop(rel_path)
                return self._link(rel_path).edges != linked.edges
            for item in self._contributions(rel_path, name, count, old):
                at = bisect.bisect_left(kept, item)
                if at < len(kept) and kept[at] == item:
                    del kept[at]
            for item in self._contributions(rel_path, name, count, self.targets(name)):
                if linked.complete or (kept and item < kept[-1]):
                    bisect.insort(kept, item)
        if not linked.complete and len(kept) < MAX_EDGES:
            self._linked.pop(rel_path)
            return self._link(rel_path).edges != linked.edges
        if len(kept) > 2 * _KEPT:
            del kept[_KEPT:]
            linked.complete = False
        if kept[:MAX_EDGES] == strongest:
            return False
        edges = self._normalized(rel_path, kept)
        if edges == linked.edges:
            return False
        linked.edges = edges
        return True

    def _normalized(self, rel_path: str, kept: list[Contribution]) -> tuple[Edge, ...]:
        graph = self.graph
        kinds: list[tuple[float, list[Edge]]] = []
        if kept:
            symbol = [(target, -negative, name) for negative, target, name in kept[:MAX_EDGES]]
            kinds.append((_KIND_WEIGHTS["symbol"], symbol))
        co = [(t, w, "") for t, w in self.cochange.partners(rel_path) if t in graph.files]
        if co:
            kinds.append((_KIND_WEIGHTS["cochange"], co))
        paired = [(t, 1.0, "") for t in self.pairs.partners(rel_path) if t in graph.files]
        if paired:
            kinds.append((_KIND_WEIGHTS["pair"], paired))
        total_kind = sum(weight for weight, _ in kinds)
        edges: list[Edge] = []
        for kind_weight, entries in kinds:
            total = sum(w for _, w, _ in entries)
            for target, w, name in entries:
                edges.append((target, kind_weight / total_kind * w / total, name))
        return tuple(sorted(edges))
