"""The settings tree: one frozen dataclass per section, each field documented with its default
(the README's table and `settings_reference` are generated from these docs). No I/O here.
API keys are never settings: they come from the environment, named by `api_key_env`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

EDIT_FORMATS = ("auto", "editblock", "udiff", "whole")
SANDBOX_MODES = ("auto", "bwrap", "off")
FORGES = ("auto", "github", "gitlab")
SECRET_KEYS = frozenset({"api_key", "apikey", "key", "token", "secret", "password"})


def _doc(text: str, **extra: Any) -> dict[str, Any]:
    return {"doc": text, **extra}


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """One model an agent, the reviewer, the resolver or the planner can call."""

    model: str = field(
        metadata=_doc("litellm model string, e.g. `openai/gpt-4o`, `ollama/qwen2.5-coder`")
    )
    api_base: str | None = field(default=None, metadata=_doc("base URL of the provider's API"))
    api_key_env: str | None = field(
        default=None, metadata=_doc("name of the environment variable that holds the API key")
    )
    max_parallel: int = field(
        default=4, metadata=_doc("calls in flight at once to this model", min=1)
    )
    temperature: float | None = field(default=None, metadata=_doc("sampling temperature", min=0.0))
    edit_format: str = field(
        default="auto", metadata=_doc("how the model writes edits", choices=EDIT_FORMATS)
    )


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """How model calls are retried and when a model is given a rest."""

    max_attempts: int = field(
        default=6, metadata=_doc("attempts per call, the first included", min=1)
    )
    max_wait_seconds: float = field(
        default=60.0, metadata=_doc("total backoff allowed per call", min=0.0)
    )
    initial_delay_seconds: float = field(
        default=0.5, metadata=_doc("first backoff delay; doubles with jitter", min=0.0)
    )
    timeout_seconds: float = field(
        default=120.0, metadata=_doc("base request timeout; grows with prompt size", min=1.0)
    )
    breaker_failures: int = field(
        default=5, metadata=_doc("consecutive failures that open a model's circuit breaker", min=1)
    )
    breaker_cooldown_seconds: float = field(
        default=30.0, metadata=_doc("how long an open breaker fails fast", min=0.0)
    )


# -- limits on model calls and tasks (owned by models/ and agents/run.py)


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Bounds on model calls and tasks, so a slow or broken provider never holds a run open."""

    min_tokens_per_second: float = field(
        default=5.0,
        metadata=_doc(
            "slowest reply rate tolerated: a call's deadline is the request timeout plus"
            " its expected output divided by this rate",
            min=0.01,
        ),
    )
    reply_size_factor: float = field(
        default=4.0,
        metadata=_doc(
            "a reply longer than this many times the model's output limit is aborted, not retried",
            min=1.0,
        ),
    )
    task_seconds: float | None = field(
        default=None,
        metadata=_doc("wall-clock limit of a task; its unfinished agents then fail", min=1.0),
    )


# -- end of limits


@dataclass(frozen=True, slots=True)
class RepoMapSettings:
    """The repository map: what is indexed and how much of it a prompt gets."""

    map_tokens: int = field(default=1024, metadata=_doc("token budget of a map", min=64))
    max_file_bytes: int = field(
        default=1_000_000, metadata=_doc("files larger than this are listed by path only", min=1)
    )
    exclude: tuple[str, ...] = field(
        default=(), metadata=_doc("extra gitignore-style patterns left out of the map")
    )


@dataclass(frozen=True, slots=True)
class EditSettings:
    """How model edits are matched against files."""

    fuzzy_threshold: float = field(
        default=0.8, metadata=_doc("least similarity for a fuzzy match (0-1)", min=0.0, max=1.0)
    )


@dataclass(frozen=True, slots=True)
class LintSettings:
    """The lint pipeline in the editor and for agents."""

    enabled: bool = field(
        default=True, metadata=_doc("publish Orchard's diagnostics in the editor")
    )
    debounce_ms: int = field(
        default=300, metadata=_doc("quiet time after typing before the syntax check", min=0)
    )
    timeout_seconds: float = field(
        default=30.0, metadata=_doc("a linter run is killed after this", min=1.0)
    )
    tools: dict[str, tuple[str, ...]] = field(
        default_factory=dict,
        metadata=_doc('linters per language, e.g. {python = ["ruff"]}; empty: the defaults'),
    )
    commands: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            "extra commands whose output is `path:line:col: message`; optional language "
            'selector and file placeholder: "[python] mypy {files}"'
        ),
    )
    disabled_languages: tuple[str, ...] = field(
        default=(), metadata=_doc('languages Orchard does not lint at all, e.g. ["markdown"]')
    )
    # --- editor buffers (lsp helper) ---
    large_buffer_chars: int = field(
        default=1_000_000,
        metadata=_doc(
            "open buffers longer than this get incremental syntax checks only (no linters, "
            "no compile()) and the map lists them by path",
            min=1,
        ),
    )


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """How agents run."""

    max_agents: int = field(default=8, metadata=_doc("agents running at once, all models", min=1))
    max_reflections: int = field(
        default=3, metadata=_doc("rounds of feeding errors back to the model", min=0)
    )
    test_command: str | None = field(default=None, metadata=_doc("command that runs the tests"))
    setup_command: str | None = field(
        default=None, metadata=_doc("command run in each new worktree before the agent starts")
    )
    copy_ignored: tuple[str, ...] = field(
        default=(), metadata=_doc("glob patterns of ignored files copied into each worktree")
    )
    keep_worktrees: int = field(
        default=32, metadata=_doc("most agent worktrees kept before the oldest are removed", min=1)
    )
    # -- sandbox: where commands started for an agent (lint, tests, setup) may write and reach
    sandbox: str = field(
        default="auto",
        metadata=_doc(
            "run agents' lint, test and setup commands in bubblewrap: auto, bwrap, off",
            choices=SANDBOX_MODES,
        ),
    )
    sandbox_network: bool = field(
        default=False, metadata=_doc("let sandboxed commands reach the network")
    )


@dataclass(frozen=True, slots=True)
class MemorySettings:
    """Memory: code chunks and past tasks, searched to give agents more context."""

    enabled: bool = field(
        default=True, metadata=_doc("give agents memory hits and record which runs changed files")
    )
    embedding_model: str | None = field(
        default=None,
        metadata=_doc("litellm embedding model; unset: the offline, lexical (not semantic) one"),
    )
    offline_dimensions: int = field(
        default=384, metadata=_doc("vector size of the offline embedder", min=16, max=4096)
    )
    max_chunk_lines: int = field(default=80, metadata=_doc("longest code chunk, in lines", min=4))
    window_lines: int = field(
        default=40, metadata=_doc("chunk size for files without tree-sitter definitions", min=4)
    )
    prompt_hits: int = field(
        default=6, metadata=_doc("most memory hits offered to an agent's prompt", min=0)
    )
    search_limit: int = field(default=10, metadata=_doc("default number of search results", min=1))


@dataclass(frozen=True, slots=True)
class PublishSettings:
    """Publishing an agent's branch: the remote it goes to, the forge its pull request opens on."""

    remote: str = field(
        default="origin", metadata=_doc("remote that `orchard tasks push` pushes agent branches to")
    )
    forge: str = field(
        default="auto",
        metadata=_doc(
            "forge pull requests open on: auto (from the remote's host), github, gitlab",
            choices=FORGES,
        ),
    )
    api_url: str | None = field(
        default=None,
        metadata=_doc(
            "forge API base, e.g. `https://github.example.com/api/v3`; unset: GITHUB_API_URL"
            " (or CI_API_V4_URL), else the host's public API"
        ),
    )
    timeout_seconds: float = field(
        default=30.0, metadata=_doc("timeout of one forge API request", min=1.0)
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything Orchard can be told; every field has a sensible default."""

    models: tuple[ModelSettings, ...] = field(
        default=(), metadata=_doc("models agents may use, as litellm model strings or tables")
    )
    reviewer_model: str | None = field(default=None, metadata=_doc("model that reviews diffs"))
    judge_model: str | None = field(
        default=None,
        metadata=_doc("model that picks between best-of-N agents whose scores are close"),
    )
    resolver_model: str | None = field(default=None, metadata=_doc("model that settles conflicts"))
    planner_model: str | None = field(
        default=None, metadata=_doc("model that splits fan-out tasks")
    )
    weak_model: str | None = field(default=None, metadata=_doc("cheap model for summaries"))
    retry: RetrySettings = field(default_factory=RetrySettings, metadata=_doc("model call retries"))
    limits: LimitSettings = field(
        default_factory=LimitSettings, metadata=_doc("bounds on model calls and tasks")
    )
    repomap: RepoMapSettings = field(
        default_factory=RepoMapSettings, metadata=_doc("repository map")
    )
    edits: EditSettings = field(default_factory=EditSettings, metadata=_doc("edit matching"))
    lint: LintSettings = field(default_factory=LintSettings, metadata=_doc("lint pipeline"))
    agents: AgentSettings = field(default_factory=AgentSettings, metadata=_doc("agent runs"))
    memory: MemorySettings = field(default_factory=MemorySettings, metadata=_doc("memory"))
    publish: PublishSettings = field(
        default_factory=PublishSettings, metadata=_doc("pushing branches, opening pull requests")
    )

    def model(self, name: str) -> ModelSettings:
        """Return the settings of a model by its litellm string (defaults when not configured)."""
        for entry in self.models:
            if entry.model == name:
                return entry
        return ModelSettings(model=name)
