"""API Keys (apikeys.googleapis.com): which project owns the key, and its restrictions."""
