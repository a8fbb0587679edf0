"""Out-edges: patched per changed name, they equal edges computed afresh, bit for bit."""

from __future__ import annotations

import random

from orchard.repomap.cochange import CoChange
from orchard.repomap.graph import FileSymbols, SymbolGraph
from orchard.repomap.links import MAX_EDGES, Links
from orchard.repomap.pairing import TestPairs

_NAMES = [f"helper_name_{i}" for i in range(120)] + [f"n{i}" for i in range(40)]


def _symbols(rng: random.Random) -> FileSymbols:
    defines = tuple(sorted(set(rng.sample(_NAMES, rng.randint(0, 12)))))
    used = sorted(set(rng.sample(_NAMES, rng.randint(0, 90))))
    return FileSymbols(defines, tuple((name, rng.randint(1, 4)) for name in used))


def _graph(files: dict[str, FileSymbols]) -> SymbolGraph:
    graph = SymbolGraph()
    for rel_path in sorted(files):
        graph.set_file(rel_path, files[rel_path])
    return graph


def test_edges_patched_after_definer_changes_equal_fresh_edges() -> None:
    rng = random.Random(11)
    paths = [f"pkg/m{i}.py" for i in range(60)]
    files = {p: _symbols(rng) for p in paths}
    graph = _graph(files)
    links = Links(graph, CoChange(), TestPairs(paths))
    widest = 0
    for p in paths:  # every file's edges cached, as after a few maps
        widest = max(widest, len(links.edges(p)))
    links.sync()
    assert widest >= MAX_EDGES  # some files keep only their strongest links
    relinked = 0
    for _ in range(40):
        # Definitions move (the edit of one file), so other files' links through them change.
        edited = rng.choice(paths)
        old = files[edited]
        moved = rng.sample(_NAMES, rng.choice((0, 10, 100)))  # many go: a recount
        files[edited] = FileSymbols(tuple(sorted(moved)), old.references)
        graph.set_file(edited, files[edited])
        changed = links.sync()
        fresh = Links(_graph(files), CoChange(), TestPairs(paths))
        before = {p: links.edges(p) for p in paths}
        assert before == {p: fresh.edges(p) for p in paths}
        relinked += bool(changed)
    assert relinked >= 30  # most moves re-link someone in this graph


def test_sync_names_only_the_files_whose_edges_changed() -> None:
    files = {
        "a.py": FileSymbols(("shared_helper",), ()),
        "b.py": FileSymbols((), (("shared_helper", 2),)),
        "c.py": FileSymbols((), (("other_helper", 1),)),
    }
    graph = _graph(files)
    links = Links(graph, CoChange(), TestPairs(list(files)))
    assert links.edges("b.py") == (("a.py", 1.0, "shared_helper"),)
    links.edges("c.py")
    links.sync()
    graph.set_file("c.py", FileSymbols(("shared_helper",), (("other_helper", 1),)))
    assert links.sync() == {"b.py"}
    assert links.edges("b.py") == (("a.py", 0.5, "shared_helper"), ("c.py", 0.5, "shared_helper"))
    graph.set_file("a.py", FileSymbols(("shared_helper", "unused_name"), ()))
    assert links.sync() == set()  # a name nobody references moves no edge


def test_a_file_that_loses_most_of_its_strongest_links_is_counted_again() -> None:
    names = [f"helper_name_{i}" for i in range(200)]
    files = {
        "lib.py": FileSymbols(tuple(sorted(names[:150])), ()),
        "other.py": FileSymbols(tuple(sorted(names[150:])), ()),
        "user.py": FileSymbols((), tuple((n, 1 + i % 3) for i, n in enumerate(sorted(names)))),
    }
    graph = _graph(files)
    links = Links(graph, CoChange(), TestPairs(list(files)))
    assert len(links.edges("user.py")) == MAX_EDGES
    files["lib.py"] = FileSymbols(("helper_name_0",), ())  # 149 of its links go at once
    graph.set_file("lib.py", files["lib.py"])
    assert links.sync() == {"user.py"}
    fresh = Links(_graph(files), CoChange(), TestPairs(list(files)))
    assert links.edges("user.py") == fresh.edges("user.py")
    assert {target for target, _, _ in links.edges("user.py")} == {"lib.py", "other.py"}
