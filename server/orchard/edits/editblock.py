"""The `editblock` format: SEARCH/REPLACE blocks, each naming its file just before it.

Parses replies only; matching and writing live elsewhere. A block without a path reuses the
previous block's path; a block without its divider or REPLACE marker becomes a MALFORMED edit.
"""

from __future__ import annotations

import re

from orchard.edits.base import Edit, EditKind, numbered
from orchard.edits.fences import path_before

SEARCH = re.compile(r"^\s*<{5,9}\s*SEARCH\b.*$", re.IGNORECASE)
DIVIDER = re.compile(r"^\s*={5,9}\s*$")
REPLACE = re.compile(r"^\s*>{5,9}\s*REPLACE\b.*$", re.IGNORECASE)


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


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
            path = path_before(lines, i) or current
            edit, i = self._block(lines, i, path or "", len(edits))
            edits.append(edit)
            current = path
        return numbered(edits)

    def _block(self, lines: list[str], start: int, path: str, ordinal: int) -> tuple[Edit, int]:
        label = f"SEARCH/REPLACE block #{ordinal + 1}" + (f" for `{path}`" if path else "")
        j = start + 1
        search: list[str] = []
        while j < len(lines) and not DIVIDER.match(lines[j]):
            if SEARCH.match(lines[j]) or REPLACE.match(lines[j]):
                return self._malformed(path, f"{label} has no `=======` line after SEARCH."), j
            search.append(lines[j])
            j += 1
        if j >= len(lines):
            return self._malformed(path, f"{label} has no `=======` line after SEARCH."), j
        j += 1
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
        if not path:
            problem = (
                f"{label} names no file: put the file's path alone on the line before the "
                "opening fence."
            )
            return self._malformed("", problem), j + 1
        return Edit(path, EditKind.REPLACE, _text(search), _text(replace), self.name), j + 1

    def _malformed(self, path: str, problem: str) -> Edit:
        return Edit(path, EditKind.MALFORMED, fmt=self.name, problem=problem)
