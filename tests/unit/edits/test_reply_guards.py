"""Reply-level guards and flags: the fuzzy time budget, the feedback cap, undecodable text,
auto whole files that may only create, and the flag on edits that gut a file."""

from __future__ import annotations

import time
from pathlib import Path

from orchard.edits import (
    MAX_BLOCKS_PER_REPLY,
    Edit,
    EditKind,
    FailureReason,
    apply_edits,
    apply_to_text,
    parse_edits,
    printable,
)

TEXT = "def load(path):\n    with open(path) as f:\n        return f.read()\n"
NEAR = "def load(path):\n    with open(path) as fh:\n        return fh.read()\n"


def test_fuzzy_rung_runs_within_the_budget_and_is_skipped_after_it() -> None:
    edit = Edit("a.py", EditKind.REPLACE, NEAR, NEAR.replace("load", "read"))
    within = apply_to_text(TEXT, [edit], fuzzy_deadline=time.monotonic() + 60)
    assert [str(a.strategy) for a in within.applied] == ["fuzzy"]
    late = apply_to_text(TEXT, [edit], fuzzy_deadline=time.monotonic() - 1)
    (failure,) = late.failed
    assert failure.reason is FailureReason.NO_MATCH
    assert "time for fuzzy matching" in failure.message
    assert late.text == TEXT


def test_feedback_shows_at_most_25_failures_and_counts_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TEXT)
    reply = "".join(
        f"a.py\n```\n<<<<<<< SEARCH\nnope_{i}\n=======\nyes\n>>>>>>> REPLACE\n```\n"
        for i in range(40)
    )
    result = apply_edits(parse_edits(reply), tmp_path)
    assert len(result.failed) == 40
    feedback = result.feedback()
    assert "40 edits of your reply failed" in feedback
    assert "... and 15 more failed edits not shown." in feedback
    assert feedback.count("match nothing in `a.py`") == 25


def test_one_block_over_the_cap_refuses_the_reply_whole(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(TEXT)
    block = (
        "a.py\n```\n<<<<<<< SEARCH\n        return f.read()\n=======\n        return 1\n"
        ">>>>>>> REPLACE\n```\n"
    )
    at_cap = parse_edits(block * MAX_BLOCKS_PER_REPLY)
    assert len(at_cap) == MAX_BLOCKS_PER_REPLY and at_cap[0].kind is EditKind.REPLACE
    (refusal,) = parse_edits(block * (MAX_BLOCKS_PER_REPLY + 1))
    assert refusal.refusal is FailureReason.TOO_MANY_BLOCKS
    assert apply_edits([refusal], tmp_path).failed[0].reason is FailureReason.TOO_MANY_BLOCKS
    assert (tmp_path / "a.py").read_text() == TEXT


def test_undecodable_path_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    reply = "a\udcff.py\n```\n<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE\n```\n"
    result = apply_edits(parse_edits(reply), tmp_path)
    (failure,) = result.failed
    assert failure.reason is FailureReason.UNDECODABLE
    assert "a\\udcff.py" in failure.message
    failure.message.encode("utf-8")  # the message itself can be written anywhere
    assert list(tmp_path.iterdir()) == []


def test_printable_replaces_only_lone_surrogates() -> None:
    assert printable("ok é ✓") == "ok é ✓"
    assert printable("a\udcffb\ud800") == "a\ufffdb\ufffd"


def test_auto_whole_block_may_fill_an_empty_file_but_never_rewrites_one(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "full.py").write_text(TEXT)
    reply = "empty.py\n```python\nX = 1\n```\n\nfull.py\n```python\nY = 2\n```\n"
    result = apply_edits(parse_edits(reply), tmp_path)
    assert result.ok and result.written == ("empty.py",)
    assert (tmp_path / "full.py").read_text() == TEXT
    (note,) = result.notes
    assert "did not change `full.py`" in note
    assert result.feedback() == note  # the note reaches the model although nothing failed
    forced = apply_edits(parse_edits(reply, "whole"), tmp_path)
    assert "full.py" in forced.written
    assert (tmp_path / "full.py").read_text() == "Y = 2\n"


def test_no_edits_reply_feedback_starts_with_the_callers_message(tmp_path: Path) -> None:
    result = apply_edits(parse_edits("Looks good to me."), tmp_path)
    assert result.feedback() == ""
    assert result.feedback(no_edits="No edits found.") == "No edits found."


def _lines(count: int) -> str:
    return "".join(f"line {i}\n" for i in range(count))


def test_gutting_is_flagged_from_ten_lines_and_more_than_half(tmp_path: Path) -> None:
    for name, count in (("nine.txt", 9), ("half.txt", 10), ("ten.txt", 10)):
        (tmp_path / name).write_text(_lines(count))
    edits = [
        Edit("nine.txt", EditKind.REPLACE, _lines(8), ""),  # 1 of 9 left: small files pass
        Edit("half.txt", EditKind.REPLACE, _lines(5), ""),  # 5 of 10 left: not most
        Edit("ten.txt", EditKind.REPLACE, _lines(9), ""),  # 1 of 10 left: flagged
    ]
    result = apply_edits(edits, tmp_path)
    assert result.ok
    (flag,) = result.large_deletions
    assert (flag.path, flag.lines_before, flag.lines_after) == ("ten.txt", 10, 1)
    assert result.to_json()["large_deletions"] == [{"path": "ten.txt", "before": 10, "after": 1}]


def test_auto_prose_word_before_a_fence_is_a_note_not_a_failure(tmp_path: Path) -> None:
    result = apply_edits(parse_edits("Usage\n```bash\nmake test\n```\n"), tmp_path)
    assert result.ok and not result.written
    (note,) = result.notes
    assert "`Usage`" in note and "bare word never creates a file" in note
    assert list(tmp_path.iterdir()) == []


def test_a_heading_word_is_no_file_name_and_the_block_keeps_the_previous_path(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.py").write_text(TEXT)
    reply = (
        "a.py\n```\n<<<<<<< SEARCH\ndef load(path):\n=======\ndef load(p):\n>>>>>>> REPLACE\n```\n"
        "\n### Changes\n```\n<<<<<<< SEARCH\n        return f.read()\n=======\n"
        "        return f.read().strip()\n>>>>>>> REPLACE\n```\n"
    )
    edits = parse_edits(reply)
    assert [(e.path, e.guessed) for e in edits] == [("a.py", False), ("a.py", False)]
