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
    others: list[tuple[float, list[Edge]]]  # co-change and pairing: names do not move them


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
        linked = self._linked
        by_file: dict[str, list[tuple[str, int]]] = {}
        for name in sorted(graph.changed_names):
            for rel_path, count in graph.referencers.get(name, {}).items():
                if rel_path in linked and rel_path not in changed_files:
                    by_file.setdefault(rel_path, []).append((name, count))
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
        others = self._other_kinds(rel_path)
        found = _Linked(_normalized(kept, others), kept, complete, others)
        self._linked[rel_path] = found
        return found

    def _patch(
        self, rel_path: str, names: list[tuple[str, int]], before: dict[str, Targets | None]
    ) -> bool:
        # Only `names` (referenced `count` times) changed definers, and the file's own
        # references did not change: their old contributions go out of the kept ones and the
        # new ones come in.
        linked = self._linked[rel_path]
        kept = linked.kept
        strongest = kept[:MAX_EDGES]
        for name, count in names:
            old = before.get(name)
            if old is None:  # not linked through this name as cached
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
        edges = _normalized(kept, linked.others)
        if edges == linked.edges:
            return False
        linked.edges = edges
        return True

    def _other_kinds(self, rel_path: str) -> list[tuple[float, list[Edge]]]:
        files = self.graph.files
        kinds: list[tuple[float, list[Edge]]] = []
        co = [(t, w, "") for t, w in self.cochange.partners(rel_path) if t in files]
        if co:
            kinds.append((_KIND_WEIGHTS["cochange"], co))
        paired = [(t, 1.0, "") for t in self.pairs.partners(rel_path) if t in files]
        if paired:
            kinds.append((_KIND_WEIGHTS["pair"], paired))
        return kinds


def _normalized(
    kept: list[Contribution], others: list[tuple[float, list[Edge]]]
) -> tuple[Edge, ...]:
    # Each kind gets its weight's part of the walk, shared by its links as their weights are.
    symbol = kept[:MAX_EDGES]
    kind_weights = [weight for weight, _ in others]
    if symbol:
        kind_weights.insert(0, _KIND_WEIGHTS["symbol"])
    total_kind = sum(kind_weights)
    edges: list[Edge] = []
    if symbol:
        part = _KIND_WEIGHTS["symbol"] / total_kind
        total = sum(-negative for negative, _, _ in symbol)
        edges = [(target, part * -negative / total, name) for negative, target, name in symbol]
    for kind_weight, entries in others:
        part = kind_weight / total_kind
        total = sum(w for _, w, _ in entries)
        edges.extend((target, part * w / total, name) for target, w, name in entries)
    edges.sort()
    return tuple(edges)
