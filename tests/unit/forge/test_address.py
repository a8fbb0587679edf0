"""Remote URLs to forge addresses: https, ssh, scp-like, GitLab groups; refusals name the URL."""

from __future__ import annotations

import pytest

from orchard.config import PublishSettings
from orchard.errors import ForgeError, MissingToken
from orchard.forge.address import RepoAddress, parse_remote_url
from orchard.forge.connect import connect_forge
from orchard.forge.github import GitHub
from orchard.forge.gitlab import GitLab
from orchard.forge.transport import forge_message


@pytest.mark.parametrize(
    ("url", "host", "owner", "name"),
    [
        ("https://github.com/acme/widgets.git", "github.com", "acme", "widgets"),
        ("https://user@GitHub.com/acme/widgets", "github.com", "acme", "widgets"),
        ("git@github.com:acme/widgets.git", "github.com", "acme", "widgets"),
        ("ssh://git@ghe.corp:2222/acme/widgets.git/", "ghe.corp", "acme", "widgets"),
        ("https://gitlab.com/acme/tools/widgets.git", "gitlab.com", "acme/tools", "widgets"),
    ],
)
def test_remote_urls_name_their_host_owner_and_repository(
    url: str, host: str, owner: str, name: str
) -> None:
    address = parse_remote_url(url)

    assert (address.host, address.owner, address.name) == (host, owner, name)


@pytest.mark.parametrize("url", ["/srv/git/widgets.git", "https://github.com/widgets", "gh:"])
def test_urls_without_an_owner_and_repository_are_refused_naming_them(url: str) -> None:
    with pytest.raises(ForgeError) as caught:
        parse_remote_url(url)

    assert url in str(caught.value)


def test_the_forge_is_guessed_from_the_host_and_its_api_from_the_host_unless_set() -> None:
    env = {"GITHUB_TOKEN": "t", "GITLAB_TOKEN": "g"}
    public = connect_forge(RepoAddress("github.com", "a/b"), PublishSettings(), env)
    enterprise = connect_forge(RepoAddress("ghe.corp", "a/b"), PublishSettings(), env)
    lab = connect_forge(RepoAddress("gitlab.corp", "a/b"), PublishSettings(), env)
    chosen = connect_forge(
        RepoAddress("code.corp", "a/b"),
        PublishSettings(forge="gitlab", api_url="https://code.corp/api/v4"),
        env,
    )

    assert isinstance(public, GitHub) and public.api_url == "https://api.github.com"
    assert isinstance(enterprise, GitHub) and enterprise.api_url == "https://ghe.corp/api/v3"
    assert isinstance(lab, GitLab) and lab.api_url == "https://gitlab.corp/api/v4"
    assert isinstance(chosen, GitLab) and chosen.api_url == "https://code.corp/api/v4"


def test_the_setting_wins_over_github_api_url_and_a_blank_token_is_missing() -> None:
    env = {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://ci.example/api"}
    from_env = connect_forge(RepoAddress("github.com", "a/b"), PublishSettings(), env)
    from_setting = connect_forge(
        RepoAddress("github.com", "a/b"), PublishSettings(api_url="https://ghe/api/v3"), env
    )

    assert isinstance(from_env, GitHub) and from_env.api_url == "https://ci.example/api"
    assert isinstance(from_setting, GitHub) and from_setting.api_url == "https://ghe/api/v3"
    with pytest.raises(MissingToken):
        connect_forge(RepoAddress("github.com", "a/b"), PublishSettings(), {"GH_TOKEN": " "})


def test_forge_error_bodies_are_read_in_both_forges_shapes() -> None:
    github = {"message": "Validation Failed", "errors": [{"resource": "PullRequest",
              "field": "base", "code": "invalid"}]}  # fmt: skip
    gitlab = {"message": {"source_branch": ["does not exist"]}}

    assert forge_message(github) == "Validation Failed; PullRequest base invalid"
    assert forge_message(gitlab) == "source_branch does not exist"
    assert forge_message("not json") == ""
