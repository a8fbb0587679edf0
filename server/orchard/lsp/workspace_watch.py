"""Watch the workspace on disk (watchfiles) for clients that cannot watch files for the server.

Neovim 0.11 on Linux registers no `workspace/didChangeWatchedFiles`; without this, a file made
by `git checkout` or a generator never reaches the map. Yields relative paths only: ignore
rules are applied by the index, `.git/` is never reported.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300  # changes are gathered this long (a checkout writes thousands of files)


@dataclass(slots=True)
class DiskChanges:
    """Relative posix paths created, changed and deleted since the last batch."""

    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)


def _outside_git(root: Path):  # type: ignore[no-untyped-def]
    def keep(change: object, path: str) -> bool:
        try:
            rel = Path(path).relative_to(root)
        except ValueError:
            return False
        return bool(rel.parts) and rel.parts[0] != ".git"

    return keep


async def watch_workspace(root: Path) -> AsyncIterator[DiskChanges]:
    """Yield batches of changes under `root` until cancelled."""
    # watchfiles brings anyio: import it on a thread, not on the language server's loop
    await asyncio.to_thread(importlib.import_module, "watchfiles")
    from watchfiles import Change, awatch

    root = root.resolve()
    kinds = {Change.added: "created", Change.modified: "changed", Change.deleted: "deleted"}
    log.info("watching %s for changes on disk", root)
    async for batch in awatch(
        root, watch_filter=_outside_git(root), debounce=DEBOUNCE_MS, step=50, recursive=True
    ):
        changes = DiskChanges()
        for change, path in batch:
            rel = Path(path).relative_to(root).as_posix()
            getattr(changes, kinds[change]).add(rel)
        changes.changed -= changes.created | changes.deleted
        yield changes
