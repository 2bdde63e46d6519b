"""Protocols and transports: the callback layer under streams.

**The question.** What is under the streams of the previous page, and when would you use it instead?
Streams are built on two lower-level objects. A *transport* (:class:`asyncio.Transport`) owns the
socket: you call its :meth:`~asyncio.WriteTransport.write`,
:meth:`~asyncio.WriteTransport.write_eof` and :meth:`~asyncio.BaseTransport.close`. A *protocol*
(:class:`asyncio.Protocol`) is your object, and the loop calls its methods when something happens:
:meth:`~asyncio.BaseProtocol.connection_made` with the transport,
:meth:`~asyncio.Protocol.data_received` with each chunk of bytes,
:meth:`~asyncio.Protocol.eof_received` when the peer has finished sending, and
:meth:`~asyncio.BaseProtocol.connection_lost` at the very end. These are plain methods, not
coroutines: they must not block, and to hand a result to a coroutine a protocol resolves a future.
:meth:`loop.create_server <asyncio.loop.create_server>` and :meth:`loop.create_connection
<asyncio.loop.create_connection>` take a *protocol factory* — a class or function that makes one
protocol per connection.

**Protocols or streams?** Use streams (:mod:`asyncio_primer.streams`) for application code: a
coroutine that reads a line, decides, and writes an answer reads top to bottom, and
:meth:`~asyncio.StreamWriter.drain` handles flow control. Use protocols when you write a library
or a parser that reacts to each chunk as it arrives (no task and no ``await`` per read — HTTP
servers and database drivers do this for speed), when you need transport-level control
(:meth:`~asyncio.WriteTransport.write_eof`, pausing reads), or for UDP, which has only protocols
(:meth:`loop.create_datagram_endpoint <asyncio.loop.create_datagram_endpoint>`). With protocols,
you split the byte stream into messages yourself.

These lessons wait on real sockets under a timeout, so they run on :term:`real time`.

Read next: :mod:`asyncio_primer.subprocesses`, where the loop talks to child processes through
pipes — the same transports and protocols, behind a stream-like API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_line, check_lines, check_positive_int, check_timeout


@lesson(real_time=True, needs={"sockets"}, message=check_line, timeout=check_timeout)
async def echo_with_protocols(message: str = "hello, protocols", timeout: float = 5.0) -> str:
    """Echo a message with an :class:`asyncio.Protocol` on each side of the connection.

    >>> asyncio.run(echo_with_protocols("ping"))
    server: connection_made, data_received, eof_received, connection_lost
    client: connection_made, data_received, eof_received, connection_lost
    reply: 'ping'
    'ping'

    The server's protocol writes back each chunk it receives. The client's protocol sends the
    message as soon as it is connected, then :meth:`~asyncio.WriteTransport.write_eof` to say
    it has nothing more to send. When each side sees the other's end of data,
    :meth:`~asyncio.Protocol.eof_received` returns ``False``, so the transport closes itself and
    calls :meth:`~asyncio.BaseProtocol.connection_lost`. There the client resolves its ``reply``
    future, which the lesson awaits: a protocol's callbacks cannot ``return`` a value to a
    coroutine, a future can. The lesson then waits for the server side's ``connection_lost``
    too, and ``async with server`` closes the server and waits for it.

    Compare :func:`asyncio_primer.streams.echo_over_tcp`: the same echo, written as coroutines.

    :param message: what the client sends, on one line.
    :param timeout: seconds the whole session may take.
    :returns: the reply, which equals *message*.
    :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
    """
    loop = asyncio.get_running_loop()
    opened: list[asyncio.BaseTransport] = []  # every transport, to be sure all get closed

    class EchoServer(asyncio.Protocol):
        def __init__(self) -> None:
            self.events: list[str] = []
            self.closed: asyncio.Future[None] = loop.create_future()

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.events.append("connection_made")
            opened.append(transport)
            self.transport = cast(asyncio.Transport, transport)

        def data_received(self, data: bytes) -> None:
            self.events.append("data_received")
            self.transport.write(data)

        def eof_received(self) -> bool:
            self.events.append("eof_received")
            return False  # the transport closes itself (after sending what is buffered)

        def connection_lost(self, exc: Exception | None) -> None:
            self.events.append("connection_lost")
            self.closed.set_result(None)

    class EchoClient(asyncio.Protocol):
        def __init__(self) -> None:
            self.events: list[str] = []
            self.chunks: list[bytes] = []
            self.reply: asyncio.Future[bytes] = loop.create_future()

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.events.append("connection_made")
            opened.append(transport)
            transport = cast(asyncio.Transport, transport)
            transport.write(message.encode())
            transport.write_eof()

        def data_received(self, data: bytes) -> None:
            self.events.append("data_received")
            self.chunks.append(data)

        def eof_received(self) -> bool:
            self.events.append("eof_received")
            return False

        def connection_lost(self, exc: Exception | None) -> None:
            self.events.append("connection_lost")
            if self.reply.done():
                return
            if exc is None:
                self.reply.set_result(b"".join(self.chunks))
            else:
                self.reply.set_exception(exc)

    servers: list[EchoServer] = []

    def server_factory() -> EchoServer:
        servers.append(EchoServer())
        return servers[-1]

    async def session() -> str:
        async with await loop.create_server(server_factory, "127.0.0.1", 0) as server:
            host, port = server.sockets[0].getsockname()[:2]
            try:
                _, client = await loop.create_connection(EchoClient, host, port)
                reply = (await client.reply).decode()
                await asyncio.gather(*(s.closed for s in servers))
            finally:
                for each in opened:  # already closed, unless we failed; twice is fine
                    each.close()
        print("server: " + ", ".join(servers[0].events))
        print("client: " + ", ".join(client.events))
        print(f"reply: {reply!r}")
        return reply

    return await asyncio.wait_for(session(), timeout)


@lesson(
    real_time=True,
    needs={"sockets"},
    lines=check_lines,
    chunk_size=check_positive_int,
    timeout=check_timeout,
)
async def frame_lines_in_a_protocol(
    lines: Sequence[str] = ("one", "two", "three"), chunk_size: int = 5, timeout: float = 5.0
) -> list[str]:
    """Split the bytes a protocol receives into lines, whatever chunks they arrive in.

    >>> asyncio.run(frame_lines_in_a_protocol(["first", "second"], chunk_size=4))
    line: 'first'
    line: 'second'
    ['first', 'second']

    TCP carries a stream of bytes, not messages: the chunks that reach
    :meth:`~asyncio.Protocol.data_received` need not match the writes that sent them. Here the
    client writes the lines in pieces of *chunk_size* bytes, so that line breaks fall inside
    pieces, and the network may merge or split them again. The server's protocol therefore keeps
    a buffer: it appends each chunk and takes out every complete line. Streams do this for you
    (:meth:`~asyncio.StreamReader.readline`); with protocols it is your job.

    The client here is only a transport: :meth:`loop.create_connection
    <asyncio.loop.create_connection>` with the base :class:`asyncio.Protocol`, which ignores
    every event. :meth:`~asyncio.BaseTransport.close` sends what is buffered and then closes.
    The server's protocol resolves a future in :meth:`~asyncio.BaseProtocol.connection_lost`
    with the lines it framed.

    :param lines: the lines the client sends, each without a line break.
    :param chunk_size: bytes per write.
    :param timeout: seconds the whole session may take.
    :returns: the lines the server framed, which equal *lines*.
    :raises asyncio.TimeoutError: if the session takes longer than *timeout*.
    """
    loop = asyncio.get_running_loop()
    data = "".join(f"{line}\n" for line in lines).encode()
    received: asyncio.Future[list[str]] = loop.create_future()
    opened: list[asyncio.BaseTransport] = []

    class LineReceiver(asyncio.Protocol):
        def __init__(self) -> None:
            self.buffer = bytearray()
            self.lines: list[str] = []

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            opened.append(transport)

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\n" in self.buffer:
                line, _, rest = self.buffer.partition(b"\n")
                self.buffer = rest
                self.lines.append(line.decode())
                print(f"line: {self.lines[-1]!r}")

        def connection_lost(self, exc: Exception | None) -> None:
            if not received.done():
                received.set_result(self.lines)

    async def session() -> list[str]:
        async with await loop.create_server(LineReceiver, "127.0.0.1", 0) as server:
            host, port = server.sockets[0].getsockname()[:2]
            try:
                transport, _ = await loop.create_connection(asyncio.Protocol, host, port)
                opened.append(transport)
                for start in range(0, len(data), chunk_size):
                    transport.write(data[start : start + chunk_size])
                transport.close()
                return await received
            finally:
                for each in opened:  # the server's transport too: it may still be open
                    each.close()

    return await asyncio.wait_for(session(), timeout)


__all__ = exported(__name__)
