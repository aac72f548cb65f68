"""Writing files on the user's machine without losing anything: the one way the tool creates or changes one.

- A file is replaced atomically: a new file next to it (created exclusively, never through a
  symbolic link), written in full, flushed to disk, then renamed over the old one; a failure
  leaves the old file as it was.
- A change planned from a file's content is refused if the file changed since (another process
  wrote it while the user read the plan).
- Nothing is written or changed through a symbolic link; backups get a name no other file has.
- Names built from outside data (a world file, an error) are reduced to safe characters and stay
  in their folder.
Every failure is a :class:`FileRefused` with a message for the user (and where the backup is).
Paths are ``str`` or path-like; pathlib is not imported (explain's start-up writes its cache here).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time

PRIVATE = 0o600
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 120


class FileRefused(Exception):
    """A file was not written or changed; the message says why, and what was kept."""


def safe_name(text: str) -> str:
    """*text* as a file name that stays in its folder: letters, digits, '.', '_' and '-' only,
    no leading dot, at most 120 characters; never empty."""
    name = _UNSAFE_NAME.sub("_", text).lstrip(".")[:_MAX_NAME]
    return name or "_"


def inside(directory: os.PathLike, name: str) -> os.PathLike:
    """*directory*/*name*, *name* made safe; it cannot be anywhere else."""
    path = directory / safe_name(name)
    if os.path.dirname(path) != os.fspath(directory):  # cannot happen with a safe name: a guard, not a branch
        raise FileRefused(f"{name!r} is not a plain file name")
    return path


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of *path*, a regular file reached without following a symbolic link."""
    fd = _open_no_follow(path, os.O_RDONLY)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise FileRefused(f"cannot read {path}: {exc.strerror or exc}") from None


def write_atomic(
    path: str | os.PathLike,
    data: bytes,
    mode: int | None = None,
    expected: bytes | None = None,
    keep_backup: bool = False,
    durable: bool = True,
) -> str | None:
    """Replace (or create) *path* with *data*, atomically; return the backup's path, if one was made.

    *mode* defaults to the file's own (600 for a new file). *expected*, when given, is the content
    the change was planned from: if the file now holds anything else, nothing is written. With
    *keep_backup*, the current content is copied first (see :func:`backup_of`), and every message
    after that says where the copy is. *durable* (the default) flushes the file and its folder to disk before
    returning; scratch files that die with their process (an emulator's credentials) and caches that are made
    anew when unreadable can skip the wait.
    """
    if os.path.islink(path):
        raise FileRefused(f"{path} is a symbolic link; not writing through it; nothing was changed")
    # replacing it would work, but its owner said no
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise FileRefused(
            f"{path} is read-only; nothing was changed (make it writable first if the change is wanted)"
        )
    current = read_bytes(path) if expected is not None or keep_backup else None
    if expected is not None and current != expected:
        raise FileRefused(
            f"{path} changed since the plan was made (another program wrote it); nothing was written"
        )
    backup = backup_of(path, current) if keep_backup else None
    kept = f"; {path} is unchanged" + (f" and its backup is {backup}" if backup else "")
    if mode is None:
        mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else PRIVATE
    folder, name = os.path.split(path)
    temporaries = (f".{name}.{os.getpid()}-{n}.tmp" for n in range(100))  # beside it: the rename is atomic
    temporary, fd = _create_new(path, temporaries, mode, f"cannot write in {folder}", kept)
    try:
        _write_all(fd, data, durable)
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(temporary)
        raise FileRefused(f"cannot write {path}: {exc.strerror or exc}{kept}") from None
    if durable:
        _sync_folder(folder)
    return backup


def backup_of(path: str | os.PathLike, data: bytes) -> str:
    """Write *data* (*path*'s content) to ``NAME.bak-YYYYmmddTHHMMSS`` beside it (mode 600); a name that
    exists already, or a link planted there, gets a number added: a backup never replaces another file."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    names = (f"{os.path.basename(path)}.bak-{stamp}" + (f"-{n}" if n > 1 else "") for n in range(1, 1000))
    backup, fd = _create_new(path, names, PRIVATE, f"cannot back up {path}", "; nothing was changed")
    try:
        _write_all(fd, data)
    except OSError as exc:
        _remove_quietly(backup)
        raise FileRefused(f"cannot back up {path}: {exc.strerror or exc}; nothing was changed") from None
    return backup


def make_private(path: str | os.PathLike) -> None:
    """chmod 600 on *path* itself: refused for a symbolic link (its target may be anyone's file)."""
    fd = _open_no_follow(path, os.O_RDONLY)
    try:
        os.fchmod(fd, PRIVATE)
    except OSError as exc:
        raise FileRefused(f"cannot chmod 600 {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _open_no_follow(path: str | os.PathLike, flags: int) -> int:
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW)
    except OSError as exc:
        if os.path.islink(path):
            raise FileRefused(f"{path} is a symbolic link; not following it") from None
        raise FileRefused(f"cannot open {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileRefused(f"{path} is not a regular file")
    return fd


def _create_new(path: str | os.PathLike, names, mode: int, failure: str, kept: str) -> tuple[str, int]:
    """The first of *names* (beside *path*) that can be created as a new file, open for writing with
    exactly *mode*; an existing file or link of that name is never opened."""
    for name in names:
        candidate = os.path.join(os.path.dirname(path), name)
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise FileRefused(f"{failure}: {exc.strerror or exc}{kept}") from None
        os.fchmod(fd, mode)  # exactly *mode*, whatever the umask
        return candidate, fd
    raise FileRefused(f"{failure}: no free file name in {os.path.dirname(path)}{kept}")


def _write_all(fd: int, data: bytes, durable: bool = True) -> None:
    """Write *data* to the open descriptor *fd*, flush it to disk (when *durable*), close it."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename stands
    finally:
        os.close(fd)


def _remove_quietly(path: str | os.PathLike) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
