"""Each format ships its instructions, and the public helpers behave as the agent loop needs."""

from __future__ import annotations

import pytest

from orchard.edits import FORMAT_NAMES, edits_for, parse_edits, prompt_for
from orchard.errors import SettingsError


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("editblock", "<<<<<<< SEARCH"), ("udiff", "@@ ... @@"), ("whole", "COMPLETE new content")],
)
def test_every_format_has_its_prompt(fmt: str, marker: str) -> None:
    assert marker in prompt_for(fmt)


def test_auto_prompt_teaches_search_replace_blocks() -> None:
    assert prompt_for("auto") == prompt_for("editblock")
    assert FORMAT_NAMES == ("auto", "editblock", "udiff", "whole")


def test_unknown_format_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="unknown edit format `xml`"):
        prompt_for("xml")
    with pytest.raises(SettingsError):
        parse_edits("text", "xml")


def test_prompt_examples_parse_as_their_own_format() -> None:
    for fmt in ("editblock", "udiff", "whole"):
        edits = parse_edits(prompt_for(fmt), fmt)
        assert edits and all(e.path == "src/app.py" for e in edits), fmt


def test_edits_for_picks_one_files_edits_for_a_buffer() -> None:
    reply = (
        "./src/a.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
        "src/b.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n"
    )
    assert [e.index for e in edits_for(parse_edits(reply), "src/a.py")] == [0]
