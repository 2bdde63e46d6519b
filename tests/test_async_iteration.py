from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import async_iteration
from asyncio_primer._support.runner import Printed, run_lesson


def test_async_generator_items_arrive_one_delay_apart() -> None:
    run = run_lesson(async_iteration.iterate_async_generator)
    assert run.printed == [Printed(1.0, "got 1"), Printed(2.0, "got 2"), Printed(3.0, "got 3")]
    assert run.result == [1, 2, 3]
    assert run.elapsed == 3.0


def test_async_iterator_class_counts_down_then_stops() -> None:
    run = run_lesson(async_iteration.iterate_async_iterator_class, 2, 0.5)
    assert run.printed == [Printed(0.5, "countdown: 2"), Printed(1.0, "countdown: 1")]
    assert run.result == [2, 1]
    assert run.elapsed == 1.0


def test_async_comprehensions_run_one_after_another() -> None:
    run = run_lesson(async_iteration.async_comprehensions, 4, 0.5)
    assert run.printed == [
        Printed(2.0, "squares: [1, 4, 9, 16]"),
        Printed(4.0, "odd: {1, 3}"),
        Printed(6.0, "doubled: [2, 4, 6, 8]"),
    ]
    assert run.result == ([1, 4, 9, 16], {1, 3}, [2, 4, 6, 8])
    assert run.elapsed == 6.0  # three loops of 4 x 0.5 s: nothing ran concurrently


CONTEXT_MANAGERS = [
    async_iteration.async_context_manager_class,
    async_iteration.async_context_manager_decorator,
]


@pytest.mark.parametrize("lesson", CONTEXT_MANAGERS)
def test_async_context_manager_connects_then_closes(
    lesson: Callable[..., Awaitable[list[str]]],
) -> None:
    run = run_lesson(lesson)
    assert run.printed == [
        Printed(0.0, "connecting"),
        Printed(1.0, "connected"),
        Printed(1.0, "using the connection"),
        Printed(1.0, "closing (error: None)"),
        Printed(2.0, "closed"),
    ]
    assert run.result == run.lines
    assert run.elapsed == 2.0


@pytest.mark.parametrize("lesson", CONTEXT_MANAGERS)
def test_async_context_manager_closes_before_the_error_propagates(
    lesson: Callable[..., Awaitable[list[str]]],
) -> None:
    run = run_lesson(lesson, 1.0, fail=True)
    assert isinstance(run.error, RuntimeError)
    assert str(run.error) == "the request failed"
    assert run.printed[-2:] == [
        Printed(1.0, "closing (error: RuntimeError('the request failed'))"),
        Printed(2.0, "closed"),
    ]
    assert run.elapsed == 2.0


def test_aclose_runs_the_abandoned_generators_finally() -> None:
    run = run_lesson(async_iteration.close_unfinished_generator)
    assert run.printed == [
        Printed(1.0, "took 1, then broke out of the loop"),
        Printed(1.0, "stream closed after 1 item(s)"),
    ]
    assert run.result == ["stream closed after 1 item(s)"]
    assert run.elapsed == 1.0


@pytest.mark.lesson("async_iteration.close_with_aclosing")
def test_aclosing_closes_the_generator_when_the_block_ends() -> None:
    if sys.version_info >= (3, 10):  # for mypy; the mark skips older Pythons
        run = run_lesson(async_iteration.close_with_aclosing)
        assert run.printed == [
            Printed(1.0, "took 1"),
            Printed(2.0, "took 2"),
            Printed(2.0, "stream closed after 2 item(s)"),
        ]
        assert run.result == ["stream closed after 2 item(s)"]
        assert run.elapsed == 2.0


def test_aclosing_lesson_exists_exactly_where_python_has_it() -> None:
    assert ("close_with_aclosing" in async_iteration.__all__) == (sys.version_info >= (3, 10))


def test_asyncio_run_closes_the_unfinished_generator_in_shutdown_asyncgens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop_class: Any = asyncio.BaseEventLoop
    shutdown_asyncgens = loop_class.shutdown_asyncgens

    async def announced(loop: asyncio.AbstractEventLoop) -> None:
        print("shutdown_asyncgens starts")
        await shutdown_asyncgens(loop)

    monkeypatch.setattr(loop_class, "shutdown_asyncgens", announced)
    run = run_lesson(async_iteration.shutdown_closes_unfinished_generators)
    assert run.lines == [
        "main took 1 and returns",
        "shutdown_asyncgens starts",
        "stream closed after 1 item(s)",  # the generator's finally, run by shutdown_asyncgens
        "asyncio.run returned",
    ]
    assert run.result == ["stream closed after 1 item(s)"]
    assert run.elapsed is None  # a plain function: it runs its own loop, on real time


COUNTED = [
    async_iteration.iterate_async_generator,
    async_iteration.iterate_async_iterator_class,
    async_iteration.async_comprehensions,
]
DELAYED = [
    *CONTEXT_MANAGERS,
    async_iteration.close_unfinished_generator,
    pytest.param(
        getattr(async_iteration, "close_with_aclosing", None),
        marks=pytest.mark.lesson("async_iteration.close_with_aclosing"),
        id="close_with_aclosing",
    ),
]


@pytest.mark.parametrize("lesson", COUNTED)
@pytest.mark.parametrize(
    ("count", "error"), [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_counted_lessons_reject_a_bad_count(
    lesson: Callable[..., Awaitable[Any]], count: Any, error: type[Exception]
) -> None:
    run = run_lesson(lesson, count, 1.0)
    assert_refused(run, error, repr(count))


@pytest.mark.parametrize("lesson", [*COUNTED, *DELAYED])
@pytest.mark.parametrize(
    ("delay", "error"), [(-1.0, ValueError), (float("inf"), ValueError), (None, TypeError)]
)
def test_lessons_reject_a_bad_delay(
    lesson: Callable[..., Awaitable[Any]], delay: Any, error: type[Exception]
) -> None:
    run = run_lesson(lesson, delay=delay)
    assert_refused(run, error, repr(delay))


# -- Python 3.15 (run in the py315 env, on Pyodide) -------------------------------------------


@pytest.mark.lesson("async_iteration.close_a_generator_holding_a_task_group")
def test_a_generator_holding_a_task_group_closes_quietly() -> None:
    if sys.version_info >= (3, 15):
        run = run_lesson(async_iteration.close_a_generator_holding_a_task_group, 5.0)
        assert run.error is None
        assert run.result is True
        assert run.printed == [
            Printed(0.0, "took reading 0 and stopped"),
            Printed(0.0, "aclose() returned; the helper task was cancelled: True"),
        ]
        assert run.elapsed == 0.0  # the helper's 5 s were cancelled
