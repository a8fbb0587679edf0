"""Benchmark: the syntax layer on a 5,000-line file, and the whole pipeline on a real folder.

Baselines are measured in the same run: a bare tree-sitter parse (and Python's `compile()`)
of the same text, and ruff alone on the same folder. Prints figures and ratios; never fails.
Run: `python bench/lint.py [FOLDER]` (default: Orchard's own `server/` folder).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from orchard.config import LintSettings
from orchard.lint.pipeline import LintPipeline, syntax_diagnostics
from orchard.lint.runner import find_executable
from orchard.lint.syntax import SyntaxDocument, check_syntax, parser_for

LINES = 5000
REPEATS = 15
ROOT = Path(__file__).resolve().parents[1]


def best_of(run: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Return (median, best) wall time in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def python_source() -> str:
    """About 5,000 lines of real, valid Python: Orchard's own modules, whole, repeated."""
    modules = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "server").rglob("*.py"))]
    lines: list[str] = []
    while len(lines) < LINES:
        for module in modules:
            # `from __future__` is only legal at the top of a file.
            lines.extend(line for line in module.splitlines() if "from __future__" not in line)
            if len(lines) >= LINES:
                break
    return "\n".join(lines) + "\n"


def javascript_source() -> str:
    block = (
        "export function item{n}(values, limit = 10) {{\n"
        "  const out = values.filter((v) => v > limit).map((v) => ({{ v, n: {n} }}));\n"
        "  if (out.length === 0) {{\n    return null;\n  }}\n"
        "  return out.reduce((a, b) => a + b.v, 0);\n}}\n\n"
    )
    text = "".join(block.format(n=n) for n in range(LINES // 9 + 1))
    return "\n".join(text.splitlines()[:LINES]) + "\n"


def broken(text: str) -> str:
    """The same text with an unclosed bracket in the middle."""
    lines = text.splitlines()
    middle = len(lines) // 2
    lines[middle] = lines[middle] + " ("
    return "\n".join(lines) + "\n"


def baseline_of(language: str, text: str) -> Callable[[], object]:
    """The bare work a syntax check cannot avoid: a tree-sitter parse (+ compile for Python)."""
    parser = parser_for(language)
    assert parser is not None
    data = text.encode("utf-8")
    if language != "python":
        return lambda: parser.parse(data)

    def parse_and_compile() -> None:
        parser.parse(data)
        try:
            compile(text, "a.py", "exec", dont_inherit=True)
        except SyntaxError:
            pass

    return parse_and_compile


def syntax_row(language: str, name: str, label: str, text: str) -> None:
    base, _ = best_of(baseline_of(language, text))
    ours, best = best_of(lambda: syntax_diagnostics(Path(name), text))
    found = len(syntax_diagnostics(Path(name), text))
    row = f"{language} {label}"
    print(f"{row:<22}{base:>9.1f} ms{ours:>10.1f} ms ({best:.1f}){ours / base:>7.2f}x  {found}")


def syntax_rows() -> None:
    python = python_source()
    print(f"Syntax layer on ~{LINES}-line files (median of {REPEATS}, best in brackets)")
    print("baseline: tree-sitter parse, plus compile() for Python")
    print(f"{'file':<22}{'baseline':>12}{'syntax layer':>16}{'ratio':>8}  found")
    for language, name, text in (
        ("python", "a.py", python),
        ("javascript", "a.js", javascript_source()),
    ):
        syntax_row(language, name, f"{text.count(chr(10))} lines", text)
        syntax_row(language, name, "broken", broken(text))
    keystroke_row()


def keystroke_row() -> None:
    """One character typed in the middle of a 5,000-line file: full parse vs incremental."""
    text = javascript_source()
    middle = len(text) // 2
    typed = text[:middle] + "x" + text[middle:]
    full, _ = best_of(lambda: check_syntax(typed, "javascript", Path("a.js")))
    document = SyntaxDocument()
    versions = [text, typed]

    def keystroke() -> None:
        versions.reverse()  # alternate: type the character, take it back
        check_syntax(versions[0], "javascript", Path("a.js"), document)

    check_syntax(text, "javascript", Path("a.js"), document)
    ours, best = best_of(keystroke)
    row = "javascript keystroke"
    print(f"{row:<22}{full:>9.1f} ms{ours:>10.1f} ms ({best:.1f}){ours / full:>7.2f}x", end="")
    print("  (baseline: full re-parse)")


def pipeline_rows(folder: Path) -> None:
    files = [p for p in folder.rglob("*") if p.is_file()]
    print(f"\nFull pipeline on {folder} ({len(files)} files)")
    ruff = find_executable("ruff", ROOT)
    base = None
    if ruff:
        start = time.perf_counter()
        subprocess.run([ruff, "check", "--output-format=json", "--exit-zero", "--quiet",
                        "--no-cache", str(folder)], capture_output=True, check=False)  # fmt: skip
        base = time.perf_counter() - start
        print(f"  ruff alone (baseline):       {base * 1000:8.0f} ms")
    pipeline = LintPipeline(LintSettings(), ROOT)
    start = time.perf_counter()
    syntax_only = asyncio.run(pipeline.run([folder], linters_too=False))
    syntax_time = time.perf_counter() - start
    start = time.perf_counter()
    report = asyncio.run(pipeline.run([folder]))
    full = time.perf_counter() - start
    print(f"  syntax layer only:           {syntax_time * 1000:8.0f} ms")
    print(f"  syntax + linters (pipeline): {full * 1000:8.0f} ms", end="")
    print(f"  ({full / base:.2f}x ruff alone)" if base else "")
    print(f"  diagnostics: {len(report.diagnostics)} ({len(syntax_only.diagnostics)} from syntax)")


def main() -> None:
    syntax_rows()
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "server"
    pipeline_rows(folder.resolve())


if __name__ == "__main__":
    main()
