"""Fuzzy location of a block: diff-match-patch similarity over windows of the file's lines.

A cheap token-overlap score picks candidate windows; diff-match-patch scores them. Used for the last
rung of the match ladder and for the "closest lines" of a failure. Never edits text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

CANDIDATES = 6
SLACK = 2
REFINE_MAX_LINES = 80
AMBIGUITY_MARGIN = 0.05
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Window:
    """A run of file lines [start, end) and how similar it is to the block sought (0-1)."""

    start: int
    end: int
    similarity: float


def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    engine.Diff_Timeout = 0.5
    return engine


def similarity(a: Sequence[str], b: Sequence[str], engine: diff_match_patch | None = None) -> float:
    """Return 1 - edit distance / length, over the lines stripped of their indentation."""
    left = "\n".join(line.strip() for line in a)
    right = "\n".join(line.strip() for line in b)
    if not left and not right:
        return 1.0
    engine = engine or _engine()
    distance = engine.diff_levenshtein(engine.diff_main(left, right, False))
    return 1.0 - distance / max(len(left), len(right))


def _line_scores(lines: Sequence[str], block: Sequence[str]) -> list[float]:
    wanted = {token for line in block for token in _TOKEN.findall(line)}
    stripped = {line.strip() for line in block if line.strip()}
    scores = []
    for line in lines:
        text = line.strip()
        if not text:
            scores.append(0.0)
            continue
        if text in stripped:
            scores.append(2.0)
            continue
        tokens = _TOKEN.findall(text)
        hits = sum(1 for token in tokens if token in wanted)
        scores.append(hits / len(tokens) if tokens else 0.0)
    return scores


def _candidate_starts(lines: Sequence[str], block: Sequence[str]) -> list[int]:
    size = len(block)
    scores = _line_scores(lines, block)
    if len(lines) <= size:
        return [0]
    running = sum(scores[:size])
    sums = [running]
    for start in range(1, len(lines) - size + 1):
        running += scores[start + size - 1] - scores[start - 1]
        sums.append(running)
    order = sorted(range(len(sums)), key=lambda i: (-sums[i], i))
    chosen: list[int] = []
    for start in order:
        if sums[start] <= 0 or len(chosen) >= CANDIDATES:
            break
        if all(abs(start - other) > size // 2 for other in chosen):
            chosen.append(start)
    return chosen


def _refine(
    lines: Sequence[str], block: Sequence[str], first: Window, engine: diff_match_patch
) -> Window:
    best = first
    if len(block) > REFINE_MAX_LINES:
        return best
    for start in range(max(0, first.start - SLACK), first.start + SLACK + 1):
        for end in range(first.end - SLACK, first.end + SLACK + 1):
            if end <= start or end > len(lines) or (start, end) == (first.start, first.end):
                continue
            score = similarity(lines[start:end], block, engine)
            if score > best.similarity:
                best = Window(start, end, score)
    return best


def ranked_windows(lines: Sequence[str], block: Sequence[str]) -> list[Window]:
    """Return candidate windows for a block, most similar first (empty when nothing is close)."""
    if not lines or not any(line.strip() for line in block):
        return []
    engine = _engine()
    size = min(len(block), len(lines))
    rough = [
        Window(s, s + size, similarity(lines[s : s + size], block, engine))
        for s in _candidate_starts(lines, block)
    ]
    rough.sort(key=lambda w: -w.similarity)
    refined = [_refine(lines, block, window, engine) for window in rough[:2]] + rough[2:]
    refined.sort(key=lambda w: (-w.similarity, w.start))
    return refined


def overlaps(a: Window, b: Window) -> bool:
    """True when two windows share a line."""
    return a.start < b.end and b.start < a.end


def rival_of(windows: Sequence[Window], threshold: float) -> Window | None:
    """Return a second window that scores as well as the best (ambiguity), if any."""
    if not windows:
        return None
    best = windows[0]
    for other in windows[1:]:
        close = other.similarity >= threshold and best.similarity - other.similarity < (
            AMBIGUITY_MARGIN
        )
        if close and not overlaps(best, other):
            return other
    return None
