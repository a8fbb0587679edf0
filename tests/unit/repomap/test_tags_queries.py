"""Each language's tags query on a small realistic fixture: named definitions AND references."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchard.repomap.languages import language_for, languages_with_tags
from orchard.repomap.tags import Tag, TagExtractor, TagKind

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tags"
REQUIRED_LANGUAGES = {
    "python", "javascript", "typescript", "tsx", "go", "rust",
    "java", "c", "cpp", "csharp", "ruby", "php",
}  # fmt: skip

Row = tuple[str, str, str, int]  # (kind, category, name, line)


class Fixture:
    """One fixture file's text and tags, with a way to find lines by a unique snippet."""

    def __init__(self, extractor: TagExtractor, rel_path: str) -> None:
        self.rel_path = rel_path
        self.source = (FIXTURES / rel_path).read_bytes()
        self.tags = extractor.extract(rel_path, self.source)
        self.rows = {(t.kind.value, t.category, t.name, t.line) for t in self.tags}

    def line_of(self, snippet: str) -> int:
        """Return the 0-based line of the only line containing snippet."""
        lines = [n for n, text in enumerate(self.source.decode().splitlines()) if snippet in text]
        assert len(lines) == 1, f"{snippet!r} is on lines {lines} of {self.rel_path}"
        return lines[0]

    def has(self, kind: str, category: str, name: str, snippet: str) -> bool:
        return (kind, category, name, self.line_of(snippet)) in self.rows

    def missing(self, expected: list[tuple[str, str, str, str]]) -> list[tuple[str, ...]]:
        """Return the expected (kind, category, name, snippet) rows that were not found."""
        return [row for row in expected if not self.has(*row)]

    def names(self, kind: str) -> set[str]:
        return {t.name for t in self.tags if t.kind.value == kind}


@pytest.fixture(scope="module")
def extractor() -> TagExtractor:
    return TagExtractor()


def load(extractor: TagExtractor, rel_path: str) -> Fixture:
    return Fixture(extractor, rel_path)


def test_every_required_language_has_a_query() -> None:
    assert languages_with_tags() >= REQUIRED_LANGUAGES


@pytest.mark.parametrize("language", sorted(languages_with_tags()))
def test_each_language_fixture_yields_definitions_and_references(
    extractor: TagExtractor, language: str
) -> None:
    paths = sorted(p for p in (FIXTURES / language).rglob("*") if p.is_file())
    assert paths, f"no fixture for {language}"
    for path in paths:
        rel_path = path.relative_to(FIXTURES).as_posix()
        assert language_for(rel_path, path.read_bytes()) == language
        tags = load(extractor, rel_path).tags
        assert any(t.kind is TagKind.DEFINITION for t in tags), rel_path
        assert any(t.kind is TagKind.REFERENCE for t in tags), rel_path
        assert all(isinstance(t, Tag) and t.rel_path == rel_path for t in tags)


def test_python_definitions_imports_calls_types_and_bases(extractor: TagExtractor) -> None:
    f = load(extractor, "python/orders.py")
    assert not f.missing(
        [
            ("def", "constant", "MAX_ITEMS", "MAX_ITEMS = 50"),
            ("def", "variable", "logger", "logger = "),
            ("def", "type", "OrderId", "type OrderId"),
            ("def", "class", "OrderError", "class OrderError"),
            ("def", "class", "Order", "class Order("),
            ("def", "method", "__init__", "def __init__"),
            ("def", "method", "total", "def total"),
            ("def", "method", "invoice", "def invoice"),
            ("def", "function", "place_order", "def place_order"),
            # `from shop.billing.invoice import Invoice as ...`: the path and the imported name
            ("ref", "import", "shop", "from shop.billing"),
            ("ref", "import", "billing", "from shop.billing"),
            ("ref", "import", "invoice", "from shop.billing"),
            ("ref", "import", "Invoice", "from shop.billing"),
            ("ref", "import", "render_invoice", "from shop.billing"),
            ("ref", "import", "pricing", "from .pricing"),
            ("ref", "import", "PriceList", "from .pricing"),
            ("ref", "import", "logging", "import logging.handlers"),
            ("ref", "import", "handlers", "import logging.handlers"),
            ("ref", "inherit", "ValueError", "class OrderError"),
            ("ref", "inherit", "BaseOrder", "class Order("),
            ("ref", "inherit", "Auditable", "class Order("),
            ("ref", "call", "dataclass", "@dataclass"),
            ("ref", "call", "property", "@property"),
            ("ref", "call", "render_invoice", "return render_invoice"),
            ("ref", "call", "price_of", "price_of"),
            ("ref", "call", "Order", "order = Order("),
            ("ref", "call", "LineItem", "order = Order("),
            ("ref", "type", "PriceList", "def __init__"),
            ("ref", "type", "LineItem", "def __init__"),
            ("ref", "type", "BillingInvoice", "def invoice"),
            ("ref", "type", "Order", "def place_order"),
            # CamelCase names used as values are classes
            ("ref", "type", "Order", "isinstance(value, Order)"),
            ("ref", "type", "OrderError", "except OrderError"),
        ]
    )
    # A method is only a method, and locals or parameters are never definitions.
    assert ("def", "function", "invoice", f.line_of("def invoice")) not in f.rows
    assert {"self", "prices", "items", "order", "item", "sku"}.isdisjoint(f.names("def"))


def test_javascript_classes_functions_imports_calls_and_jsx(extractor: TagExtractor) -> None:
    f = load(extractor, "javascript/cart.js")
    assert not f.missing(
        [
            ("def", "constant", "MAX_ITEMS", "MAX_ITEMS = 50"),
            ("def", "class", "Cart", "class Cart"),
            ("def", "method", "constructor", "constructor(owner)"),
            ("def", "method", "add", "add(item) {"),
            ("def", "method", "total", "get total()"),
            ("def", "function", "describeCart", "function describeCart"),
            ("def", "function", "loadCart", "const loadCart"),
            ("def", "function", "summary", "const summary"),
            ("def", "function", "CartBadge", "function CartBadge"),
            ("ref", "import", "formatPrice", "import { formatPrice"),
            ("ref", "import", "roundCents", "import { formatPrice"),
            ("ref", "import", "money", "import { formatPrice"),
            ("ref", "import", "format", "import { formatPrice"),
            ("ref", "import", "EventBus", "import EventBus"),
            ("ref", "import", "events", "import EventBus"),
            ("ref", "import", "analytics", "@shop/analytics"),
            ("ref", "import", "fs", "require("),
            ("ref", "import", "promises", "require("),
            ("ref", "inherit", "EventBus", "class Cart"),
            ("ref", "call", "CartEvent", "new CartEvent"),
            ("ref", "call", "round", "return round("),
            ("ref", "call", "track", "analytics.track"),
            ("ref", "call", "Cart", "new Cart("),
            ("ref", "call", "describeCart", "return describeCart"),
            ("ref", "call", "Badge", "<Badge"),
            ("ref", "call", "Cart", "<Icon.Cart"),
            ("ref", "type", "CartBadge", "export const routes"),
            ("ref", "type", "Cart", "export const routes"),
        ]
    )
    assert {"owner", "item", "text", "sum", "path", "readFile"}.isdisjoint(f.names("def"))
    assert "div" not in f.names("ref") and "." not in f.names("ref")


def test_typescript_interfaces_types_enums_namespaces_and_type_uses(
    extractor: TagExtractor,
) -> None:
    f = load(extractor, "typescript/inventory.ts")
    assert not f.missing(
        [
            ("def", "interface", "StockLevel", "export interface StockLevel"),
            ("def", "type", "StockMap", "export type StockMap"),
            ("def", "enum", "Reason", "export enum Reason"),
            ("def", "constant", "LOW_STOCK", "LOW_STOCK = 3"),
            ("def", "class", "Inventory", "abstract class Inventory"),
            ("def", "method", "restock", "abstract restock"),
            ("def", "method", "adjust", "adjust(sku"),
            ("def", "function", "createLevel", "export function createLevel"),
            ("def", "function", "isLow", "export const isLow"),
            ("def", "module", "Reports", "namespace Reports"),
            ("def", "function", "lowStock", "function lowStock"),
            ("ref", "import", "Product", "./catalog/product"),
            ("ref", "import", "Sku", "./catalog/product"),
            ("ref", "import", "catalog", "./catalog/product"),
            ("ref", "import", "product", "./catalog/product"),
            ("ref", "import", "Warehouse", "../warehouse"),
            ("ref", "import", "warehouse", "../warehouse"),
            ("ref", "import", "util", "./util/log"),
            ("ref", "inherit", "Comparable", "export interface StockLevel"),
            ("ref", "inherit", "Iterable", "abstract class Inventory"),
            ("ref", "type", "Warehouse", "constructor(private"),
            ("ref", "type", "Product", "abstract restock"),
            ("ref", "type", "StockLevel", "export function createLevel"),
            ("ref", "type", "Inventory", "function lowStock"),
            ("ref", "call", "createLevel", "?? createLevel"),
            ("ref", "call", "info", "log.info"),
            ("ref", "call", "Map", "new Map()"),
        ]
    )
    # A type's own name is a definition there, not also a reference.
    assert ("ref", "type", "StockMap", f.line_of("export type StockMap")) not in f.rows


def test_tsx_uses_the_tsx_grammar_and_finds_components(extractor: TagExtractor) -> None:
    assert language_for("tsx/ProductCard.tsx") == "tsx"
    f = load(extractor, "tsx/ProductCard.tsx")
    assert not f.missing(
        [
            ("def", "interface", "ProductCardProps", "interface ProductCardProps"),
            ("def", "function", "ProductCard", "export function ProductCard"),
            ("def", "function", "ProductList", "export const ProductList"),
            ("def", "function", "addToCart", "function addToCart"),
            ("def", "class", "ProductPage", "class ProductPage"),
            ("def", "method", "render", "render()"),
            ("ref", "import", "React", 'from "react"'),
            ("ref", "import", "useState", 'from "react"'),
            ("ref", "import", "react", 'from "react"'),
            ("ref", "import", "Price", 'from "./Price"'),
            ("ref", "call", "useState", "useState<number>"),
            ("ref", "call", "Card", "<Card title"),
            ("ref", "call", "Price", "<Price amount"),
            ("ref", "call", "Row", "<Layout.Row>"),
            ("ref", "call", "ProductCard", "<ProductCard key"),
            ("ref", "call", "ProductCard", "<ProductCard {...this.props}"),
            ("ref", "call", "addToCart", "onClick"),
            ("ref", "inherit", "Component", "class ProductPage"),
            ("ref", "type", "ProductCardProps", "export function ProductCard"),
            ("ref", "type", "Product", "function addToCart"),
        ]
    )
    assert {"ul", "button"}.isdisjoint(f.names("ref"))
