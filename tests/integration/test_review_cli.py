"""`orchard review` through main(): the working tree (staged, unstaged, untracked) or a branch,
text / JSON / SARIF, exit codes, SARIF 2.1.0 checked against its JSON schema (and by Microsoft's
validator when tests/tools has it), and the recommendation in `orchard run`'s table."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orchard.cli import main
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, RecordedRequest, Reply, reply
from tests.unit.agents.support import FILES, GREET_REPLY

SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-2.1.0.json"
MULTITOOL = Path(__file__).parents[1] / "tools" / "node_modules" / ".bin" / "sarif-multitool"
ERROR = {
    "file": "src/app.py",
    "line": 2,
    "end_line": 2,
    "severity": "error",
    "message": "greet returns None for empty names",
    "replacement": "    return f'hello {name or \"you\"}'",
}
HINT = {"file": "notes.md", "line": 1, "severity": "hint", "message": "say what this is"}


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def config(server: ModelServer, reviewer: bool = True) -> str:
    return (
        ("reviewer_model = 'openai/reviewer'\n" if reviewer else "")
        + "[[models]]\nmodel = 'openai/coder'\n"
        f"api_base = '{server.api_base}'\n"
        "[[models]]\nmodel = 'openai/reviewer'\n"
        f"api_base = '{server.api_base}'\n"
        "[retry]\nmax_attempts = 1\n[lint.tools]\npython = []\n"
    )


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo], model_server: ModelServer) -> GitRepo:
    repo = make_repo({**FILES, ".orchard.toml": config(model_server), ".gitignore": "*.log\n"})
    repo.write("src/app.py", FILES["src/app.py"].replace("hello", "hi"))  # unstaged
    repo.write("src/util.py", FILES["src/util.py"] + "\n\nZERO = 0\n")
    repo.git("add", "src/util.py")  # staged
    repo.write("notes.md", "plans\n")  # untracked
    repo.write("debug.log", "ignored\n")
    return repo


def findings_reply(*findings: dict[str, Any]) -> Callable[[RecordedRequest], Reply]:
    def answer(_request: RecordedRequest) -> Reply:
        return reply(json.dumps({"findings": list(findings)}))

    return answer


def review(repo: GitRepo, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["review", "--root", str(repo.root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_working_tree_is_reviewed_without_touching_the_index(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(findings_reply(HINT), model="reviewer")
    index = (repo.root / ".git" / "index").read_bytes()
    status = repo.git("status", "--porcelain")
    code, out, err = review(repo, capsys, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert sorted(report["files"]) == ["notes.md", "src/app.py", "src/util.py"]
    assert report["counts"] == {"error": 0, "warning": 0, "info": 0, "hint": 1}
    assert report["base"] == repo.head()
    prompt = model_server.requests_for("reviewer")[0].prompt_text
    assert "hi {name}" in prompt and "ZERO = 0" in prompt and "debug.log" not in prompt
    assert (repo.root / ".git" / "index").read_bytes() == index
    assert repo.git("status", "--porcelain") == status


def test_an_error_finding_exits_1_and_text_shows_it(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(findings_reply(ERROR, HINT), model="reviewer")
    code, out, _err = review(repo, capsys)
    assert code == 1
    assert "src/app.py:2: error: greet returns None for empty names" in out
    assert out.strip().splitlines()[-1] == "1 error, 1 hint"


def test_a_branch_is_reviewed_against_its_merge_base(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    base = repo.head()
    repo.git("stash", "-u")
    repo.branch("topic", checkout=True)
    repo.commit("topic work", {"src/topic.py": "TOPIC = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"src/main_only.py": "MAIN = 1\n"})
    model_server.set_default(findings_reply(), model="reviewer")
    code, out, _err = review(repo, capsys, "--branch", "topic", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["files"] == ["src/topic.py"] and report["base"] == base
    assert report["branch"] == "topic"


def test_usage_errors_and_a_missing_reviewer_exit_2(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = review(repo, capsys, "--base", "no-such-ref")
    assert code == 2 and "no-such-ref" in err
    with pytest.raises(SystemExit) as both:
        main(["review", "--root", str(repo.root), "--base", "HEAD", "--branch", "x"])
    assert both.value.code == 2
    capsys.readouterr()
    (repo.root / ".orchard.toml").write_text(config(model_server, reviewer=False))
    code, _out, err = review(repo, capsys)
    assert code == 2 and "reviewer_model" in err
    assert model_server.requests == []


def sarif_of(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _err = review(repo, capsys, "--format", "sarif")
    return code, json.loads(out)


def test_sarif_output_is_valid_sarif_2_1_0_with_regions_rules_and_fixes(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    model_server.set_default(findings_reply(ERROR, HINT), model="reviewer")
    code, log = sarif_of(repo, capsys)
    assert code == 1
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "orchard" and driver["version"] == main_version()
    assert driver["informationUri"].startswith("https://")
    rule_ids = [rule["id"] for rule in driver["rules"]]
    error, hint = run["results"]
    assert error["ruleId"] in rule_ids and error["level"] == "error" and hint["level"] == "none"
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/app.py"
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert location["region"] == {"startLine": 2, "endLine": 2}
    [replacement] = error["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 2, "endLine": 2}
    assert replacement["insertedContent"]["text"] == ERROR["replacement"]
    assert "fixes" not in hint
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.root.resolve().as_uri() + "/"


def main_version() -> str:
    from orchard import __version__

    return __version__


@pytest.mark.slow
def test_microsofts_sarif_validator_accepts_the_output(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if not MULTITOOL.exists():
        pytest.skip("tests/tools has no sarif-multitool (npm ci --prefix tests/tools)")
    model_server.set_default(findings_reply(ERROR, HINT), model="reviewer")
    _code, log = sarif_of(repo, capsys)
    target, checked = tmp_path / "review.sarif", tmp_path / "validation.sarif"
    target.write_text(json.dumps(log), encoding="utf-8")
    done = subprocess.run(
        [
            str(MULTITOOL),
            "validate",
            str(target),
            "--output",
            str(checked),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(checked.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [r for r in results if r.get("level") == "error"] == []


@pytest.mark.slow
def test_run_shows_each_agents_review_and_the_recommendation(
    repo: GitRepo, model_server: ModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("stash", "-u")
    model_server.set_default(reply(GREET_REPLY), model="coder")
    model_server.set_default(findings_reply(ERROR), model="reviewer")
    code = main(["run", "greet politely", "--model", "openai/coder", "--root", str(repo.root)])
    out, _err = capsys.readouterr()
    assert code == 0
    assert "a1-coder: review: 1 error" in out
    assert "recommended: a1-coder — tests not run" in out
    task = next(line.split()[-1] for line in out.splitlines() if "tasks discard" in line)
    assert main(["tasks", "show", task, "--root", str(repo.root)]) == 0
    shown = capsys.readouterr().out
    assert "recommended: a1-coder" in shown and "greet returns None" in shown
