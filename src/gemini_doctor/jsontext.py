"""The one spelling of every JSON output: compact, ASCII only (other characters escaped)."""

from __future__ import annotations

import json

# one encoder for every line of a batch; outputs are trees (built from parsed JSON), never cyclic
encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
