"""Streams lessons: real sockets on loopback and in a temporary directory, on real time."""

from __future__ import annotations

import asyncio
import socket
import sys

import pytest
from primer_testing import RefusalCase, refusal_test

from asyncio_primer import streams
from asyncio_primer._support.runner import needs_real_time, run_lesson

needs_unix_sockets = pytest.mark.skipif(
    not hasattr(socket, "AF_UNIX"), reason="needs unix sockets (socket.AF_UNIX)"
)


def echo_lines(lines: list[str]) -> list[str]:
    return [f"sent {line!r}, got back {line!r}" for line in lines]


@pytest.mark.lesson("streams.echo_over_tcp")
@pytest.mark.parametrize(
    "lines",
    [
        ["hello", "asyncio streams"],
        ["", "héllo wörld", "x" * 1000],
        ["a space at the end ", "\tand tabs\t", "XX"],  # only the line break is taken off
    ],
)
def test_echo_over_tcp_sends_each_line_back(lines: list[str]) -> None:
    run = run_lesson(streams.echo_over_tcp, lines, virtual=False)
    assert run.error is None
    assert run.lines == echo_lines(lines)
    assert run.result == lines


@pytest.mark.lesson("streams.read_until_separator")
def test_read_until_separator_defaults() -> None:
    run = run_lesson(streams.read_until_separator, virtual=False)
    assert run.result == ([b"alpha;", b"beta;"], b"unfinished")
    assert run.lines[-1] == "IncompleteReadError: closed before b';'; partial=b'unfinished'"


@pytest.mark.lesson("streams.read_until_limit_overrun")
def test_read_until_limit_overrun_defaults() -> None:
    run = run_lesson(streams.read_until_limit_overrun, virtual=False)
    assert run.result == [b"short;"]
    assert run.lines[-1].endswith("longer than the limit of 16 bytes")


@pytest.mark.lesson("streams.echo_over_tcp")
def test_echo_over_tcp_defaults() -> None:
    run = run_lesson(streams.echo_over_tcp, virtual=False)
    assert run.result == ["hello", "asyncio streams"]
    assert run.lines == echo_lines(run.result)


@pytest.mark.lesson("streams.read_until_separator")
@pytest.mark.parametrize(
    ("data", "separator", "records", "partial"),
    [
        (b"alpha;beta;unfinished", b";", [b"alpha;", b"beta;"], b"unfinished"),
        (b"alpha;beta;", b";", [b"alpha;", b"beta;"], b""),  # a clean end: nothing partial
        (b"GET / HTTP/1.1\r\nHost: x\r\n", b"\r\n", [b"GET / HTTP/1.1\r\n", b"Host: x\r\n"], b""),
        (b"no separator at all", b";", [], b"no separator at all"),
        (b"", b";", [], b""),
    ],
    ids=["partial-rest", "clean-end", "crlf", "no-separator", "empty"],
)
def test_read_until_separator_returns_records_then_the_partial_rest(
    data: bytes, separator: bytes, records: list[bytes], partial: bytes
) -> None:
    run = run_lesson(streams.read_until_separator, data, separator, virtual=False)
    assert run.error is None
    assert run.result == (records, partial)
    assert run.lines == [
        *(f"record: {record!r}" for record in records),
        f"IncompleteReadError: closed before {separator!r}; partial={partial!r}",
    ]


@pytest.mark.lesson("streams.read_until_limit_overrun")
@pytest.mark.parametrize(
    ("limit", "records"),
    [
        (16, [b"short;"]),
        (6, [b"short;"]),  # b"short" (5 bytes before the separator) still fits
        (4, []),  # even the short record is too long
    ],
)
def test_read_until_limit_overrun_stops_at_the_long_record(
    limit: int, records: list[bytes]
) -> None:
    run = run_lesson(streams.read_until_limit_overrun, limit, virtual=False)
    assert run.error is None
    assert run.result == records
    assert run.lines == [
        *(f"record: {record!r}" for record in records),
        f"LimitOverrunError: the next record is longer than the limit of {limit} bytes",
    ]


@needs_unix_sockets
@pytest.mark.parametrize("lines", [["hello", "unix socket"], ["one"]])
def test_echo_over_unix_socket_sends_each_line_back(lines: list[str]) -> None:
    if sys.platform != "win32":  # for mypy; the mark skips platforms without unix sockets
        run = run_lesson(streams.echo_over_unix_socket, lines, virtual=False)
        assert run.error is None
        assert run.lines == echo_lines(lines)
        assert run.result == lines


def test_unix_socket_lesson_exists_exactly_where_there_are_unix_sockets() -> None:
    assert ("echo_over_unix_socket" in streams.__all__) == hasattr(socket, "AF_UNIX")


def test_every_streams_lesson_runs_on_real_time() -> None:
    assert streams.__all__
    assert all(needs_real_time(f"streams.{name}") for name in streams.__all__)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.lesson(f"streams.{n}")) for n in streams.__all__]
)
def test_on_virtual_time_the_timeout_fires_at_once(name: str) -> None:
    """Why these lessons are in REAL_TIME_LESSONS: while the lesson waits for the socket, the
    virtual clock jumps to the session's timeout, which fires before any reply arrives. The
    lesson still cleans up after itself (the leak guard checks)."""
    run = run_lesson(getattr(streams, name), timeout=3.0)
    assert isinstance(run.error, asyncio.TimeoutError)
    assert run.elapsed == 3.0


BAD_INPUT: list[RefusalCase] = [
    (streams.echo_over_tcp, {"lines": []}, ValueError, "[]"),
    (streams.echo_over_tcp, {"lines": "hello"}, TypeError, "'hello'"),
    (streams.echo_over_tcp, {"lines": ["ok", "two\nlines"]}, ValueError, "'two\\nlines'"),
    (streams.echo_over_tcp, {"lines": [b"bytes"]}, TypeError, "b'bytes'"),
    (streams.echo_over_tcp, {"timeout": 0}, ValueError, "0"),
    (streams.echo_over_tcp, {"timeout": -1.0}, ValueError, "-1.0"),
    (streams.echo_over_tcp, {"timeout": "5"}, TypeError, "'5'"),
    (streams.read_until_separator, {"separator": b""}, ValueError, "b''"),
    (streams.read_until_separator, {"separator": ";"}, TypeError, "';'"),
    (streams.read_until_separator, {"data": "text"}, TypeError, "'text'"),
    (streams.read_until_separator, {"timeout": float("inf")}, ValueError, "inf"),
    (streams.read_until_limit_overrun, {"limit": 0}, ValueError, "0"),
    (streams.read_until_limit_overrun, {"limit": 2.5}, TypeError, "2.5"),
]

test_bad_input_is_refused_before_any_socket_opens = refusal_test(BAD_INPUT)


# -- what echo_over_tcp says about the server and its handlers, on each side of each change ----


@pytest.mark.lesson("streams.echo_over_tcp")
def test_leaving_async_with_server_waits_for_open_connections_from_3_12() -> None:
    """gh-79033: up to 3.11 ``async with server`` returns with a client still connected."""

    async def main() -> bool:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # until the client closes
            writer.close()

        client: asyncio.StreamWriter | None = None

        async def leave() -> None:
            nonlocal client
            async with await asyncio.start_server(hold, "127.0.0.1", 0) as server:
                port = server.sockets[0].getsockname()[1]
                _, client = await asyncio.open_connection("127.0.0.1", port)
                for _ in range(5):  # let the server accept it
                    await asyncio.sleep(0)

        leaving = asyncio.ensure_future(leave())
        for _ in range(20):
            await asyncio.sleep(0)
        left_with_a_client = leaving.done()
        assert client is not None
        client.close()
        await client.wait_closed()
        await leaving
        await asyncio.sleep(0.05)  # before 3.12 nothing waits for the handler: let it end
        return left_with_a_client

    assert asyncio.run(main()) is (sys.version_info < (3, 12))


@pytest.mark.lesson("streams.echo_over_tcp")
def test_the_stream_protocol_keeps_its_handler_task_from_3_10() -> None:
    """gh-90467: on 3.9 nothing holds the handler task; from 3.10 the protocol does (private
    ``_task``), and the server gives you no reference to it either way."""

    async def main() -> bool:
        held: list[bool] = []
        handling = asyncio.Event()

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            protocol = writer.transport.get_protocol()
            held.append(getattr(protocol, "_task", None) is asyncio.current_task())
            handling.set()
            await reader.read()
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            _, client = await asyncio.open_connection("127.0.0.1", port)
            await handling.wait()
            assert not hasattr(server, "tasks")
            assert not hasattr(server, "_tasks")
            client.close()
            await client.wait_closed()
        await asyncio.sleep(0.05)  # before 3.12 nothing waits for the handler: let it end
        return held[0]

    assert asyncio.run(main()) is (sys.version_info >= (3, 10))
