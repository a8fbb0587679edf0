"""The match ladder, rung by rung, on in-memory text as the LSP will use it."""

from __future__ import annotations

import pytest

from orchard.edits import Edit, EditKind, MatchStrategy, apply_to_text
from orchard.edits.matching import is_elision

CART = """class Cart:
    def __init__(self):
        self.items = []

    def add(self, item, qty=1):
        for _ in range(qty):
            self.items.append(item)

    def total(self):
        # sum of prices
        return sum(i.price for i in self.items)
"""


def _block(search: str, replace: str, path: str = "cart.py", index: int = 0) -> Edit:
    return Edit(path, EditKind.REPLACE, search, replace, "editblock", index)


def test_exact_block_applies_exactly() -> None:
    edit = _block("    def total(self):\n", "    def total(self) -> float:\n")
    outcome = apply_to_text(CART, [edit])
    assert outcome.applied[0].strategy is MatchStrategy.EXACT
    assert outcome.text == CART.replace("def total(self):", "def total(self) -> float:")


def test_trailing_whitespace_in_the_reply_is_forgiven() -> None:
    edit = _block("    def total(self):   \n        # sum of prices \n", "    def total(self):\n")
    outcome = apply_to_text(CART, [edit])
    assert outcome.applied[0].strategy is MatchStrategy.TRAILING_WHITESPACE
    assert "# sum of prices" not in outcome.text


def test_leading_and_trailing_blank_lines_of_the_block_are_ignored() -> None:
    edit = _block("\n\n    def total(self):\n\n", "\n\n    def total(self) -> float:\n\n")
    outcome = apply_to_text(CART, [edit])
    assert outcome.applied[0].strategy is MatchStrategy.BLANK_LINES
    assert outcome.text == CART.replace("def total(self):", "def total(self) -> float:")


def test_dedented_block_is_matched_and_reindented_in_the_files_style() -> None:
    search = (
        "def add(self, item, qty=1):\n    for _ in range(qty):\n        self.items.append(item)\n"
    )
    replace = (
        "def add(self, item, qty=1):\n    if qty < 1:\n        raise ValueError(qty)\n"
        "    self.items.extend([item] * qty)\n"
    )
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert outcome.applied[0].strategy is MatchStrategy.INDENTATION
    assert (
        "    def add(self, item, qty=1):\n        if qty < 1:\n            raise ValueError(qty)\n"
        "        self.items.extend([item] * qty)\n\n"
    ) in outcome.text


def test_tabs_in_the_file_stay_tabs_when_the_reply_uses_spaces() -> None:
    go = "func main() {\n\tif ok {\n\t\trun()\n\t}\n}\n"
    search = "    if ok {\n        run()\n    }\n"
    replace = '    if ok {\n        run()\n        log.Println("done")\n    }\n'
    outcome = apply_to_text(go, [_block(search, replace, "main.go")])
    assert outcome.text == 'func main() {\n\tif ok {\n\t\trun()\n\t\tlog.Println("done")\n\t}\n}\n'


def test_two_space_reply_on_four_space_file_keeps_four_spaces() -> None:
    search = "def total(self):\n  # sum of prices\n  return sum(i.price for i in self.items)\n"
    replace = (
        "def total(self):\n  if not self.items:\n    return 0\n"
        "  return sum(i.price for i in self.items)\n"
    )
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert outcome.text.endswith(
        "    def total(self):\n        if not self.items:\n            return 0\n"
        "        return sum(i.price for i in self.items)\n"
    )


def test_elision_lines_skip_unchanged_code_in_search_and_replace() -> None:
    search = "class Cart:\n    def __init__(self):\n    ...\n    def total(self):\n"
    replace = (
        "class Cart:\n    def __init__(self, owner):\n    ...\n    def total(self) -> float:\n"
    )
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert outcome.applied[0].strategy is MatchStrategy.ELISION
    assert outcome.text == CART.replace("__init__(self)", "__init__(self, owner)").replace(
        "total(self)", "total(self) -> float"
    )


def test_commented_existing_code_elision_works_like_bare_dots() -> None:
    search = (
        "    def add(self, item, qty=1):\n        # ... existing code ...\n    def total(self):\n"
    )
    replace = (
        "    def add(self, item, qty=1):\n        # ... existing code ...\n"
        "    def grand_total(self):\n"
    )
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert "def grand_total(self):" in outcome.text
    assert "self.items.append(item)" in outcome.text


def test_placeholder_only_in_replace_is_refused_so_no_code_is_lost() -> None:
    search = (
        "    def add(self, item, qty=1):\n        for _ in range(qty):\n"
        "            self.items.append(item)\n"
    )
    replace = (
        "    def add(self, item, qty=1):\n        # ... existing code ...\n        self.log(item)\n"
    )
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert [f.reason for f in outcome.failed] == ["malformed"]
    assert "# ... existing code ..." in outcome.failed[0].message
    assert outcome.text == CART


def test_nearly_matching_block_applies_by_fuzzy_matching() -> None:
    search = (
        "    def total(self):\n        # sum the prices\n"
        "        return sum(i.price for i in self.items)\n"
    )
    replace = "    def total(self):\n        return round(sum(i.price for i in self.items), 2)\n"
    outcome = apply_to_text(CART, [_block(search, replace)])
    assert outcome.applied[0].strategy is MatchStrategy.FUZZY
    assert outcome.text.endswith("        return round(sum(i.price for i in self.items), 2)\n")
    assert "# sum of prices" not in outcome.text


def test_fuzzy_threshold_is_respected() -> None:
    search = (
        "    def total(self):\n        # sum the prices\n"
        "        return sum(i.price for i in self.items)\n"
    )
    outcome = apply_to_text(CART, [_block(search, "x\n")], fuzzy_threshold=0.99)
    assert [f.reason for f in outcome.failed] == ["no_match"]


def test_block_matching_in_two_places_is_refused_as_ambiguous() -> None:
    text = "def a():\n    return None\n\n\ndef b():\n    return None\n"
    outcome = apply_to_text(text, [_block("    return None\n", "    return 0\n", "m.py")])
    (failure,) = outcome.failed
    assert failure.reason == "ambiguous"
    assert "lines 2-2, 6-6" in failure.message
    assert outcome.text == text


def test_unmatched_block_reports_the_closest_lines_of_the_file() -> None:
    search = "    def total(self, tax):\n        return sum(prices) * tax\n"
    outcome = apply_to_text(CART, [_block(search, "pass\n")])
    (failure,) = outcome.failed
    assert failure.reason == "no_match"
    assert failure.closest_lines is not None and failure.closest_lines[0] == 9
    assert failure.closest is not None and "def total(self):" in failure.closest
    assert "closest lines in the file are 9-" in failure.message


def test_block_already_applied_is_reported_as_such() -> None:
    edit = _block("    def total(self):\n", "    def total(self) -> float:\n")
    once = apply_to_text(CART, [edit]).text
    twice = apply_to_text(once, [edit])
    assert [f.reason for f in twice.failed] == ["already_applied"]
    assert twice.text == once


def test_blocks_apply_in_order_against_the_evolving_text() -> None:
    first = _block("    def total(self):\n", "    def subtotal(self):\n", index=0)
    second = _block("    def subtotal(self):\n", "    def subtotal(self) -> float:\n", index=1)
    outcome = apply_to_text(CART, [first, second])
    assert outcome.failed == ()
    assert "    def subtotal(self) -> float:\n" in outcome.text


def test_failed_block_does_not_stop_an_independent_later_block() -> None:
    broken = _block("    def missing(self):\n        pass\n", "    def found(self):\n", index=0)
    fine = _block("        self.items = []\n", "        self.items: list = []\n", index=1)
    outcome = apply_to_text(CART, [broken, fine])
    assert [f.index for f in outcome.failed] == [0]
    assert [a.index for a in outcome.applied] == [1]
    assert "self.items: list = []" in outcome.text


def test_block_that_depends_on_a_failed_block_says_so() -> None:
    broken = _block(
        "    def totl(self):\n        return 0\n", "    def grand_total(self):\n        return 0\n"
    )
    later = _block("    def grand_total(self):\n", "    def grand_total(self) -> int:\n", index=1)
    outcome = apply_to_text(CART, [broken, later])
    assert [f.reason for f in outcome.failed] == ["no_match", "depends_on_failed"]
    assert "edit #1" in outcome.failed[1].message


def test_empty_search_on_an_existing_nonempty_text_is_refused() -> None:
    outcome = apply_to_text(CART, [_block("", "print('hi')\n")])
    assert [f.reason for f in outcome.failed] == ["file_exists"]


def test_empty_search_fills_an_empty_file_and_creates_a_missing_one() -> None:
    assert apply_to_text("", [_block("", "x = 1\n")]).text == "x = 1\n"
    created = apply_to_text(None, [_block("", "x = 1\n")])
    assert (created.text, created.applied[0].strategy) == ("x = 1\n", MatchStrategy.CREATE)


def test_empty_replace_deletes_the_lines() -> None:
    outcome = apply_to_text(CART, [_block("        # sum of prices\n", "")])
    assert outcome.text == CART.replace("        # sum of prices\n", "")


def test_crlf_text_stays_crlf_and_missing_final_newline_stays_missing() -> None:
    text = "a = 1\r\nb = 2\r\nc = 3"
    outcome = apply_to_text(text, [_block("b = 2\n", "b = 20\nb2 = 4\n")])
    assert outcome.text == "a = 1\r\nb = 20\r\nb2 = 4\r\nc = 3"
    last = apply_to_text(text, [_block("c = 3\n", "c = 30\n")])
    assert last.text == "a = 1\r\nb = 2\r\nc = 30"


def test_unicode_text_round_trips() -> None:
    text = "greeting = 'héllo wörld ✓'\nname = '名前'\n"
    outcome = apply_to_text(text, [_block("name = '名前'\n", "name = 'имя'\n")])
    assert outcome.text == "greeting = 'héllo wörld ✓'\nname = 'имя'\n"


def test_fuzzy_block_close_to_two_places_is_refused_as_ambiguous() -> None:
    text = (
        "def area_a(w, h):\n    # compute the area\n    return w * h\n\n\n"
        "def area_b(w, h):\n    # compute the area\n    return w * h\n"
    )
    search = "def area_(w, h):\n    # computes the area\n    return w * h\n"
    outcome = apply_to_text(text, [_block(search, "x\n", "geo.py")], fuzzy_threshold=0.6)
    assert [f.reason for f in outcome.failed] == ["ambiguous"]
    assert "lines 1-3, 6-8" in outcome.failed[0].message
    assert outcome.text == text


def test_fuzzy_prefers_a_clearly_closer_place_over_a_distant_one() -> None:
    text = (
        "def area(w, h):\n    # compute the area\n    return w * h\n\n\n"
        "def volume(w, h):\n    # compute the area\n    return w * h\n"
    )
    search = "def are(w, h):\n    # computes the area\n    return w * h\n"
    outcome = apply_to_text(text, [_block(search, "def area(w, h):\n    return w * h\n")])
    assert outcome.applied[0].strategy is MatchStrategy.FUZZY
    assert outcome.text.startswith("def area(w, h):\n    return w * h\n\n\ndef volume")


@pytest.mark.parametrize(
    "line",
    [
        "...",
        "    # ...",
        "  // ... existing code ...",
        "# ... rest of the function unchanged ...",
        "<!-- ... -->",
        "/* ... other methods ... */",
        "    …",
    ],
)
def test_elision_lines_are_recognised(line: str) -> None:
    assert is_elision(line)


@pytest.mark.parametrize(
    "line", ["  ...args,", "    return [...items]", "# see the docs...", "print('...')"]
)
def test_code_with_dots_is_not_an_elision(line: str) -> None:
    assert not is_elision(line)


def test_spread_syntax_in_replace_is_not_refused_as_a_placeholder() -> None:
    js = "call(\n  a,\n);\n"
    outcome = apply_to_text(js, [_block("  a,\n", "  a,\n  ...rest,\n", "x.js")])
    assert outcome.failed == ()
    assert outcome.text == "call(\n  a,\n  ...rest,\n);\n"
