"""SARIF 2.1.0 from a review report, ready for CI code-scanning uploads: the tool (name, version,
rules), one result per finding with its region, and `fixes` for findings with a replacement.
Paths are repo-relative under `%SRCROOT%`. Builds plain dicts; writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from orchard import __version__
from orchard.review.findings import Finding, Severity
from orchard.review.report import ReviewReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "orchard"
INFORMATION_URI = "https://pypi.org/project/orchard-lsp/"
SRCROOT = "%SRCROOT%"
LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "none",
}


def to_sarif(report: ReviewReport, root: Path | None = None) -> dict[str, Any]:
    """Return the report as a SARIF 2.1.0 log (one run); `root` fills in `%SRCROOT%`."""
    rule_ids = sorted({f.rule for f in report.findings} | {"orchard-review"})
    files = sorted({*report.files, *(f.file for f in report.findings)})
    run: dict[str, Any] = {
        "tool": {"driver": _driver(rule_ids)},
        "automationDetails": {"id": f"orchard-review/{report.base[:12]}/"},
        "artifacts": [{"location": _location(path)} for path in files],
        "results": [_result(f, rule_ids, files) for f in report.findings],
        "invocations": [{"executionSuccessful": True}],
        "properties": {"base": report.base, "result": report.result, "model": report.model},
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _driver(rule_ids: list[str]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule_id) for rule_id in rule_ids],
    }


def _rule(rule_id: str) -> dict[str, Any]:
    topic = rule_id.removeprefix("orchard-review").strip("/") or "review"
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in topic.replace(".", "-").split("-")),
        "shortDescription": {"text": f"Orchard reviewer finding ({topic})"},
        "fullDescription": {
            "text": "A problem the reviewer model found in the changed lines of the diff."
        },
        "defaultConfiguration": {"level": "warning"},
    }


def _location(path: str, index: int | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {"uri": quote(path), "uriBaseId": SRCROOT}
    if index is not None:
        location["index"] = index
    return location


def _result(finding: Finding, rule_ids: list[str], files: list[str]) -> dict[str, Any]:
    region = {"startLine": finding.line, "endLine": finding.end_line}
    artifact = _location(finding.file, files.index(finding.file))
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_ids.index(finding.rule),
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
    }
    if finding.replacement is not None:
        # A region of whole lines without columns ends before the last line's line break
        # (SARIF 3.30.5), so the inserted text goes without its final newline.
        inserted = finding.replacement.removesuffix("\n")
        result["fixes"] = [
            {
                "description": {"text": f"Replace lines {finding.line}-{finding.end_line}"},
                "artifactChanges": [
                    {
                        "artifactLocation": _location(finding.file),
                        "replacements": [
                            {"deletedRegion": dict(region), "insertedContent": {"text": inserted}}
                        ],
                    }
                ],
            }
        ]
    return result
