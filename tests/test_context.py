"""Context variables: each task works in a copy of its creator's context (virtual time)."""

from __future__ import annotations

import contextvars
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import context
from asyncio_primer._registry import find
from asyncio_primer._support.runner import Printed, run_lesson


def test_set_get_reset_puts_the_default_back() -> None:
    run = run_lesson(context.set_get_reset)
    assert run.lines == ["before: '-'", "after set: 'req-1'", "after reset: '-'"]
    assert run.result == ["-", "req-1", "-"]
    assert run.elapsed == 0.0


def test_each_task_gets_a_copy_taken_when_it_is_created() -> None:
    run = run_lesson(context.each_task_gets_a_copy)
    assert run.printed == [
        Printed(0.0, "task-1 starts and sees 'parent'"),
        Printed(0.0, "task-2 starts and sees 'parent, later'"),
        Printed(1.0, "task-1 ends and sees 'task-1'"),
        Printed(2.0, "task-2 ends and sees 'task-2'"),
        Printed(2.0, "after the tasks, the parent sees 'parent, later'"),
        Printed(2.0, "awaited starts and sees 'parent, later'"),
        Printed(3.0, "awaited ends and sees 'awaited'"),
        Printed(3.0, "after awaiting a coroutine, the parent sees 'awaited'"),
    ]
    assert run.result == {"task-1": "task-1", "task-2": "task-2", "parent": "awaited"}
    assert run.elapsed == 3.0


@pytest.mark.lesson("context.context_in_threads")
@pytest.mark.lesson("context.context_in_threads")
def test_lessons_leave_the_callers_context_as_they_found_it() -> None:
    async def caller() -> list[str]:
        await context.set_get_reset()
        await context.each_task_gets_a_copy(0.5)
        await context.context_in_threads()
        return [context.request_id.get()]

    run = run_lesson(caller)
    assert run.result == ["-"]
    assert run.elapsed == 1.5


def test_request_id_logging_tags_each_line_with_its_request() -> None:
    run = run_lesson(context.request_id_logging)
    assert run.printed == [
        Printed(0.0, "[req-1] received"),
        Printed(0.0, "[req-2] received"),
        Printed(0.0, "[req-3] received"),
        Printed(1.0, "[req-2] the database answered after 1 s"),
        Printed(2.0, "[req-3] the database answered after 2 s"),
        Printed(3.0, "[req-1] the database answered after 3 s"),
    ]
    assert run.result is None
    assert run.elapsed == 3.0


def test_request_id_logging_with_other_latencies() -> None:
    run = run_lesson(context.request_id_logging, [0.5, 0.25])
    assert run.printed[2:] == [
        Printed(0.25, "[req-2] the database answered after 0.25 s"),
        Printed(0.5, "[req-1] the database answered after 0.5 s"),
    ]
    assert run.elapsed == 0.5


@pytest.mark.lesson("context.context_in_threads")
def test_to_thread_passes_the_context_and_run_in_executor_does_not() -> None:
    run = run_lesson(context.context_in_threads)
    assert run.lines == [
        "asyncio.to_thread sees 'req-7'",
        "run_in_executor sees '-'",
        "run_in_executor with copy_context().run sees 'req-7'",
    ]
    assert run.result == ["req-7", "-", "req-7"]
    assert run.elapsed == 0.0


@pytest.mark.lesson("context.run_in_a_chosen_context")
def test_a_task_in_a_chosen_context_changes_that_context() -> None:
    run = run_lesson(find("context.run_in_a_chosen_context").obj)  # 3.11+: not there for mypy 3.9
    assert run.printed == [
        Printed(1.0, "login sets 'alice'"),
        Printed(1.0, "a task in the session sees 'alice'"),
        Printed(1.0, "a task in a copy of ours sees '-'"),
        Printed(1.0, "we see '-'; the session holds 'alice'"),
    ]
    assert run.result == ["alice", "-", "-"]
    assert run.elapsed == 1.0


def test_nothing_leaks_into_the_test_s_own_context() -> None:
    before = contextvars.copy_context()
    run_lesson(context.each_task_gets_a_copy, 0.0)
    assert context.request_id not in before
    assert context.request_id.get() == "-"


@pytest.mark.parametrize(
    ("lesson", "kwargs", "error", "shown", "parameter"),
    [
        (context.each_task_gets_a_copy, {"delay": -1.0}, ValueError, "-1.0", "delay"),
        (context.request_id_logging, {"latencies": []}, ValueError, "[]", "latencies"),
        (context.request_id_logging, {"latencies": [1.0, "2"]}, TypeError, "'2'", "latencies"),
    ],
    ids=["each_task_gets_a_copy-delay", "request_id_logging-empty", "request_id_logging-str"],
)
def test_bad_arguments_are_refused(
    lesson: Any, kwargs: dict[str, Any], error: type[Exception], shown: str, parameter: str
) -> None:
    assert_refused(run_lesson(lesson, **kwargs), error, shown, parameter)


def test_the_lessons_are_in_teaching_order() -> None:
    names = [n for n in context.__all__ if n != "run_in_a_chosen_context"]
    assert names == [
        "set_get_reset",
        "each_task_gets_a_copy",
        "request_id_logging",
        "context_in_threads",
    ]
