"""Edits: parse model replies into edits (editblock, udiff, whole) and apply them safely.

Public API: `parse_edits`, `apply_edits`, `apply_to_text`, `prompt_for`. Never writes outside the
root it is given; every refusal is a failure in the result, never an exception mid-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources

from orchard.edits.apply import apply_edits, resolve_target
from orchard.edits.base import (
    AppliedEdit,
    ApplyResult,
    Edit,
    EditFormat,
    EditKind,
    FailedEdit,
    FailureReason,
    LargeDeletion,
    MatchStrategy,
    TextEdited,
)
from orchard.edits.detect import detect_format
from orchard.edits.editblock import EditBlockFormat
from orchard.edits.guards import MAX_BLOCKS_PER_REPLY, guarded, printable
from orchard.edits.textedit import apply_to_text
from orchard.edits.udiff import UnifiedDiffFormat
from orchard.edits.wholefile import WholeFileFormat
from orchard.errors import SettingsError

FORMATS: dict[str, EditFormat] = {
    f.name: f for f in (EditBlockFormat(), UnifiedDiffFormat(), WholeFileFormat())
}
FORMAT_NAMES = ("auto", *FORMATS)

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "MAX_BLOCKS_PER_REPLY",
    "AppliedEdit",
    "ApplyResult",
    "Edit",
    "EditFormat",
    "EditKind",
    "FailedEdit",
    "FailureReason",
    "LargeDeletion",
    "MatchStrategy",
    "TextEdited",
    "apply_edits",
    "apply_to_text",
    "detect_format",
    "edits_for",
    "parse_edits",
    "printable",
    "prompt_for",
    "resolve_target",
]


def _format(fmt: str) -> EditFormat:
    if fmt not in FORMATS:
        raise SettingsError(f"unknown edit format `{fmt}`; use one of {', '.join(FORMAT_NAMES)}")
    return FORMATS[fmt]


def parse_edits(reply: str, fmt: str = "auto") -> list[Edit]:
    """Read the edits of a model reply, in order (`auto` detects the format).

    In `auto`, fenced blocks read as whole files may only create files (`new_only`): a model
    that was not asked for whole files and shows a file is talking about it, not rewriting it.
    Undecodable edits and replies with too many blocks come back as refusals (see guards).
    """
    if fmt == "auto":
        detected = detect_format(reply)
        edits = _format(detected).parse(reply)
        if detected == "whole":
            edits = [replace(e, new_only=True) for e in edits]
    else:
        edits = _format(fmt).parse(reply)
    return guarded(edits)


def prompt_for(fmt: str) -> str:
    """Return the instructions that teach a model to write edits in a format (`auto`: editblock)."""
    name = "editblock" if fmt == "auto" else _format(fmt).name
    return resources.files("orchard.edits").joinpath(f"prompts/{name}.md").read_text("utf-8")


def edits_for(edits: Sequence[Edit], path: str) -> list[Edit]:
    """Return the edits of a reply that target `path` (as the model wrote it, normalised)."""
    wanted = path.replace("\\", "/").removeprefix("./")
    return [e for e in edits if e.path.replace("\\", "/").removeprefix("./") == wanted]
