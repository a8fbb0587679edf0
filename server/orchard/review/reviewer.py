"""The reviewer: `reviewer_model` reads a change's diff (result line numbers on the left, past
findings on the same files from memory) and answers JSON findings, checked against the result's
files. JSON mode only where the provider takes it. No git here (the diff comes in), no journal.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from importlib import resources

from orchard.config import Settings
from orchard.errors import ReviewerNotConfigured
from orchard.models.client import Message, ModelClient, UsageCallback
from orchard.review.findings import Finding
from orchard.review.parsing import parse_findings
from orchard.vcs.review_diff import ReviewDiff

log = logging.getLogger(__name__)

MAX_DIFF_CHARS = 80_000
MAX_PAST_FINDINGS = 20
JSON_MODE = {"type": "json_object"}
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def reviewer_model(settings: Settings) -> str:
    """Return the configured reviewer model; raise ReviewerNotConfigured naming the setting."""
    if not settings.reviewer_model:
        raise ReviewerNotConfigured(
            "no reviewer model: set `reviewer_model` (e.g. in .orchard.toml) to review changes"
        )
    return settings.reviewer_model


def numbered_diff(diff: str, limit: int = MAX_DIFF_CHARS) -> str:
    """Return the diff with each result line's number on the left (removed lines have none)."""
    out: list[str] = []
    line = 0
    size = 0
    for raw in diff.splitlines():
        hunk = _HUNK.match(raw)
        if hunk:
            line = int(hunk.group(1))
            shown = raw
        elif raw.startswith(
            ("diff --git", "index ", "--- ", "+++ ", "similarity", "rename ")
        ) or raw.startswith(("new file", "deleted file", "old mode", "new mode", "Binary")):
            shown = raw
        elif raw.startswith("-"):
            shown = f"{'':>6}{raw}"
        elif raw.startswith(("+", " ")) or raw == "":
            shown = f"{line:>5} {raw or ' '}"
            line += 1
        else:
            shown = raw  # "\ No newline at end of file"
        size += len(shown) + 1
        if size > limit:
            out.append(f"... (the diff goes on; cut at {limit} characters)")
            break
        out.append(shown)
    return "\n".join(out)


def reviewer_messages(
    diff: ReviewDiff, request: str = "", past_findings: Sequence[str] = ()
) -> list[Message]:
    """Return the chat messages that ask for findings on `diff`."""
    system = resources.files("orchard.review").joinpath("prompts/reviewer.md").read_text("utf-8")
    parts = []
    if request.strip():
        parts.append(f"The change was made for this request:\n\n{request.strip()}")
    if past_findings:
        shown = "\n".join(f"- {item}" for item in past_findings[:MAX_PAST_FINDINGS])
        parts.append(
            "Earlier reviews of these files found the following; check whether the change "
            f"repeats or fixes them:\n\n{shown}"
        )
    parts.append(f"The change:\n\n```diff\n{numbered_diff(diff.diff)}\n```")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]


async def review_change(
    diff: ReviewDiff,
    *,
    settings: Settings,
    client: ModelClient,
    request: str = "",
    past_findings: Sequence[str] = (),
    on_usage: UsageCallback | None = None,
) -> list[Finding]:
    """Ask the reviewer model about `diff` and return its valid findings (ModelError on failure)."""
    model = reviewer_model(settings)
    if diff.empty:
        return []
    messages = reviewer_messages(diff, request, past_findings)
    json_mode = await asyncio.to_thread(client.supports_json_mode, model)
    completion = await client.complete(
        model,
        messages,
        stream=False,
        on_usage=on_usage,
        response_format=JSON_MODE if json_mode else None,
    )
    findings = parse_findings(completion.text, diff.texts)
    log.info("reviewer %s: %d findings on %d files", model, len(findings), len(diff.files))
    return findings


def describe_finding(finding: Finding) -> str:
    """Say a finding in one line, as memory keeps it and prompts show it."""
    lines = (
        str(finding.line)
        if finding.line == finding.end_line
        else f"{finding.line}-{finding.end_line}"
    )
    return f"{finding.file}:{lines} {finding.severity}: {finding.message}"
