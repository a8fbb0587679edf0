"""The lint pipeline: tree-sitter syntax errors for every language, compile checks, linters.

Agents and the CLI call `lint(paths or texts)` and `new_problems(before, after)`; the editor
adapter (lsp/diagnostics.py) calls `syntax_diagnostics` and `LintPipeline`. No LSP types here.
"""

from orchard.lint.diagnostic import Diagnostic, Severity, SourceText
from orchard.lint.pipeline import LintPipeline, LintReport, lint, syntax_diagnostics
from orchard.lint.problems import ProblemChanges, compare_problems, new_problems

__all__ = [
    "Diagnostic",
    "LintPipeline",
    "LintReport",
    "ProblemChanges",
    "Severity",
    "SourceText",
    "compare_problems",
    "lint",
    "new_problems",
    "syntax_diagnostics",
]
