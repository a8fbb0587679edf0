"""The one tree of Orchard's own exceptions; every module raises from here.

OrchardError
├── SettingsError          a setting has a bad value (key and reason in the message)
│   └── ReviewerNotConfigured  a review was asked for but `reviewer_model` is not set
├── WorkspaceError         the root is missing, not a git repository, bare, or has no commit
│   ├── PathSafetyError    a path escapes the root, goes through .git/ or a symlink outside
│   └── GitError           a git command failed (the command and git's own message in the text)
├── ParseError             text from a model or a tool could not be understood
├── EditError              an edit could not be applied (no match, ambiguous, binary target)
├── ModelError             a model call failed for good (after retries, or not retryable)
│   ├── ModelUnavailable   the circuit breaker for that model is open
│   ├── BudgetExceeded     a token or cost budget ran out
│   ├── ModelsNotReady     a chosen model cannot be called (unknown provider, key not set)
│   ├── ReplyDeadlineExceeded  a reply took longer than its call's overall deadline
│   └── ReplyTooLarge      a reply grew far beyond the model's output limit
├── LintError              a linter could not be run or its output could not be read
├── MemoryStoreError       the memory tables could not be read or written as asked
├── TaskNotFound           no task (or no agent of a task) has the id given
│   └── ResultNotChosen    no single result to take: none committed, or several and none named
├── RunConflict            the task or run is in a state, or in a process, that forbids the action
├── PublishError           an agent's branch could not be published
│   ├── PushRejected       git's push failed; `reason` says how (a PushFailure)
│   └── ForgeError         the forge's API refused or failed (`status`, the forge's message)
│       └── MissingToken   no token in the environment for the forge's API
└── Cancelled              the user or the orchestrator cancelled the work
"""

from __future__ import annotations


class OrchardError(Exception):
    """Base of every error Orchard raises on purpose; its message is meant for users."""


class SettingsError(OrchardError):
    """A setting has a value Orchard cannot use."""


class ReviewerNotConfigured(SettingsError):
    """A review needs `reviewer_model`, and it is not set."""


class WorkspaceError(OrchardError):
    """The workspace is not something Orchard can work in."""


class PathSafetyError(WorkspaceError):
    """A path leads outside the root it must stay in."""


class GitError(WorkspaceError):
    """A git command Orchard ran failed; the message names the command and quotes git."""


class ParseError(OrchardError):
    """Text from a model or a tool could not be understood."""


class EditError(OrchardError):
    """An edit could not be applied."""


class ModelError(OrchardError):
    """A model call failed for good."""


class ModelUnavailable(ModelError):
    """The model's circuit breaker is open: calls fail fast until it cools down."""


class BudgetExceeded(ModelError):
    """A token or cost budget ran out."""


class ModelsNotReady(ModelError):
    """Models chosen for a run cannot be called; one line per model says what to set."""


class ReplyDeadlineExceeded(ModelError):
    """A reply took longer than its call's overall deadline (a stream that only drips)."""


class ReplyTooLarge(ModelError):
    """A reply grew far beyond the model's output limit: a broken provider, never retried."""


class LintError(OrchardError):
    """A linter could not be run or its output could not be read."""


class MemoryStoreError(OrchardError):
    """Memory could not be searched, indexed or forgotten as asked."""


class TaskNotFound(OrchardError):
    """No task, or no agent of a task, has the id given."""


class ResultNotChosen(TaskNotFound):
    """A task has no result to take as asked: the agent did not commit, none did, or several
    did and neither the caller nor the judge chose one (the message names the choices)."""


class RunConflict(OrchardError):
    """The task or run is busy elsewhere, or in a state that forbids what was asked."""


class Cancelled(OrchardError):
    """The work was cancelled."""


class PublishError(OrchardError):
    """An agent's branch could not be pushed, or its pull request opened."""


class PushRejected(PublishError):
    """git's push failed; `reason` is Orchard's classification (vcs.push.PushFailure)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ForgeError(PublishError):
    """The forge's API refused or failed a request; `status` is its HTTP status (0: none)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class MissingToken(ForgeError):
    """No API token for the forge is set in the environment."""
