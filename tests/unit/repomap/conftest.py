"""Fixtures of the repo-map tests: small real repositories with code that references itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.gitrepo import GitRepo

BILLING = {
    "shop/billing.py": (
        "from shop.money import Money\n\n\n"
        "def compute_invoice_total(lines):\n"
        "    total = Money(0)\n"
        "    for line in lines:\n"
        "        total = total.add(line.price)\n"
        "    return total\n"
    ),
    "shop/money.py": (
        "class Money:\n"
        "    def __init__(self, cents):\n"
        "        self.cents = cents\n\n"
        "    def add(self, other):\n"
        "        return Money(self.cents + other.cents)\n"
    ),
    "shop/checkout.py": (
        "from shop.billing import compute_invoice_total\n\n\n"
        "def checkout(cart):\n"
        "    return compute_invoice_total(cart.lines)\n"
    ),
    "shop/reports.py": (
        "from shop.billing import compute_invoice_total\n\n\n"
        "def monthly_report(orders):\n"
        "    return [compute_invoice_total(o.lines) for o in orders]\n"
    ),
    "shop/catalog.py": (
        "class Product:\n    def describe(self):\n        return self.title\n\n\n"
        "def list_products(store):\n    return [Product() for _ in store]\n"
    ),
    "shop/search.py": (
        "from shop.catalog import Product, list_products\n\n\n"
        "def find_products(store, text):\n"
        "    return [p for p in list_products(store) if text in p.describe()]\n"
    ),
    "shop/users.py": "class UserAccount:\n    def login(self):\n        return True\n",
    "shop/admin.py": (
        "from shop.users import UserAccount\n\n\ndef ban(user: UserAccount):\n"
        "    return user.login()\n"
    ),
    "tests/test_billing.py": (
        "from shop.billing import compute_invoice_total\n\n\n"
        "def test_empty_invoice_is_zero():\n"
        "    assert compute_invoice_total([]).cents == 0\n"
    ),
    "README.md": "# shop\n",
}


@pytest.fixture
def shop_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """A small Python shop whose files reference each other, in a real git repository."""
    return make_repo(dict(BILLING), name="shop")
