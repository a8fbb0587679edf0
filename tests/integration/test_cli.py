"""The `orchard` command's shape: version, help, usage errors, serve's address parsing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchard import __version__
from orchard.cli import main
from orchard.cli.serve import parse_address
from orchard.models.worker_process import worker_default


def test_version_is_printed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchard", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"orchard {__version__}"


def test_no_subcommand_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_tcp_address_is_checked() -> None:
    assert parse_address("127.0.0.1:2087") == ("127.0.0.1", 2087)
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_address("2087")
    assert main(["serve", "--tcp", "nohost"]) == 2
    assert worker_default() is False  # a refused command line left model calls where they were


def test_only_the_chosen_subcommand_is_imported() -> None:
    probe = (
        "import sys; from orchard.cli import build_parser; build_parser('apply');"
        "heavy = {'git', 'litellm', 'pygls', 'orchard.agents', 'orchard.repomap', 'orchard.lint'};"
        "print(sorted(m for m in sys.modules if m in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in ("serve", "run", "tasks", "map", "apply", "lint", "doctor"):
        assert name in out
