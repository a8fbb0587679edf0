; Elixir tags for Orchard's repo map (tree-sitter-elixir from tree-sitter-language-pack 0.13).
; Everything in Elixir is a call: `def`, `defmodule`, `alias` are told apart by their target.
; When a node is captured twice, the capture name first used later in this file wins.
; @module captures split `Shop.Billing.Invoice`: references to every part, a definition of the last.

; ---- references -----------------------------------------------------------------------------

((call target: (identifier) @name.reference.call)
  (#not-match? @name.reference.call "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable|alias|import|require|use|quote|unquote|case|cond|if|unless|with|for|fn|receive|try|raise|reraise|throw|send|spawn)$"))

(call target: (dot right: (identifier) @name.reference.call))

(dot left: (alias) @module.reference.type)

(struct (alias) @module.reference.type)

; `Enum.map(&price/1)`: a captured function is a call.
(unary_operator operator: "&" operand: (binary_operator left: (identifier) @name.reference.call))

((call target: (identifier) @_import (arguments (alias) @module.reference.import))
  (#match? @_import "^(alias|import|require)$"))

((call target: (identifier) @_use (arguments (alias) @module.reference.inherit))
  (#match? @_use "^(use|defimpl)$"))

; ---- definitions ----------------------------------------------------------------------------

; `@max_items 50` defines a module attribute; documentation and typespec attributes do not count.
((unary_operator operator: "@" operand: (call target: (identifier) @name.definition.constant))
  (#not-match? @name.definition.constant "^(moduledoc|doc|typedoc|spec|type|typep|opaque|callback|macrocallback|impl|behaviour|derive|enforce_keys|compile|dialyzer|external_resource|on_load|vsn|deprecated|since)$"))

((call target: (identifier) @_def (arguments [
    (identifier) @name.definition.function
    (call target: (identifier) @name.definition.function)
    (binary_operator left: (call target: (identifier) @name.definition.function))]))
  (#match? @_def "^(def|defp|defguard|defguardp|defdelegate)$"))

((call target: (identifier) @_def (arguments [
    (identifier) @name.definition.macro
    (call target: (identifier) @name.definition.macro)
    (binary_operator left: (call target: (identifier) @name.definition.macro))]))
  (#match? @_def "^(defmacro|defmacrop)$"))

((call target: (identifier) @_def (arguments (alias) @module.definition.module))
  (#eq? @_def "defmodule"))

((call target: (identifier) @_def (arguments (alias) @module.definition.interface))
  (#eq? @_def "defprotocol"))
