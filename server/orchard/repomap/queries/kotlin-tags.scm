; Kotlin tags for Orchard's repo map (tree-sitter-kotlin from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

(type_identifier) @name.reference.type

(navigation_expression . (simple_identifier) @cap.reference.type)

(call_expression . (simple_identifier) @name.reference.call)

(call_expression . (navigation_expression (navigation_suffix (simple_identifier) @name.reference.call)))

(delegation_specifier (user_type (type_identifier) @name.reference.inherit))

(delegation_specifier (constructor_invocation (user_type (type_identifier) @name.reference.inherit)))

(annotation (user_type (type_identifier) @name.reference.call))

(annotation (constructor_invocation (user_type (type_identifier) @name.reference.call)))

(import_header (identifier) @names.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(package_header (identifier (simple_identifier) @name.definition.module .))

(source_file (property_declaration (variable_declaration (simple_identifier) @name.definition.variable)))

((property_declaration (variable_declaration (simple_identifier) @name.definition.constant))
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(type_alias (type_identifier) @name.definition.type)

(function_declaration (simple_identifier) @name.definition.function)

(class_body (function_declaration (simple_identifier) @name.definition.method))

(class_declaration (type_identifier) @name.definition.class)

(object_declaration (type_identifier) @name.definition.class)

(class_declaration "interface" (type_identifier) @name.definition.interface)

(class_declaration (type_identifier) @name.definition.enum (enum_class_body))
