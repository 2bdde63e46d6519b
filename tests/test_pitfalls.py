from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import pytest
from primer_testing import assert_refused, expect_handler_restored

from asyncio_primer import pitfalls
from asyncio_primer._registry import lessons
from asyncio_primer._support.runner import Printed, needs_real_time, run_lesson


def test_every_pitfall_is_a_symptom_then_its_fix() -> None:
    names = list(pitfalls.__all__)
    assert all(name.endswith(("_symptom", "_fix")) for name in names)
    for index, name in enumerate(names):
        if name.endswith("_fix"):  # right after its symptom
            assert names[index - 1] == name.replace("_fix", "_symptom")
    # gather_siblings_fix needs a TaskGroup: before 3.11 its symptom stands alone.
    alone = [
        n for n in names if n.endswith("_symptom") and n.replace("_symptom", "_fix") not in names
    ]
    assert alone == ([] if sys.version_info >= (3, 11) else ["gather_siblings_symptom"])


# -- 1. a coroutine never awaited ------------------------------------------------------------


def test_forgotten_await_symptom_captures_the_runtime_warning() -> None:
    run = run_lesson(pitfalls.forgotten_await_symptom)
    assert run.result == "coroutine '_save' was never awaited"
    assert run.printed == [
        Printed(0.0, "RuntimeWarning: coroutine '_save' was never awaited"),
        Printed(1.0, "saved: []"),  # waited long enough: the work never ran
    ]
    assert run.elapsed == 1.0


def test_forgotten_await_symptom_warns_without_asyncio_debug_mode_too() -> None:
    """python/cpython#133515: the warning does not depend on asyncio's debug mode."""

    async def without_debug() -> str:
        asyncio.get_running_loop().set_debug(False)
        return await pitfalls.forgotten_await_symptom(0.5)

    run = run_lesson(without_debug)
    assert run.result == "coroutine '_save' was never awaited"


def test_forgotten_await_fix_saves() -> None:
    run = run_lesson(pitfalls.forgotten_await_fix, 2.0)
    assert run.result == ["the report"]
    assert run.printed == [Printed(2.0, "saved: ['the report']")]
    assert run.elapsed == 2.0


# -- 2. a blocking call ----------------------------------------------------------------------


def test_the_blocking_call_pair_runs_on_real_time_and_nothing_else_does() -> None:
    real_time = [facts.name for facts in lessons("pitfalls").values() if facts.real_time]
    assert real_time == ["blocking_call_symptom", "blocking_call_fix"]
    assert needs_real_time("pitfalls.blocking_call_symptom")
    assert not needs_real_time("pitfalls.forgotten_await_symptom")


def test_blocking_call_symptom_freezes_the_heartbeat() -> None:
    block = 0.05  # below asyncio debug mode's 0.1 s slow-callback report
    run = run_lesson(pitfalls.blocking_call_symptom, block, 0.005, virtual=False)
    ticks_during, gap = run.result
    assert ticks_during == 0  # not one heartbeat while time.sleep() blocked the loop
    assert gap >= block * 0.99  # the loop stalled at least as long as the call (clock rounding)
    assert run.lines == ["time.sleep() froze the loop: 0 heartbeats during the call"]


@pytest.mark.lesson("pitfalls.blocking_call_fix")
def test_blocking_call_fix_keeps_the_heartbeat_going() -> None:
    run = run_lesson(pitfalls.blocking_call_fix, 0.05, 0.005, virtual=False)
    ticks_during, _gap = run.result
    assert ticks_during >= 1  # the heartbeat's timer is due long before the thread's sleep ends
    assert run.lines == [
        "asyncio.to_thread(time.sleep, ...) left the loop free: heartbeats during the call: True"
    ]


@pytest.mark.parametrize("lesson", [pitfalls.blocking_call_symptom, pitfalls.blocking_call_fix])
@pytest.mark.parametrize(
    ("block", "interval", "error", "named"),
    [
        (1.0, 0.0, ValueError, "0.0"),
        (1.0, 2.0, ValueError, "2.0"),
        (-1.0, 0.1, ValueError, "-1.0"),
        (1.0, "0.1", TypeError, "'0.1'"),
    ],
)
def test_blocking_call_lessons_reject_bad_durations(
    lesson: Callable[..., Any], block: Any, interval: Any, error: type[Exception], named: str
) -> None:
    run = run_lesson(lesson, block, interval)
    assert_refused(run, error, named)


# -- 3. a lost task reference ----------------------------------------------------------------


def test_lost_task_reference_symptom_task_is_collected_while_pending() -> None:
    run = run_lesson(pitfalls.lost_task_reference_symptom)
    assert run.result == []
    assert run.printed == [
        Printed(0.0, "the task still exists after gc.collect(): False"),
        Printed(1.0, "news delivered to 0 listeners"),
        Printed(1.0, "exception handler: Task was destroyed but it is pending!"),
    ]
    assert run.elapsed == 1.0


def test_lost_task_reference_fix_keeps_the_task_alive() -> None:
    run = run_lesson(pitfalls.lost_task_reference_fix)
    assert run.result == ["asyncio 4.0 is out"]
    assert run.printed == [
        Printed(0.0, "the task still exists after gc.collect(): True"),
        Printed(1.0, "news delivered to 1 listeners"),
        Printed(1.0, "the listener heard: asyncio 4.0 is out"),
    ]
    assert run.elapsed == 1.0


def test_lost_task_reference_symptom_restores_the_previous_exception_handler() -> None:
    run = run_lesson(pitfalls.lost_task_reference_symptom, 0.5, setup=expect_handler_restored)
    assert run.error is None
    assert run.elapsed == 0.5


# -- 4. "Task was destroyed but it is pending!" ----------------------------------------------


def test_destroyed_pending_task_symptom_reports_the_destroyed_task() -> None:
    run = run_lesson(pitfalls.destroyed_pending_task_symptom)
    assert run.error is None
    assert run.result == "Task was destroyed but it is pending!"
    assert run.lines == [
        "consumer got 'job 1'",
        "the loop stopped; the consumer still waits for the next job",
        "exception handler: Task was destroyed but it is pending!",
    ]
    assert run.elapsed is None  # plain synchronous code driving its own loop


def test_destroyed_pending_task_fix_cancels_and_awaits_the_consumer() -> None:
    run = run_lesson(pitfalls.destroyed_pending_task_fix)
    assert run.result is True
    assert run.printed == [
        Printed(0.0, "consumer got 'job 1'"),
        Printed(1.0, "consumer cancelled: cleaning up"),
        Printed(1.0, "no task left pending: True"),
    ]
    assert run.elapsed == 1.0


# -- 5. a swallowed cancellation -------------------------------------------------------------


def test_swallowed_cancel_symptom_cancel_and_wait_for_do_nothing() -> None:
    run = run_lesson(pitfalls.swallowed_cancel_symptom, 1.0, 3.0)
    assert run.result == ["finished anyway", "finished anyway"]
    assert run.printed == [
        Printed(1.0, "cancel() returned True"),
        Printed(1.0, "stubborn: cancellation ignored, carrying on"),
        Printed(3.0, "the task returned 'finished anyway'; cancelled(): False"),
        Printed(4.0, "stubborn: cancellation ignored, carrying on"),  # wait_for's timeout
        Printed(6.0, "wait_for returned 'finished anyway' instead of raising TimeoutError"),
    ]
    assert run.elapsed == 6.0  # twice the work: neither the cancel nor the timeout cut it short


def test_swallowed_cancel_fix_cancel_and_wait_for_work() -> None:
    run = run_lesson(pitfalls.swallowed_cancel_fix, 1.0, 3.0)
    assert run.result == ["cancelled", "TimeoutError"]
    cleanup = "cooperative: cleaning up, then letting the cancellation through"
    assert run.printed == [
        Printed(1.0, cleanup),
        Printed(1.0, "the task was cancelled: True"),
        Printed(2.0, cleanup),
        Printed(2.0, "wait_for raised TimeoutError"),
    ]
    assert run.elapsed == 2.0


@pytest.mark.lesson("pitfalls.suppressed_cancel_symptom", "pitfalls.suppressed_cancel_fix")
@pytest.mark.parametrize(
    ("lesson", "outcome", "lines"),
    [
        ("suppressed_cancel_symptom", "cancelled", ["the worker ended: cancelled"]),
        (
            "suppressed_cancel_fix",
            "TimeoutError",
            ["worker: my own timeout fired, as it should", "the worker ended: TimeoutError"],
        ),
    ],
)
def test_suppressing_a_cancellation_needs_uncancel(
    lesson: str, outcome: str, lines: list[str]
) -> None:
    run = run_lesson(getattr(pitfalls, lesson))
    assert run.result == outcome
    assert run.printed[0] == Printed(1.0, "worker: cancellation suppressed")
    assert run.printed[1:] == [Printed(3.0, line) for line in lines]
    assert run.elapsed == 3.0  # the worker's own timeout fired in both: what differs is how


# -- 6. gather does not cancel the others ----------------------------------------------------


def test_gather_siblings_symptom_the_sibling_runs_on_after_the_failure() -> None:
    run = run_lesson(pitfalls.gather_siblings_symptom)
    assert run.result == "sibling finished"
    assert run.printed == [
        Printed(
            0.0, "gather raised ValueError('one task failed'); the sibling is still running: True"
        ),
        Printed(1.0, "sibling: step 1 done"),
        Printed(2.0, "sibling: step 2 done"),
    ]
    assert run.elapsed == 2.0


@pytest.mark.lesson("pitfalls.gather_siblings_fix")
def test_gather_siblings_fix_task_group_cancels_the_sibling() -> None:
    if sys.version_info >= (3, 11):
        run = run_lesson(pitfalls.gather_siblings_fix)
        assert run.result == ["one task failed"]
        assert run.printed == [
            Printed(0.0, "sibling: cancelled"),
            Printed(0.0, "the group raised ExceptionGroup: ['one task failed']"),
        ]
        assert run.elapsed == 0.0  # not 2.0: the sibling did not run to the end


def test_version_gated_pitfalls_exist_exactly_from_python_3_11() -> None:
    gated = {"suppressed_cancel_symptom", "suppressed_cancel_fix", "gather_siblings_fix"}
    present = gated & set(pitfalls.__all__)
    assert present == (gated if sys.version_info >= (3, 11) else set())


# -- 7. asyncio.run inside a running loop ----------------------------------------------------

NESTED = "asyncio.run() cannot be called from a running event loop"


def test_nested_run_symptom_raises_and_runs_nothing() -> None:
    run = run_lesson(pitfalls.nested_run_symptom)
    assert run.result == NESTED
    assert run.printed == [Printed(0.0, f"RuntimeError: {NESTED}")]
    assert run.elapsed == 0.0  # the coroutine never ran (and was closed: no warning)


def test_nested_run_fix_awaits() -> None:
    run = run_lesson(pitfalls.nested_run_fix)
    assert run.result == "data"
    assert run.printed == [Printed(1.0, "fetched: data")]
    assert run.elapsed == 1.0


# -- 8. asyncio.get_event_loop without a running loop ----------------------------------------


def _get_event_loop_warns_when_creating(version: tuple[int, int, int]) -> bool:
    """Where asyncio.get_event_loop() warns as it creates a loop (python/cpython#93453)."""
    return (
        (3, 10, 0) <= version < (3, 10, 9) or version == (3, 11, 0) or (3, 12) <= version < (3, 14)
    )


@pytest.mark.parametrize(
    ("version", "warns"),
    [
        ((3, 9, 18), False),
        ((3, 10, 8), True),
        ((3, 10, 13), False),
        ((3, 11, 0), True),
        ((3, 11, 7), False),
        ((3, 12, 1), True),
        ((3, 13, 0), True),
    ],
)
def test_the_versions_that_warn(version: tuple[int, int, int], warns: bool) -> None:
    assert _get_event_loop_warns_when_creating(version) is warns


def test_get_event_loop_symptom_matches_this_python() -> None:
    run = run_lesson(pitfalls.get_event_loop_symptom)
    missing = "RuntimeError: There is no current event loop in thread 'MainThread'."
    if sys.version_info >= (3, 14):  # no loop made: it raises, and the lesson shows it (gh-126353)
        expected = [f"at the start of a program: {missing}"]
    else:
        expected = ["at the start of a program: got a new _UnixSelectorEventLoop, not running"]
    if _get_event_loop_warns_when_creating(sys.version_info[:3]):
        expected.append("DeprecationWarning: There is no current event loop")
    expected.append(f"after asyncio.run(): {missing}")
    assert run.error is None
    assert run.result == expected
    assert run.lines == expected


def test_get_event_loop_symptom_restores_the_policy() -> None:
    if sys.version_info >= (3, 14):  # policies deprecated: the lesson unsets the current loop
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            run_lesson(pitfalls.get_event_loop_symptom)
            assert asyncio.get_event_loop() is loop  # put back
        finally:
            asyncio.set_event_loop(None)
            loop.close()
        return
    before = asyncio.get_event_loop_policy()
    run_lesson(pitfalls.get_event_loop_symptom)
    assert asyncio.get_event_loop_policy() is before


def test_get_event_loop_fix_uses_the_running_loop() -> None:
    run = run_lesson(pitfalls.get_event_loop_fix, 2.0)
    assert run.result is True
    assert run.printed == [
        Printed(0.0, "inside a coroutine, get_event_loop() is get_running_loop(): True"),
        Printed(2.0, "the callback ran on it: True"),
    ]
    assert run.elapsed == 2.0


# -- 9. touching the loop from another thread ------------------------------------------------

NOT_THREAD_SAFE = "Non-thread-safe operation invoked on an event loop other than the current one"


@pytest.mark.lesson("pitfalls.thread_unsafe_call_symptom")
@pytest.mark.parametrize("debug_before", [False, True])
def test_thread_unsafe_call_symptom_debug_mode_raises(debug_before: bool) -> None:
    async def main() -> tuple[str, bool]:
        loop = asyncio.get_running_loop()
        loop.set_debug(debug_before)
        message = await pitfalls.thread_unsafe_call_symptom()
        return message, loop.get_debug()

    run = run_lesson(main)
    assert run.result == (NOT_THREAD_SAFE, debug_before)  # and debug mode is as it was
    assert run.printed == [Printed(0.0, f"in the thread: RuntimeError: {NOT_THREAD_SAFE}")]
    assert run.elapsed == 0.0


@pytest.mark.lesson("pitfalls.thread_unsafe_call_fix")
def test_thread_unsafe_call_fix_hands_over_with_call_soon_threadsafe() -> None:
    run = run_lesson(pitfalls.thread_unsafe_call_fix)
    assert run.result == "computed in a worker thread"
    assert run.printed == [Printed(0.0, "the loop got: computed in a worker thread")]
    assert run.elapsed == 0.0


# -- bad input -------------------------------------------------------------------------------

ONE_DELAY = [
    name
    for name in pitfalls.__all__
    if name
    not in {
        "blocking_call_symptom",
        "blocking_call_fix",
        "destroyed_pending_task_symptom",
        "get_event_loop_symptom",
        "thread_unsafe_call_symptom",
        "thread_unsafe_call_fix",
    }
]


@pytest.mark.parametrize("name", ONE_DELAY)
@pytest.mark.parametrize(("delay", "error"), [(-1.0, ValueError), (None, TypeError)])
def test_lessons_reject_a_bad_delay_before_starting(
    name: str, delay: Any, error: type[Exception]
) -> None:
    run = run_lesson(getattr(pitfalls, name), delay)
    assert_refused(run, error, repr(delay))


@pytest.mark.parametrize(
    "lesson", [pitfalls.swallowed_cancel_symptom, pitfalls.swallowed_cancel_fix]
)
def test_swallowed_cancel_lessons_name_a_bad_work(lesson: Callable[..., Any]) -> None:
    run = run_lesson(lesson, 1.0, -3.0)
    assert isinstance(run.error, ValueError)
    assert "work" in str(run.error)
    assert "-3.0" in str(run.error)


def test_a_destroyed_pending_task_runs_finally_but_not_its_cancellation_cleanup() -> None:
    """What destroyed_pending_task_symptom says happens to the task's own cleanup (3.9 to 3.13+):
    its coroutine is closed, GeneratorExit is raised at its await, finally runs outside the loop."""
    import gc

    ran: list[str] = []
    unraisable: list[str] = []

    async def consumer(queue: asyncio.Queue[str]) -> None:
        try:
            await queue.get()
            await queue.get()  # waits here when the loop stops
        except asyncio.CancelledError:  # pragma: no cover - must not run
            ran.append("except CancelledError")
            raise
        except GeneratorExit:
            ran.append("except GeneratorExit")
            raise
        finally:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                ran.append("finally, with no running loop")
            await asyncio.sleep(0)  # an await that has to wait: fails here

    async def main() -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        asyncio.create_task(consumer(queue))  # noqa: RUF006  # forgotten, as in the lesson
        await queue.put("job 1")
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()
    reports: list[str] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context["message"]))
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: unraisable.append(repr(u.exc_value))
    try:
        loop.run_until_complete(main())
        gc.collect()
        left = asyncio.all_tasks(loop)  # 3.14: the destroyed task can come back (see the lesson)
        for task in left:
            task.cancel()
        if left:  # (gather() of nothing would look for a current loop)
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    finally:
        sys.unraisablehook = previous_hook
        loop.close()
    assert reports == ["Task was destroyed but it is pending!"]
    assert ran == ["except GeneratorExit", "finally, with no running loop"]
    assert unraisable == ["RuntimeError('coroutine ignored GeneratorExit')"]


def test_destroyed_pending_task_symptom_never_runs_the_consumers_cancellation_cleanup() -> None:
    run = run_lesson(pitfalls.destroyed_pending_task_symptom)
    assert not any("cleaning up" in line for line in run.lines)  # no CancelledError reached it
