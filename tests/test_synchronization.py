from __future__ import annotations

import sys
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import synchronization
from asyncio_primer._support.runner import Printed, run_lesson


@pytest.mark.parametrize(("workers", "elapsed"), [(1, 2.0), (3, 4.0), (5, 6.0)])
def test_lock_prevents_lost_updates(workers: int, elapsed: float) -> None:
    run = run_lesson(synchronization.lock_prevents_lost_updates, workers)
    # Unlocked, every worker read 0 before any wrote: all wrote 1. Locked, none was lost.
    assert run.result == (1, workers)
    assert run.printed == [
        Printed(1.0, f"without a lock: {workers} increments, counter = 1"),
        Printed(1.0 + workers, f"with a lock: {workers} increments, counter = {workers}"),
    ]
    assert run.elapsed == elapsed  # 1 s all at once, then one worker per second


def test_event_releases_all_waiters_at_once() -> None:
    run = run_lesson(synchronization.event_releases_all_waiters)
    assert run.result == ["waiter 1", "waiter 2", "waiter 3"]
    assert run.printed == [
        Printed(0.0, "waiter 1 waits"),
        Printed(0.0, "waiter 2 waits"),
        Printed(0.0, "waiter 3 waits"),
        Printed(1.0, "setting the event"),
        Printed(1.0, "waiter 1 released"),
        Printed(1.0, "waiter 2 released"),
        Printed(1.0, "waiter 3 released"),
    ]
    assert run.elapsed == 1.0


@pytest.mark.parametrize("items", [1, 3, 5])
def test_condition_wait_for_checks_once_per_notify(items: int) -> None:
    run = run_lesson(synchronization.condition_wait_for, items, 0.5)
    batch = list(range(1, items + 1))
    assert run.result == batch
    assert run.printed == [
        *(Printed(0.5 * n, f"produced {n}") for n in batch),
        # checked once before waiting, then once per notify
        Printed(0.5 * items, f"consumer woke with {batch} after {items + 1} checks"),
    ]
    assert run.elapsed == 0.5 * items


def test_bounded_semaphore_refuses_the_release_a_plain_one_accepts() -> None:
    run = run_lesson(synchronization.bounded_semaphore_over_release)
    assert run.error is None
    assert run.result == "BoundedSemaphore released too many times"
    assert run.printed == [
        Printed(1.0, "Semaphore(1): extra release accepted, 2 holders at once"),
        Printed(2.0, "BoundedSemaphore(1): ValueError: BoundedSemaphore released too many times"),
    ]
    assert run.elapsed == 2.0


@pytest.mark.lesson("synchronization.barrier_parties_meet")
def test_barrier_parties_meet_when_the_last_arrives() -> None:
    if sys.version_info >= (3, 11):  # for mypy; the mark skips older Pythons
        run = run_lesson(synchronization.barrier_parties_meet)
        assert run.result == [0, 1, 2]  # indices in order of arrival
        assert run.printed == [
            Printed(1.0, "party 1 arrives"),
            Printed(2.0, "party 2 arrives"),
            Printed(3.0, "party 3 arrives"),
            # the last to arrive releases the others and goes on first
            Printed(3.0, "party 3 passes with index 2"),
            Printed(3.0, "party 1 passes with index 0"),
            Printed(3.0, "party 2 passes with index 1"),
        ]
        assert run.elapsed == 3.0


@pytest.mark.lesson("synchronization.barrier_parties_meet")
def test_a_barrier_of_one_never_waits_for_anyone() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(synchronization.barrier_parties_meet, 1, 2.0)
        assert run.result == [0]
        assert run.printed == [
            Printed(2.0, "party 1 arrives"),
            Printed(2.0, "party 1 passes with index 0"),
        ]
        assert run.elapsed == 2.0


@pytest.mark.lesson("synchronization.barrier_broken_by_timeout")
def test_barrier_broken_by_timeout_fails_the_waiting_and_the_late() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(synchronization.barrier_broken_by_timeout)
        assert run.result == ["timed out", "broken", "broken"]
        assert run.printed == [
            Printed(1.0, "party 1 timed out; aborting the barrier"),
            Printed(1.0, "party 2: BrokenBarrierError: Abort or reset of barrier"),
            Printed(2.0, "party 3 arrives late: BrokenBarrierError: Barrier aborted"),
        ]
        assert run.elapsed == 2.0


def test_barrier_lessons_exist_exactly_where_python_has_barriers() -> None:
    for name in ("barrier_parties_meet", "barrier_broken_by_timeout"):
        assert (name in synchronization.__all__) == (sys.version_info >= (3, 11))


BAD_ARGUMENTS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("lock_prevents_lost_updates", {"workers": 0}, ValueError, "0"),
    ("lock_prevents_lost_updates", {"workers": 2.5}, TypeError, "2.5"),
    ("lock_prevents_lost_updates", {"delay": -1.0}, ValueError, "-1.0"),
    ("event_releases_all_waiters", {"waiters": -3}, ValueError, "-3"),
    ("event_releases_all_waiters", {"delay": float("inf")}, ValueError, "inf"),
    ("condition_wait_for", {"items": 0}, ValueError, "0"),
    ("condition_wait_for", {"delay": "1"}, TypeError, "'1'"),
    ("bounded_semaphore_over_release", {"delay": float("nan")}, ValueError, "nan"),
    ("barrier_parties_meet", {"parties": 0}, ValueError, "0"),
    ("barrier_parties_meet", {"delay": -0.5}, ValueError, "-0.5"),
    ("barrier_broken_by_timeout", {"delay": -2}, ValueError, "-2"),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "shown"),
    [
        pytest.param(
            *case, id=f"{case[0]}-{case[3]}", marks=pytest.mark.lesson(f"synchronization.{case[0]}")
        )
        for case in BAD_ARGUMENTS
    ],
)
def test_bad_arguments_fail_before_any_task_starts(
    name: str, kwargs: dict[str, Any], error: type[Exception], shown: str
) -> None:
    run = run_lesson(getattr(synchronization, name), **kwargs)
    assert_refused(run, error, f"got {shown}")
    assert next(iter(kwargs)) in str(run.error)  # names the parameter too
