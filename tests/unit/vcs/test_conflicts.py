"""Conflict markers ↔ regions: parsing merge-file's diff3 output, replacing settled regions and
renumbering the rest, and merge-tree's labels rewritten to yours / snapshot / the agent."""

from __future__ import annotations

from orchard.vcs.conflicts import apply_resolutions, parse_conflicts
from orchard.vcs.merge_batch import relabel

TEXT = (
    "top\n"
    "<<<<<<< yours\nmine 1\n||||||| snapshot\nold 1\n=======\ntheirs 1\n>>>>>>> a1\n"
    "middle\n"
    "<<<<<<< yours\nmine 2\n||||||| snapshot\nold 2\n=======\ntheirs 2a\ntheirs 2b\n>>>>>>> a1\n"
    "end\n"
)


def test_regions_carry_each_side_and_0_based_marker_lines() -> None:
    first, second = parse_conflicts(TEXT, "a1")
    assert (first.start_line, first.end_line) == (1, 8)
    assert (first.ours, first.base, first.theirs) == ("mine 1\n", "old 1\n", "theirs 1\n")
    assert (second.start_line, second.end_line) == (9, 17)
    assert second.theirs == "theirs 2a\ntheirs 2b\n"


def test_a_marker_of_another_agent_name_does_not_close_a_region() -> None:
    assert parse_conflicts(TEXT, "someone-else") == ()


def test_settling_one_region_renumbers_the_next_and_keeps_its_markers() -> None:
    regions = parse_conflicts(TEXT, "a1")
    text, renumbered = apply_resolutions(TEXT, regions, {0: "both 1"})
    lines = text.splitlines()
    assert lines[:3] == ["top", "both 1", "middle"]
    assert renumbered[0].resolution == "both 1" and renumbered[0].end_line == 2
    assert (renumbered[1].start_line, renumbered[1].end_line) == (3, 11)
    assert lines[3] == "<<<<<<< yours" and lines[10] == ">>>>>>> a1"
    assert not renumbered[1].resolved


def test_merge_tree_labels_become_yours_snapshot_and_the_agent() -> None:
    ours, theirs = "1" * 40, "2" * 40
    raw = (
        f"a\n<<<<<<< {ours}\nx\n||||||| 3abc123\nb\n=======\ny\n>>>>>>> {theirs}\n||||||| 3abc123\n"
    ).encode()
    text = relabel(raw, ours, theirs, "a1").decode()
    assert text.splitlines() == [
        "a", "<<<<<<< yours", "x", "||||||| snapshot", "b", "=======", "y", ">>>>>>> a1",
        "||||||| 3abc123",  # outside a region: left as written
    ]  # fmt: skip
    assert parse_conflicts(text, "a1")[0].ours == "x\n"
