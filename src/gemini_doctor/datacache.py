"""What a start-up would otherwise work out again every time, kept as JSON under the user's cache folder.

- :func:`cache_file`: a JSON copy of parsed data files (so a start-up skips parsing TOML), keyed by the
  files' paths, sizes and modification times: editing a file makes a new key;
- :class:`DiskMemo`: the answers of a pure function of a string (e.g. the literals a regex needs),
  keyed by the package version and a hash of the code that computes them.

Best effort throughout: without a usable cache folder the work is simply done every time.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable

from . import __version__

MAX_MEMO = 4096  # answers a DiskMemo writes at most (callers beyond the package's own, e.g. tests, stay out)


def cache_file(kind: str, paths: list[str]) -> str | None:
    """Where the JSON copy of *paths* (parsed as *kind*) lives; None when there is no cache folder."""
    folder = _folder()
    if folder is None:
        return None
    try:
        stamps = [(path, (st := os.stat(path)).st_size, st.st_mtime_ns) for path in paths]
    except OSError:
        return None
    blob = json.dumps(stamps).encode()
    return os.path.join(folder, f"{kind}-{zlib.crc32(blob):08x}-{len(blob)}.json")


def code_cache_file(kind: str, code: list[str]) -> str | None:
    """Where *kind*'s cache lives, keyed by the package version and a hash of the contents of the
    *code* files that compute it (a new version or any edit makes a new file); None without a folder."""
    folder = _folder()
    digest = code_digest(code)
    if folder is None or digest is None:
        return None
    return os.path.join(folder, f"{kind}-{__version__}-{digest}.json")


def code_digest(code: list[str]) -> str | None:
    """A hash of the contents of the *code* files (hex), or None when one cannot be read."""
    digest = 0
    try:
        for path in code:
            with open(path, "rb") as handle:
                digest = zlib.crc32(handle.read(), digest)
    except OSError:
        return None
    return f"{digest:08x}"


def _folder() -> str | None:
    """gemini-doctor's folder in the user's cache folder (which may not exist yet)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base or base.startswith("~"):
        return None
    return os.path.join(base, "gemini-doctor")


def read_cached(path: str | None) -> object | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, TypeError):
        return None


def write_cached(path: str | None, value: object) -> None:
    """Write atomically, without waiting for the disk: a file a crash leaves torn reads as no cache (parsed
    anew); a read-only home just means parsing every time."""
    if path is None:
        return
    from .safefiles import FileRefused, write_atomic

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(value).encode(), durable=False)
    except (OSError, FileRefused):
        pass


class DiskMemo:
    """*function*, a pure function of a string whose answers are JSON, with its answers kept on disk
    between runs (:func:`code_cache_file`, for the *code* files that define it). The file is read on
    the first call; answers worked out anew are written once, when the process exits. *revive* turns
    an answer read back from JSON into what *function* returns (a tuple for a list, say)."""

    __slots__ = ("_answers", "_code", "_function", "_kind", "_path", "_revive", "_unsaved")

    def __init__(
        self,
        kind: str,
        function: Callable[[str], object],
        code: list[str],
        revive: Callable[[object], object] | None = None,
    ) -> None:
        self._kind, self._function, self._code, self._revive = kind, function, code, revive
        self._answers: dict[str, object] | None = None
        self._path: str | None = None
        self._unsaved = False

    def __call__(self, argument: str) -> object:
        answers = self._answers if self._answers is not None else self._load()
        if argument in answers:
            return answers[argument]
        if not self._unsaved:
            import atexit

            atexit.register(self._save)
            self._unsaved = True
        answer = answers[argument] = self._function(argument)
        return answer

    def _load(self) -> dict[str, object]:
        self._path = code_cache_file(self._kind, self._code)
        stored = read_cached(self._path)
        try:
            self._answers = {key: self._revived(answer) for key, answer in stored.items()}
        except (AttributeError, TypeError, ValueError):  # no file, or not one this code wrote
            self._answers = {}
        return self._answers

    def _revived(self, answer: object) -> object:
        return answer if self._revive is None else self._revive(answer)

    def _save(self) -> None:
        if len(self._answers) <= MAX_MEMO:
            write_cached(self._path, self._answers)
