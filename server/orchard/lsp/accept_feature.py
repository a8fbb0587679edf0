"""Accepting an agent's result from the editor (`orchard.acceptAgent` {task, agent?}) and showing
it (`orchard.agentDiff` {task, agent}): the merge plan against the open buffers' text goes out as
ONE `workspace/applyEdit`; a refused (stale) edit is planned again against the newer text and
tried once more; success is journaled with `record_accepted`. An adapter over the service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from orchard.lsp.commands import CommandArguments
from orchard.lsp.merge_markers import MarkerWatch
from orchard.lsp.workspace_edit import BuiltEdit, EditSupport, build_edit

if TYPE_CHECKING:
    from orchard.lsp.host import EditorHost
    from orchard.service import OrchardService
    from orchard.vcs.merge_plan import MergePlan

log = logging.getLogger(__name__)

ACCEPT, DIFF = "orchard.acceptAgent", "orchard.agentDiff"
COMMANDS = (ACCEPT, DIFF)
ATTEMPTS = 2  # the first edit, and one more against newer text when the client refuses it
AcceptedListener = Callable[[str], Awaitable[None] | None]


class AcceptFeature:
    """Plans, sends the edit, retries once on a stale version, journals the accept."""

    def __init__(self, server: EditorHost, service: Callable[[], Awaitable[OrchardService]]):
        self.server = server
        self._service = service
        self.markers = MarkerWatch(server)
        self._accepted: list[AcceptedListener] = []

    def on_accepted(self, listener: AcceptedListener) -> None:
        """Call `listener(task_id)` after a task's result was taken into the editor."""
        self._accepted.append(listener)

    def buffers(
        self, root: Path, large: frozenset[str] = frozenset()
    ) -> tuple[dict[str, str], dict[str, int]]:
        """The open buffers' text and client version, by repo-relative path (taken together).

        Large buffers are left out (their text would be joined from its blocks) unless their
        path is in `large`: the paths a plan touches."""
        texts: dict[str, str] = {}
        versions: dict[str, int] = {}
        hub = self.server.documents
        for uri in hub.open_uris():
            path = _relative(uri, root)
            if path is None or (hub.is_large(uri) and path not in large):
                continue
            text = hub.text(uri)
            if text is None:
                continue
            texts[path] = text
            version = hub.version(uri)
            if version is not None:
                versions[path] = version
        return texts, versions

    async def accept(self, arguments: CommandArguments) -> dict[str, Any]:
        """Answer `orchard.acceptAgent` {task, agent?}: {applied, task, agent, conflicts, ...}."""
        task = arguments.text("task", required=True)
        agent = arguments.text("agent") or None
        service = await self._service()
        if not get_capability(self.server.client_capabilities, "workspace.apply_edit", False):
            texts = self.buffers(service.root, await self._large_touched(service, task, agent))[0]
            accepted = await service.accept(task, agent, texts)
            await self._tell(task)
            return {"applied": True, "written_to_disk": True, **accepted.to_json()}
        request = (await service.show_task(task))["request"]
        support = EditSupport.of(self.server.client_capabilities)
        reason = "the editor refused the edit"
        for attempt in range(1, ATTEMPTS + 1):
            texts, versions = self.buffers(service.root)
            plan = await service.plan(task, agent, texts)
            large = self._large_paths(plan, service.root)
            if large:  # merged against the disk: again against what the user typed there
                texts, versions = self.buffers(service.root, large)
                plan = await service.plan(task, agent, texts)
            built = build_edit(
                plan, service.root, versions, support, self.server.documents.position_encoding
            )
            if self._moved(versions, service.root):
                reason = "the buffers changed while the result was being merged"
                continue
            applied = await self._apply(built, f"Orchard: {' '.join(request.split())[:80]}")
            if applied.applied:
                await service.record_accepted(task, plan.agent_id, plan)
                self._watch_markers(plan, service.root)
                await self._tell(task)
                return _answer(plan, built, attempt)
            reason = applied.failure_reason or reason
            log.info("accept of %s attempt %d refused: %s", task, attempt, reason)
        return {"applied": False, "task": task, "agent": agent, "conflicts": [], "reason": reason}

    async def _large_touched(
        self, service: OrchardService, task: str, agent: str | None
    ) -> frozenset[str]:
        if not any(map(self.server.documents.is_large, self.server.documents.open_uris())):
            return frozenset()
        plan = await service.plan(task, agent, self.buffers(service.root)[0])
        return self._large_paths(plan, service.root)

    def _large_paths(self, plan: MergePlan, root: Path) -> frozenset[str]:
        """The plan's paths that are open in large buffers (left out of its texts so far)."""
        hub = self.server.documents
        open_large = {_relative(uri, root) for uri in hub.open_uris() if hub.is_large(uri)}
        touched = {f.path for f in plan.files} | {f.old_path for f in plan.files if f.old_path}
        return frozenset(p for p in touched & open_large if p is not None)

    def _moved(self, versions: dict[str, int], root: Path) -> bool:
        hub = self.server.documents
        now = {_relative(uri, root): hub.version(uri) for uri in hub.open_uris()}
        return any(now.get(path) != version for path, version in versions.items())

    async def _apply(self, built: BuiltEdit, label: str) -> types.ApplyWorkspaceEditResult:
        if built.empty:
            return types.ApplyWorkspaceEditResult(applied=True)
        params = types.ApplyWorkspaceEditParams(edit=built.edit, label=label)
        return await self.server.workspace_apply_edit_async(params)

    def _watch_markers(self, plan: MergePlan, root: Path) -> None:
        for file in plan.conflicts:
            if file.result is not None:
                self.markers.watch((root / file.path).as_uri(), file.result.decode("utf-8"))

    async def _tell(self, task: str) -> None:
        for listener in self._accepted:
            try:
                result = listener(task)
                if result is not None:
                    await result
            except Exception:
                log.exception("an accepted-task listener failed for %s", task)

    async def agent_diff(self, arguments: CommandArguments) -> dict[str, Any]:
        """Answer `orchard.agentDiff` {task, agent}: per file path, base, result and diff."""
        task = arguments.text("task", required=True)
        agent = arguments.text("agent", required=True)
        service = await self._service()
        files = await service.agent_diff(task, agent)
        return {"task": task, "agent": agent, "files": [f.to_json() for f in files]}


def _answer(plan: MergePlan, built: BuiltEdit, attempt: int) -> dict[str, Any]:
    return {
        "applied": True,
        "task": plan.task_id,
        "agent": plan.agent_id,
        "conflicts": [f.path for f in plan.conflicts],
        "files": built.applied_paths,
        "not_applied": built.skipped,
        "attempts": attempt,
    }


def _relative(uri: str, root: Path) -> str | None:
    from orchard.lsp.convert import uri_to_path

    path = uri_to_path(uri)
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
