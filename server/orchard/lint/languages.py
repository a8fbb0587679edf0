"""Which language a file is in, by extension (grep-ast's table) plus Orchard's own fixes.

Names are tree-sitter-language-pack names. No parsing here: only names and cheap content hints.
"""

from __future__ import annotations

import re
from pathlib import Path

from grep_ast import filename_to_lang

# Where grep-ast's table is missing an entry or picks a grammar that cannot parse the file.
_EXTENSION_FIXES = {
    ".tsx": "tsx",
    ".mts": "typescript",
    ".cts": "typescript",
    ".cjs": "javascript",
    ".mjs": "javascript",
    ".jsx": "javascript",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".pyi": "python",
    ".hh": "cpp",
    ".hxx": "cpp",
}

_CPP_HINTS = re.compile(
    r"^\s*(?:class\s+\w+\s*[:{]|namespace\s+\w+|template\s*<|#include\s*<(?:iostream|string|vector|"
    r"memory|map)>|using\s+namespace\b|public:|private:|protected:)|\w+::\w+",
    re.MULTILINE,
)
# `.scm` is Scheme's suffix and tree-sitter's for queries; captures and predicates tell them apart.
_QUERY_HINTS = re.compile(r"@[A-Za-z_][\w.]*|\(#[a-z-]+[?!]")


def detect_language(path: Path | str, text: str | None = None) -> str | None:
    """Return the tree-sitter language name for `path`, or None when Orchard has no grammar."""
    name = Path(path).name
    suffix = Path(name).suffix.lower()
    language = _EXTENSION_FIXES.get(suffix) or filename_to_lang(name)
    if language == "c" and suffix == ".h" and text is not None and _CPP_HINTS.search(text):
        return "cpp"
    if suffix == ".scm" and (
        "queries" in Path(path).parts or (text is not None and _QUERY_HINTS.search(text))
    ):
        return "query"
    return str(language) if language else None
