"""Shared fixtures: error texts (the project's own cases, plus ../shared's corpus when present) and a CLI
runner."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from gemini_doctor.emulator.testing import gemini_emulator  # noqa: F401 - a fixture, for every test module by name

pytest_plugins = ("pytester",)  # tests of our pytest plugin run pytest in-process

# Bytecode caches are written for the test session even under PYTHONDONTWRITEBYTECODE: the suite starts many
# interpreters (its workers, CLI runs, clients), and without caches each one compiles every module it imports
# and pytest rewrites the asserts of every plugin's modules (ours among them) again. They go to __pycache__
# (git ignores it).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

REPO = Path(__file__).resolve().parents[1]
# Every new google-genai, OpenAI SDK or httpx client loads its CA bundle (~25 ms of CPU for certifi's; the
# suite makes hundreds): tests trust one certificate instead, which nothing can verify against (traffic is
# plain HTTP to loopback). Set here, so the workers and every interpreter the tests start inherit it.
os.environ["SSL_CERT_FILE"] = str(REPO / "tests" / "data" / "trust-nothing-ca.pem")


def _scratch_in_memory(folder: str = "/dev/shm", room: int = 1 << 30) -> None:
    """Test folders (tmp_path: ~1,500 folders and 3,000 files a run) go to memory when the system has a
    tmpfs that allows running programs and has room: pytest removes each run's folders three runs later,
    and on a disk that is seconds of unlinking for the run that happens to do it. Not when the user chose
    where they go (PYTEST_DEBUG_TEMPROOT, --basetemp wins anyway)."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return
    if (
        not stats.f_flag & os.ST_NOEXEC
        and stats.f_bavail * stats.f_frsize > room
        and os.access(folder, os.W_OK)
    ):
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", folder)


_scratch_in_memory()
SHARED = Path(
    os.environ.get("GEMINI_DOCTOR_SHARED") or REPO.parent / "shared"
)  # the workspace's material, if any
CORPUS = SHARED / "corpus" / "real-errors.jsonl"
CAUSES_MD = REPO / "docs" / "causes.md"  # the cause IDs, shipped with the project
DEV_CASES = REPO / "tests" / "data" / "cases" / "dev.jsonl"


WHOLE_SUITE_WORKERS = 2  # the build machine's cores


def _check_each_private_key_once() -> None:
    """google-auth loads a service account's PEM key for each credential it makes, and cryptography checks the
    RSA key on every load (about 60 ms); the emulator's keys are one per account and process, loaded hundreds
    of times here. Each key is checked on its first load in a worker and the loaded (immutable) key reused
    after; a key that fails to load fails every time (failures are not remembered)."""
    from cryptography.hazmat.primitives import serialization

    load = functools.lru_cache(maxsize=256)(serialization.load_pem_private_key)

    @functools.wraps(serialization.load_pem_private_key)
    def load_once(data, password, backend=None, *, unsafe_skip_rsa_key_validation=False):
        return load(
            bytes(data), password, None, unsafe_skip_rsa_key_validation=unsafe_skip_rsa_key_validation
        )

    serialization.load_pem_private_key = load_once


_check_each_private_key_once()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The whole suite (no paths given) runs on both cores when pytest-xdist, a test extra, is
    installed and no -n was given; a chosen file or test runs in one process, as usual."""
    if (
        config.pluginmanager.hasplugin("xdist")
        and config.option.numprocesses is None
        and config.args_source != pytest.Config.ArgsSource.ARGS
        and not os.environ.get("PYTEST_XDIST_WORKER")
    ):
        config.option.numprocesses = WHOLE_SUITE_WORKERS
        if config.option.maxschedchunk is None:
            config.option.maxschedchunk = 1  # each worker asks for its next test when it is nearly free


# Slowest first, so that the two workers end together: tests are handed out one by one in the order below, by
# each test's time in the previous runs here (pytest's cache), or, without one (a fresh checkout, or
# -p no:cacheprovider), by the seconds the slowest tests of these modules take on a 2-core machine (gcloud, an
# SDK's interpreter, node or IPython; a whole-corpus sweep; many hypothesis examples), where most take
# milliseconds: the longest first, and the many short ones last, to fill the gaps.
_DURATIONS_KEY = "gemini-doctor/durations"
_SLOW_MODULES = {
    "test_vertexai_sdk.py": 3.3,
    "test_bad_input.py": 2.5,
    "test_demo.py": 1.6,
    "test_snapshots.py": 1.6,
    "test_check_key_creation.py": 1.5,
    "test_check_output.py": 1.5,
    "test_parser.py": 1.4,
    "test_redact_json.py": 1.2,
    "test_emulator_api_keys.py": 1.0,
    "test_readme_clients.py": 1.0,
    "test_scan_run_hooks.py": 1.0,
    "test_emulator_metadata.py": 0.9,
    "test_env_clients.py": 0.9,
    "test_hostile_network.py": 0.9,
    "test_batch_jobs.py": 0.8,
    "test_emulator_guard.py": 0.8,
    "test_matching.py": 0.8,
    "test_check_policy_troubleshooter.py": 0.7,
    "test_cli_explain.py": 0.6,
    "test_emulate_cli.py": 0.6,
    "test_emulator_org_policy.py": 0.6,
    "test_every_command_format.py": 0.6,
    "test_hostile_commands.py": 0.6,
    "test_package_imports.py": 0.6,
    "test_secrets_matrix.py": 0.6,
    "test_emulator_disabled_apis.py": 0.5,
    "test_emulator_policy_troubleshooter.py": 0.5,
    "test_facts.py": 0.5,
    "test_fix_gcloud.py": 0.5,
    "test_node_genai.py": 0.5,
    "test_scan_audit_export.py": 0.5,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker (each one sorts the same way): the slowest tests first."""
    if not hasattr(config, "workerinput"):
        return
    cache = getattr(config, "cache", None)  # none under -p no:cacheprovider
    known = cache.get(_DURATIONS_KEY, {}) if cache is not None else {}
    items.sort(key=lambda item: -known.get(item.nodeid, _SLOW_MODULES.get(item.path.name, 0.0)))


_durations: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without workers) keeps each test's time for the next run's order."""
    cache = getattr(session.config, "cache", None)
    if _durations and not hasattr(session.config, "workerinput") and cache is not None:
        cache.set(_DURATIONS_KEY, {**cache.get(_DURATIONS_KEY, {}), **_durations})


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_corpus() -> list[dict]:
    return _jsonl(CORPUS)


@pytest.fixture
def error_cases() -> list[dict]:
    """Many real error texts, for checks that hold for any text: the project's own dev cases (always there),
    and the shared corpus too when the checkout has it."""
    return _jsonl(DEV_CASES) + load_corpus()


@pytest.fixture
def shared_corpus() -> list[dict]:
    cases = load_corpus()
    if not cases:
        pytest.skip(f"shared corpus not found at {CORPUS} (checkout outside the project workspace)")
    return cases


def run_cli(
    *args: str, input: bytes | str | None = None, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run the installed CLI as a user would, in a fresh interpreter (for what only a process shows: start-up,
    imports, signals, warnings printed at import; otherwise :func:`invoke_cli` gives the same answer
    faster)."""
    if isinstance(input, str):
        input = input.encode()
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "gemini_doctor", *args],
        input=input,
        capture_output=True,
        env=full_env,
        timeout=timeout,
    )


def invoke_cli(
    *args: str, input: bytes | str | None = None, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """:func:`run_cli`'s answer (exit code, stdout and stderr bytes) from this process, without an
    interpreter's start-up: the CLI's ``main()`` runs with its own argv, streams (not terminals; UTF-8 unless
    PYTHONIOENCODING says otherwise) and whole environment, warnings and log records reach its stderr as in a
    fresh interpreter, and an uncaught exception is a traceback on stderr and exit code 1. *timeout* is
    accepted for run_cli's signature; the CLI's own deadlines hold."""
    from gemini_doctor.cli.main import main
    from gemini_doctor.demo import sealed_environment

    if isinstance(input, str):
        input = input.encode()
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    encoding, _, errors = full_env["PYTHONIOENCODING"].partition(":")
    out, err = io.BytesIO(), io.BytesIO()
    with contextlib.ExitStack() as stack:
        stdin = stack.enter_context(
            tempfile.TemporaryFile()
        )  # a real file: explain reads stdin through its descriptor
        stdin.write(input or b"")
        stdin.seek(0)
        streams = (
            io.TextIOWrapper(stdin, encoding=encoding or "utf-8"),
            io.TextIOWrapper(
                out, encoding=encoding or "utf-8", errors=errors or "strict", write_through=True
            ),
            io.TextIOWrapper(
                err, encoding=encoding or "utf-8", errors="backslashreplace", write_through=True
            ),
        )
        stack.enter_context(sealed_environment(full_env))
        stack.enter_context(_as_in_a_new_interpreter())
        stack.enter_context(
            _swapped(
                sys, argv=["gemini-doctor", *args], stdin=streams[0], stdout=streams[1], stderr=streams[2]
            )
        )
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
            if not isinstance(exit_.code, int | None):
                sys.stderr.write(f"{exit_.code}\n")
        except Exception:  # noqa: BLE001 - as the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
        finally:
            streams[1].flush()
            streams[2].flush()
    return subprocess.CompletedProcess(["gemini-doctor", *args], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _swapped(owner: object, **values: object) -> Iterator[None]:
    """*owner*'s attributes set to *values* while inside."""
    saved = {name: getattr(owner, name) for name in values}
    for name, value in values.items():
        setattr(owner, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(owner, name, value)


# Modules that read the environment when imported (google-auth: the metadata server's address, NO_GCE_CHECK).
_READ_ENVIRONMENT_ON_IMPORT = ("google.auth.compute_engine",)
# What a fresh interpreter does with warnings (no -W, not in development mode).
_DEFAULT_WARNINGS = [
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
]


@contextlib.contextmanager
def _as_in_a_new_interpreter() -> Iterator[None]:
    """While inside: a new interpreter's warning filters, printed on sys.stderr (not pytest's record); no log
    handler (records at WARNING and above reach sys.stderr, not pytest's capture); and the modules that read
    the environment when imported are imported afresh, under the environment of the moment."""
    imported = _forget(_READ_ENVIRONMENT_ON_IMPORT)
    handlers = logging.root.handlers[:]
    logging.root.handlers[:] = []
    try:
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_DEFAULT_WARNINGS):
                warnings.filterwarnings(action, category=category, module=module)
            warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: (
                sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
            )
            yield
    finally:
        logging.root.handlers[:] = handlers
        _forget(_READ_ENVIRONMENT_ON_IMPORT)
        sys.modules.update(imported)
        for name, module in imported.items():  # and each one as its parent package's attribute
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, module)


def _forget(packages: tuple[str, ...]) -> dict:
    """Take *packages* and their submodules out of sys.modules (and their parents' attributes, which an import
    would return as they are); return what was there."""
    gone = {
        name: sys.modules.pop(name)
        for name in list(sys.modules)
        if any(name == package or name.startswith(package + ".") for package in packages)
    }
    for name, module in gone.items():
        parent, _, child = name.rpartition(".")
        if getattr(sys.modules.get(parent), child, None) is module:
            delattr(sys.modules[parent], child)
    return gone
