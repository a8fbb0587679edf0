"""Tree-sitter tags: the definitions and references of one file, found by our `queries/*.scm`.

One of the two homes of tree-sitter (the other is `lint/syntax.py`). It parses and queries only;
it must not read files, decide what to skip, rank, or know about editors.

Queries name their captures `@name.definition.<category>` or `@name.reference.<category>`; other
captures (`@_helper`) are ignored. One node yields at most one tag: a definition beats a reference,
and between two captures of the same kind the capture name first used later in the query file
wins, so queries list generic patterns first (a function in a class body is a method).
`@path.reference.import` captures a module path (`"./util/strings.js"`): each component becomes
an import reference (`util`, `strings`); `@module.reference.<category>` does the same for a dotted
name (`Shop.Billing`), and `@module.definition.<category>` defines its last part (`Billing`);
`@names.reference.<category>` captures a subtree (`use a::b::{C, D}`) whose every identifier leaf
is a reference; `@cap.*` / `@upper.*` keep a name only if capitalized / all upper case.
A first line `; inherits: a, b` prepends `a-tags.scm` (or the fragment `a.scm`), then `b`.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from orchard.grammars import Language, Node, Parser, Query, QueryCursor, Tree, get_language
from orchard.repomap.languages import language_for, languages_with_tags

log = logging.getLogger(__name__)

# Bump when the extraction logic (not a query) changes what tags come out of the same bytes.
_EXTRACTOR_REVISION = "1"


class TagKind(enum.StrEnum):
    """Whether a tag defines a name or refers to one."""

    DEFINITION = "def"
    REFERENCE = "ref"


KINDS = {kind.value: kind for kind in TagKind}


@dataclass(frozen=True, slots=True)
class Tag:
    """One named definition or reference in one file."""

    rel_path: str  # posix path relative to the repository root
    name: str  # the identifier
    kind: TagKind
    line: int  # 0-based line of the name
    category: str  # "function", "class", "method", "call", "import", "type", "inherit", ...


DEFINITION_CATEGORIES = frozenset(
    {
        "function",
        "method",
        "class",
        "interface",
        "struct",
        "enum",
        "trait",
        "type",
        "module",
        "constant",
        "variable",
        "field",
        "macro",
    }
)
REFERENCE_CATEGORIES = frozenset({"call", "import", "type", "inherit", "macro"})


_INHERITS = re.compile(r"\A;\s*inherits:\s*([\w, ]+)")
# Source extensions dropped from the last component of an imported path.
_PATH_EXTENSIONS = frozenset(
    {".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".py", ".rb", ".php"}
    | {".h", ".hh", ".hpp", ".hxx", ".c", ".cc", ".cpp", ".go", ".rs"}
)
_DEFINES = ("node", "module", "cap", "upper")  # expansions that may define a name
FILTERS = ("cap", "upper")  # node captures kept only when their text passes a cheap byte test
_PATH_SEPARATORS = re.compile(r"[/\\]+")


TagRow = tuple[int, str, str, str]  # (line, name, kind value, category): sorts as tags must


@dataclass(frozen=True, slots=True)
class _Capture:
    kind: TagKind
    category: str
    priority: int  # later in the query file wins
    # "node": its text; "cap"/"upper": its text if capitalized / all upper case; "path"/"module":
    # path or dotted parts; "names": identifier leaves
    expand: str = "node"

    @property
    def kind_value(self) -> str:
        return self.kind.value

    @property
    def rank(self) -> int:
        """Order between two captures of one node: any definition, then the later capture."""
        return self.priority + (1 << 20 if self.kind is TagKind.DEFINITION else 0)


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    query: Query
    captures: dict[str, _Capture]


def _query_file(name: str) -> str:
    folder = files("orchard.repomap") / "queries"
    tags_file = folder / f"{name}-tags.scm"
    return (tags_file if tags_file.is_file() else folder / f"{name}.scm").read_text("utf-8")


def query_text(language: str) -> str:
    """Return the full tags query of `language`, with its inherited queries first."""
    own = _query_file(language)
    inherits = _INHERITS.match(own)
    if inherits is None:
        return own
    parents = [name.strip() for name in inherits.group(1).split(",") if name.strip()]
    return "\n".join([*(query_text(parent) for parent in parents), own])


def _compute_version() -> str:
    import importlib.metadata  # 10 ms, which parsing workers (they need no version) skip

    digest = hashlib.sha256(_EXTRACTOR_REVISION.encode())
    folder = files("orchard.repomap") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".scm"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    for package in ("tree-sitter-language-pack", "tree-sitter"):
        digest.update(f"{package}={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()[:16]


TAGS_VERSION: str  # computed on first use (see __getattr__)


def __getattr__(name: str) -> str:
    # TAGS_VERSION reads every query file and two packages' metadata: only a process that
    # keys the cache asks for it, never a parsing worker.
    if name == "TAGS_VERSION":
        version = _compute_version()
        globals()["TAGS_VERSION"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _parse_capture_name(name: str, priority: int) -> _Capture | None:
    parts = name.split(".")
    if len(parts) != 3 or parts[0] not in ("name", "names", "path", "module", *FILTERS):
        return None
    expand = "node" if parts[0] == "name" else parts[0]
    if parts[1] == "definition" and parts[2] in DEFINITION_CATEGORIES and expand in _DEFINES:
        return _Capture(TagKind.DEFINITION, parts[2], priority, expand)
    if parts[1] == "reference" and parts[2] in REFERENCE_CATEGORIES:
        return _Capture(TagKind.REFERENCE, parts[2], priority, expand)
    raise ValueError(f"unknown tags capture @{name}")


class TagExtractor:
    """Parses files and runs the tags query of their language.

    Thread-safe: languages and queries are compiled once per language and shared; parsers are
    kept per thread because a tree-sitter parser must not be used by two threads at once.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()  # compiling a query loads its language under the lock
        self._languages: dict[str, Language] = {}
        self._queries: dict[str, CompiledQuery | None] = {}
        self._local = threading.local()

    def language(self, language: str) -> Language:
        """Return the tree-sitter grammar called `language` (loaded once)."""
        found = self._languages.get(language)
        if found is None:
            with self._lock:
                found = self._languages.get(language)
                if found is None:
                    found = get_language(language)
                    self._languages[language] = found
        return found

    def parser(self, language: str) -> Parser:
        """Return this thread's parser for `language`."""
        parsers: dict[str, Parser] | None = getattr(self._local, "parsers", None)
        if parsers is None:
            parsers = {}
            self._local.parsers = parsers
        found = parsers.get(language)
        if found is None:
            found = Parser(self.language(language))
            parsers[language] = found
        return found

    def has_query(self, language: str) -> bool:
        """Tell whether `language` has a tags query."""
        return language in languages_with_tags()

    def extract(self, rel_path: str, source: bytes, language: str | None = None) -> list[Tag]:
        """Parse `source` and return its tags, sorted; [] for languages without a query."""
        language = language or language_for(rel_path, source)
        if language is None or not self.has_query(language):
            return []
        tree = self.parser(language).parse(source)
        return self.extract_tree(rel_path, tree, source, language)

    def extract_tree(self, rel_path: str, tree: Tree, source: bytes, language: str) -> list[Tag]:
        """Run the tags query of `language` over an already parsed tree of `source`."""
        return [
            Tag(rel_path, name, KINDS[kind], line, category)
            for line, name, kind, category in self.tree_rows(tree, source, language)
        ]

    def rows(self, source: bytes, language: str) -> list[TagRow]:
        """Parse `source` and return its tags as sorted (line, name, kind value, category) rows.

        What `extract` returns, without building Tag objects (the cold index's workers need only
        the rows); [] for languages without a query.
        """
        if not self.has_query(language):
            return []
        return self.tree_rows(self.parser(language).parse(source), source, language)

    def tree_rows(self, tree: Tree, source: bytes, language: str) -> list[TagRow]:
        """Run the tags query of `language` over a parsed tree; sorted rows, as `rows` gives."""
        compiled = self._compiled(language)
        if compiled is None:
            return []
        found = QueryCursor(compiled.query).captures(tree.root_node)
        # Hot path (the cold index is measured against it): plain tuples, Tags built once at the
        # end. One tag per node: a definition beats a reference, then the later capture wins.
        best: dict[int, tuple[int, _Capture, Node]] = {}
        rows: set[TagRow] = set()
        for capture_name, nodes in found.items():
            capture = compiled.captures.get(capture_name)
            if capture is None:
                continue
            if capture.expand in FILTERS:
                nodes = filtered_nodes(capture.expand, nodes, source)
            elif capture.expand != "node":
                rows.update(expanded_rows(capture, nodes, source))
                continue
            rank = capture.rank
            for node in nodes:
                start = node.start_byte
                seen = best.get(start)
                if seen is None or seen[0] < rank:
                    best[start] = (rank, capture, node)
        for _, capture, node in best.values():
            name = source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
            rows.add((node.start_point[0], name, capture.kind_value, capture.category))
        return sorted(rows)

    def compiled(self, language: str) -> CompiledQuery | None:
        """Return the compiled tags query of `language` (None without one), compiled once."""
        return self._compiled(language)

    def _compiled(self, language: str) -> CompiledQuery | None:
        if language in self._queries:
            return self._queries[language]
        with self._lock:
            if language not in self._queries:
                self._queries[language] = self._compile(language)
            return self._queries[language]

    def _compile(self, language: str) -> CompiledQuery | None:
        if not self.has_query(language):
            return None
        query = Query(self.language(language), query_text(language))
        captures: dict[str, _Capture] = {}
        for index in range(query.capture_count):
            name = query.capture_name(index)
            parsed = _parse_capture_name(name, index)
            if parsed is not None:
                captures[name] = parsed
        log.debug("compiled %s tags query: %d captures", language, len(captures))
        return CompiledQuery(query, captures)


def filtered_nodes(test: str, nodes: list[Node], source: bytes) -> list[Node]:
    """Keep capitalized (`_Order`, `Order`) or all-upper-case (`MAX_SIZE`) names.

    Tested on the bytes in Python: a `#match?` predicate on a capture as common as every
    identifier costs more than the rest of the query together.
    """
    if test == "cap":
        return [node for node in nodes if _starts_upper(source, node.start_byte)]
    return [
        node
        for node in nodes
        if node.end_byte - node.start_byte > 1 and source[node.start_byte : node.end_byte].isupper()
    ]


def _starts_upper(source: bytes, start: int) -> bool:
    first = source[start : start + 2].lstrip(b"_")[:1]
    return b"A" <= first <= b"Z" and first != b""


def expanded_rows(capture: _Capture, nodes: list[Node], source: bytes) -> list[TagRow]:
    rows: list[TagRow] = []
    kind, category = capture.kind_value, capture.category
    for node in nodes:
        if capture.expand in ("path", "module"):
            line = node.start_point[0]
            names = path_components(_text(source, node))
            if capture.expand == "module":  # "shop.util" names modules shop and util
                names = [part for name in names for part in name.split(".") if part]
                if capture.kind is TagKind.DEFINITION:
                    names = names[-1:]
            rows.extend((line, name, kind, category) for name in names)
        else:
            leaves = _identifier_leaves(node)
            rows.extend(
                (leaf.start_point[0], _text(source, leaf), kind, category) for leaf in leaves
            )
    return rows


def _identifier_leaves(node: Node) -> list[Node]:
    """Return the named leaves under node whose type is an identifier or a name, in order."""
    leaves: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.named_child_count == 0:
            if current.is_named and (current.type.endswith("identifier") or current.type == "name"):
                leaves.append(current)
            continue
        stack.extend(reversed(current.named_children))
    return leaves


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def path_components(path: str) -> list[str]:
    """Split an imported path (`"./lib/util.js"`, `<sys/types.h>`) into its named components."""
    parts = [part for part in _PATH_SEPARATORS.split(path.strip("\"'<>` ")) if part]
    names = [part.lstrip("@~") for part in parts if part not in (".", "..")]
    if names:
        stem, dot, extension = names[-1].rpartition(".")
        if dot and stem and f".{extension}" in _PATH_EXTENSIONS:
            names[-1] = stem.removesuffix(".d")
    return [name for name in names if name]


@cache
def default_extractor() -> TagExtractor:
    """Return this process's shared extractor."""
    return TagExtractor()


def extract_tags(rel_path: str, source: bytes) -> list[Tag]:
    """Return the tags of one file's bytes, with the language chosen from its path."""
    return default_extractor().extract(rel_path, source)
