"""Reply-level refusals before any edit is tried: too many blocks, text that is not text.

Turns a hopeless or undecodable reply into refusal edits with a message for the model; it never
raises and never reads files. `MAX_BLOCKS_PER_REPLY` is the documented cap on blocks per reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from orchard.edits.base import Edit, EditKind, FailureReason, numbered

# More blocks than this in one reply is a runaway model, not a change to review: refused whole.
MAX_BLOCKS_PER_REPLY = 200


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """Return `text` with lone surrogates (undecodable bytes) replaced by U+FFFD, so it can be
    encoded again (a reply kept in a history, sent to a model, written to a journal)."""
    return _SURROGATE.sub("\ufffd", text) if undecodable_at(text) is not None else text


def undecodable_at(text: str) -> int | None:
    """Return the offset of the first lone surrogate (an undecodable byte) in `text`, if any."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def shown_path(path: str) -> str:
    """The path as safe text for messages (undecodable parts escaped)."""
    if undecodable_at(path) is None:
        return path
    return path.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def _refused(edit: Edit, at: int) -> Edit:
    path = shown_path(edit.path)
    where = f" for `{path}`" if path else ""
    problem = (
        f"edit #{edit.index + 1}{where} was refused: it holds bytes that are not UTF-8 text "
        f"(a lone surrogate at character {at} of its text), so it cannot be written. Send it "
        "again as plain UTF-8 text."
    )
    return Edit(
        path, EditKind.MALFORMED, fmt=edit.fmt, problem=problem, refusal=FailureReason.UNDECODABLE
    )


def guarded(edits: Sequence[Edit]) -> list[Edit]:
    """Return the edits with undecodable ones refused, or one refusal when there are too many."""
    if len(edits) > MAX_BLOCKS_PER_REPLY:
        problem = (
            f"your reply holds {len(edits)} edit blocks; at most {MAX_BLOCKS_PER_REPLY} are "
            "applied from one reply, so none were. Send only the edits the change needs, "
            "fewer and larger blocks if need be."
        )
        refusal = FailureReason.TOO_MANY_BLOCKS
        return [Edit("", EditKind.MALFORMED, fmt=edits[0].fmt, problem=problem, refusal=refusal)]
    out: list[Edit] = []
    for edit in edits:
        texts = (edit.path, edit.search, edit.replace, edit.problem or "")
        spots = [spot for spot in map(undecodable_at, texts) if spot is not None]
        out.append(_refused(edit, spots[0]) if spots else edit)
    return numbered(out)
