"""The public API agents use: lint(paths or texts) and new_problems(before, after)."""

from __future__ import annotations

from pathlib import Path

from orchard.config import LintSettings
from orchard.lint import Severity, SourceText, lint, new_problems


async def test_lint_takes_unsaved_texts_and_paths_together(project: Path) -> None:
    saved = project / "saved.py"
    saved.write_text("import os\n", encoding="utf-8")
    proposal = SourceText(project / "proposal.ts", "export const x = (1;\n")
    found = await lint([saved, proposal], LintSettings(tools={"typescript": ()}), project)
    assert [(d.path.name, d.source, d.severity) for d in found] == [
        ("proposal.ts", "orchard-syntax", Severity.ERROR),
        ("saved.py", "ruff", Severity.WARNING),
    ]


async def test_agent_loop_sees_only_what_its_edit_broke(project: Path) -> None:
    path = project / "mod.py"
    old = "import os\n\n\ndef f(a):\n    return a\n"
    before = await lint([SourceText(path, old)], root=project)
    after = await lint(
        [SourceText(path, "import os\n\n\ndef f(a):\n    return a +\n")], root=project
    )
    (broke,) = new_problems(before, after)
    assert (broke.source, broke.line, broke.severity) == ("orchard-syntax", 4, Severity.ERROR)
