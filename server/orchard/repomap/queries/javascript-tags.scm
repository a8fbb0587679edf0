; inherits: ecma, jsx
; JavaScript tags for Orchard's repo map: the shared ecma and jsx fragments, plus `extends`
; (TypeScript wraps it in an extends_clause instead).

(class_heritage (identifier) @name.reference.inherit)

(class_heritage (member_expression property: (property_identifier) @name.reference.inherit))
