"""Recover the top-level `"id"` of a JSON-RPC body that cannot be parsed as a whole.

A body that is not UTF-8, nests too deeply or was refused for its size still names its id near
the start; answering with it ends the editor's wait. Reads only the first bytes, never raises.
"""

from __future__ import annotations

import json
import re

SNIFF_BYTES = 4096
_NUMBER = re.compile(r"-?\d+")


def sniff_request_id(body: bytes | bytearray) -> int | str | None:
    """Return the id of the top-level object in `body`, or None when it cannot be found."""
    text = body[:SNIFF_BYTES].decode("utf-8", errors="replace")
    depth = 0
    i = 0
    expect_key = False
    while i < len(text):
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            if end < 0:
                return None
            if depth == 1 and expect_key and text[i : end + 1] == '"id"':
                return _value_after_colon(text, end + 1)
            expect_key = False
            i = end + 1
            continue
        if char in "{[":
            depth += 1
            expect_key = char == "{" and depth == 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 1:
            expect_key = True
        i += 1
    return None


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return -1


def _value_after_colon(text: str, pos: int) -> int | str | None:
    rest = text[pos:].lstrip()
    if not rest.startswith(":"):
        return None
    rest = rest[1:].lstrip()
    if rest.startswith('"'):
        end = _string_end(rest, 0)
        if end < 0:
            return None
        try:
            value = json.loads(rest[: end + 1])
        except ValueError:
            return None
        return value if isinstance(value, str) and "\ufffd" not in value else None
    number = _NUMBER.match(rest)
    return int(number.group()) if number else None
