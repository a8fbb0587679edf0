; Lua tags for Orchard's repo map (tree-sitter-lua from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

((function_call name: (identifier) @name.reference.call)
  (#not-eq? @name.reference.call "require"))

(function_call name: (dot_index_expression field: (identifier) @name.reference.call))

(function_call name: (method_index_expression method: (identifier) @name.reference.call))

; `require("shop.util")` and `require "shop.util"`: the module path, dot by dot.
((function_call
  name: (identifier) @_require
  arguments: (arguments . (string content: (string_content) @module.reference.import)))
  (#eq? @_require "require"))

; ---- definitions ----------------------------------------------------------------------------

; Globals set at the top of a chunk (locals there are usually `local json = require ...`).
(chunk (assignment_statement (variable_list . (identifier) @name.definition.variable)))

((chunk (assignment_statement (variable_list . (identifier) @name.definition.constant)))
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(function_declaration name: (identifier) @name.definition.function)

(function_declaration name: (dot_index_expression field: (identifier) @name.definition.function))

(function_declaration name: (method_index_expression method: (identifier) @name.definition.method))

(assignment_statement
  (variable_list . (dot_index_expression field: (identifier) @name.definition.function))
  (expression_list . (function_definition)))

(assignment_statement
  (variable_list . (identifier) @name.definition.function)
  (expression_list . (function_definition)))
