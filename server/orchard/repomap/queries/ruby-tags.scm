; Ruby tags for Orchard's repo map (tree-sitter-ruby from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.
; A bare identifier may be a local or a call without parentheses: only explicit calls count.

; ---- references -----------------------------------------------------------------------------

; Constants are classes and modules: `Invoice.new`, `rescue PaymentError`, `Billing::Scopes`.
(constant) @name.reference.type

(call method: (identifier) @name.reference.call)

(call method: (constant) @name.reference.call)

(superclass (constant) @name.reference.inherit)

(superclass (scope_resolution name: (constant) @name.reference.inherit))

((call
  method: (identifier) @_mixin
  arguments: (argument_list (constant) @name.reference.inherit))
  (#match? @_mixin "^(include|extend|prepend)$"))

((call
  method: (identifier) @_mixin
  arguments: (argument_list (scope_resolution name: (constant) @name.reference.inherit)))
  (#match? @_mixin "^(include|extend|prepend)$"))

((call
  method: (identifier) @_require
  arguments: (argument_list . (string (string_content) @path.reference.import)))
  (#match? @_require "^(require|require_relative|load|autoload)$"))

; ---- definitions ----------------------------------------------------------------------------

(assignment left: (constant) @name.definition.constant)

(method name: (_) @name.definition.method)

(singleton_method name: (_) @name.definition.method)

(program (method name: (_) @name.definition.function))

(alias name: (identifier) @name.definition.method)

(class name: (constant) @name.definition.class)

(class name: (scope_resolution name: (constant) @name.definition.class))

(module name: (constant) @name.definition.module)

(module name: (scope_resolution name: (constant) @name.definition.module))
