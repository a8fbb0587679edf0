"""Choosing the forge client for a repository address: which forge (a setting, else the host's
name), its API base (setting, then the environment CI sets, then the host's default) and its token
from the environment. Tokens are never settings.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchard.config import PublishSettings
from orchard.errors import MissingToken, SettingsError
from orchard.forge.address import RepoAddress
from orchard.forge.github import GitHub, github_api_url
from orchard.forge.gitlab import GitLab, gitlab_api_url
from orchard.forge.pulls import Forge

GITHUB_TOKENS = ("GITHUB_TOKEN", "GH_TOKEN")
GITLAB_TOKENS = ("GITLAB_TOKEN",)


def forge_kind(address: RepoAddress, settings: PublishSettings) -> str:
    """Return "github" or "gitlab": the `publish.forge` setting, else guessed from the host."""
    if settings.forge != "auto":
        return settings.forge
    return "gitlab" if "gitlab" in address.host else "github"


def connect_forge(address: RepoAddress, settings: PublishSettings, env: Mapping[str, str]) -> Forge:
    """Return the client for `address`'s forge; raise MissingToken when no token is set."""
    kind = forge_kind(address, settings)
    if kind == "github":
        token = _token(env, GITHUB_TOKENS, "GitHub")
        api = settings.api_url or env.get("GITHUB_API_URL") or github_api_url(address.host)
        return GitHub(api, token, settings.timeout_seconds)
    if kind == "gitlab":
        token = _token(env, GITLAB_TOKENS, "GitLab")
        api = settings.api_url or env.get("CI_API_V4_URL") or gitlab_api_url(address.host)
        return GitLab(api, token, settings.timeout_seconds)
    raise SettingsError(f"publish.forge: unknown forge {kind!r}")  # pragma: no cover


def _token(env: Mapping[str, str], names: tuple[str, ...], forge: str) -> str:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    raise MissingToken(
        f"opening a {forge} pull request needs a token: set {' or '.join(names)}"
        " in the environment; nothing was pushed"
    )
