"""Tests pair with the files they test by name, in every common convention."""

from __future__ import annotations

from orchard.repomap.pairing import TestPairs, split_test


def test_test_names_reveal_their_subject() -> None:
    assert split_test("tests/test_billing.py") == (True, "billing")
    assert split_test("pkg/billing_test.go") == (True, "billing")
    assert split_test("src/cart.spec.ts") == (True, "cart")
    assert split_test("src/cart.test.tsx") == (True, "cart")
    assert split_test("src/test/java/CartTest.java") == (True, "cart")
    assert split_test("spec/models/user_spec.rb") == (True, "user")
    assert split_test("shop/billing.py") == (False, "billing")


def test_subject_and_test_find_each_other_nearest_first() -> None:
    pairs = TestPairs(
        [
            "shop/billing.py",
            "tests/shop/test_billing.py",
            "legacy/billing.py",
            "web/cart.ts",
            "web/cart.spec.ts",
            "web/cart.py",
        ]
    )
    assert pairs.partners("tests/shop/test_billing.py")[0] == "shop/billing.py"
    assert set(pairs.partners("tests/shop/test_billing.py")) == {
        "shop/billing.py",
        "legacy/billing.py",
    }
    assert pairs.partners("shop/billing.py") == ("tests/shop/test_billing.py",)
    assert pairs.partners("web/cart.spec.ts") == ("web/cart.ts",)  # not cart.py


def test_removed_files_stop_pairing() -> None:
    pairs = TestPairs(["a/foo.go", "a/foo_test.go"])
    pairs.remove("a/foo_test.go")
    assert pairs.partners("a/foo.go") == ()
