from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import re
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from primer_testing import assert_refused, expect_handler_restored

from asyncio_primer import event_loop
from asyncio_primer._registry import lessons
from asyncio_primer._support.runner import Printed, needs_real_time, run_lesson


@pytest.mark.skipif(
    sys.platform in ("win32", "emscripten"),
    reason="the loop class differs on Windows and WebAssembly",
)
def test_run_a_program_runs_a_fresh_selector_loop() -> None:
    assert event_loop.run_a_program() == "running in _UnixSelectorEventLoop"


def test_loop_clock_measures_exactly_the_delay_on_virtual_time() -> None:
    run = run_lesson(event_loop.loop_clock, 2.5)
    assert run.result == 2.5
    assert run.elapsed == 2.5


def test_loop_clock_measures_a_difference_not_a_reading() -> None:
    async def later() -> float:
        await asyncio.sleep(10.0)  # the loop's clock no longer reads 0 when the lesson starts
        return await event_loop.loop_clock(2.5)

    run = run_lesson(later)
    assert run.result == 2.5
    assert run.elapsed == 12.5


def test_callback_order_is_time_order_not_scheduling_order() -> None:
    run = run_lesson(event_loop.callback_order)
    assert run.result == ["call_soon", "call_at", "call_later"]
    assert run.printed == []
    assert run.elapsed == 1.0


@pytest.mark.lesson("event_loop.offload_with_to_thread")
def test_offload_with_to_thread_keeps_the_loop_free() -> None:
    run = run_lesson(event_loop.offload_with_to_thread, 3.0)
    assert run.printed == [
        Printed(3.0, "the loop is free while the thread blocks"),
        Printed(3.0, "the thread got the signal"),
    ]
    assert run.result == run.lines
    assert run.elapsed == 3.0


@pytest.mark.lesson("event_loop.offload_with_executor")
def test_offload_with_executor_counts_primes() -> None:
    run = run_lesson(event_loop.offload_with_executor, 100)
    assert run.result == 25
    assert run.lines == ["25 primes below 100"]
    assert run.elapsed == 0.0


@pytest.mark.lesson("event_loop.offload_with_executor")
@pytest.mark.parametrize(("limit", "primes"), [(0, 0), (2, 0), (3, 1), (10, 4), (100_000, 9592)])
def test_prime_count_matches_known_values(limit: int, primes: int) -> None:
    assert run_lesson(event_loop.offload_with_executor, limit).result == primes


@pytest.mark.parametrize(
    "lesson", [event_loop.offload_with_executor, event_loop.offload_to_process_pool]
)
@pytest.mark.parametrize("limit", [-1, True, 1.5, "100"])
def test_executor_lessons_reject_a_bad_limit_before_starting_a_pool(
    lesson: Callable[[int], Awaitable[int]], limit: Any
) -> None:
    run = run_lesson(lesson, limit)
    assert_refused(run, ValueError, repr(limit))


@pytest.mark.lesson("event_loop.offload_to_process_pool")
def test_offload_to_process_pool_counts_in_another_process() -> None:
    run = run_lesson(event_loop.offload_to_process_pool, 100)
    assert run.result == 25
    assert run.printed == [Printed(0.0, "25 primes below 100, counted in another process: True")]
    assert run.elapsed == 0.0  # the loop waited on the process; no timer ran


@pytest.mark.needs("threads")
def test_on_virtual_time_a_loop_that_waits_only_for_a_thread_sleeps_instead_of_spinning() -> None:
    # aiotools' virtual clock polls the selector with a zero timeout even when no timer is due;
    # runner.virtual_time() waits for the file then (100,000 loop steps for one process-pool run)
    async def wait_for_a_thread() -> int:
        selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
        select, calls = selector.select, 0

        def counted(timeout: float | None) -> Any:
            nonlocal calls
            calls += 1
            return select(timeout)

        selector.select = counted
        try:
            await asyncio.to_thread(time.sleep, 0.2)
        finally:
            selector.select = select
        return calls

    run = run_lesson(wait_for_a_thread)
    assert run.result <= 5  # spinning, it was thousands
    assert run.elapsed == 0.0


def test_the_process_pool_worker_is_picklable_by_name() -> None:
    # ProcessPoolExecutor pickles the function by its qualified name: it must be module-level.
    worker = event_loop._count_primes_in_process
    assert pickle.loads(pickle.dumps(worker)) is worker


def _no_worker_thread_left() -> bool:
    return all(thread.name != "worker" for thread in threading.enumerate())


@pytest.mark.lesson("event_loop.call_soon_threadsafe_from_a_thread")
def test_call_soon_threadsafe_hands_the_threads_value_to_the_loop() -> None:
    run = run_lesson(event_loop.call_soon_threadsafe_from_a_thread, 2.0)
    assert run.printed == [
        Printed(2.0, "the loop lets the thread go"),
        Printed(2.0, "the loop got: hello from thread worker"),
    ]
    assert run.result == "hello from thread worker"
    assert run.elapsed == 2.0
    assert _no_worker_thread_left()


@pytest.mark.lesson("event_loop.run_coroutine_threadsafe_from_a_thread")
def test_run_coroutine_threadsafe_runs_the_coroutine_on_the_loops_thread() -> None:
    run = run_lesson(event_loop.run_coroutine_threadsafe_from_a_thread, 2.0)
    # The thread prints once the coroutine, sleeping on the loop, has finished.
    assert run.printed == [Printed(2.0, "the thread got: looked up in thread MainThread")]
    assert run.result == "looked up in thread MainThread"
    assert run.elapsed == 2.0
    assert _no_worker_thread_left()


DELAY_LESSONS = [
    event_loop.call_soon_threadsafe_from_a_thread,
    event_loop.run_coroutine_threadsafe_from_a_thread,
    pytest.param(
        event_loop.graceful_shutdown_on_signal,
        marks=pytest.mark.skipif(sys.platform == "win32", reason="signal handlers are Unix only"),
    ),
]


@pytest.mark.parametrize("lesson", DELAY_LESSONS)
@pytest.mark.parametrize(
    ("delay", "error"), [(-1.0, ValueError), (float("nan"), ValueError), ("1", TypeError)]
)
def test_thread_and_signal_lessons_reject_a_bad_delay_before_starting(
    lesson: Callable[[float], Awaitable[object]], delay: Any, error: type[Exception]
) -> None:
    run = run_lesson(lesson, delay)
    assert_refused(run, error, repr(delay))
    assert _no_worker_thread_left()


def test_custom_exception_handler_receives_the_callbacks_error_then_is_removed() -> None:
    run = run_lesson(event_loop.custom_exception_handler, setup=expect_handler_restored)
    assert run.error is None
    assert isinstance(run.result, RuntimeError)
    assert run.result.args == ("boom",)
    assert [line.at for line in run.printed] == [0.0, 0.0]  # one turn of the loop
    assert run.lines[0].startswith("handler got message: Exception in callback _explode() at ")
    assert run.lines[1] == "handler got exception: RuntimeError('boom')"
    assert run.elapsed == 0.0


def test_custom_exception_handler_message_says_where_the_callback_was_defined() -> None:
    # (deselected under mutmut, whose trampolines move the callback: see setup.cfg)
    run = run_lesson(event_loop.custom_exception_handler)
    code = event_loop._explode.__code__
    assert run.lines[0] == (
        "handler got message: Exception in callback _explode()"
        f" at {code.co_filename}:{code.co_firstlineno}"
    )


SLOW = r"Executing <Handle sleep\({}\) created at .+:\d+> took (\d+\.\d{{3}}) seconds"


@contextlib.contextmanager
def _expect_debug_settings_restored(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    debug, threshold = loop.get_debug(), loop.slow_callback_duration
    logger = logging.getLogger("asyncio")
    handlers, propagate = list(logger.handlers), logger.propagate
    yield
    assert (loop.get_debug(), loop.slow_callback_duration) == (debug, threshold)
    assert (logger.handlers, logger.propagate) == (handlers, propagate)


@pytest.mark.parametrize(
    ("args", "block", "threshold"), [((0.05, 0.02), "0.05", 0.02), ((), "0.2", 0.1)]
)
def test_debug_slow_callback_logs_the_blocking_callback_on_real_time(
    args: tuple[float, ...], block: str, threshold: float
) -> None:
    assert needs_real_time("event_loop.debug_slow_callback")
    run = run_lesson(
        event_loop.debug_slow_callback, *args, virtual=False, setup=_expect_debug_settings_restored
    )
    assert run.error is None
    (warning,) = run.result
    match = re.fullmatch(SLOW.format(re.escape(block)), warning)
    assert match, warning
    assert float(match[1]) >= threshold  # logged because it took longer than the threshold
    assert run.lines == [f"asyncio warned: {warning}"]


@pytest.mark.parametrize(
    ("block", "threshold", "error", "named"),
    [
        (0.1, 0.1, ValueError, "0.1"),
        (0.05, 0.1, ValueError, "0.05"),
        (-1.0, 0.1, ValueError, "-1.0"),
        (0.2, float("inf"), ValueError, "inf"),
        (0.2, None, TypeError, "None"),
    ],
)
def test_debug_slow_callback_rejects_bad_durations(
    block: float, threshold: Any, error: type[Exception], named: str
) -> None:
    run = run_lesson(event_loop.debug_slow_callback, block, threshold, virtual=False)
    assert_refused(run, error, named)


@pytest.mark.lesson("event_loop.graceful_shutdown_on_signal")
@pytest.mark.skipif(sys.platform == "win32", reason="loop.add_signal_handler is Unix only")
def test_graceful_shutdown_on_signal_stops_the_workers_cleanly() -> None:
    run = run_lesson(event_loop.graceful_shutdown_on_signal, 2.0)
    assert run.printed == [
        Printed(0.0, "worker 1 serving"),
        Printed(0.0, "worker 2 serving"),
        Printed(2.0, "sending myself SIGTERM"),
        Printed(2.0, "got SIGTERM: stopping the workers"),
        Printed(2.0, "worker 1 stopped cleanly"),
        Printed(2.0, "worker 2 stopped cleanly"),
    ]
    assert run.result == ["worker 1 stopped cleanly", "worker 2 stopped cleanly"]
    assert run.elapsed == 2.0
    # The handler is gone: SIGTERM has its default action again.
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_only_the_slow_callback_lesson_needs_real_time() -> None:
    real_time = [facts.name for facts in lessons("event_loop").values() if facts.real_time]
    assert real_time == ["debug_slow_callback"]


# -- Python 3.14 (run in the py314/py315 envs, on Pyodide) ------------------------------------


@pytest.mark.lesson("event_loop.get_event_loop_raises")
def test_get_event_loop_raises_where_no_loop_is_current() -> None:
    if sys.version_info >= (3, 14):
        from asyncio_primer._support.runner import outside_the_web_loop

        # as in a program's first lines: no loop running or current (on Pyodide, its own
        # always-running loop and policy are put aside for the block)
        with outside_the_web_loop():
            run = run_lesson(event_loop.get_event_loop_raises)
        assert run.error is None
        missing = "RuntimeError: There is no current event loop in thread 'MainThread'."
        assert run.lines == [
            f"get_event_loop(): {missing}",
            "in an asyncio.Runner block: get_event_loop() is the runner's loop: True",
            f"after the block: {missing}",
        ]
        assert run.result == run.lines


@pytest.mark.lesson("event_loop.get_event_loop_raises")
def test_get_event_loop_raises_where_a_loop_runs_uses_a_thread_or_refuses() -> None:
    if sys.version_info >= (3, 14):
        from asyncio_primer._registry import ON_WEBASSEMBLY

        async def in_a_coroutine() -> list[str]:
            return event_loop.get_event_loop_raises()

        run = run_lesson(in_a_coroutine)
        if ON_WEBASSEMBLY:  # no thread to run it in: it refuses at once
            assert type(run.error) is RuntimeError
            assert "call it from synchronous code" in str(run.error)
            assert (run.printed, run.elapsed) == ([], 0.0)
        else:  # pragma: no cover - CPython 3.14+ is only here on WebAssembly
            assert run.error is None
            assert "no current event loop in thread 'asyncio-primer-own-loop" in run.lines[0]


@pytest.mark.lesson("event_loop.policies_deprecated")
def test_policies_deprecated_shows_both_warnings_and_the_replacement() -> None:
    if sys.version_info >= (3, 14):
        run = run_lesson(event_loop.policies_deprecated)
        assert run.result == ["asyncio.get_event_loop_policy", "asyncio.iscoroutinefunction"]
        removal = "is deprecated and slated for removal in Python 3.16"
        assert run.printed == [
            Printed(
                0.0,
                "asyncio.get_event_loop_policy(): DeprecationWarning: "
                f"'asyncio.get_event_loop_policy' {removal}",
            ),
            Printed(
                0.0,
                "asyncio.iscoroutinefunction(): DeprecationWarning: "
                f"'asyncio.iscoroutinefunction' {removal}; use inspect.iscoroutinefunction()"
                " instead",
            ),
            Printed(0.0, "inspect.iscoroutinefunction(): True, without a warning"),
        ]
        assert run.elapsed == 0.0


@pytest.mark.parametrize("debug_before", [False, True])
def test_debug_slow_callback_shows_the_same_with_debug_mode_off_or_on(debug_before: bool) -> None:
    """#11: with debug mode off (a plain `python`), 3.13's handle repr hides its arguments, and
    the lesson once kept no warning; it reads the name while its own debug mode is on."""

    @contextlib.contextmanager
    def debug_as(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        was = loop.get_debug()
        loop.set_debug(debug_before)
        try:
            with _expect_debug_settings_restored(loop):
                yield
        finally:
            loop.set_debug(was)

    run = run_lesson(event_loop.debug_slow_callback, 0.05, 0.02, virtual=False, setup=debug_as)
    assert run.error is None
    (warning,) = run.result
    assert re.fullmatch(SLOW.format(re.escape("0.05")), warning), warning
