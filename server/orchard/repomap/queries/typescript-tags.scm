; inherits: ecma
; TypeScript tags for Orchard's repo map: the shared ecma fragment plus types, interfaces, enums,
; namespaces and signatures. Generic patterns first: when a node is captured twice, the later wins.

; ---- references (generic: any named type; a definition's own name is a definition) ----------

(type_identifier) @name.reference.type

(nested_type_identifier name: (type_identifier) @name.reference.type)

(extends_clause value: (identifier) @name.reference.inherit)

(extends_clause value: (member_expression property: (property_identifier) @name.reference.inherit))

(implements_clause (type_identifier) @name.reference.inherit)

(implements_clause (generic_type name: (type_identifier) @name.reference.inherit))

(extends_type_clause type: (type_identifier) @name.reference.inherit)

(extends_type_clause type: (generic_type name: (type_identifier) @name.reference.inherit))

; ---- definitions ----------------------------------------------------------------------------

(abstract_class_declaration name: (type_identifier) @name.definition.class)

(interface_declaration name: (type_identifier) @name.definition.interface)

(type_alias_declaration name: (type_identifier) @name.definition.type)

(enum_declaration name: (identifier) @name.definition.enum)

(internal_module name: (identifier) @name.definition.module)

(module name: (string (string_fragment) @name.definition.module))

(function_signature name: (identifier) @name.definition.function)

(abstract_method_signature name: (property_identifier) @name.definition.method)

(interface_body (method_signature name: (property_identifier) @name.definition.method))

(public_field_definition
  name: (property_identifier) @name.definition.method
  value: [(arrow_function) (function_expression)])

(ambient_declaration (variable_declaration (variable_declarator name: (identifier) @name.definition.variable)))
