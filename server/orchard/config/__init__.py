"""One typed settings tree for Orchard (`schema.py`), and the only place that reads settings
files (`loading.py`). Everything else imports the names below from `orchard.config`.
"""

from orchard.config.loading import (
    LoadedSettings,
    SettingsProblem,
    find_repository_root,
    load_settings,
    settings_reference,
    snake_case,
)
from orchard.config.schema import (
    AgentSettings,
    EditSettings,
    LimitSettings,
    LintSettings,
    MemorySettings,
    ModelSettings,
    PublishSettings,
    RepoMapSettings,
    RetrySettings,
    Settings,
)

__all__ = [
    "AgentSettings",
    "EditSettings",
    "LimitSettings",
    "LintSettings",
    "LoadedSettings",
    "MemorySettings",
    "ModelSettings",
    "PublishSettings",
    "RepoMapSettings",
    "RetrySettings",
    "Settings",
    "SettingsProblem",
    "find_repository_root",
    "load_settings",
    "settings_reference",
    "snake_case",
]
