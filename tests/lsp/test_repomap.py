"""The live repo map through the real server: progress, unsaved buffers, watched files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document

FILES: dict[str, str | bytes] = {
    "shop/billing.py": "def compute_total(lines):\n    return sum(lines)\n",
    "shop/checkout.py": (
        "from shop.billing import compute_total\n\n\n"
        "def checkout(cart):\n    return compute_total(cart)\n"
    ),
    "shop/users.py": "class Account:\n    def login(self):\n        return True\n",
}


async def repo_map(client: LanguageClient, **arguments: Any) -> Any:
    params = types.ExecuteCommandParams(command="orchard.repoMap", arguments=[arguments])
    return await asyncio.wait_for(client.workspace_execute_command_async(params), 60)


async def eventually(check: Callable[[], Any], what: str) -> None:
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


async def test_unsaved_buffer_new_function_appears_in_the_next_map(
    client: LanguageClient, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo(dict(FILES))
    await initialize(client, repo.root)
    first = await repo_map(client, tokens=512)
    assert "def compute_total(lines):" in first
    path = repo.root / "shop/billing.py"
    uri = open_document(client, path, path.read_text(), "python")
    added = "\n\ndef apply_discount(total, rate):\n    return total * (1 - rate)\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(2, 0), types.Position(2, 0)), text=added
                )
            ],
        )
    )
    text = await repo_map(client, mention=["apply_discount"], tokens=512)
    assert "def apply_discount(total, rate):" in text  # typed, never saved
    assert "apply_discount" not in path.read_text()
    as_json = await repo_map(client, focus=[str(repo.root / "shop/checkout.py")], json=True)
    assert as_json["files"][0]["path"] == "shop/billing.py"
    assert as_json["tokens"] <= 1024


async def test_indexing_reports_progress_and_watches_files(
    client: LanguageClient, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo(dict(FILES))
    await initialize(client, repo.root)
    await repo_map(client)  # waits for the index
    reports = [value for values in client.progress_reports.values() for value in values]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert "files indexed" in (reports[-1].message or "")
    methods = [r.method for r in client.registrations]  # type: ignore[attr-defined]
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods

    created = repo.write("shop/refunds.py", "def issue_refund(order):\n    return order\n")
    (repo.root / "shop/users.py").unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=created.as_uri(), type=types.FileChangeType.Created),
                types.FileEvent(
                    uri=(repo.root / "shop/users.py").as_uri(), type=types.FileChangeType.Deleted
                ),
            ]
        )
    )

    async def updated() -> bool:
        text = await repo_map(client, mention=["issue_refund"], tokens=512)
        return "def issue_refund(order):" in text and "shop/users.py" not in text

    await eventually(updated, "the created file in the map and the deleted one gone")


def test_command_arguments_accept_cli_and_api_names() -> None:
    from pathlib import Path

    from orchard.lsp.repomap_feature import map_request

    request = map_request(
        {
            "focus": "file:///work/a.py",
            "mentions": ["Money"],
            "taskText": "fix it",
            "tokens": "512",
            "activeFile": "/work/b.py",
        },
        [Path("/work/c.py")],
        ["d.py"],
    )
    assert request.focus_files == ("/work/a.py",)
    assert request.mentioned_identifiers == ("Money",)
    assert (request.task_text, request.tokens, request.active_file) == ("fix it", 512, "/work/b.py")
    assert request.open_files == ("/work/c.py",) and request.recent_files == ("d.py",)


async def test_buffers_sent_right_after_initialized_win_over_the_disk(
    client: LanguageClient, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo(dict(FILES))
    await initialize(client, repo.root)
    # A restored session: buffers with unsaved text arrive before the first index exists.
    billing = repo.root / "shop/billing.py"
    open_document(client, billing, "def settle_invoice(invoice):\n    return invoice\n", "python")
    users = repo.root / "shop/users.py"
    uri = open_document(client, users, users.read_text(), "python")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text="class Member:\n    def sign_in(self):\n        return True\n"
                )
            ],
        )
    )

    text = await repo_map(client, mention=["settle_invoice", "Member"], tokens=1024)

    assert "def settle_invoice(invoice):" in text
    assert "def compute_total" not in text  # the disk's version of an open buffer is gone
    assert "class Member:" in text and "class Account:" not in text
    assert "settle_invoice" not in billing.read_text()


async def test_folder_outside_git_is_mapped(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/billing.py").write_text(str(FILES["shop/billing.py"]))
    await initialize(client, tmp_path)

    text = await repo_map(client, tokens=512)

    assert "shop/billing.py" in text and "def compute_total(lines):" in text
    assert not (tmp_path / ".git").exists()


async def test_repo_map_without_workspace_answers_an_error_that_says_why(
    client: LanguageClient,
) -> None:
    await initialize(client, None)
    with pytest.raises(JsonRpcException) as caught:
        await repo_map(client)
    assert "no workspace folder" in str(caught.value)
    assert [m for m in client.messages if m.type == types.MessageType.Error] == []


@pytest.mark.parametrize("capabilities", ["neovim@v0.11.0", "neovim@v0.7.0"])
async def test_server_watches_the_disk_when_the_client_cannot(
    client: LanguageClient, make_repo: Callable[..., GitRepo], capabilities: str
) -> None:
    repo = make_repo({**FILES, ".gitignore": "build/\n"})
    await initialize(client, repo.root, capabilities)
    assert "def compute_total(lines):" in await repo_map(client, tokens=512)

    # what a `git checkout` or a code generator does, with no editor involved
    repo.write("shop/refunds.py", "def issue_refund(order):\n    return order\n")
    repo.write("shop/billing.py", "def compute_grand_total(lines):\n    return sum(lines)\n")
    (repo.root / "shop/users.py").unlink()
    repo.write("build/generated.py", "def generated_helper():\n    return 1\n")

    async def updated() -> bool:
        mention = ["issue_refund", "compute_grand_total"]
        text = await repo_map(client, mention=mention, tokens=1024)
        return (
            "def issue_refund(order):" in text
            and "def compute_grand_total(lines):" in text
            and "def compute_total(lines):" not in text
            and "shop/users.py" not in text
        )

    await eventually(updated, "disk changes in the map without any editor event")
    text = await repo_map(client, mention=["generated_helper"], tokens=1024)
    assert "generated_helper" not in text  # ignore rules honoured
    assert client.registrations == []  # type: ignore[attr-defined]  # nothing asked of the client
