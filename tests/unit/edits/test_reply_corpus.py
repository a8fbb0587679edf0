"""Every realistic reply of the corpus applies to exactly the files it is meant to produce."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchard.edits import apply_edits, parse_edits

REPLIES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"
CASES = sorted(p.name for p in (REPLIES / "corpus").iterdir() if p.is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_corpus_has_many_cases_of_every_format() -> None:
    assert len(CASES) >= 25
    assert sum("udiff" in name for name in CASES) >= 4
    assert sum("whole" in name for name in CASES) >= 2


@pytest.mark.parametrize("case", CASES)
def test_reply_produces_the_expected_tree(case: str, tmp_path: Path) -> None:
    folder = REPLIES / "corpus" / case
    meta = json.loads((folder / "case.json").read_text()) if (folder / "case.json").exists() else {}
    root = tmp_path / "project"
    shutil.copytree(REPLIES / "project", root)
    reply = (folder / "reply.md").read_text("utf-8")
    result = apply_edits(parse_edits(reply, meta.get("format", "auto")), root)
    assert [str(f.reason) for f in result.failed] == meta.get("expect_failed", []), (
        result.feedback()
    )
    expected = _files(REPLIES / "project")
    expected.update(_files(folder / "after") if (folder / "after").exists() else {})
    for gone in meta.get("deleted", []):
        expected.pop(gone)
    assert _files(root) == expected
