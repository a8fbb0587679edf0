"""Review findings as values: what a reviewer said about one agent's result (or a working
tree's changes), line by line. Plain frozen data shared by the reviewer, the judge, the journal's
readers, SARIF output and the language server; must not call models or git.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How serious a finding is, in the order the judge and the editor rank them."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding on the reviewed result: 1-based, inclusive lines `line..end_line` of `file`.

    `replacement`, when given, is the text that replaces exactly those lines (a quick fix).
    """

    file: str  # repo-relative posix path in the reviewed result
    line: int
    end_line: int
    severity: Severity
    message: str
    replacement: str | None = None
    rule: str = "orchard-review"  # a stable id (SARIF ruleId)

    def to_json(self) -> dict[str, Any]:
        """Return the finding as a JSON-ready mapping (the shape the reviewer answers in)."""
        data: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "severity": str(self.severity),
            "message": self.message,
            "rule": self.rule,
        }
        if self.replacement is not None:
            data["replacement"] = self.replacement
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """Rebuild a finding journaled with `to_json` (raises KeyError/ValueError when not one)."""
        return cls(
            file=str(data["file"]),
            line=int(data["line"]),
            end_line=int(data["end_line"]),
            severity=Severity(data["severity"]),
            message=str(data["message"]),
            replacement=data.get("replacement"),
            rule=str(data.get("rule", "orchard-review")),
        )
