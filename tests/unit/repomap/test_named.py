"""Definitions the request names are shown with their scope first; focus given as URIs counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from orchard.lsp.repomap_feature import map_request
from orchard.repomap import MapRequest, RepoIndex, RepoMap
from orchard.repomap.index import open_store
from tests.support.gitrepo import GitRepo


def _helpers_module(count: int) -> str:
    # A big module whose functions other files use, so unnamed ones rank on their own merits.
    body = "class TextTools:\n    '''Helpers.'''\n\n"
    for i in range(count):
        body += f"    def helper_number_{i:02d}(self, value):\n        return value + {i}\n\n"
    return body


def _callers(count: int) -> str:
    lines = ["from pkg.text import TextTools\n\n", "def use(tools: TextTools):\n"]
    lines += [f"    tools.helper_number_{i:02d}(1)\n" for i in range(count)]
    return "".join(lines)


def _repo(make_repo: Callable[..., GitRepo], name: str = "named") -> GitRepo:
    return make_repo(
        {
            "pkg/text.py": _helpers_module(30),
            "pkg/user.py": _callers(30),
            "pkg/other.py": _callers(10),
        },
        name=name,
    )


def _map(repo: GitRepo) -> RepoMap:
    index = RepoIndex(repo.root, store=open_store(repo.root))
    index.build()
    return RepoMap(index)


def test_a_named_definition_typed_into_a_buffer_is_shown_with_its_scope(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = _repo(make_repo)
    repo_map = _map(repo)
    typed = _helpers_module(30).replace(
        "    def helper_number_00",
        "    def wrap_into_paragraphs(self, text):\n        return text\n\n"
        "    def helper_number_00",
    )
    repo_map.index.update_document("pkg/text.py", typed, defer_tags=True)  # unsaved
    plain = MapRequest(active_file="pkg/user.py", tokens=120)
    unnamed = repo_map.render(plain)
    assert "pkg/text.py" in [path for path, _ in unnamed.files]
    assert "wrap_into_paragraphs" not in unnamed.text  # on its merits it would not be shown

    named = repo_map.render(plain, mentioned_identifiers=("wrap_into_paragraphs",))
    block = named.text.split("pkg/text.py:\n", 1)[1]
    assert "def wrap_into_paragraphs(self, text):" in block
    assert block.index("class TextTools:") < block.index("def wrap_into_paragraphs")
    ranked = repo_map.rank(replace(plain, mentioned_identifiers=("wrap_into_paragraphs",)))
    of_file = [e.name for e in ranked.entries if e.rel_path == "pkg/text.py"]
    assert of_file[0] == "wrap_into_paragraphs"  # before the file's other definitions


def test_names_in_the_task_text_and_at_the_cursor_count_as_named(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo_map = _map(_repo(make_repo))
    by_task = repo_map.render(
        MapRequest(active_file="pkg/other.py", task_text="fix helper_number_29 please", tokens=90)
    )
    assert "def helper_number_29" in by_task.text
    by_cursor = repo_map.render(
        MapRequest(active_file="pkg/other.py", cursor_symbol="helper_number_28", tokens=90)
    )
    assert "def helper_number_28" in by_cursor.text


def test_focus_files_given_as_file_uris_are_recognised(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = _repo(make_repo, name="named repo")  # a space: the URI is percent-encoded
    repo_map = _map(repo)
    uri = (repo.root / "pkg" / "user.py").as_uri()
    assert "%20" in uri
    by_path = repo_map.render(MapRequest(focus_files=("pkg/user.py",), tokens=300))
    by_uri = repo_map.render(MapRequest(focus_files=(uri,), tokens=300))
    assert "pkg/user.py" not in [
        path for path, _ in by_uri.files
    ]  # in context already: ranked from, not shown
    assert by_uri.text == by_path.text and by_uri.files == by_path.files
    seeds, exclude = repo_map.seeds(MapRequest(focus_files=(uri,)))
    assert exclude == frozenset({"pkg/user.py"}) and "pkg/user.py" in seeds
    # What the LSP command builds from its arguments is recognised the same way.
    from_lsp = map_request({"focus": [uri], "activeFile": uri, "tokens": 300}, [])
    assert repo_map.seeds(from_lsp)[1] == frozenset({"pkg/user.py"})
    assert repo_map.render(from_lsp).text == by_path.text
