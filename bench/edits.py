"""Edit application: success rate on the reply corpus, time per apply on a 20,000-line file,
and time to refuse a hopeless reply (10,000 SEARCH blocks that match nothing).

Against baselines measured in the same run: the same parsed edits applied by a plain
`str.replace` when the SEARCH text occurs exactly once (what a naive applier does); and, for the
hopeless reply, the same reply with the block cap and fuzzy time budget lifted (every block down
the whole match ladder, as before they existed). Prints figures and ratios; never fails on a time.

    python bench/edits.py [--lines 20000] [--repeat 15] [--blocks 10000] [--no-uncapped]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from orchard.edits import Edit, EditKind, apply_edits, apply_to_text, guards, parse_edits
from orchard.edits import apply as apply_module

REPLIES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "replies"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _meta(case: Path) -> dict[str, object]:
    meta = json.loads((case / "case.json").read_text()) if (case / "case.json").exists() else {}
    return dict(meta)


def _expected(case: Path) -> tuple[dict[str, bytes], list[str]]:
    meta: dict[str, list[str]] = json.loads(
        (case / "case.json").read_text() if (case / "case.json").exists() else "{}"
    )
    files = _files(REPLIES / "project")
    files.update(_files(case / "after") if (case / "after").exists() else {})
    for gone in meta.get("deleted", []):
        files.pop(gone)
    return files, meta.get("expect_failed", [])


def baseline_apply(files: dict[str, bytes], edits: list[Edit]) -> tuple[dict[str, bytes], int]:
    """Apply edits with exact, unique `str.replace` only; return the files and the failures."""
    out, failures = dict(files), 0
    for edit in edits:
        current = out.get(edit.path)
        text = current.decode("utf-8") if current is not None else None
        if edit.kind is EditKind.DELETE and text is not None:
            del out[edit.path]
        elif edit.kind is EditKind.WHOLE or (
            edit.kind is EditKind.REPLACE and not edit.search.strip() and not (text or "").strip()
        ):
            out[edit.path] = edit.replace.encode("utf-8")
        elif edit.kind is EditKind.REPLACE and text is not None and text.count(edit.search) == 1:
            out[edit.path] = text.replace(edit.search, edit.replace).encode("utf-8")
        else:
            failures += 1
    return out, failures


def corpus() -> None:
    """Print each case's outcome for Orchard and the baseline, and both success rates."""
    cases = sorted(p for p in (REPLIES / "corpus").iterdir() if p.is_dir())
    ours = base = 0
    print(f"{'case':34} {'orchard':>8} {'baseline':>9}  rungs")
    for case in cases:
        expected, expect_failed = _expected(case)
        edits = parse_edits(
            (case / "reply.md").read_text("utf-8"), str(_meta(case).get("format", "auto"))
        )
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "project"
            shutil.copytree(REPLIES / "project", root)
            result = apply_edits(edits, root)
            good = _files(root) == expected and [str(f.reason) for f in result.failed] == (
                expect_failed
            )
        naive, naive_failures = baseline_apply(_files(REPLIES / "project"), edits)
        naive_good = naive == expected and naive_failures == len(expect_failed)
        ours, base = ours + good, base + naive_good
        rungs = ",".join(sorted({str(a.strategy) for a in result.applied})) or "refused"
        mine, naive_mark = "ok" if good else "FAIL", "ok" if naive_good else "fail"
        print(f"{case.name:34} {mine:>8} {naive_mark:>9}  {rungs}")
    n = len(cases)
    print(f"\nsuccess rate: orchard {ours}/{n} = {ours / n:.0%}, ", end="")
    print(f"baseline {base}/{n} = {base / n:.0%} (ratio {ours / max(base, 1):.2f})")


def _synthetic(lines: int) -> str:
    body = []
    for i in range(lines // 5):
        body += [f"def handler_{i}(request):", f"    value = request.get('k{i}')", "    if value:"]
        body += [f"        return value * {i}", ""]
    return "\n".join(body) + "\n"


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timing(lines: int, repeat: int) -> None:
    """Time one block applied to a large file at each rung, against `str.replace`."""
    text = _synthetic(lines)
    middle = lines // 10
    search = f"def handler_{middle}(request):\n    value = request.get('k{middle}')\n"
    replace = search.replace("(request)", "(request, default=None)")
    indented = "".join(f"    {line}" for line in search.splitlines(keepends=True))
    fuzzy = f"def handler_{middle}(request):\n    val = request.get('k{middle}')\n    if value:\n"

    slow = max(3, repeat // 3)

    def edit(s: str, r: str = replace) -> list[Edit]:
        return [Edit("big.py", EditKind.REPLACE, s, r)]

    base = _median(lambda: text.replace(search, replace, 1), repeat)
    rows = [
        ("str.replace (baseline)", base),
        ("apply_to_text, exact", _median(lambda: apply_to_text(text, edit(search)), repeat)),
        (
            "apply_to_text, indentation",
            _median(lambda: apply_to_text(text, edit(indented)), repeat),
        ),
        ("apply_to_text, fuzzy", _median(lambda: apply_to_text(text, edit(fuzzy)), slow)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "big.py").write_text(text)
        flip = [search, replace]

        def on_disk() -> None:
            apply_edits(edit(flip[0], flip[1]), root)
            flip.reverse()

        rows.append(("apply_edits (read + atomic write)", _median(on_disk, repeat)))
    print(f"\n{lines:,}-line file, one block, median of {repeat} runs:")
    for name, seconds in rows:
        print(f"  {name:36} {seconds * 1000:9.3f} ms   {seconds / base:10.0f}x baseline")


def _hopeless_reply(blocks: int, path: str) -> str:
    return "".join(
        f"{path}\n```python\n<<<<<<< SEARCH\ndef missing_{i}(a, b):\n    total = a + b + {i}\n"
        f"    return total * {i}\n=======\ndef found_{i}():\n    pass\n>>>>>>> REPLACE\n```\n\n"
        for i in range(blocks)
    )


def _refuse(reply: str) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        shutil.copytree(REPLIES / "project", root)
        start = time.perf_counter()
        result = apply_edits(parse_edits(reply), root)
        feedback = result.feedback()
        return time.perf_counter() - start, len(result.failed), len(feedback)


def hopeless(blocks: int, uncapped: bool) -> None:
    """Time refusing `blocks` non-matching blocks: as shipped, and with the guards lifted."""
    path = "src/inventory/legacy.py"
    reply = _hopeless_reply(blocks, path)
    rows = [(f"{blocks:,} blocks, as shipped", *_refuse(reply))]
    at_cap = guards.MAX_BLOCKS_PER_REPLY
    rows.append((f"{at_cap} blocks (the cap), as shipped", *_refuse(_hopeless_reply(at_cap, path))))
    saved = guards.MAX_BLOCKS_PER_REPLY, apply_module.FUZZY_BUDGET_SECONDS
    try:
        guards.MAX_BLOCKS_PER_REPLY = blocks + 1
        rows.append((f"{blocks:,} blocks, no cap, fuzzy budget", *_refuse(reply)))
        if uncapped:
            apply_module.FUZZY_BUDGET_SECONDS = float("inf")
            rows.append((f"{blocks:,} blocks, no cap, no budget (before)", *_refuse(reply)))
    finally:
        guards.MAX_BLOCKS_PER_REPLY, apply_module.FUZZY_BUDGET_SECONDS = saved
    slowest = max(seconds for _, seconds, _, _ in rows)
    print(f"\nhopeless reply into {path} (lower is better):")
    for name, seconds, failed, chars in rows:
        print(
            f"  {name:44} {seconds:8.2f} s  {failed:6} refusals  {chars:9,} feedback chars  "
            f"{slowest / max(seconds, 1e-9):8.1f}x faster than the slowest"
        )


def main() -> None:
    """Run the measurements."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--no-uncapped", action="store_true", help="skip the slow 'before' row")
    args = parser.parse_args()
    corpus()
    timing(args.lines, args.repeat)
    hopeless(args.blocks, not args.no_uncapped)


if __name__ == "__main__":
    main()
