"""Live probes, read-only: discover the credentials the user's code really uses, then ask Google's own APIs.

One package per Google API, one module per probe (see :mod:`.registry`); the probes reach Google only
through :class:`.transport.GoogleHttp` and run as a dependency graph (:mod:`.runner`). Composing them with
the verdict is :mod:`gemini_doctor.check`'s job: this package imports nothing from the engine's ranking.
"""

# What `check` asks (``check --for``, ``Setup.purpose``): does the app's call work, or may the signed-in
# account create an AI Studio key. A probe module's PURPOSES names those it answers (see :mod:`.registry`).
FOR_CALL, FOR_KEY_CREATION = "call", "key-creation"
PURPOSES = (FOR_CALL, FOR_KEY_CREATION)
