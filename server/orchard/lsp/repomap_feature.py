"""The live repo map in the server: index on start-up (with $/progress), follow buffers and
file events, and answer the `orchard.repoMap` command.

An adapter: all index work runs on one worker thread, in arrival order, never on the event loop;
ranking and rendering live in `orchard.repomap`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcInvalidRequest

from orchard.config import RepoMapSettings, Settings
from orchard.lsp.convert import uri_to_path
from orchard.lsp.documents import DocumentEvent, DocumentEventKind
from orchard.lsp.progress import WorkProgress
from orchard.repomap.live import LiveRepoMap  # light: the map itself loads on the index thread

if TYPE_CHECKING:  # orchard.repomap is imported on the index thread: `initialize` is sooner
    from orchard.lsp.host import ClientHost
    from orchard.repomap import MapRequest, RepoMap, TextEdit

log = logging.getLogger(__name__)

COMMAND = "orchard.repoMap"
TAGS_DELAY = 0.3  # quiet time after typing before a buffer's tags are refreshed
READY_TIMEOUT = 60.0  # how long a map request waits for start-up to begin indexing
RECENT_FILES = 8  # recently edited files that pull the map towards them
EVENTS_DELAY = 0.2  # file events are gathered this long (a checkout sends thousands)
T = TypeVar("T")


class RepoMapFeature:
    """Owns the server's RepoMap and feeds it, one job at a time, on its own thread."""

    def __init__(self, server: ClientHost) -> None:
        self.server = server
        self.repo_map: RepoMap | None = None
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orchard-repomap")
        self.ignored: set[str] = set()
        self.recent: deque[str] = deque(maxlen=RECENT_FILES)  # edited buffers, newest first
        self._flush_timer: asyncio.TimerHandle | None = None
        self._events: dict[str, set[str]] = {"created": set(), "changed": set(), "deleted": set()}
        self._events_timer: asyncio.TimerHandle | None = None
        self._settings: RepoMapSettings | None = None
        self.queued = asyncio.Event()  # set once the first build is on the index thread
        self.live: LiveRepoMap | None = None  # the same map, shared with the agents' service
        self._disk_watch: asyncio.Task[None] | None = None
        # an open buffer's relative path, worked out once (resolve() costs two syscall walks)
        self._document_paths: dict[tuple[Path | None, Path], str | None] = {}

    def run(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Queue `job` on the index thread; jobs run in the order they were queued."""
        return asyncio.get_running_loop().run_in_executor(self.worker, job)

    async def start(self) -> None:
        """Build the index of the workspace, reporting progress to the editor."""
        root = self.server.root
        if root is None:
            self.queued.set()
            return
        settings = self._settings = self.server.settings.repomap
        loop = asyncio.get_running_loop()
        bar: list[WorkProgress | None] = [None]
        last = [-1]

        def report(done: int, total: int) -> None:
            percent = 100 * done // max(total, 1)
            if bar[0] is not None and percent >= last[0] + 5:
                last[0] = percent
                loop.call_soon_threadsafe(bar[0].report, f"{done}/{total} files", percent)

        # Buffers the client sent before this point (a restored session sends them right
        # after `initialized`): the index built from disk must not win over them. Later
        # edits are queued behind the build and apply in order.
        buffers = self._open_buffers()

        def build() -> None:
            # Set on the index thread, so that jobs queued behind this one see the new map.
            self.repo_map = self._build(root, settings, report)
            for rel, text in buffers.items():
                self._open(rel, text)

        self._watch_disk(root)
        job = self.run(build)  # queued before any await: requests that follow wait for it
        self.queued.set()
        live = self.live = LiveRepoMap(root, settings)
        live.expect()  # agents started meanwhile wait for this map instead of building one
        bar[0] = await WorkProgress.begin(self.server, "Orchard: indexing")
        try:
            await job
        except BaseException as exc:
            live.give_up(exc)
            raise
        else:
            if self.repo_map is not None:
                live.attach(self.repo_map)
        finally:
            if bar[0] is not None:
                files = len(self.repo_map.index.graph) if self.repo_map else 0
                bar[0].end(f"{files} files indexed")
        await self._watch_files()

    def _open_buffers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for path, text in self.server.documents.buffers().items():
            rel = self.relative(path)
            if rel is not None:
                out[rel] = text
        return out

    @staticmethod
    def _build(
        root: Path, settings: RepoMapSettings, report: Callable[[int, int], None]
    ) -> RepoMap:
        from orchard.repomap import RepoMap
        from orchard.repomap.index import RepoIndex, open_store

        index = RepoIndex(root, settings, store=open_store(root))
        stats = index.build(report)
        log.info(
            "repo map: %d files (%d parsed) in %.2fs", stats.files, stats.parsed, stats.seconds
        )
        # The index lives as long as the server: a full collection walking its millions of
        # objects cost 35-42 ms on litellm's source, now and then in the middle of a map.
        gc.freeze()
        return RepoMap(index)

    async def _watch_files(self) -> None:
        if not self._client_watches():
            return  # watched from disk since before the build (`_watch_disk`)
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern="**/*")]
        )
        registration = types.Registration(
            id=f"orchard-repomap-watch-{uuid.uuid4()}",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        await self.server.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )

    def _client_watches(self) -> bool:
        capabilities = self.server.client_capabilities
        name = "workspace.did_change_watched_files.dynamic_registration"
        return bool(get_capability(capabilities, name, False))

    def _watch_disk(self, root: Path) -> None:
        """Watch the disk ourselves when the client cannot: started before the scan, so that
        nothing written between the scan and the first event is missed."""
        if self._disk_watch is not None or self._client_watches():
            return
        log.info("the client cannot watch files; Orchard watches the workspace itself")
        self._disk_watch = self.server.spawn(self._follow_disk(root), "watching the workspace")

    async def _follow_disk(self, root: Path) -> None:
        from orchard.lsp.workspace_watch import watch_workspace

        async for changes in watch_workspace(root):
            for kind in ("created", "changed", "deleted"):
                self._events[kind].update(getattr(changes, kind))
            if self._events_timer is None:
                loop = asyncio.get_running_loop()
                self._events_timer = loop.call_later(EVENTS_DELAY, self._apply_events)

    def relative(self, path: Path | None) -> str | None:
        """Return `path` relative to the workspace root, or None outside it or inside .git."""
        root = self.server.root
        if path is None or root is None:
            return None
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None
        return None if rel == ".git" or rel.startswith(".git/") else rel

    def _document_path(self, event: DocumentEvent) -> str | None:
        if event.path is None:
            return None
        key = (self.server.root, event.path)
        if event.kind is DocumentEventKind.CLOSED:
            self._document_paths.pop(key, None)
            return self.relative(event.path)
        if key not in self._document_paths:
            self._document_paths[key] = self.relative(event.path)
        return self._document_paths[key]

    def on_document(self, event: DocumentEvent) -> None:
        """Feed a buffer event to the index (returns at once)."""
        rel = self._document_path(event)
        if rel is None or (rel in self.ignored and event.kind is not DocumentEventKind.OPENED):
            return
        if event.kind is DocumentEventKind.CLOSED:
            self.ignored.discard(rel)
            self.run(lambda: self._close(rel))
            return
        if event.text is None:
            return
        text, edits = event.text, self._edits(event)
        if event.kind is DocumentEventKind.OPENED:
            self.run(lambda: self._open(rel, text))
        else:
            self.run(lambda: self._update(rel, text, edits))
            self._schedule_flush()
            if rel in self.recent:
                self.recent.remove(rel)
            self.recent.appendleft(rel)

    def _edits(self, event: DocumentEvent) -> list[TextEdit] | None:
        utf16 = self.server.documents.position_encoding in ("utf-16", "")
        if event.kind is not DocumentEventKind.CHANGED or not event.changes or not utf16:
            return None
        from orchard.repomap import TextEdit

        return [
            TextEdit(c.start_line, c.start_character, c.end_line, c.end_character, c.text, c.whole)
            for c in event.changes
        ]

    def _open(self, rel: str, text: str) -> None:
        if self.repo_map is None:
            return
        from orchard.repomap.scan import filter_unignored

        index = self.repo_map.index
        if rel not in index.graph and not filter_unignored(
            index.root, [rel], index.settings.exclude
        ):
            self.ignored.add(rel)  # an ignored file the user opened: not part of the map
            return
        index.update_document(rel, text)

    def _update(self, rel: str, text: str, edits: list[TextEdit] | None) -> None:
        if self.repo_map is not None and rel not in self.ignored:
            self.repo_map.index.update_document(rel, text, edits, defer_tags=True)

    def _close(self, rel: str) -> None:
        if self.repo_map is not None:
            self.repo_map.index.close_document(rel)

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
        loop = asyncio.get_running_loop()
        self._flush_timer = loop.call_later(TAGS_DELAY, lambda: self.run(self._flush))

    def _flush(self) -> None:
        if self.repo_map is not None:
            self.repo_map.index.flush()

    def on_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        """Gather file events and apply them together a moment later."""
        kinds = {
            types.FileChangeType.Created: "created",
            types.FileChangeType.Changed: "changed",
            types.FileChangeType.Deleted: "deleted",
        }
        for change in params.changes:
            rel = self.relative(uri_to_path(change.uri))
            if rel is not None:
                self._events[kinds[change.type]].add(rel)
        if self._events_timer is None:
            loop = asyncio.get_running_loop()
            self._events_timer = loop.call_later(EVENTS_DELAY, self._apply_events)

    def _apply_events(self) -> None:
        self._events_timer = None
        created, changed, deleted = (
            set(self._events[k]) for k in ("created", "changed", "deleted")
        )
        for bucket in self._events.values():
            bucket.clear()

        def job() -> None:
            if self.repo_map is not None:
                self.repo_map.index.files_changed(created, changed, deleted)
                self.repo_map.index.refresh_history()

        self.server.spawn(self.run(job), "updating the repo map")

    def on_settings(self, settings: Settings) -> None:
        """Rebuild the index when the map's own settings change."""
        if self._settings is None or settings.repomap == self._settings:
            return
        self._settings = settings.repomap
        self.server.spawn(self.start(), "re-indexing the repository")

    async def render(self, arguments: dict[str, Any]) -> Any:
        """Answer `orchard.repoMap`: the map's text (or files, scores and text with json)."""
        request = map_request(arguments, self.server.documents.open_paths(), list(self.recent))
        try:  # a request may come before `initialized` has started the index
            await asyncio.wait_for(self.queued.wait(), READY_TIMEOUT)
        except TimeoutError:
            log.warning("repo map requested but the index was never started")
        rendered = await self.run(lambda: self._render(request))
        if rendered is None:
            reason = (
                "no workspace folder is open"
                if self.server.root is None
                else ("the workspace could not be indexed (see the server log)")
            )
            raise JsonRpcInvalidRequest(f"orchard.repoMap: {reason}, so there is nothing to map")
        if arguments.get("json"):
            files = [{"path": path, "score": score} for path, score in rendered.files]
            return {"text": rendered.text, "tokens": rendered.tokens, "files": files}
        return rendered.text

    def _render(self, request: MapRequest) -> Any:
        return self.repo_map.render(request) if self.repo_map is not None else None


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value)


def map_request(
    arguments: dict[str, Any], open_paths: list[Path], recent: list[str] | None = None
) -> MapRequest:
    """Read the command's arguments (CLI names or API names, camelCase or snake_case)."""
    from orchard.repomap import MapRequest

    def pick(*names: str) -> Any:
        for name in names:
            if arguments.get(name) is not None:
                return arguments[name]
        return None

    focus = _strings(pick("focus", "focus_files", "focusFiles"))
    tokens = pick("tokens", "maxTokens")
    return MapRequest(
        focus_files=tuple(_path(p) for p in focus),
        mentioned_files=tuple(
            _path(p) for p in _strings(pick("mentioned_files", "mentionedFiles"))
        ),
        mentioned_identifiers=_strings(pick("mention", "mentions", "mentioned_identifiers")),
        open_files=tuple(str(p) for p in open_paths),
        recent_files=tuple(recent or ()),
        active_file=_path(pick("active_file", "activeFile"))
        if pick("active_file", "activeFile")
        else None,
        cursor_symbol=pick("cursor_symbol", "cursorSymbol"),
        task_text=str(pick("task", "task_text", "taskText") or ""),
        tokens=int(tokens) if tokens else None,
    )


def _path(value: str) -> str:
    path = uri_to_path(value) if value.startswith("file:") else None
    return str(path) if path is not None else value


def register(server: ClientHost) -> RepoMapFeature:
    """Wire the repo map into `server`; return the feature (its live map feeds the agents)."""
    feature = RepoMapFeature(server)
    server.on_initialized(feature.start)
    server.documents.subscribe(feature.on_document)
    server.on_settings_changed(feature.on_settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        feature.on_watched_files(params)

    @server.command(COMMAND)
    async def repo_map(ls: Any, *arguments: Any) -> Any:
        first = arguments[0] if arguments else {}
        return await feature.render(first if isinstance(first, dict) else {})

    return feature
