"""The parts of a prompt and how each section becomes chat messages, in a fixed order.

Owns the section order, the framing text around files, map and memory, and cache-control
marks. Must not call git, models or count tokens itself (budgets live in chunks.py).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Message = dict[str, Any]
CountTokens = Callable[[str | Sequence[Message]], int]
MapRenderer = Callable[[int], str]

CACHE_CONTROL = {"type": "ephemeral"}
MAX_CACHE_MARKS = 4

READONLY_INTRO = "Here are some READ-ONLY files, for reference only. Do not edit them.\n\n"
MAP_INTRO = (
    "Here is a map of the repository: the files and symbols most relevant to this task. "
    "Ask to see a file's full text if you need it.\n\n"
)
MEMORY_INTRO = "Notes from earlier work in this repository that may help:\n\n"
EDITABLE_INTRO = "These files are in the chat and you may edit them:\n\n"
ACK_READONLY = "Ok, I will use those files as reference only."
ACK = "Ok."
ACK_EDITABLE = "Ok, I will edit those files as needed."


class SectionKind(enum.StrEnum):
    """The sections of a prompt, in the order they are sent."""

    SYSTEM = "system"
    EXAMPLES = "examples"
    READONLY_FILES = "read-only files"
    REPO_MAP = "repo map"
    MEMORY = "memory"
    HISTORY = "history"
    EDITABLE_FILES = "editable files"
    REQUEST = "request"
    REMINDER = "reminder"


# The stable prefix: identical between the calls of one agent, so providers can cache it.
CACHED_SECTIONS = (
    SectionKind.SYSTEM,
    SectionKind.EXAMPLES,
    SectionKind.READONLY_FILES,
    SectionKind.REPO_MAP,
)


@dataclass(frozen=True, slots=True)
class FileText:
    """A file shown to the model: its path relative to the root and its text."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class PromptParts:
    """Everything a prompt may hold; the repo map is a callable asked for a token budget."""

    system: str
    request: str
    examples: tuple[Message, ...] = ()
    readonly_files: tuple[FileText, ...] = ()
    repo_map: MapRenderer | None = None
    memory_hits: tuple[str, ...] = ()
    history: tuple[Message, ...] = ()
    editable_files: tuple[FileText, ...] = ()
    reminder: str = ""


def fence_for(text: str) -> str:
    """Return a backtick fence longer than any run of backticks inside `text`."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def format_files(files: Sequence[FileText]) -> str:
    """Render files as `path` followed by the fenced text, one after another."""
    blocks = []
    for item in files:
        fence = fence_for(item.text)
        body = item.text if item.text.endswith("\n") or not item.text else item.text + "\n"
        blocks.append(f"{item.path}\n{fence}\n{body}{fence}")
    return "\n\n".join(blocks)


def exchange(user_text: str, ack: str) -> list[Message]:
    """A user message answered by a short assistant acknowledgement."""
    return [{"role": "user", "content": user_text}, {"role": "assistant", "content": ack}]


@dataclass(slots=True)
class Draft:
    """The current, shrinkable contents of every section while a prompt is assembled."""

    parts: PromptParts
    history: list[Message]
    readonly_files: list[FileText]
    memory_hits: list[str]
    map_text: str = ""
    cache_marks: bool = False

    @classmethod
    def start(cls, parts: PromptParts, cache_marks: bool) -> Draft:
        return cls(
            parts=parts,
            history=list(parts.history),
            readonly_files=list(parts.readonly_files),
            memory_hits=list(parts.memory_hits),
            cache_marks=cache_marks,
        )

    def section(self, kind: SectionKind) -> list[Message]:
        """Return the messages of one section as they stand now (unmarked)."""
        parts = self.parts
        if kind is SectionKind.SYSTEM:
            return [{"role": "system", "content": parts.system}] if parts.system else []
        if kind is SectionKind.EXAMPLES:
            return [dict(m) for m in parts.examples]
        if kind is SectionKind.READONLY_FILES:
            if not self.readonly_files:
                return []
            return exchange(READONLY_INTRO + format_files(self.readonly_files), ACK_READONLY)
        if kind is SectionKind.REPO_MAP:
            return exchange(MAP_INTRO + self.map_text, ACK) if self.map_text.strip() else []
        if kind is SectionKind.MEMORY:
            if not self.memory_hits:
                return []
            return exchange(MEMORY_INTRO + "\n\n".join(self.memory_hits), ACK)
        if kind is SectionKind.HISTORY:
            return [dict(m) for m in self.history]
        if kind is SectionKind.EDITABLE_FILES:
            if not parts.editable_files:
                return []
            return exchange(EDITABLE_INTRO + format_files(parts.editable_files), ACK_EDITABLE)
        if kind is SectionKind.REQUEST:
            return [{"role": "user", "content": parts.request}]
        return [{"role": "user", "content": parts.reminder}] if parts.reminder else []

    def messages(self) -> list[Message]:
        """Return the whole prompt: sections in order, reminder folded into the request."""
        out: list[Message] = []
        marks = 0
        for kind in SectionKind:
            if kind in (SectionKind.REQUEST, SectionKind.REMINDER):
                continue
            section = self.section(kind)
            if self.cache_marks and section and kind in CACHED_SECTIONS and marks < MAX_CACHE_MARKS:
                section[-1] = mark_for_cache(section[-1])
                marks += 1
            out.extend(section)
        request = self.parts.request
        if self.parts.reminder:
            request = f"{request}\n\n{self.parts.reminder}" if request else self.parts.reminder
        out.append({"role": "user", "content": request})
        return out


def mark_for_cache(message: Message) -> Message:
    """Return `message` with a cache_control mark on its (last) text block."""
    content = message.get("content")
    if isinstance(content, str):
        block: dict[str, Any] = {"type": "text", "text": content, "cache_control": CACHE_CONTROL}
        return {**message, "content": [block]}
    if isinstance(content, list) and content:
        blocks = [dict(b) for b in content]
        blocks[-1]["cache_control"] = CACHE_CONTROL
        return {**message, "content": blocks}
    return dict(message)


def message_text(message: Message) -> str:
    """Return the plain text of a message, whether its content is a string or blocks."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return ""
