"""Every conversion between protocol values and Orchard's own: diagnostics and positions (in the
client's encoding), URIs and paths, ranges and selections. Pure functions, no server state;
`orchard.lint` is imported on first use, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from orchard.agents.task import Selection

if TYPE_CHECKING:
    from orchard.lint.diagnostic import Diagnostic, Fix

_SEVERITIES = {  # by orchard.lint.diagnostic.Severity value
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
SOURCE = "orchard"


def lsp_position(lines: list[str], line: int, column: int, encoding: str) -> types.Position:
    """Turn a code-point position into the client's encoding (UTF-16 unless negotiated)."""
    text = lines[line] if 0 <= line < len(lines) else ""
    prefix = text[:column]
    if encoding == types.PositionEncodingKind.Utf8:
        character = len(prefix.encode("utf-8")) + max(column - len(text), 0)
    elif encoding == types.PositionEncodingKind.Utf32 or prefix.isascii():
        character = column
    else:
        character = len(prefix.encode("utf-16-le")) // 2 + max(column - len(text), 0)
    return types.Position(line=max(line, 0), character=max(character, 0))


def lsp_diagnostic(
    diagnostic: Diagnostic, lines: list[str], encoding: str, uri: str
) -> types.Diagnostic:
    """Convert a diagnostic of the document `uri` to LSP, naming the linter in the message."""
    from orchard.lint.diagnostic import SYNTAX_SOURCE

    tool = diagnostic.source
    message = diagnostic.message if tool == SYNTAX_SOURCE else f"{tool}: {diagnostic.message}"
    start = lsp_position(lines, diagnostic.line, diagnostic.column, encoding)
    end = lsp_position(lines, diagnostic.end_line, diagnostic.end_column, encoding)
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=message,
        severity=_SEVERITIES[str(diagnostic.severity)],
        source=SOURCE,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
        related_information=lsp_related(diagnostic, lines, encoding, uri),
        data={"tool": tool, "fix": lsp_fix_data(diagnostic.fix)}
        if diagnostic.fix
        else {"tool": tool},
    )


def lsp_fix_data(fix: Fix) -> dict[str, Any]:
    """A linter's fix as kept in its diagnostic's `data`: edits in code points of the text it
    was computed for, named by `basis` (lsp/lint_fixes.py converts them when one is asked for)."""
    return {
        "title": fix.title,
        "edits": [[e.line, e.column, e.end_line, e.end_column, e.new_text] for e in fix.edits],
        "applicability": str(fix.applicability),
        "basis": fix.basis,
    }


def lsp_related(
    diagnostic: Diagnostic, lines: list[str], encoding: str, uri: str
) -> list[types.DiagnosticRelatedInformation] | None:
    """The places that explain a diagnostic (where its bracket or tag opened), if any."""
    if not diagnostic.related:
        return None
    return [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=uri,
                range=types.Range(
                    start=lsp_position(lines, place.line, place.column, encoding),
                    end=lsp_position(lines, place.end_line, place.end_column, encoding),
                ),
            ),
            message=place.message,
        )
        for place in diagnostic.related
    ]


def uri_to_path(uri: str) -> Path | None:
    """Return the file path of a `file:` URI, or None for other schemes."""
    if not uri.startswith("file:"):
        return None
    fs_path = to_fs_path(uri)
    return Path(fs_path) if fs_path else None


def selection_of(
    value: Mapping[str, Any], root: Path, text_of: Callable[[str], str | None]
) -> Selection:
    """Turn `{uri, range}` into a Selection (1-based lines), reading the text from the buffer
    (`text_of(uri)`) or else from disk; raise InvalidParams naming the field that is wrong."""
    uri = value.get("uri")
    path = uri_to_path(uri) if isinstance(uri, str) else None
    if path is None:
        raise JsonRpcInvalidParams("`selection.uri` must be a file: URI")
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise JsonRpcInvalidParams(f"`selection.uri`: {path} is outside {root}") from None
    start, end = _line_range(value.get("range"))
    text = text_of(str(uri))
    if text is None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
    lines = text.splitlines()
    chosen = "\n".join(lines[start : end + 1]) if lines else ""
    return Selection(path=rel, start_line=start + 1, end_line=end + 1, text=chosen)


def _line_range(value: Any) -> tuple[int, int]:
    try:
        start = int(value["start"]["line"])
        end = int(value["end"]["line"])
    except (KeyError, TypeError, ValueError):
        raise JsonRpcInvalidParams(
            "`selection.range` must be {start: {line, character}, end: {line, character}}"
        ) from None
    if start < 0 or end < start:
        raise JsonRpcInvalidParams("`selection.range` must run forwards from line 0 or later")
    return start, end


def lsp_location(path: Path, start_line: int, end_line: int) -> dict[str, Any]:
    """Return a protocol Location (as JSON) spanning whole 0-based lines start..end of `path`."""
    return {
        "uri": path.resolve().as_uri(),
        "range": {
            "start": {"line": start_line, "character": 0},
            "end": {"line": end_line + 1, "character": 0},
        },
    }
