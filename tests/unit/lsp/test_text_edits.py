"""Minimal edits between two texts, applied by the real buffer text store as an editor would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from orchard.lsp.text_edits import minimal_edits
from orchard.lsp.text_store import Change, TextStore

ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "é", "😀", "def f():\n"])
TEXTS = st.lists(ALPHABET, max_size=30).map("".join)


def applied(old: str, new: str, encoding: str) -> str:
    store = TextStore(old, encoding)
    edits = minimal_edits(old, new, encoding)
    for edit in reversed(edits):  # non-overlapping, in order: apply from the end
        r = edit.range
        store.apply(
            Change(r.start.line, r.start.character, r.end.line, r.end.character, edit.new_text)
        )
    return store.text()


@settings(max_examples=1500, deadline=None)
@given(TEXTS, TEXTS, st.sampled_from(["utf-16", "utf-8", "utf-32"]))
def test_the_edits_turn_the_old_text_into_the_new(old: str, new: str, encoding: str) -> None:
    assert applied(old, new, encoding) == new


def test_one_changed_word_is_one_small_edit_not_the_whole_file() -> None:
    old = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    new = old.replace("a + b", "int(a) + int(b)")

    (edit,) = minimal_edits(old, new)

    assert edit.range.start.line == edit.range.end.line == 1
    assert (edit.range.start.character, edit.range.end.character) == (11, 16)
    assert edit.new_text == "int(a) + int(b)"


def test_positions_count_utf16_units_before_an_astral_character() -> None:
    old = "x = '😀' + a\n"
    new = "x = '😀' + b\n"

    (edit,) = minimal_edits(old, new, "utf-16")

    assert edit.range.start.character == 11  # the emoji is two UTF-16 units
    assert minimal_edits(old, new, "utf-32")[0].range.start.character == 10


def test_equal_texts_need_no_edit() -> None:
    assert minimal_edits("same\n", "same\n") == []
