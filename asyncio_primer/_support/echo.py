"""The echo benchmark's plumbing behind :func:`asyncio_primer.benefits.echo_load` (not a lesson).

- :class:`EchoServerThread`: an echo server of one kind (``"asyncio"``, ``"threads"``,
  ``"uvloop"``) on 127.0.0.1, in a thread of its own;
- :func:`clients_in_child_process`: the load-generating clients, in a child process
  (``python -m asyncio_primer._support.echo PORT CLIENTS REQUESTS SIZE``, which prints its figures
  as JSON), so that they do not compete with the server for this process's GIL;
- :func:`echo_clients`: those clients (:class:`EchoClient`, a low-level :class:`asyncio.Protocol`),
  and :func:`percentile`, which turns their round trips into latency figures;
- :func:`check_file_limit`: a clear refusal when the process may not open enough sockets.

Only the standard library at import time, so that it imports wherever the lessons do (Windows and
WebAssembly have no :mod:`resource` module: the file limit is read only where there is one).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import json
import os
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import cast

__all__ = [
    "FD_RESERVE",
    "EchoClient",
    "EchoServerThread",
    "check_file_limit",
    "clients_in_child_process",
    "echo_clients",
    "main",
    "new_loop",
    "open_file_limit",
    "percentile",
]

#: File descriptors :func:`check_file_limit` keeps free beside the two sockets per client.
FD_RESERVE = 64

#: Where the client process finds this package, installed or not.
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- the file limit ---------------------------------------------------------------------------


def open_file_limit() -> int | None:
    """The soft limit on open files, or ``None`` where it is unlimited or cannot be read.

    :func:`resource.getrlimit` is Unix only: Windows and WebAssembly have no :mod:`resource`.
    """
    try:
        import resource
    except ImportError:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def check_file_limit(clients: int) -> None:
    """Refuse clearly if this process may not open about two sockets per client.

    :raises ValueError: naming *clients*, the file descriptors needed and the limit.
    """
    needed = 2 * clients + FD_RESERVE
    soft = open_file_limit()
    if soft is not None and soft < needed:
        raise ValueError(
            f"clients={clients} needs about {needed} file descriptors (two sockets per client),"
            f" but the limit is {soft}: raise it with `ulimit -n` or resource.setrlimit()"
        )


# -- the servers ------------------------------------------------------------------------------


def new_loop(server: str) -> asyncio.AbstractEventLoop:
    """A new event loop for *server*: asyncio's own, or uvloop's."""
    if server == "uvloop":
        uvloop = importlib.import_module("uvloop")  # the optional extra `asyncio-primer[uvloop]`
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
    return asyncio.new_event_loop()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The asyncio echo server's handler: send back whatever arrives, until end of file."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def _serve_echo(
    backlog: int,
    started: Callable[[asyncio.AbstractEventLoop, asyncio.Event, int], None],
) -> None:
    """Serve :func:`_echo` on 127.0.0.1 until the event passed to *started* is set."""
    stop = asyncio.Event()
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await _echo(reader, writer)
        finally:
            handlers.discard(task)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=backlog)
    async with server:
        started(asyncio.get_running_loop(), stop, server.sockets[0].getsockname()[1])
        await stop.wait()
    # The clients have closed: let each handler finish (a client that reset its connection
    # made its handler fail; that is not the server's failure).
    await asyncio.gather(*handlers, return_exceptions=True)


class _EchoHandler(socketserver.BaseRequestHandler):
    """The thread-per-connection echo server's handler (runs in the connection's thread)."""

    def handle(self) -> None:
        connection: socket.socket = self.request
        while data := connection.recv(65536):
            connection.sendall(data)


class _ThreadingEchoServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False
    block_on_close = True  # server_close() joins every connection's thread


class EchoServerThread:
    """Run an echo server of kind *server* in a thread of its own; ``port`` once started."""

    def __init__(self, server: str, backlog: int) -> None:
        self.server = server
        self.backlog = backlog
        self.port = 0
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._threading_server: _ThreadingEchoServer | None = None
        self._thread = threading.Thread(target=self._run, name=f"echo-{server}")

    def _on_started(self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event, port: int) -> None:
        self._loop, self._stop, self.port = loop, stop, port
        self._started.set()

    def _run(self) -> None:
        try:
            if self.server == "threads":
                self._serve_threads()
            else:
                loop = new_loop(self.server)  # <- switching the event loop is this one line
                try:
                    loop.run_until_complete(_serve_echo(self.backlog, self._on_started))
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    loop.close()
        except BaseException as error:  # reported to the lesson by start()
            self._error = error
        finally:
            self._started.set()

    def _serve_threads(self) -> None:
        class Server(_ThreadingEchoServer):
            request_queue_size = self.backlog

        with Server(("127.0.0.1", 0), _EchoHandler) as server:
            self._threading_server = server
            self.port = server.server_address[1]
            self._started.set()
            server.serve_forever(poll_interval=0.05)

    def start(self) -> int:
        """Start the server's thread; return its port once it listens (or raise its error)."""
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.port

    def stop(self) -> None:
        """Stop the server, and join its thread (and every connection's thread)."""
        if self._threading_server is not None:
            self._threading_server.shutdown()  # then the `with` closes it and joins its threads
        elif self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()


# -- the clients ------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value below which *fraction* of the sorted *ordered* values lie (nearest rank)."""
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


class EchoClient(asyncio.Protocol):
    """One load-generating client: one warm-up round trip, then *requests* timed ones."""

    def __init__(self, message: bytes, requests: int, latencies: list[float]) -> None:
        self.message = message
        self.left = requests
        self.latencies = latencies
        self.received = 0
        self.sent = 0.0
        self.warming_up = True
        self.transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.send()  # the warm-up: answered only once the server has accepted and is serving

    def send(self) -> None:
        assert self.transport is not None
        self.sent = time.perf_counter()
        self.transport.write(self.message)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        if self.received < len(self.message):
            return
        self.received = 0
        if self.warming_up:
            self.warming_up = False
            self.ready.set_result(None)
            return
        self.latencies.append(time.perf_counter() - self.sent)
        self.left -= 1
        if self.left:
            self.send()
        elif not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        error = exc or ConnectionError("the server closed the connection")
        for future in (self.ready, self.done):
            if not future.done():
                future.set_exception(error)
                future.exception()  # retrieved here: the caller awaits the one that matters


async def echo_clients(port: int, clients: int, requests: int, size: int) -> dict[str, float]:
    """Connect *clients* clients to *port*, then run *requests* round trips on each at once."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    connected: list[EchoClient] = []
    connecting = asyncio.Semaphore(128)  # stay well inside the listen backlog

    async def connect() -> None:
        async with connecting:
            _, protocol = await loop.create_connection(
                lambda: EchoClient(b"x" * size, requests, latencies), "127.0.0.1", port
            )
            connected.append(protocol)
            await protocol.ready

    start = time.perf_counter()
    connect_tasks = [asyncio.create_task(connect()) for _ in range(clients)]
    try:
        await asyncio.gather(*connect_tasks)
        ready = time.perf_counter()
        for protocol in connected:
            protocol.send()
        await asyncio.gather(*(protocol.done for protocol in connected))
        finished = time.perf_counter()
    finally:
        for task in connect_tasks:
            task.cancel()  # if one client failed, the others stop connecting too
        await asyncio.gather(*connect_tasks, return_exceptions=True)
        for protocol in connected:
            if protocol.transport is not None:
                protocol.transport.close()
        await asyncio.sleep(0)  # let the transports finish closing
    latencies.sort()
    seconds = finished - ready
    return {
        "requests": float(len(latencies)),
        "seconds": seconds,
        "requests_per_second": len(latencies) / seconds if seconds > 0 else 0.0,
        "connect_seconds": ready - start,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p90_ms": percentile(latencies, 0.90) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main(argv: Sequence[str]) -> None:
    """Entry point of the client process: ``PORT CLIENTS REQUESTS SIZE``; prints JSON.

    The clients run on uvloop where it is installed, to keep them lighter than any server.
    """
    port, clients, requests, size = (int(arg) for arg in argv)
    loop = new_loop("uvloop" if importlib.util.find_spec("uvloop") else "asyncio")
    try:
        stats = loop.run_until_complete(echo_clients(port, clients, requests, size))
    finally:
        loop.close()
    print(json.dumps(stats))


async def clients_in_child_process(
    port: int, clients: int, requests: int, size: int
) -> dict[str, float]:
    """Run :func:`echo_clients` in a child process (:func:`main`); return its figures.

    :raises RuntimeError: if the child fails.
    """
    python_path = os.pathsep.join(filter(None, [_PACKAGE_PARENT, os.environ.get("PYTHONPATH")]))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __name__,
        *(str(n) for n in (port, clients, requests, size)),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": python_path},
    )
    try:
        output, _ = await process.communicate()
    except BaseException:  # cancelled, say: never leave the clients running
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"the client process failed with exit code {process.returncode}")
    stats: dict[str, float] = json.loads(output)
    return stats


if __name__ == "__main__":
    main(sys.argv[1:])
