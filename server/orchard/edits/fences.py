"""Markdown fences and file names as models write them: ``` or ~~~ fences, paths in prose.

Shared by the format parsers; recognises text only, never touches the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
_TICKED = re.compile(r"`([^`\n]+)`")
_PREFIX = re.compile(
    r"^(?:(?:new|updated|modified|full|complete|edit(?:ed)?)\s+)?"
    r"(?:file\s*name|file\s*path|file|path|filename)\s*[:=-]\s*",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"^(?:#+|//+|--|;+|/\*+|<!--)\s*")
_BARE_NAMES = frozenset(
    {"Makefile", "Dockerfile", "Procfile", "Gemfile", "Rakefile", "Justfile", "LICENSE", "README"}
)


@dataclass(frozen=True, slots=True)
class Fence:
    """An opening or closing fence line: its marker (``` or ~~~, with its length) and info."""

    marker: str
    info: str

    def closes(self, line: str) -> bool:
        """True when `line` closes this fence (same character, at least as long, no info)."""
        other = fence_of(line)
        return (
            other is not None
            and not other.info
            and other.marker[0] == self.marker[0]
            and len(other.marker) >= len(self.marker)
        )


def fence_of(line: str) -> Fence | None:
    """Return the fence a line opens or closes, if it is a fence line."""
    found = _FENCE.match(line)
    if not found:
        return None
    return Fence(found.group("fence"), found.group("info").strip())


def _clean(text: str) -> str:
    previous = None
    while text != previous:
        previous = text
        text = text.strip()
        text = _COMMENT.sub("", text) if not text.startswith(("./", "../")) else text
        text = _PREFIX.sub("", text)
        text = text.strip("*_`'\"").strip()
        text = text.rstrip(":").rstrip()
        text = re.sub(r"\s*(?:-->|\*/)$", "", text)
    return text


def looks_like_path(text: str) -> bool:
    """True when `text` reads as a file path rather than prose or a language name."""
    if not text or len(text) > 250 or text.startswith(("<<<", ">>>", "===", "```", "~~~")):
        return False
    if "://" in text or not re.search(r"[A-Za-z]", text):
        return False
    if re.search(r"\s", text):
        return False  # even in backticks: `pytest tests/x.py` is a command, not a file
    name = text.rsplit("/", 1)[-1]
    if name in _BARE_NAMES:
        return True
    if re.search(r"[^./]\.[A-Za-z0-9_+-]+$", name):
        return True
    return name.startswith(".") and len(name) > 1 and name != ".."


def path_from_line(line: str) -> str | None:
    """Find the file path a line names: alone, emphasised, in backticks, or after `File:`."""
    text = line.strip()
    if not text or fence_of(text):
        return None
    for ticked in reversed(_TICKED.findall(text)):
        candidate = _clean(ticked)
        if looks_like_path(candidate):
            return candidate
    candidate = _clean(text)
    return candidate if looks_like_path(candidate) else None


def path_from_info(info: str) -> str | None:
    """Find a path in a fence's info string: ```python:src/app.py, ```src/app.py, title="..."."""
    if not info:
        return None
    titled = re.search(r"""(?:title|file|path|filename)\s*=\s*["']?([^"'\s]+)""", info)
    if titled and looks_like_path(titled.group(1)):
        return titled.group(1)
    for token in re.split(r"[\s:]+", info):
        candidate = _clean(token)
        if looks_like_path(candidate):
            return candidate
    return None


def _previous_solid(lines: list[str], index: int, look_back: int) -> int | None:
    k = index - 1
    while k >= 0 and not lines[k].strip() and index - k <= look_back:
        k -= 1
    return k if k >= 0 and lines[k].strip() else None


def path_before(lines: list[str], index: int, *, look_back: int = 3) -> str | None:
    """Find the path named just before line `index`: before its fence, in the fence, or alone."""
    k = _previous_solid(lines, index, look_back)
    if k is None:
        return None
    fence = fence_of(lines[k])
    if fence is None:
        return path_from_line(lines[k])
    found = path_from_info(fence.info)
    if found:
        return found
    before = _previous_solid(lines, k, look_back)
    if before is None or fence_of(lines[before]):
        return None
    return path_from_line(lines[before])
