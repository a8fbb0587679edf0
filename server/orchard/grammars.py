"""The one home of tree-sitter: grammars from tree-sitter-language-pack (kept below 1.0, whose
wheels bundle them; 1.x downloads grammars at run time), parsers, queries and the node types,
plus grep-ast's wider file-name table. The repo map and lint both parse through this module.
"""

from __future__ import annotations

from grep_ast import TreeContext, filename_to_lang
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree
from tree_sitter_language_pack import get_language, get_parser

__all__ = [
    "Language",
    "Node",
    "Parser",
    "Query",
    "QueryCursor",
    "Tree",
    "TreeContext",
    "filename_to_lang",
    "get_language",
    "get_parser",
]
