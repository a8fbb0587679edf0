"""Notices reach the editor as window/logMessage at their real level, not stderr or popups."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from tests.lsp.raw_client import RawClient
from tests.support.gitrepo import GitRepo

WARNING = 2


def open_go_file(raw: RawClient, path: Path) -> None:
    path.write_text("package main\n\nfunc main() {}\n")
    item = {"uri": path.as_uri(), "languageId": "go", "version": 1, "text": path.read_text()}
    raw.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}})


def log_messages(raw: RawClient) -> list[dict]:
    raw.popups()  # drains what arrived into raw.seen
    return [m["params"] for m in raw.seen if m.get("method") == "window/logMessage"]


def path_without_go(tmp_path: Path) -> str:
    """A PATH with git but no go (CI installs Go for the go vet tests)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    git = shutil.which("git")
    assert git is not None
    (folder / "git").symlink_to(git)
    return str(folder)


def test_missing_linter_is_a_log_message_once_and_not_on_stderr(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    raw = RawClient(git_repo.root, env={"PATH": path_without_go(tmp_path)})
    try:
        options = {"lint": {"tools": {"go": ["go vet"]}}}
        params = {"processId": None, "rootUri": git_repo.root.as_uri(), "capabilities": {}}
        raw.request(1, "initialize", {**params, "initializationOptions": options})
        raw.answer(1)
        raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        open_go_file(raw, git_repo.root / "a.go")
        open_go_file(raw, git_repo.root / "b.go")
        for _ in range(200):
            missing = [m for m in log_messages(raw) if "not installed" in m["message"]]
            if missing:
                break
            time.sleep(0.05)
        raw.show_settings(2)  # a round trip: anything the opens caused has been sent
        time.sleep(0.5)
        missing = [m for m in log_messages(raw) if "not installed" in m["message"]]
        raw.request(3, "shutdown")
        raw.answer(3)
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.wait() == 0
    finally:
        raw.close()
    assert len(missing) == 1 and missing[0]["type"] == WARNING
    assert "go" in missing[0]["message"]
    assert raw.popups() == []
    assert b"not installed" not in raw.stderr
    assert json.dumps(missing[0])  # a plain notification the editor can log
