"""The tag extractor's behaviour, whatever the language: robustness, order, caching, reparsing."""

from __future__ import annotations

import threading

import pytest

from orchard.repomap import tags as tags_module
from orchard.repomap.languages import languages_with_tags
from orchard.repomap.tags import (
    TAGS_VERSION,
    Tag,
    TagExtractor,
    TagKind,
    extract_tags,
    path_components,
    query_text,
)

SOURCE = b"""import os

class Greeter(Base):
    def greet(self, name):
        return format_name(name)

def main():
    Greeter().greet(os.getcwd())
"""


def rows(tags: list[Tag]) -> list[tuple[int, str, str, str]]:
    return [(t.line, t.name, t.kind.value, t.category) for t in tags]


def test_tags_are_sorted_by_line_then_name_then_kind() -> None:
    tags = extract_tags("app/greeter.py", SOURCE)
    assert tags == sorted(tags, key=lambda t: (t.line, t.name, t.kind.value, t.category))
    assert (2, "Greeter", "def", "class") in rows(tags)
    assert (7, "greet", "ref", "call") in rows(tags)


def test_extraction_is_deterministic_across_extractors() -> None:
    first = TagExtractor().extract("app/greeter.py", SOURCE)
    second = TagExtractor().extract("app/greeter.py", SOURCE)
    assert first == second
    assert len(first) == len(set(first))


def test_tags_carry_the_relative_path_given() -> None:
    tags = extract_tags("pkg/sub/greeter.py", SOURCE)
    assert {t.rel_path for t in tags} == {"pkg/sub/greeter.py"}


def test_language_argument_overrides_the_path() -> None:
    tags = TagExtractor().extract("no_extension", SOURCE, language="python")
    assert (3, "greet", "def", "method") in rows(tags)


def test_files_without_a_query_yield_no_tags() -> None:
    assert extract_tags("notes.txt", b"def looks_like_python(): pass\n") == []
    assert TagExtractor().extract("x.sh", b"deploy() { run; }\n") == []


def test_empty_file_yields_no_tags() -> None:
    assert extract_tags("empty.py", b"") == []


def test_syntax_errors_still_yield_the_intact_tags() -> None:
    broken = b"def ok():\n    return 1\n\ndef broken(:\n    pass\n\nclass After:\n    pass\n"
    found = rows(extract_tags("broken.py", broken))
    assert (0, "ok", "def", "function") in found
    assert (6, "After", "def", "class") in found


def test_non_utf8_bytes_do_not_crash_and_names_are_replaced() -> None:
    latin1 = "def caf\xe9():\n    return na\xefve()\n\ndef plain():\n    pass\n".encode("latin-1")
    tags = extract_tags("legacy.py", latin1)
    assert (3, "plain", "def", "function") in rows(tags)
    # tree-sitter stops the name at the stray byte; whatever it keeps decodes cleanly
    assert [t.name for t in tags if t.line == 0 and t.kind is TagKind.DEFINITION] == ["caf"]
    assert all(t.name.encode("utf-8") for t in tags)


@pytest.mark.parametrize(
    ("rel_path", "source", "expected"),
    [
        ("x.js", b"function f\xff() { g('\xfe'); }\nclass A {}\n", (1, "A", "def", "class")),
        ("x.c", b"int \xff\xfe(;\nint ok(void) { return run(); }\n", (1, "ok", "def", "function")),
        ("x.go", b"package p\nfunc Good() {}\nfunc \xff( {\n", (1, "Good", "def", "function")),
        ("x.rb", b"class \xff\n\nclass Fine\nend\n", (2, "Fine", "def", "class")),
        ("x.php", b"<?php\nfunction \xfe(\nclass Kept {}\n", (2, "Kept", "def", "class")),
    ],
)
def test_broken_or_non_utf8_files_in_other_languages_still_yield_tags(
    rel_path: str, source: bytes, expected: tuple[int, str, str, str]
) -> None:
    assert expected in rows(extract_tags(rel_path, source))


@pytest.mark.parametrize("language", sorted(languages_with_tags()))
def test_every_language_survives_empty_and_garbage_input(language: str) -> None:
    extractor = TagExtractor()
    assert extractor.extract("empty", b"", language=language) == []
    assert isinstance(extractor.extract("garbage", bytes(range(256)) * 8, language=language), list)


def test_cpp_header_is_parsed_with_the_cpp_grammar() -> None:
    header = b"class Widget : public Base {\npublic:\n    void draw();\n};\n"
    found = rows(extract_tags("include/widget.h", header))
    assert (0, "Widget", "def", "class") in found
    assert (0, "Base", "ref", "inherit") in found
    assert (2, "draw", "def", "method") in found


def test_query_fragments_are_not_languages() -> None:
    assert {"ecma", "jsx"}.isdisjoint(languages_with_tags())


def test_binary_garbage_does_not_crash() -> None:
    garbage = bytes(range(256)) * 64
    assert isinstance(extract_tags("blob.py", garbage), list)


def test_tag_is_a_frozen_value() -> None:
    tag = Tag("a.py", "f", TagKind.DEFINITION, 0, "function")
    assert tag == Tag("a.py", "f", TagKind.DEFINITION, 0, "function")
    assert hash(tag) == hash(Tag("a.py", "f", TagKind.DEFINITION, 0, "function"))
    assert TagKind("def") is TagKind.DEFINITION and TagKind("ref") is TagKind.REFERENCE


def test_tags_version_is_a_stable_hash_of_queries_and_grammars() -> None:
    assert tags_module._compute_version() == TAGS_VERSION
    assert len(TAGS_VERSION) == 16 and int(TAGS_VERSION, 16) >= 0


def test_query_is_compiled_once_per_language() -> None:
    extractor = TagExtractor()
    extractor.extract("a.py", SOURCE)
    compiled = extractor._compiled("python")
    extractor.extract("b.py", SOURCE)
    assert extractor._compiled("python") is compiled


def test_incremental_reparse_after_edit_finds_the_new_function() -> None:
    extractor = TagExtractor()
    parser = extractor.parser("python")
    old_source = b"def first():\n    pass\n"
    tree = parser.parse(old_source)
    insert = b"def second():\n    first()\n"
    new_source = old_source + insert
    tree.edit(
        start_byte=len(old_source),
        old_end_byte=len(old_source),
        new_end_byte=len(new_source),
        start_point=(2, 0),
        old_end_point=(2, 0),
        new_end_point=(4, 0),
    )
    new_tree = parser.parse(new_source, tree)
    found = rows(extractor.extract_tree("a.py", new_tree, new_source, "python"))
    assert found == [
        (0, "first", "def", "function"),
        (2, "second", "def", "function"),
        (3, "first", "ref", "call"),
    ]


def test_extractor_is_safe_to_share_between_threads() -> None:
    extractor = TagExtractor()
    expected = extractor.extract("a.py", SOURCE)
    results: list[list[Tag]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(extractor.extract("a.py", SOURCE))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 80 and all(result == expected for result in results)


def test_each_thread_gets_its_own_parser() -> None:
    extractor = TagExtractor()
    mine = extractor.parser("python")
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(extractor.parser("python")))
    thread.start()
    thread.join()
    assert extractor.parser("python") is mine
    assert theirs[0] is not mine


def test_imported_paths_are_split_into_named_components() -> None:
    assert path_components("./money/format.js") == ["money", "format"]
    assert path_components("../../lib/types.d.ts") == ["lib", "types"]
    assert path_components("@shop/analytics") == ["shop", "analytics"]
    assert path_components("<sys/types.h>") == ["sys", "types"]
    assert path_components('"util/strings.h"') == ["util", "strings"]
    assert path_components("github.com/acme/shop/billing") == [
        "github.com", "acme", "shop", "billing",
    ]  # fmt: skip
    assert path_components("lodash.debounce") == ["lodash.debounce"]
    assert path_components("./") == []


def test_inherited_queries_come_before_the_languages_own() -> None:
    tsx = query_text("tsx")
    assert query_text("typescript") in tsx
    assert tsx.index("jsx_opening_element") > tsx.index("interface_declaration")


def test_extract_tree_on_a_fresh_extractor_compiles_its_language_without_deadlock() -> None:
    tree = TagExtractor().parser("go").parse(b"package main\n\nfunc main() { run() }\n")
    fresh = TagExtractor()
    result: list[list[Tag]] = []
    worker = threading.Thread(
        target=lambda: result.append(
            fresh.extract_tree("main.go", tree, b"package main\n\nfunc main() { run() }\n", "go")
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing threshold
    assert result, "extract_tree did not return"
    assert (2, "main", "def", "function") in rows(result[0])


def test_undecodable_bytes_inside_a_captured_node_are_replaced() -> None:
    found = rows(extract_tags("x.js", b'import a from "./lib/caf\xe9";\n'))
    assert (0, "lib", "ref", "import") in found
    assert (0, "caf\ufffd", "ref", "import") in found


def test_capitalized_and_upper_case_filters_keep_only_matching_names() -> None:
    python = rows(extract_tags("a.py", b"f(_Private, lower, MAX_SIZE, _)\n"))
    assert (0, "_Private", "ref", "type") in python
    assert (0, "MAX_SIZE", "ref", "type") in python
    assert not {"lower", "_"} & {name for _, name, _, _ in python}
    c = rows(extract_tags("a.c", b"int f(void) { return X + MAX_LEN + Mixed + lower; }\n"))
    assert (0, "MAX_LEN", "ref", "macro") in c
    assert not {"X", "Mixed", "lower"} & {name for _, name, _, _ in c}


def test_rows_summarize_and_pack_as_the_tags_do() -> None:
    from orchard.repomap.cache import decode_tags, encode_rows, encode_tags, symbols_of_rows
    from orchard.repomap.graph import FileSymbols

    source = (
        b"import os\nfrom shop.money import Money\n\n\nclass Cart(Base):\n"
        b"    def total(self):\n        return Money(sum(x.price for x in self.items))\n\n"
        b"    def total(self, other):\n        return os.path.join(Money(1), Money(2))\n"
    )
    extractor = TagExtractor()
    tags = extractor.extract("shop/cart.py", source, "python")
    rows = extractor.rows(source, "python")
    assert len(rows) == len(tags) > 5
    assert symbols_of_rows(rows) == FileSymbols.from_tags(tags)
    assert decode_tags("shop/cart.py", encode_rows(rows)) == tags
    assert decode_tags("shop/cart.py", encode_tags(tags)) == tags
