; inherits: c
; C++ tags for Orchard's repo map: C's query plus classes, namespaces, methods, templates,
; inheritance and qualified calls. When a node is captured twice, the later capture wins.

; ---- references -----------------------------------------------------------------------------

(call_expression function: (qualified_identifier name: (identifier) @name.reference.call))

(call_expression function: (template_function name: (identifier) @name.reference.call))

(call_expression function: (qualified_identifier name: (template_function name: (identifier) @name.reference.call)))

(call_expression function: (field_expression field: (template_method name: (field_identifier) @name.reference.call)))

(new_expression type: (type_identifier) @name.reference.call)

(new_expression type: (qualified_identifier name: (type_identifier) @name.reference.call))

; `double Polygon::area() const {...}` refers to its class.
(function_definition declarator: (function_declarator
  declarator: (qualified_identifier scope: (namespace_identifier) @name.reference.type)))

(base_class_clause (type_identifier) @name.reference.inherit)

(base_class_clause (qualified_identifier name: (type_identifier) @name.reference.inherit))

(base_class_clause (template_type name: (type_identifier) @name.reference.inherit))

(base_class_clause (qualified_identifier name: (template_type name: (type_identifier) @name.reference.inherit)))

(using_declaration (_) @names.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(namespace_definition body: (declaration_list
  (declaration declarator: (init_declarator declarator: (identifier) @name.definition.variable))))

(namespace_definition name: (namespace_identifier) @name.definition.module)

(class_specifier name: (type_identifier) @name.definition.class body: (_))

(alias_declaration name: (type_identifier) @name.definition.type)

(concept_definition name: (identifier) @name.definition.type)

(function_definition declarator: (function_declarator
  declarator: (qualified_identifier name: (identifier) @name.definition.method)))

(function_definition declarator: (reference_declarator (function_declarator
  declarator: (qualified_identifier name: (identifier) @name.definition.method))))

(function_definition declarator: (pointer_declarator declarator: (function_declarator
  declarator: (qualified_identifier name: (identifier) @name.definition.method))))

(function_definition declarator: (function_declarator
  declarator: (qualified_identifier name: (destructor_name) @name.definition.method)))

(field_declaration_list (field_declaration declarator: (function_declarator
  declarator: (field_identifier) @name.definition.method)))

(field_declaration_list (field_declaration declarator: (pointer_declarator declarator: (function_declarator
  declarator: (field_identifier) @name.definition.method))))

(field_declaration_list (field_declaration declarator: (reference_declarator (function_declarator
  declarator: (field_identifier) @name.definition.method))))

(field_declaration_list (function_definition declarator: (function_declarator
  declarator: (field_identifier) @name.definition.method)))

(field_declaration_list (declaration declarator: (function_declarator
  declarator: (identifier) @name.definition.method)))

(field_declaration_list (function_definition declarator: (function_declarator
  declarator: (identifier) @name.definition.method)))
