"""The repo map's Python API: `RepoMap.render(...)` ranks the live index for a request and renders
it within a token budget. Agents, the CLI and the LSP command all come through here.

It turns a request (focus, open files, mentions, task text...) into ranking seeds and caches maps
by index version and request. It must not know about agents or editors.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from orchard.config import RepoMapSettings
from orchard.repomap.index import BuildStats, RepoIndex, open_store
from orchard.repomap.links import MAX_DEFINERS
from orchard.repomap.parsing import Progress
from orchard.repomap.rank import (
    RANK_VERSION,
    Ranker,
    Ranking,
    decode_ranking,
    encode_ranking,
)
from orchard.repomap.render import MapRenderer
from orchard.repomap.tokens import load_tokenizer, tokenizer_table_present

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_PATHLIKE = re.compile(r"[\w./\\-]+\.\w+|[\w.-]+/[\w./-]+")
_MAP_CACHE = 32

# How strongly each part of a request pulls the walk (per file).
SEED_FOCUS = 1.0
SEED_ACTIVE = 1.0
SEED_MENTIONED_FILE = 0.8
SEED_CURSOR_DEFINER = 0.8
SEED_DEFINER = 0.6
SEED_CALLERS = 0.4  # shared among a mentioned name's referencing files
SEED_OPEN = 0.2
SEED_RECENT = 0.15


@dataclass(frozen=True, slots=True)
class MapRequest:
    """What a map is for. Paths may be relative to the root, absolute, or `file:` URIs."""

    focus_files: tuple[str, ...] = ()  # already in the reader's context: ranked from, not shown
    mentioned_files: tuple[str, ...] = ()
    mentioned_identifiers: tuple[str, ...] = ()
    open_files: tuple[str, ...] = ()
    active_file: str | None = None
    cursor_symbol: str | None = None
    recent_files: tuple[str, ...] = ()
    task_text: str = ""
    tokens: int | None = None  # budget; None: settings.repomap.map_tokens


@dataclass(frozen=True, slots=True)
class RenderedMap:
    """A rendered map: its text, the files it shows in order with their scores, its tokens."""

    text: str
    files: tuple[tuple[str, float], ...]
    tokens: int
    budget: int
    version: tuple[int, int, int] = field(default=(0, 0, 0))


class RepoMap:
    """A ranked, budgeted view of a live index."""

    def __init__(self, index: RepoIndex) -> None:
        self.index = index
        self._made_ranker: Ranker | None = None  # made on first use: a stored map needs none
        self._layout = index.layout_version
        self._renderer = MapRenderer()
        self._maps: OrderedDict[tuple[object, ...], RenderedMap] = OrderedDict()
        self._ranked: tuple[tuple[object, ...], Ranking] | None = None
        self._tail: tuple[tuple[int, int], list[str]] | None = None
        self._last_request: MapRequest | None = None
        index.on_pause(self._rank_last)

    @property
    def _ranker(self) -> Ranker:
        if self._made_ranker is None:
            index = self.index
            self._made_ranker = Ranker(index.graph, index.cochange, index.pairs)
        return self._made_ranker

    @classmethod
    def open(
        cls,
        root: Path,
        settings: RepoMapSettings | None = None,
        *,
        progress: Progress | None = None,
        use_cache: bool = True,
        workers: int | None = None,
    ) -> RepoMap:
        """Index the work tree at `root` (warm from the shared cache when possible)."""
        store = open_store(root) if use_cache else None
        index = RepoIndex(root, settings, store=store, workers=workers)
        index.build(progress, meanwhile=load_tokenizer)  # needed by the first map after it
        return cls(index)

    def build(self, progress: Progress | None = None) -> BuildStats:
        """Re-scan the work tree (cheap when little changed)."""
        return self.index.build(progress)

    def render(self, request: MapRequest | None = None, **kwargs: object) -> RenderedMap:
        """Rank the index for `request` (or keyword fields of MapRequest) and render the map."""
        request = replace(request or MapRequest(), **kwargs)  # type: ignore[arg-type]
        budget = request.tokens or self.index.settings.map_tokens
        with self.index.lock:
            self.index.link_deferred()
            key = (self.index.version, _normalize(request, self.index.root), budget)
            cached = self._maps.get(key)
            if cached is not None:
                self._maps.move_to_end(key)
                return cached
            rendered = self._stored_render(request, budget)
            self._maps[key] = rendered
            while len(self._maps) > _MAP_CACHE:
                self._maps.popitem(last=False)
            return rendered

    def _stored_render(self, request: MapRequest, budget: int) -> RenderedMap:
        # Without open buffers a map is a function of the tree's digest and the request, so a
        # map of an unchanged tree is read back (no ranking, parsing or tokenizer).
        store = self.index.store
        if store is None or self.index.documents:
            return self._render(request, budget)
        exact = "exact" if tokenizer_table_present() else "estimate"
        normalized = repr((_normalize(request, self.index.root), budget, exact))
        digest = hashlib.sha1(normalized.encode("utf-8", "surrogatepass"), usedforsecurity=False)
        key = f"map/{RANK_VERSION}/{self.index.fingerprint()}/{digest.hexdigest()}"
        blob = store.ranking(key)
        if blob is not None:
            text, files, tokens = marshal.loads(blob)
            return RenderedMap(text, tuple(files), tokens, budget, self.index.version)
        rendered = self._render(request, budget)
        store.put_ranking(key, marshal.dumps((rendered.text, rendered.files, rendered.tokens)))
        return rendered

    def rank(self, request: MapRequest) -> Ranking:
        """Rank the files and definitions for `request` (no rendering)."""
        with self.index.lock:
            self.index.link_deferred()
            self._last_request = request
            self._sync_layout()
            key = (self.index.rank_version, _normalize(request, self.index.root))
            if self._ranked is not None and self._ranked[0] == key:
                return self._ranked[1]
            seeds, exclude = self.seeds(request)
            named = self.named(request)
            graph = self.index.graph
            if any(f in graph.files and w > 0 for f, w in seeds.items()):
                ranking = self._ranker.rank(seeds, exclude, named)
            else:  # the global ranking: the same for every such request on this tree
                ranking = self._global_ranking(exclude, named)
            self._ranked = (key, ranking)
            return ranking

    def _rank_last(self) -> None:
        # A pause in typing: rank the last request again now, so that the next map after an
        # edit that moved links finds the walk done (the same ranking it would compute).
        if self._last_request is not None:
            self.rank(self._last_request)

    def _global_ranking(self, exclude: frozenset[str], named: frozenset[str]) -> Ranking:
        store = self.index.store
        if exclude or named or store is None:
            return self._ranker.rank({}, exclude, named)
        key = f"{RANK_VERSION}/{self.index.fingerprint()}"
        blob = store.ranking(key)
        if blob is not None:
            return decode_ranking(blob)
        ranking = self._ranker.rank({})
        store.put_ranking(key, encode_ranking(ranking))
        return ranking

    def named(self, request: MapRequest) -> frozenset[str]:
        """Return the definitions a request names: mentions, names in its text, the cursor's."""
        _, text_names = self._mentions_in(request.task_text)
        names = set(request.mentioned_identifiers) | set(text_names)
        if request.cursor_symbol:
            names.add(request.cursor_symbol)
        return frozenset(n for n in names if n in self.index.graph.definers)

    def _sync_layout(self) -> None:
        if self._layout != self.index.layout_version:
            self._ranker.graph = self.index.graph
            self._ranker.reset(self.index.cochange, self.index.pairs)
            self._layout = self.index.layout_version

    def _render(self, request: MapRequest, budget: int) -> RenderedMap:
        ranking = self.rank(request)
        _, exclude = self.seeds(request)
        scores = dict(ranking.files)
        ordered = [f for f, _ in ranking.files if f not in exclude]
        placed = set(ordered)
        tail = [f for f in self._tail_order() if f not in placed and f not in exclude]
        shown = self._renderer.render(ranking.entries, ordered + tail, self.index.view, budget)
        return RenderedMap(
            text=shown.text,
            files=tuple((f, scores.get(f, 0.0)) for f in shown.files),
            tokens=shown.tokens,
            budget=budget,
            version=self.index.version,
        )

    def _tail_order(self) -> list[str]:
        # Files the walk never reached, most often changed first: independent of file contents,
        # so a map after an edit matches a fresh index of the same text.
        key = (self.index.layout_version, len(self.index.graph.files))
        if self._tail is None or self._tail[0] != key:
            counts = self.index.cochange.change_counts()
            order = sorted(
                self.index.graph.files, key=lambda f: (-counts.get(f, 0), f.count("/"), f)
            )
            self._tail = (key, order)
        return self._tail[1]

    def seeds(self, request: MapRequest) -> tuple[dict[str, float], frozenset[str]]:
        """Turn a request into ranking seeds (file -> weight) and the files not to show."""
        root, graph = self.index.root, self.index.graph
        seeds: dict[str, float] = {}

        def add(paths: Iterable[str], weight: float) -> None:
            for path in paths:
                if path in graph.files:
                    seeds[path] = seeds.get(path, 0.0) + weight

        focus = _relative(request.focus_files, root)
        add(focus, SEED_FOCUS)
        add(_relative([request.active_file] if request.active_file else [], root), SEED_ACTIVE)
        add(_relative(request.open_files, root), SEED_OPEN)
        add(_relative(request.recent_files, root), SEED_RECENT)
        text_files, text_names = self._mentions_in(request.task_text)
        add(_relative(request.mentioned_files, root) + text_files, SEED_MENTIONED_FILE)
        names = sorted(set(request.mentioned_identifiers) | set(text_names))
        if request.cursor_symbol:
            add(graph.definers_of(request.cursor_symbol), SEED_CURSOR_DEFINER)
            names.append(request.cursor_symbol)
        for name in names:
            definers = graph.definers_of(name)
            if definers and len(definers) <= MAX_DEFINERS:
                add(definers, SEED_DEFINER / len(definers) ** 0.5)
            callers = graph.referencers_of(name)
            if callers and len(callers) <= 4 * MAX_DEFINERS:
                add(callers, SEED_CALLERS / len(callers) ** 0.5)
        return seeds, frozenset(focus)

    def _mentions_in(self, text: str) -> tuple[list[str], list[str]]:
        if not text:
            return [], []
        files = set(self.index.graph.files)
        by_name: dict[str, list[str]] = {}
        for path in files:
            by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        found_files: set[str] = set()
        for token in _PATHLIKE.findall(text):
            token = token.strip("./").replace("\\", "/")
            if token in files:
                found_files.add(token)
            elif len(by_name.get(token, ())) == 1:
                found_files.update(by_name[token])
        definers = self.index.graph.definers
        names = {w for w in _IDENTIFIER.findall(text) if w in definers and _specific(w)}
        return sorted(found_files), sorted(names)


def _specific(word: str) -> bool:
    # Plain short words ("user", "test") in prose are not a request for their definitions.
    return len(word) >= 6 or "_" in word or any(c.isupper() for c in word[1:])


def _from_uri(value: str) -> str:
    # `file:` URIs (as editors send them) name local absolute paths; anything else is a path.
    if not value.startswith("file:"):
        return value
    parts = urlsplit(value)
    if parts.netloc not in ("", "localhost"):
        return value
    return unquote(parts.path)


def _relative(paths: Iterable[str | None], root: Path) -> list[str]:
    """Turn paths (repo-relative, absolute, or `file:` URIs) into repo-relative posix paths."""
    found: list[str] = []
    for path in paths:
        if not path:
            continue
        candidate = Path(_from_uri(path))
        if candidate.is_absolute():
            try:
                candidate = candidate.resolve().relative_to(root)
            except ValueError:
                continue
        found.append(candidate.as_posix())
    return found


def _normalize(request: MapRequest, root: Path) -> tuple[object, ...]:
    return (
        tuple(sorted(_relative(request.focus_files, root))),
        tuple(sorted(_relative(request.mentioned_files, root))),
        tuple(sorted(request.mentioned_identifiers)),
        tuple(sorted(_relative(request.open_files, root))),
        tuple(_relative([request.active_file], root)),
        request.cursor_symbol,
        tuple(sorted(_relative(request.recent_files, root))),
        request.task_text,
    )
