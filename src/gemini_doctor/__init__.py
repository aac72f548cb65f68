"""gemini-doctor: why your call to Google's Gemini models is refused, and what to do about it."""

from __future__ import annotations

__version__ = "0.1.0"


def explain(error: object, **known: str):
    """Diagnose *error* (text, dict body, SDK exception or HTTP response); returns a Diagnosis.
    *known* fills fixes where the error is silent, e.g. ``project="acme-prod"``."""
    from .api import explain as _explain

    return _explain(error, **known)


def install() -> None:
    """Add the diagnosis, as an exception note, to every uncaught Google API error."""
    from .hooks import install as _install

    _install()


def diagnosing():
    """Context manager: a Google API error leaving the block carries the diagnosis as a note."""
    from .hooks import diagnosing as _diagnosing

    return _diagnosing()


__all__ = ["diagnosing", "explain", "install", "__version__"]
