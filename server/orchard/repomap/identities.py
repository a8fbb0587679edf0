"""Which of a work tree's files changed since the last look, told by their stats.

A file whose size and mtime equal its stored stat keeps its stored identity (sha, status,
language) without being read; any other is read and identified here or, when nothing is cached
that its sha could find, left to the parsing workers, which read it anyway. It must not parse,
and it neither loads nor stores the stats (the index does).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orchard.memory.tag_cache import FileStat
from orchard.repomap.parsing import ParsedFile, identify
from orchard.repomap.scan import FileContent, FileStatus, read_content

_STATUSES = {status.value: status for status in FileStatus}


@dataclass(slots=True)
class Identified:
    """One look at some files: who they are, what was read, their stats, and the gone."""

    known: list[ParsedFile] = field(default_factory=list)  # in the order of the paths
    contents: dict[str, FileContent] = field(default_factory=dict)  # read here
    stats: dict[str, FileStat] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unread: dict[str, os.stat_result] = field(default_factory=dict)  # for the workers to read

    def parts(
        self,
    ) -> tuple[
        list[ParsedFile],
        dict[str, FileContent],
        dict[str, FileStat],
        list[str],
        dict[str, os.stat_result],
    ]:
        """Return the five parts, in field order, to unpack."""
        return self.known, self.contents, self.stats, self.missing, self.unread


def identify_files(
    root: Path,
    paths: Sequence[str],
    stored: dict[str, FileStat],
    max_bytes: int,
    *,
    read: bool = True,
) -> Identified:
    """Identify each path by its stored stat, else by reading it (or, without `read`, list
    it among the unread with its stat)."""
    found = Identified()
    known, contents, stats, missing, unread = found.parts()
    base = str(root) + os.sep  # paths are relative, posix: joined by hand, 7k at a time
    for rel_path in paths:
        try:
            stat = os.stat(base + rel_path)
        except OSError:
            missing.append(rel_path)
            continue
        before = stored.get(rel_path)
        if before and before.size == stat.st_size and before.mtime_ns == stat.st_mtime_ns:
            status = _STATUSES.get(before.status) or FileStatus(before.status)
            known.append(ParsedFile(rel_path, status, before.sha, before.language))
            stats[rel_path] = before  # unchanged: the very row read, so comparing is cheap
            continue
        if not read:
            unread[rel_path] = stat
            continue
        content = read_content(root / rel_path, max_bytes)
        if content.status is FileStatus.MISSING:
            missing.append(rel_path)
            continue
        identity = identify(rel_path, content)
        contents[rel_path] = content
        known.append(identity)
        stats[rel_path] = FileStat(
            stat.st_size, stat.st_mtime_ns, identity.sha, identity.status.value, identity.language
        )
    return found


def with_worker_identities(
    found: Identified,
    known: list[ParsedFile],
    paths: Sequence[str],
    parsed: dict[str, ParsedFile],
) -> list[ParsedFile]:
    """Return `known` with the files the workers read (in `paths` order); record their stats
    in `found`, and those gone meanwhile among its missing."""
    for rel_path, stat in found.unread.items():
        record = parsed.get(rel_path)
        if record is None or record.status is FileStatus.MISSING:
            found.missing.append(rel_path)
            continue
        known.append(record)
        found.stats[rel_path] = FileStat(
            stat.st_size, stat.st_mtime_ns, record.sha, record.status.value, record.language
        )
    position = {rel_path: index for index, rel_path in enumerate(paths)}
    return sorted(known, key=lambda identity: position[identity.rel_path])
