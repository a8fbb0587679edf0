"""Rendering: within budget, nearly full when there is enough, same text in every process."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from grep_ast import TreeContext

from orchard.repomap import MapRequest, RepoMap
from orchard.repomap.render import ScopedContext
from orchard.repomap.tags import default_extractor
from orchard.repomap.tokens import count_tokens, tokenizer_is_exact
from tests.support.gitrepo import GitRepo


def _big_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    files: dict[str, str | bytes] = {}
    for i in range(60):
        calls = "\n".join(f"    value += helper_{(i + k) % 60}_step(value)" for k in range(1, 4))
        files[f"pkg/module_{i}.py"] = (
            f"class Widget{i}:\n    '''Widget number {i}.'''\n\n"
            f"    def render_{i}(self, value):\n{calls}\n        return value\n\n\n"
            f"def helper_{i}_step(value):\n    return value + {i}\n"
        ).replace("    value +=", "        value +=")
    return make_repo(files, name="big")


def test_map_never_exceeds_the_budget_and_uses_most_of_it(
    make_repo: Callable[..., GitRepo],
) -> None:
    assert tokenizer_is_exact()
    repo_map = RepoMap.open(_big_repo(make_repo).root)
    for budget in (64, 100, 256, 512, 1000, 2048):
        rendered = repo_map.render(MapRequest(focus_files=("pkg/module_3.py",), tokens=budget))
        assert rendered.tokens == count_tokens(rendered.text)
        assert rendered.tokens <= budget
        assert rendered.tokens >= 0.9 * budget, (budget, rendered.tokens)


def test_map_shows_definitions_in_their_scopes_under_file_headings(shop_repo: GitRepo) -> None:
    rendered = RepoMap.open(shop_repo.root).render(
        MapRequest(mentioned_identifiers=("add",), focus_files=("shop/billing.py",), tokens=512)
    )
    assert "shop/money.py:\n" in rendered.text
    assert "│class Money:\n" in rendered.text  # the enclosing scope of `add`
    assert "│    def add(self, other):\n" in rendered.text


def test_scoped_context_matches_grep_ast_tree_context(shop_repo: GitRepo) -> None:
    code = (shop_repo.root / "shop/money.py").read_text() + (
        "\n\nclass Wallet:\n    def __init__(self):\n        self.coins = []\n\n"
        "    def spend(self, amount):\n        if amount:\n            return Money(amount)\n"
    )
    tree = default_extractor().parser("python").parse(code.encode())
    for lines in ({4}, {10, 14}, {1, 13}):
        ours = ScopedContext(code, tree).show(lines)
        assert ours == grep_ast_context(code, lines)


def test_scoped_context_matches_tree_context_on_a_real_file_at_random_lines() -> None:
    path = Path(__file__).resolve().parents[3] / "server/orchard/repomap/render.py"
    code = path.read_text("utf-8")
    tree = default_extractor().parser("python").parse(code.encode())
    count = len(code.splitlines())
    chooser = random.Random(14)
    samples = [{0}, {count - 1}, {count - 2, count - 1}, set(range(0, count, 2))]
    samples += [set(chooser.sample(range(count), chooser.randint(1, 12))) for _ in range(40)]
    for lines in samples:
        assert ScopedContext(code, tree).show(lines) == grep_ast_context(code, lines), sorted(lines)


def test_map_text_is_identical_across_processes(make_repo: Callable[..., GitRepo]) -> None:
    repo = _big_repo(make_repo)
    script = (
        "import sys; from pathlib import Path; from orchard.repomap import RepoMap, MapRequest;"
        "m = RepoMap.open(Path(sys.argv[1]), use_cache=False);"
        "sys.stdout.write(m.render(MapRequest(active_file='pkg/module_7.py', tokens=700)).text)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(repo.root)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and "module_7" in runs[0]


def grep_ast_context(code: str, lines: set[int]) -> str:
    """grep-ast's TreeContext rendering of `lines`, set up as the map renders (the reference)."""
    theirs = TreeContext(
        "x.py",
        code,
        color=False,
        line_number=False,
        child_context=False,
        last_line=False,
        margin=0,
        mark_lois=False,
        loi_pad=0,
        show_top_of_file_parent_scope=False,
    )
    theirs.add_lines_of_interest(lines)
    theirs.add_context()
    return str(theirs.format())
