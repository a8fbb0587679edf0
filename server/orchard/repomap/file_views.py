"""What rendering needs of each file (text, parse tree, definitions' lines), made on demand from an
open buffer or from disk with its cached tags, and kept: the last few hundred disk files by
content, each buffer while its tree and tags stay. It must not rank, render, or update the graph.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

from orchard.repomap.cache import content_sha, decode_tags
from orchard.repomap.document import LiveDocument
from orchard.repomap.parsing import ParsedFile
from orchard.repomap.render import FileView
from orchard.repomap.scan import read_content
from orchard.repomap.tags import Tag, TagKind, default_extractor

_DISK_VIEWS = 256

TagsBlob = Callable[[ParsedFile], bytes | None]  # the cached tags of a file's indexed content


class FileViews:
    """Views of disk files (by path and content sha) and of open buffers (by path)."""

    def __init__(self, root: Path, max_file_bytes: int, tags_blob: TagsBlob) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self._tags_blob = tags_blob
        self._disk: OrderedDict[tuple[str, str], FileView] = OrderedDict()
        self._buffers: dict[str, tuple[object, object, FileView]] = {}

    def of_document(self, document: LiveDocument) -> FileView | None:
        """Return an open buffer's view (None before it was first parsed)."""
        if document.tree is None:
            return None
        kept = self._buffers.get(document.rel_path)
        if kept is not None and kept[0] is document.tree and kept[1] is document.tags:
            return kept[2]  # a map asks for a file's view several times while fitting
        found = FileView(
            document.rel_path,
            "buffer:" + content_sha(document.data),
            document.text,
            document.tree,
            definition_lines(document.tags),
        )
        self._buffers[document.rel_path] = (document.tree, document.tags, found)
        return found

    def forget_document(self, rel_path: str) -> None:
        """Drop a closed buffer's view."""
        self._buffers.pop(rel_path, None)

    def of_disk(self, record: ParsedFile) -> FileView | None:
        """Return the view of a tagged file as indexed (`record`), read and parsed once."""
        key = (record.rel_path, record.sha)
        cached = self._disk.get(key)
        if cached is not None:
            self._disk.move_to_end(key)
            return cached
        found = self._read(record)
        if found is not None:
            self._disk[key] = found
            while len(self._disk) > _DISK_VIEWS:
                self._disk.popitem(last=False)
        return found

    def _read(self, record: ParsedFile) -> FileView | None:
        assert record.language is not None
        content = read_content(self.root / record.rel_path, self.max_file_bytes)
        if content.data is None:
            return None
        sha = content_sha(content.data)
        blob = self._tags_blob(record) if sha == record.sha else None
        extractor = default_extractor()
        tree = extractor.parser(record.language).parse(content.data)
        if blob is not None:
            tags = decode_tags(record.rel_path, blob)
        else:  # changed on disk since it was indexed and no event yet: show what is there
            tags = extractor.extract_tree(record.rel_path, tree, content.data, record.language)
        text = content.data.decode("utf-8", errors="replace")
        return FileView(record.rel_path, sha, text, tree, definition_lines(tags))


def definition_lines(tags: Iterable[Tag]) -> dict[str, tuple[int, ...]]:
    """Map each defined name to the sorted lines that define it."""
    lines: dict[str, list[int]] = {}
    definition = TagKind.DEFINITION
    for tag in tags:
        if tag.kind is definition:
            lines.setdefault(tag.name, []).append(tag.line)
    return {name: tuple(sorted(set(found))) for name, found in lines.items()}
