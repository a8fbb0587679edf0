"""Rendering a ranked map as text within a token budget, with grep-ast's TreeContext.

Each chosen definition is shown with its enclosing scopes, under its file's path. The number of
definitions shown is found by binary search; the text is then topped up with further paths and
counted exactly, so it never exceeds the budget. It must not rank or read files.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import tree_sitter
from grep_ast import TreeContext

from orchard.repomap.rank import RankedEntry
from orchard.repomap.tokens import count_tokens

log = logging.getLogger(__name__)

_CONTEXT_CACHE = 512


@dataclass(frozen=True, slots=True)
class FileView:
    """What rendering needs of one file: its text, its parse tree, and its definitions' lines."""

    rel_path: str
    key: str  # changes whenever the text does (content sha)
    text: str
    tree: tree_sitter.Tree | None
    def_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A map's text, the files it shows in order, and its exact token count."""

    text: str
    files: tuple[str, ...]
    tokens: int


class ScopedContext(TreeContext):
    """grep-ast's TreeContext over a tree we already parsed (any grammar, .h and .tsx right)."""

    def __init__(self, text: str, tree: tree_sitter.Tree) -> None:
        self.filename = ""
        self.color = self.verbose = self.line_number = False
        self.parent_context, self.child_context, self.last_line = True, False, False
        self.margin, self.loi_pad, self.header_max = 0, 0, 10
        self.mark_lois, self.show_top_of_file_parent_scope = False, False
        self.lines = text.splitlines()
        self.num_lines = len(self.lines) + 1
        self.output_lines: dict[int, str] = {}
        self.scopes: list[set[int]] = [set() for _ in range(self.num_lines)]
        self.header: list = [[] for _ in range(self.num_lines)]
        self.nodes: list[list[tree_sitter.Node]] = [[] for _ in range(self.num_lines)]
        self._walk(tree.root_node)
        self.show_lines: set[int] = set()
        self.lines_of_interest: set[int] = set()

    def _walk(self, root: tree_sitter.Node) -> None:
        # Same scopes and headers as TreeContext.walk_tree, in O(nodes + lines): a line's scopes
        # only depend on the farthest end among the nodes starting on each line. Iterative, so
        # deep trees cannot overflow the stack; named nodes only (punctuation adds no scope).
        last = self.num_lines - 1
        farthest: dict[int, int] = {}
        multi: dict[int, list[int]] = {}  # start line -> [multi-line node count, smallest size]
        stack = [root]
        while stack:
            node = stack.pop()
            start, end = min(node.start_point[0], last), min(node.end_point[0], last)
            if end > farthest.get(start, -1):
                farthest[start] = end
            if end > start:
                seen = multi.setdefault(start, [0, end - start])
                seen[0] += 1
                seen[1] = min(seen[1], end - start)
            stack.extend(node.named_children)
        for start, end in farthest.items():
            for i in range(start, end + 1):
                self.scopes[i].add(start)
        for i in range(self.num_lines):
            count, size = multi.get(i, (0, 0))
            if count > 1:  # TreeContext's rule: a lone multi-line node is not a header
                self.header[i] = (i, i + self.header_max if size > self.header_max else i + size)
            else:
                self.header[i] = (i, i + 1)

    def show(self, lines: set[int]) -> str:
        """Return the text with `lines` and their enclosing scopes shown, the rest elided."""
        self.lines_of_interest = set()
        self.show_lines = set()
        self.add_lines_of_interest(lines)
        self.add_context()
        return str(self.format())


class MapRenderer:
    """Renders ranked entries to text; keeps per-file contexts and chunks between calls."""

    def __init__(self, count: Callable[[str], int] = count_tokens) -> None:
        self.count = count
        self._contexts: OrderedDict[tuple[str, str], ScopedContext | None] = OrderedDict()
        self._chunks: dict[tuple[str, str, frozenset[str]], tuple[str, int]] = {}

    def render(
        self,
        entries: Sequence[RankedEntry],
        more_files: Sequence[str],
        view: Callable[[str], FileView | None],
        budget: int,
    ) -> Rendered:
        """Render as many top entries as fit in `budget` tokens, then as many further paths."""
        if len(self._chunks) > 20_000:
            self._chunks.clear()
        low, high, best = 0, len(entries), 0
        # Gallop up from a few entries first: probing the middle of thousands of entries would
        # render files that can never fit.
        probe = 16
        while probe < high:
            if self._estimate(entries[:probe], view) > budget:
                high = probe
                break
            low = best = probe
            probe *= 2
        while low <= high:
            middle = (low + high) // 2
            if self._estimate(entries[:middle], view) <= budget:
                best, low = middle, middle + 1
            else:
                high = middle - 1
        chosen = _group(entries[:best])
        parts = [self._chunk(path, names, view)[0] for path, names in chosen.items()]
        shown = list(chosen)
        used = sum(self._chunk(path, names, view)[1] for path, names in chosen.items())
        for path in more_files:
            if path in chosen:
                continue
            cost = self.count(path + "\n")
            if used + cost > budget:
                continue
            parts.append(path + "\n")
            shown.append(path)
            used += cost
        return self._fit(parts, shown, budget)

    def _fit(self, parts: list[str], shown: list[str], budget: int) -> Rendered:
        # Chunk counts add up almost exactly; the exact count of the joined text is the judge.
        while parts:
            text = "".join(parts)
            tokens = self.count(text)
            if tokens <= budget:
                return Rendered(text, tuple(shown), tokens)
            parts.pop()
            shown.pop()
        return Rendered("", (), 0)

    def _estimate(
        self, entries: Sequence[RankedEntry], view: Callable[[str], FileView | None]
    ) -> int:
        return sum(self._chunk(p, n, view)[1] for p, n in _group(entries).items())

    def _chunk(
        self, rel_path: str, names: frozenset[str], view: Callable[[str], FileView | None]
    ) -> tuple[str, int]:
        found = view(rel_path)
        key = (rel_path, found.key if found else "", names)
        cached = self._chunks.get(key)
        if cached is None:
            text = self._text(rel_path, names, found)
            cached = (text, self.count(text))
            self._chunks[key] = cached
        return cached

    def _text(self, rel_path: str, names: frozenset[str], found: FileView | None) -> str:
        lines = {
            line for name in names for line in (found.def_lines.get(name, ()) if found else ())
        }
        if not lines or found is None:
            return rel_path + "\n"
        context = self._context(found)
        if context is None:
            shown = found.text.splitlines()
            body = "".join(f"│{shown[i]}\n" for i in sorted(lines) if i < len(shown))
        else:
            body = context.show(lines)
        return f"{rel_path}:\n{body}"

    def _context(self, found: FileView) -> ScopedContext | None:
        key = (found.rel_path, found.key)
        if key in self._contexts:
            self._contexts.move_to_end(key)
            return self._contexts[key]
        context = ScopedContext(found.text, found.tree) if found.tree is not None else None
        self._contexts[key] = context
        while len(self._contexts) > _CONTEXT_CACHE:
            self._contexts.popitem(last=False)
        return context


def _group(entries: Sequence[RankedEntry]) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for entry in entries:
        names = grouped.setdefault(entry.rel_path, set())
        if entry.name:
            names.add(entry.name)
    return {path: frozenset(names) for path, names in grouped.items()}
