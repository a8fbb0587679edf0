"""Reading reviewer answers: JSON found whole, fenced or in prose; findings checked against the
reviewed result's files; replacements of exactly their lines; diffs numbered by result line."""

from __future__ import annotations

import json

from orchard.review.findings import Finding, Severity
from orchard.review.parsing import apply_replacement, find_json_object, parse_findings
from orchard.review.reviewer import numbered_diff

TEXTS = {"src/app.py": "a = 1\nb = 2\nc = 3\nd = 4\n", "gone.py": None}


def answer(*entries: object) -> str:
    return json.dumps({"findings": list(entries)})


def entry(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "file": "src/app.py",
        "line": 2,
        "end_line": 3,
        "severity": "warning",
        "message": "b and c disagree",
    }
    return {**base, **fields}


def test_a_plain_json_answer_gives_its_findings() -> None:
    found = parse_findings(answer(entry()), TEXTS)
    assert found == [Finding("src/app.py", 2, 3, Severity.WARNING, "b and c disagree")]


def test_a_fenced_block_and_json_inside_prose_parse_too() -> None:
    fenced = f"Here you go:\n```json\n{answer(entry(severity='error'))}\n```\nThanks."
    prose = f"I looked closely. {answer(entry(line=4, end_line=4))} That is all."
    assert [f.severity for f in parse_findings(fenced, TEXTS)] == [Severity.ERROR]
    assert [(f.line, f.end_line) for f in parse_findings(prose, TEXTS)] == [(4, 4)]


def test_malformed_entries_are_dropped_and_the_rest_kept() -> None:
    text = answer(
        entry(message="kept"),
        "not an object",
        entry(severity="catastrophic"),
        entry(line="two"),
        entry(message=""),
        entry(file="elsewhere.py"),
        entry(line=3, end_line=2),
        entry(line=4, end_line=9),
        entry(file="gone.py"),
        entry(replacement=7),
    )
    assert [f.message for f in parse_findings(text, TEXTS)] == ["kept"]


def test_an_answer_without_findings_gives_none() -> None:
    assert parse_findings("Looks good to me!", TEXTS) == []
    assert parse_findings('{"findings": "none"}', TEXTS) == []
    assert find_json_object('{"other": 1} then {"findings": []}', "findings") == {"findings": []}


def test_diff_prefixes_and_missing_end_lines_are_understood() -> None:
    found = parse_findings(answer({**entry(file="b/src/app.py"), "end_line": None}), TEXTS)
    assert found == []  # a null end_line is not a number
    found = parse_findings(answer(entry(file="b/src/app.py")), TEXTS)
    assert found[0].file == "src/app.py"
    single = {k: v for k, v in entry().items() if k != "end_line"}
    assert parse_findings(answer(single), TEXTS)[0].end_line == 2


def test_a_replacement_replaces_exactly_its_lines() -> None:
    [finding] = parse_findings(answer(entry(replacement="bc = 23")), TEXTS)
    assert finding.replacement == "bc = 23\n"
    assert apply_replacement(TEXTS["src/app.py"] or "", finding) == "a = 1\nbc = 23\nd = 4\n"


def test_the_diff_shows_each_result_line_number() -> None:
    diff = (
        "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n"
        "@@ -10,3 +12,4 @@ def f():\n     keep = 1\n-    old = 2\n+    new = 2\n+    more = 3\n"
        "     tail = 4\n"
    )
    lines = numbered_diff(diff).splitlines()
    assert lines[4] == "   12      keep = 1"
    assert lines[5].strip() == "-    old = 2"
    assert lines[6] == "   13 +    new = 2"
    assert lines[8] == "   15      tail = 4"
