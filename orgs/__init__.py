"""Organizations, their API keys and their members."""
