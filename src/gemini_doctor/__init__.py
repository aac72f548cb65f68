"""gemini-doctor: why your call to Google's Gemini models is refused, and what to do about it."""

from __future__ import annotations

__version__ = "0.1.0"


def explain(error: object):
    """Diagnose *error* (text, dict body, SDK exception or HTTP response); returns a Diagnosis."""
    from .api import explain as _explain

    return _explain(error)


__all__ = ["explain", "__version__"]
