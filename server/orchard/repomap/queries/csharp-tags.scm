; C# tags for Orchard's repo map (tree-sitter-c-sharp from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.
; C# types are plain `identifier` nodes, so type uses are found by their `type:`/`returns:` fields.

; ---- references -----------------------------------------------------------------------------

(_ type: (identifier) @name.reference.type)

(_ type: (generic_name (identifier) @name.reference.type))

(_ type: (qualified_name name: (identifier) @name.reference.type))

(_ type: (nullable_type (identifier) @name.reference.type))

(_ type: (array_type type: (identifier) @name.reference.type))

(_ returns: (identifier) @name.reference.type)

(_ returns: (generic_name (identifier) @name.reference.type))

(_ returns: (qualified_name name: (identifier) @name.reference.type))

(_ returns: (nullable_type (identifier) @name.reference.type))

(type_argument_list (identifier) @name.reference.type)

(type_argument_list (generic_name (identifier) @name.reference.type))

(type_parameter_constraint (type (identifier) @name.reference.type))

; `InvoiceFormatter.Format(...)`, `OrderState.Open`: a capitalized receiver is a type.
(member_access_expression expression: (identifier) @cap.reference.type)

(invocation_expression function: (identifier) @name.reference.call)

(invocation_expression function: (generic_name (identifier) @name.reference.call))

(invocation_expression function: (member_access_expression name: (identifier) @name.reference.call))

(invocation_expression function: (member_access_expression name: (generic_name (identifier) @name.reference.call)))

; `orders.Where(IsOpen)`: a method group passed by name.
(argument (identifier) @cap.reference.call)

(object_creation_expression type: (identifier) @name.reference.call)

(object_creation_expression type: (generic_name (identifier) @name.reference.call))

(object_creation_expression type: (qualified_name name: (identifier) @name.reference.call))

(attribute name: (identifier) @name.reference.call)

(attribute name: (qualified_name name: (identifier) @name.reference.call))

(base_list (identifier) @name.reference.inherit)

(base_list (generic_name (identifier) @name.reference.inherit))

(base_list (qualified_name name: (identifier) @name.reference.inherit))

(using_directive (_) @names.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(namespace_declaration name: (identifier) @name.definition.module)

(namespace_declaration name: (qualified_name name: (identifier) @name.definition.module))

(file_scoped_namespace_declaration name: (identifier) @name.definition.module)

(file_scoped_namespace_declaration name: (qualified_name name: (identifier) @name.definition.module))

((field_declaration (modifier) @_const (variable_declaration
  (variable_declarator name: (identifier) @name.definition.constant)))
  (#eq? @_const "const"))

(class_declaration name: (identifier) @name.definition.class)

(record_declaration name: (identifier) @name.definition.class)

(struct_declaration name: (identifier) @name.definition.struct)

(interface_declaration name: (identifier) @name.definition.interface)

(enum_declaration name: (identifier) @name.definition.enum)

(delegate_declaration name: (identifier) @name.definition.type)

(method_declaration name: (identifier) @name.definition.method)

(local_function_statement name: (identifier) @name.definition.function)
