"""Fan-out planning: the prompt that asks a planner model to split a request into subtasks, and
the parsing of its reply into subtasks with the files each may touch, overlaps flagged.
No model calls and no git here: the orchestrator sends the prompt and launches the agents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from orchard.errors import ParseError

MAX_SUBTASKS = 8
_FENCED_JSON = re.compile(r"```(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Subtask:
    """One agent's share of a fan-out task: a title, its own request, the files it may touch."""

    title: str
    request: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Overlap:
    """A file that more than one subtask may touch (indices into the plan's subtasks)."""

    path: str
    subtasks: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """The planner's split of a request, with the overlaps found before launch."""

    subtasks: tuple[Subtask, ...]
    overlaps: tuple[Overlap, ...] = ()

    @property
    def has_overlaps(self) -> bool:
        """Whether two subtasks may edit the same file (their merge may conflict)."""
        return bool(self.overlaps)


def planner_messages(
    request: str,
    files: Sequence[str] = (),
    repo_map: str = "",
    max_subtasks: int = MAX_SUBTASKS,
) -> list[dict[str, Any]]:
    """Return the chat messages asking a planner to split `request` into at most N subtasks."""
    template = resources.files("orchard.agents").joinpath("prompts/planner.md").read_text("utf-8")
    system = template.format(max_subtasks=max_subtasks)
    parts = []
    if repo_map.strip():
        parts.append(f"A map of the repository:\n\n{repo_map.strip()}")
    if files:
        parts.append("Files the user pointed at:\n" + "\n".join(f"- {f}" for f in files))
    parts.append(f"The request:\n\n{request.strip()}")
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def parse_plan(reply: str, max_subtasks: int = MAX_SUBTASKS) -> Plan:
    """Read a planner's reply into a Plan; raise ParseError saying what was wrong with it."""
    data = _json_object(reply)
    raw = data.get("subtasks") if isinstance(data, dict) else data
    if not isinstance(raw, list) or not raw:
        raise ParseError("the planner's reply has no `subtasks` list")
    subtasks = [_subtask(item, number) for number, item in enumerate(raw, 1)]
    if len(subtasks) > max_subtasks:
        raise ParseError(
            f"the planner made {len(subtasks)} subtasks; at most {max_subtasks} are allowed"
        )
    return Plan(tuple(subtasks), find_overlaps(subtasks))


def find_overlaps(subtasks: Sequence[Subtask]) -> tuple[Overlap, ...]:
    """Return every file that two or more subtasks may touch, in path order."""
    owners: dict[str, list[int]] = {}
    for index, subtask in enumerate(subtasks):
        for path in dict.fromkeys(subtask.files):
            owners.setdefault(path, []).append(index)
    return tuple(
        Overlap(path, tuple(indices))
        for path, indices in sorted(owners.items())
        if len(indices) > 1
    )


def _json_object(reply: str) -> Any:
    candidates = [m.group(1) for m in _FENCED_JSON.finditer(reply)]
    start, end = reply.find("{"), reply.rfind("}")
    if start != -1 and end > start:
        candidates.append(reply[start : end + 1])
    for text in candidates:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            continue
    raise ParseError("the planner's reply holds no JSON object; it must answer in JSON")


def _subtask(item: Any, number: int) -> Subtask:
    if not isinstance(item, dict):
        raise ParseError(f"subtask {number} of the plan is not an object")
    request = str(item.get("request") or "").strip()
    if not request:
        raise ParseError(f"subtask {number} of the plan has no `request`")
    title = str(item.get("title") or "").strip() or request.splitlines()[0][:60]
    files = item.get("files") or []
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list):
        raise ParseError(f"subtask {number} of the plan has a `files` value that is not a list")
    return Subtask(title, request, tuple(dict.fromkeys(_clean_path(f, number) for f in files)))


def _clean_path(raw: Any, number: int) -> str:
    text = str(raw).strip().replace("\\", "/").strip("`")
    path = PurePosixPath(text)
    parts = [p for p in path.parts if p not in ("", ".")]
    if not text or path.is_absolute() or ".." in parts or not parts:
        raise ParseError(
            f"subtask {number} names {raw!r}, which is not a path inside the repository"
        )
    return "/".join(parts)
