"""new_problems: only what an edit introduced, matched by rule and surrounding text."""

from __future__ import annotations

from pathlib import Path

from orchard.config import LintSettings
from orchard.lint.diagnostic import Diagnostic
from orchard.lint.pipeline import LintPipeline
from orchard.lint.problems import compare_problems, new_problems

BEFORE = """import os


def area(width, height):
    return width * height


def describe(shape):
    return f"{shape} with area {area(2, 3)}"
"""


async def lint_file(root: Path, text: str) -> list[Diagnostic]:
    path = root / "shapes.py"
    path.write_text(text, encoding="utf-8")
    report = await LintPipeline(LintSettings(), root).run([path])
    return list(report.diagnostics)


def codes(found: list[Diagnostic]) -> list[tuple[str | None, int]]:
    return [(d.code, d.line) for d in found]


async def test_edit_that_adds_a_problem_reports_only_that_problem(project: Path) -> None:
    before = await lint_file(project, BEFORE)
    after = await lint_file(project, BEFORE.replace("width * height", "width * heigth"))
    assert codes(before) == [("F401", 0)]
    assert codes(new_problems(before, after)) == [("F821", 4)]


async def test_problems_that_moved_down_are_not_new(project: Path) -> None:
    before = await lint_file(project, BEFORE.replace("{shape}", "{shape}{undefined_thing}"))
    moved = "import os\n" + "\n".join(f"# note {n}" for n in range(10)) + BEFORE[len("import os") :]
    after = await lint_file(project, moved.replace("{shape}", "{shape}{undefined_thing}"))
    assert codes(before) == [("F401", 0), ("F821", 8)]
    assert codes(after) == [("F401", 0), ("F821", 18)]
    assert new_problems(before, after) == []


async def test_reindented_problem_is_not_new(project: Path) -> None:
    before = await lint_file(project, BEFORE + "\nif True:\n    print(missing)\n")
    after = await lint_file(project, BEFORE + "\nif True:\n    if True:\n        print(missing)\n")
    assert [d for d in new_problems(before, after) if d.code == "F821"] == []


async def test_fixed_problem_is_not_new_and_is_reported_fixed(project: Path) -> None:
    before = await lint_file(project, BEFORE)
    after = await lint_file(project, BEFORE.replace("import os\n", ""))
    changes = compare_problems(before, after)
    assert changes.new == () and changes.kept == ()
    assert codes(list(changes.fixed)) == [("F401", 0)]


async def test_copying_a_broken_line_makes_one_new_problem(project: Path) -> None:
    broken = BEFORE.replace("width * height", "width * depth")
    before = await lint_file(project, broken)
    after = await lint_file(project, broken.replace(
        "    return width * depth\n", "    print(width * depth)\n    return width * depth\n"
    ))  # fmt: skip
    assert codes(new_problems(before, after)) == [("F821", 4)]


async def test_same_rule_on_an_edited_line_is_new(project: Path) -> None:
    before = await lint_file(project, BEFORE.replace("area(2, 3)", "area(2, zz)"))
    after = await lint_file(project, BEFORE.replace("area(2, 3)", "area(zz, 3)"))
    assert codes(new_problems(before, after)) == [("F821", 8)]


async def test_new_syntax_error_is_found_among_old_ones_that_moved(project: Path) -> None:
    old = "values = [1, 2\n"
    before = await lint_file(project, old)
    after = await lint_file(project, "# header\n" + old + "\nnames = ('a', 'b'\n")
    new = new_problems(before, after)
    assert len(before) == 1
    assert [(d.source, d.line) for d in new] == [("orchard-syntax", 3)]
