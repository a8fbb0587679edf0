"""The live index of a workspace: every file's identity and symbols, open buffers, history.

Built cold in a process pool or warm from the cache, then kept current by editor and file-system
events; unsaved buffers win over disk. Every method is thread-safe and blocking: callers on an
event loop run them in an executor. It must not rank, render, or know about LSP.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from orchard.config import RepoMapSettings
from orchard.errors import WorkspaceError
from orchard.memory.tag_cache import TagStore
from orchard.repomap.cache import content_sha
from orchard.repomap.cochange import CoChange, mine_history
from orchard.repomap.document import LiveDocument, TextEdit
from orchard.repomap.file_views import FileViews
from orchard.repomap.graph import EMPTY, FileSymbols, SymbolGraph
from orchard.repomap.identities import identify_files, with_worker_identities
from orchard.repomap.known_tags import KnownTags
from orchard.repomap.languages import language_for
from orchard.repomap.pairing import TestPairs
from orchard.repomap.parsing import (
    ParsedFile,
    ParseJob,
    ParsingPool,
    Progress,
    default_workers,
    parse_files,
    taggable,
)
from orchard.repomap.render import FileView
from orchard.repomap.scan import (
    ORCHARDIGNORE,
    SCAN_RULES,
    FileContent,
    FileStatus,
    classify_bytes,
    filter_unignored,
    list_files,
    read_content,
)
from orchard.repomap.snapshot import decode_snapshot, encode_snapshot, install
from orchard.repomap.tags import TAGS_VERSION, default_extractor
from orchard.vcs.queries import indexed_file_count
from orchard.vcs.repository import state_db_path

log = logging.getLogger(__name__)

EARLY_POOL_FILES = 500  # a first build of this many files starts its workers before listing
_RULE_FILES = frozenset({".gitignore", ORCHARDIGNORE})


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What a build or refresh did."""

    files: int
    parsed: int
    from_cache: int
    seconds: float


def open_store(root: Path) -> TagStore | None:
    """Open the repository's shared tags cache, or None outside a git repository."""
    try:
        return TagStore(state_db_path(root), TAGS_VERSION)
    except WorkspaceError as exc:
        log.info("no repo map cache: %s", exc)
        return None


class RepoIndex:
    """Files, symbols and history of one work tree, kept current."""

    def __init__(
        self,
        root: Path,
        settings: RepoMapSettings | None = None,
        *,
        store: TagStore | None = None,
        workers: int | None = None,
        history_limit: int = 1000,
    ) -> None:
        self.root = root.resolve()
        self.settings = settings or RepoMapSettings()
        self.store = store
        self.workers = workers
        self.history_limit = history_limit
        self.lock = threading.RLock()
        self._graph = SymbolGraph()
        # An adopted snapshot's graph, decoded on first use (see `graph`), and its files.
        self._deferred: tuple[bytes, tuple[str, ...], frozenset[str]] | None = None
        self.records: dict[str, ParsedFile] = {}
        self.documents: dict[str, LiveDocument] = {}
        self.cochange = CoChange()
        self.pairs = TestPairs()
        self.layout_version = 0  # bumps when the set of files or the history changes
        self.content_version = 0  # bumps on any text change, even one that leaves names alone
        self._stale: set[str] = set()  # buffers whose tags wait for flush()
        self.tags = KnownTags(store)
        self._views = FileViews(self.root, self.settings.max_file_bytes, self.tags.blob)
        # Stats are trusted only under the rules that classified them (size limit, scan rules).
        self._root_key = f"{self.root}#{SCAN_RULES}#{self.settings.max_file_bytes}"
        self._fingerprint: tuple[tuple[int, int], str] | None = None
        self._pause_listeners: list[Callable[[], None]] = []

    @property
    def graph(self) -> SymbolGraph:
        """The symbol graph of every file (an adopted snapshot's is decoded on first use)."""
        if self._deferred is not None:
            with self.lock:
                if self._deferred is not None:
                    install(self._graph, self._deferred[0])
                    self._deferred = None
        return self._graph

    @property
    def version(self) -> tuple[int, int, int]:
        """Change whenever anything a map depends on changes (flush() first)."""
        return (self._graph.version, self.layout_version, self.content_version)

    @property
    def rank_version(self) -> tuple[int, int]:
        """Change whenever anything a ranking depends on changes (names, files, history)."""
        return (self._graph.version, self.layout_version)

    def _graph_files(self) -> Iterable[str]:
        # The graph's files, in its order, without decoding a deferred graph.
        return self._deferred[1] if self._deferred is not None else self._graph.files

    def _in_graph(self, rel_path: str) -> bool:
        deferred = self._deferred
        return rel_path in deferred[2] if deferred is not None else rel_path in self._graph

    def fingerprint(self) -> str:
        """Digest everything a ranking depends on: each file's content, buffers, history.

        Equal digests mean equal graphs, so a ranking stored under one is valid for the other
        (in another process or work tree). Cached until rank_version changes.
        """
        with self.lock:
            self.link_deferred()
            version = self.rank_version
            if self._fingerprint is not None and self._fingerprint[0] == version:
                return self._fingerprint[1]
            digest = hashlib.sha1(usedforsecurity=False)
            records, documents = self.records, self.documents
            for rel_path in sorted(self._graph_files()):
                document = documents.get(rel_path)
                if document is not None:
                    key = "buffer:" + content_sha(document.data)
                else:
                    record = records.get(rel_path)
                    key = f"{record.sha}:{record.language}" if record is not None else "?"
                digest.update(f"{rel_path}\0{key}\n".encode("utf-8", "surrogatepass"))
            digest.update(marshal.dumps(self.cochange.commits))
            found = (version, f"{TAGS_VERSION}/{digest.hexdigest()}")
            self._fingerprint = found
            return found[1]

    def build(
        self, progress: Progress | None = None, *, meanwhile: Callable[[], object] | None = None
    ) -> BuildStats:
        """Scan the work tree and index every file (cached tags reused), then mine history.

        `meanwhile` is called while worker processes parse, if they do (work of the caller's
        that this thread would otherwise wait to do).
        """
        started = time.perf_counter()
        pool = self._early_pool()
        # History is mined by git and read from SQLite on a helper thread meanwhile.
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="orchard-history") as helper:
                history = helper.submit(
                    mine_history, self.root, self.store, limit=self.history_limit
                )
                paths = list_files(self.root, self.settings.exclude)
                with self.lock:
                    stats = self._refresh(
                        paths, progress, full=True, meanwhile=meanwhile, pool=pool
                    )
                    listed = set(paths)
                    gone = [rel for rel in self.records if rel not in listed]
                    self._forget(gone)
                    self._take_history(history.result())
        finally:
            if pool is not None:
                pool.close()
        return BuildStats(
            stats.files, stats.parsed, stats.from_cache, time.perf_counter() - started
        )

    def _early_pool(self) -> ParsingPool | None:
        # A first build of a big tree will parse it all: its workers start now, while the tree
        # is listed (git's index says how big it is without listing it).
        workers = self.workers if self.workers is not None else default_workers()
        if workers <= 1 or self.records or self.tags.any():
            return None
        count = indexed_file_count(self.root)
        if count is None or count < EARLY_POOL_FILES:
            return None
        try:
            return ParsingPool(workers)
        except OSError as exc:
            log.warning("could not start parsing workers (%s); they start when needed", exc)
            return None

    def refresh_history(self) -> None:
        """Read commits that arrived since the last look (bounded) and update co-change."""
        self._take_history(mine_history(self.root, self.store, limit=self.history_limit))

    def _take_history(self, commits: list[tuple[str, ...]]) -> None:
        with self.lock:
            if commits != self.cochange.commits:
                self.cochange = CoChange(commits)
                self.layout_version += 1

    def files_changed(
        self,
        created: Iterable[str] = (),
        changed: Iterable[str] = (),
        deleted: Iterable[str] = (),
    ) -> None:
        """Apply file-system events (relative posix paths), e.g. from a git checkout."""
        created, changed, deleted = set(created), set(changed), set(deleted)
        if (created | changed | deleted) & _RULE_FILES or any(
            p.endswith("/.gitignore") for p in created | changed | deleted
        ):
            self.build()
            return
        candidates = filter_unignored(self.root, created | changed, self.settings.exclude)
        with self.lock:
            self._forget(p for p in deleted if p not in candidates)
            self._refresh(sorted(candidates), None, full=False)

    def update_document(
        self,
        rel_path: str,
        text: str,
        changes: Sequence[TextEdit] | None = None,
        *,
        defer_tags: bool = False,
    ) -> None:
        """Take an open buffer's new text (with the edits that led to it, when known).

        With `defer_tags`, only the parse tree is updated now (per keystroke); the tags and the
        graph follow at the next `flush()`, which every map request does first.
        """
        with self.lock:
            document = self.documents.get(rel_path)
            if document is None:
                language = language_for(rel_path, text.encode("utf-8", "surrogatepass"))
                document = LiveDocument(rel_path, language)
                self.documents[rel_path] = document
                changes = None
            status = classify_bytes(
                text.encode("utf-8", "surrogatepass"), self.settings.max_file_bytes, rel_path
            ).status
            document.update(
                text,
                changes,
                default_extractor(),
                taggable(status, document.language),
                extract=not defer_tags,
            )
            self.content_version += 1
            if document.tags_stale:
                self._stale.add(rel_path)
                return
            self._stale.discard(rel_path)
            self._link_document(document)

    def flush(self) -> None:
        """Bring the graph up to date at a pause in typing, then let listeners use the pause.

        Listeners (`on_pause`) run only when deferred tags reached the graph: the idle time
        after typing is theirs (a map ranks its last request again, off the next map's path).
        """
        with self.lock:
            if self.link_deferred():
                for listener in self._pause_listeners:
                    listener()

    def link_deferred(self) -> bool:
        """Bring the graph up to date with every buffer whose tags were deferred; tell if any."""
        with self.lock:
            linked = False
            for rel_path in sorted(self._stale):
                document = self.documents.get(rel_path)
                if document is not None and document.refresh_tags(default_extractor()):
                    self._link_document(document)
                    linked = True
            self._stale.clear()
            return linked

    def on_pause(self, listener: Callable[[], None]) -> None:
        """Call `listener` (under the index's lock) after each flush() that linked new tags."""
        self._pause_listeners.append(listener)

    def _link_document(self, document: LiveDocument) -> None:
        is_new = document.rel_path not in self.graph
        self.graph.set_file(document.rel_path, FileSymbols.from_tags(document.tags))
        if is_new:
            self.pairs.add(document.rel_path)
            self.layout_version += 1

    def close_document(self, rel_path: str) -> None:
        """Forget a buffer: the file on disk is the truth again."""
        with self.lock:
            self._views.forget_document(rel_path)
            if self.documents.pop(rel_path, None) is None:
                return
            self._stale.discard(rel_path)
            self.content_version += 1
            if (self.root / rel_path).is_file() and filter_unignored(
                self.root, [rel_path], self.settings.exclude
            ):
                self.records.pop(rel_path, None)
                self._refresh([rel_path], None, full=False)
            else:
                self._forget([rel_path])

    def files(self) -> list[str]:
        """Return every file in the map, sorted."""
        with self.lock:
            return sorted(self._graph_files())

    def view(self, rel_path: str) -> FileView | None:
        """Return what rendering needs of a file (buffer text first), or None if untagged."""
        with self.lock:
            document = self.documents.get(rel_path)
            if document is not None:
                if document.refresh_tags(default_extractor()):
                    self._link_document(document)
                self._stale.discard(rel_path)
                return self._views.of_document(document)
            record = self.records.get(rel_path)
            if record is None or not taggable(record.status, record.language):
                return None
            return self._views.of_disk(record)

    def _forget(self, rel_paths: Iterable[str]) -> None:
        gone = [rel for rel in rel_paths if rel in self.records or self._in_graph(rel)]
        for rel_path in gone:
            self.records.pop(rel_path, None)
            if rel_path in self.documents:
                continue
            self.graph.remove_file(rel_path)
            self.pairs.remove(rel_path)
        if gone:
            self.layout_version += 1
            if self.store is not None:
                self.store.forget_stats(self._root_key, gone)

    def _refresh(
        self,
        paths: Sequence[str],
        progress: Progress | None,
        *,
        full: bool,
        meanwhile: Callable[[], object] | None = None,
        pool: ParsingPool | None = None,
    ) -> BuildStats:
        started = time.perf_counter()
        stored = self.store.stats(self._root_key) if self.store is not None else {}
        # With no tags cached, a changed file's sha would find nothing: the workers read, hash
        # and tag it, and this process only stats it (each file is read once, in parallel).
        max_bytes = self.settings.max_file_bytes
        found = identify_files(self.root, paths, stored, max_bytes, read=self.tags.any())
        known, contents, stats, missing, unread = found.parts()
        listed = len(known) + len(unread)
        snapshot_used = full and self._adopt_snapshot(known)
        if snapshot_used:
            known = [p for p in known if p.rel_path not in self.records]
        adopted = listed - len(known) - len(unread)
        hits = self.tags.symbols(known)
        work: list[ParseJob] = [
            (p.rel_path, contents.get(p.rel_path) or self._read(p.rel_path), 0)
            for p in known
            if taggable(p.status, p.language) and (p.sha, p.language) not in hits
        ]
        work.extend(
            (rel_path, None, stat.st_size if stat.st_size <= max_bytes else 0)
            for rel_path, stat in unread.items()
        )
        results = parse_files(
            self.root,
            work,
            max_bytes,
            workers=self.workers,
            progress=progress,
            on_parsed=self.tags.remember,  # stored as chunks arrive, while the workers go on
            meanwhile=meanwhile,
            pool=pool,
        )
        parsed = {p.rel_path: p for p in results}
        if unread:
            known = with_worker_identities(found, known, paths, parsed)
        self.content_version += 1
        self._forget(missing + [p.rel_path for p in known if p.status is FileStatus.BINARY])
        added = False
        for identity in known:
            record = parsed.get(identity.rel_path, identity)
            if record.status is FileStatus.BINARY:
                continue
            if record.sha != stats[record.rel_path].sha:
                del stats[record.rel_path]  # changed while being read: look again next time
            added |= record.rel_path not in self.graph
            self.records[record.rel_path] = record
            if record.rel_path in self.documents:
                continue
            symbols = EMPTY
            if taggable(record.status, record.language):
                symbols = hits.get((record.sha, record.language or ""), record.symbols)
            self.graph.set_file(record.rel_path, symbols)
        if added:
            self.pairs = TestPairs(self._graph_files())
            self.layout_version += 1
        if snapshot_used:
            added = True  # the graph was swapped whole: pairs and ranker start afresh
        if added:
            self.pairs = TestPairs(self._graph_files())
            self.layout_version += 1
        if self.store is not None and (stats != stored if full else stats):
            self.store.put_stats(self._root_key, stats, replace_all=full)
        relinked = any(p.status is not FileStatus.BINARY for p in known)
        if full and (not snapshot_used or relinked or missing):
            self._save_snapshot()
        reused = len(hits) + adopted
        tagged = sum(1 for p in parsed.values() if taggable(p.status, p.language))
        return BuildStats(listed, tagged, reused, time.perf_counter() - started)

    def _adopt_snapshot(self, known: Sequence[ParsedFile]) -> bool:
        # A first build adopts the stored graph whole and keeps the records whose content is
        # unchanged; the caller then re-links only the other files.
        if self.store is None or self._deferred or self._graph.files or self.documents:
            return False
        blob = self.store.graph(self._root_key)
        snapshot = decode_snapshot(blob) if blob is not None else None
        if snapshot is None:
            return False
        self._deferred = (snapshot.body, snapshot.files, frozenset(snapshot.files))
        self._graph.version += 1  # as installing it does; installing later bumps it again
        identities = snapshot.identities
        for identity in known:
            if identities.get(identity.rel_path) == (identity.sha, identity.language):
                self.records[identity.rel_path] = identity
        listed = {p.rel_path for p in known}
        for rel_path in [rel for rel in snapshot.files if rel not in listed]:
            self.graph.remove_file(rel_path)
        return True

    def _save_snapshot(self) -> None:
        if self.store is None or self.documents:
            return  # buffers are not the disk's content
        identities = {
            rel: (r.sha, r.language) for rel, r in self.records.items() if rel in self.graph.files
        }
        self.store.put_graph(self._root_key, encode_snapshot(self.graph, identities))

    def _read(self, rel_path: str) -> FileContent:
        return read_content(self.root / rel_path, self.settings.max_file_bytes)
