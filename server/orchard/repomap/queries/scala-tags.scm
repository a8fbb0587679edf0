; Scala tags for Orchard's repo map (tree-sitter-scala from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

(type_identifier) @name.reference.type

(field_expression value: (identifier) @cap.reference.type)

(call_expression function: (identifier) @name.reference.call)

(call_expression function: (field_expression field: (identifier) @name.reference.call))

(call_expression function: (generic_function function: (identifier) @name.reference.call))

(instance_expression (type_identifier) @name.reference.call)

(instance_expression (generic_type type: (type_identifier) @name.reference.call))

(extends_clause (type_identifier) @name.reference.inherit)

(extends_clause (generic_type type: (type_identifier) @name.reference.inherit))

(import_declaration) @names.reference.import

; ---- definitions ----------------------------------------------------------------------------

(package_clause (package_identifier (identifier) @name.definition.module .))

(compilation_unit (val_definition pattern: (identifier) @name.definition.variable))

(template_body (val_definition pattern: (identifier) @name.definition.variable))

(function_definition name: (identifier) @name.definition.function)

(function_declaration name: (identifier) @name.definition.function)

(template_body (function_definition name: (identifier) @name.definition.method))

(template_body (function_declaration name: (identifier) @name.definition.method))

(type_definition name: (type_identifier) @name.definition.type)

(class_definition name: (identifier) @name.definition.class)

(object_definition name: (identifier) @name.definition.class)

(trait_definition name: (identifier) @name.definition.trait)

(enum_definition name: (identifier) @name.definition.enum)
