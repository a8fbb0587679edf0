"""Which linters would run agent-written code, on real project folders."""

from __future__ import annotations

from pathlib import Path

from orchard.lint.tools.eslint import eslint_runs_code_from
from orchard.lint.tools.flake8 import flake8_runs_code_from
from orchard.lint.trust import executable_refusal


def test_eslint_is_refused_for_a_written_config_a_module_it_loads_or_node_modules(
    tmp_path: Path,
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "eslint.config.mjs").write_text("import rules from './rules/local.js';\n")
    (tmp_path / "rules" / "local.js").write_text("export default {};\n")
    assert "eslint.config.cjs" in (eslint_runs_code_from(tmp_path, {"eslint.config.cjs"}) or "")
    assert "rules/local.js" in (eslint_runs_code_from(tmp_path, {"rules/local.js"}) or "")
    assert eslint_runs_code_from(tmp_path, {"node_modules/x/index.js"}) is not None
    assert eslint_runs_code_from(tmp_path, {"src/app.js"}) is None


def test_flake8_is_refused_for_a_written_config_or_a_module_under_local_plugin_paths(
    tmp_path: Path,
) -> None:
    assert flake8_runs_code_from(tmp_path, {"src/app.py"}) is None
    assert ".flake8" in (flake8_runs_code_from(tmp_path, {".flake8"}) or "")
    (tmp_path / "tox.ini").write_text(
        "[flake8:local-plugins]\nextension = X = p:P\npaths = ./lint\n"
    )
    assert "lint/p.py" in (flake8_runs_code_from(tmp_path, {"lint/p.py"}) or "")
    assert flake8_runs_code_from(tmp_path, {"src/app.py"}) is None


def test_an_executable_in_a_folder_the_agent_changed_is_refused(tmp_path: Path) -> None:
    tool = tmp_path / "node_modules" / ".bin" / "eslint"
    assert executable_refusal(str(tool), tmp_path, {"node_modules/.bin/eslint"}) is not None
    assert executable_refusal(str(tool), tmp_path, {"src/app.js"}) is None
    assert executable_refusal("/usr/bin/eslint", tmp_path, {"node_modules/a.js"}) is None
