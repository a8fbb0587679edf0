"""A merge plan as ONE protocol WorkspaceEdit: versioned TextDocumentEdits with minimal edits for
open buffers, null-versioned ones for files on disk only, and CreateFile / DeleteFile / RenameFile
operations, shaped by what the client's `workspace.workspaceEdit` capabilities allow. Pure: it
builds values, never sends or writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.capabilities import get_capability

from orchard.lsp.text_edits import minimal_edits
from orchard.vcs.merge_plan import FileChangeKind, FilePlan, MergePlan

Change = types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile


@dataclass(frozen=True, slots=True)
class EditSupport:
    """What the client's workspace edits can carry."""

    document_changes: bool = False
    resource_operations: frozenset[str] = frozenset()  # "create", "rename", "delete"

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities) -> EditSupport:
        """Read `workspace.workspaceEdit` of the client's capabilities."""
        changes = get_capability(capabilities, "workspace.workspace_edit.document_changes", False)
        operations = get_capability(
            capabilities, "workspace.workspace_edit.resource_operations", None
        )
        names = frozenset(str(getattr(op, "value", op)) for op in operations or ())
        return cls(bool(changes), names if changes else frozenset())


@dataclass(slots=True)
class BuiltEdit:
    """The edit to send, and the paths it could not carry (with why)."""

    edit: types.WorkspaceEdit
    applied_paths: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> reason

    @property
    def empty(self) -> bool:
        """Whether the edit changes nothing."""
        return not self.edit.document_changes and not self.edit.changes


def build_edit(
    plan: MergePlan,
    root: Path,
    versions: Mapping[str, int],
    support: EditSupport,
    encoding: str = "utf-16",
) -> BuiltEdit:
    """Turn `plan` into one edit; `versions` holds the client's version of each repo-relative
    path whose open buffer the plan was computed against."""
    changes: list[Change] = []
    plain: dict[str, list[types.TextEdit]] = {}
    built = BuiltEdit(types.WorkspaceEdit())
    for file in plan.files:
        reason = _unsupported(file, support)
        if reason is not None:
            built.skipped[file.path] = reason
            continue
        uri = (root / file.path).as_uri()
        version = versions.get(file.path) if file.from_buffer else None
        old = _text(file.current) if file.kind is not FileChangeKind.CREATED else ""
        new = _text(file.result)
        if file.kind is FileChangeKind.CREATED:
            options = types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            changes.append(types.CreateFile(uri=uri, options=options))
            version = None
        elif file.kind is FileChangeKind.DELETED:
            changes.append(types.DeleteFile(uri=uri))
            built.applied_paths.append(file.path)
            continue
        elif file.kind is FileChangeKind.RENAMED and file.old_path:
            old_uri = (root / file.old_path).as_uri()
            changes.append(types.RenameFile(old_uri=old_uri, new_uri=uri))
            version = None
        edits = minimal_edits(old, new, encoding)
        built.applied_paths.append(file.path)
        if not edits:
            continue
        if support.document_changes:
            document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            changes.append(types.TextDocumentEdit(text_document=document, edits=list(edits)))
        else:
            plain[uri] = list(edits)
    if support.document_changes:
        built.edit = types.WorkspaceEdit(document_changes=changes or None)
    else:
        built.edit = types.WorkspaceEdit(changes=plain or None)
    return built


def _unsupported(file: FilePlan, support: EditSupport) -> str | None:
    if file.binary:
        return "binary file: an editor edit cannot carry it"
    needs = {
        FileChangeKind.CREATED: "create",
        FileChangeKind.DELETED: "delete",
        FileChangeKind.RENAMED: "rename",
    }.get(file.kind)
    if file.kind is FileChangeKind.RENAMED and not file.old_path:
        needs = None
    if needs is not None and needs not in support.resource_operations:
        return f"the editor's workspace edits cannot {needs} files"
    return None


def _text(content: bytes | None) -> str:
    return content.decode("utf-8") if content is not None else ""
