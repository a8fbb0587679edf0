"""The `whole` format: a file's path, then a fence holding the complete new file.

Parses replies only. Fences without a path are taken as illustrations and skipped; a fence
left open at the end of the reply becomes a MALFORMED edit (the reply was probably cut off).
"""

from __future__ import annotations

from orchard.edits.base import Edit, EditKind, numbered
from orchard.edits.fences import Fence, fence_of, path_before, path_from_info, path_from_line


def _closing(lines: list[str], start: int, fence: Fence) -> int:
    """Return the index of the line closing the fence opened at `start` (len(lines) if none)."""
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
            if fence is None:
                i += 1
                continue
            end = _closing(lines, i, fence)
            body = lines[i + 1 : end]
            path = path_from_info(fence.info) or path_before(lines, i)
            if path is None and body and path_from_line(body[0]) == body[0].strip():
                path, body = body[0].strip(), body[1:]
            if path and end >= len(lines):
                problem = (
                    f"the fenced content of `{path}` is never closed; the reply may be cut off."
                )
                edits.append(Edit(path, EditKind.MALFORMED, fmt=self.name, problem=problem))
            elif path:
                content = "".join(f"{line}\n" for line in body)
                edits.append(Edit(path, EditKind.WHOLE, replace=content, fmt=self.name))
            i = end + 1
        return numbered(edits)
