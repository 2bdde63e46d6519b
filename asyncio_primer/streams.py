"""Streams: talking over sockets with ``await``.

**The problem.** Network code waits all the time — for a connection, for the next line, for the
other side to take what you sent — and reading the bytes as they trickle in is fiddly.

**The idea.** A network connection, as a :term:`stream`, is a pair of objects. A
:class:`asyncio.StreamReader` gives you the bytes that arrived — a line with
:meth:`~asyncio.StreamReader.readline`, up to a separator with
:meth:`~asyncio.StreamReader.readuntil`, *n* bytes with :meth:`~asyncio.StreamReader.read` — and its
coroutines wait, without blocking the loop, until they have them. A :class:`asyncio.StreamWriter`
sends: :meth:`~asyncio.StreamWriter.write` only buffers, ``await``
:meth:`~asyncio.StreamWriter.drain` waits while the buffer is too full (flow control), and
:meth:`~asyncio.StreamWriter.close` then ``await`` :meth:`~asyncio.StreamWriter.wait_closed` ends
the connection.

:func:`asyncio.open_connection` connects to a server and returns the pair;
:func:`asyncio.start_server` listens and calls your callback with a new pair for each client.
The same functions exist for unix sockets (:func:`asyncio.open_unix_connection`,
:func:`asyncio.start_unix_server`). Every lesson here runs a server on the loopback interface
(``127.0.0.1``, a free port chosen by the system) or on a unix socket in a temporary directory,
talks to it, and closes everything it opened: the client's writer, the server's writers, the
server itself.

All of these lessons wait on real sockets under a timeout, so they run on :term:`real time` (a
:term:`virtual time` clock would jump straight to the timeout).

Read next: :mod:`asyncio_primer.protocols`, the callback layer under streams.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import (
    check_bytes,
    check_lines,
    check_non_empty_bytes,
    check_positive_int,
    check_timeout,
)

_Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]


class _Handlers:
    """A server's callback that runs *handler* as a task per connection and keeps the tasks.

    ``async with`` it (inside ``async with server``) to finish them all: wait for them after a
    clean session; after a failure, cancel them and close their connections.
    """

    def __init__(self, handler: _Handler) -> None:
        self._handler = handler
        self._tasks: list[asyncio.Task[None]] = []
        self._writers: list[asyncio.StreamWriter] = []

    def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        self._tasks.append(asyncio.create_task(self._handler(reader, writer)))

    async def __aenter__(self) -> _Handlers:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            await asyncio.gather(*self._tasks)
            return
        for task in self._tasks:
            task.cancel()  # a task cancelled before it starts never reaches its `finally`...
        for writer in self._writers:
            writer.close()  # ...so close every connection here
        closing = [writer.wait_closed() for writer in self._writers]
        await asyncio.gather(*self._tasks, *closing, return_exceptions=True)


async def _echo_lines(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The echo server's side of one connection: send each line back until the client closes."""
    try:
        while line := await reader.readline():  # b"" means the client closed its side
            writer.write(line)
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def _send_lines(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, lines: Sequence[str]
) -> list[str]:
    """The echo client's side: send each line, read the reply, print both."""
    replies = []
    for line in lines:
        writer.write(f"{line}\n".encode())
        await writer.drain()
        reply = (await reader.readline()).decode().rstrip("\n")
        print(f"sent {line!r}, got back {reply!r}")
        replies.append(reply)
    return replies


@lesson(real_time=True, needs={"sockets"}, lines=check_lines, timeout=check_timeout)
async def echo_over_tcp(
    lines: Sequence[str] = ("hello", "asyncio streams"), timeout: float = 5.0
) -> list[str]:
    """Run an echo server with :func:`asyncio.start_server` and talk to it through a stream.

    >>> asyncio.run(echo_over_tcp(["ping", "pong"]))
    sent 'ping', got back 'ping'
    sent 'pong', got back 'pong'
    ['ping', 'pong']

    The server listens on ``127.0.0.1`` port 0 (the system picks a free port; ask the server's
    socket which). For each client, :func:`asyncio.start_server` calls its callback with that
    client's reader and writer. The echo handler (``_echo_lines``) reads a line with
    :meth:`~asyncio.StreamReader.readline`, writes it back and awaits
    :meth:`~asyncio.StreamWriter.drain`, until ``readline`` returns ``b""``: the client closed.

    :func:`asyncio.open_connection` is the client's side. Closing is two steps on both sides:
    :meth:`~asyncio.StreamWriter.close`, then ``await``
    :meth:`~asyncio.StreamWriter.wait_closed`. ``async with server`` closes the server and waits
    for it (:meth:`asyncio.Server.close`, :meth:`asyncio.Server.wait_closed`). What that waits
    for changed: up to 3.11 not for the handlers at all; from 3.12 until every client connection
    has closed (https://github.com/python/cpython/issues/79033), so a handler that never closes
    its connection makes it hang — but not for the handler tasks themselves, which the server
    runs on their own (on 3.9 it keeps no reference to them; from 3.10 the stream's protocol
    does, https://github.com/python/cpython/issues/90467, but gives you none). So the callback
    (``_Handlers``) starts the handler tasks itself and keeps them, and ``async with handlers``
    waits for them before the server closes: nothing is left running, on every version. The
    whole session runs under :func:`asyncio.wait_for`, so a server that never answers cannot
    hang the lesson.

    :param lines: the lines to send, each without a line break.
    :param timeout: seconds the whole session may take.
    :returns: the replies, which equal *lines*.
    :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
    """

    async def session() -> list[str]:
        handlers = _Handlers(_echo_lines)
        async with await asyncio.start_server(handlers, "127.0.0.1", 0) as server, handlers:
            host, port = server.sockets[0].getsockname()[:2]
            reader, writer = await asyncio.open_connection(host, port)
            try:
                return await _send_lines(reader, writer, lines)
            finally:
                writer.close()
                await writer.wait_closed()

    return await asyncio.wait_for(session(), timeout)


def _send_then_close(data: bytes) -> _Handler:
    """A server handler that sends *data* and then closes the connection."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(data)
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    return handler


@lesson(
    real_time=True,
    needs={"sockets"},
    data=check_bytes,
    separator=check_non_empty_bytes,
    timeout=check_timeout,
)
async def read_until_separator(
    data: bytes = b"alpha;beta;unfinished", separator: bytes = b";", timeout: float = 5.0
) -> tuple[list[bytes], bytes]:
    """Read records up to a separator with :meth:`~asyncio.StreamReader.readuntil`.

    >>> asyncio.run(read_until_separator(b"one|two|thr", b"|"))
    record: b'one|'
    record: b'two|'
    IncompleteReadError: closed before b'|'; partial=b'thr'
    ([b'one|', b'two|'], b'thr')

    The server (served as in :func:`echo_over_tcp`) sends *data* and closes the connection.
    Each ``readuntil(separator)`` waits until the separator has arrived and returns everything
    up to and including it; the stream keeps what follows for the next read. When the peer
    closes before the next separator arrives, ``readuntil`` raises
    :exc:`asyncio.IncompleteReadError`, whose :attr:`~asyncio.IncompleteReadError.partial`
    holds the bytes that came without a separator — that is how you tell a clean end
    (``partial == b""``) from a truncated record. The lesson catches it, closes its writer and
    waits for the server's side.

    :param data: what the server sends before it closes.
    :param separator: the bytes that end a record; must not be empty.
    :param timeout: seconds the whole session may take.
    :returns: the complete records (each with its separator) and the unfinished rest.
    :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
    """

    async def session() -> tuple[list[bytes], bytes]:
        records: list[bytes] = []
        handlers = _Handlers(_send_then_close(data))
        async with await asyncio.start_server(handlers, "127.0.0.1", 0) as server, handlers:
            reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
            try:
                while True:
                    records.append(await reader.readuntil(separator))
                    print(f"record: {records[-1]!r}")
            except asyncio.IncompleteReadError as error:
                print(
                    f"IncompleteReadError: closed before {separator!r}; partial={error.partial!r}"
                )
                return records, error.partial
            finally:
                writer.close()
                await writer.wait_closed()

    return await asyncio.wait_for(session(), timeout)


@lesson(real_time=True, needs={"sockets"}, limit=check_positive_int, timeout=check_timeout)
async def read_until_limit_overrun(limit: int = 16, timeout: float = 5.0) -> list[bytes]:
    """See :meth:`~asyncio.StreamReader.readuntil` refuse a record longer than the reader's limit.

    >>> asyncio.run(read_until_limit_overrun(8))
    record: b'short;'
    LimitOverrunError: the next record is longer than the limit of 8 bytes
    [b'short;']

    A stream buffers what it has not yet returned, and a separator that never comes would make
    that buffer grow without bound. So a reader has a *limit* (64 KiB unless you pass ``limit=``
    to :func:`asyncio.open_connection`): when a record is longer, ``readuntil`` raises
    :exc:`asyncio.LimitOverrunError`. The server here sends a short record, then one of
    ``2 * limit`` bytes. The bytes stay in the buffer (its
    :attr:`~asyncio.LimitOverrunError.consumed` says how many to skip), but a peer that breaks
    the protocol's limits is usually just disconnected, as here.
    :meth:`~asyncio.StreamReader.readline` does the same check and raises :exc:`ValueError`
    instead (and drops the long line).

    :param limit: the reader's buffer limit, in bytes.
    :param timeout: seconds the whole session may take.
    :returns: the records read before the long one.
    :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
    """
    data = b"short;" + b"x" * (2 * limit) + b";"

    async def session() -> list[bytes]:
        records: list[bytes] = []
        handlers = _Handlers(_send_then_close(data))
        async with await asyncio.start_server(handlers, "127.0.0.1", 0) as server, handlers:
            host, port = server.sockets[0].getsockname()[:2]
            reader, writer = await asyncio.open_connection(host, port, limit=limit)
            try:
                while True:
                    records.append(await reader.readuntil(b";"))
                    print(f"record: {records[-1]!r}")
            except asyncio.LimitOverrunError:
                print(
                    f"LimitOverrunError: the next record is longer than the limit of {limit} bytes"
                )
                return records
            finally:
                writer.close()
                await writer.wait_closed()

    return await asyncio.wait_for(session(), timeout)


if hasattr(socket, "AF_UNIX"):  # asyncio's own condition for the unix-socket functions

    @lesson(real_time=True, needs={"sockets"}, lines=check_lines, timeout=check_timeout)
    async def echo_over_unix_socket(
        lines: Sequence[str] = ("hello", "unix socket"), timeout: float = 5.0
    ) -> list[str]:
        """Run the echo over a unix socket, with :func:`asyncio.start_unix_server`.

        >>> asyncio.run(echo_over_unix_socket(["ping"]))
        sent 'ping', got back 'ping'
        ['ping']

        A unix socket is addressed by a path in the file system instead of a host and port, and
        only processes on the same machine can connect. Apart from that the code is the one of
        :func:`echo_over_tcp`: :func:`asyncio.start_unix_server` and
        :func:`asyncio.open_unix_connection` give the same readers and writers. The socket file
        lives in a :class:`tempfile.TemporaryDirectory`, removed when the lesson ends.

        .. note:: Needs a platform with unix sockets (``socket.AF_UNIX``; not Windows).

        :param lines: the lines to send, each without a line break.
        :param timeout: seconds the whole session may take.
        :returns: the replies, which equal *lines*.
        :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
        """

        async def session(path: str) -> list[str]:
            handlers = _Handlers(_echo_lines)
            async with await asyncio.start_unix_server(handlers, path), handlers:
                reader, writer = await asyncio.open_unix_connection(path)
                try:
                    return await _send_lines(reader, writer, lines)
                finally:
                    writer.close()
                    await writer.wait_closed()

        with tempfile.TemporaryDirectory() as directory:
            return await asyncio.wait_for(session(os.path.join(directory, "echo.sock")), timeout)


__all__ = exported(__name__)
