"""Buffers over `lint.large_buffer_chars` through the real server: incremental syntax checks
only (no linters, no compile()), listed by path in the map, and other buffers keep answering."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.test_diagnostics import change, messages, published
from tests.lsp.test_repomap import repo_map
from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document

CAP = 2_000
OPTIONS = {"lint": {"debounceMs": 20, "largeBufferChars": CAP}}


def big_module(functions: int) -> str:
    return "".join(f"def handler_{n}(event):\n    return event\n\n\n" for n in range(functions))


async def test_large_buffer_gets_incremental_syntax_checks_only(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    git_repo.write("ruff.toml", '[lint]\nselect = ["F"]\n')
    await initialize(client, git_repo.root, initialization_options=OPTIONS)
    text = "import os\n" + big_module(200)  # F401 for ruff; far over the cap
    assert len(text) > CAP
    path = git_repo.write("big.py", text)
    uri = open_document(client, path, text, "python")
    assert list(await published(client, uri, lambda d: True)) == []  # ruff's F401 never comes

    last = text.count("\n")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(last, 0), types.Position(last, 0)),
                    text="def broken(:\n",
                )
            ],
        )
    )
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.range.start.line == last and found.severity == types.DiagnosticSeverity.Error

    small = git_repo.write("small.py", "def tiny():\n    return 1\n")
    small_uri = open_document(client, small, small.read_text(), "python")
    change(client, small_uri, 2, "def tiny(:\n")
    assert await published(client, small_uri, lambda d: len(d) >= 1)
    await asyncio.sleep(0.5)
    assert messages(client.diagnostics[uri]) == [found.message]  # still the one, not ruff's


async def test_large_buffer_is_listed_by_path_in_the_map(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=OPTIONS)
    path = git_repo.write("big.py", "def on_disk():\n    return 1\n")
    uri = open_document(client, path, big_module(200), "python")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                    text="def typed_in_big():\n    return 2\n",
                )
            ],
        )
    )
    text = await repo_map(client, mention=["handler_1", "typed_in_big"], tokens=2048)
    assert "big.py" in text
    assert "handler_1" not in text and "typed_in_big" not in text  # its text is not tagged


def edit(client: LanguageClient, uri: str, version: int, at: tuple[int, int], text: str,
         end: tuple[int, int] | None = None) -> None:  # fmt: skip
    end = end or at
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*at), types.Position(*end)), text=text
                )
            ],
        )
    )


async def test_large_buffer_edits_reach_the_worker_in_order_through_resizes(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=OPTIONS)
    body = big_module(200).replace("\n", "\r\n")
    text = "# é😀\r\n" + body
    path = git_repo.write("big.py", text)
    uri = open_document(client, path, text, "python")
    for n in range(5):  # sent at once: some arrive while the text is still on its way
        edit(client, uri, 2 + n, (1, 0), f"def added_{n}():\r\n    return {n}\r\n\r\n")
    edit(client, uri, 7, (0, 5), "ü")  # after the emoji: UTF-16 offset 5
    edit(client, uri, 8, (1 + 15 + 4 * 50, 0), "def broken(:\r\n")
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.range.start.line == 1 + 15 + 4 * 50

    lines = 1 + 15 + 1 + 4 * 200
    edit(client, uri, 9, (1, 0), "", end=(lines, 0))  # under the cap: a small buffer now
    assert not await published(client, uri, lambda d: not d)
    edit(client, uri, 10, (1, 0), body + "def broken_again(:\r\n")  # over the cap again
    (found,) = await published(client, uri, lambda d: len(d) == 1)
    assert found.range.start.line == 1 + 4 * 200

    change(client, uri, 11, "x = (\n" + big_module(200))  # a whole new text, still large
    (found,) = await published(client, uri, lambda d: len(d) == 1 and d[0].range.start.line == 0)
    assert found.severity == types.DiagnosticSeverity.Error
