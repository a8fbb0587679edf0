"""Merge plans as workspace edits under each editor's capabilities; AI! comments; conflict
markers; the line map from an agent's result to the user's text. Pure values, real capability
snapshots from pytest-lsp."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from orchard.lsp.code_actions import find_ai_comment
from orchard.lsp.merge_markers import marker_regions
from orchard.lsp.review_diagnostics import line_map
from orchard.lsp.workspace_edit import EditSupport, build_edit
from orchard.vcs.merge_plan import FileChangeKind, FilePlan, MergePlan

ROOT = Path("/work/repo")


def plan(*files: FilePlan) -> MergePlan:
    return MergePlan("t1", "a1", "base", "result", files)


MODIFIED = FilePlan(
    "src/util.py", FileChangeKind.MODIFIED, b"def add(a, b):\n    return a + b\n",
    b"def add(a, b):\n    return int(a) + int(b)\n", from_buffer=True,
)  # fmt: skip
CREATED = FilePlan("src/new.py", FileChangeKind.CREATED, None, b"NEW = 1\n")
DELETED = FilePlan("old.txt", FileChangeKind.DELETED, b"gone\n", None)
RENAMED = FilePlan(
    "src/moved.py", FileChangeKind.RENAMED, b"x = 1\n", b"x = 2\n", old_path="src/before.py"
)


def test_vscode_gets_versioned_document_edits_and_resource_operations() -> None:
    support = EditSupport.of(client_capabilities("visual_studio_code"))

    built = build_edit(plan(MODIFIED, CREATED, DELETED, RENAMED), ROOT, {"src/util.py": 7}, support)

    changes = built.edit.document_changes or []
    kinds = [type(c).__name__ for c in changes]
    assert kinds == ["TextDocumentEdit", "CreateFile", "TextDocumentEdit", "DeleteFile",
                     "RenameFile", "TextDocumentEdit"]  # fmt: skip
    first = changes[0]
    assert isinstance(first, types.TextDocumentEdit) and first.text_document.version == 7
    (edit,) = first.edits
    assert isinstance(edit, types.TextEdit) and edit.new_text == "int(a) + int(b)"
    created = changes[2]
    assert isinstance(created, types.TextDocumentEdit) and created.text_document.version is None
    assert built.skipped == {}
    assert built.edit.changes is None


def test_a_client_without_document_changes_gets_changes_and_is_told_what_was_left_out() -> None:
    support = EditSupport.of(client_capabilities("neovim@v0.7.0"))

    built = build_edit(plan(MODIFIED, CREATED, DELETED, RENAMED), ROOT, {"src/util.py": 7}, support)

    assert built.edit.document_changes is None
    assert list(built.edit.changes or {}) == [(ROOT / "src/util.py").as_uri()]
    assert set(built.skipped) == {"src/new.py", "old.txt", "src/moved.py"}
    assert built.applied_paths == ["src/util.py"]


def test_a_binary_file_is_never_put_in_an_edit() -> None:
    binary = FilePlan("logo.png", FileChangeKind.MODIFIED, b"\x89P", b"\x89Q", binary=True)
    support = EditSupport.of(client_capabilities("visual_studio_code"))

    built = build_edit(plan(binary), ROOT, {}, support)

    assert built.empty and "logo.png" in built.skipped


def test_ai_comments_in_several_syntaxes_on_or_just_above_the_cursor() -> None:
    python = "x = 1\n# rename x to count AI!\nprint(x)\n"
    assert find_ai_comment(python, 1) == find_ai_comment(python, 2)
    found = find_ai_comment(python, 2)
    assert found is not None and (found.first, found.last) == (1, 1)
    assert found.request == "rename x to count"
    block = "-- the loop below is slow:\n-- cache the lookups ai!\nfor i = 1, n do\n"
    lua = find_ai_comment(block, 2)
    assert lua is not None and (lua.first, lua.last) == (0, 1)
    assert lua.request == "the loop below is slow: cache the lookups"
    c_style = find_ai_comment("int x;\n/* check for overflow AI! */\n", 1)
    assert c_style is not None and c_style.request == "check for overflow"
    assert find_ai_comment("x = 'AI!'\n", 0) is None
    assert find_ai_comment(python, 0) is None


def test_conflict_regions_are_found_by_their_markers() -> None:
    text = "a\n<<<<<<< yours\nb\n||||||| snapshot\nc\n=======\nd\n>>>>>>> a1-gpt\ne\n"

    assert marker_regions(text) == [(1, 7, "a1-gpt")]
    assert marker_regions("a\n<<<<<<< yours\nb\n") == []


def test_result_lines_map_to_the_users_text_around_their_edits() -> None:
    agent = "def add(a, b):\n    return int(a) + int(b)\n"
    current = "# a note\ndef add(a, b):\n    return a + b\n"

    mapped = line_map(agent, current)

    assert mapped(0) == 1  # an unchanged line follows the user's insertion
    assert mapped(1) == 2  # a line the agent changed lands where it is in the user's text
