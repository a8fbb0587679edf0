"""The match ladder: where a SEARCH block sits in a file's lines, and what replaces it.

Rungs, strictest first, stopping at the first that finds anything: exact; ignoring trailing
whitespace; without the block's leading/trailing blank lines; relative indentation; `...` elision;
diff-match-patch fuzzy. More than one place at a rung is ambiguous and refused. Never reads files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from orchard.edits.base import FailureReason, MatchStrategy
from orchard.edits.fuzzy import Window, ranked_windows, rival_of
from orchard.edits.indentation import reindent, same_structure

FUZZY_MIN_LINES = 3
_BARE_ELISION = re.compile(r"^\s*(?:\.\.\.|…)\s*$")
_COMMENT_ELISION = re.compile(
    r"^\s*(?:#|//|/\*|<!--|--|;|%|\*)\s*(?:\.\.\.|…)"
    r"(?:[^\n]{0,70}?\b(?:existing|rest|unchanged|remaining|same|omitted|other|previous|code|"
    r"as before|keep|more)\b[^\n]{0,40}?)?\s*(?:\.\.\.|…)?\s*(?:\*/|-->)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Splice:
    """File lines [start, end) to be replaced by `lines`."""

    start: int
    end: int
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """Where a block applies, the rung that found it, and the splices that carry it out."""

    strategy: MatchStrategy
    splices: tuple[Splice, ...]
    similarity: float = 1.0

    def apply(self, lines: Sequence[str]) -> list[str]:
        """Return the file's lines with every splice made."""
        out = list(lines)
        for splice in reversed(self.splices):
            out[splice.start : splice.end] = splice.lines
        return out


@dataclass(frozen=True, slots=True)
class Miss:
    """A block that did not apply: no match or ambiguous, with where it came close."""

    reason: FailureReason
    locations: tuple[tuple[int, int], ...] = ()
    closest: Window | None = None
    note: str = ""


def is_elision(line: str) -> bool:
    """True for a `...` line, bare or in a comment (`# ... existing code ...`), never `...args`."""
    return bool(_BARE_ELISION.match(line) or _COMMENT_ELISION.match(line))


def is_placeholder(line: str) -> bool:
    """True for a commented elision (`// ... rest unchanged`), never valid code on its own."""
    return is_elision(line) and line.strip() not in ("...", "…")


def _find(
    lines: Sequence[str], block: Sequence[str], key: Callable[[str], str] | None, lo: int = 0
) -> list[int]:
    size = len(block)
    if size == 0 or size > len(lines):
        return []
    keys = list(lines) if key is None else [key(line) for line in lines]
    wanted = list(block) if key is None else [key(line) for line in block]
    anchor = max(range(size), key=lambda k: len(wanted[k]))
    first = wanted[anchor]
    hits: list[int] = []
    position = max(lo + anchor, 0) - 1
    while True:
        try:
            position = keys.index(first, position + 1)  # C-speed scan: 20,000 lines in ~0.3 ms
        except ValueError:
            return hits
        start = position - anchor
        if start + size <= len(keys) and keys[start : start + size] == wanted:
            hits.append(start)


def _keep_file_lines(
    new: list[str], replace: Sequence[str], search: Sequence[str], target: Sequence[str]
) -> list[str]:
    """Lines REPLACE keeps from SEARCH take the file's exact text (its whitespace, its tabs)."""
    if list(search) == list(target):
        return new
    aligned: dict[int, int] = {}
    if len(search) == len(target):
        aligned = {i: i for i in range(len(search))}
    else:
        matcher = SequenceMatcher(
            None, [s.strip() for s in search], [t.strip() for t in target], autojunk=False
        )
        for block in matcher.get_matching_blocks():
            aligned.update({block.a + k: block.b + k for k in range(block.size)})
    keeper = SequenceMatcher(None, list(search), list(replace), autojunk=False)
    for tag, i1, i2, j1, _j2 in keeper.get_opcodes():
        if tag != "equal":
            continue
        for k in range(i2 - i1):
            if (i1 + k) in aligned:
                new[j1 + k] = target[aligned[i1 + k]]
    return new


def _splice(
    lines: Sequence[str],
    start: int,
    end: int,
    search: Sequence[str],
    replace: Sequence[str],
    reindented: bool,
) -> Splice:
    target = lines[start:end]
    new = reindent(replace, search, target, lines) if reindented else list(replace)
    return Splice(start, end, tuple(_keep_file_lines(new, replace, search, target)))


def _trim_blank_edges(search: Sequence[str], replace: Sequence[str]) -> tuple[list[str], list[str]]:
    s, r = list(search), list(replace)
    while s and not s[0].strip():
        s.pop(0)
        if r and not r[0].strip():
            r.pop(0)
    while s and not s[-1].strip():
        s.pop()
        if r and not r[-1].strip():
            r.pop()
    return s, r


def _strict(
    lines: Sequence[str], search: Sequence[str], lo: int = 0
) -> tuple[MatchStrategy, list[int], list[str]] | None:
    """Run the exact-to-indentation rungs; return the first rung with hits, and the block used."""
    rungs: list[tuple[MatchStrategy, Callable[[str], str] | None]] = [
        (MatchStrategy.EXACT, None),
        (MatchStrategy.TRAILING_WHITESPACE, str.rstrip),
    ]
    for strategy, key in rungs:
        hits = _find(lines, search, key, lo)
        if hits:
            return strategy, hits, list(search)
    trimmed, _ = _trim_blank_edges(search, [])
    if trimmed and len(trimmed) != len(search):
        hits = _find(lines, trimmed, str.rstrip, lo)
        if hits:
            return MatchStrategy.BLANK_LINES, hits, trimmed
    if trimmed:
        size = len(trimmed)
        hits = [
            start
            for start in _find(lines, trimmed, str.strip, lo)
            if same_structure(lines[start : start + size], trimmed)
        ]
        if hits:
            return MatchStrategy.INDENTATION, hits, trimmed
    return None


def _strict_match(
    lines: Sequence[str], search: Sequence[str], replace: Sequence[str]
) -> Match | Miss | None:
    found = _strict(lines, search)
    if found is None:
        return None
    strategy, hits, used = found
    size = len(used)
    if len(hits) > 1:
        return Miss(FailureReason.AMBIGUOUS, tuple((h, h + size) for h in hits))
    replace_used = list(replace)
    if len(used) != len(search):
        _, replace_used = _trim_blank_edges(search, replace)
    reindented = strategy is MatchStrategy.INDENTATION
    splice = _splice(lines, hits[0], hits[0] + size, used, replace_used, reindented)
    return Match(strategy, (splice,))


def _pieces(block: Sequence[str]) -> list[list[str]]:
    pieces: list[list[str]] = [[]]
    for line in block:
        if is_elision(line):
            pieces.append([])
        else:
            pieces[-1].append(line)
    return pieces


def _elision_match(
    lines: Sequence[str], search: Sequence[str], replace: Sequence[str]
) -> Match | Miss | None:
    searches, replaces = _pieces(search), _pieces(replace)
    if len(searches) < 2:
        return None
    if len(searches) != len(replaces):
        note = (
            f"SEARCH has {len(searches) - 1} `...` line(s) but REPLACE has {len(replaces) - 1}; "
            "use the same `...` lines, in the same places, in both."
        )
        return Miss(FailureReason.NO_MATCH, note=note)
    splices: list[Splice] = []
    lo = 0
    for s, r in zip(searches, replaces, strict=True):
        if not any(line.strip() for line in s):
            if any(line.strip() for line in r):
                note = "text next to a `...` line must have SEARCH lines around it to anchor it."
                return Miss(FailureReason.NO_MATCH, note=note)
            continue
        found = _strict(lines, s, lo)
        if found is None:
            return None
        strategy, hits, used = found
        if not splices and len(hits) > 1:
            return Miss(FailureReason.AMBIGUOUS, tuple((h, h + len(used)) for h in hits))
        start = hits[0]
        r_used = r if len(used) == len(s) else _trim_blank_edges(s, r)[1]
        reindented = strategy is MatchStrategy.INDENTATION
        splices.append(_splice(lines, start, start + len(used), used, r_used, reindented))
        lo = start + len(used)
    return Match(MatchStrategy.ELISION, tuple(splices)) if splices else None


def _fuzzy_match(
    lines: Sequence[str], search: Sequence[str], replace: Sequence[str], threshold: float
) -> Match | Miss:
    windows = ranked_windows(lines, search)
    best = windows[0] if windows else None
    solid = sum(1 for line in search if line.strip())
    if best is None or best.similarity < threshold or solid < FUZZY_MIN_LINES:
        return Miss(FailureReason.NO_MATCH, closest=best)
    rival = rival_of(windows, threshold)
    if rival is not None:
        spots = ((best.start, best.end), (rival.start, rival.end))
        return Miss(FailureReason.AMBIGUOUS, spots, closest=best)
    splice = _splice(lines, best.start, best.end, search, replace, reindented=True)
    return Match(MatchStrategy.FUZZY, (splice,), best.similarity)


def locate(
    lines: Sequence[str],
    search: Sequence[str],
    replace: Sequence[str],
    *,
    fuzzy_threshold: float = 0.8,
    fuzzy: bool = True,
) -> Match | Miss:
    """Find the one place a SEARCH block applies in `lines` and what REPLACE turns it into."""
    strict = _strict_match(lines, search, replace)
    if strict is not None:
        return strict
    trimmed_search, trimmed_replace = _trim_blank_edges(search, replace)
    elided = _elision_match(lines, trimmed_search, trimmed_replace)
    if elided is not None:
        return elided
    if any(is_elision(line) for line in trimmed_search):
        closest = ranked_windows(lines, [s for s in trimmed_search if not is_elision(s)])
        return Miss(FailureReason.NO_MATCH, closest=closest[0] if closest else None)
    done = _already_applied(lines, trimmed_search, trimmed_replace)
    if done is not None:
        return done
    if not fuzzy:
        return Miss(FailureReason.NO_MATCH)
    return _fuzzy_match(lines, trimmed_search, trimmed_replace, fuzzy_threshold)


def _already_applied(
    lines: Sequence[str], search: Sequence[str], replace: Sequence[str]
) -> Miss | None:
    """A block whose SEARCH is gone but whose REPLACE is there was most likely applied before."""
    if not any(line.strip() for line in replace) or list(search) == list(replace):
        return None
    found = _strict(lines, replace)
    if found is None or len(found[1]) != 1:
        return None
    start, size = found[1][0], len(found[2])
    return Miss(FailureReason.ALREADY_APPLIED, ((start, start + size),))
