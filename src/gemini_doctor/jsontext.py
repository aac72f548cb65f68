"""The one spelling of every JSON output: compact, ASCII only (other characters escaped)."""

from __future__ import annotations

import json

# encode(value) -> *value* as compact ASCII JSON (no cycle check: outputs are trees)
encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
