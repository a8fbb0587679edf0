"""Lint diagnostics through the real server: syntax on change, linters on save, clearing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document

FAST = {"lint": {"debounceMs": 20}}
Check = Callable[[Sequence[types.Diagnostic]], bool]


async def published(client: LanguageClient, uri: str, check: Check) -> Sequence[types.Diagnostic]:
    """Wait for a publishDiagnostics of `uri` that satisfies `check` (20 s guard against hangs)."""

    async def loop() -> Sequence[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and check(current):
                return current
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), 20)


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def messages(found: Sequence[types.Diagnostic]) -> list[str]:
    return [d.message for d in found]


async def test_syntax_error_is_published_on_open_and_cleared_when_fixed(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    path = git_repo.write("src/calc.js", "function f(a) {\n  return (a + 1;\n}\n")
    uri = open_document(client, path, path.read_text(), "javascript")

    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.source == "orchard"
    assert found.severity == types.DiagnosticSeverity.Error
    assert found.message == "expected `)` to close `(` opened at 2:10 in return statement"
    assert found.range.start == types.Position(line=1, character=15)
    (opened,) = found.related_information or []
    assert opened.message == "`(` opened here"
    assert (opened.location.uri, opened.location.range.start) == (uri, types.Position(1, 9))

    change(client, uri, 2, "function f(a) {\n  return (a + 1);\n}\n")
    assert await published(client, uri, lambda d: not d) == ()


async def test_each_change_is_rechecked_after_the_debounce(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    path = git_repo.write("data.json", '{"a": 1}\n')
    uri = open_document(client, path, path.read_text(), "json")
    await published(client, uri, lambda d: not d)

    change(client, uri, 2, '{"a": 1,\n "b": }\n')
    found = await published(client, uri, lambda d: len(d) == 1)
    assert messages(found) == ["expected number in pair"]
    assert found[0].range.start == types.Position(line=1, character=5)


async def test_linters_run_on_save_and_follow_edits_until_the_next_save(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    git_repo.write("ruff.toml", '[lint]\nselect = ["F"]\n')
    path = git_repo.write("app.py", "print('ok')\n")
    uri = open_document(client, path, path.read_text(), "python")
    await published(client, uri, lambda d: not d)

    path.write_text("print(missing)\n", encoding="utf-8")
    change(client, uri, 2, "print(missing)\n")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.message == "ruff: Undefined name `missing`"
    assert (found.source, found.code) == ("orchard", "F821")
    assert found.range.start == types.Position(line=0, character=6)

    change(client, uri, 3, "# moved down\n\nprint(missing)\n")
    (moved,) = await published(client, uri, lambda d: len(d) == 1 and d[0].range.start.line == 2)
    assert moved.message == "ruff: Undefined name `missing`"

    change(client, uri, 4, "# moved down\n\nprint('fixed')\n")
    assert await published(client, uri, lambda d: not d) == ()


async def test_diagnostics_are_cleared_when_the_document_closes(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    path = git_repo.write("main.go", "package main\n\nfunc main() {\n")
    uri = open_document(client, path, path.read_text(), "go")
    await published(client, uri, lambda d: len(d) == 1)

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri, lambda d: not d) == ()


async def test_disabled_language_publishes_nothing(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    options = {"lint": {"debounceMs": 20, "disabledLanguages": ["json"]}}
    await initialize(client, git_repo.root, initialization_options=options)
    broken = git_repo.write("broken.json", '{"a": }\n')
    uri = open_document(client, broken, broken.read_text(), "json")
    assert await published(client, uri, lambda d: True) == ()


async def test_utf16_positions_for_text_after_astral_characters(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    path: Path = git_repo.write("e.js", 'const s = "😀"; if (s {\n}\n')
    uri = open_document(client, path, path.read_text(), "javascript")
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    # 😀 is two UTF-16 units: code-point column 20 (just after `s`) becomes character 21.
    assert found.range.start == types.Position(line=0, character=21)


async def test_turning_lint_off_in_the_editor_clears_and_on_brings_back(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    client.set_configuration({"lint": {"debounceMs": 20}}, section="orchard")
    await initialize(client, git_repo.root)
    path = git_repo.write("broken.rs", "fn main() {\n    let v = (1, 2;\n}\n")
    uri = open_document(client, path, path.read_text(), "rust")
    await published(client, uri, lambda d: len(d) == 1)

    client.set_configuration({"lint": {"enabled": False}}, section="orchard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await published(client, uri, lambda d: not d) == ()

    client.set_configuration({"lint": {"enabled": True}}, section="orchard")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.source == "orchard" and found.range.start.line == 1


async def test_ruff_runs_on_unsaved_text_and_never_doubles_syntax_errors(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    git_repo.write("ruff.toml", '[lint]\nselect = ["F"]\n')
    path = git_repo.write("app.py", "print('ok')\n")
    uri = open_document(client, path, path.read_text(), "python")
    await published(client, uri, lambda d: not d)

    change(client, uri, 2, "print('ok'\n")  # an unclosed `(`, never saved
    found = await published(client, uri, lambda d: len(d) >= 1)
    await asyncio.sleep(1.5)  # ruff ran on the unsaved text meanwhile
    found = client.diagnostics[uri]
    assert len(found) == 1, messages(found)  # Orchard's syntax error only, not ruff's too
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert not found[0].message.startswith("ruff:")

    change(client, uri, 3, "import os\nprint('ok')\n")  # fixed, and an unused import, unsaved
    (unused,) = await published(client, uri, lambda d: len(d) == 1 and d[0].code == "F401")
    assert unused.message.startswith("ruff:") and unused.range.start.line == 0
    assert path.read_text() == "print('ok')\n"

    change(client, uri, 4, "print('ok')\n")  # fixed again: nothing stale stays
    assert await published(client, uri, lambda d: not d) == ()


async def test_diagnostics_carry_the_version_of_the_text_they_describe(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=FAST)
    path = git_repo.write("src/calc.js", "function f(a) {\n  return a + 1;\n}\n")
    uri = open_document(client, path, path.read_text(), "javascript")
    await published(client, uri, lambda d: not d)

    change(client, uri, 7, "function f(a) {\n  return (a + 1;\n}\n")

    async def versioned() -> types.PublishDiagnosticsParams:
        while True:
            params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri and params.diagnostics:
                return params  # type: ignore[no-any-return]

    params = await asyncio.wait_for(versioned(), 20)
    assert params.version == 7
