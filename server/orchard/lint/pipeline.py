"""The lint pipeline: the syntax layer for every file, then the configured linters, as one report.

`lint(paths or texts)` is the API agents and the CLI call; the editor calls `syntax_diagnostics`
on each change and `LintPipeline.run` on save. Returns plain diagnostics, never LSP types.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchard.config import LintSettings
from orchard.errors import SettingsError
from orchard.lint.diagnostic import SYNTAX_SOURCE, Diagnostic, Severity, SourceText, lines_of
from orchard.lint.files import expand_paths, read_text
from orchard.lint.languages import detect_language
from orchard.lint.linters import NO_ISOLATION, Isolation, LintFile, run_linters
from orchard.lint.problems import with_context
from orchard.lint.pycompile import PARSE, compile_applies, compile_python, newer_syntax
from orchard.lint.syntax import SyntaxDocument, check_syntax
from orchard.lint.tools import BUILTIN, DEFAULT_TOOLS, ToolSpec
from orchard.lint.tools.command import command_spec

log = logging.getLogger(__name__)

Target = Path | SourceText
_warned: set[str] = set()


@dataclass(frozen=True, slots=True)
class LintReport:
    """What one lint run found, and which tools could not take part."""

    diagnostics: tuple[Diagnostic, ...]
    skipped: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # linters not run: they would have run agent-written code

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of error severity (the ones agents must fix)."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)


def syntax_diagnostics(
    path: Path, text: str, language: str | None = None, document: SyntaxDocument | None = None
) -> list[Diagnostic]:
    """Run the syntax layer on one text: tree-sitter, and for Python also `compile()`.

    Pass the same `document` for successive versions of one text to re-parse incrementally.
    """
    language = language or detect_language(path, text)
    if language != "python" or not compile_applies(path):
        found = check_syntax(text, language, path, document)
    else:
        # The interpreter is the authority and is fast: tree-sitter is asked only when it fails
        # (for the errors after the first, and to spot syntax newer than this Python).
        compiled, found = compile_python(text, path)
        if not compiled:
            others = check_syntax(text, language, path, document)
            if not others and found[0].code == PARSE:
                found = [newer_syntax(found[0])]
            else:
                lines = {d.line for d in found}
                found += [d for d in others if d.line not in lines]
    found.sort(key=lambda d: (d.line, d.column))
    return with_context(found, lines_of(text))


class LintPipeline:
    """Lints files with the syntax layer and the linters `settings` choose for their language."""

    def __init__(
        self,
        settings: LintSettings | None = None,
        root: Path | None = None,
        search_path: Sequence[Path] = (),
        isolation: Isolation = NO_ISOLATION,
    ) -> None:
        self.settings = settings or LintSettings()
        self.isolation = isolation
        self.root = root
        self.search_path = tuple(search_path)
        self.commands = self._commands()

    def _commands(self) -> list[ToolSpec]:
        specs = []
        for entry in self.settings.commands:
            try:
                specs.append(command_spec(entry))
            except SettingsError as exc:
                _warn_once(str(exc))
        return specs

    def enabled_for(self, language: str | None) -> bool:
        """Say whether files of `language` are linted at all (see `lint.disabled_languages`)."""
        return language not in self.settings.disabled_languages

    def tools_for(self, language: str | None) -> list[ToolSpec]:
        """Return the linters for `language`: configured or default, plus matching commands."""
        specs: list[ToolSpec] = []
        if language is not None:
            names = self.settings.tools.get(language, DEFAULT_TOOLS.get(language, ()))
            for name in names:
                spec = BUILTIN.get(name)
                if spec is None:
                    _warn_once(f"lint.tools.{language}: Orchard has no linter named `{name}`")
                elif spec.applies_to(language):
                    specs.append(spec)
        specs.extend(spec for spec in self.commands if spec.applies_to(language))
        return specs

    def load(self, targets: Iterable[Target]) -> list[LintFile]:
        """Read the targets (folders expanded), skipping binary, huge and disabled files."""
        files: list[LintFile] = []
        for target in targets:
            if isinstance(target, SourceText):
                paths: list[tuple[Path, str | None]] = [(target.path, target.text)]
            else:
                paths = [(path, None) for path in expand_paths([target])]
            for path, given in paths:
                on_disk = read_text(path) if given is None or path.is_file() else None
                text = given if given is not None else on_disk
                if text is None:
                    continue
                language = detect_language(path, text)
                if self.enabled_for(language):
                    files.append(LintFile(path, text, language, on_disk == text))
        return files

    async def run(
        self, targets: Iterable[Target], *, syntax: bool = True, linters_too: bool = True
    ) -> LintReport:
        """Lint `targets` (paths, folders or texts) and return everything found, sorted."""
        files = await asyncio.to_thread(self.load, list(targets))  # reads and walks folders
        found: list[Diagnostic] = []
        if syntax:
            for batch in _batches(files, 64):
                found.extend(await asyncio.to_thread(_syntax_of, batch))
        skipped: list[str] = []
        failures: list[str] = []
        refused: list[str] = []
        if linters_too and files:
            run = await run_linters(
                files,
                self.tools_for,
                self.root,
                self.search_path,
                self.settings.timeout_seconds,
                self.isolation,
            )
            found.extend(_without_repeats(run.diagnostics, found))
            skipped, failures, refused = run.skipped, run.failures, run.refused
        found.sort(key=lambda d: (str(d.path), d.line, d.column, d.source))
        return LintReport(tuple(found), tuple(skipped), tuple(failures), tuple(refused))


async def lint(
    targets: Iterable[Target],
    settings: LintSettings | None = None,
    root: Path | None = None,
) -> list[Diagnostic]:
    """Lint paths, folders or texts with the syntax layer and linters; return the diagnostics."""
    report = await LintPipeline(settings, root).run(targets)
    return list(report.diagnostics)


def _syntax_of(files: Sequence[LintFile]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for file in files:
        found.extend(syntax_diagnostics(file.path, file.text, file.language))
    return found


def _batches(files: Sequence[LintFile], size: int) -> Iterable[Sequence[LintFile]]:
    return (files[start : start + size] for start in range(0, len(files), size))


def _without_repeats(
    linted: Iterable[tuple[ToolSpec, Diagnostic]], syntax: Sequence[Diagnostic]
) -> list[Diagnostic]:
    """Drop a linter's syntax complaints about files where the syntax layer already spoke."""
    broken = {d.path for d in syntax if d.source == SYNTAX_SOURCE and d.severity is Severity.ERROR}
    return [d for spec, d in linted if not (d.path in broken and d.code in spec.syntax_codes)]


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


__all__ = ["Isolation", "LintFile", "LintPipeline", "LintReport", "lint", "syntax_diagnostics"]
