"""Property-based checks: blocks made from a file apply as intended; no path writes outside."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchard.edits import Edit, EditKind, apply_edits, apply_to_text

POOL = [
    "def f(x):",
    "    return x",
    "",
    "    ",
    "}",
    "\tif (a) {",
    "import os",
    "x = 1  ",
    "# comment",
    "class A:",
    "        pass",
]
LINE = st.one_of(st.sampled_from(POOL), st.text(alphabet="ab \t(){}:=.#é✓", max_size=10))
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _join(lines: list[str], crlf: bool, final: bool) -> str:
    sep = "\r\n" if crlf else "\n"
    return sep.join(lines) + (sep if final and lines else "")


def _occurrences(lines: list[str], block: list[str]) -> int:
    size = len(block)
    return sum(1 for i in range(len(lines) - size + 1) if lines[i : i + size] == block)


@BOUNDED
@given(
    lines=st.lists(LINE, min_size=1, max_size=30),
    data=st.data(),
    new=st.lists(LINE, max_size=6),
    crlf=st.booleans(),
    final=st.booleans(),
)
def test_block_taken_from_the_file_yields_the_intended_content(
    lines: list[str], data: st.DataObject, new: list[str], crlf: bool, final: bool
) -> None:
    assume(final or lines[-1] != "")
    start = data.draw(st.integers(0, len(lines) - 1))
    end = data.draw(st.integers(start + 1, len(lines)))
    block = lines[start:end]
    assume(any(line.strip() for line in block))
    edit = Edit(
        "f.txt", EditKind.REPLACE, "".join(f"{x}\n" for x in block), "".join(f"{x}\n" for x in new)
    )
    original = _join(lines, crlf, final)
    outcome = apply_to_text(original, [edit])
    if _occurrences(lines, block) == 1:
        assert outcome.failed == (), outcome.failed[0].message
        crlf_seen = crlf and (len(lines) > 1 or final)  # one line, no newline: nothing to keep
        assert outcome.text == _join(lines[:start] + new + lines[end:], crlf_seen, final)
    else:
        assert [f.reason for f in outcome.failed] == ["ambiguous"]
        assert outcome.text == original


LEVELS = st.lists(st.integers(0, 3), min_size=2, max_size=8).filter(
    lambda levels: 0 in levels and len(set(levels)) > 1
)


def _render(levels: list[int], words: list[str], base: int, unit: str) -> list[str]:
    return [unit * (base + level) + word for level, word in zip(levels, words, strict=True)]


@BOUNDED
@given(
    old_levels=LEVELS,
    new_levels=st.lists(st.integers(0, 3), min_size=1, max_size=8),
    base=st.integers(0, 3),
    file_unit=st.sampled_from(["\t", "    ", "  "]),
    reply_unit=st.sampled_from(["  ", "    ", "\t"]),
)
def test_reindented_block_lands_in_the_files_own_indentation(
    old_levels: list[int], new_levels: list[int], base: int, file_unit: str, reply_unit: str
) -> None:
    old_words = [f"old_{i} = {i}" for i in range(len(old_levels))]
    new_words = [f"new_{i}()" for i in range(len(new_levels))]
    prefix = _render([0, 1, 1], ["def head():", "a = 1", "b = 2"], 0, file_unit)
    suffix = _render([0, 1], ["def tail():", "return 0"], 0, file_unit)
    target = _render(old_levels, old_words, base, file_unit)
    text = "\n".join(prefix + target + suffix) + "\n"
    search = "".join(f"{x}\n" for x in _render(old_levels, old_words, 0, reply_unit))
    replace = "".join(f"{x}\n" for x in _render(new_levels, new_words, 0, reply_unit))
    outcome = apply_to_text(text, [Edit("m.py", EditKind.REPLACE, search, replace)])
    assert outcome.failed == (), outcome.failed[0].message
    expected = prefix + _render(new_levels, new_words, base, file_unit) + suffix
    assert outcome.text == "\n".join(expected) + "\n"


SEGMENT = st.sampled_from(
    ["..", ".", "src", "link", "inlink", "outside", ".git", ".GIT", "a", "b.txt", "", "~", "\\"]
)


def _snapshot(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for here, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(here) / name
            if not path.is_symlink():
                files[str(path.relative_to(folder))] = path.read_bytes()
    return files


@settings(max_examples=200, deadline=None)
@given(
    segments=st.lists(SEGMENT, min_size=1, max_size=6),
    anchor=st.sampled_from(["", "root", "sandbox", "outside", "/"]),
    kind=st.sampled_from([EditKind.WHOLE, EditKind.REPLACE, EditKind.DELETE]),
)
def test_no_generated_path_writes_outside_the_root(
    segments: list[str], anchor: str, kind: EditKind
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sandbox = Path(folder)
        root, outside = sandbox / "root", sandbox / "outside"
        (root / "src").mkdir(parents=True)
        (root / ".git").mkdir()
        (root / ".git/config").write_text("[core]\n")
        (root / "src/b.txt").write_text("inside\n")
        outside.mkdir()
        (outside / "b.txt").write_text("outside\n")
        (root / "link").symlink_to(outside)
        (root / "inlink").symlink_to(root / "src")
        prefix = {"root": f"{root}/", "sandbox": f"{sandbox}/", "outside": f"{outside}/"}
        path = prefix.get(anchor, anchor) + "/".join(segments)
        before_outside = _snapshot(sandbox / "outside")
        before_git = _snapshot(root / ".git")
        edit = Edit(path, kind, "", "pwned\n")
        result = apply_edits([edit], root)
        assert len(result.applied) + len(result.failed) == 1
        assert _snapshot(outside) == before_outside
        assert _snapshot(root / ".git") == before_git
        assert sorted(p.name for p in sandbox.iterdir()) == ["outside", "root"]
        for written in result.written:
            real = Path(os.path.realpath(root / written))
            assert real.is_relative_to(Path(os.path.realpath(root)))
