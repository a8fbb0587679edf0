"""Guess which edit format a reply is written in, for `auto`.

Looks at markers only (never parses blocks): SEARCH markers win, then unified-diff headers or
hunks, and otherwise the reply is read as whole files.
"""

from __future__ import annotations

from orchard.edits.editblock import SEARCH


def detect_format(reply: str) -> str:
    """Return `editblock`, `udiff` or `whole` for a model reply."""
    lines = reply.replace("\r\n", "\n").split("\n")
    if any(SEARCH.match(line) for line in lines):
        return "editblock"
    for i, line in enumerate(lines[:-1]):
        if line.startswith("--- ") and lines[i + 1].startswith("+++ "):
            return "udiff"
    return "whole"
