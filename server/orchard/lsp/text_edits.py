"""Minimal text edits between two texts, as protocol TextEdits in the client's position encoding:
a line diff (difflib) whose changed blocks are trimmed to the characters that differ, so cursors,
marks and undo in the editor's buffer behave. Pure functions; no server state.
"""

from __future__ import annotations

import bisect
import difflib
import re

from lsprotocol import types

from orchard.lsp.convert import lsp_position

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Split `text` into lines the way LSP counts them (\\n, \\r\\n, \\r), keeping the endings."""
    return _LINE.findall(text)


def minimal_edits(old: str, new: str, encoding: str = "utf-16") -> list[types.TextEdit]:
    """Return non-overlapping edits (in `old`'s coordinates) that turn `old` into `new`."""
    if old == new:
        return []
    a, b = split_lines(old), split_lines(new)
    starts = _line_starts(a)
    edits = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        head, tail = _common_ends(before, after)
        start = starts[i1] + head
        end = starts[i1] + len(before) - tail
        edits.append(
            types.TextEdit(
                range=types.Range(
                    start=_position(a, starts, start, encoding),
                    end=_position(a, starts, end, encoding),
                ),
                new_text=after[head : len(after) - tail],
            )
        )
    return edits


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    starts.append(offset)
    return starts


def _common_ends(before: str, after: str) -> tuple[int, int]:
    """Lengths of the common prefix and suffix, never splitting a \\r\\n pair."""
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] == after[head]:
        head += 1
    if 0 < head < len(before) and before[head - 1] == "\r" and before[head] == "\n":
        head -= 1
    tail = 0
    while tail < limit - head and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    edge = len(before) - tail
    if tail and 0 < edge < len(before) and before[edge - 1] == "\r" and before[edge] == "\n":
        tail -= 1
    return head, tail


def _position(lines: list[str], starts: list[int], offset: int, encoding: str) -> types.Position:
    """The protocol position of code-point `offset` in the text made of `lines`."""
    line = max(bisect.bisect_right(starts, offset) - 1, 0)
    if line >= len(lines):  # the very end of the text
        if not lines or lines[-1].endswith(("\n", "\r")):
            return types.Position(line=len(lines), character=0)
        line = len(lines) - 1
    text = lines[line].rstrip("\r\n")
    character = lsp_position([text], 0, offset - starts[line], encoding).character
    return types.Position(line=line, character=character)
