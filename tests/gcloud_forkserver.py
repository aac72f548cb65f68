"""The real gcloud, started in a quarter of the time: a fork server for the tests' gcloud commands.

Each `gcloud` run spends ~0.5 s of its ~0.7 s of CPU importing the SDK before it reads its arguments. Here
one process of gcloud's own Python imports the SDK exactly as gcloud's launcher (lib/gcloud.py) does, runs
nothing else, and forks a fresh child for every command: the child takes the caller's arguments,
environment, working folder and standard streams, then runs the launcher's own `main()`, so each command
still starts from a clean, just-imported gcloud and ends in a normal interpreter exit. A `gcloud` shim first
on the tests' PATH (tests/gcloud_shim.py) hands each command to the server and exits with the command's
code, so the lines tests run (`bash -c 'gcloud …'`) stay as a user pastes them.

Used when the SDK ships its bundled Python (the server and shim run on it); otherwise, or with
GEMINI_DOCTOR_TESTS_PLAIN_GCLOUD=1 (to run the same tests through gcloud's own launcher), tests run the
gcloud on PATH. Stdlib only: it runs under gcloud's interpreter too.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import logging
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from gcloud_shim import launcher_environ

BUNDLED_PYTHON = Path("platform", "bundledpythonunix", "bin", "python3")
# What nearly every command imports once it has read its arguments (HTTP, credentials, output, the update
# check and what they bring: ~0.1 s of each command): imported by the server, so children start with them.
# Each one is imported without reading the environment or gcloud's properties; one a newer SDK has moved
# is left to the commands.
COMMON_MODULES = (
    "googlecloudsdk.api_lib.container.api_adapter",
    "googlecloudsdk.calliope.parser_completer",
    "googlecloudsdk.command_lib.auth.enterprise_certificate_config",
    "googlecloudsdk.core.credentials.google_auth_credentials",
    "googlecloudsdk.core.credentials.p12_service_account",
    "googlecloudsdk.core.document_renderers.render_document",
    "googlecloudsdk.core.requests",
    "googlecloudsdk.core.universe_descriptor.universe_descriptor",
    "googlecloudsdk.core.updater.update_manager",
)


def _sdk_root() -> Path | None:
    """The SDK's root folder (the one holding bin/gcloud and lib/gcloud.py), if gcloud is on PATH."""
    found = shutil.which("gcloud")
    root = Path(found).resolve().parent.parent if found else None
    return root if root and (root / "lib" / "gcloud.py").is_file() else None


class _Server:
    """The running server of this process (one per pytest worker), and the folder of its shim."""

    def __init__(self, root: Path):
        self.folder = Path(tempfile.mkdtemp(prefix="gcloud-fork-"))
        python, address = root / BUNDLED_PYTHON, self.folder / "socket"
        shim = self.folder / "bin" / "gcloud"
        shim.parent.mkdir()
        shim.write_text(
            f"#!{python} -IS\nimport sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            f"import gcloud_shim\ngcloud_shim.main({str(root)!r}, {str(address)!r})\n"
        )
        shim.chmod(0o755)
        self.process = subprocess.Popen(  # its stdin is the tie: the server ends when this process does
            [python, __file__, str(root), str(address)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, **launcher_environ(str(root))},
        )
        ready = self.process.stdout.readline()
        if ready != b"ready\n":
            self.stop()
            raise RuntimeError(f"the gcloud fork server did not start: {ready!r}")
        self.bin = str(shim.parent)
        atexit.register(self.stop)

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_server: list[_Server] = []


def shim_folder() -> str | None:
    """The folder to put first on PATH so that `gcloud` runs through the fork server (started on the first
    call), or None to run the gcloud on PATH as it is."""
    if not _server:
        root = _sdk_root()
        if (
            root is None
            or not (root / BUNDLED_PYTHON).is_file()
            or os.environ.get("GEMINI_DOCTOR_TESTS_PLAIN_GCLOUD")
        ):
            return None
        _server.append(_Server(root))
    return _server[0].bin


def _serve(root: str, address: str) -> None:
    """Import gcloud as its launcher does, then fork a child per connection until stdin closes."""
    lib = os.path.join(root, "lib")
    sys.path[0] = lib  # as for `python lib/gcloud.py`: the script's folder first, not this one
    import gcloud as launcher  # lib/gcloud.py: its import sets sys.path up as for `gcloud`

    sys.path = launcher.reorder_sys_path(sys.path)
    launcher._fix_google_module()
    launcher._import_gcloud_main()
    for module in COMMON_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    gc.freeze()  # what the server holds is never collected in a child, so its pages stay shared
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable:
            _reap(block=True)
            return
        connection, _ = listener.accept()
        if os.fork():
            connection.close()
            _reap(block=False)
            continue
        listener.close()
        _run_command(launcher, lib, connection)


def _reap(block: bool) -> None:
    """Wait for the finished children (all of them when *block*): so their CPU time counts in this
    process's, and so in the test run's, as a plain gcloud's does."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass


def _run_command(launcher, lib: str, connection: socket.socket) -> None:
    """In the forked child: become the caller's `gcloud …` and run the launcher's main(); the exit code goes
    back to the shim as the interpreter exits."""
    first, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    chunks = [first]
    while chunk := connection.recv(1 << 16):  # the shim closes its side once all is sent
        chunks.append(chunk)
    request = json.loads(b"".join(chunks))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [os.path.join(lib, "gcloud.py"), *request["args"]]
    status = [1]

    @atexit.register  # registered first, so it runs after gcloud's own exit handlers
    def report() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):
                stream.flush()
        connection.sendall(str(status[0]).encode())
        logging.shutdown()  # gcloud's log file, flushed
        os._exit(status[0])  # the child's copy of the server needs no teardown: it would only delay EOF

    try:
        launcher.main()
        status[0] = 0
    except SystemExit as done:
        status[0] = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        raise


if __name__ == "__main__":
    _serve(*sys.argv[1:3])
