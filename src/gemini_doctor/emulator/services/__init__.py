"""The emulated Google services: one module each, ending with ``EMULATED = EmulatedService(...)`` (see
registry)."""
