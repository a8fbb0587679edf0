"""Reading git push's answers into Orchard's classification: the porcelain line for our ref
first, git's stderr when the push never got that far (auth, missing repository, no network)."""

from __future__ import annotations

import pytest

from orchard.vcs.push import PushFailure, classify_failure, porcelain_status

PORCELAIN = "To ../r.git\n!\tabc123:refs/heads/orchard/t-a1\t[rejected] (non-fast-forward)\nDone\n"


def test_the_porcelain_line_of_the_pushed_ref_is_found() -> None:
    flag, summary = porcelain_status(PORCELAIN, "refs/heads/orchard/t-a1")

    assert (flag, summary) == ("!", "[rejected] (non-fast-forward)")
    assert porcelain_status(PORCELAIN, "refs/heads/other") == (None, "")


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("[rejected] (non-fast-forward)", PushFailure.NON_FAST_FORWARD),
        ("[rejected] (fetch first)", PushFailure.NON_FAST_FORWARD),
        ("[rejected] (stale info)", PushFailure.NON_FAST_FORWARD),
        ("[remote rejected] (protected branch hook declined)", PushFailure.DECLINED),
        ("[remote rejected] (pre-receive hook declined)", PushFailure.DECLINED),
    ],
)
def test_rejections_are_classified_from_the_porcelain_summary(
    summary: str, reason: PushFailure
) -> None:
    assert classify_failure("!", summary, "") is reason


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("fatal: Authentication failed for 'https://github.com/a/b.git/'", PushFailure.AUTH),
        ("fatal: could not read Username for 'https://github.com': terminal prompts disabled",
         PushFailure.AUTH),
        ("git@github.com: Permission denied (publickey).\nfatal: Could not read from remote "
         "repository.", PushFailure.AUTH),
        ("remote: Repository not found.\nfatal: repository 'https://x/a/b/' not found",
         PushFailure.NO_REMOTE),
        ("fatal: unable to access 'https://nohost/a/b/': Could not resolve host: nohost",
         PushFailure.UNREACHABLE),
        ("fatal: the remote end hung up unexpectedly", PushFailure.FAILED),
    ],
)  # fmt: skip
def test_failures_before_any_ref_are_classified_from_stderr(
    stderr: str, reason: PushFailure
) -> None:
    assert classify_failure(None, "", stderr) is reason
