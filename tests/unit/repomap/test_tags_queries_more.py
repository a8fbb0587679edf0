"""Tags queries of Ruby, PHP, Kotlin, Swift, Scala, Lua and Elixir on their fixtures."""

from __future__ import annotations

import pytest

from orchard.repomap.tags import TagExtractor
from tests.unit.repomap.test_tags_queries import load


@pytest.fixture(scope="module")
def extractor() -> TagExtractor:
    return TagExtractor()


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
