; Go tags for Orchard's repo map (tree-sitter-go from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

; Any named type: fields, parameters, receivers (`func (s *Store)`), composite literals, generics.
(type_identifier) @name.reference.type

(call_expression function: (identifier) @name.reference.call)

(call_expression function: (selector_expression field: (field_identifier) @name.reference.call))

(call_expression function: (parenthesized_expression (identifier) @name.reference.call))

; Embedding is Go's inheritance: `struct { Base }`, `interface { io.Reader }`.
(field_declaration !name type: (type_identifier) @name.reference.inherit)

(field_declaration !name type: (pointer_type (type_identifier) @name.reference.inherit))

(field_declaration !name type: (qualified_type name: (type_identifier) @name.reference.inherit))

(interface_type (type_elem (type_identifier) @name.reference.inherit))

(interface_type (type_elem (qualified_type name: (type_identifier) @name.reference.inherit)))

(import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @path.reference.import))

(import_spec path: (raw_string_literal (raw_string_literal_content) @path.reference.import))

; ---- definitions ----------------------------------------------------------------------------

(source_file (var_declaration (var_spec name: (identifier) @name.definition.variable)))

(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name.definition.variable))))

(source_file (const_declaration (const_spec name: (identifier) @name.definition.constant)))

(function_declaration name: (identifier) @name.definition.function)

(method_declaration name: (field_identifier) @name.definition.method)

(method_elem name: (field_identifier) @name.definition.method)

(type_spec name: (type_identifier) @name.definition.type)

(type_alias name: (type_identifier) @name.definition.type)

(type_spec name: (type_identifier) @name.definition.struct type: (struct_type))

(type_spec name: (type_identifier) @name.definition.interface type: (interface_type))

(package_clause (package_identifier) @name.definition.module)
