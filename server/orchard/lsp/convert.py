"""Every conversion between protocol values and Orchard's own: URIs and paths, ranges and
selections. Pure functions; the only module besides the features that knows LSP shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from orchard.agents.task import Selection


def uri_to_path(uri: str) -> Path | None:
    """Return the file path of a `file:` URI, or None for other schemes."""
    if not uri.startswith("file:"):
        return None
    fs_path = to_fs_path(uri)
    return Path(fs_path) if fs_path else None


def selection_of(
    value: Mapping[str, Any], root: Path, text_of: Callable[[str], str | None]
) -> Selection:
    """Turn `{uri, range}` into a Selection (1-based lines), reading the text from the buffer
    (`text_of(uri)`) or else from disk; raise InvalidParams naming the field that is wrong."""
    uri = value.get("uri")
    path = uri_to_path(uri) if isinstance(uri, str) else None
    if path is None:
        raise JsonRpcInvalidParams("`selection.uri` must be a file: URI")
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise JsonRpcInvalidParams(f"`selection.uri`: {path} is outside {root}") from None
    start, end = _line_range(value.get("range"))
    text = text_of(str(uri))
    if text is None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
    lines = text.splitlines()
    chosen = "\n".join(lines[start : end + 1]) if lines else ""
    return Selection(path=rel, start_line=start + 1, end_line=end + 1, text=chosen)


def _line_range(value: Any) -> tuple[int, int]:
    try:
        start = int(value["start"]["line"])
        end = int(value["end"]["line"])
    except (KeyError, TypeError, ValueError):
        raise JsonRpcInvalidParams(
            "`selection.range` must be {start: {line, character}, end: {line, character}}"
        ) from None
    if start < 0 or end < start:
        raise JsonRpcInvalidParams("`selection.range` must run forwards from line 0 or later")
    return start, end


def lsp_location(path: Path, start_line: int, end_line: int) -> dict[str, Any]:
    """Return a protocol Location (as JSON) spanning whole 0-based lines start..end of `path`."""
    return {
        "uri": path.resolve().as_uri(),
        "range": {
            "start": {"line": start_line, "character": 0},
            "end": {"line": end_line + 1, "character": 0},
        },
    }
