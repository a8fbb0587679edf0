"""Walks every module's imports with `ast`: each third-party library stays in its one home, and
only `vcs/` builds git command lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "orchard"

# library -> the folders or modules (relative to server/orchard) allowed to import it
HOMES = {
    "pygls": ("lsp/",),
    "lsprotocol": ("lsp/",),
    "litellm": ("models/",),
    "sqlite3": ("memory/",),
    "sqlite_utils": ("memory/",),
    "sqlean": ("memory/",),
    "sqlite_vec": ("memory/",),
    "tree_sitter": ("grammars.py",),
    "tree_sitter_language_pack": ("grammars.py",),
    "grep_ast": ("grammars.py",),
    "git": ("vcs/",),  # GitPython
    "httpx": ("forge/",),
}
# packages that must never import the front doors
NO_FRONT_DOORS = ("agents", "repomap", "edits", "lint", "models", "vcs", "review", "memory",
                  "context")  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules() -> list[tuple[str, set[str]]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), imported_modules(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_package_has_modules_to_check() -> None:
    assert len(modules()) > 10


def test_each_library_is_imported_only_in_its_home() -> None:
    offences = []
    for relative, names in modules():
        for name in names:
            library = name.split(".")[0]
            homes = HOMES.get(library)
            if homes and not relative.startswith(homes):
                offences.append(f"{relative} imports {name}")
    assert offences == []


def test_inner_packages_never_import_lsp_or_cli() -> None:
    offences = []
    for relative, names in modules():
        if not relative.startswith(tuple(f"{p}/" for p in NO_FRONT_DOORS)):
            continue
        for name in names:
            if name.startswith(("orchard.lsp", "orchard.cli")):
                offences.append(f"{relative} imports {name}")
    assert offences == []


def test_boundary_check_catches_a_stray_import(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text("def f():\n    import litellm\n    from pygls.lsp import server\n")
    assert imported_modules(stray) == {"litellm", "pygls.lsp"}


def git_command_lines(path: Path) -> list[int]:
    """Lines where `path` writes a command list or tuple that starts with the string "git"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.List | ast.Tuple)
        and node.elts
        and isinstance(node.elts[0], ast.Constant)
        and node.elts[0].value == "git"
    ]


def test_only_vcs_builds_git_command_lines() -> None:
    offences = [
        f"{path.relative_to(PACKAGE).as_posix()}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.relative_to(PACKAGE).as_posix().startswith("vcs/")
        for line in git_command_lines(path)
    ]
    assert offences == []


def test_git_command_check_finds_one(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text("import subprocess\nsubprocess.run(['git', 'status'])\n")
    assert git_command_lines(stray) == [2]
