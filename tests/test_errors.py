from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

import pytest
from primer_testing import assert_refused, expect_handler_restored

from asyncio_primer import errors
from asyncio_primer._support.runner import Printed, run_lesson


def test_error_prone_worker_catches_its_own_error_after_one_second() -> None:
    run = run_lesson(errors.error_prone_worker)
    assert run.error is None
    assert run.printed == [Printed(1.0, "Caught an exception: An error occurred!")]
    assert run.elapsed == 1.0


def test_propagate_through_await() -> None:
    run = run_lesson(errors.propagate_through_await)
    assert run.result == "inner coroutine failed"
    assert run.lines == ["caller caught ValueError: inner coroutine failed"]
    assert run.elapsed == 1.0


def test_gather_return_exceptions_keeps_positions() -> None:
    run = run_lesson(errors.gather_return_exceptions)
    first, second, third = run.result
    assert (first, third) == ("first", "third")
    assert isinstance(second, ValueError)
    assert str(second) == "second failed"
    assert run.printed == [  # all three ran at once; gather returned when the last one ended
        Printed(1.0, "ok: first"),
        Printed(1.0, "failed: ValueError('second failed')"),
        Printed(1.0, "ok: third"),
    ]
    assert run.elapsed == 1.0


@pytest.mark.lesson("errors.task_group_except_star")
def test_task_group_except_star_handles_both_failures_and_cancels_the_rest() -> None:
    if sys.version_info >= (3, 11):  # for mypy; the mark skips older Pythons
        run = run_lesson(errors.task_group_except_star)
        assert run.result == ["bad value", "'missing key'"]
        assert run.printed == [
            Printed(1.0, "handled ValueError: bad value"),
            Printed(1.0, "handled KeyError: 'missing key'"),
            Printed(1.0, "slow task cancelled: True"),
        ]
        assert run.elapsed == 1.0  # the 11 s task was cancelled, not waited for


def test_task_group_lesson_exists_exactly_where_python_has_task_groups() -> None:
    assert ("task_group_except_star" in errors.__all__) == (sys.version_info >= (3, 11))


def test_task_exception_never_retrieved_reaches_the_exception_handler() -> None:
    run = run_lesson(errors.task_exception_never_retrieved)
    assert run.result == ["Task exception was never retrieved", "ValueError('nobody awaited me')"]
    assert run.printed == [
        Printed(1.0, "the task failed; nobody asked for its exception"),
        Printed(1.0, "exception handler: Task exception was never retrieved"),
        Printed(1.0, "the exception: ValueError('nobody awaited me')"),
    ]
    assert run.elapsed == 1.0


def test_task_exception_never_retrieved_restores_the_previous_handler() -> None:
    run = run_lesson(errors.task_exception_never_retrieved, 0.5, setup=expect_handler_restored)
    assert run.error is None
    assert run.elapsed == 0.5


def test_invalid_state_error_on_pending_and_on_done_futures() -> None:
    run = run_lesson(errors.invalid_state_error, 2.0)
    assert run.result == ["Result is not set.", "invalid state"]
    assert run.printed == [
        Printed(0.0, "result() of a pending future: InvalidStateError('Result is not set.')"),
        Printed(2.0, "the future's result: first"),
        Printed(2.0, "set_result() on a done future: InvalidStateError('invalid state')"),
    ]
    assert run.elapsed == 2.0


def test_timeout_error_identity_matches_the_running_python() -> None:
    run = run_lesson(errors.timeout_error_identity)
    since_311 = sys.version_info >= (3, 11)
    assert run.result is since_311
    where = "builtins.TimeoutError" if since_311 else "asyncio.exceptions.TimeoutError"
    assert run.lines == [
        f"caught {where} with `except asyncio.TimeoutError`",
        f"asyncio.TimeoutError is TimeoutError: {since_311}",
        f"`except TimeoutError` catches it: {since_311}",
    ]
    assert issubclass(asyncio.TimeoutError, OSError) is since_311
    assert run.elapsed == 1.0  # the timeout, not the 3 s sleep


@pytest.mark.parametrize("delay", [0.5, 100.0])
def test_timeout_error_identity_times_out_whatever_the_delay(delay: float) -> None:
    run = run_lesson(errors.timeout_error_identity, delay)
    assert run.error is None
    assert run.lines[0].startswith("caught ")
    assert run.elapsed == delay


@pytest.mark.lesson("errors.task_group_exception_group")
def test_task_group_exception_group_split_and_subgroup() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(errors.task_group_exception_group)
        assert run.result == (["bad 1", "bad 2"], ["'key'"])
        assert run.printed == [
            Printed(
                1.0, "caught ExceptionGroup: unhandled errors in a TaskGroup (3 sub-exceptions)"
            ),
            Printed(
                1.0, "its exceptions: [ValueError('bad 1'), ValueError('bad 2'), KeyError('key')]"
            ),
            Printed(1.0, "split(ValueError): matched ['bad 1', 'bad 2'], rest [\"'key'\"]"),
            Printed(1.0, "subgroup(KeyError): [\"'key'\"]"),
        ]
        assert run.elapsed == 1.0


@pytest.mark.lesson("errors.broken_barrier_error")
def test_broken_barrier_error_reaches_every_waiter() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(errors.broken_barrier_error, 3.0)
        assert run.result == ["waiter 1", "waiter 2"]
        error = "BrokenBarrierError('Abort or reset of barrier')"
        assert run.printed == [
            Printed(0.0, "waiter 1 is waiting at the barrier"),
            Printed(0.0, "waiter 2 is waiting at the barrier"),
            Printed(3.0, "the barrier is aborted"),
            Printed(3.0, f"waiter 1 got {error}"),
            Printed(3.0, f"waiter 2 got {error}"),
        ]
        assert run.elapsed == 3.0


def test_newer_error_lessons_exist_exactly_where_python_has_them() -> None:
    gated = {"task_group_except_star", "task_group_exception_group", "broken_barrier_error"}
    assert gated <= set(errors.__all__) or not gated & set(errors.__all__)  # all or none
    assert (gated <= set(errors.__all__)) == (sys.version_info >= (3, 11))


NEW_LESSONS: list[Callable[[float], Awaitable[object]]] = [
    errors.task_exception_never_retrieved,
    errors.invalid_state_error,
    errors.timeout_error_identity,
]
if sys.version_info >= (3, 11):
    NEW_LESSONS += [errors.task_group_exception_group, errors.broken_barrier_error]


@pytest.mark.parametrize("lesson", NEW_LESSONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("delay", "error"), [(-1.0, ValueError), (float("nan"), ValueError), ("1", TypeError)]
)
def test_new_lessons_reject_a_bad_delay_before_starting(
    lesson: Callable[[float], Awaitable[object]], delay: object, error: type[Exception]
) -> None:
    run = run_lesson(lesson, delay)
    assert_refused(run, error, repr(delay))
