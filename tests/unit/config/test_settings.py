"""The settings tree: layers, precedence, validation messages, secrets kept out."""

from __future__ import annotations

from pathlib import Path

from orchard.config import Settings, load_settings, settings_reference, snake_case
from tests.support.gitrepo import GitRepo


def test_defaults_apply_when_nothing_is_configured(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path)
    assert loaded.settings == Settings()
    assert loaded.problems == ()


def test_layers_rise_in_precedence(git_repo: GitRepo) -> None:
    git_repo.write(
        "pyproject.toml",
        "[tool.orchard]\nreviewer_model = 'a'\n[tool.orchard.repomap]\nmap_tokens = 100\n"
        "max_file_bytes = 10\n[tool.orchard.agents]\nmax_agents = 2\n",
    )
    git_repo.write(".orchard.toml", "reviewer_model = 'b'\n[repomap]\nmap_tokens = 200\n")
    loaded = load_settings(
        git_repo.root,
        initialization_options={"repomap": {"mapTokens": 300}, "planner_model": "p"},
        client_configuration={"orchard": {"repomap": {"map_tokens": 400}}},
    )
    s = loaded.settings
    assert s.repomap.map_tokens == 400
    assert s.repomap.max_file_bytes == 10
    assert s.reviewer_model == "b"
    assert s.planner_model == "p"
    assert s.agents.max_agents == 2
    assert loaded.problems == ()


def test_bad_value_names_key_and_reason_and_falls_back_to_lower_layer(git_repo: GitRepo) -> None:
    git_repo.write(".orchard.toml", "[retry]\nmax_attempts = 4\n")
    loaded = load_settings(git_repo.root, initialization_options={"retry": {"max_attempts": -1}})
    assert loaded.settings.retry.max_attempts == 4
    (problem,) = loaded.problems
    assert problem.key == "retry.max_attempts"
    assert "at least 1" in problem.reason
    assert "LSP initializationOptions" in str(problem)


def test_models_accept_strings_and_tables() -> None:
    loaded = load_settings(
        None,
        initialization_options={
            "models": [
                "openai/gpt-4o",
                {"model": "ollama/qwen2.5-coder", "apiBase": "http://127.0.0.1:11434",
                 "maxParallel": 2, "temperature": 0.2, "editFormat": "udiff"},
            ]
        },
    )  # fmt: skip
    first, second = loaded.settings.models
    assert first.model == "openai/gpt-4o" and first.max_parallel == 4
    assert second.api_base == "http://127.0.0.1:11434"
    assert (second.max_parallel, second.temperature, second.edit_format) == (2, 0.2, "udiff")
    assert loaded.settings.model("ollama/qwen2.5-coder") is second
    assert loaded.settings.model("unknown/x").model == "unknown/x"


def test_api_keys_are_never_taken_from_settings() -> None:
    loaded = load_settings(
        None, client_configuration={"models": [{"model": "m", "api_key": "sk-123"}]}
    )
    assert loaded.settings.models[0].model == "m"
    assert [p.key for p in loaded.problems] == ["models[0].api_key"]
    assert "sk-123" not in str(loaded.problems[0])
    assert "api_key_env" in loaded.problems[0].reason


def test_unknown_keys_wrong_types_and_choices_are_reported() -> None:
    loaded = load_settings(
        None,
        initialization_options={
            "repomapp": {},
            "lint": {"enabled": "yes", "tools": {"python": ["ruff", 3]}},
            "models": [{"model": "m", "edit_format": "xml"}, {"temperature": 1}],
        },
    )
    reasons = {p.key: p.reason for p in loaded.problems}
    assert reasons["repomapp"] == "unknown setting"
    assert "true or false" in reasons["lint.enabled"]
    assert "non-empty string" in reasons["lint.tools.python[1]"]
    assert "one of auto, editblock, udiff, whole" in reasons["models[0].edit_format"]
    assert "needs a `model`" in reasons["models[1]"]
    assert loaded.settings.lint.tools == {"python": ("ruff",)}
    assert loaded.settings.lint.enabled is True


def test_unreadable_settings_file_is_reported_not_fatal(git_repo: GitRepo) -> None:
    git_repo.write(".orchard.toml", "this is = = not toml")
    loaded = load_settings(git_repo.root)
    assert loaded.settings == Settings()
    assert "could not be read" in loaded.problems[0].reason


def test_camel_case_keys_map_to_snake_case() -> None:
    assert snake_case("maxFileBytes") == "max_file_bytes"
    assert snake_case("api-base") == "api_base"
    assert snake_case("already_snake") == "already_snake"


def test_reference_lists_every_leaf_setting_with_a_description() -> None:
    rows = settings_reference()
    keys = [key for key, _, _ in rows]
    assert "repomap.max_file_bytes" in keys and "retry.breaker_cooldown_seconds" in keys
    assert all(doc for _, _, doc in rows)
    assert len(keys) == len(set(keys))


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    missing = [key for key, _, _ in settings_reference() if f"| `{key}` |" not in readme]
    assert missing == []
