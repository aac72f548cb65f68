"""The one spelling of every JSON output: compact, ASCII only (other characters escaped)."""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring_ascii


def _unserialisable(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


if c_make_encoder is not None:
    # The C encoder behind json.dumps, made once: JSONEncoder.encode builds a new one on every call,
    # which costs more than encoding a short list. No cycle check: outputs are trees.
    _ENCODER = c_make_encoder(None, _unserialisable, encode_basestring_ascii, None, ":", ",", False, False, True)

    def encode(value: object) -> str:
        """*value* as compact ASCII JSON."""
        return "".join(_ENCODER(value, 0))
else:  # an interpreter without the C accelerator
    encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
