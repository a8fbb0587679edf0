"""One open buffer's text as a list of lines, so an edit costs the lines it touches, not the file.

A keystroke in a 5 MB buffer replaces one line of the list; the whole text is joined only when
someone asks for it (and kept until the next edit), and split into lines only at the first edit
(opening a buffer costs nothing). Positions are in the client's encoding.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """The lines of a buffer, each with its line ending (the last one may have none)."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.encoding = encoding
        self._split: list[str] | None = None  # the lines, once an edit needed them
        self._size = len(text)
        self._text: str | None = text

    @property
    def _lines(self) -> list[str]:
        if self._split is None:
            self._split = _split(self._text or "")
        return self._split

    @_lines.setter
    def _lines(self, lines: list[str]) -> None:
        self._split = lines

    def __len__(self) -> int:
        """The length of the text in code points."""
        return self._size

    def text(self) -> str:
        """Return the whole text (joined once per version)."""
        if self._text is None:
            self._text = "".join(self._lines)
        return self._text

    def apply(self, change: Change) -> None:
        """Apply one edit in place."""
        if change.whole:
            self._lines, self._size, self._text = _split(change.text), len(change.text), None
            return
        lines = self._lines
        if not lines:
            lines.append("")
        start_line = min(max(change.start_line, 0), len(lines) - 1)
        end_line = min(max(change.end_line, start_line), len(lines) - 1)
        first, last = lines[start_line], lines[end_line]
        start = self._column(first, change.start_character)
        end = self._column(last, change.end_character)
        if change.start_line >= len(lines):  # past the end: the end of the text
            start = len(first)
        if change.end_line >= len(lines):
            end = len(last)
        replaced = first[:start] + change.text + last[end:]
        old = sum(len(line) for line in lines[start_line : end_line + 1])
        pieces = _split_raw(replaced)
        if end_line == len(lines) - 1 and (not pieces or pieces[-1].endswith(("\n", "\r"))):
            pieces.append("")  # the last line of a text is the one without an ending
        lines[start_line : end_line + 1] = pieces
        # A "\r" that now meets a "\n" across the edit's edges is one line break, not two.
        _join_crlf(lines, start_line + len(pieces) - 1)
        _join_crlf(lines, start_line - 1)
        self._size += len(replaced) - old
        self._text = None

    def _column(self, line: str, character: int) -> int:
        """Turn a client character offset into a code-point index within `line`."""
        body = line.rstrip("\r\n")
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


def _join_crlf(lines: list[str], index: int) -> None:
    """Merge line `index` with the next when the first ends with "\r" and the next starts with
    "\n" (they became one "\r\n")."""
    if 0 <= index < len(lines) - 1 and lines[index].endswith("\r"):
        following = lines[index + 1]
        if following.startswith("\n"):
            merged = _split_raw(lines[index] + following)
            if index + 1 == len(lines) - 1 and (not merged or merged[-1].endswith(("\n", "\r"))):
                merged.append("")  # the last line keeps being the one without an ending
            lines[index : index + 2] = merged


def _split(text: str) -> list[str]:
    lines = _split_raw(text)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    return lines


def _split_raw(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    # splitlines also breaks at \v, \f, \x1c-\x1e, \x85, \u2028, \u2029: LSP lines end only at
    # \n, \r\n or \r, so glue the others back. Counting (C speed) tells whether any did.
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    lsp_count = breaks + (0 if not text or text.endswith(("\n", "\r")) else 1)
    if len(lines) != lsp_count:
        lines = _split_lsp(text)
    return lines


def _split_lsp(text: str) -> list[str]:
    lines: list[str] = []
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            i += 1
            char = "\n"
        if char in "\r\n":
            lines.append(text[start : i + 1])
            start = i + 1
        i += 1
    if start < len(text):
        lines.append(text[start:])
    return lines
