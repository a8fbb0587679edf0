; PHP tags for Orchard's repo map (tree-sitter-php from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

(named_type (name) @name.reference.type)

(named_type (qualified_name (name) @name.reference.type .))

(scoped_call_expression scope: (name) @name.reference.type)

(scoped_call_expression scope: (qualified_name (name) @name.reference.type .))

(class_constant_access_expression . (name) @name.reference.type)

(scoped_property_access_expression scope: (name) @name.reference.type)

(binary_expression operator: "instanceof" right: (name) @name.reference.type)

(catch_clause type: (type_list (named_type (name) @name.reference.type)))

(function_call_expression function: (name) @name.reference.call)

(function_call_expression function: (qualified_name (name) @name.reference.call .))

(member_call_expression name: (name) @name.reference.call)

(nullsafe_member_call_expression name: (name) @name.reference.call)

(scoped_call_expression name: (name) @name.reference.call)

(object_creation_expression (name) @name.reference.call)

(object_creation_expression (qualified_name (name) @name.reference.call .))

(attribute (name) @name.reference.call)

(base_clause (name) @name.reference.inherit)

(base_clause (qualified_name (name) @name.reference.inherit .))

(class_interface_clause (name) @name.reference.inherit)

(class_interface_clause (qualified_name (name) @name.reference.inherit .))

(use_declaration (name) @name.reference.inherit)

(use_declaration (qualified_name (name) @name.reference.inherit .))

(namespace_use_declaration) @names.reference.import

(require_expression (string (string_content) @path.reference.import))

(require_once_expression (string (string_content) @path.reference.import))

(include_expression (string (string_content) @path.reference.import))

(include_once_expression (string (string_content) @path.reference.import))

(require_expression (binary_expression right: (string (string_content) @path.reference.import)))

(require_once_expression (binary_expression right: (string (string_content) @path.reference.import)))

(include_expression (binary_expression right: (string (string_content) @path.reference.import)))

(include_once_expression (binary_expression right: (string (string_content) @path.reference.import)))

; ---- definitions ----------------------------------------------------------------------------

(namespace_definition name: (namespace_name (name) @name.definition.module .))

(const_declaration (const_element (name) @name.definition.constant))

(function_definition name: (name) @name.definition.function)

(class_declaration name: (name) @name.definition.class)

(interface_declaration name: (name) @name.definition.interface)

(trait_declaration name: (name) @name.definition.trait)

(enum_declaration name: (name) @name.definition.enum)

(method_declaration name: (name) @name.definition.method)
