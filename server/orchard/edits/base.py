"""Value objects of the edits package: parsed edits, per-edit outcomes and the apply result.

Holds data only; parsing lives in the format modules and applying in `apply.py`/`textedit.py`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any, Protocol


class EditKind(enum.StrEnum):
    """What an edit asks for."""

    REPLACE = "replace"  # SEARCH text becomes REPLACE text (an empty SEARCH creates a file)
    WHOLE = "whole"  # the file's whole new content
    DELETE = "delete"  # remove the file (a unified diff to /dev/null)
    MALFORMED = "malformed"  # the reply held a block that could not be read; `problem` says why


class MatchStrategy(enum.StrEnum):
    """The rung of the match ladder that found a block, from strictest to loosest."""

    EXACT = "exact"
    TRAILING_WHITESPACE = "trailing_whitespace"
    BLANK_LINES = "blank_lines"
    INDENTATION = "indentation"
    ELISION = "elision"
    FUZZY = "fuzzy"
    SPLIT_HUNK = "split_hunk"  # a diff hunk applied as its separate changes, each with context
    CREATE = "create"
    WHOLE = "whole"
    DELETE = "delete"


class FailureReason(enum.StrEnum):
    """Why an edit was refused."""

    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"
    ALREADY_APPLIED = "already_applied"
    DEPENDS_ON_FAILED = "depends_on_failed"
    UNSAFE_PATH = "unsafe_path"
    BINARY = "binary"
    FILE_EXISTS = "file_exists"
    MISSING_FILE = "missing_file"
    MALFORMED = "malformed"
    UNREADABLE = "unreadable"
    UNDECODABLE = "undecodable"  # the reply itself held bytes that are not text
    TOO_MANY_BLOCKS = "too_many_blocks"
    NOT_ASKED = "not_asked"  # an `auto` fenced block for an existing file: shown, not an edit


@dataclass(frozen=True, slots=True)
class Edit:
    """One change a model asked for, as written in its reply (path not yet checked)."""

    path: str
    kind: EditKind
    search: str = ""
    replace: str = ""
    fmt: str = "editblock"
    index: int = 0
    problem: str | None = None
    # True when the path is a bare word (`Jenkinsfile`, `tmpab12cd34`): a file name only if
    # such a file exists, so it never creates a file.
    guessed: bool = False
    # True for `auto`-detected whole files: such a block may create a file, never rewrite one.
    new_only: bool = False
    refusal: FailureReason | None = None  # for MALFORMED edits: the reason to report

    def describe(self) -> str:
        """Name the edit for messages: its ordinal, format and path."""
        nouns = {"editblock": "SEARCH/REPLACE block", "udiff": "diff hunk"}
        noun = nouns.get(self.fmt, "whole-file block")
        where = f" for `{self.path}`" if self.path else ""
        return f"{noun} #{self.index + 1}{where}"


@dataclass(frozen=True, slots=True)
class AppliedEdit:
    """An edit that applied (or would, in a dry run), and how it was matched."""

    path: str
    index: int
    strategy: MatchStrategy
    start_line: int = 0
    end_line: int = 0
    requested: str | None = None  # the path the model wrote, when the edit went elsewhere

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "path": self.path,
            "index": self.index,
            "strategy": str(self.strategy),
            "lines": [self.start_line, self.end_line] if self.start_line else None,
            "requested": self.requested,
        }


@dataclass(frozen=True, slots=True)
class FailedEdit:
    """An edit that was refused: where, why, the closest text found, and a message for the model."""

    path: str
    index: int
    reason: FailureReason
    message: str
    closest: str | None = None
    closest_lines: tuple[int, int] | None = None
    similarity: float | None = None

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "path": self.path,
            "index": self.index,
            "reason": str(self.reason),
            "message": self.message,
            "closest": self.closest,
            "closest_lines": list(self.closest_lines) if self.closest_lines else None,
            "similarity": round(self.similarity, 3) if self.similarity is not None else None,
        }


FEEDBACK_MAX_FAILURES = 25  # failure messages shown to the model; the rest are counted


@dataclass(frozen=True, slots=True)
class LargeDeletion:
    """An applied edit that removed most of an existing file: worth a reviewer's look."""

    path: str
    lines_before: int
    lines_after: int

    def describe(self) -> str:
        """Say what happened in one line."""
        return f"`{self.path}` went from {self.lines_before} lines to {self.lines_after}"

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"path": self.path, "before": self.lines_before, "after": self.lines_after}


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What happened to every edit of a reply; `written` lists files changed (or to be)."""

    applied: tuple[AppliedEdit, ...] = ()
    failed: tuple[FailedEdit, ...] = ()
    written: tuple[str, ...] = ()
    dry_run: bool = False
    notes: tuple[str, ...] = ()  # what the model should know although nothing failed
    large_deletions: tuple[LargeDeletion, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no edit failed."""
        return not self.failed

    def feedback(self, no_edits: str = "") -> str:
        """Return the failures and notes as one message for the model ('' when none).

        `no_edits` is said first when nothing applied and nothing failed (a reply without edits).
        """
        if not self.failed:
            if self.applied or not (no_edits or self.notes):
                return "\n\n".join(self.notes)
            return "\n\n".join(part for part in (no_edits, *self.notes) if part)
        count = len(self.failed)
        head = f"{count} edit{'s' if count != 1 else ''} of your reply failed to apply."
        shown = [failure.message for failure in self.failed[:FEEDBACK_MAX_FAILURES]]
        if count > FEEDBACK_MAX_FAILURES:
            shown.append(f"... and {count - FEEDBACK_MAX_FAILURES} more failed edits not shown.")
        parts = [head, *shown, *self.notes]
        if self.applied:
            done = ", ".join(sorted({a.path for a in self.applied}))
            parts.append(
                f"The other {len(self.applied)} edit(s) applied ({done}); do not send them again. "
                "Send corrected versions of the failed edits only."
            )
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with `applied`, `failed` and `written`."""
        return {
            "applied": [a.to_json() for a in self.applied],
            "failed": [f.to_json() for f in self.failed],
            "written": list(self.written),
            "dry_run": self.dry_run,
            "notes": list(self.notes),
            "large_deletions": [d.to_json() for d in self.large_deletions],
        }


@dataclass(frozen=True, slots=True)
class TextEdited:
    """The outcome of applying one file's edits to text in memory."""

    text: str
    applied: tuple[AppliedEdit, ...] = ()
    failed: tuple[FailedEdit, ...] = ()
    changed: bool = False
    deleted: bool = False


class EditFormat(Protocol):
    """A way for a model to write edits: a name, its prompt, and a parser of replies."""

    name: str

    def parse(self, reply: str) -> list[Edit]:
        """Read every edit in a reply, in order; unreadable blocks become MALFORMED edits."""
        ...


def numbered(edits: list[Edit]) -> list[Edit]:
    """Return the edits with `index` set to their position in the reply."""
    return [replace(e, index=i) for i, e in enumerate(edits)]
