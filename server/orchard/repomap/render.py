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
from itertools import pairwise

from orchard.grammars import Node, Tree, TreeContext
from orchard.repomap.rank import RankedEntry
from orchard.repomap.tokens import count_tokens

log = logging.getLogger(__name__)

_CONTEXT_CACHE = 512
_PATH_MISSES = 50  # paths tried in vain before the map is declared full
MAX_LINE = 160  # characters of a shown line; the rest of a very long line is cut
DEFINITION_SHARE = 0.75  # of the budget, for definitions; the rest lists further files by path


@dataclass(frozen=True, slots=True)
class FileView:
    """What rendering needs of one file: its text, its parse tree, and its definitions' lines."""

    rel_path: str
    key: str  # changes whenever the text does (content sha)
    text: str
    tree: Tree | None
    def_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A map's text, the files it shows in order, and its exact token count."""

    text: str
    files: tuple[str, ...]
    tokens: int


class ScopedContext(TreeContext):
    """grep-ast's TreeContext over a tree we already parsed (any grammar, .h and .tsx right).

    TreeContext walks every node of the file up front; for a 10,000-line file that is most of a
    second. This finds a line's scopes on demand instead, from the ancestors of the node at the
    line's first character, and a scope's header from the nodes that start on its line.
    """

    def __init__(self, text: str, tree: Tree) -> None:
        self.filename = ""
        self.color = self.verbose = self.line_number = False
        self.parent_context, self.child_context, self.last_line = True, False, False
        self.margin, self.loi_pad, self.header_max = 0, 0, 10
        self.mark_lois, self.show_top_of_file_parent_scope = False, False
        self.lines = text.splitlines()
        self.num_lines = len(self.lines) + 1
        self.output_lines: dict[int, str] = {}
        self.show_lines: set[int] = set()
        self.lines_of_interest: set[int] = set()
        self.done_parent_scopes: set[int] = set()
        self._root = tree.root_node
        self._headers: dict[int, tuple[int, int]] = {}

    def add_parent_scopes(self, i: int) -> None:
        """Show the headers of every scope that holds line `i` (TreeContext's rule)."""
        if i in self.done_parent_scopes or i >= len(self.lines):
            return
        self.done_parent_scopes.add(i)
        for start in self._scopes(i):
            head_start, head_end = self._header(start)
            if head_start > 0 or self.show_top_of_file_parent_scope:
                self.show_lines.update(range(head_start, head_end))

    def _first_node(self, line: int) -> Node:
        text = self.lines[line]
        column = len(text[: len(text) - len(text.lstrip())].encode("utf-8"))
        node = self._root.descendant_for_point_range((line, column), (line, column))
        return node or self._root

    def _scopes(self, line: int) -> set[int]:
        starts: set[int] = set()
        node: Node | None = self._first_node(line)
        while node is not None:
            if node.start_point[0] <= line <= node.end_point[0]:
                starts.add(node.start_point[0])
            node = node.parent
        return starts

    def _header(self, line: int) -> tuple[int, int]:
        found = self._headers.get(line)
        if found is not None:
            return found
        top = self._first_node(line)
        while top.parent is not None and top.parent.start_point[0] == line:
            top = top.parent
        sizes: list[int] = []
        stack = [top]
        while stack:  # every node that starts on this line, and how many lines each spans
            node = stack.pop()
            if node.end_point[0] > line:
                sizes.append(node.end_point[0] - line)
            stack.extend(c for c in node.children if c.start_point[0] == line)
        if len(sizes) > 1:
            size = min(sizes)
            found = (line, line + min(size, self.header_max))
        else:
            found = (line, line + 1)
        self._headers[line] = found
        return found

    def show(self, lines: set[int]) -> str:
        """Return the text with `lines` and their enclosing scopes shown, the rest elided."""
        self.lines_of_interest = set()
        self.show_lines = set()
        self.add_lines_of_interest(lines)
        self.add_context()
        return self.format()

    # grep-ast walks every line of the file in these two; after an edit a big file is shown
    # afresh, so they go over the shown lines only, with the same result.
    def close_small_gaps(self) -> None:
        """Show a line between two shown ones, and a blank line after a shown one."""
        ordered = sorted(self.show_lines)
        closed = set(ordered)
        closed.update(a + 1 for a, b in pairwise(ordered) if b - a == 2)
        lines, last = self.lines, self.num_lines - 2
        for i in sorted(closed):
            if i < last and lines[i].strip() and not lines[i + 1].strip():
                closed.add(i + 1)
        self.show_lines = closed

    def format(self) -> str:
        """Return the shown lines, with one `⋮` for each run of hidden lines."""
        if not self.show_lines:
            return ""
        lines = self.lines
        out: list[str] = []
        previous = -1
        for i in sorted(i for i in self.show_lines if 0 <= i < len(lines)):
            if i > previous + 1:
                out.append("⋮\n")
            out.append(f"│{lines[i]}\n")
            previous = i
        if previous < len(lines) - 1:
            out.append("⋮\n")
        return "".join(out)


class MapRenderer:
    """Renders ranked entries to text; keeps per-file contexts and chunks between calls."""

    def __init__(self, count: Callable[[str], int] = count_tokens) -> None:
        self.count = count
        self._contexts: OrderedDict[tuple[str, str], ScopedContext | None] = OrderedDict()
        self._chunks: dict[tuple[str, str, frozenset[str]], tuple[str, int]] = {}
        self._paths: dict[str, int] = {}

    def render(
        self,
        entries: Sequence[RankedEntry],
        more_files: Sequence[str],
        view: Callable[[str], FileView | None],
        budget: int,
    ) -> Rendered:
        """Render top entries in most of `budget`, then further paths in rank order.

        Definitions get DEFINITION_SHARE of the budget so that the next files by rank still
        appear by path; when every file fits, definitions take back what paths leave free.
        """
        if len(self._chunks) > 20_000:
            self._chunks.clear()
        share = int(budget * DEFINITION_SHARE)
        best = self._most_entries(
            entries, lambda n: self._estimate(entries[:n], view, share) <= share
        )
        parts, shown, _, listed_all = self._compose(entries[:best], more_files, view, budget)
        if listed_all and best < len(entries):

            def fits(count: int) -> bool:
                chosen = _group(entries[:count])
                paths = sum(self._path_cost(p) for p in more_files if p not in chosen)
                return self._estimate(entries[:count], view, budget - paths) + paths <= budget

            best = self._most_entries(entries, fits, start=best)
            parts, shown, _, _ = self._compose(entries[:best], more_files, view, budget)
        return self._fit(parts, shown, budget)

    def _most_entries(
        self,
        entries: Sequence[RankedEntry],
        fits: Callable[[int], bool],
        start: int = 0,
    ) -> int:
        low, high, best = start, len(entries), start
        # Gallop up from a few entries first: probing the middle of thousands of entries would
        # render files that can never fit.
        probe = max(16, 2 * start)
        while probe < high:
            if not fits(probe):
                high = probe
                break
            low = best = probe
            probe *= 2
        while low <= high:
            middle = (low + high) // 2
            if fits(middle):
                best, low = middle, middle + 1
            else:
                high = middle - 1
        return best

    def _compose(
        self,
        entries: Sequence[RankedEntry],
        more_files: Sequence[str],
        view: Callable[[str], FileView | None],
        budget: int,
    ) -> tuple[list[str], list[str], int, bool]:
        chosen = _group(entries)
        parts = [self._chunk(path, names, view)[0] for path, names in chosen.items()]
        shown = list(chosen)
        used = sum(self._chunk(path, names, view)[1] for path, names in chosen.items())
        misses = 0
        for path in more_files:
            if path in chosen:
                continue
            cost = self._path_cost(path)
            if used + cost > budget:
                misses += 1
                if misses > _PATH_MISSES or budget - used < 4:
                    return parts, shown, used, False
                continue
            parts.append(path + "\n")
            shown.append(path)
            used += cost
        return parts, shown, used, misses == 0

    def _path_cost(self, path: str) -> int:
        cost = self._paths.get(path)
        if cost is None:
            cost = self._paths[path] = self.count(path + "\n")
        return cost

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
        self,
        entries: Sequence[RankedEntry],
        view: Callable[[str], FileView | None],
        limit: int,
    ) -> int:
        # The chunks' tokens, or a sum past `limit` as soon as they cannot fit: a probe that
        # cannot fit never views (parses) the files of its last entries, which after an edit
        # are often big files that no map has shown yet.
        used = 0
        for path, names in _group(entries).items():
            used += self._chunk(path, names, view)[1]
            if used > limit:
                break
        return used

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
        if any(len(line) > MAX_LINE for line in body.splitlines()):
            body = "".join(line[:MAX_LINE] + "\n" for line in body.splitlines())
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
