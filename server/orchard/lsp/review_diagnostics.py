"""Review findings as diagnostics (source `orchard-review`): each finding of a task's agents on the
file it concerns, severity mapped, task and agent named in `relatedInformation`/`codeDescription`
and `data`, its lines mapped from the agent's result to the user's current text (a difflib line
map), placed again after the user edits the file, cleared when the task is accepted or
discarded. Owns the review share of the board.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from orchard.lsp.convert import uri_to_path
from orchard.lsp.documents import DocumentEvent, DocumentEventKind
from orchard.lsp.text_edits import split_lines

if TYPE_CHECKING:
    from orchard.lsp.host import DiagnosticsHost
    from orchard.review.findings import Finding
    from orchard.service import OrchardService

log = logging.getLogger(__name__)

SOURCE = "orchard-review"
REPLACE_DELAY = 0.15  # seconds after the last edit before findings are placed again
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


@dataclass(frozen=True, slots=True)
class _Held:
    """A finding kept to be placed again: its agent, and the text its lines refer to."""

    finding: Finding
    agent_id: str
    basis: str  # the agent's result for the file, else the user's text when first placed


class ReviewDiagnostics:
    """The findings of each watched task, placed on the files they concern, and placed again
    (through a line map from the text they refer to) shortly after the user edits such a file."""

    def __init__(self, server: DiagnosticsHost, service: Callable[[], Awaitable[OrchardService]]):
        self.server = server
        self._service = service
        self._held: dict[str, dict[str, list[_Held]]] = {}  # task -> uri -> findings
        self._by_task: dict[str, dict[str, list[types.Diagnostic]]] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}

    async def show(self, task_id: str, _view: Mapping[str, Any] | None = None) -> None:
        """Fetch the task's findings and publish them against the current texts."""
        service = await self._service()
        findings = await service.findings(task_id)
        held: dict[str, list[_Held]] = {}
        for agent_id, agent_findings in findings.items():
            if not agent_findings:
                continue
            results = await self._agent_texts(service, task_id, agent_id)
            for finding in agent_findings:
                uri = (service.root / finding.file).as_uri()
                current = self._current(uri, service.root / finding.file)
                if current is None:
                    continue
                basis = results.get(finding.file, current)
                held.setdefault(uri, []).append(_Held(finding, agent_id, basis))
        before = set(self._held.get(task_id, {}))
        if held:
            self._held[task_id] = held
        else:
            self._held.pop(task_id, None)
        for uri in before | set(held):
            self._place(uri)

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

    def on_event(self, event: DocumentEvent) -> None:
        """Place a file's findings again shortly after the user changes it (edits in a burst
        are placed once, after the last)."""
        if event.kind is not DocumentEventKind.CHANGED or event.large:
            return
        if not any(event.uri in per_uri for per_uri in self._held.values()):
            return
        pending = self._pending.pop(event.uri, None)
        if pending is not None:
            pending.cancel()
        later = asyncio.get_running_loop().call_later
        self._pending[event.uri] = later(REPLACE_DELAY, self._replace_after_edit, event.uri)

    def _replace_after_edit(self, uri: str) -> None:
        self._pending.pop(uri, None)
        self._place(uri)

    def _place(self, uri: str) -> None:
        """Place every held finding on `uri` against its current text and publish them."""
        path = uri_to_path(uri)
        current = None if path is None else self._current(uri, path)
        for task_id, per_uri in self._held.items():
            placed = self._by_task.setdefault(task_id, {})
            placed.pop(uri, None)
            if current is None or uri not in per_uri:
                continue
            maps: dict[str, Callable[[int], int | None]] = {}
            for held in per_uri[uri]:
                if held.basis not in maps:
                    maps[held.basis] = line_map(held.basis, current)
                mapped = maps[held.basis]
                diagnostic = finding_diagnostic(held.finding, task_id, held.agent_id, uri, mapped)
                if diagnostic is not None:
                    placed.setdefault(uri, []).append(diagnostic)
        for task_id in [t for t, placed in self._by_task.items() if not placed]:
            del self._by_task[task_id]
        every = [d for per_uri in self._by_task.values() for d in per_uri.get(uri, [])]
        self.server.diagnostic_board.set(uri, SOURCE, every, self.server.documents.version(uri))

    def clear(self, task_id: str) -> None:
        """Take a task's findings off the editor (accepted or discarded)."""
        uris = set(self._held.pop(task_id, {})) | set(self._by_task.pop(task_id, {}))
        for uri in uris:
            self._place(uri)
