"""Orchard: parallel LLM coding agents in git worktrees, served over LSP."""

__version__ = "0.1.0"
