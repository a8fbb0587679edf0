"""Every reply shape of `shapes.py` through `orchard apply` in a real git repository.

Checks the exit status, the refusal reasons and messages, notes, flags and every file after;
for refused shapes, that the corrected reply applies next. Hostile replies (undecodable bytes,
10,000 blocks) are here too, through files and stdin.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchard.cli import main
from orchard.edits import MAX_BLOCKS_PER_REPLY
from tests.support.gitrepo import GitRepo
from tests.unit.edits.shapes import BASE, CALC, SHAPES, Shape, block

NAMES = [shape.name for shape in SHAPES]


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(dict(BASE))


def _apply(
    repo: GitRepo, tmp_path: Path, reply: str | bytes, fmt: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "reply.md"
    path.write_bytes(reply if isinstance(reply, bytes) else reply.encode("utf-8"))
    status = main(["apply", "--root", str(repo.root), "--json", "--format", fmt, str(path)])
    return status, json.loads(capsys.readouterr().out)


def _tree(repo: GitRepo) -> dict[str, str]:
    files = repo.git("ls-files", "-z").split("\0")
    tracked = {name: (repo.root / name).read_text() for name in files if name}
    extra = repo.git("ls-files", "-z", "--others", "--exclude-standard").split("\0")
    tracked.update({name: (repo.root / name).read_text() for name in extra if name})
    return tracked


def _messages(data: dict[str, Any]) -> str:
    return "\n".join([*(f["message"] for f in data["failed"]), *data["notes"]])


@pytest.mark.parametrize("name", NAMES)
def test_shape_through_orchard_apply(
    name: str, repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shape: Shape = next(s for s in SHAPES if s.name == name)
    head, index = repo.head(), repo.git("write-tree")
    status, data = _apply(repo, tmp_path, shape.reply, shape.fmt, capsys)
    assert [f["reason"] for f in data["failed"]] == list(shape.failed), _messages(data)
    assert status == (1 if shape.failed else 0)
    assert _tree(repo) == {**BASE, **shape.after}
    assert bool(data["notes"]) is shape.note
    assert [d["path"] for d in data["large_deletions"]] == list(shape.gutted)
    assert shape.hint in _messages(data)
    if shape.moved:
        assert [a["requested"] for a in data["applied"]] == [shape.moved]
    assert (repo.head(), repo.git("write-tree")) == (head, index)  # branch and index untouched
    if shape.fix is not None:
        status, data = _apply(repo, tmp_path, shape.fix, shape.fmt, capsys)
        assert (status, data["failed"]) == (0, [])
        assert _tree(repo) == {**BASE, **shape.after, **shape.fixed}


def test_shapes_cover_every_format() -> None:
    assert {"auto", "whole"} <= {s.fmt for s in SHAPES}
    assert sum("udiff" in s.name for s in SHAPES) >= 4
    assert sum(s.failed != () or s.note for s in SHAPES) >= 7


UNDECODABLE = block("calc.py", "    return a + b\n", "    return a + b  # \udcff\n").encode(
    "utf-8", "surrogateescape"
)


def test_undecodable_reply_file_is_refused_and_nothing_written(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert b"\xff" in UNDECODABLE
    status, data = _apply(repo, tmp_path, UNDECODABLE, "auto", capsys)
    assert status == 1
    assert [f["reason"] for f in data["failed"]] == ["undecodable"]
    assert "not UTF-8 text" in data["failed"][0]["message"]
    assert (repo.root / "calc.py").read_text() == CALC


def test_undecodable_stdin_is_refused_by_the_real_process(repo: GitRepo) -> None:
    reply = (
        UNDECODABLE
        + b"\n"
        + block("src/app.py", "def greet(name):\n", "def greet(who):\n").encode()
    )
    done = subprocess.run(
        [sys.executable, "-m", "orchard", "apply", "--root", str(repo.root), "-"],
        input=reply,
        capture_output=True,
        check=False,
    )
    out = done.stdout.decode("utf-8")
    assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in done.stderr.decode("utf-8", "replace")
    assert "FAILED   calc.py  edit #1 (undecodable)" in out
    assert "applied  src/app.py  edit #2" in out  # the clean edit of the same reply applies
    assert (repo.root / "calc.py").read_text() == CALC


def test_ten_thousand_non_matching_blocks_are_refused_whole(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = "".join(
        block("calc.py", f"def missing_{i}():\n    pass\n", "def found():\n    pass\n")
        for i in range(10_000)
    )
    status, data = _apply(repo, tmp_path, reply, "auto", capsys)
    assert status == 1
    (failure,) = data["failed"]
    assert failure["reason"] == "too_many_blocks"
    assert f"at most {MAX_BLOCKS_PER_REPLY}" in failure["message"]
    assert _tree(repo) == BASE


def test_text_output_names_notes_moves_and_gutted_files(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_name = {s.name: s for s in SHAPES}
    for name, expected in (
        ("chatty-reply-is-no-rewrite", "NOTE     Your reply shows `calc.py`"),
        (
            "dropped-folder-one-candidate",
            "applied  src/app.py  edit #1 (exact, lines 2-2; the reply said `app.py`)",
        ),
        ("gutting-edit-is-flagged", "WARNING  `big.py` went from 17 lines to 1"),
    ):
        path = tmp_path / f"{name}.md"
        path.write_text(by_name[name].reply)
        assert main(["apply", "--root", str(repo.root), str(path)]) == 0
        assert expected in capsys.readouterr().out
