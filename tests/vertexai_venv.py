"""The venv holding Google's Vertex SDK for tests/test_vertexai_sdk.py, made once per machine and version.

google-cloud-aiplatform requires google-genai below 3 while our test extra tests the current google-genai,
so the SDK lives in a venv of its own (about a minute to make), kept in the user's cache folder. `.ci/run`
makes it while the other installs run (`python tests/vertexai_venv.py`); the test makes it if it is
missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

SDK = "google-cloud-aiplatform==2.7.0"  # the newest release; it brings google-genai 2.x with it
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gemini-doctor-tests"


class NotMade(RuntimeError):
    """The venv could not be made (pip's error output)."""


def ensure() -> Path:
    """The python of the SDK's venv, made under a lock (pytest's workers and CI share it) unless it is
    ready."""
    venv = CACHE / f"vertexai-{hashlib.sha256(f'{SDK} {sys.version_info[:2]}'.encode()).hexdigest()[:12]}"
    python, ready = venv / "bin" / "python", venv / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        try:
            made = subprocess.run(
                f"{sys.executable} -m venv {venv} && {python} -m pip install -q {SDK}",
                shell=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
        except subprocess.TimeoutExpired:
            raise NotMade(f"pip did not finish installing {SDK} within 900 s") from None
        if made.returncode != 0:
            raise NotMade(made.stderr)
        ready.touch()
    return python


if __name__ == "__main__":
    try:
        ensure()
    except NotMade as failure:
        sys.exit(f"could not install {SDK}: {str(failure)[-2000:]}")
