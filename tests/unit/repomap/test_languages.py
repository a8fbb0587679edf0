"""Choosing a grammar from a path (and, for `.h`, from the text)."""

from __future__ import annotations

import pytest

from orchard.repomap.languages import language_for, languages_with_tags, looks_like_cpp


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("pkg/mod.py", "python"),
        ("stubs/mod.pyi", "python"),
        ("web/app.js", "javascript"),
        ("web/app.mjs", "javascript"),
        ("web/app.cjs", "javascript"),
        ("web/App.jsx", "javascript"),
        ("web/app.ts", "typescript"),
        ("web/App.tsx", "tsx"),
        ("cmd/main.go", "go"),
        ("src/lib.rs", "rust"),
        ("src/Main.java", "java"),
        ("src/main.c", "c"),
        ("src/main.cc", "cpp"),
        ("src/main.cpp", "cpp"),
        ("src/main.cxx", "cpp"),
        ("include/vec.hpp", "cpp"),
        ("src/Program.cs", "csharp"),
        ("lib/shop.rb", "ruby"),
        ("Rakefile", "ruby"),
        ("src/Shop.php", "php"),
        ("SRC/MAIN.CPP", "cpp"),
        ("windows\\style\\path.py", "python"),
    ],
)
def test_language_is_chosen_from_the_extension(path: str, language: str) -> None:
    assert language_for(path) == language


@pytest.mark.parametrize("path", ["README", "notes.txt", "image.png", "archive.tar.gz", ""])
def test_unknown_files_have_no_language(path: str) -> None:
    assert language_for(path) is None


@pytest.mark.parametrize(
    "header",
    [
        b"#pragma once\nnamespace geo {\nstruct P { int x; };\n}\n",
        b"class Widget : public Base {\npublic:\n  void draw();\n};\n",
        b"template <typename T>\nT max_of(T a, T b);\n",
        b"#include <vector>\nstd::vector<int> values();\n",
        b"struct S {\n  private:\n    int x;\n};\n",
        b"int Widget::count = 0;\n",
    ],
)
def test_header_with_cpp_constructs_is_cpp(header: bytes) -> None:
    assert looks_like_cpp(header)
    assert language_for("include/widget.h", header) == "cpp"


@pytest.mark.parametrize(
    "header",
    [
        b"#ifndef UTIL_H\n#define UTIL_H\nstruct point { int x, y; };\nint add(int a, int b);\n",
        b'#ifdef __cplusplus\nextern "C" {\n#endif\nvoid f(void);\n#ifdef __cplusplus\n}\n#endif\n',
        b"typedef struct { char *klass; } obj; /* a class-like object */\n",
        b"",
        b"/* @see llvm::MemoryBuffer, ff02::1 */\nvoid f(void); // see Module::get()\n",
        b"/* Include this namespace with <stddef.h>;\n   class of objects */\nint g(void);\n",
    ],
)
def test_plain_c_header_stays_c(header: bytes) -> None:
    assert not looks_like_cpp(header)
    assert language_for("include/util.h", header) == "c"


def test_header_without_text_is_c() -> None:
    assert language_for("include/util.h") == "c"


def test_languages_with_tags_lists_shipped_queries() -> None:
    languages = languages_with_tags()
    assert "python" in languages
    assert all(language_for(f"x.{ext}") in languages for ext in ("py", "ts", "tsx", "go", "h"))
