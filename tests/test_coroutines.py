from __future__ import annotations

import asyncio

import pytest

from asyncio_primer import coroutines
from asyncio_primer._support.runner import Printed, run_lesson


def test_greet_prints_hello() -> None:
    run = run_lesson(coroutines.greet)
    assert run.lines == ["Hello, asyncio!"]
    assert run.elapsed == 0.0


def test_delayed_greet_waits_two_seconds_by_default() -> None:
    run = run_lesson(coroutines.delayed_greet)
    assert run.printed == [Printed(2.0, "Hello, asyncio!")]
    assert run.elapsed == 2.0


def test_delayed_greet_does_not_block_the_loop() -> None:
    async def greet_while_ticking() -> None:
        async def tick() -> None:
            for n in range(4):
                print(f"tick {n}")
                await asyncio.sleep(0.5)

        await asyncio.gather(coroutines.delayed_greet(), tick())

    run = run_lesson(greet_while_ticking)
    assert run.printed == [
        Printed(0.0, "tick 0"),
        Printed(0.5, "tick 1"),
        Printed(1.0, "tick 2"),
        Printed(1.5, "tick 3"),
        Printed(2.0, "Hello, asyncio!"),
    ]
    assert run.elapsed == 2.0


def test_function_vs_object_runs_the_body_only_when_awaited() -> None:
    run = run_lesson(coroutines.function_vs_object)
    assert run.lines == [
        "greet is a coroutine function: True",
        "greet() is a coroutine object: True",
        "nothing printed yet; awaiting it now:",
        "Hello, asyncio!",
    ]
    assert run.elapsed == 0.0


def test_add_later_returns_the_sum_after_its_delay() -> None:
    run = run_lesson(coroutines.add_later, 2, 40, delay=1.5)
    assert run.result == 42
    assert run.elapsed == 1.5


def test_await_a_result_binds_the_return_value() -> None:
    run = run_lesson(coroutines.await_a_result)
    assert (run.result, run.lines, run.elapsed) == (5, ["2 + 3 = 5"], 1.0)


def test_run_sequentially_adds_the_delays_up() -> None:
    run = run_lesson(coroutines.run_sequentially)
    assert run.printed == [
        Printed(5.0, "waited 5.0 s"),
        Printed(8.0, "waited 3.0 s"),
        Printed(9.0, "waited 1.0 s"),
    ]
    assert run.elapsed == 9.0


def test_forget_to_await_captures_the_runtime_warning() -> None:
    run = run_lesson(coroutines.forget_to_await)
    assert run.error is None
    assert run.result == "coroutine 'greet' was never awaited"
    assert run.lines == []  # greet's body never ran


@pytest.mark.parametrize("bad", [-1, -0.001, float("nan"), float("inf")])
def test_delayed_greet_rejects_a_bad_delay_naming_it(bad: float) -> None:
    with pytest.raises(ValueError, match=rf"delay must be .* got {bad!r}"):
        asyncio.run(coroutines.delayed_greet(bad))
