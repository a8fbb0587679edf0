"""Tags of an edited buffer from the tags of its last version: only the changed parts are queried.

A buffer's tree is cut into units (top-level statements, and the members of big ones). A unit
whose text and place in the tree (its ancestors' types and fields) are unchanged keeps its tags,
moved to its new line; the tags query runs only over the bytes outside such units, and the tags
are the units' sorted tags joined in order (sorted again only where two units share a line), not
every tag of the file sorted anew. The result is the tags a full query gives (tests hold it to
that). It must not read files or know about editors.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from orchard.grammars import Node, QueryCursor, Tree
from orchard.repomap.tags import (
    FILTERS,
    KINDS,
    CompiledQuery,
    Tag,
    TagExtractor,
    expanded_rows,
    filtered_nodes,
)

# Each run of bytes queried costs a cursor from the root (~0.5 ms on a big file), so a node's
# children are all units; among very many children only the bigger ones, for Python's sake.
MANY_CHILDREN = 2_000
MIN_UNIT_BYTES = 200  # among MANY_CHILDREN or more
SPLIT_BYTES = 4_000  # a changed unit this big is cut into its members, which may be kept
MAX_DEPTH = 4

_Row = tuple[
    int, int, str, str, str
]  # (start byte of the captured node, line, name, kind, category)
_Key = tuple[int, str, str, str]  # one tag: (line, name, kind, category), how tags sort
_UnitKey = tuple[tuple[tuple[str, str], ...], str, str, bytes]  # (ancestors, field, type, text)
# A unit's start byte and line, its rows, and its tags' keys (sorted, distinct) and the tags
# (None until the unit is first kept).
_Unit = tuple[int, int, tuple[_Row, ...], tuple[_Key, ...], tuple[Tag, ...] | None]
# A kept unit in the new text: start and end byte, rows, keys, tags (None: made when kept).
_Kept = tuple[int, int, tuple[_Row, ...], tuple[_Key, ...], tuple[Tag, ...] | None]


@dataclass(slots=True)
class UnitTags:
    """What the last extraction of one buffer left for the next: each unit's rows and tags."""

    language: str = ""
    units: dict[_UnitKey, _Unit] = field(default_factory=dict)
    reused_units: int = 0  # of the last extraction (for tests and benchmarks)
    queried_bytes: int = 0
    rel_path: str = ""


@dataclass(slots=True)
class _Walk:
    source: bytes
    memory: dict[_UnitKey, _Unit]
    kept: list[_Kept] = field(default_factory=list)
    # (key, start byte, end byte, line) of every unit looked at
    units: list[tuple[_UnitKey, int, int, int]] = field(default_factory=list)
    # Where the nodes start that are neither kept nor cut up: only bytes holding one are queried.
    loose: list[int] = field(default_factory=list)


def retag(
    extractor: TagExtractor,
    rel_path: str,
    tree: Tree,
    source: bytes,
    language: str,
    last: UnitTags | None,
) -> tuple[list[Tag], UnitTags]:
    """Return the tags of `tree` (a parse of `source`), reusing what `last` knew of its units."""
    compiled = extractor.compiled(language)
    if compiled is None:
        return [], UnitTags(language)
    same = last is not None and last.language == language and last.rel_path == rel_path
    memory = last.units if last is not None and same else {}
    root = tree.root_node
    walk = _Walk(source, memory, loose=[root.start_byte])
    _visit(walk, root, (("", root.type),), 0)
    loose = sorted(walk.loose)
    queried_rows: list[_Row] = []  # of the bytes outside kept units
    segments: list[tuple[tuple[_Key, ...], tuple[Tag, ...]]] = []  # in byte order
    start, queried = 0, 0
    kept = sorted(walk.kept, key=lambda unit: unit[0])
    for index, (unit_start, unit_end, rows, keys, tags) in enumerate(kept):
        gap: list[_Row] = []
        queried += _query_gap(compiled, root, source, (start, unit_start), loose, gap)
        if gap:
            segments.append(_segment(rel_path, gap))
            queried_rows.extend(gap)
        if tags is None:  # moved to other lines, or kept for the first time
            tags = _made(rel_path, keys)
            kept[index] = (unit_start, unit_end, rows, keys, tags)
        segments.append((keys, tags))
        start = unit_end
    gap = []
    queried += _query_gap(compiled, root, source, (start, len(source) + 1), loose, gap)
    segments.append(_segment(rel_path, gap))
    queried_rows.extend(gap)
    queried_rows.sort()
    units = _assign(walk.units, kept, queried_rows)
    return _joined(segments), UnitTags(language, units, len(walk.kept), queried, rel_path)


def _segment(rel_path: str, rows: list[_Row]) -> tuple[tuple[_Key, ...], tuple[Tag, ...]]:
    keys = tuple(sorted({row[1:] for row in rows}))
    return keys, _made(rel_path, keys)


def _made(rel_path: str, keys: tuple[_Key, ...]) -> tuple[Tag, ...]:
    return tuple(
        Tag(rel_path, name, KINDS[kind], line, category) for line, name, kind, category in keys
    )


def _joined(segments: list[tuple[tuple[_Key, ...], tuple[Tag, ...]]]) -> list[Tag]:
    # Each segment is sorted and distinct; when every one ends before the next begins (units
    # rarely share a line) the tags are their concatenation, else they are sorted together.
    last: _Key | None = None
    for keys, _ in segments:
        if keys:
            if last is not None and not last < keys[0]:
                break
            last = keys[-1]
    else:
        return [tag for _, tags in segments for tag in tags]
    every: dict[_Key, Tag] = {}
    for keys, tags in segments:
        for key, tag in zip(keys, tags, strict=True):
            every.setdefault(key, tag)
    return [every[key] for key in sorted(every)]


def _visit(walk: _Walk, node: Node, chain: tuple[tuple[str, str], ...], depth: int) -> None:
    source, memory = walk.source, walk.memory
    smallest = MIN_UNIT_BYTES if node.child_count >= MANY_CHILDREN else 1
    empty_at = -1  # a zero-width (missing) node's place: the next node there is not kept
    for index, child in enumerate(node.children):
        start, end = child.start_byte, child.end_byte
        # A unit never starts where its parent does: the parent's own captures would fall in it.
        if end - start < smallest or start in (node.start_byte, empty_at) or child.has_error:
            walk.loose.append(start)
            empty_at = start if end == start else empty_at
            continue
        field_name = node.field_name_for_child(index) or ""
        key = (chain, field_name, child.type, source[start:end])
        line = child.start_point[0]
        walk.units.append((key, start, end, line))
        known = memory.get(key)
        if known is not None:
            old_start, old_line, old_rows, old_keys, old_tags = known
            shift, lines = start - old_start, line - old_line
            if shift == 0 and lines == 0:  # before the edit: nothing moved
                walk.kept.append((start, end, old_rows, old_keys, old_tags))
            elif lines == 0:  # moved along its line: the same tags
                moved = tuple((b + shift, ln, n, k, c) for b, ln, n, k, c in old_rows)
                walk.kept.append((start, end, moved, old_keys, old_tags))
            else:
                moved = tuple((b + shift, ln + lines, n, k, c) for b, ln, n, k, c in old_rows)
                keys = tuple((ln + lines, n, k, c) for ln, n, k, c in old_keys)
                walk.kept.append((start, end, moved, keys, None))
        elif end - start > SPLIT_BYTES and depth < MAX_DEPTH and child.child_count:
            _visit(walk, child, (*chain, (field_name, child.type)), depth + 1)
        else:
            walk.loose.append(start)


def _query_gap(
    compiled: CompiledQuery,
    root: Node,
    source: bytes,
    gap: tuple[int, int],
    loose: list[int],
    rows: list[_Row],
) -> int:
    # Captured nodes that start in [start, end): the same rule as TagExtractor.extract_tree.
    start, end = gap
    first = bisect.bisect_left(loose, start)
    if end <= start or first == len(loose) or loose[first] >= end:
        return 0  # no node starts here (whitespace between kept units)
    cursor = QueryCursor(compiled.query)
    cursor.set_byte_range(start, min(end, len(source)))
    best: dict[int, tuple[int, str, str, Node]] = {}
    for capture_name, nodes in cursor.captures(root).items():
        capture = compiled.captures.get(capture_name)
        if capture is None:
            continue
        inside = [n for n in nodes if start <= n.start_byte < end]
        if capture.expand in FILTERS:
            inside = filtered_nodes(capture.expand, inside, source)
        elif capture.expand != "node":
            for node in inside:
                rows.extend(
                    (node.start_byte, *row) for row in expanded_rows(capture, [node], source)
                )
            continue
        rank = capture.rank
        for node in inside:
            seen = best.get(node.start_byte)
            if seen is None or seen[0] < rank:
                best[node.start_byte] = (rank, capture.kind_value, capture.category, node)
    for at, (_, kind, category, node) in best.items():
        name = source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
        rows.append((at, node.start_point[0], name, kind, category))
    return min(end, len(source)) - start


def _assign(
    units: list[tuple[_UnitKey, int, int, int]], kept: list[_Kept], queried_rows: list[_Row]
) -> dict[_UnitKey, _Unit]:
    # What the next extraction may reuse. A kept unit stays as it is now; any other unit gets
    # the rows whose captured node starts inside it: queried ones, and its kept members' when
    # it was cut up (rows sorted by start byte). Its tags are made if it is ever kept.
    by_start = {unit[0]: unit for unit in kept}
    kept_starts = [unit[0] for unit in kept]  # kept is sorted by start
    starts = [row[0] for row in queried_rows]
    found: dict[_UnitKey, _Unit] = {}
    for key, start, end, line in units:
        unit = by_start.get(start)
        if unit is not None and unit[1] == end:
            found[key] = (start, line, unit[2], unit[3], unit[4])
            continue
        low, high = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        rows = queried_rows[low:high]
        first, last = bisect.bisect_left(kept_starts, start), bisect.bisect_left(kept_starts, end)
        if first < last:
            rows = sorted([*rows, *(row for member in kept[first:last] for row in member[2])])
        keys = tuple(sorted({row[1:] for row in rows}))
        found[key] = (start, line, tuple(rows), keys, None)
    return found
