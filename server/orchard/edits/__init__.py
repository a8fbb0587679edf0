"""edits package."""
