"""The `gcloud` the tests' PATH finds first when the fork server runs (tests/gcloud_forkserver.py): it hands
its command (arguments, environment, folder, standard streams) to the server and exits with the command's
code. Run by gcloud's bundled Python with -IS; it imports little, since every gcloud command pays for it."""

import json
import os
import socket
import sys


def launcher_environ(root: str) -> dict[str, str]:
    """What bin/gcloud exports before it starts lib/gcloud.py with the SDK's bundled Python."""
    python = os.path.join(root, "platform", "bundledpythonunix", "bin", "python3")
    return {
        "CLOUDSDK_ROOT_DIR": root,
        "CLOUDSDK_PYTHON_ARGS": "",
        "CLOUDSDK_PYTHON_SITEPACKAGES": "1",
        "CLOUDSDK_GSUTIL_PYTHON": python,
        "CLOUDSDK_BQ_PYTHON": python,
        "CLOUDSDK_ENCODING": "UTF-8",
        "PYTHONIOENCODING": "UTF-8",
    }


def main(root: str, address: str) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.connect(address)
        request = {"args": sys.argv[1:], "env": {**os.environ, **launcher_environ(root)}, "cwd": os.getcwd()}
        payload = json.dumps(request).encode()
        socket.send_fds(server, [payload[:1]], [0, 1, 2])  # the descriptors ride on the first byte
        server.sendall(payload[1:])
        server.shutdown(socket.SHUT_WR)
        code = server.recv(16)
    if not code:
        sys.exit("gcloud (fork server): the command ended without an exit code")
    sys.exit(int(code))
