"""The leak guard catches every kind of leak it promises to, and names it.

Each test runs a deliberately leaking function inside its own :class:`LeakGuard` (nested in the
one that ``conftest.py`` puts around every test), checks what the inner guard reports, then
cleans up, so that the outer guard sees nothing.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from leak_guard import NOT_WATCHED, LeakError, LeakGuard

from asyncio_primer import tasks
from asyncio_primer._support.runner import run_lesson


@pytest.fixture
def guard() -> Iterator[LeakGuard]:
    inner = LeakGuard()
    inner.start()
    yield inner
    if inner in _active():  # the test did not stop it: stop it and ignore what it found
        inner.stop(grace=0)


def _active() -> list[LeakGuard]:
    from leak_guard import _Sandbox

    return _Sandbox.active


def test_a_well_behaved_lesson_leaks_nothing(guard: LeakGuard) -> None:
    run = run_lesson(tasks.run_workers, (0.3, 0.2, 0.1))
    assert run.error is None
    assert guard.stop() == []


def test_a_task_left_pending_by_asyncio_run_is_named(guard: LeakGuard) -> None:
    async def forgotten() -> None:
        await asyncio.sleep(3600)

    async def main() -> None:
        asyncio.create_task(forgotten(), name="forgotten-task")  # noqa: RUF006 - the leak
        await asyncio.sleep(0)

    asyncio.run(main())
    (problem,) = guard.stop()
    assert "task 'forgotten-task' running" in problem
    assert "forgotten is still pending after asyncio.run's main coroutine returned" in problem


def test_a_task_pending_when_its_loop_closes_is_named(guard: LeakGuard) -> None:
    loop = asyncio.new_event_loop()
    task = loop.create_task(asyncio.sleep(3600), name="orphan")
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    del task  # destroyed while pending: asyncio reports that to the loop's exception handler
    problems = guard.stop()
    assert any("task 'orphan'" in p and "when its loop closed" in p for p in problems), problems
    assert any("Task was destroyed but it is pending!" in p for p in problems), problems


def test_an_exception_never_retrieved_reaches_the_guard(guard: LeakGuard) -> None:
    async def fail() -> None:
        raise ValueError("nobody awaits me")

    async def main() -> None:
        asyncio.create_task(fail())  # noqa: RUF006 - the leak
        await asyncio.sleep(0.01)

    asyncio.run(main())
    problems = guard.stop()
    assert any(
        "Task exception was never retrieved" in p and "ValueError('nobody awaits me')" in p
        for p in problems
    ), problems


def test_an_event_loop_never_closed_is_named_and_closed(guard: LeakGuard) -> None:
    loop = asyncio.new_event_loop()
    problems = guard.stop()
    assert any("event loop" in p and "was never closed" in p for p in problems), problems
    assert loop.is_closed()


@pytest.mark.needs("threads")
def test_a_thread_still_running_is_named(guard: LeakGuard) -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="leaky-thread")
    thread.start()
    try:
        problems = guard.stop(grace=0.05)
    finally:
        release.set()
        thread.join()
    assert any("thread 'leaky-thread'" in p and "still running" in p for p in problems), problems


#: Where the guard cannot count file descriptors (WebAssembly), the tests of that are skipped.
counts_fds = pytest.mark.skipif(bool(NOT_WATCHED), reason=NOT_WATCHED or "it counts them here")


@counts_fds
def test_an_open_socket_is_named_by_its_file_descriptor(guard: LeakGuard) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        problems = guard.stop()
    finally:
        sock.close()
    assert any("-> socket:[" in p and "is still open" in p for p in problems), problems


@pytest.mark.needs("sockets")
def test_an_open_transport_is_named() -> None:
    writers: list[asyncio.StreamWriter] = []

    async def serve() -> asyncio.AbstractServer:
        server = await asyncio.start_server(lambda r, w: writers.append(w), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)
        return server

    async def close(server: asyncio.AbstractServer) -> None:
        while len(writers) < 2:  # the server's side of the connection  # noqa: ASYNC110
            await asyncio.sleep(0)
        for writer in writers:
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()

    loop = asyncio.new_event_loop()  # before the guard starts: the guard would close it
    guard = LeakGuard()
    guard.start()
    server = loop.run_until_complete(serve())
    problems = guard.stop()
    try:  # the listener, and the client's socket (the server's side may not be accepted yet)
        assert sum("-> socket:[" in p for p in problems) >= 2, problems
    finally:
        loop.run_until_complete(close(server))
        loop.close()


@pytest.mark.needs("subprocesses")
def test_a_child_process_not_waited_for_is_named(guard: LeakGuard) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    problems = guard.stop(grace=0.5)
    child.wait()
    assert any(f"child process {child.pid}" in p for p in problems), problems


def test_a_resource_warning_at_garbage_collection_is_reported(guard: LeakGuard) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cycle: list[object] = [sock]
    cycle.append(cycle)  # only the cycle collector frees it, inside the guard's gc.collect()
    del sock, cycle
    problems = guard.stop()
    assert any(p.startswith("ResourceWarning: unclosed <socket.socket") for p in problems), problems


def test_a_coroutine_never_awaited_is_reported(guard: LeakGuard) -> None:
    async def never() -> None:  # pragma: no cover - never runs
        pass

    coroutine = never()
    cycle: list[object] = [coroutine]
    cycle.append(cycle)
    del coroutine, cycle
    problems = guard.stop()
    assert any("RuntimeWarning: coroutine" in p and "was never awaited" in p for p in problems)


@pytest.mark.needs("sockets")
@pytest.mark.parametrize(
    ("address", "complaint"),
    [
        (("0.0.0.0", 0), "non-loopback address ('0.0.0.0', 0)"),
        (("127.0.0.1", 8080), "fixed port ('127.0.0.1', 8080): bind port 0"),
    ],
)
def test_binding_outside_loopback_port_0_is_refused(
    guard: LeakGuard, address: tuple[str, int], complaint: str
) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(PermissionError, match="leak guard"),
    ):
        sock.bind(address)
    assert guard.stop() == [f"socket.bind to {complaint}"]


@pytest.mark.needs("sockets")
def test_binding_loopback_port_0_is_allowed(guard: LeakGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
    assert guard.stop() == []


def test_a_name_lookup_that_is_not_loopback_is_refused(guard: LeakGuard) -> None:
    with pytest.raises(PermissionError, match="leak guard"):
        socket.getaddrinfo("example.org", 80)
    assert guard.stop() == ["name lookup of 'example.org': only loopback is allowed"]


def test_writing_outside_the_temporary_directory_is_refused(guard: LeakGuard) -> None:
    target = Path.home() / "asyncio-primer-written-by-a-lesson.txt"  # not in the temp directory
    try:
        with pytest.raises(PermissionError, match="leak guard"):
            target.write_text("nope")
        assert not target.exists()
    finally:
        with guard.paused_sandbox():
            target.unlink(missing_ok=True)  # only if the guard failed to stop the write
    problems = guard.stop()
    assert problems == [f"opened {str(target)!r} for writing outside {_tmp()}"]


def test_writing_in_the_temporary_directory_is_allowed(guard: LeakGuard, tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    fd = os.open(tmp_path / "ok2.txt", os.O_WRONLY | os.O_CREAT)
    os.close(fd)
    assert guard.stop() == []


@counts_fds
def test_check_raises_one_error_listing_every_leak(guard: LeakGuard) -> None:
    loop = asyncio.new_event_loop()
    sock = socket.socket()
    try:
        with pytest.raises(LeakError) as caught:
            guard.check()
    finally:
        sock.close()
    message = str(caught.value)
    assert message.startswith("the test leaked:\n  - ")
    assert "was never closed" in message
    assert "is still open" in message
    assert loop.is_closed()


def _tmp() -> str:
    import tempfile

    return tempfile.gettempdir()


LEAKY_TESTS = """
import asyncio, socket, warnings

def test_leaks_a_task():
    async def main():
        asyncio.create_task(asyncio.sleep(3600), name="leaked-task")
    asyncio.run(main())

def test_leaks_a_socket():
    global kept
    kept = socket.socket()

def test_drops_an_unclosed_socket():
    socket.socket()

def test_clean():
    asyncio.run(asyncio.sleep(0))
"""


@pytest.mark.needs("subprocesses")
def test_the_autouse_guard_fails_a_leaking_test(pytester: pytest.Pytester) -> None:
    """End to end: the conftest's guard turns each kind of leak into a failure that names it."""
    tests = Path(__file__).parent
    pytester.makeconftest((tests / "conftest.py").read_text())
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(tests), os.environ.get("PYTHONPATH", "")])
    try:
        result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    finally:
        os.environ["PYTHONPATH"] = os.environ["PYTHONPATH"].split(os.pathsep, 1)[1]
    output = result.stdout.str()
    result.assert_outcomes(passed=3, errors=2, failed=1)  # errors: at teardown
    assert "task 'leaked-task' running sleep is still pending" in output
    assert "-> socket:[" in output
    assert "ERROR at teardown of test_leaks_a_task" in output
    assert "FAILED test_leaky.py::test_drops_an_unclosed_socket" in output
    assert "ResourceWarning: unclosed <socket.socket" in output


class _Unclosed:
    """Warns when garbage collection frees it, as an unclosed socket or file would."""

    def __init__(self) -> None:
        self.itself = self  # a cycle: only the garbage collector frees it

    def __del__(self) -> None:
        warnings.warn("unclosed _Unclosed", ResourceWarning, stacklevel=1)


def test_garbage_older_than_the_last_freeze_is_found_by_a_full_collection() -> None:
    # Each test's collection walks only what was made since the last gc.freeze() (conftest's
    # guard freezes after every test); now and then (conftest's _COLLECT_EVERYTHING) it unfreezes
    # and collects everything.
    unclosed = _Unclosed()
    gc.freeze()  # as at the end of an earlier test
    del unclosed
    quick = LeakGuard()
    quick.start()
    assert quick.stop(grace=0) == []  # frozen: not walked
    full = LeakGuard()
    full.start()
    assert full.stop(grace=0, everything=True) == ["ResourceWarning: unclosed _Unclosed"]


@pytest.mark.needs("subprocesses")
@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="the guard reads /proc (Linux)")
def test_every_child_process_is_seen_zombies_too() -> None:
    from leak_guard import _children

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # it ended; it is not reaped
        assert _children()[child.pid].endswith("(state Z)")
    finally:
        child.wait()
    assert child.pid not in _children()
