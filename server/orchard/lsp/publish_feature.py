"""Publishing from the editor: `orchard.publishAgent` {task, agent?, pr?, draft?, remote?, branch?,
base?} pushes an agent's branch (and opens its pull request) through the service the tasks
feature opened. An adapter: the service does the work; errors come back plain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams

from orchard.errors import OrchardError, SettingsError, TaskNotFound
from orchard.lsp.commands import CommandArguments, JsonRpcRequestFailed

if TYPE_CHECKING:
    from orchard.lsp.host import ClientHost
    from orchard.service import OrchardService

PUBLISH = "orchard.publishAgent"
COMMANDS = (PUBLISH,)


async def publish_agent(service: OrchardService, arguments: CommandArguments) -> dict[str, Any]:
    """Answer `orchard.publishAgent` with the PublishResult's JSON."""
    result = await service.publish(
        arguments.text("task", required=True),
        arguments.text("agent") or None,
        remote=arguments.text("remote") or None,
        branch=arguments.text("branch") or None,
        base=arguments.text("base") or None,
        pr=_flag(arguments, "pr") or _flag(arguments, "draft"),
        draft=_flag(arguments, "draft"),
    )
    return result.to_json()


def _flag(arguments: CommandArguments, name: str) -> bool:
    value = arguments.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise JsonRpcInvalidParams(f"{arguments.command}: `{name}` must be true or false")
    return value


def register(server: ClientHost, service: Callable[[], Awaitable[OrchardService]]) -> None:
    """Wire `orchard.publishAgent` into `server`, on the repository's one `service()`."""

    @server.command(PUBLISH)
    async def publish(ls: Any, *arguments: Any) -> Any:  # pygls passes the server as `ls`
        parsed = CommandArguments.of(PUBLISH, arguments)
        try:
            return await publish_agent(await service(), parsed)
        except (TaskNotFound, SettingsError) as exc:
            raise JsonRpcInvalidParams(f"{PUBLISH}: {exc}") from exc
        except OrchardError as exc:
            raise JsonRpcRequestFailed(f"{PUBLISH}: {exc}") from exc
