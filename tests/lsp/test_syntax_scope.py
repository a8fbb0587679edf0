"""What the syntax layer judges, through the real server: the project's Python, not the
server's, and never binary content that happens to have a code extension."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.test_diagnostics import messages, published
from tests.support.gitrepo import GitRepo
from tests.support.lsp import initialize, open_document

NO_LINTERS = {"lint": {"debounceMs": 20, "tools": {"python": []}}}
PY312 = (
    "type Point = tuple[float, float]\n\n\n"
    "def first[T](items: list[T]) -> T:\n    return items[0]\n"
)


async def settled(client: LanguageClient, uri: str) -> list[str]:
    found = await published(client, uri, lambda d: True)
    await asyncio.sleep(0.3)  # a second publish (if any) would replace the first
    return messages(client.diagnostics.get(uri, found))


async def test_python_312_syntax_is_valid_in_a_project_that_requires_it(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    git_repo.write("pyproject.toml", '[project]\nname = "p"\nrequires-python = ">=3.12"\n')
    await initialize(client, git_repo.root, initialization_options=NO_LINTERS)
    path = git_repo.write("geo.py", PY312)
    uri = open_document(client, path, PY312, "python")
    assert await settled(client, uri) == []

    broken = git_repo.write("broken.py", "def f(:\n    pass\n")
    other = open_document(client, broken, broken.read_text(), "python")
    found = await published(client, other, lambda d: len(d) >= 1)  # tree-sitter still checks
    assert found[0].severity == types.DiagnosticSeverity.Error


async def test_project_venv_python_decides_too(client: LanguageClient, git_repo: GitRepo) -> None:
    git_repo.write(".venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.13.1\n")
    await initialize(client, git_repo.root, initialization_options=NO_LINTERS)
    path = git_repo.write("geo.py", PY312)
    uri = open_document(client, path, PY312, "python")
    assert await settled(client, uri) == []


async def test_binary_file_with_a_code_extension_gets_no_syntax_diagnostics(
    client: LanguageClient, git_repo: GitRepo
) -> None:
    await initialize(client, git_repo.root, initialization_options=NO_LINTERS)
    blob = "".join(chr(b) for b in bytes(range(256))) * 4  # what an editor shows for a binary
    for name, language in (("blob.py", "python"), ("blob.js", "javascript")):
        path = git_repo.root / name
        path.write_bytes(blob.encode("utf-8"))
        uri = open_document(client, path, blob, language)
        assert await settled(client, uri) == []
