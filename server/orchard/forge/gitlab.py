"""GitLab merge requests over the REST API: `POST /projects/{path}/merge_requests` with a
`PRIVATE-TOKEN`; a draft is a title starting with `Draft:`. transport.py sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from orchard.errors import ForgeError
from orchard.forge.pulls import Proposal, PullRequest
from orchard.forge.transport import send_json


def gitlab_api_url(host: str) -> str:
    """Return the API base of a GitLab host."""
    return f"https://{host}/api/v4"


@dataclass(frozen=True, slots=True)
class GitLab:
    """One GitLab API base and the token used with it."""

    api_url: str
    token: str
    timeout: float = 30.0
    name: str = "GitLab"

    async def open_pull_request(self, proposal: Proposal) -> PullRequest:
        """Open a merge request of `proposal.head` into `proposal.base`."""
        project = quote(proposal.address.path, safe="")
        url = f"{self.api_url.rstrip('/')}/projects/{project}/merge_requests"
        title = f"Draft: {proposal.title}" if proposal.draft else proposal.title
        body = {
            "source_branch": proposal.head,
            "target_branch": proposal.base,
            "title": title,
            "description": proposal.body,
        }
        headers = {"PRIVATE-TOKEN": self.token, "User-Agent": "orchard"}
        data = await send_json(
            "POST", url, headers=headers, body=body, timeout=self.timeout, forge=self.name
        )
        link, number = data.get("web_url"), data.get("iid")
        if not isinstance(link, str) or not isinstance(number, int):
            raise ForgeError(f"GitLab answered without the merge request's web_url and iid: {data}")
        return PullRequest(link, number, proposal.draft)
