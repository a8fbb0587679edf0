"""Runs the VS Code extension for real: builds the .vsix, installs code-server once (the
extension's own script), starts it isolated in its own process group, and runs the playwright
driver (tests/clients/vscode/drive.mjs). Knows nothing of what the scenarios check."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "clients" / "vscode"
DRIVER = Path(__file__).with_name("vscode") / "drive.mjs"
CODE_SERVER_HOME = Path(os.environ.get("ORCHARD_CODE_SERVER_HOME", ROOT / ".tools" / "code-server"))
CODE_SERVER = CODE_SERVER_HOME / "node_modules" / "code-server" / "out" / "node" / "entry.js"
CHROMIUM = "/usr/bin/chromium"


def missing_tools() -> str | None:
    """Say what the end-to-end tests cannot run without, or None."""
    for tool, path in (("node", "/usr/bin/node"), ("chromium", CHROMIUM)):
        if not Path(path).exists():
            return f"{tool} is not installed ({path}); .ci/run installs it"
    return None


def build_vsix() -> Path:
    """Install the extension's locked npm packages, bundle it and package the .vsix."""
    if not (EXTENSION / "node_modules" / ".installed").exists():
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], EXTENSION)
        (EXTENSION / "node_modules" / ".installed").touch()
    _run(["npm", "run", "-s", "bundle"], EXTENSION)
    _run(["npm", "run", "-s", "package"], EXTENSION)
    return EXTENSION / "dist" / "orchard.vsix"


def install_code_server() -> None:
    """Install code-server into CODE_SERVER_HOME unless it is there (about a minute once)."""
    _run([str(EXTENSION / "scripts" / "install-code-server.sh")], ROOT, timeout=900)


def _run(command: list[str], cwd: Path, timeout: float = 300) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CodeServer:
    """One isolated code-server with the Orchard .vsix installed."""

    home: Path
    vsix: Path
    env: dict[str, str]
    settings: dict[str, Any] | None = None
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def _args(self) -> list[str]:
        return [
            "node",
            str(CODE_SERVER),
            "--config",
            str(self.home / "config.yaml"),
            "--auth",
            "none",
            "--user-data-dir",
            str(self.home / "data"),
            "--extensions-dir",
            str(self.home / "extensions"),
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
        ]

    def _environment(self) -> dict[str, str]:
        return {
            **self.env,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "share"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
        }

    def start(self) -> CodeServer:
        """Install the .vsix, start code-server and wait until it answers."""
        (self.home / "data" / "User").mkdir(parents=True, exist_ok=True)
        (self.home / "config.yaml").write_text("auth: none\ncert: false\n")
        user_settings = {
            "files.hotExit": "off",
            "workbench.startupEditor": "none",
            "security.workspace.trust.enabled": False,
            "telemetry.telemetryLevel": "off",
            "workbench.tips.enabled": False,
            "extensions.ignoreRecommendations": True,
            **(self.settings or {}),
        }
        (self.home / "data" / "User" / "settings.json").write_text(json.dumps(user_settings))
        env = self._environment()
        install = [*self._args(), "--install-extension", str(self.vsix)]
        subprocess.run(install, env=env, capture_output=True, check=True, timeout=300)
        self.port = _free_port()
        log = (self.home / "code-server.log").open("wb")
        self.process = subprocess.Popen(
            [*self._args(), "--bind-addr", f"127.0.0.1:{self.port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"code-server did not answer on {self.port}:\n{self.log()}")

    def log(self) -> str:
        path = self.home / "code-server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        """End code-server's whole process group (its extension hosts and `orchard serve`)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def url(self, folder: Path) -> str:
        return f"http://127.0.0.1:{self.port}/?folder={folder}"


def drive(scenario: dict[str, Any], work: Path, timeout: float = 600) -> dict[str, Any]:
    """Run the playwright driver on `scenario`; return what it recorded (screenshots on failure)."""
    config = work / "scenario.json"
    results = work / "results.json"
    config.write_text(json.dumps({**scenario, "results": str(results), "chromium": CHROMIUM}))
    done = subprocess.run(
        ["node", str(DRIVER), str(config)],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NODE_PATH": str(EXTENSION / "node_modules")},
    )
    recorded: dict[str, Any] = json.loads(results.read_text()) if results.exists() else {}
    recorded["exit_code"] = done.returncode
    recorded["driver_output"] = (done.stdout + done.stderr)[-4000:]
    return recorded


def python_bin() -> str:
    """The folder of the interpreter running the tests (its `orchard` goes first on PATH)."""
    return str(Path(sys.executable).parent)
