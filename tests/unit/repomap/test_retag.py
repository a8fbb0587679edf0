"""Re-tagging an edited buffer: the units an edit left alone keep their tags, and the result is
always what the whole tags query gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from orchard.repomap.document import RETAG_BYTES, LiveDocument
from orchard.repomap.languages import language_for
from orchard.repomap.retag import retag
from orchard.repomap.tags import default_extractor

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "tags"
_SNIPPETS = (
    b"\nclass Zed:\n",
    b"    ",
    b"\n",
    b"def ",
    b"(",
    b")",
    b"{",
    b"}",
    b'"',
    b"x = Foo(bar)\n",
    b"\n\ndef extra_fn(v):\n    return Other(v)\n",
    b"function g() { return h(); }\n",
)


def _sources() -> list[tuple[str, bytes]]:
    found = [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*/*")) if p.is_file()]
    found += [
        (p.name, p.read_bytes()) for p in sorted((ROOT / "server/orchard/repomap").glob("*.py"))
    ]
    return found


@pytest.mark.parametrize(
    ("name", "original"), _sources(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_retag_after_random_edits_equals_the_whole_query(name: str, original: bytes) -> None:
    extractor = default_extractor()
    language = language_for(name, original)
    assert language is not None
    parser = extractor.parser(language)
    data = original * max(1, 6_000 // max(1, len(original)))  # repeated units move, not vanish
    chooser = random.Random(name)
    tree = parser.parse(data)
    tags, units = retag(extractor, name, tree, data, language, None)
    assert tags == extractor.extract_tree(name, tree, data, language)
    for _ in range(25):
        at = chooser.randrange(len(data) + 1)
        if chooser.random() < 0.5:
            data = data[:at] + chooser.choice(_SNIPPETS) + data[at:]
        else:
            data = data[:at] + data[at + chooser.randrange(1, 80) :]
        tree = parser.parse(data)
        tags, units = retag(extractor, name, tree, data, language, units)
        assert tags == extractor.extract_tree(name, tree, data, language)


def test_an_appended_function_queries_only_its_own_bytes() -> None:
    extractor = default_extractor()
    data = (ROOT / "server/orchard/repomap/index.py").read_bytes()
    parser = extractor.parser("python")
    _, units = retag(extractor, "index.py", parser.parse(data), data, "python", None)
    added = b"\n\ndef appended(value):\n    return RepoIndex(value)\n"
    data += added
    tags, units = retag(extractor, "index.py", parser.parse(data), data, "python", units)
    assert units.reused_units >= 3  # every top-level statement but the new one
    assert units.queried_bytes < len(data) // 5  # the new function and the small imports
    assert ("appended", "def") in {(t.name, t.kind.value) for t in tags}


def test_a_big_buffer_keeps_the_tags_of_a_full_query_while_typing() -> None:
    text = (ROOT / "server/orchard/repomap/index.py").read_text("utf-8") * 2
    assert len(text.encode()) >= RETAG_BYTES
    extractor = default_extractor()
    document = LiveDocument("index.py", "python")
    document.update(text, None, extractor, True)
    middle = text.index("    def flush(")
    for typed in ("    def typed_", "    def typed_here(self):\n        return Other()\n"):
        text = text[:middle] + typed + text[middle:]
        document.update(text, None, extractor, True)
        assert document.units is not None and document.units.reused_units > 0
        assert document.tags == extractor.extract("index.py", text.encode(), "python")


def test_units_sharing_a_line_keep_the_full_query_order() -> None:
    # Two statements on one line are two units whose tags interleave by name: kept and moved
    # together they must still come out in the order (and without the repeats) a full query gives.
    extractor = default_extractor()
    parser = extractor.parser("python")
    block = b"".join(b"zed_%d = Alpha(1); alpha_%d = Zed(2)\n" % (i, i) for i in range(400))
    data = block + b"\n\ndef tail():\n    return Alpha(Zed)\n"
    _, units = retag(extractor, "m.py", parser.parse(data), data, "python", None)
    for edit in (b"\n\n", b"import os\n", b""):
        data = edit + data + b"\ndef more():\n    return Zed()\n"
        tree = parser.parse(data)
        tags, units = retag(extractor, "m.py", tree, data, "python", units)
        assert units.reused_units > 400
        assert tags == extractor.extract_tree("m.py", tree, data, "python")
