"""Agents from the editor, on the service: `orchard.startTask`, `orchard.listTasks`,
`orchard.showTask`, `orchard.cancelTask`, `orchard.discardTask`. An adapter: commands take ONE
object argument (camelCase keys), never wait on an agent, and answer with JSON-ready values.
Progress and `orchard/taskChanged` come from lsp/task_watch.py, which hears the service's bus.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

from orchard.errors import OrchardError, SettingsError, TaskNotFound
from orchard.lsp.commands import CommandArguments, command_handler
from orchard.lsp.convert import selection_of, uri_to_path
from orchard.repomap.live import LiveRepoMap
from orchard.service import OrchardService, TaskRequest, parse_mode

if TYPE_CHECKING:
    from orchard.lsp.host import ClientHost

log = logging.getLogger(__name__)

START, LIST, SHOW, CANCEL, DISCARD = (
    "orchard.startTask",
    "orchard.listTasks",
    "orchard.showTask",
    "orchard.cancelTask",
    "orchard.discardTask",
)
COMMANDS = (START, LIST, SHOW, CANCEL, DISCARD)


class TasksFeature:
    """Opens the repository's service once and answers the task commands through it."""

    def __init__(
        self, server: ClientHost, live_map: Callable[[], LiveRepoMap | None] | None = None
    ) -> None:
        self.server = server
        self._live_map = live_map  # the language server's map, once it is being built
        self._opening: asyncio.Future[OrchardService] | None = None
        self._waiters: set[asyncio.Task[Any]] = set()
        self._opened: list[Callable[[OrchardService], None]] = []
        self._discarded: list[Callable[[str], None]] = []

    def on_opened(self, listener: Callable[[OrchardService], None]) -> None:
        """Call `listener(service)` once the service is open (before any task starts)."""
        self._opened.append(listener)

    def on_discarded(self, listener: Callable[[str], None]) -> None:
        """Call `listener(task_id)` after a task was discarded from the editor."""
        self._discarded.append(listener)

    async def service(self) -> OrchardService:
        """Return the service, opening it on first use (off the event loop)."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        try:
            return await asyncio.shield(self._opening)
        except OrchardError:
            self._opening = None  # a later command may find the workspace fixed
            raise

    async def _open(self) -> OrchardService:
        root = self.server.root
        if root is None:
            raise SettingsError("the editor opened no folder: Orchard's agents need one")
        live = self._live_map() if self._live_map is not None else None
        service = await OrchardService.open(root, self.server.settings, live_map=live)
        for listener in self._opened:
            listener(service)
        return service

    def on_settings(self, settings: Any) -> None:
        """Put new settings in force for tasks started from now on."""
        if self._opening is not None and self._opening.done() and not self._opening.exception():
            self._opening.result().update_settings(settings)

    async def start_task(self, arguments: CommandArguments) -> dict[str, Any]:
        """Start a task in the background and answer with its id at once."""
        service = await self.service()
        request = self._request(arguments, service.root)
        buffers = self._buffers(service.root)
        handle = await service.start_task(request, buffers)
        waiter = asyncio.ensure_future(service.wait(handle))
        self._waiters.add(waiter)
        waiter.add_done_callback(self._waiters.discard)
        return {"task": handle.task_id}

    def _request(self, arguments: CommandArguments, root: Path) -> TaskRequest:
        paths = [self._repo_path(p, root, "files") for p in arguments.strings("files")]
        read_only = [self._repo_path(p, root, "readOnly") for p in arguments.strings("readOnly")]
        selection = arguments.mapping("selection")
        return TaskRequest(
            request=arguments.text("request", required=True),
            models=tuple(arguments.strings("models")),
            agents=arguments.integer("agents"),
            mode=parse_mode(arguments.text("mode") or "best_of_n"),
            files=tuple(paths),
            read_only=tuple(read_only),
            selection=selection_of(selection, root, self.server.documents.text)
            if selection
            else None,
            limits=arguments.limits(),
        )

    @staticmethod
    def _repo_path(value: str, root: Path, field: str) -> str:
        path = uri_to_path(value) if value.startswith("file:") else Path(value)
        if path is None:
            raise JsonRpcInvalidParams(f"`{field}`: {value!r} is not a file URI or path")
        if not path.is_absolute():
            return path.as_posix()
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            raise JsonRpcInvalidParams(f"`{field}`: {value} is outside {root}") from None

    def _buffers(self, root: Path) -> dict[str, str]:
        out = {}
        for path, text in self.server.documents.buffers().items():
            try:
                out[path.resolve().relative_to(root.resolve()).as_posix()] = text
            except ValueError:
                continue
        return out

    async def list_tasks(self, _arguments: CommandArguments) -> list[dict[str, Any]]:
        """Answer `orchard.listTasks`."""
        return await (await self.service()).list_tasks()

    async def show_task(self, arguments: CommandArguments) -> dict[str, Any]:
        """Answer `orchard.showTask` {task}."""
        service = await self.service()
        return await service.show_task(arguments.text("task", required=True))

    async def cancel_task(self, arguments: CommandArguments) -> dict[str, Any]:
        """Answer `orchard.cancelTask` {task, agent?}."""
        service = await self.service()
        task, agent = arguments.text("task", required=True), arguments.text("agent") or None
        if service.running(task) is None:
            raise TaskNotFound(f"task {task} is not running in this server")
        service.cancel(task, agent)
        return {"task": task, "cancelled": agent or "all"}

    async def discard_task(self, arguments: CommandArguments) -> dict[str, Any]:
        """Answer `orchard.discardTask` {task}."""
        service = await self.service()
        task = arguments.text("task", required=True)
        cleanup = (await service.discard(task)).to_json()
        for listener in self._discarded:
            listener(task)
        return cleanup

    async def close(self) -> None:
        """Let running tasks be journaled as they stand, then close the service."""
        if self._opening is not None and self._opening.done() and not self._opening.exception():
            await self._opening.result().close()


def register(
    server: ClientHost, live_map: Callable[[], LiveRepoMap | None] | None = None
) -> TasksFeature:
    """Wire the task commands into `server`; agents rank with `live_map()` when it gives one."""
    feature = TasksFeature(server, live_map)
    server.on_settings_changed(feature.on_settings)
    handlers = {
        START: feature.start_task,
        LIST: feature.list_tasks,
        SHOW: feature.show_task,
        CANCEL: feature.cancel_task,
        DISCARD: feature.discard_task,
    }
    for name, handler in handlers.items():
        server.command(name)(command_handler(name, handler))
    return feature
