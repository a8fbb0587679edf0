; Python tags for Orchard's repo map (tree-sitter-python from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>. When a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- definitions ----------------------------------------------------------------------------

; Module-level names (this grammar puts assignments straight under `module`).
(module (assignment left: (identifier) @name.definition.variable))

(module (assignment
  left: (identifier) @name.definition.constant
  (#match? @name.definition.constant "^_*[A-Z][A-Z0-9_]*$")))

(function_definition name: (identifier) @name.definition.function)

(class_definition name: (identifier) @name.definition.class)

(class_definition body: (block (function_definition name: (identifier) @name.definition.method)))

(class_definition body: (block (decorated_definition
  definition: (function_definition name: (identifier) @name.definition.method))))

(type_alias_statement left: (type (identifier) @name.definition.type))

; ---- references -----------------------------------------------------------------------------

; A CamelCase name used as a value is a class: `isinstance(x, Order)`, `except OrderError`,
; `model = Order`. Listed first so every more specific reference below wins over it.
((identifier) @name.reference.type
  (#match? @name.reference.type "^_?[A-Z][A-Z0-9]*[a-z][A-Za-z0-9]*$"))

; `Order.objects.filter(...)`, `Color.RED`: a capitalized receiver is a class.
((attribute object: (identifier) @name.reference.type)
  (#match? @name.reference.type "^[A-Z]"))

(call function: (identifier) @name.reference.call)

(call function: (attribute attribute: (identifier) @name.reference.call))

(decorator (identifier) @name.reference.call)

(decorator (attribute attribute: (identifier) @name.reference.call))

(class_definition superclasses: (argument_list (identifier) @name.reference.inherit))

(class_definition superclasses: (argument_list (attribute attribute: (identifier) @name.reference.inherit)))

; `import a.b as c` and `from a.b import C as D`: every module path component and imported name.
(import_statement name: (dotted_name (identifier) @name.reference.import))

(import_statement name: (aliased_import name: (dotted_name (identifier) @name.reference.import)))

(import_from_statement module_name: (dotted_name (identifier) @name.reference.import))

(import_from_statement module_name: (relative_import (dotted_name (identifier) @name.reference.import)))

(import_from_statement name: (dotted_name (identifier) @name.reference.import))

(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name.reference.import)))

; Annotations: `x: Foo`, `-> mod.Bar`, `list[Baz]`, `Foo | None`.
(type (identifier) @name.reference.type)

(type (attribute attribute: (identifier) @name.reference.type))

(type (generic_type (identifier) @name.reference.type))

(type (binary_operator left: (identifier) @name.reference.type))

(type (binary_operator right: (identifier) @name.reference.type))

(type (binary_operator left: (binary_operator right: (identifier) @name.reference.type)))

(type (binary_operator left: (binary_operator left: (identifier) @name.reference.type)))
