"""Converters from Orchard's plain diagnostics to LSP types (positions in the client's encoding).

Pure functions, no server state; `orchard.lint` is imported on first use, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from orchard.lint.diagnostic import Diagnostic

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
        data={"tool": tool},
    )


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
