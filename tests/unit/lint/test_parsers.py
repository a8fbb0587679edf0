"""Output parsers on recorded tool output, and the `lint.commands` entry syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchard.errors import SettingsError
from orchard.lint.diagnostic import ColumnUnit, Severity, to_code_points
from orchard.lint.tools.command import command_spec, parse_lines
from orchard.lint.tools.govet import SPEC as GO_VET
from orchard.lint.tools.spec import ToolOutput
from orchard.lint.tools.tsc import parse_tsc

RECORDED = Path(__file__).parents[2] / "fixtures" / "lint" / "recorded"
CWD = Path("/work/project")


def output(name: str, stream: str = "stdout") -> ToolOutput:
    text = (RECORDED / name).read_text(encoding="utf-8")
    stdout, stderr = (text, "") if stream == "stdout" else ("", text)
    return ToolOutput(stdout=stdout, stderr=stderr, returncode=1, cwd=CWD, files=())


def test_go_vet_recorded_output_is_read_from_stderr() -> None:
    found = GO_VET.parse(output("go_vet.txt", stream="stderr"))
    assert [(d.path, d.line, d.column, d.severity) for d in found] == [
        (CWD / "main.go", 5, 10, Severity.ERROR),
        (CWD / "util" / "util.go", 2, 8, Severity.ERROR),
    ]
    assert found[0].message == "fmt.Printf format %d has arg s of wrong type string"
    assert found[1].message == "undefined: missing"


def test_tsc_continuation_lines_join_the_message_above() -> None:
    first, second = parse_tsc(output("tsc.txt"))
    assert (first.path, first.line, first.column, first.code) == (CWD / "src/a.ts", 3, 6, "TS2322")
    assert first.message.splitlines()[1].startswith("Property 'age' is missing")
    assert (second.severity, second.code) == (Severity.WARNING, "TS6133")


def test_generic_parser_reads_severities_codes_and_lines_without_columns() -> None:
    found = parse_lines(output("mypy.txt"), "mypy")
    assert [(d.line, d.column, d.severity, d.code) for d in found] == [
        (11, 4, Severity.ERROR, None),
        (29, 0, Severity.INFO, None),
        (6, 0, Severity.WARNING, None),
    ]
    assert found[0].message.startswith("Incompatible types in assignment")


def test_generic_parser_takes_windows_paths() -> None:
    text = "C:\\src\\app.py:3:7: E225 missing whitespace\n"
    (found,) = parse_lines(ToolOutput(text, "", 1, CWD, ()), "x")
    # On POSIX a drive path is relative, so it lands under cwd; the split is what matters.
    assert str(found.path).endswith("C:\\src\\app.py")
    assert (found.line, found.column, found.code, found.message) == (
        2, 6, "E225", "missing whitespace",
    )  # fmt: skip


def test_command_entry_with_language_selector() -> None:
    spec = command_spec("[python, cython] mypy --strict {files}")
    assert spec.languages == frozenset({"python", "cython"})
    assert spec.command("/bin/mypy", [Path("a.py"), Path("b.py")]) == (
        "/bin/mypy", "--strict", "a.py", "b.py",
    )  # fmt: skip
    assert spec.applies_to("python") and not spec.applies_to("go")


def test_command_entry_without_selector_applies_everywhere_and_appends_files() -> None:
    spec = command_spec("codespell --quiet-level=2")
    assert spec.applies_to("markdown") and spec.applies_to(None)
    assert spec.command("codespell", [Path("a.md")]) == ("codespell", "--quiet-level=2", "a.md")


def test_unbalanced_quotes_in_a_command_are_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="cannot be split"):
        command_spec('mypy "--strict')


@pytest.mark.parametrize(
    ("line", "column", "unit", "expected"),
    [
        ("a😀b", 3, ColumnUnit.UTF16, 2),
        ("aéb", 3, ColumnUnit.BYTES, 2),
        ("aéb", 2, ColumnUnit.CHARACTERS, 2),
        ("ab", 5, ColumnUnit.UTF16, 5),
    ],
)
def test_columns_are_converted_to_code_points(
    line: str, column: int, unit: ColumnUnit, expected: int
) -> None:
    assert to_code_points(line, column, unit) == expected
