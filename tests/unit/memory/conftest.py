"""A small fixture repository whose code implements named concepts, and memory opened on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from orchard.config import Settings
from orchard.memory.api import Memory
from tests.support.gitrepo import GitRepo

RETRY = '''"""Retries for flaky network calls."""

import random
import time


def backoff_delay(attempt, base=0.5, cap=30.0):
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2 ** attempt))


class RetryPolicy:
    """How often to try again."""

    def __init__(self, attempts=3):
        self.attempts = attempts

    def should_retry(self, attempt, error):
        return attempt < self.attempts and isinstance(error, TimeoutError)
'''

CART = '''"""A shopping cart."""


class ShoppingCart:
    def __init__(self):
        self.items = []

    def add_item(self, item, quantity=1):
        self.items.extend([item] * quantity)

    def total_price(self, prices):
        return sum(prices[item] for item in self.items)
'''

SLUG = """export function slugifyTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export class HttpClient {
  constructor(private baseUrl: string) {}

  getJson(path: string): Promise<unknown> {
    return fetch(this.baseUrl + path).then((r) => r.json());
  }
}
"""

NOTES = "Release notes\n\n" + "".join(f"- change number {i}\n" for i in range(60))

FIXTURE_FILES: dict[str, str | bytes] = {
    "src/retry.py": RETRY,
    "src/cart.py": CART,
    "web/slug.ts": SLUG,
    "docs/NOTES.txt": NOTES,
}


@pytest.fixture
def code_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """A repository with Python, TypeScript and plain-text files."""
    return make_repo(FIXTURE_FILES, name="code")


def state_db(repo: GitRepo) -> Path:
    """The repository's state database, where the service keeps it."""
    return repo.root / ".git" / "orchard" / "state.db"


@pytest.fixture
async def memory(code_repo: GitRepo) -> AsyncIterator[Memory]:
    """Memory of the fixture repository, offline embedder, indexed once."""
    opened = await Memory.open(code_repo.root, state_db(code_repo), Settings())
    await opened.index()
    try:
        yield opened
    finally:
        await opened.close()
