from __future__ import annotations

import asyncio

import pytest

from asyncio_primer import awaitables
from asyncio_primer._support.runner import Printed, run_lesson


def test_three_kinds_each_give_a_value() -> None:
    run = run_lesson(awaitables.three_kinds)
    assert run.result == [42, 42, 42]
    assert run.lines == ["coroutine -> 42", "task -> 42", "future -> 42"]
    assert run.elapsed == 0.0


def test_what_is_awaitable() -> None:
    run = run_lesson(awaitables.what_is_awaitable)
    assert run.result == {
        "coroutine": True,
        "task": True,
        "future": True,
        "Countdown": True,
        "function": False,
        "int": False,
    }
    assert run.lines == ["awaiting the four awaitables gave [42, 42, 42, 0]"]
    assert run.elapsed == 0.0


def test_countdown_is_awaitable_and_takes_one_second_per_step() -> None:
    run = run_lesson(awaitables.await_a_custom_awaitable)
    assert run.result == 3
    assert run.printed == [
        Printed(0.0, "3..."),
        Printed(1.0, "2..."),
        Printed(2.0, "1..."),
        Printed(3.0, "liftoff after 3 steps"),
    ]
    assert run.elapsed == 3.0


@pytest.mark.parametrize(("start", "step"), [(-1, 1.0), (2, -1.0), (True, 1.0)])
def test_countdown_rejects_bad_arguments(start: int, step: float) -> None:
    with pytest.raises(ValueError, match=r"got (-1|True)"):
        awaitables.Countdown(start, step)


def test_future_set_by_callback_resolves_after_the_delay() -> None:
    run = run_lesson(awaitables.future_set_by_callback)
    assert run.result == "ready"
    assert run.printed == [
        Printed(0.0, "waiting for the future..."),
        Printed(1.0, "the future resolved to 'ready'"),
    ]
    assert run.elapsed == 1.0


def test_future_set_by_callback_leaves_no_timer_when_cancelled() -> None:
    async def cancel_it() -> int:
        task = asyncio.create_task(awaitables.future_set_by_callback(10))
        await asyncio.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(20)  # the cancelled timer must not fire into the dead future
        return len(asyncio.all_tasks())

    run = run_lesson(cancel_it)
    assert run.error is None
    assert run.result == 1  # only cancel_it's own task
    assert run.elapsed == 21.0


@pytest.mark.lesson("awaitables.wrap_a_thread_future")
def test_wrap_a_thread_future_returns_the_threads_result() -> None:
    run = run_lesson(awaitables.wrap_a_thread_future, 10)
    assert run.result == sum(i * i for i in range(10))
    assert run.lines == ["sum of squares below 10 = 285"]
    assert run.elapsed == 0.0


@pytest.mark.lesson("awaitables.wrap_a_thread_future")
@pytest.mark.parametrize(
    ("args", "total"),
    [
        ((0,), 0),  # nothing below 0: an empty sum, not an error
        ((), 999 * 1000 * 1999 // 6),  # the default n = 1000: the sum of k**2 for k < n
    ],
)
def test_wrap_a_thread_future_edge_and_default(args: tuple[int, ...], total: int) -> None:
    run = run_lesson(awaitables.wrap_a_thread_future, *args)
    assert run.result == total
