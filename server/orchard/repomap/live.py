"""The one live RepoMap of a repository, held by its service: built on first use on a worker
thread, or handed in by the language server (which feeds it buffers and file events), and
re-scanned before use when the holder cannot see the tree change. Light to import (the map
itself is imported on the worker thread that builds it); knows nothing about agents or editors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from orchard.config import RepoMapSettings

if TYPE_CHECKING:
    from orchard.repomap.api import RepoMap

Progress = Callable[[int, int], None]  # (files done, files in all)

log = logging.getLogger(__name__)


class LiveRepoMap:
    """Holds a RepoMap for its owner; `get()` never blocks the event loop."""

    def __init__(self, root: Path, settings: RepoMapSettings, *, use_cache: bool = True) -> None:
        self.root = root
        self.settings = settings
        self.use_cache = use_cache
        self.repo_map: RepoMap | None = None
        self._lock = asyncio.Lock()
        self._stale = False
        self._followed = False  # someone (the language server) keeps it in step with the tree
        self._coming: asyncio.Future[RepoMap] | None = None

    def expect(self) -> None:
        """Say a map is being built elsewhere: `get()` waits for `attach` instead of building."""
        if self.repo_map is None and self._coming is None:
            self._coming = asyncio.get_running_loop().create_future()
            self._followed = True

    def attach(self, repo_map: RepoMap) -> None:
        """Use `repo_map`, which its giver keeps up to date (buffers, file events)."""
        self.repo_map = repo_map
        self._followed = True
        self._stale = False
        if self._coming is not None and not self._coming.done():
            self._coming.set_result(repo_map)

    def give_up(self, error: BaseException) -> None:
        """Say the expected map will not come: waiters get `error`, later calls build their own."""
        coming = self._coming
        if coming is not None and not coming.done():
            if isinstance(error, asyncio.CancelledError):
                coming.cancel()
            else:
                coming.set_exception(error)
                coming.exception()  # waiters still get it; nobody else need retrieve it
        self._coming = None
        self._followed = False

    def mark_stale(self) -> None:
        """Say the work tree may have changed unseen: the next `get()` re-scans it."""
        if not self._followed:
            self._stale = True

    async def get(self, progress: Progress | None = None) -> RepoMap:
        """Return the map, building or re-scanning it on a worker thread first when needed."""
        if self.repo_map is None and self._coming is not None:
            return await asyncio.shield(self._coming)
        async with self._lock:
            if self.repo_map is None:
                self.repo_map = await asyncio.to_thread(self._open, progress)
                self._stale = False
            elif self._stale:
                await asyncio.to_thread(self.repo_map.build, progress)
                self._stale = False
            return self.repo_map

    def _open(self, progress: Progress | None) -> RepoMap:
        from orchard.repomap.api import RepoMap

        return RepoMap.open(self.root, self.settings, progress=progress, use_cache=self.use_cache)
