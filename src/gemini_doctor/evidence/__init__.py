"""Parsing errors into evidence: any pasted error text becomes one normalised record."""

from .parse import MAX_INPUT_CHARS, Evidence, parse_text
from .record import ErrorRecord

__all__ = ["ErrorRecord", "Evidence", "MAX_INPUT_CHARS", "parse_text"]
