"""The benefits lessons measure real time: tests check what holds by construction, not speed."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import time
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import benefits
from asyncio_primer._registry import lessons
from asyncio_primer._support import echo
from asyncio_primer._support.memory import resident_memory
from asyncio_primer._support.runner import Printed, needs_real_time, run_lesson

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
if HAS_UVLOOP:
    # libuv opens a process-wide pipe (for signals) with the first loop and keeps it for the
    # process's life: open it now, before the leak guard starts counting file descriptors.
    importlib.import_module("uvloop").new_event_loop().close()


def test_every_benefits_lesson_runs_on_real_time() -> None:
    assert all(facts.real_time for facts in lessons("benefits").values())
    assert all(needs_real_time(f"benefits.{name}") for name in benefits.__all__)


def test_workers_on_virtual_time_meet_the_ideal_exactly() -> None:
    run = run_lesson(benefits.workers_on_real_time)
    assert run.result == 1.0
    assert run.elapsed == 5.0
    assert run.printed[-1] == Printed(5.0, "elapsed 5.0000 s for an ideal 5 s: ratio 1.0000")
    assert run.lines[:3] == ["Task 1 started", "Task 2 started", "Task 3 started"]


def test_workers_on_real_time_take_at_least_the_longest_delay() -> None:
    run = run_lesson(benefits.workers_on_real_time, (0.05, 0.03, 0.01), virtual=False)
    assert run.error is None
    assert run.result >= 0.99  # asyncio.sleep never returns early (by more than clock resolution)
    assert len(run.lines) == 7
    assert run.lines[-1].startswith("elapsed ")
    assert "for an ideal 0.05 s: ratio " in run.lines[-1]


@pytest.mark.parametrize(
    ("delays", "shown"),
    [
        ((), "delays must not be empty, got ()"),
        ((0.0, 0.0), "delays must hold a delay > 0, got (0.0, 0.0)"),
        ((1.0, -1.0), "delays[1] must be a finite number of seconds >= 0, got -1.0"),
    ],
)
def test_workers_on_real_time_rejects_bad_delays(delays: tuple[float, ...], shown: str) -> None:
    run = run_lesson(benefits.workers_on_real_time, delays)
    assert_refused(run, ValueError, shown)


def test_heartbeat_misses_at_least_the_blocking_call() -> None:
    run = run_lesson(benefits.heartbeat_gaps, 0.3, 0.05, virtual=False)
    assert run.error is None
    gaps = run.result
    assert sorted(gaps) == ["asyncio.sleep", "time.sleep"]
    assert gaps["asyncio.sleep"] > 0
    # By construction: the blocking call starts right after a tick, and the next tick can only
    # be stamped once it returns.
    assert gaps["time.sleep"] >= 0.3
    assert [line.split(": ")[0] for line in run.lines] == [
        "largest heartbeat gap while the other coroutine awaits asyncio.sleep(0.3)",
        "largest heartbeat gap while the other coroutine calls time.sleep(0.3)",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"wait": -1.0}, ValueError, "-1.0"),
        ({"interval": 0.0}, ValueError, "0.0"),
        ({"interval": "fast"}, TypeError, "'fast'"),
    ],
)
def test_heartbeat_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], named: str
) -> None:
    run = run_lesson(benefits.heartbeat_gaps, virtual=False, **kwargs)
    assert_refused(run, error, named)


@pytest.mark.lesson("benefits.tasks_vs_threads")
def test_tasks_vs_threads_reports_both_costs() -> None:
    run = run_lesson(benefits.tasks_vs_threads, 20, virtual=False)
    assert run.error is None
    costs = run.result
    assert sorted(costs) == ["task_bytes", "task_seconds", "thread_bytes", "thread_seconds"]
    assert all(value >= 0 for value in costs.values())
    assert costs["task_seconds"] > 0
    assert costs["thread_seconds"] > 0
    assert [line.split(":")[0] for line in run.lines] == ["20 tasks", "20 threads"]


@pytest.mark.parametrize(("count", "error"), [(0, ValueError), ("10", TypeError)])
def test_tasks_vs_threads_rejects_bad_counts(count: Any, error: type[Exception]) -> None:
    run = run_lesson(benefits.tasks_vs_threads, count, virtual=False)
    assert isinstance(run.error, error)
    assert repr(count) in str(run.error)


@pytest.mark.skipif(
    sys.platform == "emscripten",
    reason="WebAssembly has no /proc/self/statm and no resource module",
)
def test_resident_memory_is_a_positive_number_of_bytes() -> None:
    assert resident_memory() > 1024 * 1024


SERVERS = [
    "asyncio",
    "threads",
    pytest.param("uvloop", marks=pytest.mark.skipif(not HAS_UVLOOP, reason="needs uvloop")),
]


@pytest.mark.lesson("benefits.echo_load")
@pytest.mark.parametrize("server", SERVERS)
def test_echo_load_serves_every_request(server: str) -> None:
    run = run_lesson(benefits.echo_load, server, 3, 2, 16, virtual=False)
    assert run.error is None, run.error
    stats = run.result
    assert stats["requests"] == 6.0  # 3 clients x 2 round trips, each answered
    assert stats["requests_per_second"] > 0
    assert 0 < stats["p50_ms"] <= stats["p90_ms"] <= stats["p99_ms"]
    assert stats["connect_seconds"] > 0
    assert run.lines[0].startswith(f"{server} server, 3 clients x 2 requests: ")


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"server": "twisted"}, ValueError, "'twisted'"),
        ({"clients": 0}, ValueError, "clients"),
        ({"requests": -1}, ValueError, "-1"),
        ({"size": 1.5}, TypeError, "1.5"),
    ],
)
def test_echo_load_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], named: str
) -> None:
    run = run_lesson(benefits.echo_load, virtual=False, **kwargs)
    assert_refused(run, error, named)


def test_echo_load_refuses_clearly_when_the_file_limit_is_too_low(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resource = pytest.importorskip("resource", reason="resource is Unix only (not WebAssembly)")
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (256, 256))
    run = run_lesson(benefits.echo_load, "asyncio", 1000, virtual=False)
    assert isinstance(run.error, ValueError)
    assert "clients=1000 needs about 2064 file descriptors" in str(run.error)
    assert "the limit is 256" in str(run.error)


def test_percentile_uses_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert echo.percentile(values, 0.50) == 50.0
    assert echo.percentile(values, 0.99) == 99.0
    assert echo.percentile([7.0], 0.99) == 7.0
    assert echo.percentile(values, 0.0) == 1.0  # the smallest, not below it
    assert echo.percentile(values, 1.0) == 100.0  # the largest, not beyond it


# -- The load generator's clients, run in this process ------------------------------------------
# echo_load runs its clients in a child process, where coverage and mutation testing cannot see
# them; these tests drive the same client code here, against servers that count what they get.


class _CountingEchoServer:
    """An echo server on the running loop that counts connections and bytes.

    It echoes one byte at a time, yielding to the loop after each, so a client (on the same loop)
    gets each echo in small pieces and must put it back together; with
    *hang_up*, it reads the first message and closes the connection without answering.
    """

    def __init__(self, *, hang_up: bool = False) -> None:
        self.hang_up = hang_up
        self.connections = 0
        self.received = 0
        self.handlers: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        task.add_done_callback(self.handlers.discard)
        self.connections += 1
        try:
            while data := await reader.read(65536):
                self.received += len(data)
                if self.hang_up:
                    break
                for index in range(len(data)):
                    writer.write(data[index : index + 1])
                    await writer.drain()
                    await asyncio.sleep(0)
        finally:
            writer.close()
            await writer.wait_closed()

    async def run_clients(self, clients: int, requests: int, size: int) -> dict[str, float]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            try:
                # (a client that never sees its whole echo would wait forever: fail instead)
                clients_done = echo.echo_clients(port, clients, requests, size)
                return await asyncio.wait_for(clients_done, timeout=60)
            finally:
                # the clients have closed their ends: each handler reads end of file and returns
                await asyncio.gather(*self.handlers, return_exceptions=True)


@pytest.mark.needs("sockets")
def test_echo_clients_time_every_round_trip_of_every_client() -> None:
    server = _CountingEchoServer()
    began = time.perf_counter()
    run = run_lesson(server.run_clients, 3, 4, 10, virtual=False)
    took = time.perf_counter() - began
    assert run.error is None, run.error
    stats = run.result
    assert server.connections == 3
    assert server.received == 3 * (1 + 4) * 10  # one untimed warm-up, then 4 timed round trips
    assert stats["requests"] == 12.0
    assert stats["seconds"] > 0
    assert stats["requests_per_second"] == 12.0 / stats["seconds"]
    assert stats["connect_seconds"] > 0
    # each phase is a part of the run (no speed is asserted: these hold on any machine)
    assert stats["connect_seconds"] + stats["seconds"] <= took
    assert 0 < stats["p50_ms"] <= stats["p90_ms"] <= stats["p99_ms"]
    # no round trip can take longer than the timed phase that holds it
    assert stats["p99_ms"] <= stats["seconds"] * 1000


@pytest.mark.needs("sockets")
def test_echo_clients_fail_clearly_when_the_server_hangs_up() -> None:
    server = _CountingEchoServer(hang_up=True)
    run = run_lesson(server.run_clients, 1, 3, 8, virtual=False)
    assert type(run.error) is ConnectionError
    assert str(run.error) == "the server closed the connection"
    assert server.connections == 1
    assert server.received == 8  # the warm-up, never answered


@pytest.mark.needs("sockets", "threads")
def test_echo_clients_process_entry_point_prints_its_stats_as_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loops: list[str] = []
    new_loop = echo.new_loop

    def recorded_new_loop(server: str) -> asyncio.AbstractEventLoop:
        loops.append(server)
        return new_loop(server)

    monkeypatch.setattr(echo, "new_loop", recorded_new_loop)
    echo_server = echo.EchoServerThread("asyncio", backlog=4)
    port = echo_server.start()
    assert loops == ["asyncio"]  # the server's own loop
    loops.clear()
    try:
        echo.main([str(port), "2", "3", "8"])
    finally:
        echo_server.stop()
    assert loops == ["uvloop" if HAS_UVLOOP else "asyncio"]  # as documented: uvloop if installed
    stats = json.loads(capsys.readouterr().out)
    assert sorted(stats) == [
        "connect_seconds",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "requests",
        "requests_per_second",
        "seconds",
    ]
    assert stats["requests"] == 6.0
