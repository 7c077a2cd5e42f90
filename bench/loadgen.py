"""A lean HTTP/1.1 load generator for the benchmarks.

The client shares the machine's two cores with the server it measures. httpx spends more CPU
per request than a small Django view does, so with it the client, not the server, set the pace
and every ratio came out near 1. Here requests are rendered to bytes before the clock starts and
sent over plain keep-alive asyncio streams; responses are kept whole and checked after the
clock stops. Every failure is counted by kind, never retried: a refused or dropped request is
an error in the figures.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode


def render(
    method: str,
    path: str,
    params: dict | None = None,
    body: bytes = b"",
    headers: dict | None = None,
    host: str = "127.0.0.1",
) -> bytes:
    """One HTTP/1.1 request as bytes."""
    target = path + ("?" + urlencode(params) if params else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Response:
    tag: object  # what the caller attached to the request
    status: int  # 0: no response (see ``error``)
    body: bytes
    latency: float  # seconds from the first byte sent to the last byte received
    finished: float  # time.time() when it ended
    error: str = ""


@dataclass
class Run:
    responses: list[Response] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this process used during the run

    @property
    def errors(self) -> Counter:
        return Counter(r.error or f"HTTP {r.status}" for r in self.responses if r.error)


class ClosedEarly(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, limit=1 << 20
        )

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status in (204, 304) or status < 200:
            body = b""  # never a body (RFC 9110), whatever the headers say: not read to close
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])


async def send(conn: Connection, raw: bytes, tag=None, timeout: float = 60) -> Response:
    """One request on ``conn``; a failure closes the connection and is returned, not raised."""
    start = time.perf_counter()
    try:
        status, body = await asyncio.wait_for(conn.request(raw), timeout)
        error = ""
    except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
        status, body, error = 0, b"", type(exc).__name__
        conn.close()
    except TimeoutError:
        status, body, error = 0, b"", "timeout"
        conn.close()
    return Response(tag, status, body, time.perf_counter() - start, time.time(), error)


async def _run(host, port, requests: Iterator, concurrency: int) -> Run:
    connections = [Connection(host, port) for _ in range(concurrency)]
    await asyncio.gather(*(c.open() for c in connections))  # before the clock starts
    run = Run()

    async def sender(conn):
        for tag, raw in requests:
            response = await send(conn, raw, tag)
            run.responses.append(response)

    cpu, began = time.process_time(), time.perf_counter()
    await asyncio.gather(*(sender(c) for c in connections))
    run.elapsed = time.perf_counter() - began
    run.client_cpu = time.process_time() - cpu
    for c in connections:
        c.close()
    return run


def load(url: str, requests: Iterable[tuple[object, bytes]], concurrency: int) -> Run:
    """Send ``(tag, raw request)`` pairs over ``concurrency`` keep-alive connections to the
    server at ``url`` (http://host:port), as fast as it answers."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    return asyncio.run(_run(host, int(port), iter(requests), concurrency))
