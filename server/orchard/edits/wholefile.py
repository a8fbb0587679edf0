"""The `whole` format: a file's path, then a fence holding the complete new file.

Parses replies only. Fences with no name near them are taken as illustrations and skipped; a
fence after a line that looks like a name but cannot be read is reported (never dropped
silently); a fence left open at the end of the reply is MALFORMED (the reply was cut off).
"""

from __future__ import annotations

from orchard.edits.base import Edit, EditKind, numbered
from orchard.edits.fences import (
    SOURCE_CLOSE,
    Fence,
    Named,
    fence_of,
    is_name_attempt,
    name_before,
    path_from_info,
    path_from_line,
)


def _closing(lines: list[str], start: int, fence: Fence) -> int:
    """Return the index of the line closing the fence opened at `start` (len(lines) if none)."""
    if fence.marker.startswith("<"):
        return next((j for j in range(start + 1, len(lines)) if fence.closes(lines[j])), len(lines))
    depth = 0
    for j in range(start + 1, len(lines)):
        other = fence_of(lines[j])
        if other is None or other.marker[0] != fence.marker[0]:
            continue
        if other.info and len(other.marker) == len(fence.marker):
            depth += 1  # a nested fence of the same kind, as in a markdown file's own examples
        elif not other.info and len(other.marker) >= len(fence.marker):
            if depth == 0:
                return j
            depth -= 1
    return len(lines)


def _line_before(lines: list[str], index: int) -> str:
    k = index - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    return lines[k] if k >= 0 else ""


class WholeFileFormat:
    """A path line, then a fenced block with the file's entire new content."""

    name = "whole"

    def parse(self, reply: str) -> list[Edit]:
        """Read every fenced file of a reply, in order."""
        lines = reply.replace("\r\n", "\n").split("\n")
        edits: list[Edit] = []
        i = 0
        while i < len(lines):
            fence = fence_of(lines[i])
            if fence is None or fence.marker == SOURCE_CLOSE:
                i += 1
                continue
            end = _closing(lines, i, fence)
            edit = self._edit(lines, i, end, fence)
            if edit is not None:
                edits.append(edit)
            i = end + 1
        return numbered(edits)

    def _edit(self, lines: list[str], i: int, end: int, fence: Fence) -> Edit | None:
        body = lines[i + 1 : end]
        info = path_from_info(fence.info)
        named = Named(info) if info else name_before(lines, i)
        if named is None and body and path_from_line(body[0]) == body[0].strip():
            named, body = Named(body[0].strip()), body[1:]
        if named is None:
            before = _line_before(lines, i)
            if is_name_attempt(before) and fence_of(before) is None:
                problem = (
                    f"the fenced block after the line `{before.strip()}` was not applied: that "
                    "line is not a file path I can read. Put the file's path (relative to the "
                    "project root) alone on the line before the opening fence."
                )
                return Edit("", EditKind.MALFORMED, fmt=self.name, problem=problem)
            return None
        if end >= len(lines):
            problem = (
                f"the fenced content of `{named.path}` is never closed; the reply may be cut off."
            )
            return Edit(named.path, EditKind.MALFORMED, fmt=self.name, problem=problem)
        content = "".join(f"{line}\n" for line in body)
        return Edit(
            named.path, EditKind.WHOLE, replace=content, fmt=self.name, guessed=named.guessed
        )
