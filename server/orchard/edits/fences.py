"""Markdown fences and file names as models write them: ```, ~~~ or <source> fences, paths.

Shared by the format parsers; recognises text only, never touches the file system. A bare word
(`Jenkinsfile`, `tmpab12cd34`) alone on its line is a *guessed* name: the applier decides.
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
    {
        "Makefile", "GNUmakefile", "Dockerfile", "Containerfile", "Procfile", "Gemfile",
        "Rakefile", "Justfile", "Jenkinsfile", "Vagrantfile", "Brewfile", "Podfile", "Pipfile",
        "Guardfile", "Capfile", "Berksfile", "Fastfile", "Snakefile", "Tiltfile", "Earthfile",
        "BUILD", "WORKSPACE", "CODEOWNERS", "OWNERS", "LICENSE", "COPYING", "NOTICE", "AUTHORS",
        "CHANGELOG", "VERSION", "README",
    }
)  # fmt: skip
_SOURCE_OPEN = re.compile(r"^\s*<source(?:\s+(?P<info>[^>]*))?>\s*$", re.IGNORECASE)
_SOURCE_CLOSE = re.compile(r"^\s*</source>\s*$", re.IGNORECASE)
_SOURCE = "<source>"
SOURCE_CLOSE = "</source>"
_WORD = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$")
_PART = re.compile(r"^[A-Za-z0-9_.@+-][A-Za-z0-9_.@+ -]*$")
_WRAPPED = re.compile(r"^(?:`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*|\"[^\"]+\"|'[^']+')[:.]?$")


@dataclass(frozen=True, slots=True)
class Named:
    """A file name found in a reply; `guessed` when it is a bare word that may be prose."""

    path: str
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class Fence:
    """An opening or closing fence line: its marker (``` or ~~~, with its length) and info."""

    marker: str
    info: str

    def closes(self, line: str) -> bool:
        """True when `line` closes this fence (same character, at least as long, no info)."""
        if self.marker.startswith("<"):
            return self.marker == _SOURCE and bool(_SOURCE_CLOSE.match(line))
        other = fence_of(line)
        return (
            other is not None
            and not other.info
            and other.marker[0] == self.marker[0]
            and len(other.marker) >= len(self.marker)
        )


def fence_of(line: str) -> Fence | None:
    """Return the fence a line opens or closes, if it is a fence line (```, ~~~ or <source>)."""
    found = _FENCE.match(line)
    if not found:
        tag = _SOURCE_OPEN.match(line)
        if tag:
            return Fence(_SOURCE, (tag.group("info") or "").strip())
        return Fence(SOURCE_CLOSE, "") if _SOURCE_CLOSE.match(line) else None
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


def looks_like_path(text: str, *, spaced: bool = False) -> bool:
    """True when `text` reads as a file path rather than prose or a language name.

    Spaces are allowed only when `spaced` (the caller saw the name set apart, or in a folder).
    """
    if not text or len(text) > 250 or text.startswith(("<<<", ">>>", "===", "```", "~~~", "<")):
        return False
    if "://" in text or not re.search(r"[A-Za-z]", text):
        return False
    if re.search(r"\s", text) and (not spaced or re.search(r"[\t\n]|\s{2}", text)):
        return False  # even in backticks: `pytest tests/x.py` is a command, not a file
    if text.startswith("./") and _WORD.match(text[2:]):
        return True  # `./deploy`: an extension-less name made explicit
    parts = text.removeprefix("./").split("/")
    if len(parts) > 1 and all(part and _PART.match(part) for part in parts[1:]):
        return bool(parts[-1].strip()) and parts[-1] not in (".", "..")
    name = parts[-1]
    if name in _BARE_NAMES:
        return True
    if re.search(r"[^./ ]\.[A-Za-z0-9_+-]+$", name):
        return True
    return name.startswith(".") and len(name) > 1 and name != ".." and " " not in name


def _spaced_path(text: str, wrapped: bool) -> bool:
    """A name with spaces: spaces only after its first folder, or set apart with no folder."""
    if " " not in text:
        return False
    folder = text.removeprefix("./").split("/", 1)
    if " " in folder[0] and (len(folder) > 1 or not wrapped):
        return False  # "Here is the fix for src/app.py", `pytest tests/x.py`: prose, commands
    return looks_like_path(text, spaced=True)


def path_from_line(line: str) -> str | None:
    """Find the file path a line names: alone, emphasised, in backticks, or after `File:`."""
    named = name_from_line(line)
    return named.path if named is not None and not named.guessed else None


def name_from_line(line: str) -> Named | None:
    """Find the file name a line names; a bare word alone on the line is a guessed name."""
    text = line.strip()
    if not text or fence_of(text):
        return None
    alone = bool(_WRAPPED.match(text))
    for ticked in reversed(_TICKED.findall(text)):
        candidate = _clean(ticked)
        if looks_like_path(candidate) or _spaced_path(candidate, wrapped=alone):
            return Named(candidate)
    candidate = _clean(text)
    if looks_like_path(candidate):
        return Named(candidate)
    wrapped = alone or bool(_PREFIX.match(_COMMENT.sub("", text)))
    if _spaced_path(candidate, wrapped):
        return Named(candidate)
    heading = bool(_COMMENT.match(text))  # `### Changes` is a heading, not a name
    if _WORD.match(candidate) and (wrapped or not (heading or text.endswith((":", ".")))):
        return Named(candidate, guessed=True)
    return None


def is_name_attempt(line: str) -> bool:
    """True for a short line that is no sentence: a file name the parser failed to read."""
    text = line.strip()
    if not text or fence_of(text) or len(text) > 120 or text.endswith((":", ".", "?", "!")):
        return False
    return len(text.split()) <= 2 and not text.startswith(("#", "-", "*", ">"))


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
    named = name_before(lines, index, look_back=look_back)
    return named.path if named is not None and not named.guessed else None


def name_before(lines: list[str], index: int, *, look_back: int = 3) -> Named | None:
    """Find the name just before line `index`: before its fence, in its info, or alone.

    Also reads a name in a fenced block of its own just before (a fence, the path, a closing
    fence), as DeepSeek Coder writes it.
    """
    k = _previous_solid(lines, index, look_back)
    if k is None:
        return None
    fence = fence_of(lines[k])
    if fence is None:
        return name_from_line(lines[k])
    found = path_from_info(fence.info)
    if found:
        return Named(found)
    before = _previous_solid(lines, k, look_back)
    if before is None:
        return None
    if fence_of(lines[before]) is None:
        return name_from_line(lines[before])
    return _name_in_own_fence(lines, before)


def _name_in_own_fence(lines: list[str], closing: int) -> Named | None:
    """A closing fence at `closing` after one line that follows an opening fence: that line."""
    closer = fence_of(lines[closing])
    if closing < 2 or closer is None or closer.info:
        return None
    if fence_of(lines[closing - 2]) is None or fence_of(lines[closing - 1]) is not None:
        return None
    named = name_from_line(lines[closing - 1])
    return Named(named.path) if named is not None else None
