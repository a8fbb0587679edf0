; JSX component uses, shared by JavaScript and TSX (a fragment). `<Card>` and `<Layout.Row/>` refer
; to components; lower-case tags (`<div>`) are HTML elements and refer to nothing in the repository.

(jsx_opening_element name: (identifier) @cap.reference.call)

(jsx_self_closing_element name: (identifier) @cap.reference.call)

(jsx_opening_element name: (member_expression property: (property_identifier) @name.reference.call))

(jsx_self_closing_element name: (member_expression property: (property_identifier) @name.reference.call))
