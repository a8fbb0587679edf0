"""The service methods the editor loop calls that other modules own (merge: plan, accept,
record_accepted, agent_diff; review: findings, review), as a typed protocol, so the language
server codes against the shared contract and answers plainly when a method is not there yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from orchard.errors import FeatureUnavailable

if TYPE_CHECKING:
    from orchard.review.findings import Finding
    from orchard.service import OrchardService
    from orchard.vcs.merge_plan import MergePlan


class Jsonable(Protocol):
    """A result with a JSON-ready view."""

    def to_json(self) -> Any: ...


class EditorLoopService(Protocol):
    """What accepting, diffing and reviewing need of the service."""

    async def plan(
        self, task_id: str, agent_id: str | None = None, buffers: Mapping[str, str] = ...
    ) -> MergePlan: ...

    async def accept(
        self, task_id: str, agent_id: str | None = None, buffers: Mapping[str, str] = ...
    ) -> Jsonable: ...

    async def record_accepted(self, task_id: str, agent_id: str, plan: MergePlan) -> None: ...

    async def agent_diff(self, task_id: str, agent_id: str) -> list[Any]: ...

    async def findings(self, task_id: str) -> dict[str, list[Finding]]: ...

    async def review(self, base: str = "HEAD", branch: str | None = None) -> Jsonable: ...


def editor_loop(service: OrchardService, method: str) -> EditorLoopService:
    """Return `service` typed for the editor loop; raise FeatureUnavailable without `method`."""
    if not callable(getattr(service, method, None)):
        raise FeatureUnavailable(f"this Orchard build cannot {method.replace('_', ' ')} yet")
    return cast("EditorLoopService", service)
