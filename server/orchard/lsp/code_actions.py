"""Code actions (`textDocument/codeAction`, resolved lazily with `codeAction/resolve` where the
client supports it): send agents on a selection; an `AI!` comment sends its text (the comment
removed); fix a diagnostic with an agent; apply a review finding's replacement or a linter's
own fix (lsp/lint_fixes.py); accept, discard or publish a finished task of the document.
Answers from memory at once: never waits on work.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from orchard.lsp.convert import uri_to_path
from orchard.lsp.diagnostics import LINT
from orchard.lsp.lint_fixes import FIX_ALL, LintFix, LintFixes
from orchard.lsp.text_edits import split_lines

if TYPE_CHECKING:
    from orchard.lsp.host import EditorHost

log = logging.getLogger(__name__)

START, ACCEPT, DISCARD, PUBLISH = (
    "orchard.startTask",
    "orchard.acceptAgent",
    "orchard.discardTask",
    "orchard.publishAgent",
)
REVIEW_SOURCE = "orchard-review"
KINDS: list[types.CodeActionKind | str] = [
    types.CodeActionKind.QuickFix,
    types.CodeActionKind.RefactorRewrite,
    FIX_ALL,
]
RESOLVE_CACHE = 256
# A comment that ends with AI! in any common comment syntax: #, //, --, ;, %, /* */, <!-- -->.
AI_COMMENT = re.compile(
    r"^\s*(?:#+|//+|--+|;+|%+|/\*+|\*|<!--)\s*(?P<text>.*?)\s*\bAI!\s*(?:\*+/|-->)?\s*$",
    re.IGNORECASE,
)
COMMENT = re.compile(r"^\s*(?:#+|//+|--+|;+|%+|/\*+|\*|<!--)\s?(?P<text>.*?)\s*(?:\*+/|-->)?\s*$")


@dataclass(frozen=True, slots=True)
class AiComment:
    """An `AI!` comment block: its 0-based lines first..last and the request it makes."""

    first: int
    last: int
    request: str


def find_ai_comment(text: str, line: int) -> AiComment | None:
    """The `AI!` comment on `line` or just above it, with the comment lines right above it."""
    lines = [body.rstrip("\r\n") for body in split_lines(text)]
    for candidate in (line, line - 1):
        if not 0 <= candidate < len(lines):
            continue
        match = AI_COMMENT.match(lines[candidate])
        if match is None:
            continue
        parts, first = [match.group("text")], candidate
        while first > 0 and (above := COMMENT.match(lines[first - 1])) and above.group("text"):
            if AI_COMMENT.match(lines[first - 1]):
                break
            parts.insert(0, above.group("text"))
            first -= 1
        request = " ".join(p.strip() for p in parts if p.strip())
        if request:
            return AiComment(first, candidate, request)
    return None


class CodeActions:
    """Builds the actions for one request; keeps the deferred parts until resolved."""

    def __init__(self, server: EditorHost, views: Callable[[], dict[str, dict[str, Any]]]):
        self.server = server
        self._views = views  # the last view of each task this server watched
        # key -> the full action, and for a linter's fix the (uri, version) it was made for
        self._deferred: OrderedDict[str, tuple[types.CodeAction, tuple[str, int | None] | None]]
        self._deferred = OrderedDict()
        self._ids = itertools.count(1)

    def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Answer `textDocument/codeAction`."""
        uri, wanted = params.text_document.uri, params.context.only
        text = self.server.documents.text(uri)
        linted = self._lint_fixes(uri, text, params.context.diagnostics, wanted)
        found: list[types.CodeAction] = []
        found += self._send_agents(uri, params.range)
        if text is not None:
            found += self._ai_comment(uri, text, params.range.start.line)
        for diagnostic in params.context.diagnostics:
            found += self._for_diagnostic(uri, diagnostic)
        found += self._finished_tasks(uri)
        if wanted:
            linted = [a for a in linted if any(_within(a.kind, k) for k in wanted)]
            found = [a for a in found if any(_within(a.kind, k) for k in wanted)]
        # A linter's fix is good for this version only: resolving it later checks that.
        pinned = (uri, self.server.documents.version(uri))
        return [self._defer(a, pinned) for a in linted] + [self._defer(a) for a in found]

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        """Answer `codeAction/resolve`: put back what was deferred."""
        key = action.data.get("orchard") if isinstance(action.data, dict) else None
        entry = self._deferred.get(str(key)) if key is not None else None
        if entry is None:
            return action
        full, pinned = entry
        if pinned is not None and self.server.documents.version(pinned[0]) != pinned[1]:
            log.debug("%s: the buffer changed since it was offered; no edit", full.title)
            return types.CodeAction(title=full.title, kind=full.kind, diagnostics=full.diagnostics)
        return full

    def _defer(
        self, action: types.CodeAction, pinned: tuple[str, int | None] | None = None
    ) -> types.CodeAction:
        capabilities = self.server.client_capabilities
        props = get_capability(
            capabilities, "text_document.code_action.resolve_support.properties", []
        )
        data_ok = get_capability(capabilities, "text_document.code_action.data_support", False)
        lazy = [p for p in ("edit", "command") if p in props and getattr(action, p) is not None]
        if not lazy or not data_ok or action.edit is None:  # only edits are worth deferring
            return action
        key = str(next(self._ids))
        self._deferred[key] = (action, pinned)
        while len(self._deferred) > RESOLVE_CACHE:
            self._deferred.popitem(last=False)
        light = types.CodeAction(
            title=action.title,
            kind=action.kind,
            diagnostics=action.diagnostics,
            is_preferred=action.is_preferred,
            data={"orchard": key},
        )
        for prop in ("edit", "command"):
            if prop not in lazy:
                setattr(light, prop, getattr(action, prop))
        return light

    def _send_agents(self, uri: str, selected: types.Range) -> list[types.CodeAction]:
        argument = {"selection": {"uri": uri, "range": _json_range(selected)}, "files": [uri]}
        return [
            types.CodeAction(
                title="Orchard: send agents…",
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(
                    title="Orchard: send agents…", command=START, arguments=[argument]
                ),
            )
        ]

    def _ai_comment(self, uri: str, text: str, line: int) -> list[types.CodeAction]:
        comment = find_ai_comment(text, line)
        if comment is None:
            return []
        removal = types.TextEdit(
            range=types.Range(
                start=types.Position(line=comment.first, character=0),
                end=types.Position(line=comment.last + 1, character=0),
            ),
            new_text="",
        )
        # The comment leaves the buffer before the task starts (an edit runs before its
        # command): the snapshot, the agents and the merge into this buffer all lack it.
        selection = {
            "start": {"line": comment.first, "character": 0},
            "end": {"line": comment.first, "character": 0},
        }
        argument = {
            "request": comment.request,
            "selection": {"uri": uri, "range": selection},
            "files": [uri],
        }
        title = f"Orchard: send agents: {_short(comment.request)}"
        return [
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.RefactorRewrite,
                is_preferred=True,
                edit=self._edit(uri, [removal]),
                command=types.Command(title=title, command=START, arguments=[argument]),
            )
        ]

    def _for_diagnostic(self, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        found = []
        replacement = _replacement(diagnostic)
        if replacement is not None:
            r = diagnostic.range
            edit = types.TextEdit(
                range=types.Range(
                    start=types.Position(line=r.start.line, character=0),
                    end=types.Position(line=r.end.line + 1, character=0),
                ),
                new_text=replacement if replacement.endswith("\n") else replacement + "\n",
            )
            found.append(
                types.CodeAction(
                    title=f"Orchard: apply the reviewer's fix: {_short(diagnostic.message)}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=self._edit(uri, [edit]),
                )
            )
        found.append(self._fix_with_agent(uri, diagnostic))
        return found

    def _lint_fixes(
        self,
        uri: str,
        text: str | None,
        diagnostics: Sequence[types.Diagnostic],
        wanted: Sequence[types.CodeActionKind | str] | None,
    ) -> list[types.CodeAction]:
        """The linters' fixes of the context's diagnostics, and one fix-all per linter."""
        encoding = self.server.documents.position_encoding
        fixes = LintFixes(self.server.diagnostic_board.get(uri, LINT), text, encoding)
        found = []
        for diagnostic in diagnostics:
            fix = fixes.for_diagnostic(diagnostic)
            if fix is not None:  # the only fix its diagnostic has: preferred
                found.append(self._lint_fix(uri, fix, types.CodeActionKind.QuickFix, True))
        if not wanted or any(_within(FIX_ALL, k) for k in wanted):
            found += [self._lint_fix(uri, fix, FIX_ALL, None) for fix in fixes.fix_all()]
        return found

    def _lint_fix(
        self, uri: str, fix: LintFix, kind: types.CodeActionKind | str, preferred: bool | None
    ) -> types.CodeAction:
        return types.CodeAction(
            title=fix.title,
            kind=kind,
            diagnostics=fix.diagnostics,
            is_preferred=preferred,
            edit=self._edit(uri, fix.edits),
        )

    def _fix_with_agent(self, uri: str, diagnostic: types.Diagnostic) -> types.CodeAction:
        r = diagnostic.range
        where = f"{self._display(uri)}:{r.start.line + 1}:{r.start.character + 1}"
        source = diagnostic.source or "editor"
        code = f" [{diagnostic.code}]" if diagnostic.code is not None else ""
        request = f"Fix this {source} diagnostic{code} at {where}: {diagnostic.message}"
        argument = {
            "request": request,
            "selection": {"uri": uri, "range": _json_range(r)},
            "files": [uri],
        }
        return types.CodeAction(
            title="Orchard: fix with an agent",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(
                title="Orchard: fix with an agent", command=START, arguments=[argument]
            ),
        )

    def _finished_tasks(self, uri: str) -> list[types.CodeAction]:
        found = []
        for task_id, view in list(self._views().items()):
            if view.get("state") != "done" or not self._concerns(view, uri):
                continue
            recommended = (view.get("recommendation") or {}).get("agent")
            committed = [r["agent"] for r in view.get("runs", []) if r.get("state") == "committed"]
            committed.sort(key=lambda agent: agent != recommended)
            for agent in committed:
                label = f"{agent} (recommended)" if agent == recommended else agent
                found.append(
                    _command_action(
                        f"Orchard: accept {label}", ACCEPT, {"task": task_id, "agent": agent}
                    )
                )
            found.append(
                _command_action(f"Orchard: discard task {task_id}", DISCARD, {"task": task_id})
            )
            if self.server.has_command(PUBLISH):
                for agent in committed:
                    found.append(
                        _command_action(
                            f"Orchard: open a pull request for {agent}",
                            PUBLISH,
                            {"task": task_id, "agent": agent, "pr": True},
                        )
                    )
        return found

    def _concerns(self, view: dict[str, Any], uri: str) -> bool:
        path = self._display(uri)
        spec = view.get("spec") or {}
        named = set(spec.get("editable") or ()) | {(spec.get("selection") or {}).get("path")}
        for run in view.get("runs", []):
            named |= {
                str(f.get("path", f)) if isinstance(f, dict) else str(f)
                for f in run.get("files") or ()
            }
        return path in named

    def _display(self, uri: str) -> str:
        path, root = uri_to_path(uri), self.server.root
        if path is None:
            return uri
        try:
            return path.resolve().relative_to((root or Path("/")).resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _edit(self, uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        if get_capability(
            self.server.client_capabilities, "workspace.workspace_edit.document_changes", False
        ):
            version = self.server.documents.version(uri)
            document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            return types.WorkspaceEdit(
                document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)]
            )
        return types.WorkspaceEdit(changes={uri: edits})


def _command_action(title: str, command: str, argument: dict[str, Any]) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        command=types.Command(title=title, command=command, arguments=[argument]),
    )


def _within(kind: types.CodeActionKind | str | None, wanted: types.CodeActionKind | str) -> bool:
    """Whether `kind` is `wanted` or below it (`source.fixAll.orchard` is within `source`)."""
    name, prefix = str(getattr(kind, "value", kind)), str(getattr(wanted, "value", wanted))
    return name == prefix or name.startswith(prefix + ".")


def _replacement(diagnostic: types.Diagnostic) -> str | None:
    data = diagnostic.data
    if diagnostic.source != REVIEW_SOURCE or not isinstance(data, dict):
        return None
    value = data.get("replacement")
    return value if isinstance(value, str) else None


def _json_range(r: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def register(server: EditorHost, views: Callable[[], dict[str, dict[str, Any]]]) -> CodeActions:
    """Offer Orchard's code actions in `server`; `views()` gives the watched tasks' views."""
    provider = CodeActions(server, views)
    options = types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=True)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        return provider.actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def resolve(action: types.CodeAction) -> types.CodeAction:
        return provider.resolve(action)

    return provider
