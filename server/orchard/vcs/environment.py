"""The environment every git command runs in: no prompts, no optional index writes, a fixed
locale, and none of the variables a parent git process may have set. Light to import (no
GitPython), so read-only queries and `orchard doctor` can use it without git installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Variables a parent git process (a hook, `git rebase --exec`) may have set; they would point
# our commands at the wrong repository or index.
INHERITED_GIT_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
)


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment for a git command: no prompts, no optional index writes."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_GIT_VARIABLES}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            # `status`/`diff` must not refresh the user's index behind their back.
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
            "LANGUAGE": "C",
        }
    )
    if extra:
        env.update(extra)
    return env
