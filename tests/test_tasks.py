from __future__ import annotations

import asyncio
import contextlib
import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import tasks
from asyncio_primer._support.runner import Printed, run_lesson, virtual_time


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


def test_as_completed_order_hands_over_each_result_when_it_is_ready() -> None:
    run = run_lesson(tasks.as_completed_order)
    assert run.result == [1.0, 2.0, 3.0]
    assert run.printed == [Printed(1.0, "got 1"), Printed(2.0, "got 2"), Printed(3.0, "got 3")]
    assert run.elapsed == 3.0


@pytest.mark.parametrize(
    ("return_when", "done", "pending", "elapsed"),
    [
        (asyncio.FIRST_COMPLETED, ["fast"], ["faulty", "slow"], 1.0),
        (asyncio.FIRST_EXCEPTION, ["fast", "faulty"], ["slow"], 2.0),
        (asyncio.ALL_COMPLETED, ["fast", "faulty", "slow"], [], 3.0),
    ],
)
def test_wait_for_jobs_returns_when_its_condition_holds(
    return_when: str, done: list[str], pending: list[str], elapsed: float
) -> None:
    run = run_lesson(tasks.wait_for_jobs, return_when)
    assert run.result == (done, pending)
    outcomes = {
        "fast": "done: fast returned 'fast result'",
        "faulty": "done: faulty raised ValueError('faulty failed')",
        "slow": "done: slow returned 'slow result'",
    }
    expected = [outcomes[name] for name in done] + [f"cancelled: {name}" for name in pending]
    assert run.printed == [Printed(elapsed, line) for line in expected]
    assert run.elapsed == elapsed  # cancelling and awaiting the pending tasks takes no time


def test_current_and_all_tasks_sees_the_workers_until_they_finish() -> None:
    run = run_lesson(tasks.current_and_all_tasks, 2.0)
    assert run.result == ["worker-1", "worker-2"]
    assert run.printed == [
        Printed(0.0, "besides me, running: ['worker-1', 'worker-2']"),
        Printed(2.0, "worker-1 finished"),
        Printed(2.0, "worker-2 finished"),
        Printed(2.0, "after gather, besides me: []"),
    ]
    assert run.elapsed == 2.0


def test_task_names_default_explicit_and_renamed() -> None:
    run = run_lesson(tasks.task_names)
    assert run.result == ["fetch-users", "fetch-orders"]  # the renamed task sees its new name
    assert run.printed == [
        Printed(0.0, "named at creation: fetch-users"),
        Printed(0.0, "default name starts with 'Task-': True"),
        Printed(0.0, "renamed to: fetch-orders"),
        Printed(1.0, "fetch-users finished"),
        Printed(1.0, "fetch-orders finished"),
    ]
    assert run.elapsed == 1.0


def test_done_callbacks_run_through_the_loop_with_the_task() -> None:
    run = run_lesson(tasks.done_callbacks)
    assert run.result == ["report returned 'ready'"] * 2
    assert run.printed == [
        Printed(0.0, "callback added to a running task"),
        Printed(1.0, "callback: report returned 'ready'"),  # before the awaiter resumes
        Printed(1.0, "await got 'ready'"),
        Printed(1.0, "callback added to a finished task"),  # not called inside add_done_callback
        Printed(1.0, "callback: report returned 'ready'"),
    ]
    assert run.elapsed == 1.0


@pytest.mark.parametrize("delay", [1.0, 2.0])
def test_keep_background_tasks_holds_exactly_the_running_ones(delay: float) -> None:
    run = run_lesson(tasks.keep_background_tasks, 3, delay)
    assert run.result == [3, 2, 0]
    assert run.printed == [  # job n takes n * delay seconds
        Printed(0.0, "holding 3 tasks"),
        Printed(delay, "holding 2 tasks"),  # job 1 ended and left the set
        Printed(3 * delay, "holding 0 tasks"),
    ]
    assert run.elapsed == 3 * delay


def test_bounded_concurrency_runs_in_waves_of_the_limit() -> None:
    run = run_lesson(tasks.bounded_concurrency)
    assert run.result == 2
    assert run.printed == [
        Printed(0.0, "job 1 starts (1 running)"),
        Printed(0.0, "job 2 starts (2 running)"),
        Printed(1.0, "job 3 starts (1 running)"),
        Printed(1.0, "job 4 starts (2 running)"),
        Printed(2.0, "job 5 starts (1 running)"),
        Printed(3.0, "at most 2 ran at once"),
    ]
    assert run.elapsed == 3.0


@pytest.mark.parametrize(
    ("jobs", "limit", "delay"),
    [(5, 2, 1.0), (6, 3, 0.5), (7, 3, 2.0), (3, 5, 1.0), (1, 1, 4.0), (10, 1, 0.25)],
)
def test_bounded_concurrency_peak_and_elapsed(jobs: int, limit: int, delay: float) -> None:
    run = run_lesson(tasks.bounded_concurrency, jobs, limit, delay)
    assert run.result == min(jobs, limit)
    assert run.elapsed == math.ceil(jobs / limit) * delay
    starts = [p.at for p in run.printed if " starts " in p.text]
    assert starts == [(n // limit) * delay for n in range(jobs)]


@pytest.mark.parametrize(
    ("lesson", "args", "error", "named"),
    [
        (tasks.as_completed_order, ((),), ValueError, "()"),
        (tasks.as_completed_order, ((1.0, -1.0),), ValueError, "-1.0"),
        (tasks.wait_for_jobs, ("FIRST",), ValueError, "return_when must be one of"),
        (tasks.wait_for_jobs, (asyncio.ALL_COMPLETED, -1.0), ValueError, "-1.0"),
        (tasks.current_and_all_tasks, (float("inf"),), ValueError, "inf"),
        (tasks.task_names, ("1",), TypeError, "'1'"),
        (tasks.done_callbacks, (-0.5,), ValueError, "-0.5"),
        (tasks.keep_background_tasks, (0,), ValueError, "0"),
        (tasks.keep_background_tasks, (2.5,), TypeError, "2.5"),
        (tasks.bounded_concurrency, (0,), ValueError, "jobs must be >= 1, got 0"),
        (tasks.bounded_concurrency, (5, 0), ValueError, "limit must be >= 1, got 0"),
        (tasks.bounded_concurrency, (5, True), TypeError, "limit must be an int, got True"),
        (tasks.bounded_concurrency, (True, 2), TypeError, "True"),
        (tasks.bounded_concurrency, (5, 2, float("nan")), ValueError, "nan"),
    ],
)
def test_new_lessons_reject_bad_arguments_before_starting_a_task(
    lesson: Callable[..., Any], args: tuple[Any, ...], error: type[Exception], named: str
) -> None:
    run = run_lesson(lesson, *args)
    assert_refused(run, error, named)


@pytest.mark.lesson("tasks.task_group_results")
def test_task_group_results_are_read_after_the_block() -> None:
    if sys.version_info >= (3, 11):  # for mypy; the mark skips older Pythons
        run = run_lesson(tasks.task_group_results)
        assert run.result == [3.0, 1.0, 2.0]  # creation order, not completion order
        assert run.printed == [
            Printed(0.0, "3 tasks started in the block"),
            Printed(3.0, "the block exited; all done: True"),
        ]
        assert run.elapsed == 3.0


@pytest.mark.lesson("tasks.runner_shares_one_loop")
def test_runner_shares_one_loop_between_runs() -> None:
    if sys.version_info >= (3, 11):
        made: list[tuple[asyncio.AbstractEventLoop, float]] = []
        with contextlib.ExitStack() as patches:

            def virtual_loop() -> asyncio.AbstractEventLoop:
                """A new loop on virtual time (patched while it runs a first, tiny coroutine)."""
                loop = asyncio.new_event_loop()

                async def patch() -> float:
                    patches.enter_context(virtual_time())
                    return loop.time()

                made.append((loop, loop.run_until_complete(patch())))
                return loop

            run = run_lesson(tasks.runner_shares_one_loop, 2.0, virtual_loop)
            [(loop, start)] = made  # one loop for both runs
            elapsed = loop.time() - start
        assert loop.is_closed()  # the with block closed it
        assert run.error is None
        assert run.result == "finished"
        assert run.lines == [
            "run 1 started a job and returned",
            "between the runs the job waits: done is False",
            "run 2 awaited the job: 'finished'",
            "both runs used the runner's loop: True",
        ]
        assert elapsed == 2.0  # the job's sleep, on the loop's virtual clock


@pytest.mark.lesson("tasks.runner_shares_one_loop")
def test_runner_shares_one_loop_rejects_bad_arguments() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(tasks.runner_shares_one_loop, -1.0)
        assert isinstance(run.error, ValueError)
        assert "-1.0" in str(run.error)
        run = run_lesson(tasks.runner_shares_one_loop, 1.0, "uvloop")
        assert isinstance(run.error, TypeError)
        assert "'uvloop'" in str(run.error)
        assert run.printed == []


@pytest.mark.lesson("tasks.eager_tasks")
def test_eager_tasks_finish_inside_create_task_and_the_factory_is_restored() -> None:
    if sys.version_info >= (3, 12):
        factories: list[object] = []

        async def lesson_and_factories() -> list[bool]:
            loop = asyncio.get_running_loop()
            factories.append(loop.get_task_factory())
            result = await tasks.eager_tasks()
            factories.append(loop.get_task_factory())
            return result

        run = run_lesson(lesson_and_factories)
        assert run.result == [True, False, False]
        assert run.printed == [
            Printed(0.0, "eager hit: the lookup runs"),  # inside create_task
            Printed(0.0, "eager hit: create_task returned; done: True"),
            Printed(0.0, "eager miss: the lookup runs"),
            Printed(0.0, "eager miss: create_task returned; done: False"),
            Printed(0.0, "lazy hit: create_task returned; done: False"),
            Printed(0.0, "lazy hit: the lookup runs"),  # at the lesson's next await
        ]
        assert run.elapsed == 1.0  # the miss waited
        assert factories[0] is factories[1]  # restored


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("task_group_results", (3, 11)),
        ("runner_shares_one_loop", (3, 11)),
        ("eager_tasks", (3, 12)),
    ],
)
def test_gated_lessons_exist_exactly_where_python_has_their_api(
    name: str, version: tuple[int, int]
) -> None:
    assert (name in tasks.__all__) == (sys.version_info >= version)
    assert hasattr(tasks, name) == (sys.version_info >= version)


# -- Python 3.14 and 3.15 (run in the py314/py315 envs, on Pyodide) ---------------------------


def _call_graph(lines: list[str]) -> list[str]:
    """Printed call-graph lines without what changes from run to run: task ids, the folders
    of the files and line numbers."""
    import re

    lines = [re.sub(r"id=0x[0-9a-f]+", "id=0x…", line) for line in lines]
    return [re.sub(r"File '[^']*/([^'/]+)', line \d+", r"File '\1', line …", x) for x in lines]


@pytest.mark.lesson("tasks.what_a_stuck_task_awaits")
def test_what_a_stuck_task_awaits_prints_the_service_call_graph() -> None:
    if sys.version_info >= (3, 14):
        run = run_lesson(tasks.what_a_stuck_task_awaits, 2.0)
        assert run.error is None
        assert run.result == [
            "Event.wait",
            "what_a_stuck_task_awaits.<locals>.load_config",
            "what_a_stuck_task_awaits.<locals>.start_service",
        ]
        assert {printed.at for printed in run.printed} == {2.0}
        where = "what_a_stuck_task_awaits.<locals>"
        assert _call_graph(run.lines) == [
            "after 2.0 s the program has not finished; its service task:",
            "* Task(name='service', id=0x…)",
            "  + Call stack:",
            "  |   File 'locks.py', line …, in async Event.wait()",
            f"  |   File 'tasks.py', line …, in async {where}.load_config()",
            f"  |   File 'tasks.py', line …, in async {where}.start_service()",
            "  + Awaited by:",
            "    * Task(name='main', id=0x…)",
            "      + Call stack:",
            "      |   File 'taskgroups.py', line …, in async TaskGroup._aexit()",
            "      |   File 'taskgroups.py', line …, in async TaskGroup.__aexit__()",
            f"      |   File 'tasks.py', line …, in async {where}.main()",
        ]
        assert run.elapsed == 2.0


@pytest.mark.lesson("tasks.create_task_eager_start")
def test_create_task_eager_start_runs_one_task_inside_create_task() -> None:
    if sys.version_info >= (3, 14):
        run = run_lesson(tasks.create_task_eager_start)
        assert run.result == [True, False]
        assert run.printed == [
            Printed(0.0, "eager: the coroutine runs"),
            Printed(0.0, "eager: done when create_task returned: True"),
            Printed(0.0, "lazy: done when create_task returned: False"),
            Printed(0.0, "lazy: the coroutine runs"),
        ]
        assert run.elapsed == 0.0


@pytest.mark.lesson("tasks.task_group_cancel")
def test_task_group_cancel_keeps_the_first_answer_and_cancels_the_rest() -> None:
    if sys.version_info >= (3, 15):
        run = run_lesson(tasks.task_group_cancel)
        assert run.error is None
        assert run.result == "mirror 2"
        assert run.printed == [
            Printed(0.0, "asked 3 mirrors for the file"),
            Printed(1.0, "mirror 2 answered first; cancel the group"),
            Printed(1.0, "the block exited, no CancelledError; cancelled: [True, False, True]"),
        ]
        assert run.elapsed == 1.0  # the fastest mirror, not the slowest (3.0)


@pytest.mark.lesson("tasks.task_group_cancel")
def test_task_group_cancel_with_no_mirrors_returns_none() -> None:
    if sys.version_info >= (3, 15):
        run = run_lesson(tasks.task_group_cancel, [])
        assert (run.result, run.printed, run.elapsed) == (None, [], 0.0)
