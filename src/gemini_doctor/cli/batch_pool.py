"""``explain --batch FILE --jobs N``: a file's lines explained by up to N forked processes, in input order.

The parent explains the first chunk of lines itself: a small batch never starts a process, and the catalogue,
compiled patterns and caches are warm before a fork shares them. It then hands out the other chunks one at a
time to forked workers (started as there is work, at most N), each running the same ``explain`` into memory,
and writes their results in input order: output and exit code are those of one process, byte for byte. At most
a few chunks per worker wait in memory, so a slow reader slows the workers instead of filling memory.

A worker that dies ends the run with :class:`PoolFailed`, which says after which line the written results stop
(always after a whole chunk); so does a fork that fails before any worker runs (after that, fewer workers go
on). Workers ignore SIGINT: Ctrl-C reaches the parent as KeyboardInterrupt, and any exception in the parent
kills and reaps the workers on its way out.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.connection import Connection, Pipe, wait
from typing import BinaryIO, TextIO

CHUNK_LINES = 100  # ~25 ms of explaining per chunk: far more than handing it out costs
AHEAD = 3  # chunks handed out per worker beyond the next to write: bounds what waits for a slower one

# explain(numbered lines, out, err) -> exit code: one chunk, as one process explains it
Explain = Callable[[Iterable[tuple[int, bytes]], TextIO, TextIO], int]
Chunk = tuple[int, int, bytes]  # first line's number, how many lines, the lines


class PoolFailed(Exception):
    """A worker process ended before sending its chunk's results, or none could be started."""


class _Worker:
    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid, self.conn = pid, conn
        self.task: tuple[int, Chunk] | None = None  # the chunk it is explaining, with its index


def explain_in_pool(handle: BinaryIO, jobs: int, explain: Explain, out: TextIO, err: TextIO) -> int:
    """Explain the lines of *handle* (a regular file, numbered from 1) to *out* and *err* as
    ``explain(lines, out, err)`` does, in up to *jobs* forked processes; returns the highest exit code of its
    chunks."""
    chunks = _chunks(handle)
    status = explain(_lines(next(chunks, (1, 0, b""))), out, err)
    rest = next(chunks, None)
    if rest is None:
        return status
    out.flush()  # so that no worker holds a copy of what the parent has yet to write
    err.flush()
    workers: list[_Worker] = []
    try:
        status = max(status, _relay(rest, chunks, jobs, explain, workers, out, err))
    except BaseException:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):  # gone already (SIGCHLD ignored reaps at once)
                os.kill(worker.pid, signal.SIGKILL)
        raise
    finally:
        for worker in workers:
            worker.conn.close()  # an idle worker reads the end of its input and exits
        for worker in workers:
            _reap(worker.pid)
    return status


def _relay(
    pending: Chunk | None,
    chunks: Iterator[Chunk],
    jobs: int,
    explain: Explain,
    workers: list[_Worker],
    out: TextIO,
    err: TextIO,
) -> int:
    """Hand *pending* and the other *chunks* to workers (started into *workers* as needed), and write their
    results in input order; returns the highest exit code among them."""
    status = 0
    # chunk index -> its line count and results (exit code, output, messages), until those before are written
    done: dict[int, tuple[int, int, str, str]] = {}
    given = written = 0
    last_line = pending[0] - 1  # the last line whose results are written
    while True:
        while pending is not None and given < written + AHEAD * jobs:
            worker = next((w for w in workers if w.task is None), None)
            if worker is None:
                if len(workers) == jobs:
                    break
                try:
                    worker = _start(explain, workers)
                except OSError as exc:  # no more processes allowed, or no memory for one
                    if not workers:
                        raise PoolFailed(
                            f"cannot start a --jobs worker process ({exc.strerror or exc}); the results stop "
                            f"after line {last_line} (run again with --jobs 1)"
                        ) from None
                    jobs = len(workers)
                    break
            _give(worker, given, pending)
            given += 1
            pending = next(chunks, None)
        busy = [worker for worker in workers if worker.task is not None]
        if not busy:
            return status
        for conn in wait([worker.conn for worker in busy]):
            worker = next(w for w in busy if w.conn is conn)
            index, chunk = worker.task
            try:
                done[index] = chunk[1], *conn.recv()
            except (EOFError, OSError):
                workers.remove(worker)
                raise PoolFailed(
                    f"a --jobs worker process {_how_it_ended(worker.pid)} while explaining lines {chunk[0]}-"
                    f"{chunk[0] + chunk[1] - 1}; the results stop after line {last_line} (run again, or with "
                    "--jobs 1)"
                ) from None
            worker.task = None
        while written in done:
            count, chunk_status, text, messages = done.pop(written)
            err.write(messages)
            out.write(text)
            status = max(status, chunk_status)
            last_line += count
            written += 1


def _chunks(handle: BinaryIO) -> Iterator[Chunk]:
    number = 1
    while lines := list(islice(handle, CHUNK_LINES)):
        yield number, len(lines), b"".join(lines)
        number += len(lines)


def _lines(chunk: Chunk) -> Iterable[tuple[int, bytes]]:
    """A chunk's lines, numbered, split as iterating over the file splits them."""
    number, _, data = chunk
    return enumerate(io.BytesIO(data), number)


def _start(explain: Explain, workers: list[_Worker]) -> _Worker:
    """A forked worker, added to *workers* before SIGINT can stop the parent; it ignores SIGINT and holds none
    of the other workers' connections (so each sees its parent go)."""
    parent_end, child_end = Pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
        if pid == 0:
            _work(child_end, [parent_end, *(other.conn for other in workers)], explain, mask)
        workers.append(_Worker(pid, parent_end))
    except OSError:
        parent_end.close()
        raise
    finally:
        child_end.close()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return workers[-1]


def _work(conn: Connection, others: list[Connection], explain: Explain, mask: set) -> None:
    """A forked worker's life, which ends the process: SIGINT ignored, the parent's other connections closed,
    then :func:`_serve`."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for other in others:
            other.close()
        _serve(conn, explain)
        code = 0
    finally:
        os._exit(code)  # never the parent's exit handlers or its unflushed output


def _serve(conn: Connection, explain: Explain) -> None:
    """A worker: explain each chunk received, send back (exit code, output, messages), until the parent
    closes."""
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        out, err = io.StringIO(), io.StringIO()
        status = explain(_lines(chunk), out, err)
        conn.send((status, out.getvalue(), err.getvalue()))


def _give(worker: _Worker, index: int, chunk: Chunk) -> None:
    with contextlib.suppress(OSError):  # it has died: the end of its connection will say so
        worker.conn.send(chunk)
    worker.task = index, chunk


def _how_it_ended(pid: int) -> str:
    code = _reap(pid)
    if code is None:
        return "ended"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _reap(pid: int) -> int | None:
    """Wait for *pid* to end; its exit code (-N: killed by signal N), None when it was reaped already."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None
