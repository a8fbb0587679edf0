"""Problems rendered for a model: numbered lines around each problem and a marker under it."""

from __future__ import annotations

from pathlib import Path

from orchard.lint import SourceText, lint, new_problems
from orchard.lint.diagnostic import Diagnostic, Severity
from orchard.lint.render import render_problems


async def test_what_an_edit_broke_is_shown_with_its_code(project: Path) -> None:
    path = project / "calc.py"
    old = "def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n"
    new = old.replace("return a + b", "return a + c")
    problems = new_problems(
        await lint([SourceText(path, old)], root=project),
        await lint([SourceText(path, new)], root=project),
    )
    assert render_problems(problems, {path: new}, relative_to=project) == (
        "## calc.py\n\n"
        "line 2, column 16: error (ruff F821) Undefined name `c`\n"
        " 1 | def add(a, b):\n"
        ">2 |     return a + c\n"
        "   |                ^\n"
        " 3 | \n"
        " 4 | \n"
    )


def test_many_problems_are_capped_with_a_count() -> None:
    path = Path("/repo/big.py")
    problems = [
        Diagnostic(path, n, 0, n, 3, Severity.ERROR, "orchard-syntax", "missing", "missing `)`")
        for n in range(5)
    ]
    text = render_problems(problems, {}, limit=2)
    assert text.count("missing `)`") == 2
    assert text.endswith("... and 3 more problem(s) not shown.\n")


def test_no_problems_render_as_nothing() -> None:
    assert render_problems([], {}) == ""
