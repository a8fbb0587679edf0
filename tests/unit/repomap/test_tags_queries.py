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


def test_go_types_functions_receiver_methods_embedding_and_imports(
    extractor: TagExtractor,
) -> None:
    f = load(extractor, "go/store.go")
    assert not f.missing(
        [
            ("def", "module", "store", "package store"),
            ("def", "constant", "MaxOrders", "const MaxOrders"),
            ("def", "variable", "ErrNotFound", "var ErrNotFound"),
            ("def", "type", "OrderID", "type OrderID"),
            ("def", "struct", "Order", "type Order struct"),
            ("def", "interface", "Repository", "type Repository interface"),
            ("def", "method", "Get", "\tGet(ctx"),
            ("def", "struct", "MemoryStore", "type MemoryStore struct"),
            ("def", "function", "NewMemoryStore", "func NewMemoryStore"),
            ("def", "method", "Get", "func (s *MemoryStore) Get"),
            ("def", "method", "Save", "func (s *MemoryStore) Save"),
            ("def", "function", "validate", "func validate"),
            # the receiver's type is referenced by its method
            ("ref", "type", "MemoryStore", "func (s *MemoryStore) Save"),
            ("ref", "type", "Order", "func validate"),
            ("ref", "type", "Amount", "Total money.Amount"),
            ("ref", "call", "Compute", "billing.Compute"),
            ("ref", "call", "validate", "return validate(order)"),
            ("ref", "call", "New", "var ErrNotFound"),
            ("ref", "import", "context", '"context"'),
            ("ref", "import", "billing", "github.com/acme/shop/billing"),
            ("ref", "import", "shop", "github.com/acme/shop/billing"),
            ("ref", "import", "money", "github.com/acme/shop/internal/money"),
            ("ref", "import", "internal", "github.com/acme/shop/internal/money"),
            ("ref", "inherit", "MemoryStore", "\t*MemoryStore"),
            ("ref", "inherit", "Trail", "audit.Trail"),
            ("ref", "inherit", "Closer", "io.Closer"),
            ("ref", "inherit", "Repository", "\tRepository"),
            ("ref", "type", "Logger", "log Logger"),
        ]
    )
    assert {"s", "ctx", "order", "ok", "id"}.isdisjoint(f.names("def"))


def test_rust_structs_traits_impls_uses_calls_and_macros(extractor: TagExtractor) -> None:
    f = load(extractor, "rust/ledger.rs")
    assert not f.missing(
        [
            ("def", "constant", "MAX_ENTRIES", "pub const MAX_ENTRIES"),
            ("def", "type", "AccountId", "pub type AccountId"),
            ("def", "struct", "Entry", "pub struct Entry"),
            ("def", "enum", "LedgerError", "pub enum LedgerError"),
            ("def", "trait", "Journal", "pub trait Journal"),
            (
                "def",
                "method",
                "record",
                "fn record(&mut self, entry: Entry) -> Result<(), LedgerError>;",
            ),
            ("def", "struct", "Ledger", "pub struct Ledger"),
            ("def", "method", "new", "pub fn new"),
            ("def", "method", "balance", "fn balance(&self, account: AccountId) -> Amount {"),
            ("def", "module", "reports", "pub mod reports"),
            ("def", "function", "summarize", "pub fn summarize"),
            ("def", "macro", "entry", "macro_rules! entry"),
            ("ref", "import", "std", "use std::"),
            ("ref", "import", "collections", "use std::"),
            ("ref", "import", "HashMap", "use std::"),
            ("ref", "import", "money", "use crate::money"),
            ("ref", "import", "Amount", "use crate::money"),
            ("ref", "import", "Currency", "use crate::money"),
            ("ref", "import", "audit", "use super::audit"),
            ("ref", "import", "AuditLog", "use super::audit"),
            ("ref", "inherit", "Journal", "impl Journal for Ledger"),
            ("ref", "type", "Ledger", "impl Journal for Ledger"),
            ("ref", "type", "Ledger", "impl Ledger"),
            ("ref", "type", "AuditLog", "log: AuditLog,"),
            ("ref", "call", "balance", "self.balance(entry.account)"),
            ("ref", "call", "Overdrawn", "LedgerError::Overdrawn"),
            ("ref", "call", "write", "self.log.write"),
            ("ref", "call", "new", "Vec::new()"),
            ("ref", "call", "zero", "Amount::zero"),
            ("ref", "macro", "format", "format!"),
            ("ref", "macro", "derive", "#[derive"),
        ]
    )
    # a function in a module body is a function, one in an impl or trait body a method
    assert ("def", "method", "summarize", f.line_of("pub fn summarize")) not in f.rows
    assert {"current", "account", "log", "self"}.isdisjoint(f.names("def"))


def test_java_classes_interfaces_methods_calls_and_imports(extractor: TagExtractor) -> None:
    f = load(extractor, "java/Checkout.java")
    assert not f.missing(
        [
            ("def", "module", "checkout", "package com.acme"),
            ("def", "class", "Checkout", "public class Checkout"),
            ("def", "constant", "MAX_RETRIES", "MAX_RETRIES"),
            ("def", "method", "complete", "public Invoice complete"),
            ("def", "enum", "Status", "enum Status"),
            ("def", "interface", "Step", "interface Step"),
            ("def", "method", "run", "boolean run"),
            ("def", "class", "Receipt", "record Receipt"),
            ("def", "interface", "PaymentListener", "interface PaymentListener {"),
            ("def", "method", "onPaid", "void onPaid"),
            ("ref", "import", "com", "import com.acme.shop.billing.Invoice"),
            ("ref", "import", "billing", "import com.acme.shop.billing.Invoice"),
            ("ref", "import", "Invoice", "import com.acme.shop.billing.Invoice"),
            ("ref", "import", "cart", "import com.acme.shop.cart.*"),
            ("ref", "import", "Money", "import static"),
            ("ref", "import", "round", "import static"),
            ("ref", "inherit", "BaseService", "public class Checkout"),
            ("ref", "inherit", "PaymentListener", "public class Checkout"),
            ("ref", "inherit", "Auditable", "public class Checkout"),
            ("ref", "type", "PaymentGateway", "private final PaymentGateway"),
            ("ref", "type", "Cart", "public Invoice complete"),
            ("ref", "type", "CheckoutException", "public Invoice complete"),
            ("ref", "call", "Invoice", "new Invoice"),
            ("ref", "call", "getOwner", "getOwner()"),
            ("ref", "call", "charge", "gateway.charge"),
            ("ref", "call", "round", "gateway.charge"),
            ("ref", "call", "Override", "@Override"),
        ]
    )
    assert {"gateway", "cart", "invoice", "id"}.isdisjoint(f.names("def"))


def test_c_functions_prototypes_structs_typedefs_macros_and_includes(
    extractor: TagExtractor,
) -> None:
    f = load(extractor, "c/buffer.c")
    assert not f.missing(
        [
            ("def", "macro", "BUFFER_MIN", "#define BUFFER_MIN"),
            ("def", "macro", "GROW", "#define GROW"),
            ("def", "struct", "buffer", "typedef struct buffer"),
            ("def", "type", "buffer_t", "} buffer_t;"),
            ("def", "enum", "buffer_mode", "enum buffer_mode"),
            ("def", "constant", "MODE_READ", "enum buffer_mode"),
            ("def", "function", "grow_to", "static int grow_to(buffer_t *buf, size_t need);"),
            ("def", "function", "buffer_new", "buffer_t *buffer_new"),
            ("def", "function", "buffer_append", "int buffer_append"),
            ("def", "function", "grow_to", "size_t wanted)"),
            ("ref", "import", "stdlib", "<stdlib.h>"),
            ("ref", "import", "util", '"util/buffer.h"'),
            ("ref", "import", "buffer", '"util/buffer.h"'),
            ("ref", "type", "arena", "buffer_t *buffer_new(struct arena"),
            ("ref", "type", "buffer_t", "int buffer_append"),
            ("ref", "call", "arena_alloc", "arena_alloc("),
            ("ref", "call", "grow_to", "if (grow_to("),
            ("ref", "call", "memcpy", "memcpy("),
            ("ref", "call", "GROW", "cap = GROW(cap)"),
            ("ref", "macro", "BUFFER_MIN", "malloc(BUFFER_MIN)"),
        ]
    )
    # a forward declaration refers to a struct, it does not define it; locals are not definitions
    assert ("def", "struct", "arena", f.line_of("struct arena;")) not in f.rows
    assert {"buf", "cap", "need", "text", "n"}.isdisjoint(f.names("def"))
    # only real uses are references, not every identifier
    assert {"buf", "cap", "need", "text", "n", "data", "len"}.isdisjoint(f.names("ref"))


def test_cpp_header_classes_namespaces_methods_and_inheritance(extractor: TagExtractor) -> None:
    source = (FIXTURES / "cpp/geometry.h").read_bytes()
    assert language_for("cpp/geometry.h", source) == "cpp"
    f = load(extractor, "cpp/geometry.h")
    assert not f.missing(
        [
            ("def", "module", "geo", "namespace geo {"),
            ("def", "variable", "kEpsilon", "kEpsilon"),
            ("def", "struct", "Point", "struct Point"),
            ("def", "type", "PointList", "using PointList"),
            ("def", "enum", "Winding", "enum class Winding"),
            ("def", "class", "Polygon", "class Polygon"),
            ("def", "method", "area", "double area() const override;"),
            ("def", "method", "square", "static Polygon square"),
            ("def", "method", "area", "double Polygon::area()"),
            ("def", "method", "square", "Polygon Polygon::square"),
            ("ref", "import", "shape", '"core/shape.hpp"'),
            ("ref", "import", "core", '"core/shape.hpp"'),
            ("ref", "import", "vector", "#include <vector>"),
            ("ref", "inherit", "Shape", "class Polygon"),
            ("ref", "inherit", "Noncopyable", "class Polygon"),
            ("ref", "type", "Polygon", "double Polygon::area()"),
            ("ref", "type", "PointList", "PointList points_;"),
            ("ref", "call", "cross", "cross(p"),
            ("ref", "call", "next_point", "cross(p"),
            ("ref", "call", "abs", "std::abs"),
            ("ref", "call", "make_unique", "std::make_unique"),
            ("ref", "call", "resize", "shape->resize"),
            ("ref", "call", "Polygon", "return Polygon("),
        ]
    )
    assert {"total", "p", "shape", "side", "points"}.isdisjoint(f.names("def"))
    assert {"total", "p", "side", "points_"}.isdisjoint(f.names("ref"))


def test_csharp_classes_interfaces_methods_calls_and_usings(extractor: TagExtractor) -> None:
    f = load(extractor, "csharp/OrderService.cs")
    assert not f.missing(
        [
            ("def", "module", "Orders", "namespace Acme.Shop.Orders"),
            ("def", "interface", "IOrderRepository", "public interface IOrderRepository"),
            ("def", "method", "Find", "Order Find(Guid id);"),
            ("def", "enum", "OrderState", "enum OrderState"),
            ("def", "class", "OrderPlaced", "record OrderPlaced"),
            ("def", "struct", "Money", "struct Money"),
            ("def", "class", "OrderService", "public class OrderService"),
            ("def", "constant", "MaxLines", "const int MaxLines"),
            ("def", "method", "Place", "public Invoice Place"),
            ("def", "method", "Dispose", "public void Dispose"),
            ("def", "method", "Filter", "Filter("),
            ("ref", "import", "System", "using System;"),
            ("ref", "import", "Generic", "using System.Collections.Generic;"),
            ("ref", "import", "Billing", "using Acme.Shop.Billing;"),
            ("ref", "inherit", "ServiceBase", "public class OrderService"),
            ("ref", "inherit", "IDisposable", "public class OrderService"),
            ("ref", "call", "Serializable", "[Serializable]"),
            ("ref", "type", "IOrderRepository", "private readonly IOrderRepository"),
            ("ref", "type", "Invoice", "public Invoice Place"),
            ("ref", "type", "Order", "public Invoice Place"),
            ("ref", "type", "Order", "Filter("),
            ("ref", "type", "InvoiceFormatter", "InvoiceFormatter.Format"),
            ("ref", "call", "Invoice", "new Invoice"),
            ("ref", "call", "OrderPlaced", "new OrderPlaced"),
            ("ref", "call", "Publish", "Publish("),
            ("ref", "call", "Save", "_repository.Save(order)"),
            ("ref", "call", "Format", "InvoiceFormatter.Format"),
            ("ref", "call", "IsOpen", "Where(IsOpen)"),
        ]
    )
    assert {"order", "invoice", "repository", "_repository", "orders"}.isdisjoint(f.names("def"))


def test_ruby_classes_modules_methods_mixins_calls_and_requires(extractor: TagExtractor) -> None:
    f = load(extractor, "ruby/subscription.rb")
    assert not f.missing(
        [
            ("def", "module", "Billing", "module Billing"),
            ("def", "constant", "MAX_RETRIES", "MAX_RETRIES = 3"),
            ("def", "class", "Subscription", "class Subscription"),
            ("def", "method", "initialize", "def initialize"),
            ("def", "method", "renew!", "def renew!"),
            ("def", "method", "active", "def self.active"),
            ("def", "method", "notify_renewal", "def notify_renewal"),
            ("ref", "import", "json", 'require "json"'),
            ("ref", "import", "billing", "require_relative"),
            ("ref", "import", "invoice", "require_relative"),
            ("ref", "inherit", "ApplicationRecord", "class Subscription"),
            ("ref", "inherit", "Comparable", "include Comparable"),
            ("ref", "inherit", "Scopes", "extend Billing::Scopes"),
            ("ref", "type", "Invoice", "Invoice.new"),
            ("ref", "type", "PaymentGateway", "PaymentGateway.charge"),
            ("ref", "call", "new", "Invoice.new"),
            ("ref", "call", "charge", "PaymentGateway.charge"),
            ("ref", "call", "notify_renewal", "  notify_renewal(invoice)"),
            ("ref", "call", "renewal", "Mailer.renewal"),
            ("ref", "call", "deliver_later", "deliver_later"),
            ("ref", "call", "where", "where(status"),
        ]
    )
    assert {"invoice", "plan", "customer", "at"}.isdisjoint(f.names("def"))


def test_php_classes_interfaces_traits_functions_calls_and_uses(extractor: TagExtractor) -> None:
    f = load(extractor, "php/CartController.php")
    assert not f.missing(
        [
            ("def", "module", "Controllers", "namespace App"),
            ("def", "constant", "MAX_ITEMS", "const MAX_ITEMS"),
            ("def", "interface", "Checkoutable", "interface Checkoutable"),
            ("def", "trait", "LogsActivity", "trait LogsActivity"),
            ("def", "method", "logActivity", "protected function logActivity"),
            ("def", "enum", "CartStatus", "enum CartStatus"),
            ("def", "class", "CartController", "final class CartController"),
            ("def", "method", "__construct", "function __construct"),
            ("def", "method", "checkout", "): Order;"),
            ("def", "method", "checkout", "implements Checkoutable::checkout"),
            ("def", "function", "cart_summary", "function cart_summary"),
            ("ref", "import", "Models", "use App\\Models\\Cart;"),
            ("ref", "import", "Cart", "use App\\Models\\Cart;"),
            ("ref", "import", "PriceCalculator", "use App\\Services"),
            ("ref", "import", "TaxService", "use App\\Services"),
            ("ref", "import", "format_money", "use function"),
            ("ref", "import", "cart_helpers", "require_once"),
            ("ref", "inherit", "Controller", "final class CartController"),
            ("ref", "inherit", "Checkoutable", "final class CartController"),
            ("ref", "inherit", "LogsActivity", "use LogsActivity;"),
            ("ref", "type", "PriceCalculator", "private PriceCalculator"),
            ("ref", "type", "Cart", "function cart_summary"),
            ("ref", "type", "OrderFactory", "OrderFactory::create"),
            ("ref", "type", "Log", "Log::info"),
            ("ref", "call", "create", "OrderFactory::create"),
            ("ref", "call", "Order", "new Order"),
            ("ref", "call", "total", "->total("),
            ("ref", "call", "format_money", "format_money($total)"),
            ("ref", "call", "logActivity", "$this->logActivity"),
        ]
    )
    assert {"cart", "total", "order", "this", "calculator"}.isdisjoint(f.names("def"))


def test_kotlin_classes_objects_interfaces_functions_and_calls(extractor: TagExtractor) -> None:
    f = load(extractor, "kotlin/Wallet.kt")
    assert not f.missing(
        [
            ("def", "module", "wallet", "package com.acme.wallet"),
            ("def", "constant", "MAX_BALANCE", "const val MAX_BALANCE"),
            ("def", "type", "WalletId", "typealias WalletId"),
            ("def", "interface", "Ledger", "interface Ledger"),
            ("def", "method", "record", "fun record"),
            ("def", "enum", "Status", "enum class Status"),
            ("def", "class", "Entry", "data class Entry"),
            ("def", "class", "WalletRegistry", "object WalletRegistry"),
            ("def", "class", "Wallet", "class Wallet("),
            ("def", "method", "deposit", "fun deposit"),
            ("def", "function", "describe", "fun Wallet.describe"),
            ("ref", "import", "Amount", "import com.acme.money.Amount"),
            ("ref", "import", "money", "import com.acme.money.Amount"),
            ("ref", "import", "coroutines", "import kotlinx"),
            ("ref", "inherit", "BaseAccount", "class Wallet("),
            ("ref", "inherit", "Auditable", "class Wallet("),
            ("ref", "type", "Ledger", "class Wallet("),
            ("ref", "type", "Wallet", "fun Wallet.describe"),
            ("ref", "type", "AuditLog", "AuditLog.write"),
            ("ref", "call", "Entry", "val entry = Entry("),
            ("ref", "call", "record", "ledger.record(entry)"),
            ("ref", "call", "write", "AuditLog.write"),
        ]
    )
    assert {"entry", "amount", "ledger", "id"}.isdisjoint(f.names("def"))


def test_swift_classes_structs_protocols_functions_and_calls(extractor: TagExtractor) -> None:
    f = load(extractor, "swift/Cart.swift")
    assert not f.missing(
        [
            ("def", "variable", "maxItems", "let maxItems"),
            ("def", "type", "Sku", "typealias Sku"),
            ("def", "interface", "PriceProvider", "protocol PriceProvider"),
            ("def", "method", "price", "func price(of"),
            ("def", "enum", "CartError", "enum CartError"),
            ("def", "struct", "LineItem", "struct LineItem"),
            ("def", "class", "Cart", "class Cart:"),
            ("def", "method", "add", "func add"),
            ("def", "method", "total", "func total"),
            ("def", "function", "formatCart", "func formatCart"),
            ("ref", "import", "ShopCore", "import ShopCore"),
            ("ref", "inherit", "Store", "class Cart:"),
            ("ref", "inherit", "CustomStringConvertible", "extension Cart"),
            ("ref", "type", "Cart", "extension Cart"),
            ("ref", "type", "PriceProvider", "private let prices"),
            ("ref", "type", "Analytics", "Analytics.track"),
            ("ref", "call", "track", "Analytics.track"),
            ("ref", "call", "formatCart", "formatCart(self)"),
        ]
    )
    assert {"items", "prices", "item", "cart"}.isdisjoint(f.names("def"))


def test_scala_traits_classes_objects_and_calls(extractor: TagExtractor) -> None:
    f = load(extractor, "scala/Billing.scala")
    assert not f.missing(
        [
            ("def", "module", "billing", "package com.acme.billing"),
            ("def", "trait", "Biller", "trait Biller"),
            ("def", "method", "bill", "charges once"),
            ("def", "method", "bill", "Future[Invoice] = {"),
            ("def", "class", "Invoice", "case class Invoice"),
            ("def", "class", "Billing", "object Billing"),
            ("def", "method", "apply", "def apply"),
            ("def", "class", "StripeBiller", "class StripeBiller"),
            ("def", "type", "CustomerId", "type CustomerId"),
            ("ref", "import", "Amount", "import com.acme.money"),
            ("ref", "import", "Future", "import scala.concurrent.Future"),
            ("ref", "inherit", "Biller", "class StripeBiller"),
            ("ref", "inherit", "Logging", "class StripeBiller"),
            ("ref", "call", "StripeBiller", "new StripeBiller"),
            ("ref", "type", "Pricing", "Pricing.totalFor"),
            ("ref", "call", "totalFor", "Pricing.totalFor"),
            ("ref", "call", "Invoice", "Future.successful"),
        ]
    )
    assert {"total", "customer", "gateway"}.isdisjoint(f.names("def"))


def test_lua_functions_methods_requires_and_calls(extractor: TagExtractor) -> None:
    f = load(extractor, "lua/inventory.lua")
    assert not f.missing(
        [
            ("def", "constant", "MAX_STOCK", "MAX_STOCK = 100"),
            ("def", "function", "clamp", "local function clamp"),
            ("def", "function", "new", "function M.new"),
            ("def", "method", "add", "function M:add"),
            ("def", "function", "encode", "M.encode = function"),
            ("ref", "import", "cjson", 'require("cjson")'),
            ("ref", "import", "shop", 'require "shop.util"'),
            ("ref", "import", "util", 'require "shop.util"'),
            ("ref", "call", "clamp", "= clamp("),
            ("ref", "call", "log", "util.log"),
            ("ref", "call", "setmetatable", "setmetatable"),
        ]
    )
    assert {"json", "util", "self", "value"}.isdisjoint(f.names("def"))
    assert "require" not in f.names("ref")


def test_elixir_modules_functions_macros_aliases_and_calls(extractor: TagExtractor) -> None:
    f = load(extractor, "elixir/orders.ex")
    assert not f.missing(
        [
            ("def", "module", "Orders", "defmodule Shop.Orders"),
            ("def", "constant", "max_items", "@max_items"),
            ("def", "function", "place", "def place"),
            ("def", "function", "total", "defp total"),
            ("def", "function", "notify", "defp notify"),
            ("def", "macro", "with_order", "defmacro with_order"),
            ("def", "interface", "Priced", "defprotocol Shop.Priced"),
            ("def", "function", "price", "def price(item)"),
            ("ref", "import", "Invoice", "alias Shop.Billing.Invoice"),
            ("ref", "import", "Billing", "alias Shop.Billing.Invoice"),
            ("ref", "import", "Money", "import Shop.Money"),
            ("ref", "inherit", "GenServer", "use GenServer"),
            ("ref", "type", "Invoice", "Invoice.new"),
            ("ref", "type", "Mailer", "Shop.Mailer"),
            ("ref", "call", "new", "Invoice.new"),
            ("ref", "call", "total", "total(order))"),
            ("ref", "call", "notify", "    notify(customer, invoice)"),
            ("ref", "call", "send_invoice", "send_invoice"),
            ("ref", "call", "price", "&price/1"),
        ]
    )
    assert {"def", "defp", "defmodule", "alias", "import", "use"}.isdisjoint(f.names("ref"))
    assert {"invoice", "order", "customer", "Shop"}.isdisjoint(f.names("def"))
