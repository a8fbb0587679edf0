"""Tags queries of Go, Rust, Java, C, C++ and C# on their fixtures: definitions AND references."""

from __future__ import annotations

import pytest

from orchard.repomap.languages import language_for
from orchard.repomap.tags import TagExtractor
from tests.unit.repomap.test_tags_queries import FIXTURES, load


@pytest.fixture(scope="module")
def extractor() -> TagExtractor:
    return TagExtractor()


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
