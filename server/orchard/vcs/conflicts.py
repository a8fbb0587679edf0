"""Conflict markers as git merge-file writes them (`--diff3`, labels yours / snapshot / agent),
parsed into ConflictRegions with 0-based lines, and regions replaced by their resolutions.
Text only: no git, no files.
"""

from __future__ import annotations

from dataclasses import replace

from orchard.vcs.merge_plan import (
    MARKER_BASE,
    MARKER_OURS,
    MARKER_SEPARATOR,
    MARKER_THEIRS_PREFIX,
    ConflictRegion,
)


def parse_conflicts(text: str, agent_id: str) -> tuple[ConflictRegion, ...]:
    """Return the conflict regions of a merged text, in order."""
    lines = text.splitlines(keepends=True)
    theirs_marker = MARKER_THEIRS_PREFIX + agent_id
    regions: list[ConflictRegion] = []
    start: int | None = None
    parts: dict[str, list[str]] = {}
    section = ""
    for number, line in enumerate(lines):
        bare = line.rstrip("\r\n")
        if bare == MARKER_OURS and start is None:
            start, section, parts = number, "ours", {"ours": [], "base": [], "theirs": []}
        elif start is None:
            continue
        elif bare == MARKER_BASE and section == "ours":
            section = "base"
        elif bare == MARKER_SEPARATOR and section in ("ours", "base"):
            section = "theirs"
        elif bare == theirs_marker and section == "theirs":
            regions.append(
                ConflictRegion(
                    start,
                    number + 1,
                    base="".join(parts["base"]),
                    ours="".join(parts["ours"]),
                    theirs="".join(parts["theirs"]),
                )
            )
            start = None
        else:
            parts[section].append(line)
    return tuple(regions)


def apply_resolutions(
    text: str, regions: tuple[ConflictRegion, ...], resolutions: dict[int, str]
) -> tuple[str, tuple[ConflictRegion, ...]]:
    """Replace the regions numbered in `resolutions` by their text; return the new text and the
    regions renumbered (resolved ones cover their resolution's lines, others keep markers)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    renumbered: list[ConflictRegion] = []
    at = 0
    for index, region in enumerate(regions):
        out.extend(lines[at : region.start_line])
        start = len(out)
        if index in resolutions:
            resolved = resolutions[index]
            if resolved and not resolved.endswith("\n"):
                resolved += "\n"
            body = resolved.splitlines(keepends=True)
            renumbered.append(replace(region, start_line=start, end_line=start + len(body),
                                      resolution=resolutions[index], note=None))  # fmt: skip
        else:
            body = lines[region.start_line : region.end_line]
            renumbered.append(replace(region, start_line=start, end_line=start + len(body)))
        out.extend(body)
        at = region.end_line
    out.extend(lines[at:])
    return "".join(out), tuple(renumbered)
