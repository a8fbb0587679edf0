"""Ranking: personalized PageRank over files, linked by symbols, co-change and test pairing.

A file's walk goes to the files defining the names it references (weighted per name), to files
that changed with it, and to its tests or subject. PageRank is computed by forward push from the
seeds (work bounded by the seeds' neighbourhood, not the repository); each file's definitions
are then ordered by how much the walk reached them. Deterministic: every loop runs
over sorted data. It must not read files or render.
"""

from __future__ import annotations

import bisect
import heapq
import marshal
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import islice

from orchard.repomap.cochange import CoChange
from orchard.repomap.graph import FileSymbols, SymbolGraph
from orchard.repomap.links import MAX_DEFINERS, Edge, Links
from orchard.repomap.pairing import TestPairs

DAMPING = 0.8  # chance the walk follows an edge rather than jumping back to a seed
EPSILON = 1e-4  # residual below which a file is not pushed further
MAX_PUSHES = 3_000
ENTRY_FILES = 150  # files whose definitions are ranked one by one; the rest are listed by path
FILE_ENTRIES = 24  # most definitions of one file that can be shown
ENTRY_SOURCES = 200  # strongest files whose links decide which definitions matter
_DIGITS = 12  # scores are rounded before sorting so float noise never reorders a map
# Part of a stored ranking's key: change it whenever a change here would give other rankings.
RANK_VERSION = "rank-1"
_PUSHES_KEPT = 8


@dataclass(frozen=True, slots=True)
class RankedEntry:
    """One definition (or a whole file when `name` is empty) and its score."""

    rel_path: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Ranking:
    """Files by score and definitions by score, both best first."""

    files: tuple[tuple[str, float], ...]
    entries: tuple[RankedEntry, ...]


def encode_ranking(ranking: Ranking) -> bytes:
    """Pack a ranking for the state database."""
    entries = tuple((e.rel_path, e.name, e.score) for e in ranking.entries)
    return marshal.dumps((ranking.files, entries))


def decode_ranking(blob: bytes) -> Ranking:
    """Unpack a blob written by encode_ranking."""
    files, entries = marshal.loads(blob)
    return Ranking(tuple(files), tuple(RankedEntry(*row) for row in entries))


class Ranker:
    """Ranks the files of a graph; caches each file's out-edges until its inputs change."""

    def __init__(self, graph: SymbolGraph, cochange: CoChange, pairs: TestPairs) -> None:
        self.graph = graph
        self.cochange = cochange
        self.pairs = pairs
        self.links = Links(graph, cochange, pairs)
        # The push works on file numbers: lists and bytearrays instead of dicts and sets.
        self._ids: dict[str, int] = {}
        self._paths: list[str] = []
        self._id_walk: list[tuple[tuple[int, ...], tuple[float, ...]] | None] = []
        self._global: tuple[tuple[int, int], dict[str, float]] | None = None
        # Bumps only when some file's edges really change: an edit that adds a name nobody
        # uses yet leaves every walk, and so every cached push, as it was.
        self._epoch = 0
        self._pushes: dict[tuple[object, ...], dict[str, float]] = {}
        self._orders: dict[str, tuple[FileSymbols, object, tuple[str, ...]]] = {}
        self._files: tuple[dict[str, float], tuple[tuple[str, float], ...]] | None = None
        self._listed: _Listed | None = None
        # (key, reached, the scores it came from: kept alive so that their id stays theirs)
        self._last_reached: (
            tuple[object, dict[str, dict[str, float]], Mapping[str, float]] | None
        ) = None

    def reset(self, cochange: CoChange | None = None, pairs: TestPairs | None = None) -> None:
        """Forget every cached edge (the set of files or the history changed)."""
        self.cochange = cochange or self.cochange
        self.pairs = pairs or self.pairs
        self.links = Links(self.graph, self.cochange, self.pairs)
        self._id_walk = [None] * len(self._paths)
        self._global = None
        self._pushes.clear()
        self._orders.clear()
        self._last_reached = None
        self._files = None
        self._listed = None
        self._epoch += 1

    def _sync(self) -> None:
        graph = self.graph
        if not graph.changed_names and not graph.changed_files:
            return
        changed = self.links.sync()
        for rel_path in changed:
            node = self._ids.get(rel_path)
            if node is not None:
                self._id_walk[node] = None
        if changed:
            self._epoch += 1
            self._pushes.clear()

    def edges(self, rel_path: str) -> tuple[Edge, ...]:
        """Return where a walk from `rel_path` goes, with shares summing to 1 (or nothing)."""
        return self.links.edges(rel_path)

    def rank(
        self,
        seeds: Mapping[str, float],
        exclude: frozenset[str] = frozenset(),
        named: frozenset[str] = frozenset(),
    ) -> Ranking:
        """Rank files from `seeds` (file -> weight); uniform seeds when none are given.

        Definitions in `named` (the request names them) come before every other definition.
        """
        self._sync()
        valid = {f: w for f, w in seeds.items() if f in self.graph.files and w > 0}
        scores = self._cached_push(valid) if valid else self._global_scores()
        files = self._sorted_files(scores)
        return Ranking(files, self._entries(files, scores, exclude, named))

    def _sorted_files(self, scores: dict[str, float]) -> tuple[tuple[str, float], ...]:
        # The same scores (a cached push) give the same order: an edit that leaves the edges
        # alone does not sort the files again.
        if self._files is not None and self._files[0] is scores:
            return self._files[1]
        files = tuple(
            sorted(
                ((f, round(s, _DIGITS)) for f, s in scores.items() if s > 0),
                key=lambda item: (-item[1], item[0]),
            )
        )
        self._files = (scores, files)
        return files

    def global_scores(self) -> dict[str, float]:
        """Return the unpersonalized scores (cached until the graph changes)."""
        self._sync()
        return self._global_scores()

    def _global_scores(self) -> dict[str, float]:
        key = (self._epoch, len(self.graph.files))
        if self._global is not None and self._global[0] == key:
            return self._global[1]
        files = sorted(self.graph.files)
        scores = self._push(dict.fromkeys(files, 1.0)) if files else {}
        self._global = (key, scores)
        return scores

    def _cached_push(self, seeds: Mapping[str, float]) -> dict[str, float]:
        key = (self._epoch, tuple(sorted(seeds.items())))
        found = self._pushes.get(key)
        if found is None:
            found = self._push(seeds)
            if len(self._pushes) >= _PUSHES_KEPT:
                self._pushes.pop(next(iter(self._pushes)))
            self._pushes[key] = found
        return found

    def _id(self, rel_path: str) -> int:
        found = self._ids.get(rel_path)
        if found is None:
            found = self._ids[rel_path] = len(self._paths)
            self._paths.append(rel_path)
            self._id_walk.append(None)
        return found

    def _id_steps(self, node: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
        # The walk's view of edges: one share per target file, as two flat tuples. Edges are
        # sorted by target, so the edges to one file are next to each other.
        edges = self.links.edges(self._paths[node])
        targets = [target for target, _, _ in edges]
        if len(set(targets)) == len(targets):  # the usual case: one link per file
            shares = [share for _, share, _ in edges]
        else:
            targets, shares = [], []
            for target, share, _name in edges:
                if targets and targets[-1] == target:
                    shares[-1] += share
                else:
                    targets.append(target)
                    shares.append(share)
        ids = self._ids
        nodes = tuple(ids[t] if t in ids else self._id(t) for t in targets)
        found = (nodes, tuple(shares))
        self._id_walk[node] = found
        return found

    def _push(self, seeds: Mapping[str, float]) -> dict[str, float]:
        total = sum(seeds.values())
        teleport = [(self._id(f), seeds[f] / total) for f in sorted(seeds)]
        jump = (tuple(f for f, _ in teleport), tuple(share for _, share in teleport))
        residual = [0.0] * len(self._paths)
        queued = bytearray(len(self._paths))
        for node, share in teleport:
            residual[node] = share
            queued[node] = 1
        scores: dict[int, float] = {}
        queue = deque(jump[0])
        pushes = 0
        id_walk, id_steps, paths = self._id_walk, self._id_steps, self._paths
        epsilon, keep, damping = EPSILON, 1.0 - DAMPING, DAMPING
        pop, append = queue.popleft, queue.append
        while queue and pushes < MAX_PUSHES:
            node = pop()
            queued[node] = 0
            mass = residual[node]
            if mass < epsilon:
                continue
            pushes += 1
            residual[node] = 0.0
            scores[node] = scores.get(node, 0.0) + keep * mass
            spread = damping * mass
            targets, shares = id_walk[node] or id_steps(node)
            if not targets:  # a dead end: the walk jumps back to the seeds
                targets, shares = jump
            elif len(residual) < len(paths):  # files met for the first time
                grown = len(paths) - len(residual)
                residual.extend([0.0] * grown)
                queued.extend(bytes(grown))
            for target, share in zip(targets, shares, strict=False):  # equal: no check per push
                left = residual[target] + spread * share
                residual[target] = left
                if left >= epsilon and not queued[target]:
                    append(target)
                    queued[target] = 1
        return {paths[node]: score for node, score in scores.items()}

    def _entries(
        self,
        files: tuple[tuple[str, float], ...],
        scores: Mapping[str, float],
        exclude: frozenset[str],
        named: frozenset[str] = frozenset(),
    ) -> tuple[RankedEntry, ...]:
        best = tuple(f for f, _ in files if f not in exclude)[:ENTRY_FILES]
        first = tuple(self._named_entries(files, scores, exclude, named))
        taken = frozenset((e.rel_path, e.name) for e in first)
        reached = self._reached(files, scores, list(best))
        key = (self._epoch, scores, best, first, reached)
        listed = self._listed
        symbols = self.graph.files
        if listed is None or not listed.same_key(key):
            entries: list[RankedEntry] = list(first)
            kept: dict[str, FileSymbols] = {}
            for rel_path in best:
                kept[rel_path] = symbols[rel_path]
                entries.extend(self._file_entries(rel_path, scores, reached, taken))
            entries.sort(key=_entry_order(taken))
            self._listed = _Listed(key, kept, entries)
            return tuple(entries)
        # Same walk, same files: only the files whose definitions changed are listed again.
        changed = {p for p in best if symbols[p] is not listed.symbols[p]}
        if changed:
            order = _entry_order(taken)
            entries = [e for e in listed.entries if e.rel_path not in changed or e in first]
            for rel_path in sorted(changed):
                listed.symbols[rel_path] = symbols[rel_path]
                for entry in self._file_entries(rel_path, scores, reached, taken):
                    entries.insert(bisect.bisect_left(entries, order(entry), key=order), entry)
            listed.entries = entries
        return tuple(listed.entries)

    def _file_entries(
        self,
        rel_path: str,
        scores: Mapping[str, float],
        reached: dict[str, dict[str, float]],
        taken: frozenset[tuple[str, str]],
    ) -> list[RankedEntry]:
        score = scores[rel_path]
        if not self.graph.defines(rel_path):
            return [RankedEntry(rel_path, "", round(score, _DIGITS))]
        ordered = self._order(rel_path, reached.get(rel_path, {}), taken)
        # A file's k-th definition counts 1/(k+1) of its score: the top files show their
        # most-reached definitions first, and lesser files still get a line before the top
        # files show everything.
        offset = sum(1 for path, _ in taken if path == rel_path)  # named ones come first
        return [
            RankedEntry(rel_path, name, round(score / (rank + 1), _DIGITS))
            for rank, name in enumerate(ordered[:FILE_ENTRIES], start=offset)
        ]

    def _reached(
        self, files: tuple[tuple[str, float], ...], scores: Mapping[str, float], best: list[str]
    ) -> dict[str, dict[str, float]]:
        # How much of the walk reached each definition of the shown files, through the links
        # of the strongest files; the same while the scores (a cached push) and edges are.
        key = (self._epoch, id(scores), tuple(best))
        if self._last_reached is not None and self._last_reached[0] == key:
            return self._last_reached[1]
        shown = set(best)
        reached: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for source, _ in files[:ENTRY_SOURCES]:
            for target, share, name in self.edges(source):
                if name and target in shown:
                    reached[target][name] += scores[source] * share
        self._last_reached = (key, reached, scores)
        return reached

    def _order(
        self, rel_path: str, by_name: dict[str, float], taken: frozenset[tuple[str, str]]
    ) -> tuple[str, ...]:
        # A file's definitions, most reached first; kept while its names and links stay put.
        symbols = self.graph.files[rel_path]
        mark = (tuple(sorted(by_name.items())), tuple(sorted(n for p, n in taken if p == rel_path)))
        found = self._orders.get(rel_path)
        if found is not None and found[0] is symbols and found[1] == mark:
            return found[2]
        # Reached names by rounded reach, then the rest by name (`defines` is sorted): the
        # order of every definition by (-reach, name) without weighing the unreached ones.
        defines = symbols.defines
        skipped = {name for path, name in taken if path == rel_path}
        reached = []
        for name, value in by_name.items():
            rounded = round(value, _DIGITS)
            if rounded > 0 and name not in skipped and _holds(defines, name):
                reached.append((-rounded, name))
        first = [name for _, name in heapq.nsmallest(FILE_ENTRIES, reached)]
        skipped.update(name for _, name in reached)
        rest = (name for name in defines if name not in skipped)
        ordered = (*first, *islice(rest, FILE_ENTRIES - len(first)))
        self._orders[rel_path] = (symbols, mark, ordered)
        return ordered

    def _named_entries(
        self,
        files: tuple[tuple[str, float], ...],
        scores: Mapping[str, float],
        exclude: frozenset[str],
        named: frozenset[str],
    ) -> list[RankedEntry]:
        # A definition the request names counts its file's whole score, ahead of the file's
        # other definitions, so it is shown whenever any definition of its file is.
        if not named:
            return []
        found: list[RankedEntry] = []
        for name in sorted(named):
            holders = self.graph.definers.get(name, ())
            if len(holders) > MAX_DEFINERS:
                continue
            for rel_path in holders:
                score = scores.get(rel_path, 0.0)
                if score > 0 and rel_path not in exclude and name in self.graph.defines(rel_path):
                    found.append(RankedEntry(rel_path, name, round(score, _DIGITS)))
        return found


def _holds(ordered: tuple[str, ...], name: str) -> bool:
    at = bisect.bisect_left(ordered, name)
    return at < len(ordered) and ordered[at] == name


class _Listed:
    """The last list of entries, and what it came from (the walk, the files, their names)."""

    def __init__(
        self, key: tuple[object, ...], symbols: dict[str, FileSymbols], entries: list[RankedEntry]
    ) -> None:
        self.key = key
        self.symbols = symbols
        self.entries = entries

    def same_key(self, key: tuple[object, ...]) -> bool:
        """Tell whether `key` names the same walk: scores and reach by identity, the rest equal."""
        mine = self.key
        return (
            mine[0] == key[0]
            and mine[1] is key[1]
            and mine[2] == key[2]
            and mine[3] == key[3]
            and mine[4] is key[4]
        )


def _entry_order(
    taken: frozenset[tuple[str, str]],
) -> Callable[[RankedEntry], tuple[float, str, bool, str]]:
    # Best score first; a named definition before its file's other entries of equal score.
    def order(e: RankedEntry) -> tuple[float, str, bool, str]:
        return (-e.score, e.rel_path, (e.rel_path, e.name) not in taken, e.name)

    return order
