"""The `udiff` format: unified diffs, located by content rather than by hunk line numbers.

Parses replies only. Tolerates missing or wrong `@@` numbers, `a/`/`b/` prefixes or none,
`/dev/null` for new and deleted files, and blank context lines that lost their leading space.
"""

from __future__ import annotations

import re

from orchard.edits.base import Edit, EditKind, numbered
from orchard.edits.fences import fence_of

_TIMESTAMP = re.compile(r"\s+\d{4}-\d\d-\d\d[ T]\d\d:\d\d.*$")
DEV_NULL = "/dev/null"


def diff_path(header: str) -> str | None:
    """Return the path of a `---`/`+++` header (None for /dev/null), without a/ or b/."""
    text = _TIMESTAMP.sub("", header.split("\t")[0]).strip().strip("\"'")
    if text == DEV_NULL or not text:
        return None
    if text.startswith(("a/", "b/")) and len(text) > 2:
        text = text[2:]
    return text


def _is_file_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _hunks(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    hunks: list[list[str]] = []
    current: list[str] | None = None
    while i < len(lines):
        line = lines[i]
        if _is_file_header(lines, i) or line.startswith("diff ") or fence_of(line):
            break
        if line.startswith("@@"):
            current = []
            hunks.append(current)
        elif line.startswith("\\"):
            pass  # "\ No newline at end of file": the applier keeps the file's own ending
        elif line == "" or line[0] in " -+":
            if current is None:
                current = []
                hunks.append(current)
            current.append(line)
        else:
            break
        i += 1
    for hunk in hunks:
        while hunk and hunk[-1] == "":
            hunk.pop()
    return hunks, i


def _sides(hunk: list[str]) -> tuple[str, str]:
    before = [line[1:] for line in hunk if line[:1] != "+"]
    after = [line[1:] for line in hunk if line[:1] != "-"]
    return "".join(f"{line}\n" for line in before), "".join(f"{line}\n" for line in after)


class UnifiedDiffFormat:
    """Unified diffs (`--- a/path`, `+++ b/path`, `@@ ... @@`, then ` `/`-`/`+` lines)."""

    name = "udiff"

    def parse(self, reply: str) -> list[Edit]:
        """Read every hunk of every file diff in a reply, in order."""
        lines = reply.replace("\r\n", "\n").split("\n")
        edits: list[Edit] = []
        i = 0
        while i < len(lines):
            if not _is_file_header(lines, i):
                i += 1
                continue
            old, new = diff_path(lines[i][4:]), diff_path(lines[i + 1][4:])
            hunks, i = _hunks(lines, i + 2)
            if new is None and old is not None:
                edits.append(Edit(old, EditKind.DELETE, fmt=self.name))
                continue
            if new is None:
                problem = "a diff names /dev/null on both its `---` and `+++` lines."
                edits.append(Edit("", EditKind.MALFORMED, fmt=self.name, problem=problem))
                continue
            for hunk in hunks:
                if not any(line[:1] in "+-" for line in hunk):
                    continue
                search, replace = _sides(hunk)
                edits.append(Edit(new, EditKind.REPLACE, search, replace, self.name))
        return numbered(edits)
