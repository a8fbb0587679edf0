"""The syntax layer: tree-sitter ERROR and MISSING nodes as diagnostics with readable messages.

One of the two homes of tree-sitter (with repomap/tags.py; neither imports the other).
Synchronous and fast enough for every keystroke (incremental per document); callers keep it
off the event loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orchard.grammars import Node, Parser, Query, QueryCursor, Tree, get_language, get_parser
from orchard.lint.diagnostic import SYNTAX_SOURCE, Diagnostic, Related, Severity

log = logging.getLogger(__name__)

MAX_DIAGNOSTICS = 50
_MAX_LEAVES = 5000
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {close: open_ for open_, close in _OPENERS.items()}
# Node types too generic to name as "the construct" around an error; their parent says more.
_WRAPPER_WORDS = ("block", "body", "list", "arguments", "parameters", "parenthesized")
# Languages whose statements end with `;` (and have no automatic insertion of it).
_SEMICOLON_LANGUAGES = frozenset({"c", "cpp", "java", "rust", "csharp", "php", "kotlin", "scala"})
# A line ending in one of these goes on, so a missing `;` is not the likely problem.
_CONTINUES = tuple(";{}([,=+-*/%&|<>!?:.\\")

# Grammars that accept `<a></b>`: the tag names are compared here.
_JSX_LANGUAGES = frozenset({"javascript", "tsx"})
_JSX_PAIRS = """(jsx_element open_tag: (jsx_opening_element name: (_) @open)
                 close_tag: (jsx_closing_element name: (_) @close))"""

_local = threading.local()
_unknown_languages: set[str] = set()


def parser_for(language: str) -> Parser | None:
    """Return this thread's parser for `language` (parsers are not shared across threads)."""
    cache: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    parser = cache.get(language)
    if parser is None and language not in _unknown_languages:
        try:
            parser = get_parser(language)
        except LookupError:
            _unknown_languages.add(language)
            log.info("no tree-sitter grammar for %s; its files get no syntax check", language)
            return None
        cache[language] = parser
    return parser


def check_syntax(
    text: str, language: str | None, path: Path, document: SyntaxDocument | None = None
) -> list[Diagnostic]:
    """Return the syntax errors tree-sitter finds in `text`, at most MAX_DIAGNOSTICS of them.

    With a `document`, its previous tree is reused so only the edited part is re-parsed.
    """
    parser = parser_for(language) if language else None
    if parser is None or "\x00" in text:  # NUL bytes: binary content, not code to judge
        return []
    source = text.encode("utf-8", errors="surrogatepass")
    if document is None:
        return _read(parser.parse(source), text, source, language, path)
    with document.lock:
        old = document.tree if document.language == language else None
        if old is not None:
            old.edit(**_edit_between(document.source, source))
        tree = parser.parse(source, old) if old is not None else parser.parse(source)
        document.tree, document.source, document.language = tree, source, language
        return _read(tree, text, source, language, path)


class SyntaxDocument:
    """One open document's last parse, so a keystroke re-parses only what it changed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tree: Tree | None = None
        self.source = b""
        self.language: str | None = None


def _read(
    tree: Tree, text: str, source: bytes, language: str | None, path: Path
) -> list[Diagnostic]:
    root = tree.root_node
    reader = _ErrorReader(path, text, source, language)
    if language in _JSX_LANGUAGES and "</" in text:  # no closing tag, nothing to mismatch
        reader.mismatched_tags(root)
    if not root.has_error:
        return reader.diagnostics
    return reader.read(root)


def _edit_between(old: bytes, new: bytes) -> dict[str, Any]:
    """Describe `old` -> `new` as one tree-sitter edit: the span between their common ends."""
    limit = min(len(old), len(new))
    low, high = 0, limit  # longest common prefix, by halving (slice compares run in C)
    while low < high:
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    prefix = low
    low, high = 0, limit - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle :] == new[len(new) - middle :]:
            low = middle
        else:
            high = middle - 1
    old_end, new_end = len(old) - low, len(new) - low
    return {
        "start_byte": prefix,
        "old_end_byte": old_end,
        "new_end_byte": new_end,
        "start_point": _point(old, prefix),
        "old_end_point": _point(old, old_end),
        "new_end_point": _point(new, new_end),
    }


def _point(source: bytes, offset: int) -> tuple[int, int]:
    row = source.count(b"\n", 0, offset)
    return row, offset - (source.rfind(b"\n", 0, offset) + 1)


class _ErrorReader:
    """Walks only the erroneous parts of a tree and words each problem for a human."""

    def __init__(self, path: Path, text: str, source: bytes, language: str | None) -> None:
        self.path = path
        self.language = language
        self.lines = text.split("\n")
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[tuple[int, int, str]] = set()

    def read(self, root: Node) -> list[Diagnostic]:
        stack = [root]
        while stack and len(self.diagnostics) < MAX_DIAGNOSTICS:
            node = stack.pop()
            if node.is_missing:
                self.missing(node)
            elif node.is_error:
                self.error(node, stack)
            elif node.has_error:
                stack.extend(reversed(node.children))
        return _first_per_line(self.diagnostics)

    def missing(self, node: Node) -> None:
        token = node.type
        construct = _construct(node.parent)
        where = f" in {construct}" if construct else ""
        opener = _find_opener(node) if token in _CLOSERS else None
        if opener is not None:
            message = f"expected `{token}` to close `{opener.type}` opened at {self.human(opener)}"
            message += f" in {_construct(opener.parent) or 'this code'}"
            self.add(node, node, "missing", message, opened=opener)
            return
        elif node.is_named:
            message = f"expected {_readable(token)}{where}"
        elif node.next_sibling is None and construct:
            message = f"missing `{token}` at the end of {construct}"
        else:
            message = f"missing `{token}`{where}"
        self.add(node, node, "missing", message)

    def error(self, node: Node, stack: list[Node]) -> None:
        unclosed, stray = _unbalanced(_leaves(node))
        for opener in unclosed:
            construct = _construct(opener.parent) or _construct(node.parent)
            where = f" in {construct}" if construct else ""
            self.add(opener, opener, "unclosed", f"`{opener.type}` is never closed{where}")
        for closer in stray:
            self.add(
                closer,
                closer,
                "unexpected",
                f"unexpected `{closer.type}` with no `{_CLOSERS[closer.type]}` to match",
            )
        if unclosed or stray or self.jsx_tags(node):
            return
        inner = [child for child in node.children if child.has_error or child.is_missing]
        if inner:
            stack.extend(reversed(inner))
            return
        self.unexpected(node)

    def mismatched_tags(self, root: Node) -> None:
        """Report JSX closing tags whose name differs from the tag they close."""
        cursor: QueryCursor = _local.__dict__.setdefault("jsx", {}).get(self.language)
        if cursor is None:
            query = Query(get_language(self.language), _JSX_PAIRS)
            cursor = _local.jsx[self.language] = QueryCursor(query)
        for _, captures in cursor.matches(root):
            opened, closed = captures["open"][0], captures["close"][0]
            if opened.text != closed.text and opened.parent and closed.parent:
                message = (
                    f"`{_text(closed.parent)}` does not close `{_text(opened.parent)}` "
                    f"opened at {self.human(opened.parent)}"
                )
                self.add(closed.parent, closed.parent, "mismatched", message, opened=opened.parent)

    def jsx_tags(self, node: Node) -> bool:
        """Report JSX tags left open or closed by the wrong name; True when any was found."""
        found = False
        for child in node.children:
            if child.type == "jsx_opening_element":
                self.add(child, child, "unclosed", f"`{_text(child)}` is never closed")
                found = True
            elif child.type == "jsx_element":
                opening = child.child_by_field_name("open_tag")
                closing = child.child_by_field_name("close_tag")
                opened = opening.child_by_field_name("name") if opening else None
                closed = closing.child_by_field_name("name") if closing else None
                if opening and closing and opened and closed and opened.text != closed.text:
                    message = (
                        f"`{_text(closing)}` does not close `{_text(opening)}` "
                        f"opened at {self.human(opening)}"
                    )
                    self.add(closing, closing, "mismatched", message, opened=opening)
                    found = True
        return found

    def missing_semicolon(self, node: Node) -> bool:
        """Report a `;` missing at a line end, the usual cause of an error right there."""
        if self.language not in _SEMICOLON_LANGUAGES:
            return False
        row = node.start_point.row
        first = next(_leaves(node))
        if first.end_point.row != row or not self.source[node.end_byte :].strip():
            return False
        line = self.lines[row]
        after = line.encode("utf-8", errors="surrogatepass")[first.end_point.column :]
        stripped = line.rstrip()
        if after.strip() or not stripped or stripped.endswith(_CONTINUES):
            return False
        column = len(stripped)
        self.place(row, column, row, column, "missing", f"missing `;` at the end of line {row + 1}")
        return True

    def unexpected(self, node: Node) -> None:
        if self.missing_semicolon(node):
            return
        found = _first_tokens(node)
        construct = _construct(node.parent)
        where = f" in {construct}" if construct else ""
        rest = self.source[node.end_byte :].strip()
        multiline = node.end_point.row > node.start_point.row
        if multiline and not rest:
            message = f"`{found}` is not finished: the file ends first"
            self.add(node, node, "incomplete", message, first_line_only=True)
        elif multiline:
            message = f"cannot parse from `{found}` to {self.human(node, end=True)}{where}"
            self.add(node, node, "unexpected", message, first_line_only=True)
        else:
            self.add(node, node, "unexpected", f"unexpected `{found}`{where}")

    def add(
        self,
        start: Node,
        end: Node,
        code: str,
        message: str,
        first_line_only: bool = False,
        opened: Node | None = None,
    ) -> None:
        line, column = self.position(start.start_point.row, start.start_point.column)
        end_line, end_column = self.position(end.end_point.row, end.end_point.column)
        if first_line_only and end_line > line:
            end_line, end_column = line, len(self.lines[line].rstrip())
        related: tuple[Related, ...] = ()
        if opened is not None:
            at = self.position(opened.start_point.row, opened.start_point.column)
            to = self.position(opened.end_point.row, opened.end_point.column)
            related = (Related(*at, *to, f"`{_text(opened)}` opened here"),)
        self.place(line, column, end_line, end_column, code, message, related)

    def place(
        self,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        code: str,
        message: str,
        related: tuple[Related, ...] = (),
    ) -> None:
        key = (line, column, message)
        if key in self.seen or len(self.diagnostics) >= MAX_DIAGNOSTICS:
            return
        self.seen.add(key)
        self.diagnostics.append(
            Diagnostic(
                self.path, line, column, end_line, end_column,
                Severity.ERROR, SYNTAX_SOURCE, code, message, related=related,
            )
        )  # fmt: skip

    def position(self, row: int, byte_column: int) -> tuple[int, int]:
        """Turn a tree-sitter (row, byte column) into (line, code-point column)."""
        if row >= len(self.lines):
            return len(self.lines) - 1, len(self.lines[-1])
        line_text = self.lines[row]
        if line_text.isascii():
            return row, byte_column
        prefix = line_text.encode("utf-8", errors="surrogatepass")[:byte_column]
        return row, len(prefix.decode("utf-8", errors="ignore"))

    def human(self, node: Node, end: bool = False) -> str:
        point = node.end_point if end else node.start_point
        line, column = self.position(point.row, point.column)
        return f"{line + 1}:{column + 1}"


def _first_per_line(found: list[Diagnostic]) -> list[Diagnostic]:
    """Keep the first error of each line: later ones there are mostly the parser's echoes."""
    kept: dict[int, Diagnostic] = {}
    for diagnostic in sorted(found, key=lambda d: (d.line, d.column)):
        kept.setdefault(diagnostic.line, diagnostic)
    return list(kept.values())


def _leaves(node: Node) -> Iterator[Node]:
    """Yield the tokens under `node` in order (bounded, so garbage files stay cheap)."""
    stack = [node]
    count = 0
    while stack and count < _MAX_LEAVES:
        current = stack.pop()
        if current.child_count == 0:
            count += 1
            yield current
        else:
            stack.extend(reversed(current.children))


def _unbalanced(tokens: Iterator[Node]) -> tuple[list[Node], list[Node]]:
    """Return the brackets among `tokens` left open, and the closers that match nothing."""
    open_stack: list[Node] = []
    stray: list[Node] = []
    for token in tokens:
        if token.is_missing:
            continue
        if _opener_of(token.type):
            open_stack.append(token)
        elif token.type in _CLOSERS:
            if open_stack and _opener_of(open_stack[-1].type) == _CLOSERS[token.type]:
                open_stack.pop()
            else:
                stray.append(token)
    return open_stack, stray


def _opener_of(kind: str) -> str | None:
    """Return the bracket `kind` opens: `(` for "(", `{` for "#{" or "${" interpolations."""
    if kind in _OPENERS:
        return kind
    if 1 < len(kind) <= 3 and kind[-1] in _OPENERS and not kind[:-1].isalnum():
        return kind[-1]
    return None


def _find_opener(missing: Node) -> Node | None:
    """Find the bracket a MISSING closer would have closed, looking back a few levels up."""
    wanted = _CLOSERS[missing.type]
    node: Node | None = missing
    for _ in range(4):
        if node is None:
            return None
        depth = 0
        sibling = node.prev_sibling
        while sibling is not None:
            if sibling.type == missing.type and not sibling.is_missing:
                depth += 1
            elif sibling.type == wanted:
                if depth == 0:
                    return sibling
                depth -= 1
            sibling = sibling.prev_sibling
        node = node.parent
    return None


def _construct(node: Node | None) -> str | None:
    """Name the nearest meaningful construct at or above `node`, or None at the top level."""
    while node is not None and node.parent is not None:
        kind = node.type
        if not node.is_error and not any(word in kind for word in _WRAPPER_WORDS):
            return _readable(kind)
        node = node.parent
    return None


def _readable(kind: str) -> str:
    return kind.strip("_").replace("_", " ")


def _first_tokens(node: Node, limit: int = 3) -> str:
    """The first few tokens of `node` as written, for "unexpected `...`" messages."""
    end = node.start_byte
    for count, leaf in enumerate(_leaves(node), start=1):
        end = leaf.end_byte
        if count >= limit or leaf.end_point.row > node.start_point.row:
            break
    text = _clip((node.text or b"")[: end - node.start_byte])
    return text.split("\n")[0].strip() or node.type


def _text(node: Node) -> str:
    return _clip(node.text or b"")


def _clip(raw: bytes, limit: int = 40) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
