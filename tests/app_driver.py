"""One interpreter for a test module's client apps: the app's code is loaded once (a Google SDK costs a second
or more to import) and its ``run()`` called once per scenario, each time in exactly the environment
`source env.sh` gives.

Each call is still a real client's call: the app makes a new client in ``run()``, which reads the environment
then, as it would in a fresh interpreter. A library that reads the environment when imported needs an
interpreter per scenario instead.
"""

from __future__ import annotations

import json
import select
import subprocess
from pathlib import Path

# The driver: the app's code once, then for each request (an env.sh path and variables set before it) the
# environment bash has after sourcing it, run(), and one line of JSON: {"out": what run() returned} or
# {"error": the traceback}. What the app prints goes to stderr, so nothing but answers reaches stdout.
# Warnings show once per run() (catch_warnings forgets which were shown), as once per fresh interpreter.
DRIVER = """
import json, os, subprocess, sys, traceback, warnings
answers, sys.stdout = sys.stdout, sys.stderr
base = dict(os.environ)
app = {}
exec(compile(base.pop("APP"), "<app>", "exec"), app)
for line in sys.stdin:
    request = json.loads(line)
    sourced = subprocess.run(["bash", "-c", 'source "$1" && env -0', "-", request["env_sh"]],
                             env={**base, **request["environ"]}, capture_output=True, check=True)
    os.environ.clear()
    os.environ.update(dict(pair.split("=", 1) for pair in sourced.stdout.decode().split("\\0") if pair))
    try:
        with warnings.catch_warnings():
            answer = {"out": app["run"]()}
    except BaseException:
        answer = {"error": traceback.format_exc()}
    sys.stderr.flush()
    answers.write(json.dumps(answer) + "\\n")
    answers.flush()
"""


class AppDriver:
    """*app* (Python code defining ``run()``, which returns what happened as JSON-able data) in a long-lived
    *python*, with a sealed environment (PATH, HOME, NO_GCE_CHECK and *environ*); a context manager."""

    def __init__(
        self, python: str | Path, app: str, home: Path, environ: dict[str, str] | None = None
    ) -> None:
        self._stderr = (home / "app-driver.stderr").open("w+")
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "NO_GCE_CHECK": "true",
            **(environ or {}),
            "APP": app,
        }
        self._process = subprocess.Popen(
            [str(python), "-c", DRIVER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def run(
        self, env_sh: Path, environ: dict[str, str] | None = None, timeout: float = 120
    ) -> tuple[object, str]:
        """What the app's ``run()`` returns after *environ* is set and `source env_sh`, and what it wrote on
        stderr meanwhile; a failure shows the app's traceback."""
        self._stderr.seek(0, 2)
        start = self._stderr.tell()
        self._process.stdin.write(json.dumps({"env_sh": str(env_sh), "environ": environ or {}}) + "\n")
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        assert line, f"the app gave no answer within {timeout} s; its stderr ends: {self._stderr_tail()}"
        answer = json.loads(line)
        assert "error" not in answer, answer["error"] + self._stderr_tail()
        self._stderr.seek(start)
        return answer["out"], self._stderr.read()

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:]

    def close(self) -> None:
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> AppDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
