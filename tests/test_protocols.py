"""Protocols lessons: asyncio.Protocol and transports on loopback, on real time."""

from __future__ import annotations

import asyncio

import pytest
from primer_testing import RefusalCase, refusal_test

from asyncio_primer import protocols
from asyncio_primer._support.runner import needs_real_time, run_lesson

EVENTS = "connection_made, data_received, eof_received, connection_lost"


@pytest.mark.lesson("protocols.echo_with_protocols")
@pytest.mark.parametrize(
    "message",
    ["hello, protocols", "ping", "héllo wörld", "x" * 100],
    ids=["text", "short", "utf8", "long"],
)
def test_echo_with_protocols_replies_and_closes_both_sides(message: str) -> None:
    run = run_lesson(protocols.echo_with_protocols, message, virtual=False)
    assert run.error is None
    assert run.result == message
    assert run.lines == [f"server: {EVENTS}", f"client: {EVENTS}", f"reply: {message!r}"]


@pytest.mark.lesson("protocols.echo_with_protocols")
def test_echo_with_protocols_default_message() -> None:
    assert run_lesson(protocols.echo_with_protocols, virtual=False).result == "hello, protocols"


@pytest.mark.lesson("protocols.frame_lines_in_a_protocol")
@pytest.mark.parametrize(
    ("lines", "chunk_size"),
    [
        (["one", "two", "three"], 5),
        (["one", "two", "three"], 1),  # one byte per write
        (["one", "two", "three"], 1000),  # everything in one write
        (["", "after an empty line"], 3),
        (["héllo", "wörld"], 2),  # writes split the UTF-8 bytes of a character
    ],
)
def test_frame_lines_in_a_protocol_frames_whatever_the_chunks(
    lines: list[str], chunk_size: int
) -> None:
    run = run_lesson(protocols.frame_lines_in_a_protocol, lines, chunk_size, virtual=False)
    assert run.error is None
    assert run.result == lines
    assert run.lines == [f"line: {line!r}" for line in lines]


def test_every_protocols_lesson_runs_on_real_time() -> None:
    assert protocols.__all__
    assert all(needs_real_time(f"protocols.{name}") for name in protocols.__all__)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.lesson(f"protocols.{n}")) for n in protocols.__all__]
)
def test_on_virtual_time_the_timeout_fires_at_once(name: str) -> None:
    """Why these lessons run on real time: waiting for the socket, the virtual clock jumps to
    the timeout. The lesson still closes every transport (the leak guard checks)."""
    run = run_lesson(getattr(protocols, name), timeout=2.0)
    assert isinstance(run.error, asyncio.TimeoutError)
    assert run.elapsed == 2.0


BAD_INPUT: list[RefusalCase] = [
    (protocols.echo_with_protocols, {"message": b"bytes"}, TypeError, "b'bytes'"),
    (protocols.echo_with_protocols, {"message": "two\nlines"}, ValueError, "'two\\nlines'"),
    (protocols.echo_with_protocols, {"timeout": 0.0}, ValueError, "0.0"),
    (protocols.frame_lines_in_a_protocol, {"lines": []}, ValueError, "[]"),
    (protocols.frame_lines_in_a_protocol, {"lines": ["a\r"]}, ValueError, "'a\\r'"),
    (protocols.frame_lines_in_a_protocol, {"chunk_size": 0}, ValueError, "0"),
    (protocols.frame_lines_in_a_protocol, {"chunk_size": True}, TypeError, "True"),
    (protocols.frame_lines_in_a_protocol, {"timeout": float("nan")}, ValueError, "nan"),
]

test_bad_input_is_refused_before_any_socket_opens = refusal_test(BAD_INPUT)
