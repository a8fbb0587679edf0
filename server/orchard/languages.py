"""The language table both the repo map and lint use: which tree-sitter-language-pack grammar a
file is in, from its name (for `.h`, also its text). Owns the extension table and the C-versus-C++
header sniffing; it must not parse or read files.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Extensions whose language has a tags query, plus common ones shown by path only. Names are
# tree-sitter-language-pack's (csharp, not c_sharp; tsx is its own grammar, not typescript).
_EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".h++": "cpp",
    ".ipp": "cpp",
    ".inl": "cpp",
    ".tpp": "cpp",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".rake": "ruby",
    ".gemspec": "ruby",
    ".php": "php",
    ".phtml": "php",
    # Shown by path (no tags query yet); named so other areas (lint) can still pick a grammar.
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".scala": "scala",
    ".swift": "swift",
    ".lua": "lua",
    ".sh": "bash",
    ".bash": "bash",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".mli": "ocaml_interface",
    ".dart": "dart",
    ".zig": "zig",
    ".jl": "julia",
    ".r": "r",
    ".sql": "sql",
    ".css": "css",
    ".scss": "scss",
    ".html": "html",
    ".htm": "html",
    ".vue": "vue",
    ".svelte": "svelte",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".proto": "proto",
    ".tf": "hcl",
    ".hcl": "hcl",
    ".cmake": "cmake",
    ".el": "elisp",
    ".clj": "clojure",
    ".m": "objc",
    ".cu": "cuda",
    ".f90": "fortran",
    ".pl": "perl",
    ".pm": "perl",
    ".graphql": "graphql",
    ".gql": "graphql",
}

_FILENAMES: dict[str, str] = {
    "Rakefile": "ruby",
    "Gemfile": "ruby",
    "Dockerfile": "dockerfile",
    "CMakeLists.txt": "cmake",
    "Makefile": "make",
    "go.mod": "gomod",
}

# A header is C++ when a line starts with a C++-only construct, or it uses the scope operator.
# `extern "C"` guarded by `__cplusplus` is common in plain C headers, so it does not count.
_CPP_HEADER = re.compile(
    rb"^[ \t]*(?:template[ \t]*<|class[ \t]+[A-Za-z_]|namespace\b|using[ \t]+namespace\b"
    rb"|(?:public|private|protected)[ \t]*:|typename\b|constexpr\b)"
    rb"|\b(?:std|boost)::|\w::~?\w",
    re.MULTILINE,
)
_COMMENTS = re.compile(rb"/\*.*?(?:\*/|\Z)|//[^\n]*", re.DOTALL)  # "@see llvm::Error" is not C++
_SNIFF_BYTES = 64 * 1024


def language_for(path: str, text: bytes | None = None) -> str | None:
    """Return the tree-sitter-language-pack name for path, or None when unknown."""
    pure = PurePosixPath(path.replace("\\", "/"))
    by_name = _FILENAMES.get(pure.name)
    if by_name is not None:
        return by_name
    suffix = pure.suffix
    language = _EXTENSIONS.get(suffix) or _EXTENSIONS.get(suffix.lower())
    if language == "c" and suffix == ".h" and text is not None and looks_like_cpp(text):
        return "cpp"
    return language


def looks_like_cpp(text: bytes) -> bool:
    """Tell whether a header's text uses C++ (classes, namespaces, templates, access labels, ::)."""
    code = _COMMENTS.sub(b" ", text[:_SNIFF_BYTES])
    return _CPP_HEADER.search(code) is not None
