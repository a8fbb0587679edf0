"""Prompt assembly: `sections.py` (parts, order), `chunks.py` (budgets), `summary.py` (history)."""
