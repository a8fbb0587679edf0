"""The reviewer through litellm and the local model server: JSON mode where the provider takes
it, fenced and prose-wrapped answers, malformed findings dropped, line numbers of the agent's
result (after its edits shifted them), and past findings in the prompt."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from orchard.config import Settings
from orchard.errors import ReviewerNotConfigured
from orchard.models.client import ModelClient
from orchard.review.findings import Severity
from orchard.review.reviewer import review_change
from orchard.vcs.review_diff import ReviewDiff, commit_review_diff
from tests.support.gitrepo import GitRepo
from tests.support.model_server import ModelServer, RecordedRequest, Reply, reply
from tests.unit.agents.support import settings_for

BASE = "def ratio(a, b):\n    return a / b\n\n\ndef main():\n    print(ratio(1, 0))\n"
HEADER = '"""Ratios."""\n\nimport sys\n\nLIMIT = 10\n\n'
RESULT = HEADER + BASE.replace("print(ratio(1, 0))", "print(ratio(1, 0), file=sys.stderr)")


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


@pytest.fixture
def change(make_repo: Callable[..., GitRepo]) -> tuple[GitRepo, ReviewDiff]:
    repo = make_repo({"calc.py": BASE, "README.md": "# calc\n"})
    base = repo.head()
    result = repo.commit("agent: log to stderr", {"calc.py": RESULT})
    return repo, commit_review_diff(repo.root, base, result)


def reviewer_settings(server: ModelServer) -> Settings:
    return dataclasses.replace(
        settings_for(server, "openai/reviewer"), reviewer_model="openai/reviewer"
    )


def finding_json(line: int, end_line: int | None = None, severity: str = "error") -> str:
    end = line if end_line is None else end_line
    return (
        f'{{"file": "calc.py", "line": {line}, "end_line": {end}, "severity": "{severity}", '
        f'"message": "divides by zero"}}'
    )


async def test_json_mode_is_asked_for_and_the_answer_taken(
    change: tuple[GitRepo, ReviewDiff], model_server: ModelServer
) -> None:
    _repo, diff = change
    model_server.script("reviewer", reply(f'{{"findings": [{finding_json(12)}]}}'))
    settings = reviewer_settings(model_server)
    found = await review_change(diff, settings=settings, client=ModelClient(settings))
    [request] = model_server.requests_for("reviewer")
    assert request.body.get("response_format") == {"type": "json_object"}
    assert [(f.file, f.line, f.severity) for f in found] == [("calc.py", 12, Severity.ERROR)]


async def test_fenced_and_prose_wrapped_answers_parse_and_malformed_entries_drop(
    change: tuple[GitRepo, ReviewDiff], model_server: ModelServer
) -> None:
    _repo, diff = change
    malformed = '{"file": "calc.py", "line": "soon", "severity": "error", "message": "x"}'
    outside = finding_json(99)
    model_server.script(
        "reviewer",
        reply(f'Findings:\n```json\n{{"findings": [{finding_json(8)}, {malformed}]}}\n```\n'),
        reply(f'I checked it. {{"findings": [{outside}, {finding_json(12, 12, "warning")}]}} Bye.'),
    )
    settings = reviewer_settings(model_server)
    client = ModelClient(settings)
    fenced = await review_change(diff, settings=settings, client=client)
    prose = await review_change(diff, settings=settings, client=client)
    assert [(f.line, f.severity) for f in fenced] == [(8, Severity.ERROR)]
    assert [(f.line, f.severity) for f in prose] == [(12, Severity.WARNING)]


def line_of(request: RecordedRequest, code: str) -> int:
    """Read the result line number the prompt shows next to `code` (as a model would)."""
    for row in request.prompt_text.splitlines():
        match = re.match(r"\s*(\d+) [ +](.*)$", row)
        if match and code in match.group(2):
            return int(match.group(1))
    raise AssertionError(f"{code!r} is not in the prompt")


async def test_findings_point_at_the_result_lines_after_the_edits_shifted_them(
    change: tuple[GitRepo, ReviewDiff], model_server: ModelServer
) -> None:
    _repo, diff = change

    def reviewer(request: RecordedRequest) -> Reply:
        line = line_of(request, "return a / b")
        return reply(f'{{"findings": [{finding_json(line)}]}}')

    model_server.script("reviewer", reviewer)
    settings = reviewer_settings(model_server)
    [found] = await review_change(diff, settings=settings, client=ModelClient(settings))
    assert BASE.splitlines().index("    return a / b") + 1 == 2  # where it was
    assert found.line == 8  # where the agent's header moved it
    assert RESULT.splitlines()[found.line - 1] == "    return a / b"


async def test_past_findings_and_the_request_go_into_the_prompt(
    change: tuple[GitRepo, ReviewDiff], model_server: ModelServer
) -> None:
    _repo, diff = change
    model_server.script("reviewer", reply('{"findings": []}'))
    settings = reviewer_settings(model_server)
    past = ["task t1 (committed): calc.py:2 error: ratio() divides by zero"]
    found = await review_change(
        diff, settings=settings, client=ModelClient(settings), request="log to stderr",
        past_findings=past,
    )  # fmt: skip
    assert found == []
    prompt = model_server.requests_for("reviewer")[0].prompt_text
    assert "ratio() divides by zero" in prompt and "log to stderr" in prompt


async def test_without_a_reviewer_model_the_setting_is_named(
    change: tuple[GitRepo, ReviewDiff], model_server: ModelServer
) -> None:
    _repo, diff = change
    settings = settings_for(model_server, "openai/coder")
    with pytest.raises(ReviewerNotConfigured, match="reviewer_model"):
        await review_change(diff, settings=settings, client=ModelClient(settings))
    assert model_server.requests == []


def test_json_mode_follows_what_the_provider_supports() -> None:
    client = ModelClient(Settings())
    assert client.supports_json_mode("openai/gpt-4o-mini")
    assert not client.supports_json_mode("replicate/meta/llama-2-70b-chat")
