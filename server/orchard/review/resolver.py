"""The conflict resolver (`resolver_model`): asks a model to settle each conflict region of a
merge plan from base, ours, theirs, the code around it and both intents, and keeps an answer
only if the file then parses and lints no worse than the user's. Never writes files or runs git.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from orchard.config import Settings
from orchard.errors import ModelError, ParseError
from orchard.lint.diagnostic import SYNTAX_SOURCE, Severity, SourceText
from orchard.lint.pipeline import LintPipeline
from orchard.models.client import ModelClient
from orchard.vcs.conflicts import apply_resolutions
from orchard.vcs.merge_plan import ConflictRegion, FilePlan, MergePlan

log = logging.getLogger(__name__)

CONTEXT_LINES = 20
USER_INTENT = (
    "The user edited this file in their working tree after the agent started (their edits are"
    " not described in words: the 'yours' side shows them). Their work must not be lost."
)


@dataclass(frozen=True, slots=True)
class Intents:
    """What each side of a merge meant, in plain words."""

    ours: str
    theirs: str


async def resolve_plan(
    plan: MergePlan, request: str, *, root: Path, settings: Settings, client: ModelClient
) -> MergePlan:
    """Send every conflicting text file of `plan` to the resolver; return the plan updated."""
    intents = Intents(USER_INTENT, f"The agent was asked: {request.strip()}")
    files = await asyncio.gather(
        *(
            resolve_file(f, intents, root=root, settings=settings, client=client)
            if f.unresolved
            else _same(f)
            for f in plan.files
        )
    )
    return replace(plan, files=tuple(files))


async def _same(file: FilePlan) -> FilePlan:
    return file


async def resolve_file(
    file: FilePlan, intents: Intents, *, root: Path, settings: Settings, client: ModelClient
) -> FilePlan:
    """Ask the resolver about each unresolved region of `file`; keep the answers only when the
    file then parses and lints no worse than the user's version, else note why on each region."""
    model = settings.resolver_model
    if not model or file.binary or file.result is None or not _has_markers(file):
        return file
    text = file.result.decode("utf-8")
    answers: dict[int, str] = {}
    notes: dict[int, str] = {}
    for index, region in enumerate(file.conflicts):
        if region.resolved:
            continue
        messages = resolver_messages(file.path, text, region, intents)
        try:
            completion = await client.complete(model, messages, stream=False)
            answers[index] = settled_text(completion.text)
        except ParseError as exc:
            notes[index] = f"the resolver's answer was refused: {exc}"
        except ModelError as exc:
            notes[index] = f"the resolver could not be asked: {exc}"
    if answers:
        verdict = await _worse_than_ours(root, settings, file, notes.keys(), answers)
        if verdict is not None:
            notes.update({index: verdict for index in answers})
            answers = {}
    new_text, regions = apply_resolutions(text, file.conflicts, answers)
    regions = tuple(replace(r, note=notes[i]) if i in notes else r for i, r in enumerate(regions))
    for index, note in sorted(notes.items()):
        log.info("conflict %d of %s kept its markers: %s", index, file.path, note)
    return file.with_result(new_text.encode("utf-8"), regions)


def _has_markers(file: FilePlan) -> bool:
    return any(r.end_line > r.start_line for r in file.unresolved)


async def _worse_than_ours(
    root: Path,
    settings: Settings,
    file: FilePlan,
    unanswered: Iterable[int],
    answers: dict[int, str],
) -> str | None:
    """Return why the resolved text is refused (a syntax or new lint error), or None.

    Regions left unanswered are filled with the user's side for the check only, so their
    markers do not count against the answered ones.
    """
    stand_in = dict(answers)
    stand_in.update({index: file.conflicts[index].ours for index in unanswered})
    checked, _ = apply_resolutions((file.result or b"").decode("utf-8"), file.conflicts, stand_in)
    path = root / file.path
    pipeline = LintPipeline(settings.lint, root)
    ours_text = (file.current or b"").decode("utf-8", "replace")
    after = await pipeline.run([SourceText(path, checked)])
    before = await pipeline.run([SourceText(path, ours_text)]) if file.current else None
    new = _error_keys(after) - (_error_keys(before) if before else Counter())
    if not new:
        return None
    first = next(d for d in after.errors if (d.source, d.code) in new)
    what = "does not parse" if first.source == SYNTAX_SOURCE else "has new lint errors"
    return f"the resolved file {what}: line {first.line + 1}: {first.message}"


def _error_keys(report: Any) -> Counter[tuple[str, str | None]]:
    return Counter((d.source, d.code) for d in report.diagnostics if d.severity is Severity.ERROR)


def resolver_messages(
    path: str, text: str, region: ConflictRegion, intents: Intents
) -> list[dict[str, Any]]:
    """Return the chat messages asking the resolver to settle one region of `text`."""
    system = resources.files("orchard.review").joinpath("prompts/resolve.md").read_text("utf-8")
    lines = text.splitlines(keepends=True)
    before = "".join(lines[max(0, region.start_line - CONTEXT_LINES) : region.start_line])
    after = "".join(lines[region.end_line : region.end_line + CONTEXT_LINES])
    parts = [
        f"File: {path}",
        f"What the user meant: {intents.ours}",
        f"What the agent meant: {intents.theirs}",
        _block("Code before the region", before),
        _block("The snapshot's text of the region (base)", region.base),
        _block("The user's text of the region (yours)", region.ours),
        _block("The agent's text of the region", region.theirs),
        _block("Code after the region", after),
        "Answer with the region's new text in one fenced code block.",
    ]
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]


def _block(title: str, body: str) -> str:
    fence = "````" if "```" in body else "```"
    return (
        f"{title}:\n{fence}\n{body}{'' if body.endswith(chr(10)) or not body else chr(10)}{fence}"
    )


def settled_text(reply: str) -> str:
    """Return the region text of a resolver's reply; raise ParseError when there is none or it
    still holds conflict markers."""
    text = last_fence(reply)
    markers = ("<<<<<<<", "|||||||", ">>>>>>>")
    if any(line.startswith(markers) or line.rstrip() == "=======" for line in text.splitlines()):
        raise ParseError("it still holds conflict markers")
    return text


def last_fence(reply: str) -> str:
    """Return the body of the last fenced code block of `reply`; raise ParseError if none."""
    lines = reply.splitlines(keepends=True)
    blocks: list[str] = []
    opener: str | None = None
    body: list[str] = []
    for line in lines:
        stripped = line.strip()
        if opener is None:
            if stripped.startswith("```") or stripped.startswith("~~~"):
                marker = stripped[0]
                opener = marker * (len(stripped) - len(stripped.lstrip(marker)))
                body = []
        elif stripped == opener or (stripped.startswith(opener) and not stripped.strip(opener[0])):
            blocks.append("".join(body))
            opener = None
        else:
            body.append(line)
    if not blocks:
        raise ParseError("it holds no fenced code block")
    return blocks[-1]
