; Swift tags for Orchard's repo map (tree-sitter-swift from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

(type_identifier) @name.reference.type

(navigation_expression . (simple_identifier) @cap.reference.type)

(call_expression . (simple_identifier) @name.reference.call)

(call_expression . (navigation_expression (navigation_suffix (simple_identifier) @name.reference.call)))

(inheritance_specifier (user_type (type_identifier) @name.reference.inherit))

(import_declaration (identifier) @names.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(source_file (property_declaration (pattern (simple_identifier) @name.definition.variable)))

(typealias_declaration name: (type_identifier) @name.definition.type)

(function_declaration name: (simple_identifier) @name.definition.function)

(class_body (function_declaration name: (simple_identifier) @name.definition.method))

(protocol_function_declaration name: (simple_identifier) @name.definition.method)

(class_declaration declaration_kind: "class" name: (type_identifier) @name.definition.class)

(class_declaration declaration_kind: "actor" name: (type_identifier) @name.definition.class)

(class_declaration declaration_kind: "struct" name: (type_identifier) @name.definition.struct)

(class_declaration declaration_kind: "enum" name: (type_identifier) @name.definition.enum)

(protocol_declaration name: (type_identifier) @name.definition.interface)
