"""Model calls: `client.py` (ModelClient, the only litellm import), `retry.py`, `usage.py`."""
