"""Where a repository lives on a forge, read from a remote URL (https, ssh, scp-like `git@host:`).
Pure parsing: the URL comes from git already rewritten by `insteadOf`; nothing is looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from orchard.errors import ForgeError

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True, slots=True)
class RepoAddress:
    """A repository on a forge: its host and its path (`owner/repo`, GitLab groups included)."""

    host: str
    path: str

    @property
    def owner(self) -> str:
        """Return everything before the repository's own name (the owner, or group path)."""
        return self.path.rpartition("/")[0]

    @property
    def name(self) -> str:
        """Return the repository's own name."""
        return self.path.rpartition("/")[2]


def parse_remote_url(url: str) -> RepoAddress:
    """Return the host and `owner/repo` path of a remote URL; raise ForgeError when it has none."""
    text = url.strip()
    if "://" in text:
        parts = urlsplit(text)
        host, path = parts.hostname or "", parts.path
    else:
        scp = _SCP_LIKE.match(text)
        if scp is None:
            raise ForgeError(f"cannot tell the forge's owner/repo from the remote URL {url!r}")
        host, path = scp.group("host"), scp.group("path")
    path = path.strip("/").removesuffix(".git").strip("/")
    if not host or path.count("/") < 1 or "" in path.split("/"):
        raise ForgeError(f"cannot tell the forge's owner/repo from the remote URL {url!r}")
    return RepoAddress(host.lower(), path)
