"""Reading what a reviewer or a judge model answered: a JSON object found whole, in a fenced block
or inside prose, and findings checked one by one against the reviewed result's files (a
malformed or out-of-range finding is dropped with a log line). No model calls, no git.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from orchard.review.findings import Finding, Severity

log = logging.getLogger(__name__)

_FENCED = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)
_SEVERITY_WORDS = {"note": Severity.INFO, "information": Severity.INFO, "suggestion": Severity.HINT}


def find_json_object(text: str, key: str) -> dict[str, Any] | None:
    """Return the first JSON object in `text` that has `key`: whole, fenced, or inside prose."""
    candidates = [text.strip(), *(m.group(1).strip() for m in _FENCED.finditer(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict) and key in value:
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and key in value:
            return value
    return None


def parse_findings(text: str, texts: Mapping[str, str | None]) -> list[Finding]:
    """Return the valid findings of a reviewer's answer; `texts` maps each reviewed file to its
    result text (None when deleted or binary). Findings on other files or lines are dropped."""
    answer = find_json_object(text, "findings")
    if answer is None:
        log.warning("the reviewer's answer holds no JSON object with findings; none taken")
        return []
    entries = answer["findings"]
    if not isinstance(entries, list):
        log.warning("the reviewer's findings are not a list; none taken")
        return []
    found = []
    for index, entry in enumerate(entries):
        try:
            found.append(check_finding(entry, texts))
        except ValueError as exc:
            log.warning("dropped reviewer finding #%d: %s", index + 1, exc)
    return found


def check_finding(entry: object, texts: Mapping[str, str | None]) -> Finding:
    """Return one finding from a reviewer's entry; raise ValueError saying what is wrong."""
    if not isinstance(entry, dict):
        raise ValueError("not an object")
    path = _path(entry.get("file"), texts)
    text = texts[path]
    if text is None:
        raise ValueError(f"{path} is deleted or binary in the result")
    line = _line(entry.get("line"), "line")
    end_line = _line(entry.get("end_line", line), "end_line")
    count = len(text.splitlines())
    if end_line < line or end_line > count:
        raise ValueError(f"lines {line}-{end_line} are outside {path} (1-{count})")
    message = entry.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ValueError("no message")
    replacement = entry.get("replacement")
    if replacement is not None and not isinstance(replacement, str):
        raise ValueError("replacement is not text")
    if replacement and not replacement.endswith("\n"):
        replacement += "\n"  # it stands for whole lines
    rule = entry.get("rule")
    return Finding(
        file=path,
        line=line,
        end_line=end_line,
        severity=_severity(entry.get("severity")),
        message=message.strip(),
        replacement=replacement,
        rule=_rule(rule) if isinstance(rule, str) else "orchard-review",
    )


def _path(raw: object, texts: Mapping[str, str | None]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("no file")
    path = raw.strip().replace("\\", "/")
    for prefix in ("a/", "b/", "./"):
        if path not in texts and path.startswith(prefix):
            path = path[len(prefix) :]
    if path not in texts:
        raise ValueError(f"{raw!r} is not a file of the reviewed change")
    return path


def _line(raw: object, name: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(f"{name} is not a number")
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} {raw!r} is not a number") from exc
    if value < 1:
        raise ValueError(f"{name} {value} is before the first line")
    return value


def _severity(raw: object) -> Severity:
    word = str(raw).strip().lower() if raw is not None else ""
    if word in _SEVERITY_WORDS:
        return _SEVERITY_WORDS[word]
    try:
        return Severity(word)
    except ValueError as exc:
        raise ValueError(f"severity {raw!r} is not error, warning, info or hint") from exc


def _rule(raw: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw.strip()).strip("-").lower()
    return f"orchard-review/{slug}" if slug and slug != "orchard-review" else "orchard-review"


def apply_replacement(text: str, finding: Finding) -> str:
    """Return `text` with lines `line..end_line` replaced by the finding's replacement."""
    if finding.replacement is None:
        return text
    lines = text.splitlines(keepends=True)
    replaced = [*lines[: finding.line - 1], finding.replacement, *lines[finding.end_line :]]
    return "".join(replaced)
