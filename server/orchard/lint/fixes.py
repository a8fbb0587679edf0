"""Placing a linter's fix on the text it linted: edits in code points, stamped with that text.

A fix is only good for the exact text the tool read, so it carries that text's digest; whoever
applies it compares the digest first. Pure functions; no I/O, no LSP types.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import replace

from orchard.lint.diagnostic import Applicability, ColumnUnit, Fix, FixEdit, to_code_points


def text_digest(text: str) -> str:
    """Return a short digest naming `text` exactly (what a fix's `basis` holds)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def place_fix(
    fix: Fix, text: str, lines: Sequence[str], unit: ColumnUnit, *, unsafe_ok: bool = False
) -> Fix | None:
    """Turn a tool's fix into code-point edits on `text` (split into `lines`) and stamp it with
    the text's digest; None when it is not offered (display-only, unsafe without `unsafe_ok`)
    or its edits fall outside the text or overlap."""
    if fix.applicability is Applicability.DISPLAY_ONLY or not fix.edits:
        return None
    if fix.applicability is Applicability.UNSAFE and not unsafe_ok:
        return None
    placed = []
    for edit in fix.edits:
        moved = (
            _by_offset(edit, text, lines, unit) if edit.by_offset else _by_line(edit, lines, unit)
        )
        if moved is None:
            return None
        placed.append(moved)
    placed.sort(key=lambda e: (e.line, e.column, e.end_line, e.end_column))
    for before, after in itertools.pairwise(placed):
        if (after.line, after.column) < (before.end_line, before.end_column):
            return None
    return replace(fix, edits=tuple(placed), basis=text_digest(text))


def _by_line(edit: FixEdit, lines: Sequence[str], unit: ColumnUnit) -> FixEdit | None:
    if not (0 <= edit.line <= edit.end_line < len(lines)):
        return None
    column = to_code_points(lines[edit.line], edit.column, unit)
    end_column = to_code_points(lines[edit.end_line], edit.end_column, unit)
    if column > len(lines[edit.line]) or end_column > len(lines[edit.end_line]):
        return None
    if (edit.end_line, end_column) < (edit.line, column):
        return None
    return FixEdit(edit.line, column, edit.end_line, end_column, edit.new_text)


def _by_offset(edit: FixEdit, text: str, lines: Sequence[str], unit: ColumnUnit) -> FixEdit | None:
    start = _code_point_offset(text, edit.column, unit)
    end = _code_point_offset(text, edit.end_column, unit)
    if start is None or end is None or end < start:
        return None
    line, column = _line_and_column(text, lines, start)
    end_line, end_column = _line_and_column(text, lines, end)
    return FixEdit(line, column, end_line, end_column, edit.new_text)


def _code_point_offset(text: str, offset: int, unit: ColumnUnit) -> int | None:
    """Turn an offset into the whole text, counted in `unit`, into a code-point offset."""
    if offset < 0:
        return None
    if unit is ColumnUnit.CHARACTERS or text.isascii():
        return offset if offset <= len(text) else None
    encoded = text.encode("utf-16-le" if unit is ColumnUnit.UTF16 else "utf-8", "surrogatepass")
    width = 2 if unit is ColumnUnit.UTF16 else 1
    if offset * width > len(encoded):
        return None
    codec = "utf-16-le" if unit is ColumnUnit.UTF16 else "utf-8"
    return len(encoded[: offset * width].decode(codec, errors="ignore"))


def _line_and_column(text: str, lines: Sequence[str], offset: int) -> tuple[int, int]:
    """The (line, column) of code-point `offset`, lines split as `lines_of` splits them."""
    start = 0
    for number, line in enumerate(lines):
        end = start + len(line)
        if offset <= end or number == len(lines) - 1:
            return number, min(offset - start, len(line))
        start = end + (2 if text.startswith("\r\n", end) else 1)
        if offset < start:  # between a \r and its \n: the end of that line
            return number, len(line)
    return 0, 0
