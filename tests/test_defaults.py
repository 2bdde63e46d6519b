"""Run as a reader runs them in the REPL — with no arguments — lessons keep their promised pace.

The other tests mostly pass their own delays; these pin the defaults a reader gets (``delay=1.0``
unless the signature says otherwise), by when each line is printed and how long the lesson takes
on the loop's clock. Each expectation follows from the lesson's code, noted beside it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from asyncio_primer import (
    async_iteration,
    cancellation,
    errors,
    event_loop,
    pitfalls,
    queues,
    synchronization,
    tasks,
)
from asyncio_primer._support.runner import run_lesson

#: (lesson, loop times of its printed lines, elapsed loop time), all with the default arguments.
DEFAULT_RUNS: list[tuple[Callable[..., Any], list[float], float]] = [
    # sleeps delay, then prints what it saved
    (pitfalls.forgotten_await_fix, [1.0], 1.0),
    # asks at once, then the call_later(delay) callback answers
    (pitfalls.get_event_loop_fix, [0.0, 1.0], 1.0),
    # the pending future refuses result() at once; call_later(delay) resolves it
    (errors.invalid_state_error, [0.0, 1.0, 1.0], 1.0),
    # wait_for(..., timeout=delay) expires after delay
    (errors.timeout_error_identity, [1.0, 1.0, 1.0], 1.0),
    # three items taken delay apart, last in first out
    (queues.lifo_queue_order, [1.0, 2.0, 3.0], 3.0),
    # two workers that sleep delay, concurrently
    (tasks.current_and_all_tasks, [0.0, 1.0, 1.0, 1.0], 1.0),
    # the task's delay overlaps the other work (delay / 2)
    (tasks.start_now_await_later, [0.0, 1.0], 1.0),
    # the waiter gives up at timeout=1.0; the shielded work=2.0 finishes
    (cancellation.shield_from_timeout, [1.0, 2.0], 2.0),
    # the loop sleeps delay while the thread blocks, then releases it
    (event_loop.offload_with_to_thread, [1.0, 1.0], 1.0),
    # sleeps delay and returns how long that took on the loop's clock
    (event_loop.loop_clock, [], 1.0),
    # the loop lets the waiting thread go after delay; the thread's call_soon_threadsafe lands
    (event_loop.call_soon_threadsafe_from_a_thread, [1.0, 1.0], 1.0),
    # the coroutine the thread submitted sleeps delay on the loop
    (event_loop.run_coroutine_threadsafe_from_a_thread, [1.0], 1.0),
    # cancelled after delay: the task stops on the spot
    (cancellation.cancel_a_task, [0.0, 1.0, 1.0, 1.0, 1.0], 1.0),
    # both workers cancelled after delay
    (cancellation.propagate_cancellation, [1.0, 1.0, 1.0], 1.0),
    # cancel() at timeout=1.0 is ignored until work=3.0; then wait_for(timeout) from 3.0: ignored
    # at 4.0, finished at 6.0
    (pitfalls.swallowed_cancel_symptom, [1.0, 1.0, 3.0, 4.0, 6.0], 6.0),
    # cancel() at timeout=1.0 stops the task; wait_for(timeout) from 1.0 times out at 2.0
    (pitfalls.swallowed_cancel_fix, [1.0, 1.0, 2.0, 2.0], 2.0),
    # items=3 produced delay apart; the consumer wakes with the third
    (synchronization.condition_wait_for, [1.0, 2.0, 3.0, 3.0], 3.0),
    # counts down from start=3, one number every delay
    (async_iteration.iterate_async_iterator_class, [1.0, 2.0, 3.0], 3.0),
    # three comprehensions, each over count=3 items delay apart
    (async_iteration.async_comprehensions, [3.0, 6.0, 9.0], 9.0),
]
if sys.platform != "win32":  # signal handlers are Unix only
    # two workers serve until SIGTERM, sent after delay
    DEFAULT_RUNS.append((event_loop.graceful_shutdown_on_signal, [0.0, 0.0] + [1.0] * 4, 1.0))


def _qualname(lesson: Callable[..., Any]) -> str:
    return f"{lesson.__module__.rpartition('.')[2]}.{lesson.__name__}"


# each skipped, with the registry's reason, where the lesson cannot run (threads on WebAssembly)
@pytest.mark.parametrize(
    ("lesson", "printed_at", "elapsed"),
    [
        pytest.param(*run, id=_qualname(run[0]), marks=pytest.mark.lesson(_qualname(run[0])))
        for run in DEFAULT_RUNS
    ],
)
def test_lesson_with_its_defaults_keeps_its_pace(
    lesson: Callable[..., Any], printed_at: list[float], elapsed: float
) -> None:
    run = run_lesson(lesson)
    assert run.error is None, repr(run.error)
    assert [line.at for line in run.printed] == printed_at
    assert run.elapsed == elapsed
