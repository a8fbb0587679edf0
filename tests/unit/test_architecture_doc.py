"""ARCHITECTURE.md's code map stays in step with the packages that exist under server/orchard."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "orchard"


def code_map() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start = text.index("## Code map")
    return text[start : text.index("\n## ", start + 1)]


def test_every_package_and_top_level_module_is_in_the_code_map() -> None:
    listed = code_map()
    packages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    modules = [p.name for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    missing = [f"{name}/" for name in packages if f"`{name}/`" not in listed]
    missing += [name for name in modules if f"`{name}`" not in listed]
    assert missing == []


def test_every_package_the_code_map_names_exists() -> None:
    named = set(re.findall(r"^- `([a-z_]+)/`", code_map(), flags=re.MULTILINE))
    assert named, "the code map lists no package"
    assert sorted(n for n in named if not (PACKAGE / n / "__init__.py").exists()) == []


def test_modules_the_code_map_names_in_a_package_exist() -> None:
    stale = []
    for entry in re.split(r"^- ", code_map(), flags=re.MULTILINE):
        match = re.match(r"`([a-z_]+)/`", entry)
        if not match:
            continue
        folder = PACKAGE / match.group(1)
        for module in re.findall(r"`([a-z_]+\.py)`", entry):
            if not (folder / module).exists():
                stale.append(f"{match.group(1)}/{module}")
    assert stale == []
