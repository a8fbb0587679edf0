"""The resolver's replies: the last fenced block is the region's text, prose around it is fine,
and a reply without a fence or still holding conflict markers is refused."""

from __future__ import annotations

import pytest

from orchard.errors import ParseError
from orchard.review.resolver import resolver_messages, settled_text
from orchard.vcs.merge_plan import ConflictRegion


def test_the_last_fence_wins_and_prose_around_it_is_allowed() -> None:
    reply = "First idea:\n```python\nx = 1\n```\nBetter:\n```python\nx = 2\ny = 3\n```\nDone."
    assert settled_text(reply) == "x = 2\ny = 3\n"


def test_a_longer_fence_may_hold_a_shorter_one() -> None:
    reply = "````markdown\nUse:\n```\ncode\n```\n````"
    assert settled_text(reply) == "Use:\n```\ncode\n```\n"


def test_a_reply_without_a_fence_is_refused() -> None:
    with pytest.raises(ParseError, match="no fenced code block"):
        settled_text("Keep both sides.")


def test_a_reply_that_still_holds_markers_is_refused() -> None:
    with pytest.raises(ParseError, match="conflict markers"):
        settled_text("```\n<<<<<<< yours\na\n=======\nb\n>>>>>>> a1\n```")


def test_the_prompt_has_the_three_sides_the_code_around_and_both_intents() -> None:
    from orchard.review.resolver import Intents

    text = "".join(f"line {n}\n" for n in range(60))
    region = ConflictRegion(30, 37, base="old\n", ours="mine\n", theirs="agent's\n")
    (system, user) = resolver_messages("a.py", text, region, Intents("keep mine", "add x"))
    body = user["content"]
    assert "fenced code block" in system["content"]
    for piece in ("old\n", "mine\n", "agent's\n", "keep mine", "add x", "line 10", "line 56"):
        assert piece in body
    assert "line 9\n" not in body and "line 57" not in body  # 20 lines each side
