"""lint/tools package."""
