"""The in-process emulator server: stops at once and frees its port, times out idle and trickling
connections, answers every completed request right while other clients leave early, and reports
none of that as an error. (A bounded version of benchmarks/emulator_load.py.)"""

import asyncio
import gc
import json
import logging
import socket

import pytest

from gemini_doctor.emulator.backends import load_world
from gemini_doctor.emulator.scenarios import KEY, MODEL, scenario_world
from gemini_doctor.emulator.server import BackgroundServer

GOOD = ({"x-goog-api-key": KEY}, 200)
BAD_KEY = ({"x-goog-api-key": KEY[:-4] + "XXXX"}, 400)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record)


@pytest.fixture
def complaints():
    """What the server and its event loop log at WARNING or above (tracebacks included). Earlier tests'
    garbage is collected first: a client finalized late (google-genai closes its async client then) logs on
    the asyncio logger."""
    gc.collect()
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "asyncio")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.seen
    for logger in loggers:
        logger.removeHandler(handler)


def _request(n: int, headers: dict, body: bytes | None = None) -> bytes:
    body = (
        body
        if body is not None
        else json.dumps({"contents": [{"parts": [{"text": f"request {n}"}]}]}).encode()
    )
    head = (
        "POST /v1beta/models/"
        + MODEL
        + ":generateContent HTTP/1.1\r\nhost: emulator\r\ncontent-type: application/json\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + f"content-length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _answer(port: int, n: int) -> int:
    headers, _ = (GOOD, BAD_KEY)[n % 2]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_request(n, headers))
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    length = next(
        int(line.split(":")[1]) for line in head.split("\r\n") if line.lower().startswith("content-length:")
    )
    body = json.loads(await reader.readexactly(length))
    writer.close()
    status = int(head.split(" ", 2)[1])
    right = (status == 200 and "candidates" in body) or (
        status == 400 and "API_KEY_INVALID" in json.dumps(body)
    )
    return status if right else -status


async def _leave_early(port: int, n: int) -> None:
    """Send a request (or half of one) and go without reading the answer."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    request = _request(n, GOOD[0])
    writer.write(request if n % 2 else request[: len(request) - 10])
    await writer.drain()
    writer.transport.abort()


async def _closed_by_server(port: int, trickle: bool) -> bool:
    """Connect, send nothing or trickle a header byte at a time, and wait for the server to close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for byte in b"POST /v1beta/models/x:generateContent HTTP/1.1\r\nx-slow: " + b"a" * 200:
            if reader.at_eof():
                break
            if trickle:
                writer.write(bytes([byte]))
            try:
                if await asyncio.wait_for(reader.read(1), 0.05) == b"":
                    return True
            except TimeoutError:
                pass
        return await asyncio.wait_for(reader.read(), 10) == b""
    except ConnectionError:
        return True
    finally:
        writer.close()


def test_stop_frees_the_port_and_nothing_is_left_listening():
    with BackgroundServer(load_world(scenario_world("healthy"))) as server:
        port = server.port
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_idle_and_trickling_connections_are_closed_while_others_are_served(complaints):
    with BackgroundServer(load_world(scenario_world("healthy")), head_timeout=0.3) as server:

        async def run():
            slow = [_closed_by_server(server.port, trickle=n % 2 == 1) for n in range(20)]
            return await asyncio.gather(*slow, *(_answer(server.port, n) for n in range(10)))

        results = asyncio.run(run())
    assert results[:20] == [True] * 20
    assert results[20:] == [200, 400] * 5
    assert complaints == []


def test_a_body_that_stops_coming_ends_its_request(complaints):
    with BackgroundServer(load_world(scenario_world("healthy")), body_timeout=0.3) as server:

        async def run():
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            request = _request(0, GOOD[0])
            writer.write(request[:-10])  # the last bytes never come
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 30)
            writer.close()
            return answer

        answer = asyncio.run(run())
        assert answer == b"" or answer.startswith(b"HTTP/1.1 5")
        assert asyncio.run(_answer(server.port, 0)) == 200
    assert complaints == [], [record.getMessage() for record in complaints]


def test_early_disconnects_are_quiet_and_every_completed_request_is_answered_right(complaints):
    with BackgroundServer(load_world(scenario_world("healthy"))) as server:

        async def run():
            early = [_leave_early(server.port, n) for n in range(100)]
            answered = [_answer(server.port, n) for n in range(200)]
            return await asyncio.gather(*early, *answered)

        results = asyncio.run(run())[100:]
        assert results == [200, 400] * 100
        assert asyncio.run(_answer(server.port, 0)) == 200  # still serving
    assert complaints == [], [record.getMessage() for record in complaints]
