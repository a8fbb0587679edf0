"""The process groups of an agent's commands in the journal: recorded when they start and end,
and the ones a dead process left behind found and ended at recovery. No git, no models.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from orchard.sandbox.processes import ProcessGroup, end_group

if TYPE_CHECKING:
    from orchard.memory.journal import Journal

log = logging.getLogger(__name__)

STARTED = "process"
ENDED = "process-ended"


class JournalGroups:
    """A GroupRecorder that journals one run's command groups (thread-safe, like the journal)."""

    def __init__(self, journal: Journal, run_id: str) -> None:
        self.journal = journal
        self.run_id = run_id

    def started(self, group: ProcessGroup) -> None:
        """Journal that `group` started."""
        self.journal.record_event(self.run_id, STARTED, group.to_json())

    def ended(self, group: ProcessGroup) -> None:
        """Journal that `group` ended."""
        self.journal.record_event(self.run_id, ENDED, group.to_json())


def open_groups(journal: Journal, run_id: str) -> list[ProcessGroup]:
    """Return the groups journaled as started for `run_id` and never as ended."""
    live: dict[int, ProcessGroup] = {}
    for event in journal.events(run_id):
        if event.kind not in (STARTED, ENDED):
            continue
        group = ProcessGroup.from_json(dict(event.data))
        if group is None:
            continue
        if event.kind == STARTED:
            live[group.pgid] = group
        else:
            live.pop(group.pgid, None)
    return list(live.values())


def end_leftover_groups(journal: Journal, run_ids: list[str]) -> int:
    """End the command groups interrupted runs left running; journal each; return how many."""
    ended = 0
    for run_id in run_ids:
        for group in open_groups(journal, run_id):
            killed = end_group(group)
            ended += killed
            data = {**group.to_json(), "reason": "recovery", "killed": killed}
            journal.record_event(run_id, ENDED, data)
    if ended:
        log.warning("ended %d process groups left by interrupted runs", ended)
    return ended
