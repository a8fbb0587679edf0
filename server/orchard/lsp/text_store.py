"""One open buffer's text in blocks of whole lines, so an edit copies one block, not the file.

A block is one str of about `BLOCK_CHARS` code points that ends at a line break (the last one
may not), so the store costs about the text itself. `text()` joins the blocks into one (which
then is the only block, so no second copy is kept) and the next edit cuts it up again; a buffer
is cut only at its first edit (opening one costs nothing). Positions are in the client's
encoding; lines end at "\\n", "\\r\\n" or "\\r" only, as in LSP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

BLOCK_CHARS = 1 << 16
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Change:
    """A range edit (lines and characters in the negotiated encoding) or a whole new text."""

    start_line: int = 0
    start_character: int = 0
    end_line: int = 0
    end_character: int = 0
    text: str = ""
    whole: bool = False


class TextStore:
    """The blocks of a buffer and the number of line breaks in each."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.encoding = encoding
        self.revision = 0  # counts edits: a text read at revision r is current while it holds
        self._blocks = [text]
        self._breaks: list[int] | None = None  # per block; counted when an edit needs them
        self._size = len(text)

    def __len__(self) -> int:
        """The length of the text in code points."""
        return self._size

    def text(self) -> str:
        """Return the whole text (joined once per version; the join replaces the blocks)."""
        if len(self._blocks) > 1:
            joined = "".join(self._blocks)
            self._blocks = [joined]
            self._breaks = None if self._breaks is None else [sum(self._breaks)]
        return self._blocks[0]

    def blocks(self) -> list[str]:
        """Return strs that join to the text: the store's own blocks (shared, not copied)."""
        return list(self._cut_up()[0])

    def apply(self, change: Change) -> None:
        """Apply one edit in place."""
        self.revision += 1
        if change.whole:
            self._blocks, self._breaks, self._size = [change.text], None, len(change.text)
            return
        blocks, breaks = self._cut_up()
        lo = self._locate(change.start_line, change.start_character)
        hi = max(lo, self._locate(change.end_line, change.end_character))
        first, last = lo[0], hi[0]
        piece = blocks[first][: lo[1]] + change.text + blocks[last][hi[1] :]
        # A "\r" ending the block before and a "\n" starting this one are one line break.
        if first > 0 and piece.startswith("\n") and blocks[first - 1].endswith("\r"):
            first -= 1
            piece = blocks[first] + piece
        if len(piece) < BLOCK_CHARS // 4 and last + 1 < len(blocks):  # keep blocks from crumbling
            last += 1
            piece += blocks[last]
        self._size += len(piece) - sum(len(block) for block in blocks[first : last + 1])
        cut = _cut(piece)
        blocks[first : last + 1] = cut
        breaks[first : last + 1] = [_count_breaks(block) for block in cut]
        if not blocks:
            blocks.append("")
            breaks.append(0)

    def _cut_up(self) -> tuple[list[str], list[int]]:
        """Return the blocks and their break counts, cutting a long single block first."""
        if len(self._blocks) == 1 and (
            self._breaks is None or len(self._blocks[0]) > 2 * BLOCK_CHARS
        ):
            self._blocks = _cut(self._blocks[0]) or [""]
            self._breaks = [_count_breaks(block) for block in self._blocks]
        assert self._breaks is not None
        return self._blocks, self._breaks

    def _locate(self, line: int, character: int) -> tuple[int, int]:
        """Turn a client position into (block index, code-point offset in that block)."""
        blocks, breaks = self._blocks, self._breaks
        assert breaks is not None
        line = max(line, 0)
        before = 0
        index = 0
        for index, count in enumerate(breaks):
            if line < before + count or index == len(breaks) - 1:
                break
            before += count
        block, local = blocks[index], line - before
        if local > breaks[index]:  # past the last line: the end of the text
            return index, len(block)
        start = _line_start(block, local)
        found = _BREAK.search(block, start)
        end = found.start() if found is not None else len(block)
        return index, start + self._column(block[start:end], character)

    def _column(self, body: str, character: int) -> int:
        """Turn a client character offset into a code-point index within a line's `body`."""
        if character <= 0:
            return 0
        if self.encoding == "utf-32" or body.isascii():
            return min(character, len(body))
        if self.encoding == "utf-8":
            return len(body.encode("utf-8")[:character].decode("utf-8", "ignore"))
        units = 0
        for index, char in enumerate(body):
            if units >= character:
                return index
            units += 2 if ord(char) > 0xFFFF else 1
        return len(body)


def _count_breaks(text: str) -> int:
    if "\r" not in text:
        return text.count("\n")
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _line_start(block: str, line: int) -> int:
    """Return the offset in `block` where its line number `line` starts (it has that many)."""
    if not line:
        return 0
    if "\r" in block and block.count("\r") != block.count("\r\n"):  # lone "\r"s: rare
        return next(islice(_BREAK.finditer(block), line - 1, None)).end()
    # Every break ends in "\n": bisect on counts (C speed, about one pass over the block).
    low, high, before = 0, len(block), 0  # "\n"s in block[:low]; block[:high] has >= `line`
    while high - low > 1:
        middle = (low + high) // 2
        found = block.count("\n", low, middle)
        if before + found >= line:
            high = middle
        else:
            low, before = middle, before + found
    return high


def _cut(text: str) -> list[str]:
    """Split `text` into blocks of at least `BLOCK_CHARS` (if it has that many) at line ends."""
    blocks: list[str] = []
    start = 0
    while len(text) - start > 2 * BLOCK_CHARS:
        end = _line_end(text, start + BLOCK_CHARS)
        if end < 0:
            break  # one very long line: it stays one block
        blocks.append(text[start:end])
        start = end
    if start < len(text):
        blocks.append(text[start:])
    return blocks


def _line_end(text: str, position: int) -> int:
    """Return the offset just past the first line break at or after `position`, or -1."""
    newline = text.find("\n", position)
    carriage = text.find("\r", position, newline if newline >= 0 else len(text))
    if carriage >= 0:  # before the first "\n": a lone "\r", or the "\r" of "\r\n"
        return carriage + 2 if carriage + 1 == newline else carriage + 1
    return newline + 1 if newline >= 0 else -1
