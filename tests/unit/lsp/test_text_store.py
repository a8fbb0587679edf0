"""The buffer text store against the plain-string model of LSP edits: any edits, any line ends."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from orchard.lsp.text_store import Change, TextStore

ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "\u2028", "\x0c", "é", "😀"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def lsp_lines(text: str) -> list[str]:
    """Lines as LSP counts them: ended by \\n, \\r\\n or \\r only."""
    return re.split(r"\r\n|\r|\n", text)


def utf16_offset(line: str, character: int) -> int:
    """The code-point index of a UTF-16 offset into `line` (clamped to the line)."""
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def offset_of(text: str, line: int, character: int) -> int:
    """The code-point offset in `text` of an LSP position (past the end clamps to the end)."""
    ends = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    starts = [0, *ends]
    if line >= len(starts):
        return len(text)
    body = lsp_lines(text)[line]
    return starts[line] + utf16_offset(body, character)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, list[Change]]:
    text = draw(TEXTS)
    changes = []
    current = text
    for _ in range(draw(st.integers(1, 6))):
        lines = lsp_lines(current)
        a = (draw(st.integers(0, len(lines))), draw(st.integers(0, 6)))
        b = (draw(st.integers(0, len(lines))), draw(st.integers(0, 6)))
        start, end = sorted([a, b])
        change = Change(start[0], start[1], end[0], end[1], draw(TEXTS))
        lo, hi = offset_of(current, *start), offset_of(current, *end)
        current = current[:lo] + change.text + current[max(lo, hi) :]
        changes.append(change)
    return text, changes


def model(text: str, changes: list[Change]) -> str:
    for change in changes:
        lo = offset_of(text, change.start_line, change.start_character)
        hi = offset_of(text, change.end_line, change.end_character)
        text = text[:lo] + change.text + text[max(lo, hi) :]
    return text


@settings(max_examples=2000, deadline=None)
@given(edits())
def test_edits_give_the_text_the_protocol_describes(case: tuple[str, list[Change]]) -> None:
    text, changes = case
    store = TextStore(text)
    for change in changes:
        store.apply(change)
    expected = model(text, changes)
    assert store.text() == expected
    assert len(store) == len(expected)


def test_a_store_that_was_never_edited_gives_its_text_back_unsplit() -> None:
    text = "a\u2028b\r\nc"
    store = TextStore(text)
    assert store.text() is text and len(store) == len(text)


def test_a_whole_text_change_replaces_everything() -> None:
    store = TextStore("old\ntext")
    store.apply(Change(text="new\r\nlines\n", whole=True))
    store.apply(Change(1, 0, 1, 5, "LINES"))
    assert store.text() == "new\r\nLINES\n"


def test_an_edit_that_makes_a_crlf_across_lines_joins_them() -> None:
    store = TextStore("\n\r")
    store.apply(Change(2, 0, 2, 0, "\n"))  # "\n\r\n": the \r and the new \n are one break
    store.apply(Change(0, 0, 2, 0, ""))
    assert store.text() == ""
