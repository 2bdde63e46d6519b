from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import cancellation
from asyncio_primer._support.runner import Printed, run_lesson


def test_cancel_a_task_is_a_request_delivered_at_the_next_await() -> None:
    run = run_lesson(cancellation.cancel_a_task, 2.0)
    assert run.result is True
    assert run.printed == [
        Printed(0.0, "worker: started an hour-long job"),
        Printed(2.0, "cancel() returned True; cancelled() is False for now"),
        Printed(2.0, "worker: got CancelledError"),
        Printed(2.0, "awaiting the task raised CancelledError"),
        Printed(2.0, "cancelled() is True"),
    ]
    assert run.elapsed == 2.0  # not the hour the worker meant to sleep


def test_propagate_cancellation_only_the_polite_task_ends_cancelled() -> None:
    run = run_lesson(cancellation.propagate_cancellation)
    assert run.result == {"polite": "cancelled", "rude": "returned 'pretended to finish'"}
    assert run.printed == [
        Printed(1.0, "polite: cleaning up, then re-raising"),
        Printed(1.0, "polite: connection closed"),
        Printed(1.0, "rude: swallowed the cancellation"),
    ]
    assert run.elapsed == 1.0


def test_wait_for_timeout_cancels_the_task_and_raises_the_timeout_error_of_this_python() -> None:
    run = run_lesson(cancellation.wait_for_timeout)
    assert run.result is asyncio.TimeoutError
    # Since 3.11 asyncio.TimeoutError is the builtin; before, a class of asyncio's own.
    assert (run.result is TimeoutError) == (sys.version_info >= (3, 11))
    assert issubclass(run.result, TimeoutError) == (sys.version_info >= (3, 11))
    assert run.printed == [Printed(1.0, "gave up after the timeout; the task is cancelled: True")]
    assert run.elapsed == 1.0  # the timeout, not the task's 5 s


def test_wait_for_timeout_returns_none_when_the_task_is_in_time() -> None:
    run = run_lesson(cancellation.wait_for_timeout, 1.0, 2.0)
    assert run.result is None
    assert run.printed == [Printed(1.0, "the task finished in time: 'finished'")]
    assert run.elapsed == 1.0


@pytest.mark.parametrize(("work", "timeout"), [(2.0, 1.0), (1.0, 2.0)])
def test_shield_from_timeout_always_finishes_the_work(work: float, timeout: float) -> None:
    run = run_lesson(cancellation.shield_from_timeout, work, timeout)
    assert run.result == "saved"
    timed_out = [Printed(timeout, "the waiter timed out; the save goes on")]
    assert run.printed == (timed_out if work > timeout else []) + [Printed(work, "saved")]
    assert run.elapsed == work


@pytest.mark.lesson("cancellation.timeout_block")
@pytest.mark.parametrize(("work", "timeout"), [(5.0, 1.0), (1.0, 2.5)])
def test_timeout_block(work: float, timeout: float) -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(cancellation.timeout_block, work, timeout)
        expired = work > timeout
        assert run.result is expired
        if expired:
            assert run.printed == [
                Printed(timeout, "inside the block: CancelledError"),
                Printed(timeout, "outside the block: TimeoutError; expired() is True"),
            ]
        else:
            assert run.printed == [Printed(work, "the work finished in time; expired() is False")]
        assert run.elapsed == min(work, timeout)


@pytest.mark.lesson("cancellation.idle_timeout")
def test_idle_timeout_moves_the_deadline_after_each_chunk() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(cancellation.idle_timeout)
        assert run.result == 3
        assert run.printed == [
            Printed(1.0, "chunk 1 arrived"),
            Printed(2.0, "chunk 2 arrived"),
            Printed(3.0, "chunk 3 arrived"),
            Printed(5.0, "no chunk for too long: TimeoutError"),
        ]
        assert run.elapsed == 5.0  # idle (2 s) after the last chunk, at 3 s


@pytest.mark.lesson("cancellation.idle_timeout")
def test_idle_timeout_never_fires_while_chunks_keep_coming() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(cancellation.idle_timeout, [1.5] * 6, 2.0)
        assert run.result == 6
        assert run.lines[-1] == "chunk 6 arrived"
        assert run.elapsed == 9.0  # far beyond the 2 s idle limit


@pytest.mark.lesson("cancellation.cancelling_and_uncancel")
def test_cancelling_and_uncancel_counts_and_later_timeouts_still_work() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(cancellation.cancelling_and_uncancel)
        assert run.result == [1, 0]
        assert run.printed == [
            Printed(1.0, "step 1 cancelled; cancelling() is 1"),
            Printed(1.0, "after uncancel(), cancelling() is 0"),
            Printed(2.0, "step 2 timed out as it should"),
        ]
        assert run.elapsed == 2.0


BAD_ARGUMENTS: list[tuple[str, tuple[Any, ...], type[Exception], str]] = [
    ("cancel_a_task", (-1.0,), ValueError, "-1.0"),
    ("propagate_cancellation", ("soon",), TypeError, "'soon'"),
    ("wait_for_timeout", (-5.0,), ValueError, "work must be"),
    ("wait_for_timeout", (5.0, 0), ValueError, "timeout must be"),
    ("shield_from_timeout", (2.0, float("inf")), ValueError, "inf"),
    ("timeout_block", (1.0, -1.0), ValueError, "-1.0"),
    ("idle_timeout", ((),), ValueError, "chunks must not be empty"),
    ("idle_timeout", ((1.0,), 0.0), ValueError, "idle must be"),
    ("cancelling_and_uncancel", (0.0,), ValueError, "0.0"),
]


@pytest.mark.parametrize(
    ("name", "args", "error", "named"),
    [
        pytest.param(*case, marks=pytest.mark.lesson(f"cancellation.{case[0]}"))
        for case in BAD_ARGUMENTS
    ],
)
def test_bad_arguments_are_rejected_before_any_task_starts(
    name: str, args: tuple[Any, ...], error: type[Exception], named: str
) -> None:
    lesson: Callable[..., Any] = getattr(cancellation, name)
    run = run_lesson(lesson, *args)
    assert_refused(run, error, named)


@pytest.mark.parametrize("name", ["timeout_block", "idle_timeout", "cancelling_and_uncancel"])
def test_gated_lessons_exist_exactly_where_python_has_their_api(name: str) -> None:
    assert (name in cancellation.__all__) == (sys.version_info >= (3, 11))


@pytest.mark.lesson("cancellation.timeout_block")
def test_a_timeout_block_runs_in_the_callers_task_and_wait_for_does_from_3_12() -> None:
    """What timeout_block says: the block runs in the current task; wait_for ran its coroutine in a
    task of its own before 3.12 (gh-96764)."""

    async def main() -> tuple[bool, bool]:
        caller = asyncio.current_task()

        async def which_task() -> bool:
            return asyncio.current_task() is caller

        async with asyncio.timeout(1.0):  # type: ignore[attr-defined,unused-ignore]
            in_block = await which_task()
        return in_block, await asyncio.wait_for(which_task(), 1.0)

    in_block, in_wait_for = asyncio.run(main())
    assert in_block is True
    assert in_wait_for is (sys.version_info >= (3, 12))
