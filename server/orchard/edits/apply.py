"""Apply parsed edits to files under a root: path safety, encodings, atomic writes, the result.

Nothing is ever written outside the root, under `.git/`, or through a symlink that leads out:
such edits are refused as failures of that edit. Each file is written once, atomically. An
`auto` whole-file block never rewrites an existing file; edits that gut a file are flagged.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchard.edits.base import (
    AppliedEdit,
    ApplyResult,
    Edit,
    EditKind,
    FailedEdit,
    FailureReason,
    LargeDeletion,
)
from orchard.edits.targets import (
    BaseNames,
    Refused,
    by_base_name,
    needs_existing_file,
    resolve_target,
)
from orchard.edits.textedit import apply_to_text, split_lines
from orchard.errors import PathSafetyError, WorkspaceError

__all__ = ["apply_edits", "resolve_target", "write_atomically"]

log = logging.getLogger(__name__)
BINARY_SNIFF_BYTES = 8192
BOM = "\ufeff"
# Fuzzy matching (the slow rung) stops for the rest of a reply after this many seconds; later
# blocks still get the exact rungs, and their failures say fuzzy matching was skipped.
FUZZY_BUDGET_SECONDS = 5.0
# An applied edit that leaves fewer than this share of the lines of a file of at least
# LARGE_DELETION_MIN_LINES lines is flagged in the result (`large_deletions`).
LARGE_DELETION_SHARE = 0.5
LARGE_DELETION_MIN_LINES = 10


@dataclass(frozen=True, slots=True)
class _Source:
    text: str | None
    bom: bool = False


def _read(path: Path, display: str) -> _Source:
    """Read a target as UTF-8 text (None when missing); refuse binary or non-UTF-8 files."""
    if not path.exists():
        return _Source(None)
    if not path.is_file():
        raise IsADirectoryError(f"`{display}` is not a regular file")
    data = path.read_bytes()
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise _BinaryTarget(f"`{display}` is a binary file; edits only change text files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _BinaryTarget(
            f"`{display}` is not UTF-8 text; edits only change UTF-8 text files"
        ) from None
    if text.startswith(BOM):
        return _Source(text[1:], bom=True)
    return _Source(text)


class _BinaryTarget(Exception):
    """A target that is not UTF-8 text."""


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        return 0o022
    return 0o022


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(slots=True)
class _Plan:
    """Edits grouped by target file, with refusals and notes found while resolving paths."""

    groups: dict[Path, list[Edit]] = field(default_factory=dict)
    names: dict[Path, str] = field(default_factory=dict)
    failed: list[FailedEdit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    moved: dict[int, str] = field(default_factory=dict)  # edit index → the path the model wrote


def _plan(edits: Sequence[Edit], root: Path, tracked: Sequence[str] | None) -> _Plan:
    plan = _Plan()
    real_root = Path(os.path.realpath(root))
    base_names = BaseNames(real_root, tracked)
    for edit in edits:
        if edit.kind is EditKind.MALFORMED:
            message = edit.problem or f"{edit.describe()} could not be read."
            reason = edit.refusal or FailureReason.MALFORMED
            plan.failed.append(FailedEdit(edit.path, edit.index, reason, message))
            continue
        try:
            target = resolve_target(root, edit.path)
            if not target.exists() and needs_existing_file(edit):
                target = by_base_name(root, edit, base_names, plan.moved)
        except PathSafetyError as exc:
            message = f"{edit.describe()} was refused: {exc}."
            plan.failed.append(
                FailedEdit(edit.path, edit.index, FailureReason.UNSAFE_PATH, message)
            )
            continue
        except Refused as refused:
            if edit.new_only and edit.guessed:  # `auto` prose such as "Usage" before a fence
                plan.notes.append(refused.failure.message.replace("was refused", "was skipped"))
            else:
                plan.failed.append(refused.failure)
            continue
        if edit.new_only and _has_content(target):
            plan.notes.append(_not_asked(edit, target.relative_to(real_root).as_posix()))
            continue
        plan.groups.setdefault(target, []).append(edit)
        plan.names.setdefault(target, target.relative_to(real_root).as_posix())
    return plan


def _has_content(target: Path) -> bool:
    try:
        return target.is_file() and target.stat().st_size > 0
    except OSError:
        return False


def _not_asked(edit: Edit, name: str) -> str:
    return (
        f"Your reply shows `{name}` in a fenced block without edit markers, so I did not change "
        f"`{name}` (a fenced block rewrites a whole file only when whole files were asked for or "
        "the file is new). If you meant to change it, send SEARCH/REPLACE blocks as described "
        "above."
    )


def _shrinkage(name: str, before: str | None, after: str, deleted: bool) -> LargeDeletion | None:
    """An edit that removed most lines of an existing file of some size (not a file deletion)."""
    if before is None or deleted:
        return None
    old, new = len(split_lines(before)), len(split_lines(after))
    if old >= LARGE_DELETION_MIN_LINES and new < old * LARGE_DELETION_SHARE:
        return LargeDeletion(name, old, new)
    return None


@dataclass(frozen=True, slots=True)
class _FileDone:
    applied: list[AppliedEdit]
    failed: list[FailedEdit]
    changed: bool
    shrunk: LargeDeletion | None = None


def _apply_file(
    target: Path, name: str, edits: list[Edit], dry_run: bool, threshold: float, deadline: float
) -> _FileDone:
    try:
        source = _read(target, name)
    except (_BinaryTarget, OSError) as exc:
        reason = (
            FailureReason.BINARY if isinstance(exc, _BinaryTarget) else FailureReason.UNREADABLE
        )
        return _FileDone([], [_refusal(edit, name, reason, str(exc)) for edit in edits], False)
    outcome = apply_to_text(
        source.text, edits, path=name, fuzzy_threshold=threshold, fuzzy_deadline=deadline
    )
    shrunk = (
        _shrinkage(name, source.text, outcome.text, outcome.deleted) if outcome.changed else None
    )
    if not outcome.changed or dry_run:
        return _FileDone(list(outcome.applied), list(outcome.failed), outcome.changed, shrunk)
    try:
        if outcome.deleted:
            target.unlink()
        else:
            data = ((BOM if source.bom else "") + outcome.text).encode("utf-8")
            write_atomically(target, data)
    except OSError as exc:
        log.warning("could not write %s: %s", target, exc)
        lost = [
            _refusal(edit, name, FailureReason.UNREADABLE, f"`{name}` could not be written: {exc}")
            for edit in edits
            if any(a.index == edit.index for a in outcome.applied)
        ]
        return _FileDone([], sorted([*outcome.failed, *lost], key=lambda f: f.index), False)
    return _FileDone(list(outcome.applied), list(outcome.failed), True, shrunk)


def _refusal(edit: Edit, name: str, reason: FailureReason, why: str) -> FailedEdit:
    return FailedEdit(name, edit.index, reason, f"{edit.describe()} was refused: {why}.")


def apply_edits(
    edits: Sequence[Edit],
    root: Path,
    *,
    dry_run: bool = False,
    fuzzy_threshold: float = 0.8,
    tracked: Sequence[str] | None = None,
) -> ApplyResult:
    """Apply edits under `root` (each file atomically); report what applied and what failed.

    `tracked` (paths relative to `root`) is where a path whose folder the model dropped is
    looked up by base name; without it, the files under `root` are.
    """
    root = Path(root)
    if not root.is_dir():
        raise WorkspaceError(f"the root `{root}` is not a folder")
    plan = _plan(edits, root, tracked)
    deadline = time.monotonic() + FUZZY_BUDGET_SECONDS
    applied: list[AppliedEdit] = []
    failed, written, shrunk = list(plan.failed), [], []
    for target, group in plan.groups.items():
        name = plan.names[target]
        done = _apply_file(target, name, group, dry_run, fuzzy_threshold, deadline)
        applied.extend(
            replace(a, requested=plan.moved[a.index]) if a.index in plan.moved else a
            for a in done.applied
        )
        failed.extend(done.failed)
        if done.changed:
            written.append(name)
        if done.shrunk is not None:
            shrunk.append(done.shrunk)
    return ApplyResult(
        tuple(sorted(applied, key=lambda a: a.index)),
        tuple(sorted(failed, key=lambda f: f.index)),
        tuple(written),
        dry_run,
        notes=tuple(plan.notes),
        large_deletions=tuple(shrunk),
    )
