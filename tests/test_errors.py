from __future__ import annotations

import sys

from primer_testing import needs_python

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
    assert run.elapsed == 1.0


@needs_python(3, 11, "asyncio.TaskGroup, except*")
def test_task_group_except_star_handles_both_failures_and_cancels_the_rest() -> None:
    if sys.version_info >= (3, 11):  # for mypy; the mark skips older Pythons
        run = run_lesson(errors.task_group_except_star)
        assert run.result == ["bad value", "'missing key'"]
        assert run.lines[-1] == "slow task cancelled: True"
        assert run.elapsed == 1.0  # the 11 s task was cancelled, not waited for


def test_task_group_lesson_exists_exactly_where_python_has_task_groups() -> None:
    assert ("task_group_except_star" in errors.__all__) == (sys.version_info >= (3, 11))
