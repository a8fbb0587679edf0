"""Pull requests as values: what Orchard proposes and what the forge answered, and the Forge
protocol every forge client meets. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from orchard.forge.address import RepoAddress


@dataclass(frozen=True, slots=True)
class Proposal:
    """A pull request to open: `head` (a branch already pushed) into `base`."""

    address: RepoAddress
    head: str
    base: str
    title: str
    body: str
    draft: bool = False


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull (or merge) request the forge opened."""

    url: str
    number: int
    draft: bool

    def to_json(self) -> dict[str, Any]:
        """Return the pull request as a JSON-ready mapping."""
        return {"url": self.url, "number": self.number, "draft": self.draft}


class Forge(Protocol):
    """A forge that can open pull requests."""

    @property
    def name(self) -> str:
        """Return the forge's name as users know it (GitHub, GitLab)."""
        ...

    async def open_pull_request(self, proposal: Proposal) -> PullRequest:
        """Open `proposal`; raise ForgeError with the forge's message when refused."""
        ...
