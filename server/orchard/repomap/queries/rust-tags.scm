; Rust tags for Orchard's repo map (tree-sitter-rust from tree-sitter-language-pack 0.13).
; Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.
; @names.reference.import turns every identifier under a `use` into an import reference.

; ---- references -----------------------------------------------------------------------------

; Any named type: fields, parameters, generics, `impl Ledger`, struct literals, trait bounds.
(type_identifier) @name.reference.type

; `Amount::zero`, `LedgerError::Overdrawn(..)`: the path's type.
(scoped_identifier path: (identifier) @cap.reference.type)

(call_expression function: (identifier) @name.reference.call)

(call_expression function: (field_expression field: (field_identifier) @name.reference.call))

(call_expression function: (scoped_identifier name: (identifier) @name.reference.call))

(call_expression function: (generic_function function: (identifier) @name.reference.call))

(call_expression function: (generic_function
  function: (scoped_identifier name: (identifier) @name.reference.call)))

(call_expression function: (generic_function
  function: (field_expression field: (field_identifier) @name.reference.call)))

; `Amount::zero` passed as a value, `LedgerError::Overdrawn` in patterns.
(arguments (scoped_identifier name: (identifier) @name.reference.call))

(macro_invocation macro: (identifier) @name.reference.macro)

(macro_invocation macro: (scoped_identifier name: (identifier) @name.reference.macro))

(attribute_item (attribute (identifier) @name.reference.macro))

; `impl Journal for Ledger`: the trait is inherited.
(impl_item trait: (type_identifier) @name.reference.inherit)

(impl_item trait: (scoped_type_identifier name: (type_identifier) @name.reference.inherit))

(impl_item trait: (generic_type type: (type_identifier) @name.reference.inherit))

(trait_item bounds: (trait_bounds (type_identifier) @name.reference.inherit))

(use_declaration argument: (_) @names.reference.import)

(extern_crate_declaration name: (identifier) @name.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(source_file (static_item name: (identifier) @name.definition.variable))

(const_item name: (identifier) @name.definition.constant)

(function_item name: (identifier) @name.definition.function)

(function_signature_item name: (identifier) @name.definition.function)

(impl_item body: (declaration_list (function_item name: (identifier) @name.definition.method)))

(trait_item body: (declaration_list (function_item name: (identifier) @name.definition.method)))

(trait_item body: (declaration_list
  (function_signature_item name: (identifier) @name.definition.method)))

(struct_item name: (type_identifier) @name.definition.struct)

(union_item name: (type_identifier) @name.definition.struct)

(enum_item name: (type_identifier) @name.definition.enum)

(trait_item name: (type_identifier) @name.definition.trait)

(type_item name: (type_identifier) @name.definition.type)

(associated_type name: (type_identifier) @name.definition.type)

(mod_item name: (identifier) @name.definition.module)

(macro_definition name: (identifier) @name.definition.macro)
