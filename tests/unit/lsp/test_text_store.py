"""The buffer text store against the plain-string model of LSP edits: any edits, any line ends."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from orchard.lsp import text_store
from orchard.lsp.text_store import Change, TextStore

ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "\u2028", "\x0c", "é", "😀"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def lsp_lines(text: str) -> list[str]:
    """Lines as LSP counts them: ended by \\n, \\r\\n or \\r only."""
    return re.split(r"\r\n|\r|\n", text)


def column(line: str, character: int, encoding: str = "utf-16") -> int:
    """The code-point index of an offset in `encoding` into `line` (clamped to the line)."""
    if encoding == "utf-32":
        return min(max(character, 0), len(line))
    if encoding == "utf-8":
        return len(line.encode()[: max(character, 0)].decode("utf-8", "ignore"))
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def offset_of(text: str, line: int, character: int, encoding: str = "utf-16") -> int:
    """The code-point offset in `text` of an LSP position (past the end clamps to the end)."""
    ends = [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    starts = [0, *ends]
    if line >= len(starts):
        return len(text)
    body = lsp_lines(text)[line]
    return starts[line] + column(body, character, encoding)


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


def model(text: str, changes: list[Change], encoding: str = "utf-16") -> str:
    for change in changes:
        lo = offset_of(text, change.start_line, change.start_character, encoding)
        hi = offset_of(text, change.end_line, change.end_character, encoding)
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


LONG_TEXTS = st.lists(ALPHABET, max_size=200).map("".join)


@st.composite
def block_edits(draw: st.DrawFn) -> tuple[str, list[Change]]:
    """Longer texts and edits, with blocks of a few characters so edits cross their edges."""
    text = draw(LONG_TEXTS)
    changes = []
    for _ in range(draw(st.integers(1, 12))):
        lines = lsp_lines(model(text, changes))
        a = (draw(st.integers(0, len(lines))), draw(st.integers(0, 8)))
        b = (draw(st.integers(0, len(lines))), draw(st.integers(0, 8)))
        start, end = sorted([a, b])
        changes.append(Change(start[0], start[1], end[0], end[1], draw(LONG_TEXTS)))
    return text, changes


@settings(max_examples=1500, deadline=None)
@given(block_edits(), st.integers(1, 6), st.sampled_from(["utf-16", "utf-8", "utf-32"]))
def test_edits_across_block_edges_give_the_text_the_protocol_describes(
    case: tuple[str, list[Change]], block_chars: int, encoding: str
) -> None:
    text, changes = case
    original = text_store.BLOCK_CHARS
    text_store.BLOCK_CHARS = block_chars
    try:
        store = TextStore(text, encoding)
        expected = text
        for number, change in enumerate(changes):
            store.apply(change)
            expected = model(expected, [change], encoding)
            if number % 3 == 0:  # reading the text joins the blocks; later edits cut them again
                assert store.text() == expected
            assert len(store) == len(expected)
        assert store.text() == expected
    finally:
        text_store.BLOCK_CHARS = original


def test_an_edit_in_a_large_text_keeps_it_in_blocks() -> None:
    text = "".join(f"line {n} é😀\r\n" for n in range(20_000))
    store = TextStore(text)
    store.apply(Change(10_000, 11, 10_000, 12, "ü"))  # "line 10000 é"
    store.apply(Change(19_999, 0, 20_000, 0, ""))
    expected_lines = text.split("\r\n")[:-1]
    expected_lines[10_000] = expected_lines[10_000].replace("é", "ü")
    del expected_lines[19_999]
    assert len(store._blocks) > 1 and max(map(len, store._blocks)) <= 2 * text_store.BLOCK_CHARS
    assert store.text() == "".join(line + "\r\n" for line in expected_lines)


def test_edits_to_an_empty_text_and_back() -> None:
    store = TextStore("")
    store.apply(Change(3, 9, 3, 9, "a\r"))  # past the end: appended
    store.apply(Change(1, 0, 1, 0, "\nb"))  # the "\r" and the new "\n" are one line break
    assert store.text() == "a\r\nb"
    store.apply(Change(0, 0, 1, 1, ""))
    assert store.text() == "" and len(store) == 0


def test_every_edit_moves_the_revision_on() -> None:
    store = TextStore("a\nb")
    store.apply(Change(0, 0, 0, 0, "x"))
    store.apply(Change(text="new", whole=True))
    assert store.revision == 2
