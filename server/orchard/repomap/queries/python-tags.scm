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

; A capitalized name passed or stored as a value is a class (or a constant): `isinstance(x, Order)`,
; `model = Order`, `{"order": Order}`. Only in these places: capturing every identifier would make
; the query a third slower. `except` names are classes whatever their case.
(argument_list (identifier) @cap.reference.type)

(keyword_argument value: (identifier) @cap.reference.type)

(assignment right: (identifier) @cap.reference.type)

(pair value: (identifier) @cap.reference.type)

(list (identifier) @cap.reference.type)

(except_clause (identifier) @name.reference.type)

(except_clause (as_pattern . (identifier) @name.reference.type))

(except_clause (tuple (identifier) @name.reference.type))

(except_clause (as_pattern . (tuple (identifier) @name.reference.type)))

; `Order.objects.filter(...)`, `Color.RED`: a capitalized receiver is a class.
(attribute object: (identifier) @cap.reference.type)

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
