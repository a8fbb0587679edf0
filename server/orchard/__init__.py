"""Orchard: parallel LLM coding agents in git worktrees, served over the Language Server Protocol."""

__version__ = "0.1.0"
