; Java tags for Orchard's repo map (tree-sitter-java from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.

; ---- references -----------------------------------------------------------------------------

; Any named type: fields, parameters, locals, generics, throws, casts.
(type_identifier) @name.reference.type

; `Money.round(...)`, `Status.OPEN`: a capitalized receiver is a class.
(method_invocation object: (identifier) @cap.reference.type)

(field_access object: (identifier) @cap.reference.type)

(method_invocation name: (identifier) @name.reference.call)

(method_reference (identifier) @name.reference.call .)

(object_creation_expression type: (type_identifier) @name.reference.call)

(object_creation_expression type: (generic_type (type_identifier) @name.reference.call))

(object_creation_expression type: (scoped_type_identifier (type_identifier) @name.reference.call .))

(marker_annotation name: (identifier) @name.reference.call)

(annotation name: (identifier) @name.reference.call)

(superclass (type_identifier) @name.reference.inherit)

(superclass (generic_type (type_identifier) @name.reference.inherit))

(superclass (scoped_type_identifier (type_identifier) @name.reference.inherit .))

(super_interfaces (type_list (type_identifier) @name.reference.inherit))

(super_interfaces (type_list (generic_type (type_identifier) @name.reference.inherit)))

(extends_interfaces (type_list (type_identifier) @name.reference.inherit))

(extends_interfaces (type_list (generic_type (type_identifier) @name.reference.inherit)))

; `import com.acme.shop.billing.Invoice;`: every component, the class name last.
(import_declaration (_) @names.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(package_declaration (scoped_identifier name: (identifier) @name.definition.module))

(package_declaration (identifier) @name.definition.module)

((field_declaration declarator: (variable_declarator name: (identifier) @name.definition.constant))
  (#match? @name.definition.constant "^[A-Z][A-Z0-9_]*$"))

(constant_declaration declarator: (variable_declarator name: (identifier) @name.definition.constant))

(class_declaration name: (identifier) @name.definition.class)

(record_declaration name: (identifier) @name.definition.class)

(interface_declaration name: (identifier) @name.definition.interface)

(annotation_type_declaration name: (identifier) @name.definition.interface)

(enum_declaration name: (identifier) @name.definition.enum)

(method_declaration name: (identifier) @name.definition.method)
