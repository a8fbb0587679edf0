"""How an agent's prompt gets its repository map: the task's assignment turned into a map request
against the repository's one live map (the language server's, unsaved buffers included, when the
task started in the editor). Rendering is thread-safe; the map's own lock guards the index.
"""

from __future__ import annotations

import logging
from pathlib import Path

from orchard.agents.environment import Assignment, MapSource
from orchard.context.sections import MapRenderer
from orchard.errors import OrchardError
from orchard.repomap import MapRequest
from orchard.repomap.live import LiveRepoMap

log = logging.getLogger(__name__)


def live_map_source(live: LiveRepoMap) -> MapSource:
    """Return a MapSource that ranks `live` for each assignment (None when it cannot be built)."""

    async def renderer_for(_worktree: Path, assignment: Assignment) -> MapRenderer | None:
        try:
            repo_map = await live.get()
        except (OrchardError, OSError) as exc:
            log.warning("no repo map for this task: %s", exc)
            return None
        request = MapRequest(
            focus_files=assignment.editable,
            mentioned_files=assignment.read_only,
            task_text=assignment.request,
        )
        return lambda tokens: repo_map.render(request, tokens=tokens).text

    return renderer_for
