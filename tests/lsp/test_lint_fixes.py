"""Linters' own fixes as quick fixes, through the real `orchard serve` with real ruff and eslint:
the fix of a published diagnostic, applied by an editor-like client in the negotiated position
encoding; a fix-all source action; nothing offered for a buffer edited since the lint ran."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import add_editor_handlers
from tests.lsp.editor_client import Buffers, editor_buffers
from tests.lsp.test_diagnostics import published
from tests.support.gitrepo import GitRepo
from tests.support.lsp import CAPABILITY_SETS, initialize, server_config
from tests.unit.lint.conftest import node_tool

FAST = {"lint": {"debounceMs": 20}}
# No re-check after typing while a test runs: the published findings stay those of version 1.
HELD = {"lint": {"debounceMs": 600_000}}
TEXT = 'import os\nlabel = "😀中文"; import re\nprint(label)\n'


@pytest_lsp.fixture(config=server_config())
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    add_editor_handlers(lsp_client, apply_edit=False)
    lsp_client.buffers = editor_buffers(lsp_client)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def buffers(client: LanguageClient) -> Buffers:
    return client.buffers  # type: ignore[attr-defined,no-any-return]


async def start(
    client: LanguageClient, buffers: Buffers, root: Path, editor: str, options: object
) -> None:
    result = await initialize(client, root, editor, options)
    buffers.encoding = str(result.capabilities.position_encoding or "utf-16")


async def code_actions(
    client: LanguageClient,
    uri: str,
    diagnostics: Sequence[types.Diagnostic],
    only: list[types.CodeActionKind | str] | None = None,
) -> list[types.CodeAction | types.Command]:
    """Ask for code actions (those carrying only a command arrive as Commands: lsprotocol's
    reading of the union)."""
    where = (
        diagnostics[0].range
        if diagnostics
        else types.Range(types.Position(0, 0), types.Position(0, 0))
    )
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=where,
        context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
    )
    return list(await client.text_document_code_action_async(params) or [])


async def resolved(client: LanguageClient, action: types.CodeAction) -> types.CodeAction:
    """The action with its edit, asking `codeAction/resolve` when it was deferred."""
    if action.edit is None and action.data is not None:
        return await client.code_action_resolve_async(action)
    return action


def titled(actions: Sequence[types.CodeAction | types.Command], title: str) -> types.CodeAction:
    found = [a for a in actions if a.title == title]
    assert len(found) == 1, [a.title for a in actions]
    assert isinstance(found[0], types.CodeAction), found[0]
    return found[0]


def offered(actions: Sequence[types.CodeAction | types.Command], title: str) -> None:
    assert title in [a.title for a in actions], [a.title for a in actions]


def linter_titles(actions: Sequence[types.CodeAction | types.Command]) -> list[str]:
    return [a.title for a in actions if a.title.startswith(("Ruff:", "ESLint:"))]


def apply(buffers: Buffers, uri: str, action: types.CodeAction) -> str:
    assert action.edit is not None
    for change in action.edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == buffers.versions[uri]
    result = buffers.apply(types.ApplyWorkspaceEditParams(edit=action.edit))
    assert result.applied, result.failure_reason
    return buffers.text(uri)


def unused_imports(found: Sequence[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in found if d.code == "F401"]


@pytest.mark.parametrize("editor", CAPABILITY_SETS)
async def test_ruff_fix_after_emoji_and_cjk_applies_in_the_clients_encoding(
    client: LanguageClient, buffers: Buffers, git_repo: GitRepo, editor: str
) -> None:
    await start(client, buffers, git_repo.root, editor, FAST)
    git_repo.write("ruff.toml", '[lint]\nselect = ["F401"]\n')
    uri = buffers.open(git_repo.write("src/label.py", TEXT), TEXT)
    found = await published(client, uri, lambda d: len(unused_imports(d)) == 2)
    (unused_re,) = [d for d in unused_imports(found) if d.range.start.line == 1]

    actions = await code_actions(client, uri, [unused_re])

    fix = titled(actions, "Ruff: Remove unused import: `re`")
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert list(fix.diagnostics or []) == [unused_re]
    offered(actions, "Orchard: fix with an agent")  # still there beside the linter's fix
    fixed = apply(buffers, uri, await resolved(client, fix))
    assert fixed == 'import os\nlabel = "😀中文"; \nprint(label)\n'
    after = await published(client, uri, lambda d: len(unused_imports(d)) == 1)
    assert unused_imports(after)[0].range.start.line == 0


async def test_fix_all_source_action_applies_every_safe_ruff_fix(
    client: LanguageClient, buffers: Buffers, git_repo: GitRepo
) -> None:
    await start(client, buffers, git_repo.root, "visual_studio_code", FAST)
    git_repo.write("ruff.toml", '[lint]\nselect = ["F401", "E711"]\n')
    text = TEXT + "if label == None:\n    pass\n"
    uri = buffers.open(git_repo.write("src/label.py", text), text)
    found = await published(client, uri, lambda d: len(unused_imports(d)) == 2)
    comparison = [d for d in found if d.code == "E711"]
    assert comparison  # its fix is unsafe: ruff's config does not enable those
    titles = linter_titles(await code_actions(client, uri, comparison))
    assert titles == ["Ruff: fix all safe fixes in this file"]  # no quick fix for E711

    actions = await code_actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])

    (fix_all,) = actions
    assert isinstance(fix_all, types.CodeAction)
    assert fix_all.title == "Ruff: fix all safe fixes in this file"
    assert fix_all.kind == "source.fixAll.orchard"
    fixed = apply(buffers, uri, await resolved(client, fix_all))
    assert fixed == 'label = "😀中文"; \nprint(label)\nif label == None:\n    pass\n'
    quick = await code_actions(client, uri, [], only=[types.CodeActionKind.QuickFix])
    assert "Ruff: fix all safe fixes in this file" not in [a.title for a in quick]


async def test_no_linter_fix_for_a_buffer_edited_since_the_lint_ran(
    client: LanguageClient, buffers: Buffers, git_repo: GitRepo
) -> None:
    await start(client, buffers, git_repo.root, "visual_studio_code", HELD)
    git_repo.write("ruff.toml", '[lint]\nselect = ["F401"]\n')
    uri = buffers.open(git_repo.write("src/label.py", TEXT), TEXT)
    found = await published(client, uri, lambda d: len(unused_imports(d)) == 2)
    (unused_re,) = [d for d in unused_imports(found) if d.range.start.line == 1]
    first = titled(await code_actions(client, uri, [unused_re]), "Ruff: Remove unused import: `re`")
    assert first.edit is None and first.data is not None  # deferred: VS Code resolves it

    buffers.type_text(uri, TEXT.replace("print(label)", "print(label, os)"))  # same lines

    stale = await code_actions(client, uri, [unused_re])
    assert linter_titles(stale) == []
    offered(stale, "Orchard: fix with an agent")
    late = await client.code_action_resolve_async(first)  # picked after the edit
    assert late.edit is None

    buffers.type_text(uri, TEXT)  # undone: the text the lint ran on again
    again = titled(await code_actions(client, uri, [unused_re]), "Ruff: Remove unused import: `re`")
    assert apply(buffers, uri, await resolved(client, again)) == (
        'import os\nlabel = "😀中文"; \nprint(label)\n'
    )


async def test_eslint_fix_on_a_crlf_line_after_emoji(
    client: LanguageClient, buffers: Buffers, git_repo: GitRepo
) -> None:
    bin_dir = git_repo.root / "node_modules" / ".bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "eslint").symlink_to(node_tool("eslint"))
    git_repo.write("eslint.config.mjs", 'export default [{ rules: { "prefer-const": "warn" } }];\n')
    await start(client, buffers, git_repo.root, "neovim@v0.11.0", FAST)
    text = 'let face = "😀中"; let n = 1;\r\nconsole.log(face, n);\r\n'
    path = git_repo.root / "src" / "face.js"
    path.write_bytes(text.encode("utf-8"))
    uri = buffers.open(path, text, "javascript")
    found = await published(
        client, uri, lambda d: len([x for x in d if x.code == "prefer-const"]) == 2
    )
    second = max((d for d in found if d.code == "prefer-const"), key=lambda d: d.range.start)

    actions = await code_actions(client, uri, [second])

    fix = titled(actions, "ESLint: fix this prefer-const problem")
    fixed = apply(buffers, uri, await resolved(client, fix))
    assert fixed == 'let face = "😀中"; const n = 1;\r\nconsole.log(face, n);\r\n'
