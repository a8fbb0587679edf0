"""The lint pipeline: tree-sitter syntax errors for every language, compile checks, linters.

Agents call `lint(paths or texts)`, `new_problems(before, after)` and `render_problems`; the editor
adapter (lsp/diagnostics.py) calls `syntax_diagnostics` and `LintPipeline`. No LSP types here.
"""

from orchard.lint.diagnostic import Diagnostic, Severity, SourceText
from orchard.lint.pipeline import LintPipeline, LintReport, lint, syntax_diagnostics
from orchard.lint.problems import ProblemChanges, compare_problems, new_problems
from orchard.lint.render import render_problems

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
    "render_problems",
    "syntax_diagnostics",
]
