"""GitHub (and GitHub Enterprise) pull requests over the REST API:
`POST /repos/{owner}/{repo}/pulls` with a bearer token. Builds the request and reads the
answer; transport.py sends it.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchard.errors import ForgeError
from orchard.forge.pulls import Proposal, PullRequest
from orchard.forge.transport import send_json

PUBLIC_API = "https://api.github.com"
API_VERSION = "2022-11-28"


def github_api_url(host: str) -> str:
    """Return the API base of a GitHub host: the public API, or Enterprise's `/api/v3`."""
    return PUBLIC_API if host in ("github.com", "www.github.com") else f"https://{host}/api/v3"


@dataclass(frozen=True, slots=True)
class GitHub:
    """One GitHub API base and the token used with it."""

    api_url: str
    token: str
    timeout: float = 30.0
    name: str = "GitHub"

    async def open_pull_request(self, proposal: Proposal) -> PullRequest:
        """Open a pull request of `proposal.head` into `proposal.base`."""
        address = proposal.address
        url = f"{self.api_url.rstrip('/')}/repos/{address.owner}/{address.name}/pulls"
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "orchard",
        }
        body = {
            "title": proposal.title,
            "head": proposal.head,
            "base": proposal.base,
            "body": proposal.body,
            "draft": proposal.draft,
        }
        data = await send_json(
            "POST", url, headers=headers, body=body, timeout=self.timeout, forge=self.name
        )
        link, number = data.get("html_url"), data.get("number")
        if not isinstance(link, str) or not isinstance(number, int):
            raise ForgeError(f"GitHub answered without a pull request's url and number: {data}")
        return PullRequest(link, number, bool(data.get("draft", proposal.draft)))
