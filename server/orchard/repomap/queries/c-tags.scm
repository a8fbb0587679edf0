; C tags for Orchard's repo map (tree-sitter-c from tree-sitter-language-pack 0.13); C++ inherits
; it. Capture names: @name.definition.<category> / @name.reference.<category>; when a node is
; captured twice, the capture name first used later in this file wins: generic patterns first.
; References are real uses (types, calls, macros, includes), never "every identifier".

; ---- references -----------------------------------------------------------------------------

; Any named type: `buffer_t *b`, `struct arena *`, casts, sizeof.
(type_identifier) @name.reference.type

; Upper-case names used as values are macros or enum constants (`BUFFER_MIN`, `MODE_READ`).
(identifier) @upper.reference.macro

(call_expression function: (identifier) @name.reference.call)

; Calls through function-pointer fields: `ops->write(...)`.
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))

(preproc_include path: (string_literal (string_content) @path.reference.import))

(preproc_include path: (system_lib_string) @path.reference.import)

; ---- definitions ----------------------------------------------------------------------------

(translation_unit (declaration declarator: (identifier) @name.definition.variable))

(translation_unit (declaration declarator: (init_declarator declarator: (identifier) @name.definition.variable)))

(translation_unit (declaration declarator: (pointer_declarator declarator: (identifier) @name.definition.variable)))

(translation_unit (declaration declarator: (array_declarator declarator: (identifier) @name.definition.variable)))

(enumerator name: (identifier) @name.definition.constant)

(preproc_def name: (identifier) @name.definition.macro)

(preproc_function_def name: (identifier) @name.definition.macro)

; Prototypes count: in a header they are what other files see.
(declaration declarator: (function_declarator declarator: (identifier) @name.definition.function))

(declaration declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function)))

(function_definition declarator: (function_declarator declarator: (identifier) @name.definition.function))

(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function)))

(function_definition declarator: (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))))

(type_definition declarator: (type_identifier) @name.definition.type)

(type_definition declarator: (pointer_declarator declarator: (type_identifier) @name.definition.type))

(type_definition declarator: (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name.definition.type))))

; Only a struct with a body defines it; `struct arena;` and `struct arena *a` refer to it.
(struct_specifier name: (type_identifier) @name.definition.struct body: (_))

(union_specifier name: (type_identifier) @name.definition.struct body: (_))

(enum_specifier name: (type_identifier) @name.definition.enum body: (_))
