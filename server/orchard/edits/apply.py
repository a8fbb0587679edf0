"""Apply parsed edits to files under a root: path safety, encodings, atomic writes, the result.

Nothing is ever written outside the root, under `.git/`, or through a symlink that leads out:
such edits are refused as failures of that edit. Each file is written once, atomically.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.edits.base import AppliedEdit, ApplyResult, Edit, EditKind, FailedEdit, FailureReason
from orchard.edits.textedit import apply_to_text
from orchard.errors import PathSafetyError, WorkspaceError

log = logging.getLogger(__name__)
BINARY_SNIFF_BYTES = 8192
BOM = "\ufeff"


def resolve_target(root: Path, raw: str) -> Path:
    """Return the real path `raw` names under `root`, or raise PathSafetyError saying why not."""
    if not raw.strip() or "\x00" in raw:
        raise PathSafetyError(f"`{raw}` is not a usable file path")
    cleaned = Path(raw.strip().replace("\\", "/"))
    if any(part.lower() == ".git" for part in cleaned.parts):
        raise PathSafetyError(f"`{raw}` is inside `.git/`, which edits may never touch")
    real_root = Path(os.path.realpath(root))
    candidate = cleaned if cleaned.is_absolute() else real_root / cleaned
    real = Path(os.path.realpath(candidate))
    try:
        relative = real.relative_to(real_root)
    except ValueError:
        raise PathSafetyError(
            f"`{raw}` leads outside the project root; use a path relative to the root"
        ) from None
    if not relative.parts:
        raise PathSafetyError(f"`{raw}` is the project root itself, not a file")
    if any(part.lower() == ".git" for part in relative.parts):
        raise PathSafetyError(f"`{raw}` leads into `.git/`, which edits may never touch")
    return real


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


def _group(
    edits: Sequence[Edit], root: Path
) -> tuple[dict[Path, list[Edit]], dict[Path, str], list[FailedEdit]]:
    groups: dict[Path, list[Edit]] = {}
    names: dict[Path, str] = {}
    failed: list[FailedEdit] = []
    real_root = Path(os.path.realpath(root))
    for edit in edits:
        if edit.kind is EditKind.MALFORMED:
            message = edit.problem or f"{edit.describe()} could not be read."
            failed.append(FailedEdit(edit.path, edit.index, FailureReason.MALFORMED, message))
            continue
        try:
            target = resolve_target(root, edit.path)
        except PathSafetyError as exc:
            message = f"{edit.describe()} was refused: {exc}."
            failed.append(FailedEdit(edit.path, edit.index, FailureReason.UNSAFE_PATH, message))
            continue
        groups.setdefault(target, []).append(edit)
        names.setdefault(target, target.relative_to(real_root).as_posix())
    return groups, names, failed


def _apply_file(
    target: Path, name: str, edits: list[Edit], dry_run: bool, threshold: float
) -> tuple[list[AppliedEdit], list[FailedEdit], bool]:
    try:
        source = _read(target, name)
    except (_BinaryTarget, OSError) as exc:
        reason = (
            FailureReason.BINARY if isinstance(exc, _BinaryTarget) else FailureReason.UNREADABLE
        )
        return [], [_refusal(edit, name, reason, str(exc)) for edit in edits], False
    outcome = apply_to_text(source.text, edits, path=name, fuzzy_threshold=threshold)
    if not outcome.changed or dry_run:
        return list(outcome.applied), list(outcome.failed), outcome.changed
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
        return [], sorted([*outcome.failed, *lost], key=lambda f: f.index), False
    return list(outcome.applied), list(outcome.failed), True


def _refusal(edit: Edit, name: str, reason: FailureReason, why: str) -> FailedEdit:
    return FailedEdit(name, edit.index, reason, f"{edit.describe()} was refused: {why}.")


def apply_edits(
    edits: Sequence[Edit],
    root: Path,
    *,
    dry_run: bool = False,
    fuzzy_threshold: float = 0.8,
) -> ApplyResult:
    """Apply edits under `root` (each file atomically); report what applied and what failed."""
    root = Path(root)
    if not root.is_dir():
        raise WorkspaceError(f"the root `{root}` is not a folder")
    groups, names, failed = _group(edits, root)
    applied: list[AppliedEdit] = []
    written: list[str] = []
    for target, group in groups.items():
        done, refused, changed = _apply_file(target, names[target], group, dry_run, fuzzy_threshold)
        applied.extend(done)
        failed.extend(refused)
        if changed:
            written.append(names[target])
    return ApplyResult(
        tuple(sorted(applied, key=lambda a: a.index)),
        tuple(sorted(failed, key=lambda f: f.index)),
        tuple(written),
        dry_run,
    )
