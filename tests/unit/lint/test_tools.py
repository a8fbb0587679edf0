"""Each linter spec against the real tool: command, output parsing, positions in code points."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchard.config import LintSettings
from orchard.lint.diagnostic import Diagnostic, Severity, SourceText
from orchard.lint.pipeline import LintPipeline
from orchard.lint.runner import find_executable
from tests.unit.lint.conftest import TOOLS_BIN, node_tool

ESLINT_CONFIG = """export default [
  {
    languageOptions: { globals: { console: "readonly" } },
    rules: { "no-undef": "error", "no-unused-vars": "warn" },
  },
];
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def run_tools(
    root: Path, targets: list[Path | SourceText], **tools: tuple[str, ...]
) -> list[Diagnostic]:
    settings = LintSettings(tools=dict(tools))
    report = await LintPipeline(settings, root, search_path=[TOOLS_BIN]).run(targets)
    assert report.failures == () and report.skipped == ()
    return [d for d in report.diagnostics if d.source != "orchard-syntax"]


def summary(found: list[Diagnostic]) -> list[tuple[str, str | None, int, int, Severity]]:
    return [(d.source, d.code, d.line, d.column, d.severity) for d in found]


async def test_ruff_json_gives_codes_positions_severity_and_urls(project: Path) -> None:
    path = write(project, "app.py", 'import os\nlabel = "é"; print(label, missing)\n')
    found = await run_tools(project, [path], python=("ruff",))
    assert summary(found) == [
        ("ruff", "F401", 0, 7, Severity.WARNING),
        ("ruff", "F821", 1, 26, Severity.ERROR),
    ]
    assert found[1].message == "Undefined name `missing`"
    assert found[1].end_column == 33
    assert found[0].url == "https://docs.astral.sh/ruff/rules/unused-import"
    assert all(d.path == path for d in found)


async def test_ruff_lints_unsaved_text_through_stdin(project: Path) -> None:
    path = write(project, "app.py", "print('saved')\n")
    unsaved = SourceText(path, "print(not_saved_yet)\n")
    found = await run_tools(project, [unsaved], python=("ruff",))
    assert summary(found) == [("ruff", "F821", 0, 6, Severity.ERROR)]
    assert found[0].path == path


async def test_flake8_lines_are_parsed_with_codes(project: Path) -> None:
    path = write(project, "app.py", "import os\n\n\ndef f():\n    return y\n")
    found = await run_tools(project, [path], python=("flake8",))
    assert summary(found) == [
        ("flake8", "F401", 0, 0, Severity.WARNING),
        ("flake8", "F821", 4, 11, Severity.ERROR),
    ]
    assert found[1].message == "undefined name 'y'"


async def test_eslint_json_with_utf16_columns_becomes_code_points(project: Path) -> None:
    node_tool("eslint")
    write(project, "eslint.config.mjs", ESLINT_CONFIG)
    path = write(
        project, "src/app.js", 'const face = "😀😀"; console.log(face, nope);\nlet idle = 1;\n'
    )
    found = await run_tools(project, [path], javascript=("eslint",))
    assert summary(found) == [
        ("eslint", "no-undef", 0, 37, Severity.ERROR),
        ("eslint", "no-unused-vars", 1, 4, Severity.WARNING),
    ]
    assert path.read_text(encoding="utf-8").splitlines()[0][37:41] == "nope"
    assert found[0].end_column == 41  # UTF-16 would say 39..43
    assert found[0].message == "'nope' is not defined."


async def test_eslint_without_a_config_is_not_run(project: Path) -> None:
    node_tool("eslint")
    path = write(project, "app.js", "nope;\n")
    assert await run_tools(project, [path], javascript=("eslint",)) == []


async def test_tsc_checks_loose_files_with_defaults(project: Path) -> None:
    node_tool("tsc")
    ts = write(project, "a.ts", "const n: number = 'x';\nexport { n };\n")
    tsx = write(project, "b.tsx", "export const B = () => <b>{1 - 'x'}</b>;\n")
    found = await run_tools(project, [ts, tsx], typescript=("tsc",), tsx=("tsc",))
    assert summary(found) == [
        ("tsc", "TS2322", 0, 6, Severity.ERROR),
        ("tsc", "TS2363", 0, 31, Severity.ERROR),
    ]
    assert found[0].message == "Type 'string' is not assignable to type 'number'."
    assert [d.path for d in found] == [ts, tsx]


async def test_tsc_uses_the_project_tsconfig_and_reports_only_asked_files(project: Path) -> None:
    node_tool("tsc")
    write(project, "tsconfig.json", '{"compilerOptions": {"strict": true, "noEmit": true}}\n')
    asked = write(project, "src/asked.ts", "export function f(x) { return x; }\n")
    write(project, "src/other.ts", "export const bad: string = 1;\n")
    found = await run_tools(project, [asked], typescript=("tsc",))
    assert summary(found) == [("tsc", "TS7006", 0, 18, Severity.ERROR)]


@pytest.mark.skipif(shutil.which("go") is None, reason="Go is not installed (see recorded test)")
async def test_go_vet_reports_per_package_with_byte_columns(project: Path) -> None:
    write(project, "go.mod", "module example.com/m\n\ngo 1.19\n")
    main = write(
        project,
        "main.go",
        'package main\n\nimport "fmt"\n\nfunc main() {\n\ts := "é"; fmt.Printf("%d\\n", s)\n}\n',
    )
    found = await run_tools(project, [main], go=("go vet",))
    assert summary(found) == [("go vet", None, 5, 11, Severity.ERROR)]
    assert "fmt.Printf format %d has arg s of wrong type string" in found[0].message


def test_project_node_modules_bin_is_searched_first(project: Path) -> None:
    bin_dir = project / "node_modules" / ".bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "eslint").symlink_to(node_tool("eslint"))
    assert find_executable("eslint", project) == str(bin_dir / "eslint")
