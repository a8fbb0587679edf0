"""Conflict markers left by an accept, as error diagnostics (source `orchard-merge`) on their
regions, re-checked on every change of the document until the markers are gone. Owns only the
marker scan and its share of the diagnostic board.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from orchard.lsp.documents import DocumentEvent, DocumentEventKind
from orchard.lsp.text_edits import split_lines
from orchard.vcs.merge_plan import MARKER_OURS, MARKER_THEIRS_PREFIX

if TYPE_CHECKING:
    from orchard.lsp.host import DiagnosticsHost

SOURCE = "orchard-merge"


def marker_regions(text: str) -> list[tuple[int, int, str]]:
    """Return (first line, last line, agent) of each complete conflict region (0-based)."""
    regions, start = [], None
    for number, line in enumerate(split_lines(text)):
        body = line.rstrip("\r\n")
        if body.startswith(MARKER_OURS):
            start = number
        elif body.startswith(MARKER_THEIRS_PREFIX) and start is not None:
            regions.append((start, number, body.removeprefix(MARKER_THEIRS_PREFIX).strip()))
            start = None
    return regions


def marker_diagnostics(text: str) -> list[types.Diagnostic]:
    """One error diagnostic per conflict region of `text`."""
    return [
        types.Diagnostic(
            range=types.Range(
                start=types.Position(line=first, character=0),
                end=types.Position(line=last + 1, character=0),
            ),
            message=f"unresolved conflict between your text and {agent or 'the agent'}'s:"
            " keep one side and delete the markers",
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
            data={"agent": agent},
        )
        for first, last, agent in marker_regions(text)
    ]


class MarkerWatch:
    """The documents an accept left markers in, and their diagnostics until they are gone."""

    def __init__(self, server: DiagnosticsHost) -> None:
        self.server = server
        self.watched: set[str] = set()

    def watch(self, uri: str, text: str) -> None:
        """Start watching `uri`, whose text is now `text`."""
        self.watched.add(uri)
        self.check(uri, text)

    def check(self, uri: str, text: str) -> None:
        """Publish the markers of `uri`; stop watching once there are none."""
        found = marker_diagnostics(text)
        self.server.diagnostic_board.set(uri, SOURCE, found, self.server.documents.version(uri))
        if not found:
            self.watched.discard(uri)

    def on_event(self, event: DocumentEvent) -> None:
        """Re-check a watched document whenever it changes."""
        if event.uri not in self.watched or event.kind is DocumentEventKind.CLOSED:
            return
        text = event.text
        if text is None:
            text = self.server.documents.text(event.uri)
        if text is not None:
            self.check(event.uri, text)
