"""Parsing SEARCH/REPLACE replies as models really write them."""

from __future__ import annotations

from orchard.edits import EditKind, parse_edits

CLAUDE = """I'll add type hints and a friendlier greeting.

**src/app.py**
```python
<<<<<<< SEARCH
def greet(name):
    return f"hello {name}"
=======
def greet(name: str) -> str:
    return f"Hello, {name}!"
>>>>>>> REPLACE
```

Then the test:

`tests/test_app.py`
```python
<<<<<<< SEARCH
    assert greet("bob") == "hello bob"
=======
    assert greet("bob") == "Hello, bob!"
>>>>>>> REPLACE
```
"""


def test_bold_and_backticked_paths_before_fences_name_each_block() -> None:
    edits = parse_edits(CLAUDE, "editblock")
    assert [e.path for e in edits] == ["src/app.py", "tests/test_app.py"]
    assert edits[0].search == 'def greet(name):\n    return f"hello {name}"\n'
    assert edits[0].replace.startswith("def greet(name: str) -> str:\n")
    assert [e.index for e in edits] == [0, 1]


def test_path_as_the_fences_first_line_is_read() -> None:
    reply = "```python\nsrc/app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n```\n"
    (edit,) = parse_edits(reply)
    assert (edit.path, edit.search, edit.replace) == ("src/app.py", "a = 1\n", "a = 2\n")


def test_path_in_prose_with_backticks_and_colon_is_read() -> None:
    reply = (
        "Here's the change to `lib/util.js`:\n\n```javascript\n<<<<<<< SEARCH\nlet x = 1;\n"
        "=======\nconst x = 1;\n>>>>>>> REPLACE\n```\n"
    )
    assert parse_edits(reply)[0].path == "lib/util.js"


def test_heading_and_file_label_paths_are_read() -> None:
    for line in ("### File: src/models.py", "File: src/models.py", "## `src/models.py`"):
        reply = f"{line}\n```py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```"
        assert parse_edits(reply)[0].path == "src/models.py", line


def test_tilde_and_long_backtick_fences_are_accepted() -> None:
    reply = (
        "docs/guide.md\n````markdown\n<<<<<<< SEARCH\n```bash\nmake\n```\n=======\n```bash\n"
        "make test\n```\n>>>>>>> REPLACE\n````\n\nsrc/app.py\n~~~python\n<<<<<<< SEARCH\nold\n"
        "=======\nnew\n>>>>>>> REPLACE\n~~~\n"
    )
    first, second = parse_edits(reply)
    assert first.path == "docs/guide.md"
    assert first.search == "```bash\nmake\n```\n"
    assert second.path == "src/app.py"


def test_path_in_fence_info_string_is_read() -> None:
    reply = "```python:src/app.py\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n```"
    assert parse_edits(reply)[0].path == "src/app.py"


def test_block_without_path_reuses_the_previous_blocks_path() -> None:
    reply = (
        "src/app.py\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n\nAnd also:\n\n"
        "```\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n```\n"
    )
    assert [e.path for e in parse_edits(reply)] == ["src/app.py", "src/app.py"]


def test_several_blocks_in_one_fence_share_its_path() -> None:
    reply = (
        "src/app.py\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n```\n"
    )
    edits = parse_edits(reply)
    assert [(e.path, e.search) for e in edits] == [("src/app.py", "a\n"), ("src/app.py", "c\n")]


def test_empty_search_and_empty_replace_are_kept_empty() -> None:
    reply = (
        "new/module.py\n```python\n<<<<<<< SEARCH\n=======\nVALUE = 1\n>>>>>>> REPLACE\n```\n"
        "old.py\n```python\n<<<<<<< SEARCH\nunused = 2\n=======\n>>>>>>> REPLACE\n```\n"
    )
    create, delete = parse_edits(reply)
    assert (create.search, create.replace) == ("", "VALUE = 1\n")
    assert (delete.search, delete.replace) == ("unused = 2\n", "")


def test_reply_cut_off_before_replace_marker_is_malformed_not_dropped() -> None:
    reply = "src/app.py\n```python\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n"
    (edit,) = parse_edits(reply)
    assert edit.kind is EditKind.MALFORMED
    assert edit.problem is not None and "REPLACE" in edit.problem and "cut off" in edit.problem


def test_block_missing_divider_is_malformed() -> None:
    reply = "src/app.py\n```\n<<<<<<< SEARCH\na = 1\n>>>>>>> REPLACE\n```"
    (edit,) = parse_edits(reply, "editblock")
    assert edit.kind is EditKind.MALFORMED
    assert edit.problem is not None and "=======" in edit.problem


def test_first_block_without_any_path_is_malformed() -> None:
    reply = "Sure! Here you go:\n```\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```"
    (edit,) = parse_edits(reply)
    assert edit.kind is EditKind.MALFORMED
    assert edit.problem is not None and "names no file" in edit.problem


def test_crlf_reply_parses_like_lf() -> None:
    reply = "src/a.py\r\n```\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n```\r\n"
    (edit,) = parse_edits(reply)
    assert (edit.path, edit.search, edit.replace) == ("src/a.py", "x\n", "y\n")


def test_prose_mentioning_commands_is_not_taken_for_a_path() -> None:
    reply = (
        "Run `pytest tests/test_app.py` afterwards.\n```\n<<<<<<< SEARCH\nx\n=======\ny\n"
        ">>>>>>> REPLACE\n```"
    )
    (edit,) = parse_edits(reply)
    assert edit.kind is EditKind.MALFORMED
