"""The editor loop wired together: task watching (per-agent progress, `orchard/taskChanged`),
code actions, accepting (`orchard.acceptAgent`, `orchard.agentDiff`), review
(`orchard.review`, review diagnostics) and conflict-marker diagnostics, on the task feature's
one service. Only wiring: each part lives in its own module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orchard.lsp import accept_feature, code_actions
from orchard.lsp.accept_feature import AcceptFeature
from orchard.lsp.commands import CommandArguments, command_handler
from orchard.lsp.review_diagnostics import ReviewDiagnostics
from orchard.lsp.task_watch import TaskWatch

if TYPE_CHECKING:
    from orchard.lsp.host import EditorHost
    from orchard.lsp.tasks_feature import TasksFeature

REVIEW = "orchard.review"
COMMANDS = (*accept_feature.COMMANDS, REVIEW)


def register(server: EditorHost, tasks: TasksFeature) -> TaskWatch:
    """Register the editor loop's commands, code actions and listeners on `server`."""
    watch = TaskWatch(server, server.notify)
    tasks.on_opened(watch.attach)
    accept = AcceptFeature(server, tasks.service)
    review = ReviewDiagnostics(server, tasks.service)
    watch.on_finished(review.show)
    accept.on_accepted(review.clear)
    tasks.on_discarded(review.clear)
    tasks.on_discarded(watch.close)
    server.documents.subscribe(accept.markers.on_event)
    server.documents.subscribe(review.on_event)
    code_actions.register(server, watch.open_views)

    async def run_review(arguments: CommandArguments) -> Any:
        service = await tasks.service()
        base = arguments.text("base") or "HEAD"
        branch = arguments.text("branch") or None
        return (await service.review(base, branch)).to_json()

    handlers = {
        accept_feature.ACCEPT: accept.accept,
        accept_feature.DIFF: accept.agent_diff,
        REVIEW: run_review,
    }
    for name, handler in handlers.items():
        server.command(name)(command_handler(name, handler))
    return watch
