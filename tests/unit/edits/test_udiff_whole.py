"""Unified diffs and whole-file replies: parsing, and applying them to real files."""

from __future__ import annotations

from pathlib import Path

from orchard.edits import EditKind, apply_edits, detect_format, parse_edits

SOURCE = """import os


def load(path):
    with open(path) as f:
        return f.read()


def save(path, data):
    with open(path, "w") as f:
        f.write(data)
"""

WRONG_NUMBERS = """I'll make `save` create the parent folder first:

```diff
--- a/src/store.py
+++ b/src/store.py
@@ -40,7 +40,8 @@ def load(path):
 def save(path, data):
+    os.makedirs(os.path.dirname(path), exist_ok=True)
     with open(path, "w") as f:
         f.write(data)
```
"""


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_hunk_with_wrong_line_numbers_is_placed_by_its_content(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    result = apply_edits(parse_edits(WRONG_NUMBERS), tmp_path)
    assert result.ok, result.feedback()
    text = (tmp_path / "src/store.py").read_text()
    assert "def save(path, data):\n    os.makedirs(os.path.dirname(path), exist_ok=True)\n" in text


def test_hunks_without_numbers_or_prefixes_apply() -> None:
    reply = (
        "```diff\n--- src/store.py\n+++ src/store.py\n@@ ... @@\n-import os\n+import os\n"
        "+import json\n@@ ... @@\n def load(path):\n-    with open(path) as f:\n"
        '+    with open(path, encoding="utf-8") as f:\n         return f.read()\n```\n'
    )
    edits = parse_edits(reply)
    assert [e.path for e in edits] == ["src/store.py", "src/store.py"]
    assert (
        edits[1].search == "def load(path):\n    with open(path) as f:\n        return f.read()\n"
    )


def test_diff_without_any_hunk_header_is_one_hunk() -> None:
    reply = "--- a/x.py\n+++ b/x.py\n-a = 1\n+a = 2\n"
    (edit,) = parse_edits(reply, "udiff")
    assert (edit.path, edit.search, edit.replace) == ("x.py", "a = 1\n", "a = 2\n")


def test_blank_context_line_that_lost_its_space_still_counts(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    reply = (
        "```diff\n--- src/store.py\n+++ src/store.py\n@@ -1,4 +1,5 @@\n import os\n+import sys\n"
        "\n\n def load(path):\n```\n"
    )
    result = apply_edits(parse_edits(reply), tmp_path)
    assert result.ok, result.feedback()
    assert (tmp_path / "src/store.py").read_text().startswith("import os\nimport sys\n\n\ndef")


def test_dev_null_creates_and_deletes_files(tmp_path: Path) -> None:
    _tree(tmp_path, {"old.py": "x = 1\n"})
    reply = (
        "```diff\n--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+def hello():\n"
        "+    return 1\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n```\n"
    )
    edits = parse_edits(reply)
    assert [e.kind for e in edits] == [EditKind.REPLACE, EditKind.DELETE]
    result = apply_edits(edits, tmp_path)
    assert result.ok, result.feedback()
    assert (tmp_path / "pkg/new.py").read_text() == "def hello():\n    return 1\n"
    assert not (tmp_path / "old.py").exists()


def test_removed_sql_comment_line_is_not_taken_for_a_file_header() -> None:
    reply = "--- a/q.sql\n+++ b/q.sql\n@@\n--- old comment\n+-- new comment\n SELECT 1;\n"
    (edit,) = parse_edits(reply, "udiff")
    assert edit.search == "-- old comment\nSELECT 1;\n"
    assert edit.replace == "-- new comment\nSELECT 1;\n"


def test_udiff_failure_message_speaks_of_context_lines(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    reply = "--- a/src/store.py\n+++ b/src/store.py\n@@\n-def nowhere():\n+def somewhere():\n"
    (failure,) = apply_edits(parse_edits(reply), tmp_path).failed
    assert "diff hunk #1 for `src/store.py`" in failure.message
    assert "context and `-` lines" in failure.message


def test_whole_file_reply_replaces_the_file_and_creates_new_ones(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    reply = (
        "Here is the full updated file:\n\nsrc/store.py\n```python\nimport os\n\n\ndef load(p):\n"
        "    return open(p).read()\n```\n\nAnd a new one:\n\n**src/__init__.py**\n```python\n"
        '"""Store."""\n```\n\nRun it with:\n```bash\npython -m store\n```\n'
    )
    assert detect_format(reply) == "whole"
    edits = parse_edits(reply, "whole")
    assert [e.path for e in edits] == ["src/store.py", "src/__init__.py"]
    result = apply_edits(edits, tmp_path)
    assert result.ok, result.feedback()
    assert (tmp_path / "src/store.py").read_text() == (
        "import os\n\n\ndef load(p):\n    return open(p).read()\n"
    )
    assert (tmp_path / "src/__init__.py").read_text() == '"""Store."""\n'


def test_whole_file_keeps_nested_fences_of_a_markdown_file() -> None:
    reply = "README.md\n```markdown\n# Demo\n\n```bash\nmake\n```\n\nDone.\n```\n"
    (edit,) = parse_edits(reply, "whole")
    assert edit.replace == "# Demo\n\n```bash\nmake\n```\n\nDone.\n"


def test_whole_file_with_rest_unchanged_placeholder_is_refused(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    reply = (
        "src/store.py\n```python\nimport os\nimport json\n\n"
        "# ... rest of the file unchanged ...\n```"
    )
    (failure,) = apply_edits(parse_edits(reply, "whole"), tmp_path).failed
    assert failure.reason == "malformed"
    assert "complete file" in failure.message
    assert (tmp_path / "src/store.py").read_text() == SOURCE


def test_whole_file_cut_off_is_reported_not_written(tmp_path: Path) -> None:
    reply = "src/new.py\n```python\ndef f():\n    return 1\n"
    result = apply_edits(parse_edits(reply), tmp_path)
    assert [f.reason for f in result.failed] == ["malformed"]
    assert not (tmp_path / "src/new.py").exists()


def test_auto_detects_each_format() -> None:
    assert detect_format("x.py\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```") == (
        "editblock"
    )
    assert detect_format(WRONG_NUMBERS) == "udiff"
    assert detect_format("x.py\n```python\nprint(1)\n```") == "whole"


def test_hunk_with_wrong_context_between_changes_applies_change_by_change(tmp_path: Path) -> None:
    _tree(tmp_path, {"src/store.py": SOURCE})
    reply = (
        "```diff\n--- a/src/store.py\n+++ b/src/store.py\n@@ -1,12 +1,12 @@\n-import os\n"
        "+import os.path\n \n \n def load(path):\n \n \n def save(path, data):\n"
        '-    with open(path, "w") as f:\n+    with open(path, "a") as f:\n```\n'
    )  # the model skipped load's body: as a whole, the hunk matches nowhere
    result = apply_edits(parse_edits(reply), tmp_path)
    assert result.ok, result.feedback()
    assert result.applied[0].strategy == "split_hunk"
    text = (tmp_path / "src/store.py").read_text()
    assert text == SOURCE.replace("import os\n", "import os.path\n").replace('"w"', '"a"')
