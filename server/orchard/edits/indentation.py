"""Relative indentation: compare blocks by structure; re-indent model text in the file's style.

Works on lists of lines without newlines. Tabs count as TAB_WIDTH columns; the style written back
(tabs or spaces, and the step) is always the file's, never the model's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

TAB_WIDTH = 4


def leading(line: str) -> str:
    """Return the line's leading whitespace."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def width(whitespace: str) -> int:
    """Return the columns a run of indentation takes, tabs counting TAB_WIDTH."""
    return whitespace.count(" ") + TAB_WIDTH * whitespace.count("\t")


@dataclass(frozen=True, slots=True)
class Shape:
    """The indentation of a block: its base column, its step (None when flat) and its style."""

    base: int
    unit: int | None
    base_ws: str
    tabs: bool


def shape_of(lines: Sequence[str]) -> Shape | None:
    """Measure a block's indentation from its non-blank lines (None when all are blank)."""
    solid = [line for line in lines if line.strip()]
    if not solid:
        return None
    widths = [width(leading(line)) for line in solid]
    base = min(widths)
    steps = [w - base for w in widths if w > base]
    unit = math.gcd(*steps) if steps else None
    base_ws = next(leading(line) for line, w in zip(solid, widths, strict=True) if w == base)
    tabs = any("\t" in leading(line) for line in solid)
    return Shape(base, unit, base_ws, tabs)


def levels(lines: Sequence[str]) -> list[int | None]:
    """Return each line's indentation level relative to the block (None for blank lines)."""
    shape = shape_of(lines)
    if shape is None:
        return [None] * len(lines)
    unit = shape.unit or 1
    return [(width(leading(line)) - shape.base) // unit if line.strip() else None for line in lines]


def same_structure(block: Sequence[str], other: Sequence[str]) -> bool:
    """True when two blocks hold the same text at the same relative indentation levels."""
    if len(block) != len(other):
        return False
    if any(a.strip() != b.strip() for a, b in zip(block, other, strict=True)):
        return False
    return levels(block) == levels(other)


def file_style(lines: Sequence[str]) -> tuple[int, bool]:
    """Guess a file's indentation step (columns) and whether it indents with tabs."""
    tab_lines = sum(1 for line in lines if line.startswith("\t"))
    space_lines = sum(1 for line in lines if line.startswith(" "))
    if tab_lines > space_lines:
        return TAB_WIDTH, True
    deltas: Counter[int] = Counter()
    previous = 0
    for line in lines:
        if not line.strip():
            continue
        current = width(leading(line))
        if current > previous:
            deltas[current - previous] += 1
        previous = current
    return (deltas.most_common(1)[0][0] if deltas else 4), False


def render(columns: int, tabs: bool) -> str:
    """Write `columns` of indentation in a style."""
    columns = max(columns, 0)
    if tabs:
        return "\t" * (columns // TAB_WIDTH) + " " * (columns % TAB_WIDTH)
    return " " * columns


def reindent(
    replace: Sequence[str],
    search: Sequence[str],
    target: Sequence[str],
    whole_file: Sequence[str],
) -> list[str]:
    """Re-indent REPLACE lines so that what SEARCH was to the model, `target` is in the file."""
    model = shape_of(search) or shape_of(replace)
    found = shape_of(target)
    if model is None or found is None:
        return list(replace)
    style_unit, style_tabs = TAB_WIDTH, found.tabs
    if found.unit is None or model.unit is None or (found.base == 0 and not found.tabs):
        style_unit, style_tabs = file_style(whole_file)  # a scan of the file, only when needed
    tabs = found.tabs or ("\t" in found.base_ws) or (found.base == 0 and style_tabs)
    model_unit = model.unit or _unit_of(replace, model.base) or style_unit
    file_unit = found.unit or (TAB_WIDTH if tabs else style_unit)
    out: list[str] = []
    for line in replace:
        if not line.strip():
            out.append("")
            continue
        relative = width(leading(line)) - model.base
        if relative % model_unit == 0:
            columns = found.base + relative // model_unit * file_unit
        else:
            columns = found.base + round(relative * file_unit / model_unit)
        out.append(render(columns, tabs) + line.lstrip(" \t"))
    return out


def _unit_of(lines: Sequence[str], base: int) -> int | None:
    steps = [width(leading(line)) - base for line in lines if line.strip()]
    positive = [step for step in steps if step > 0]
    return math.gcd(*positive) if positive else None
