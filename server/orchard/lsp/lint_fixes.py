"""Linters' own fixes (ruff's edits, eslint's `fix`) as protocol text edits, for code actions.

A fix is looked up on the diagnostic board's lint share (matched by range, code and source),
never taken from the client's copy of a diagnostic, and offered only when the text it was
computed for is the document's current text. Pure lookups: no lint run, no server state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from orchard.lsp.convert import lsp_position

FIX_ALL = "source.fixAll.orchard"
# What a tool's fix-all action is called; tools not named here use their own name.
_LABELS = {"ruff": "Ruff", "eslint": "ESLint"}
_FIX_ALL_TITLES = {
    "ruff": "Ruff: fix all safe fixes in this file",
    "eslint": "ESLint: fix all auto-fixable problems in this file",
}

# As kept in a published diagnostic's `data["fix"]["edits"]` (see convert.lsp_fix_data):
# line, column, end line, end column (0-based, code points of the linted text), new text.
Edit = tuple[int, int, int, int, str]


@dataclass(frozen=True, slots=True)
class LintFix:
    """A fix ready to send: its title, its edits in the client's encoding, what it fixes."""

    title: str
    edits: list[types.TextEdit]
    diagnostics: list[types.Diagnostic]


class LintFixes:
    """The fixes on offer for one document: its published lint diagnostics and current text."""

    def __init__(
        self, published: Sequence[types.Diagnostic], text: str | None, encoding: str
    ) -> None:
        self._published = [d for d in published if _fix_of(d) is not None]
        self._text = text
        self._encoding = encoding
        self._digest: str | None = None  # of `text`, taken when first needed

    def for_diagnostic(self, wanted: types.Diagnostic) -> LintFix | None:
        """Return the fix for the published diagnostic `wanted` names, if it is current."""
        candidates = [d for d in self._published if _same_place(d, wanted)]
        candidates.sort(key=lambda d: d.message != wanted.message)
        for published in candidates:
            fix = _fix_of(published)
            if fix is not None and self._is_current(fix):
                return LintFix(fix["title"], self._text_edits(fix["edits"]), [wanted])
        return None

    def fix_all(self) -> list[LintFix]:
        """Return, per tool, one fix made of every safe fix that does not overlap another."""
        by_tool: dict[str, list[types.Diagnostic]] = {}
        for published in self._published:
            fix = _fix_of(published)
            if fix is not None and fix["applicability"] == "safe" and self._is_current(fix):
                by_tool.setdefault(_tool_of(published), []).append(published)
        found = []
        for tool, diagnostics in by_tool.items():
            chosen: list[Edit] = []
            for diagnostic in diagnostics:
                edits = [_edit(e) for e in (_fix_of(diagnostic) or {})["edits"]]
                fresh = [e for e in edits if e not in chosen]
                if not any(_overlap(e, other) for e in fresh for other in chosen):
                    chosen.extend(fresh)
            chosen.sort()
            label = _LABELS.get(tool, tool)
            title = _FIX_ALL_TITLES.get(tool, f"{label}: fix all safe fixes in this file")
            found.append(LintFix(title, self._text_edits(chosen), diagnostics))
        return found

    def _is_current(self, fix: dict[str, Any]) -> bool:
        if self._text is None:
            return False
        if self._digest is None:
            from orchard.lint.fixes import text_digest

            self._digest = text_digest(self._text)
        return bool(fix.get("basis") == self._digest)

    def _text_edits(self, edits: Sequence[Any]) -> list[types.TextEdit]:
        from orchard.lint.diagnostic import lines_of

        lines = lines_of(self._text or "")
        found = []
        for line, column, end_line, end_column, new_text in map(_edit, edits):
            start = lsp_position(lines, line, column, self._encoding)
            end = lsp_position(lines, end_line, end_column, self._encoding)
            found.append(types.TextEdit(range=types.Range(start=start, end=end), new_text=new_text))
        return found


def _fix_of(diagnostic: types.Diagnostic) -> dict[str, Any] | None:
    data = diagnostic.data
    fix = data.get("fix") if isinstance(data, dict) else None
    return fix if isinstance(fix, dict) else None


def _tool_of(diagnostic: types.Diagnostic) -> str:
    data = diagnostic.data
    tool = data.get("tool") if isinstance(data, dict) else None
    return tool if isinstance(tool, str) else str(diagnostic.source)


def _same_place(published: types.Diagnostic, wanted: types.Diagnostic) -> bool:
    return (
        published.range == wanted.range
        and published.code == wanted.code
        and published.source == wanted.source
    )


def _edit(value: Sequence[Any]) -> Edit:
    line, column, end_line, end_column, new_text = value
    return int(line), int(column), int(end_line), int(end_column), str(new_text)


def _overlap(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same text (two insertions at one point count: order matters)."""
    a_start, a_end, b_start, b_end = a[:2], a[2:4], b[:2], b[2:4]
    if a_start == a_end == b_start == b_end:
        return True
    return a_start < b_end and b_start < a_end
