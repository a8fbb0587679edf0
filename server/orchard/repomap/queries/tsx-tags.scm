; inherits: typescript, jsx
; TSX tags for Orchard's repo map: TypeScript's query plus JSX component uses.
