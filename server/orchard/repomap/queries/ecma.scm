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

(variable_declarator name: (identifier) @upper.definition.constant)

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

; A capitalized name passed or stored as a value is a class, component or constant:
; `register(CartBadge)`, `{ component: CartBadge }`, `[Home, About]`; `x instanceof Cart` whatever
; the case. Only in these places: capturing every identifier would make the query a third slower.
(arguments (identifier) @cap.reference.type)

(pair value: (identifier) @cap.reference.type)

(array (identifier) @cap.reference.type)

(variable_declarator value: (identifier) @cap.reference.type)

(binary_expression operator: "instanceof" right: (identifier) @name.reference.type)

; `Reason.Sale`, `Cart.fromJSON(...)`: a capitalized receiver is a class or namespace.
(member_expression object: (identifier) @cap.reference.type)

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
