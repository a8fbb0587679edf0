"""Publishes the lint pipeline's findings for open documents, with source `orchard`, as the
`lint` share of the diagnostic board (lsp/diagnostic_board.py), so review and merge diagnostics
on the same file stay.

The syntax layer runs on change (debounced) and the linters on open and save; results are
cleared when fixed or when the document closes. Buffers over `lint.large_buffer_chars` get
the incremental tree-sitter check only, converted off the loop. An adapter: all checking lives
in `orchard.lint`, imported on first use so that `initialize` is answered sooner.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchard.config import Settings
from orchard.lsp.convert import lsp_diagnostic, uri_to_path
from orchard.lsp.documents import DocumentEvent, DocumentEventKind
from orchard.lsp.large_syntax import LargeBuffers

if TYPE_CHECKING:
    from orchard.lint.diagnostic import Diagnostic
    from orchard.lint.syntax import SyntaxDocument
    from orchard.lsp.host import DiagnosticsHost

log = logging.getLogger(__name__)

# How far a linter finding is looked for when edits since the last save moved its line.
_FOLLOW_LINES = 200
LINT_AFTER_TYPING = 0.5  # least quiet time before linters re-run on unsaved text (seconds)
# Editor language ids that differ from tree-sitter names (used for files without a known suffix).
LINT = "lint"  # this publisher's share of the diagnostic board
_LANGUAGE_IDS = {"typescriptreact": "tsx", "javascriptreact": "javascript", "shellscript": "bash"}


class DiagnosticsPublisher:
    """Per open document: the last syntax and linter findings, and the work pending for it."""

    def __init__(self, server: DiagnosticsHost) -> None:
        self.server = server
        self.syntax: dict[str, list[Diagnostic]] = {}
        self.linted: dict[str, list[Diagnostic]] = {}
        self.syntax_tasks: dict[str, asyncio.Task[None]] = {}
        self.lint_tasks: dict[str, asyncio.Task[None]] = {}
        self.parses: dict[str, SyntaxDocument] = {}
        self.large = LargeBuffers()

    def on_event(self, event: DocumentEvent) -> None:
        """Schedule the checks an event calls for; returns at once."""
        log.debug("lint %s %s (version %s)", event.kind, event.uri, event.version)
        self.large.follow(event)
        if event.large and event.kind is not DocumentEventKind.CLOSED and event.path:
            self.on_large(event)
            return
        if event.kind is DocumentEventKind.CLOSED or event.path is None or event.text is None:
            self.forget(event.uri)
            return
        language = self.language(event)
        if not self.enabled(language):
            self.forget(event.uri)
            return
        delay = 0.0
        if event.kind is DocumentEventKind.CHANGED:
            delay = self.debounce()
            self.linted[event.uri] = follow(self.linted.get(event.uri, []), event.text)
        self.start(self.syntax_tasks, event.uri, self.check_syntax(event, language, delay))
        # Linters that read stdin run on the unsaved text too, debounced like the syntax layer.
        lint_delay = delay and max(delay, LINT_AFTER_TYPING)
        work = self.run_linters(event.uri, event.path, language, lint_delay)
        self.start(self.lint_tasks, event.uri, work)

    def on_large(self, event: DocumentEvent) -> None:
        """A buffer over the cap: the incremental syntax check, debounced, and nothing else."""
        self.linted.pop(event.uri, None)
        language = self.language(event)
        if not self.enabled(language):
            self.forget(event.uri)
            return
        delay = 0.0 if event.kind is DocumentEventKind.OPENED else self.debounce()
        self.start(self.syntax_tasks, event.uri, self.check_large(event, language, delay))

    def debounce(self) -> float:
        return self.server.settings.lint.debounce_ms / 1000

    async def check_large(self, event: DocumentEvent, language: str | None, delay: float) -> None:
        await asyncio.sleep(delay)
        store = self.server.documents.store(event.uri)
        if store is None or event.path is None:
            return
        revision = store.revision
        encoding = self.server.documents.position_encoding
        params = await self.large.check(event.uri, event.path, store, language, encoding)
        if params is not None and store.revision == revision:  # else a newer check is coming
            self.syntax[event.uri] = []
            board = self.server.diagnostic_board
            board.set(event.uri, LINT, list(params.diagnostics), params.version)

    def language(self, event: DocumentEvent) -> str | None:
        from orchard.lint.languages import detect_language

        assert event.path is not None
        found = detect_language(event.path, event.text)
        if found is None and event.language_id:
            return _LANGUAGE_IDS.get(event.language_id, event.language_id)
        return found

    def enabled(self, language: str | None) -> bool:
        lint = self.server.settings.lint
        return lint.enabled and language not in lint.disabled_languages

    def start(
        self, tasks: dict[str, asyncio.Task[None]], uri: str, work: Coroutine[Any, Any, None]
    ) -> None:
        """Replace the pending task of `uri` in `tasks` (the older one is cancelled)."""
        previous = tasks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = self.server.spawn(work, f"checking {uri}")
        tasks[uri] = task

        def finished(done: asyncio.Task[None]) -> None:
            if tasks.get(uri) is done:
                del tasks[uri]

        task.add_done_callback(finished)

    async def check_syntax(self, event: DocumentEvent, language: str | None, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        from orchard.lint.pipeline import syntax_diagnostics

        assert event.path is not None and event.text is not None
        document = self.parses.setdefault(event.uri, _syntax_document())
        found = await asyncio.to_thread(
            syntax_diagnostics, event.path, event.text, language, document
        )
        if self.server.documents.text(event.uri) != event.text:
            return  # typed on meanwhile: a newer check is on its way
        self.syntax[event.uri] = found
        self.publish(event.uri, event.text)

    async def run_linters(
        self, uri: str, path: Path, language: str | None, delay: float = 0.0
    ) -> None:
        """Lint the buffer's text (on stdin when unsaved); keep what tools that cannot read
        stdin said about the saved file, moved with the edits since."""
        from orchard.lint.diagnostic import SourceText
        from orchard.lint.pipeline import LintPipeline

        if delay:
            await asyncio.sleep(delay)
        text = self.server.documents.text(uri)
        if text is None:
            return
        pipeline = LintPipeline(self.server.settings.lint, self.server.root)
        report = await pipeline.run([SourceText(path, text)], syntax=False)
        for failure in report.failures:
            self.server.report_error(f"Orchard lint: {failure}")
        current = self.server.documents.text(uri)
        if current is None:
            return
        fresh = [d for d in report.diagnostics if not _covered_by_syntax_layer(d, language)]
        ran = {d.source for d in fresh}
        if delay:  # an unsaved text: linters without stdin did not run on it
            ran |= {spec.name for spec in pipeline.tools_for(language) if spec.stdin_args}
        else:
            ran |= {spec.name for spec in pipeline.tools_for(language)}
        kept = [d for d in self.linted.get(uri, []) if d.source not in ran]
        if current is not text:
            fresh = follow(fresh, current)
        self.linted[uri] = _unique(fresh + kept)
        self.publish(uri, current)

    def publish(self, uri: str, text: str) -> None:
        from orchard.lint.diagnostic import lines_of

        found = self.syntax.get(uri, []) + self.linted.get(uri, [])
        lines = lines_of(text)
        encoding = self.server.documents.position_encoding
        self.server.diagnostic_board.set(  # `text` is the current text: its version
            uri,
            LINT,
            [lsp_diagnostic(d, lines, encoding, uri) for d in found],
            self.server.documents.version(uri),
        )

    def forget(self, uri: str) -> None:
        """Cancel pending checks of `uri` and clear what the editor shows for it."""
        for tasks in (self.syntax_tasks, self.lint_tasks):
            task = tasks.pop(uri, None)
            if task is not None:
                task.cancel()
        self.parses.pop(uri, None)
        self.large.forget(uri)
        had = self.syntax.pop(uri, None) is not None
        had = self.linted.pop(uri, None) is not None or had
        self.server.diagnostic_board.clear(uri, LINT)
        log.debug("cleared diagnostics of %s (had some: %s)", uri, had)

    def on_settings(self, settings: Settings) -> None:
        """Re-check every open document under new settings (or clear them when disabled)."""
        hub = self.server.documents
        for uri in hub.open_uris():
            large = hub.is_large(uri)
            event = DocumentEvent(
                DocumentEventKind.OPENED, uri, uri_to_path(uri), None,
                None if large else hub.text(uri), language_id=hub.language_id(uri), large=large,
            )  # fmt: skip
            self.on_event(event)


def _covered_by_syntax_layer(diagnostic: Diagnostic, language: str | None) -> bool:
    """A linter's syntax-error finding, on a language Orchard's own syntax layer checks."""
    from orchard.lint.syntax import parser_for
    from orchard.lint.tools import BUILTIN

    spec = BUILTIN.get(diagnostic.source)
    if spec is None or diagnostic.code not in spec.syntax_codes or language is None:
        return False
    return parser_for(language) is not None


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, int, str | None, str]] = set()
    out = []
    for d in found:
        key = (d.source, d.line, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _syntax_document() -> SyntaxDocument:
    from orchard.lint.syntax import SyntaxDocument

    return SyntaxDocument()


def follow(found: list[Diagnostic], text: str) -> list[Diagnostic]:
    """Keep linter findings whose flagged line is still there, moved with it; drop the rest."""
    if not found:
        return []
    from orchard.lint.diagnostic import lines_of
    from orchard.lint.problems import normalize

    lines = [normalize(line) for line in lines_of(text)]
    kept = []
    for diagnostic in found:
        if len(diagnostic.context) != 3:
            continue
        flagged = diagnostic.context[1]
        line = _nearest(lines, flagged, diagnostic.line)
        if line is not None:
            shift = line - diagnostic.line
            kept.append(replace(diagnostic, line=line, end_line=diagnostic.end_line + shift))
    return kept


def _nearest(lines: list[str], wanted: str, near: int) -> int | None:
    for distance in range(_FOLLOW_LINES):
        for line in (near - distance, near + distance):
            if 0 <= line < len(lines) and lines[line] == wanted:
                return line
    return None


def register(server: DiagnosticsHost) -> None:
    """Publish lint diagnostics for the documents open in `server`."""
    publisher = DiagnosticsPublisher(server)
    server.documents.subscribe(publisher.on_event)
    server.on_settings_changed(publisher.on_settings)
