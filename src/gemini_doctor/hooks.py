"""Diagnosis inside users' programs: exception notes on Google errors, for tracebacks to show.

``install()`` hooks uncaught exceptions (main thread and threads); ``diagnosing()`` does the same
for one block. Only errors from Google's client libraries get a note; nothing here ever raises.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

from .render.terminal import safe_line

_GOOGLE_MODULES = (
    "google.genai",
    "google.api_core",
    "google.auth",
    "google.generativeai",
    "googleapiclient",
    "grpc",
)
_MARK = "gemini-doctor:"


def note_for(exc: BaseException) -> str | None:
    """The note for a Google error (or an error caused by one), else None: one line, secrets redacted, and
    control characters or escape sequences from the error shown as escapes (tracebacks reach terminals)."""
    if not _from_google(exc):
        return None
    from .api import explain
    from .engine.diagnosis import UNKNOWN

    result = explain(exc).to_dict()
    top = result["causes"][0]
    if top["id"] == UNKNOWN:
        return None
    step = top["fix"][0] if top["fix"] else {}
    fix = step.get("command") or step.get("step", "")
    return safe_line(
        f"{_MARK} {top['title']} [{top['id']}, {round(top['confidence'] * 100)}%]. Fix: {fix}. "
        f"{top['retry_advice']} (gemini-doctor check tells more)"
    )


def annotate(exc: BaseException) -> BaseException:
    """Add the note to *exc* once; never raise."""
    try:
        if not any(str(n).startswith(_MARK) for n in getattr(exc, "__notes__", ())):
            note = note_for(exc)
            if note:
                exc.add_note(note)
    except Exception:  # noqa: BLE001 - a diagnosis must never replace the user's own error
        pass
    return exc


def install() -> None:
    """Add the diagnosis to every uncaught Google error's traceback (idempotent): in scripts and
    threads through the excepthooks, and in IPython or Jupyter through the shell."""
    _install_excepthooks()
    _install_in_ipython()


def _install_excepthooks() -> None:
    if getattr(sys.excepthook, "_gemini_doctor", False):
        return
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def hook(kind, value, tb):
        previous_hook(kind, annotate(value), tb)

    def thread_hook(args):
        if args.exc_value is not None:
            annotate(args.exc_value)
        previous_thread_hook(args)

    hook._gemini_doctor = True
    sys.excepthook, threading.excepthook = hook, thread_hook


def _install_in_ipython() -> None:
    """IPython shows a cell's error itself and never calls sys.excepthook; its custom exception
    handler is the place to add the note. A handler the user set already is left alone."""
    ipython = sys.modules.get("IPython")  # only when running inside IPython: never imported here
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or getattr(shell, "custom_exceptions", ()):
        return

    def show_with_note(shell, kind, value, tb, tb_offset=None):
        shell.showtraceback((kind, annotate(value), tb), tb_offset=tb_offset)

    shell.set_custom_exc((Exception,), show_with_note)


@contextmanager
def diagnosing():
    """Within the block, a Google error leaves with the diagnosis as an exception note."""
    try:
        yield
    except BaseException as exc:
        annotate(exc)
        raise


def _from_google(exc: BaseException) -> bool:
    seen, current = 0, exc
    while current is not None and seen < 8:
        if type(current).__module__.startswith(_GOOGLE_MODULES):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False
