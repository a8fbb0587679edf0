"""Which language a file is in, for linting: the repo map's table, then grep-ast's, then `.scm`.

The extension table and the C-versus-C++ header sniffing live in `orchard/languages.py`, so a
file is parsed as the same language whether it is mapped or linted. Added here: grep-ast's wider
table for names the repo map does not list, and telling tree-sitter query files from Scheme.
"""

from __future__ import annotations

import re
from pathlib import Path

from orchard.grammars import filename_to_lang
from orchard.languages import language_for

# `.scm` is Scheme's suffix and tree-sitter's for queries; captures and predicates tell them apart.
_QUERY_HINTS = re.compile(r"@[A-Za-z_][\w.]*|\(#[a-z-]+[?!]")
_SNIFF_CHARS = 64 * 1024


def detect_language(path: Path | str, text: str | None = None) -> str | None:
    """Return the tree-sitter language name for `path`, or None when Orchard has no grammar."""
    path = Path(path)
    if path.suffix.lower() == ".scm" and (
        "queries" in path.parts or (text is not None and _QUERY_HINTS.search(text))
    ):
        return "query"
    sniff = text[:_SNIFF_CHARS].encode("utf-8", "replace") if text is not None else None
    language = language_for(path.as_posix(), sniff) or filename_to_lang(path.name)
    return str(language) if language else None
