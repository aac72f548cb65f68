"""A JSON copy of parsed data files under the user's cache folder, so a start-up skips parsing TOML.

The copy is keyed by the files' paths, sizes and modification times: editing a file makes a new key.
Best effort throughout: without a usable cache folder the files are simply parsed every time.
"""

from __future__ import annotations

import json
import os
import zlib


def cache_file(kind: str, paths: list[str]) -> str | None:
    """Where the JSON copy of *paths* (parsed as *kind*) lives; None when there is no cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base or base.startswith("~"):
        return None
    try:
        stamps = [(path, (st := os.stat(path)).st_size, st.st_mtime_ns) for path in paths]
    except OSError:
        return None
    blob = json.dumps(stamps).encode()
    return os.path.join(base, "gemini-doctor", f"{kind}-{zlib.crc32(blob):08x}-{len(blob)}.json")


def read_cached(path: str | None) -> object | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, TypeError):
        return None


def write_cached(path: str | None, value: object) -> None:
    """Write atomically; a read-only home just means parsing every time."""
    if path is None:
        return
    from .safefiles import FileRefused, write_atomic

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(value).encode())
    except (OSError, FileRefused):
        pass
