from __future__ import annotations

import asyncio

import pytest

from asyncio_primer import tasks
from asyncio_primer._support.runner import Printed, run_lesson


def test_run_workers_finishes_in_five_seconds_not_nine() -> None:
    run = run_lesson(tasks.run_workers)
    assert run.printed == [
        Printed(0.0, "Task 1 started"),
        Printed(0.0, "Task 2 started"),
        Printed(0.0, "Task 3 started"),
        Printed(1.0, "Task 3 finished"),
        Printed(3.0, "Task 2 finished"),
        Printed(5.0, "Task 1 finished"),
    ]
    assert run.elapsed == 5.0


def test_the_posts_own_main_behaves_as_described() -> None:
    async def main() -> None:  # the blog post's program, driven by asyncio.run(main())
        await asyncio.gather(
            tasks.worker("Task 1", 5),
            tasks.worker("Task 2", 3),
            tasks.worker("Task 3", 1),
        )

    assert run_lesson(main).lines == run_lesson(tasks.run_workers).lines
    assert run_lesson(main).elapsed == 5.0


def test_worker_prints_start_and_finish_around_its_delay() -> None:
    run = run_lesson(tasks.worker, "w", 2.5)
    assert run.printed == [Printed(0.0, "w started"), Printed(2.5, "w finished")]


def test_start_now_await_later_overlaps_the_other_work() -> None:
    run = run_lesson(tasks.start_now_await_later, 2.0)
    assert run.result == "done"
    assert run.printed == [
        Printed(0.0, "task created; doing other work"),
        Printed(2.0, "task says: done"),
    ]
    assert run.elapsed == 2.0  # not 3.0: the task ran during the other work


def test_gather_in_order_keeps_argument_order() -> None:
    run = run_lesson(tasks.gather_in_order)
    assert run.result == [3.0, 1.0, 2.0]
    assert run.elapsed == 3.0


@pytest.mark.parametrize("delays", [(), (1.0, -2.0), (float("nan"),)])
def test_run_workers_rejects_bad_delays_before_starting_any(delays: tuple[float, ...]) -> None:
    run = run_lesson(tasks.run_workers, delays)
    assert isinstance(run.error, ValueError)
    assert repr(delays[-1] if delays else delays) in str(run.error)
    assert run.lines == []  # no worker started
