"""API Keys (apikeys.googleapis.com): which project owns the key, and its restrictions."""


def asks_about_the_key(setup) -> bool:
    """Whether the API Keys probes run: the app calls with a key, and a credential may ask about it."""
    return setup.api_key is not None and setup.credentials is not None and setup.uses_key
