"""A review's report as a value: what was reviewed (base, result, branch, files) and the findings,
JSON-ready and as plain text for `orchard review`. Plain data; no models, no git.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchard.review.findings import Finding, Severity

SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.HINT)


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """The findings on one change: the working tree against `base`, or `branch` against its
    merge base (then `base` is that merge base)."""

    base: str  # the base commit the change was diffed against
    base_ref: str  # what the user named (e.g. "HEAD"), or the merge base of `branch`
    result: str  # the result's commit or tree
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    model: str | None = None
    branch: str | None = None

    @property
    def has_errors(self) -> bool:
        """Whether some finding has severity error (`orchard review` exits 1)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity."""
        return {str(s): sum(1 for f in self.findings if f.severity is s) for s in SEVERITY_ORDER}

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON-ready mapping."""
        return {
            "base": self.base,
            "base_ref": self.base_ref,
            "branch": self.branch,
            "result": self.result,
            "model": self.model,
            "files": list(self.files),
            "counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
        }

    def render_text(self) -> str:
        """Return the report for a terminal: one block per finding, then a summary line."""
        what = f"branch {self.branch}" if self.branch else f"working tree against {self.base_ref}"
        lines = [f"reviewed {what} ({len(self.files)} files, base {self.base[:12]})"]
        order = {s: n for n, s in enumerate(SEVERITY_ORDER)}
        for finding in sorted(self.findings, key=lambda f: (f.file, f.line, order[f.severity])):
            span = (
                f"{finding.line}"
                if finding.line == finding.end_line
                else f"{finding.line}-{finding.end_line}"
            )
            lines.append(f"{finding.file}:{span}: {finding.severity}: {finding.message}")
            if finding.replacement is not None:
                lines.extend(f"    | {text}" for text in finding.replacement.splitlines())
        counts = self.counts()
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings"
        lines.append(summary)
        return "\n".join(lines)
