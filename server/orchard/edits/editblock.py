"""The `editblock` format: SEARCH/REPLACE blocks, each naming its file just before it.

Parses replies only; matching and writing live elsewhere. A block with no name line reuses the
previous block's path, but a name line that cannot be read makes the block MALFORMED (never the
previous path); so does a block without its divider or REPLACE marker.
"""

from __future__ import annotations

import re

from orchard.edits.base import Edit, EditKind, numbered
from orchard.edits.fences import fence_of, is_name_attempt, name_before

SEARCH = re.compile(r"^\s*(?P<marks><{5,9})\s*SEARCH\b.*$", re.IGNORECASE)
DIVIDER = re.compile(r"^\s*(?P<marks>={5,9})\s*$")
REPLACE = re.compile(r"^\s*>{5,9}\s*REPLACE\b.*$", re.IGNORECASE)


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _divider_at(lines: list[str], start: int, width: int) -> int:
    """The divider of the block opened at `start`: the first `=` line as wide as its SEARCH
    marker (an RST underline of another width is content), else the first `=` line at all."""
    first = None
    for j in range(start + 1, len(lines)):
        if SEARCH.match(lines[j]) or REPLACE.match(lines[j]):
            break
        found = DIVIDER.match(lines[j])
        if found:
            if len(found.group("marks")) == width:
                return j
            first = j if first is None else first
    return first if first is not None else len(lines)


def _unread_name(lines: list[str], start: int) -> str | None:
    """The line just before the block (or its fence) when it looks like a name but is not one."""
    k = start - 1
    for _ in range(2):
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k < 0 or fence_of(lines[k]) is None:
            break
        k -= 1
    if k < 0 or REPLACE.match(lines[k]) or fence_of(lines[k]) is not None:
        return None
    return lines[k].strip() if is_name_attempt(lines[k]) else None


class EditBlockFormat:
    """SEARCH/REPLACE blocks (`<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE`)."""

    name = "editblock"

    def parse(self, reply: str) -> list[Edit]:
        """Read every SEARCH/REPLACE block of a reply, in order."""
        lines = reply.replace("\r\n", "\n").split("\n")
        edits: list[Edit] = []
        current: str | None = None
        i = 0
        while i < len(lines):
            if not SEARCH.match(lines[i]):
                i += 1
                continue
            named = name_before(lines, i)
            unread = None if named is not None else _unread_name(lines, i)
            if unread is not None:
                edit, i = self._block(lines, i, unread, len(edits))
                problem = edit.problem if edit.kind is EditKind.MALFORMED else None
                edit = self._malformed("", problem or self._unread_problem(len(edits), unread))
                edits.append(edit)
                current = None
                continue
            path = named.path if named is not None else current
            edit, i = self._block(lines, i, path or "", len(edits))
            if named is not None and named.guessed and edit.kind is EditKind.REPLACE:
                edit = Edit(
                    edit.path, edit.kind, edit.search, edit.replace, self.name, guessed=True
                )
            edits.append(edit)
            current = path
        return numbered(edits)

    @staticmethod
    def _unread_problem(ordinal: int, line: str) -> str:
        return (
            f"SEARCH/REPLACE block #{ordinal + 1} follows the line `{line}`, which is not a file "
            "path I can read, so the block was not applied. Put the file's path (relative to the "
            "project root) alone on the line before the opening fence."
        )

    def _block(self, lines: list[str], start: int, path: str, ordinal: int) -> tuple[Edit, int]:
        label = f"SEARCH/REPLACE block #{ordinal + 1}" + (f" for `{path}`" if path else "")
        opened = SEARCH.match(lines[start])
        width = len(opened.group("marks")) if opened else 7
        divider = _divider_at(lines, start, width)
        if divider >= len(lines) or not DIVIDER.match(lines[divider]):
            j = start + 1
            while j < len(lines) and not (SEARCH.match(lines[j]) or REPLACE.match(lines[j])):
                j += 1
            return self._malformed(path, f"{label} has no `=======` line after SEARCH."), j
        search = lines[start + 1 : divider]
        j = divider + 1
        replace: list[str] = []
        while j < len(lines) and not REPLACE.match(lines[j]):
            if SEARCH.match(lines[j]):
                problem = f"{label} has no `>>>>>>> REPLACE` line before the next block."
                return self._malformed(path, problem), j
            replace.append(lines[j])
            j += 1
        if j >= len(lines):
            problem = f"{label} ends without a `>>>>>>> REPLACE` line; the reply may be cut off."
            return self._malformed(path, problem), j
        if replace and replace[-1].strip() == lines[divider].strip():
            replace.pop()  # a stray divider before REPLACE (models write one when deleting code)
        if not path:
            problem = (
                f"{label} names no file: put the file's path alone on the line before the "
                "opening fence."
            )
            return self._malformed("", problem), j + 1
        return Edit(path, EditKind.REPLACE, _text(search), _text(replace), self.name), j + 1

    def _malformed(self, path: str, problem: str) -> Edit:
        return Edit(path, EditKind.MALFORMED, fmt=self.name, problem=problem)
