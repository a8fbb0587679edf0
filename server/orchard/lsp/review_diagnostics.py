"""Review findings as diagnostics (source `orchard-review`): each finding of a task's agents on the
file it concerns, severity mapped, task and agent named in `relatedInformation`/`codeDescription`
and `data`, its lines mapped from the agent's result to the user's current text (a difflib line
map), cleared when the task is accepted or discarded. Owns the review share of the board.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from orchard.lsp.text_edits import split_lines

if TYPE_CHECKING:
    from orchard.lsp.host import DiagnosticsHost
    from orchard.review.findings import Finding
    from orchard.service import OrchardService

log = logging.getLogger(__name__)

SOURCE = "orchard-review"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def line_map(agent_text: str, current_text: str) -> Callable[[int], int | None]:
    """Map a 0-based line of the agent's text to the user's current text (None: not there)."""
    a, b = split_lines(agent_text), split_lines(current_text)
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    def mapped(line: int) -> int | None:
        for tag, i1, i2, j1, j2 in blocks:
            if not i1 <= line < i2:  # insertions (i1 == i2) hold no line of the agent's
                continue
            if tag == "equal":
                return j1 + (line - i1)
            return min(j1 + (line - i1), j2 - 1) if j2 > j1 else min(j1, max(len(b) - 1, 0))
        return len(b) - 1 if b else None

    return mapped


def finding_diagnostic(
    finding: Finding, task_id: str, agent_id: str, uri: str, mapped: Callable[[int], int | None]
) -> types.Diagnostic | None:
    """One finding as a diagnostic on the user's current text, or None when it cannot be placed."""
    start = mapped(max(finding.line - 1, 0))
    end = mapped(max(finding.end_line - 1, finding.line - 1))
    if start is None:
        return None
    end = start if end is None or end < start else end
    data: dict[str, Any] = {"task": task_id, "agent": agent_id, "rule": finding.rule}
    if finding.replacement is not None:
        data["replacement"] = finding.replacement
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=start, character=0),
            end=types.Position(line=end + 1, character=0),
        ),
        message=f"{agent_id}: {finding.message}",
        severity=SEVERITIES.get(str(finding.severity), types.DiagnosticSeverity.Information),
        source=SOURCE,
        code=finding.rule,
        code_description=types.CodeDescription(href=f"orchard://task/{task_id}/{agent_id}"),
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=uri,
                    range=types.Range(
                        start=types.Position(line=start, character=0),
                        end=types.Position(line=start, character=0),
                    ),
                ),
                message=f"reviewed result of agent {agent_id} in Orchard task {task_id}",
            )
        ],
        data=data,
    )


class ReviewDiagnostics:
    """The findings of each watched task, placed on the files they concern."""

    def __init__(self, server: DiagnosticsHost, service: Callable[[], Awaitable[OrchardService]]):
        self.server = server
        self._service = service
        self._by_task: dict[str, dict[str, list[types.Diagnostic]]] = {}

    async def show(self, task_id: str, _view: Mapping[str, Any] | None = None) -> None:
        """Fetch the task's findings and publish them against the current texts."""
        service = await self._service()
        findings = await service.findings(task_id)
        placed: dict[str, list[types.Diagnostic]] = {}
        for agent_id, agent_findings in findings.items():
            if not agent_findings:
                continue
            results = await self._agent_texts(service, task_id, agent_id)
            for finding in agent_findings:
                uri = (service.root / finding.file).as_uri()
                current = self._current(uri, service.root / finding.file)
                agent_text = results.get(finding.file)
                if current is None:
                    continue
                mapped = line_map(agent_text if agent_text is not None else current, current)
                diagnostic = finding_diagnostic(finding, task_id, agent_id, uri, mapped)
                if diagnostic is not None:
                    placed.setdefault(uri, []).append(diagnostic)
        self._replace(task_id, placed)

    async def _agent_texts(
        self, service: OrchardService, task_id: str, agent_id: str
    ) -> dict[str, str]:
        try:
            diffs = await service.agent_diff(task_id, agent_id)
        except Exception:
            log.info("no agent diff for %s %s: lines are placed as they stand", task_id, agent_id)
            return {}
        texts = {}
        for diff in diffs:
            data = diff.to_json()
            if isinstance(data.get("result"), str):
                texts[str(data["path"])] = data["result"]
        return texts

    def _current(self, uri: str, path: Path) -> str | None:
        text = self.server.documents.text(uri)
        if text is not None:
            return text
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def clear(self, task_id: str) -> None:
        """Take a task's findings off the editor (accepted or discarded)."""
        self._replace(task_id, {})

    def _replace(self, task_id: str, placed: dict[str, list[types.Diagnostic]]) -> None:
        before = set(self._by_task.get(task_id, {}))
        if placed:
            self._by_task[task_id] = placed
        else:
            self._by_task.pop(task_id, None)
        for uri in before | set(placed):
            every = [d for per_uri in self._by_task.values() for d in per_uri.get(uri, [])]
            self.server.diagnostic_board.set(uri, SOURCE, every, self.server.documents.version(uri))
