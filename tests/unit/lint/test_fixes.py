"""Linters' own fixes: read from real ruff and eslint, placed in code points on the text linted,
stamped with that text, and offered only when safe (or when ruff's config allows unsafe ones)."""

from __future__ import annotations

import re
from pathlib import Path

from orchard.config import LintSettings
from orchard.lint.diagnostic import (
    Applicability,
    ColumnUnit,
    Diagnostic,
    Fix,
    FixEdit,
    SourceText,
    lines_of,
)
from orchard.lint.fixes import place_fix, text_digest
from orchard.lint.pipeline import LintPipeline
from orchard.lint.tools.eslint import parse_eslint
from orchard.lint.tools.ruff import ruff_allows_unsafe_fixes
from orchard.lint.tools.spec import ToolOutput
from tests.unit.lint.conftest import TOOLS_BIN, node_tool

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def apply_fix(text: str, fix: Fix) -> str:
    """Apply a placed fix's code-point edits to `text`, last edit first."""
    starts, offset = [], 0
    for line in [*_LINE.findall(text), ""]:
        starts.append(offset)
        offset += len(line)
    for edit in reversed(fix.edits):
        start = starts[edit.line] + edit.column
        end = starts[edit.end_line] + edit.end_column
        text = text[:start] + edit.new_text + text[end:]
    return text


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


async def lint_one(
    root: Path, target: Path | SourceText, **tools: tuple[str, ...]
) -> list[Diagnostic]:
    settings = LintSettings(tools=dict(tools))
    report = await LintPipeline(settings, root, search_path=[TOOLS_BIN]).run([target])
    assert report.failures == () and report.skipped == ()
    return [d for d in report.diagnostics if d.source != "orchard-syntax"]


def by_code(found: list[Diagnostic], code: str) -> Diagnostic:
    (match,) = [d for d in found if d.code == code]
    return match


async def test_ruff_fix_after_emoji_and_cjk_is_placed_in_code_points(project: Path) -> None:
    text = 'import os\nlabel = "😀中文"; import re\nprint(label)\n'
    path = write(project, "app.py", text)

    found = await lint_one(project, path, python=("ruff",))

    first, second = [d for d in found if d.code == "F401"]
    assert first.fix is not None and second.fix is not None
    assert first.fix.title == "Ruff: Remove unused import: `os`"
    assert first.fix.applicability is Applicability.SAFE
    assert second.fix.edits == (FixEdit(1, 15, 1, 24, ""),)  # UTF-16 columns would be 16..25
    assert apply_fix(text, second.fix) == 'import os\nlabel = "😀中文"; \nprint(label)\n'
    assert apply_fix(text, first.fix) == 'label = "😀中文"; import re\nprint(label)\n'
    assert first.fix.basis == text_digest(text)
    assert path.read_text(encoding="utf-8") == text  # reported, never applied


async def test_ruff_fix_of_unsaved_text_is_stamped_with_that_text(project: Path) -> None:
    path = write(project, "app.py", "print('saved')\n")
    unsaved = "import sys\r\nprint('unsaved')\r\n"

    (unused,) = await lint_one(project, SourceText(path, unsaved), python=("ruff",))

    assert unused.fix is not None and unused.fix.basis == text_digest(unsaved)
    assert unused.fix.basis != text_digest(path.read_text(encoding="utf-8"))
    assert apply_fix(unsaved, unused.fix) == "print('unsaved')\r\n"


async def test_unsafe_ruff_fixes_are_left_out_unless_the_config_enables_them(
    project: Path,
) -> None:
    write(project, "ruff.toml", '[lint]\nselect = ["E711", "F401"]\n')
    text = "import os\nx = 1\nif x == None:\n    pass\n"
    path = write(project, "app.py", text)

    found = await lint_one(project, path, python=("ruff",))
    assert by_code(found, "E711").fix is None
    assert by_code(found, "F401").fix is not None

    write(project, "base.toml", "unsafe-fixes = true\n")
    write(project, "ruff.toml", 'extend = "base.toml"\n[lint]\nselect = ["E711", "F401"]\n')
    found = await lint_one(project, path, python=("ruff",))
    comparison = by_code(found, "E711").fix
    assert comparison is not None and comparison.applicability is Applicability.UNSAFE
    assert apply_fix(text, comparison) == "import os\nx = 1\nif x is None:\n    pass\n"


async def test_rules_ruff_is_told_not_to_fix_carry_no_fix(project: Path) -> None:
    write(project, "ruff.toml", '[lint]\nselect = ["F401"]\nunfixable = ["F401"]\n')
    path = write(project, "app.py", "import os\n")
    (unused,) = await lint_one(project, path, python=("ruff",))
    assert unused.fix is None


def test_unsafe_fixes_follow_the_nearest_ruff_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.ruff]\nunsafe-fixes = true\n")
    write(tmp_path, "pkg/pyproject.toml", "[project]\nname = 'no-ruff-here'\n")
    write(tmp_path, "other/.ruff.toml", "line-length = 100\n")
    write(tmp_path, "other/ruff.toml", "unsafe-fixes = true\n")  # .ruff.toml comes first
    assert ruff_allows_unsafe_fixes(tmp_path / "pkg" / "mod.py")
    assert not ruff_allows_unsafe_fixes(tmp_path / "other" / "mod.py")


async def test_eslint_fix_offsets_become_lines_and_code_points(project: Path) -> None:
    node_tool("eslint")
    write(
        project,
        "eslint.config.mjs",
        'export default [{ rules: { "prefer-const": "warn", "no-var": "error" } }];\n',
    )
    text = 'let face = "😀中"; let n = 1;\r\nvar total = n + face;\nconsole.log(total);\n'
    path = write(project, "app.js", text)

    found = await lint_one(project, path, javascript=("eslint",))

    no_var = by_code(found, "no-var")
    assert no_var.fix is not None and no_var.fix.title == "ESLint: fix this no-var problem"
    assert no_var.fix.edits == (FixEdit(1, 0, 1, 3, "let"),)
    second_let = [d for d in found if d.code == "prefer-const"][1]
    assert second_let.fix is not None
    fixed = apply_fix(text, second_let.fix)
    assert (
        fixed == 'let face = "😀中"; const n = 1;\r\nvar total = n + face;\nconsole.log(total);\n'
    )


def test_eslint_parser_reads_a_recorded_fix() -> None:
    recorded = (
        '[{"filePath": "/p/a.js", "messages": [{"ruleId": "no-var", "severity": 2, '
        '"message": "Unexpected var, use let or const instead.", "line": 1, "column": 1, '
        '"endLine": 1, "endColumn": 11, "fix": {"range": [0, 3], "text": "let"}}, '
        '{"ruleId": "no-undef", "severity": 2, "message": "\'y\' is not defined.", "line": 1, '
        '"column": 9, "endLine": 1, "endColumn": 10}]}]'
    )
    output = ToolOutput(recorded, "", 1, Path("/p"), ())
    fixed, plain = parse_eslint(output)
    assert fixed.fix == Fix("ESLint: fix this no-var problem", (FixEdit(0, 0, 0, 3, "let", True),))
    assert plain.fix is None


def test_a_fix_whose_edits_overlap_or_leave_the_text_is_dropped() -> None:
    text = "abc\ndef\n"
    lines = lines_of(text)
    overlapping = Fix("t", (FixEdit(0, 0, 0, 2, "x"), FixEdit(0, 1, 0, 3, "y")))
    outside = Fix("t", (FixEdit(5, 0, 5, 1, "x"),))
    beyond_line = Fix("t", (FixEdit(0, 2, 0, 9, "x"),))
    for fix in (overlapping, outside, beyond_line):
        assert place_fix(fix, text, lines, ColumnUnit.CHARACTERS) is None
    shown = Fix("t", (FixEdit(0, 0, 0, 1, "x"),), Applicability.DISPLAY_ONLY)
    assert place_fix(shown, text, lines, ColumnUnit.CHARACTERS, unsafe_ok=True) is None


def test_offsets_between_lines_land_on_the_right_line() -> None:
    text = "a\r\nbc\rd\n"
    lines = lines_of(text)
    fix = Fix("t", (FixEdit(0, 3, 0, 5, "X", by_offset=True), FixEdit(0, 6, 0, 7, "Y", True)))
    placed = place_fix(fix, text, lines, ColumnUnit.UTF16)
    assert placed is not None
    assert placed.edits == (FixEdit(1, 0, 1, 2, "X"), FixEdit(2, 0, 2, 1, "Y"))
    assert apply_fix(text, placed) == "a\r\nX\rY\n"
