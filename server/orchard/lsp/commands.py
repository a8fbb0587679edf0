"""The arguments of Orchard's `workspace/executeCommand` commands: ONE JSON object with camelCase
keys (snake_case accepted), read through typed getters that answer bad input with InvalidParams
naming the field. Knows nothing of what the commands do.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from orchard.agents.task import TaskLimits
from orchard.errors import OrchardError, SettingsError, TaskNotFound

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was understood but could not be done


class JsonRpcRequestFailed(JsonRpcException):
    """A command that was understood but could not be carried out (its message says why)."""

    CODE = REQUEST_FAILED


@dataclass(frozen=True, slots=True)
class CommandArguments:
    """One command's argument object."""

    command: str
    values: Mapping[str, Any]

    @classmethod
    def of(cls, command: str, arguments: Sequence[Any]) -> CommandArguments:
        """Read the command's argument list: nothing, or one object."""
        if not arguments or arguments[0] is None:
            return cls(command, {})
        if len(arguments) > 1 or not isinstance(arguments[0], Mapping):
            raise JsonRpcInvalidParams(f"{command} takes one object argument (camelCase keys)")
        return cls(command, arguments[0])

    def get(self, name: str) -> Any:
        """Return the value under `name` (camelCase) or its snake_case twin, or None."""
        value = self.values.get(name)
        if value is None:
            value = self.values.get(_snake(name))
        return value

    def _bad(self, name: str, expected: str) -> JsonRpcInvalidParams:
        return JsonRpcInvalidParams(f"{self.command}: `{name}` must be {expected}")

    def text(self, name: str, *, required: bool = False) -> str:
        """Return a string field ('' when absent and not required)."""
        value = self.get(name)
        if value is None:
            if required:
                raise JsonRpcInvalidParams(f"{self.command}: `{name}` is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self._bad(name, "a non-empty string" if required else "a string")
        return value

    def strings(self, name: str) -> list[str]:
        """Return a list-of-strings field (a lone string counts as a list of one)."""
        value = self.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(name, "a list of strings")
        return list(value)

    def integer(self, name: str, *, minimum: int = 1) -> int | None:
        """Return a whole-number field of at least `minimum`, or None."""
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._bad(name, f"a whole number of at least {minimum}")
        return value

    def number(self, name: str) -> float | None:
        """Return a positive number field, or None."""
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self._bad(name, "a positive number")
        return float(value)

    def mapping(self, name: str) -> Mapping[str, Any] | None:
        """Return an object field, or None."""
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._bad(name, "an object")
        return value

    def limits(self) -> TaskLimits:
        """Return the task limits named by maxTokens, maxCost, maxSeconds and testTimeout."""
        return TaskLimits(
            max_tokens=self.integer("maxTokens"),
            max_cost_usd=self.number("maxCost"),
            max_seconds=self.number("maxSeconds"),
            test_timeout=self.number("testTimeout"),
        )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


Handler = Callable[[CommandArguments], Awaitable[Any]]


def command_handler(name: str, handler: Handler) -> Callable[..., Awaitable[Any]]:
    """Wrap `handler` as a pygls command: one object argument in, Orchard errors out as
    InvalidParams (unknown task, bad settings) or RequestFailed (anything else refused)."""

    async def run(ls: Any, *arguments: Any) -> Any:  # pygls passes the server as `ls`
        parsed = CommandArguments.of(name, arguments)
        try:
            return await handler(parsed)
        except (TaskNotFound, SettingsError) as exc:
            raise JsonRpcInvalidParams(f"{name}: {exc}") from exc
        except OrchardError as exc:
            raise JsonRpcRequestFailed(f"{name}: {exc}") from exc

    run.__name__ = name.replace(".", "_")
    return run
