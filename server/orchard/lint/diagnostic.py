"""The lint pipeline's value objects: a diagnostic, its severity, a tool's fix, a text to lint.

Plain data only: no LSP types here (the editor adapter converts), no I/O.
Positions are 0-based; columns count Unicode code points of the line (Python `str` indices).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.StrEnum):
    """How bad a problem is; `error` fails `orchard lint` and is fed back to agents."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


class ColumnUnit(enum.StrEnum):
    """What a tool's column numbers count, so they can be turned into code points."""

    CHARACTERS = "characters"
    UTF16 = "utf-16"
    BYTES = "bytes"


SYNTAX_SOURCE = "orchard-syntax"


class Applicability(enum.StrEnum):
    """How sure a tool is that its fix keeps the code's meaning (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class FixEdit:
    """Replace the text from (line, column) to (end_line, end_column) with `new_text`.

    0-based; columns in code points once placed on the file (in the tool's unit before). A tool
    that counts offsets into the whole text gives them as `column`/`end_column` with `by_offset`.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str
    by_offset: bool = False


@dataclass(frozen=True, slots=True)
class Fix:
    """A linter's own fix for one diagnostic: what it does and its edits, against one text."""

    title: str
    edits: tuple[FixEdit, ...]
    applicability: Applicability = Applicability.SAFE
    # `text_digest` of the text the tool read: the edits apply to that text only. Empty until
    # the pipeline places the fix on the file it linted.
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Related:
    """Another place in the same file that explains a diagnostic (e.g. where a bracket opened)."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one file, from the syntax layer or a linter."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int
    severity: Severity
    source: str
    code: str | None
    message: str
    url: str | None = None
    related: tuple[Related, ...] = ()
    # Normalized text of the flagged line and its neighbours, filled by the pipeline so that
    # `new_problems` can recognise a problem that merely moved.
    context: tuple[str, ...] = field(default=(), compare=False)
    fix: Fix | None = field(default=None, compare=False)

    def render(self, relative_to: Path | None = None) -> str:
        """Format as `path:line:col severity source [code] message`, 1-based like editors."""
        path = self.path
        if relative_to is not None and path.is_relative_to(relative_to):
            path = path.relative_to(relative_to)
        code = f" {self.code}" if self.code else ""
        return (
            f"{path}:{self.line + 1}:{self.column + 1} {self.severity} "
            f"{self.source}{code} {self.message}"
        )


@dataclass(frozen=True, slots=True)
class SourceText:
    """The text of a file that may differ from disk (an unsaved buffer, an agent's proposal)."""

    path: Path
    text: str


def to_code_points(line_text: str, column: int, unit: ColumnUnit) -> int:
    """Convert a 0-based column counted in `unit` on `line_text` into a code-point column."""
    if unit is ColumnUnit.CHARACTERS or column <= 0 or line_text.isascii():
        return max(column, 0)
    if unit is ColumnUnit.BYTES:
        prefix = line_text.encode("utf-8")[:column]
        return len(prefix.decode("utf-8", errors="ignore"))
    units = 0
    for index, char in enumerate(line_text):
        if units >= column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text) if units >= column else len(line_text) + (column - units)


def lines_of(text: str) -> list[str]:
    """Split text into lines the way editors count them (\\n, \\r\\n and \\r end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
