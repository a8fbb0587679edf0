; Tags shared by JavaScript, TypeScript and TSX (a fragment: see `; inherits:` in those files).
; Node types valid in all three grammars only. Generic patterns first: the later capture wins.

; ---- definitions ----------------------------------------------------------------------------

; Module-level `const x = ...` / `var x = ...`, exported or not (locals are not definitions).
(program (lexical_declaration (variable_declarator name: (identifier) @name.definition.variable)))

(program (variable_declaration (variable_declarator name: (identifier) @name.definition.variable)))

(program (export_statement declaration: (lexical_declaration
  (variable_declarator name: (identifier) @name.definition.variable))))

(program (export_statement declaration: (variable_declaration
  (variable_declarator name: (identifier) @name.definition.variable))))

((variable_declarator name: (identifier) @name.definition.constant)
  (#match? @name.definition.constant "^_*[A-Z][A-Z0-9_]*$"))

(function_declaration name: (identifier) @name.definition.function)

(generator_function_declaration name: (identifier) @name.definition.function)

(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)])

; `exports.run = function () {}`, `Foo.prototype.bar = () => {}`
(expression_statement (assignment_expression
  left: (member_expression property: (property_identifier) @name.definition.function)
  right: [(arrow_function) (function_expression)]))

(pair
  key: (property_identifier) @name.definition.function
  value: [(arrow_function) (function_expression)])

(class_declaration name: (_) @name.definition.class)

(class name: (_) @name.definition.class)

(method_definition name: (property_identifier) @name.definition.method)

(method_definition name: (private_property_identifier) @name.definition.method)

; ---- references -----------------------------------------------------------------------------

; A CamelCase name used as a value is a class or component: `x instanceof Cart`,
; `{ component: CartBadge }`. Listed first so every more specific reference below wins over it.
((identifier) @name.reference.type
  (#match? @name.reference.type "^_?[A-Z][A-Z0-9]*[a-z][A-Za-z0-9]*$"))

; `Reason.Sale`, `Cart.fromJSON(...)`: a capitalized receiver is a class or namespace.
((member_expression object: (identifier) @name.reference.type)
  (#match? @name.reference.type "^[A-Z]"))

(call_expression function: (identifier) @name.reference.call)

(call_expression function: (member_expression property: (property_identifier) @name.reference.call))

(new_expression constructor: (identifier) @name.reference.call)

(new_expression constructor: (member_expression property: (property_identifier) @name.reference.call))

(decorator (identifier) @name.reference.call)

(decorator (member_expression property: (property_identifier) @name.reference.call))

; Imports: the names and every component of the module path; re-exports and `require`, `import()`.
(import_specifier name: (identifier) @name.reference.import)

(import_clause (identifier) @name.reference.import)

(import_statement source: (string (string_fragment) @path.reference.import))

(export_statement source: (string (string_fragment) @path.reference.import))

(export_statement (export_clause (export_specifier name: (identifier) @name.reference.import)) source: (_))

((call_expression
  function: (identifier) @_require
  arguments: (arguments . (string (string_fragment) @path.reference.import)))
  (#eq? @_require "require"))

(call_expression
  function: (import)
  arguments: (arguments . (string (string_fragment) @path.reference.import)))
