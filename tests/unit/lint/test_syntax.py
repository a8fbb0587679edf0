"""The syntax layer on broken files in many languages: exact ranges and readable messages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchard.lint.diagnostic import SYNTAX_SOURCE, Related, Severity
from orchard.lint.pipeline import syntax_diagnostics
from orchard.lint.syntax import MAX_DIAGNOSTICS, SyntaxDocument, check_syntax

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lint" / "syntax"

# fixture: (line, column, end_line, end_column, code, message), all 0-based.
EXPECTED = {
    "missing_paren.py": (1, 14, 1, 15, "parse", "'(' was never closed"),
    "missing_paren.js": (
        1, 17, 1, 17, "missing", "expected `)` to close `(` opened at 2:6 in if statement",
    ),
    "unclosed_block.ts": (
        5, 1, 5, 1, "missing",
        "expected `}` to close `{` opened at 1:47 in function declaration",
    ),
    "mismatched_tag.tsx": (
        3, 17, 3, 22, "mismatched", "`</h2>` does not close `<h1>` opened at 4:7",
    ),
    "unclosed_func.go": (
        8, 0, 8, 0, "missing",
        "expected `}` to close `{` opened at 5:13 in function declaration",
    ),
    "stray_brace.rs": (4, 0, 4, 1, "unexpected", "unexpected `}` with no `{` to match"),
    "missing_semicolon.c": (3, 17, 3, 17, "missing", "missing `;` at the end of line 4"),
    "missing_semicolon.java": (2, 41, 2, 41, "missing", "missing `;` at the end of line 3"),
    "unterminated_if.sh": (3, 0, 3, 0, "missing", "missing `fi` at the end of if statement"),
    "missing_value.json": (2, 12, 2, 12, "missing", "expected number in pair"),
    "unclosed_rule.css": (
        5, 1, 5, 1, "missing", "expected `}` to close `{` opened at 1:6 in rule set",
    ),
    "unclosed_def.rb": (
        0, 0, 0, 15, "incomplete", "`def greet(` is not finished: the file ends first",
    ),
    "unclosed_flow.yaml": (1, 6, 1, 7, "unclosed", "`[` is never closed in document"),
    "unclosed_table.toml": (0, 0, 0, 1, "unclosed", "`[` is never closed"),
    "class_no_semicolon.cpp": (6, 0, 6, 3, "unexpected", "unexpected `int` in function definition"),
    "return_outside.py": (1, 0, 1, 8, "compile", "'return' outside function"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_reports_one_error_with_range_and_message(name: str) -> None:
    path = FIXTURES / name
    found = syntax_diagnostics(path, path.read_text(encoding="utf-8"))
    assert [(d.line, d.column, d.end_line, d.end_column, d.code, d.message) for d in found] == [
        EXPECTED[name]
    ]
    assert all(d.severity is Severity.ERROR and d.source == SYNTAX_SOURCE for d in found)
    assert all(d.path == path for d in found)


VALID = FIXTURES.parent / "valid"


@pytest.mark.parametrize("name", sorted(path.name for path in VALID.iterdir()))
def test_valid_code_gets_no_syntax_diagnostics(name: str) -> None:
    path = VALID / name
    assert syntax_diagnostics(path, path.read_text(encoding="utf-8")) == []


def test_columns_count_characters_not_bytes() -> None:
    text = 'const s = "héllo wörld"; if (s {\n}\n'
    (found,) = check_syntax(text, "javascript", Path("a.js"))
    assert found.message == "expected `)` to close `(` opened at 1:29 in if statement"
    # Just after `s`: character 30, where UTF-8 bytes would say 32.
    assert (found.line, found.column) == (0, 30)
    assert text.splitlines()[0][28:30] == "(s"


def test_unknown_language_has_no_syntax_check() -> None:
    assert check_syntax("whatever {", None, Path("notes.xyz")) == []
    assert syntax_diagnostics(Path("notes.xyz"), "whatever {") == []


def test_header_with_cpp_content_is_parsed_as_cpp() -> None:
    text = "namespace app {\nclass Box { public: int size() const; };\n}\n"
    assert syntax_diagnostics(Path("box.h"), text) == []


def test_garbage_is_capped_at_max_diagnostics() -> None:
    text = "\n".join("int x = ) ] }" for _ in range(500))
    found = check_syntax(text, "c", Path("noise.c"))
    assert 0 < len(found) <= MAX_DIAGNOSTICS


def test_python_that_compiles_is_trusted_over_the_grammar() -> None:
    text = "x = 1\nprint(f'{x!r:>{10}}')\n"
    assert syntax_diagnostics(Path("ok.py"), text) == []


def test_python_syntax_warnings_are_warnings() -> None:
    (found,) = syntax_diagnostics(Path("w.py"), 'import re\npattern = "\\d+"\n')
    assert found.severity is Severity.WARNING
    assert (found.line, found.column, found.end_column) == (1, 0, 15)
    assert found.message == "invalid escape sequence '\\d'"


def test_python_compile_error_keeps_tree_sitter_errors_on_other_lines() -> None:
    text = "def f(:\n    pass\n\nvalues = [1, 2\n"
    found = syntax_diagnostics(Path("two.py"), text)
    assert found[0].code == "parse" and found[0].line == 0
    assert all(d.line != 0 for d in found[1:])


def test_diagnostics_carry_the_text_around_them() -> None:
    text = "a = 1\nb = (2,\nc = 3\n"
    (found,) = syntax_diagnostics(Path("ctx.py"), text)
    assert found.context == ("a = 1", "b = (2,", "c = 3")


def test_tree_sitter_query_files_are_not_read_as_scheme() -> None:
    text = '((identifier) @name (#match? @name "^[A-Z]"))\n'
    assert syntax_diagnostics(Path("tags.scm"), text) == []
    assert syntax_diagnostics(Path("lib.scm"), "(define (f x) (+ x 1)\n") != []


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs a Python older than the syntax")
def test_syntax_newer_than_this_python_is_only_a_warning() -> None:
    (found,) = syntax_diagnostics(Path("alias.py"), "type OrderId = int\n")
    assert found.severity is Severity.WARNING
    assert found.message.endswith("cannot parse this; is it newer syntax?)")


def test_incremental_reparse_matches_a_fresh_parse_through_edits() -> None:
    versions = [
        "function f(a) {\n  return a + 1;\n}\n",
        "function f(a) {\n  return (a + 1;\n}\n",
        "function f(a) {\n  const é = 'ü';\n  return (a + 1;\n}\n",
        "function f(a) {\n  const é = 'ü';\n  return (a + 1);\n}\n",
        "// header\nfunction f(a) {\n  const é = 'ü';\n  return (a + 1);\n",
        "",
        "if (x) {\n",
        "if (x) { y(); }\n",
    ]
    document = SyntaxDocument()
    for text in versions:
        fresh = check_syntax(text, "javascript", Path("a.js"))
        assert check_syntax(text, "javascript", Path("a.js"), document) == fresh


def test_incremental_document_survives_a_change_of_language() -> None:
    document = SyntaxDocument()
    assert check_syntax("fn main() {}\n", "rust", Path("a.rs"), document) == []
    found = check_syntax("func main() {\n", "go", Path("a.go"), document)
    assert [d.code for d in found] == check_syntax_codes("func main() {\n", "go")


def check_syntax_codes(text: str, language: str) -> list[str | None]:
    return [d.code for d in check_syntax(text, language, Path("x"))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 6), st.text(alphabet="(){};\n xé=", max_size=6)),
        min_size=1,
        max_size=8,
    )
)
def test_random_edits_reparse_like_a_fresh_parse(
    edits: list[tuple[float, int, str]],
) -> None:
    text = "function f(a) {\n  if (a) { return [a, 'é']; }\n}\nconst g = () => f(1);\n"
    document = SyntaxDocument()
    check_syntax(text, "javascript", Path("a.js"), document)
    for where, removed, inserted in edits:
        at = int(where * len(text))
        text = text[:at] + inserted + text[at + removed :]
        fresh = check_syntax(text, "javascript", Path("a.js"))
        assert check_syntax(text, "javascript", Path("a.js"), document) == fresh


def test_missing_closer_points_at_the_bracket_it_would_close() -> None:
    path = FIXTURES / "missing_paren.js"
    (found,) = syntax_diagnostics(path, path.read_text(encoding="utf-8"))
    assert found.related == (Related(1, 5, 1, 6, "`(` opened here"),)


def test_mismatched_tag_points_at_the_tag_it_closes() -> None:
    path = FIXTURES / "mismatched_tag.tsx"
    (found,) = syntax_diagnostics(path, path.read_text(encoding="utf-8"))
    assert found.related == (Related(3, 6, 3, 10, "`<h1>` opened here"),)
