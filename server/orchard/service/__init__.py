"""The service: one object per repository behind both front doors (the CLI and the language
server). It owns the settings in force, the live repo map, the journal, the orchestrator and the
event bus; the front doors parse, call its async methods and present what they return.
"""

from orchard.service.core import OrchardService
from orchard.service.requests import TaskRequest, choose_models, parse_mode, task_spec

__all__ = ["OrchardService", "TaskRequest", "choose_models", "parse_mode", "task_spec"]
