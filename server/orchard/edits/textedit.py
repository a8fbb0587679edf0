"""Apply one file's edits to its text in memory: line endings, final newline, order, messages.

The LSP uses this on unsaved buffers and `apply.py` on files; it never touches the disk.
Edits apply in order to the evolving text. A failed edit does not stop later ones; a later edit
that searches for lines only the failed one would have written is refused as depending on it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from orchard.edits.base import (
    AppliedEdit,
    Edit,
    EditKind,
    FailedEdit,
    FailureReason,
    MatchStrategy,
    TextEdited,
)
from orchard.edits.matching import Match, Miss, is_placeholder, locate

CLOSEST_MAX_LINES = 40
SPLIT_CONTEXT = 3
FUZZY_SKIPPED = (
    "Only exact matching was tried: this reply used up its time for fuzzy matching, so no "
    "near matches were looked for."
)


def split_lines(text: str) -> list[str]:
    """Split text (any line endings) into lines without their terminators."""
    text = text.replace("\r\n", "\n")
    if not text:
        return []
    return (text[:-1] if text.endswith("\n") else text).split("\n")


@dataclass(slots=True)
class _FileState:
    lines: list[str] | None
    crlf: bool = False
    final_newline: bool = True
    changed: bool = False
    # each line a failed edit would have written → the first such edit (a dict, not a set per
    # edit: checking a block against every earlier failure is then linear, not quadratic)
    written_by_failed: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        if self.lines is None:
            return ""
        body = "\n".join(self.lines)
        if self.lines and self.final_newline:
            body += "\n"
        return body.replace("\n", "\r\n") if self.crlf else body


def _state_of(original: str | None) -> _FileState:
    if original is None:
        return _FileState(None)
    crlf_count = original.count("\r\n")
    crlf = crlf_count > 0 and crlf_count >= original.count("\n") - crlf_count
    final = original.endswith("\n") or not original
    return _FileState(split_lines(original), crlf, final)


def apply_to_text(
    original: str | None,
    edits: Sequence[Edit],
    *,
    path: str = "",
    fuzzy_threshold: float = 0.8,
    fuzzy_deadline: float | None = None,
) -> TextEdited:
    """Apply one file's edits, in order, to its text (None: the file does not exist yet).

    After `fuzzy_deadline` (a `time.monotonic()` value) only the exact rungs are tried.
    """
    state = _state_of(original)
    applied: list[AppliedEdit] = []
    failed: list[FailedEdit] = []
    for edit in edits:
        where = path or edit.path
        fuzzy = fuzzy_deadline is None or time.monotonic() < fuzzy_deadline
        outcome = _apply_one(state, edit, where, fuzzy_threshold if fuzzy else None)
        if isinstance(outcome, FailedEdit):
            failed.append(outcome)
            written = {line.strip() for line in split_lines(edit.replace) if line.strip()}
            for line in written - {line.strip() for line in split_lines(edit.search)}:
                state.written_by_failed.setdefault(line, edit.index)
        else:
            applied.append(outcome)
    return TextEdited(
        state.text(), tuple(applied), tuple(failed), state.changed, state.lines is None
    )


def _fail(edit: Edit, path: str, reason: FailureReason, message: str) -> FailedEdit:
    return FailedEdit(path, edit.index, reason, message)


def _apply_one(
    state: _FileState, edit: Edit, path: str, threshold: float | None
) -> AppliedEdit | FailedEdit:
    """Apply one edit; `threshold` None: the fuzzy rung is out of time for this reply."""
    name = edit.describe()
    if edit.kind is EditKind.MALFORMED:
        reason = edit.refusal or FailureReason.MALFORMED
        return _fail(edit, path, reason, edit.problem or f"{name} is malformed.")
    if edit.kind is EditKind.DELETE:
        if state.lines is None:
            return _fail(
                edit, path, FailureReason.MISSING_FILE, f"{name}: `{path}` does not exist."
            )
        state.lines, state.changed = None, True
        return AppliedEdit(path, edit.index, MatchStrategy.DELETE)
    replace = split_lines(edit.replace)
    if edit.kind is EditKind.WHOLE:
        return _apply_whole(state, edit, path, replace)
    search = split_lines(edit.search)
    if not any(line.strip() for line in search):
        return _create(state, edit, path, replace)
    if state.lines is None:
        how = "a diff from `/dev/null`" if edit.fmt == "udiff" else "an empty SEARCH section"
        message = f"{name} failed: `{path}` does not exist. To create it, use {how}."
        return _fail(edit, path, FailureReason.MISSING_FILE, message)
    placeholder = _new_placeholder(replace, search)
    if placeholder:
        return _fail(edit, path, FailureReason.MALFORMED, _placeholder_message(name, placeholder))
    hunk, fuzzy = edit.fmt == "udiff", threshold is not None
    level = threshold or 1.0
    found = locate(state.lines, search, replace, fuzzy_threshold=level, fuzzy=fuzzy and not hunk)
    if hunk and isinstance(found, Miss) and found.reason is FailureReason.NO_MATCH:
        pieces = _split_hunk(state.lines, search, replace)
        if pieces is not None:
            state.lines, state.changed = pieces, True
            return AppliedEdit(path, edit.index, MatchStrategy.SPLIT_HUNK)
        found = locate(state.lines, search, replace, fuzzy_threshold=level, fuzzy=fuzzy)
    if isinstance(found, Miss) and not fuzzy and found.reason is FailureReason.NO_MATCH:
        found = dataclasses.replace(found, note=FUZZY_SKIPPED)
    if isinstance(found, Miss):
        return _explain(state, edit, path, found, search)
    return _commit(state, edit, path, found)


def _split_hunk(lines: list[str], search: list[str], replace: list[str]) -> list[str] | None:
    """Apply a hunk's separate changes one by one, each with its own nearby context lines.

    Tried before fuzzy matching: it rescues hunks whose context is wrong between two changes (a
    model that skipped or invented lines there) while keeping the file's own lines around them.
    Every change must match exactly one place without fuzzing, or nothing is applied.
    """
    codes = SequenceMatcher(None, search, replace, autojunk=False).get_opcodes()
    changes = [code for code in codes if code[0] != "equal"]
    if len(changes) < 2:
        return None
    work = list(lines)
    for n, (_tag, i1, i2, j1, j2) in enumerate(changes):
        gap_before = i1 - (changes[n - 1][2] if n else 0)
        gap_after = (changes[n + 1][1] if n + 1 < len(changes) else len(search)) - i2
        before, after = min(SPLIT_CONTEXT, gap_before), min(SPLIT_CONTEXT, gap_after)
        piece = search[i1 - before : i2 + after]
        if not any(line.strip() for line in piece):
            return None
        found = locate(work, piece, replace[j1 - before : j2 + after], fuzzy=False)
        if isinstance(found, Miss):
            return None
        work = found.apply(work)
    return work


def _apply_whole(
    state: _FileState, edit: Edit, path: str, replace: list[str]
) -> AppliedEdit | FailedEdit:
    old = state.lines or []
    placeholder = _new_placeholder(replace, old)
    if placeholder:
        message = (
            f"The new content of `{path}` holds the placeholder line `{placeholder.strip()}`; "
            "writing it would delete the code it stands for. Send the complete file, every line."
        )
        return _fail(edit, path, FailureReason.MALFORMED, message)
    strategy = MatchStrategy.WHOLE if state.lines is not None else MatchStrategy.CREATE
    if state.lines is None:
        state.final_newline = True
    state.changed = state.changed or replace != old or state.lines is None
    state.lines = replace
    return AppliedEdit(path, edit.index, strategy, 1, len(replace))


def _create(
    state: _FileState, edit: Edit, path: str, replace: list[str]
) -> AppliedEdit | FailedEdit:
    if state.lines is not None and any(line.strip() for line in state.lines):
        message = (
            f"{edit.describe()} failed: `{path}` already exists and is not empty, and an empty "
            "SEARCH only creates a file. To change it, SEARCH for the existing lines where the "
            "new code goes and repeat them in REPLACE with the new code."
        )
        return _fail(edit, path, FailureReason.FILE_EXISTS, message)
    strategy = MatchStrategy.CREATE
    if state.lines is None:
        state.final_newline = True
    state.lines, state.changed = replace, True
    return AppliedEdit(path, edit.index, strategy, 1, len(replace))


def _commit(state: _FileState, edit: Edit, path: str, found: Match) -> AppliedEdit:
    assert state.lines is not None
    new_lines = found.apply(state.lines)
    state.changed = state.changed or new_lines != state.lines
    state.lines = new_lines
    first, last = found.splices[0], found.splices[-1]
    shift = sum(len(s.lines) - (s.end - s.start) for s in found.splices[:-1])
    end = last.start + shift + len(last.lines)
    return AppliedEdit(path, edit.index, found.strategy, first.start + 1, max(end, first.start + 1))


def _new_placeholder(replace: Sequence[str], search: Sequence[str]) -> str | None:
    known = {line.strip() for line in search if is_placeholder(line)}
    for line in replace:
        if is_placeholder(line) and line.strip() not in known:
            return line
    return None


def _placeholder_message(name: str, line: str) -> str:
    return (
        f"{name} failed: REPLACE holds the placeholder line `{line.strip()}` but SEARCH has no "
        "matching `...` line, so applying it would delete the code it stands for. Write the code "
        "out in full, or put the same `...` lines at the same places in SEARCH and REPLACE."
    )


def _explain(state: _FileState, edit: Edit, path: str, miss: Miss, search: list[str]) -> FailedEdit:
    lines = state.lines or []
    name = edit.describe()
    what = "its context and `-` lines" if edit.fmt == "udiff" else "its SEARCH lines"
    if miss.reason is FailureReason.AMBIGUOUS:
        spots = ", ".join(f"{a + 1}-{b}" for a, b in miss.locations)
        message = (
            f"{name} failed: {what} match {len(miss.locations)} places in the file "
            f"(lines {spots}). Add nearby lines so that they match exactly one place."
        )
        return FailedEdit(path, edit.index, FailureReason.AMBIGUOUS, message)
    if miss.reason is FailureReason.ALREADY_APPLIED:
        first, last = miss.locations[0]
        message = (
            f"{name} failed: {what} are not in `{path}`, but its new lines already are "
            f"(lines {first + 1}-{last}), so it was most likely applied already. Do not send it "
            "again unless it is meant for another place."
        )
        text = "\n".join(lines[first:last])
        return FailedEdit(
            path, edit.index, FailureReason.ALREADY_APPLIED, message, text, (first + 1, last), 1.0
        )
    blocker = _blocking_failure(state, search)
    if blocker is not None:
        message = (
            f"{name} failed: {what} include lines that edit #{blocker + 1} would have written, "
            f"and edit #{blocker + 1} failed. Fix edit #{blocker + 1} first, then send this one "
            "again."
        )
        return FailedEdit(path, edit.index, FailureReason.DEPENDS_ON_FAILED, message)
    parts = [f"{name} failed: {what} match nothing in `{path}`."]
    closest_text, closest_lines, score = None, None, None
    if miss.closest is not None and miss.closest.similarity > 0.3:
        window = miss.closest
        end = min(window.end, window.start + CLOSEST_MAX_LINES)
        closest_text = "\n".join(lines[window.start : end])
        closest_lines, score = (window.start + 1, end), window.similarity
        parts.append(
            f"The closest lines in the file are {window.start + 1}-{end} "
            f"({round(score * 100)}% similar):\n```\n{closest_text}\n```"
        )
    if miss.note:
        parts.append(miss.note)
    parts.append(
        f"{'Context and `-` lines' if edit.fmt == 'udiff' else 'SEARCH'} must repeat the file's "
        "current lines exactly, with their whitespace, comments and blank lines; send a "
        "corrected edit."
    )
    return FailedEdit(
        path,
        edit.index,
        FailureReason.NO_MATCH,
        "\n".join(parts),
        closest_text,
        closest_lines,
        score,
    )


def _blocking_failure(state: _FileState, search: list[str]) -> int | None:
    present = {line.strip() for line in state.lines or []}
    wanted = {line.strip() for line in search if line.strip()} - present
    blockers = [state.written_by_failed[line] for line in wanted if line in state.written_by_failed]
    return min(blockers) if blockers else None
