"""The tracer records every task of a lesson on the loop's clock, and changes nothing it runs."""

from __future__ import annotations

import asyncio
import contextlib
import doctest
import gc
import importlib
import inspect
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from primer_testing import needs_python

from asyncio_primer import tasks
from asyncio_primer._support import timeline
from asyncio_primer._support import tracer as tracer_module
from asyncio_primer._support.runner import Printed, Run, lessons, needs_real_time, run_lesson
from asyncio_primer._support.tracer import MAIN, TracedLine, Tracer, trace_lesson


def test_the_workers_trace_has_three_tasks_ending_at_1_3_and_5_seconds() -> None:
    trace = trace_lesson(tasks.run_workers)
    assert [t.call for t in trace.tasks] == [
        "worker('Task 1', 5.0)",
        "worker('Task 2', 3.0)",
        "worker('Task 3', 1.0)",
    ]
    assert [(t.created, t.started, t.ended) for t in trace.tasks] == [
        (0.0, 0.0, 5.0),
        (0.0, 0.0, 3.0),
        (0.0, 0.0, 1.0),
    ]
    assert [(t.outcome, t.value, t.parent) for t in trace.tasks] == [("done", None, MAIN)] * 3
    assert trace.lines == [
        TracedLine(0.0, "Task 1 started", 1),
        TracedLine(0.0, "Task 2 started", 2),
        TracedLine(0.0, "Task 3 started", 3),
        TracedLine(1.0, "Task 3 finished", 3),
        TracedLine(3.0, "Task 2 finished", 2),
        TracedLine(5.0, "Task 1 finished", 1),
    ]
    assert trace.elapsed == 5.0
    assert trace.concurrent


async def _fail_and_cancel(delay: float = 1.0) -> str:
    async def fail() -> None:
        await asyncio.sleep(delay)
        raise ValueError("boom")

    async def sleep_long() -> None:
        await asyncio.sleep(10 * delay)

    async def half(value: int) -> int:
        await asyncio.sleep(delay / 2)
        return value

    async def nested() -> int:
        inner = asyncio.create_task(half(7))
        return await inner

    failing = asyncio.create_task(fail(), name="failing")
    sleeper = asyncio.create_task(sleep_long())
    child = asyncio.create_task(nested())
    await asyncio.sleep(2 * delay)
    sleeper.cancel("no longer needed")
    with contextlib.suppress(asyncio.CancelledError):
        await sleeper
    assert await child == 7
    try:
        await failing
    except ValueError as error:
        return str(error)
    return "not reached"


def test_failing_cancelled_and_nested_tasks_are_traced_with_their_outcome() -> None:
    trace = trace_lesson(_fail_and_cancel)
    assert trace.run.result == "boom"
    failing, sleeper, child, inner = trace.tasks
    assert (failing.name, failing.outcome, failing.ended) == ("failing", "failed", 1.0)
    assert repr(failing.value) == "ValueError('boom')"
    assert failing.label == "failing: fail()"
    assert failing.outcome_text == "raised ValueError('boom')"
    assert (sleeper.outcome, sleeper.started, sleeper.ended) == ("cancelled", 0.0, 2.0)
    assert (sleeper.value, sleeper.outcome_text) == (None, "cancelled")
    assert (child.outcome, child.value, child.ended, child.parent) == ("done", 7, 0.5, MAIN)
    assert (inner.call, inner.parent, inner.created, inner.ended) == ("half(7)", 3, 0.0, 0.5)
    assert trace.elapsed == 2.0


def test_a_lesson_that_raises_is_traced_up_to_its_error() -> None:
    async def lesson() -> None:
        await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))
        raise RuntimeError("lesson failed")

    trace = trace_lesson(lesson)
    assert repr(trace.run.error) == "RuntimeError('lesson failed')"
    assert [t.ended for t in trace.tasks] == [1.0, 2.0]
    main = timeline.rows(trace)[0]
    assert main.note == "raised RuntimeError('lesson failed') at 2 s"


def test_a_plain_function_lesson_runs_untraced() -> None:
    def lesson() -> int:
        print("no loop here")
        return 3

    trace = trace_lesson(lesson)
    assert (trace.run.result, trace.run.lines, trace.tasks) == (3, ["no loop here"], [])
    assert not trace.concurrent


def test_on_real_time_tasks_end_in_the_order_of_their_delays() -> None:
    trace = trace_lesson(tasks.run_workers, (0.03, 0.01), virtual=False)
    slow, fast = trace.tasks
    assert slow.outcome == fast.outcome == "done"
    assert fast.ended is not None
    assert slow.ended is not None
    assert fast.ended < slow.ended
    assert 0.0 <= slow.created <= (slow.started or 0.0)
    assert trace.run.lines == [
        "Task 1 started",
        "Task 2 started",
        "Task 2 finished",
        "Task 1 finished",
    ]


def _comparable(value: object) -> str:
    """A repr without memory addresses (results may hold exceptions or objects)."""
    return re.sub(r"0x[0-9a-f]+", "0x…", repr(value))


RUNNABLE = [
    name
    for name, lesson in lessons().items()
    if inspect.iscoroutinefunction(lesson)
    and not needs_real_time(name)
    and all(p.default is not p.empty for p in inspect.signature(lesson).parameters.values())
]


# each skipped, with the registry's reason, where the lesson cannot run (threads on WebAssembly)
@pytest.mark.parametrize(
    "qualname", [pytest.param(q, marks=pytest.mark.lesson(q)) for q in RUNNABLE]
)
def test_tracing_a_lesson_changes_nothing_it_prints_returns_or_takes(qualname: str) -> None:
    lesson = lessons()[qualname]
    plain = run_lesson(lesson)
    traced = trace_lesson(lesson).run
    # a printed call graph (3.14) names tasks by their ids, which differ from run to run
    assert [(p.at, _comparable(p.text)) for p in traced.printed] == [
        (p.at, _comparable(p.text)) for p in plain.printed
    ]
    assert _comparable(traced.result) == _comparable(plain.result)
    assert _comparable(traced.error) == _comparable(plain.error)
    assert traced.elapsed == plain.elapsed


async def _drop_a_failed_task() -> list[str]:
    loop = asyncio.get_running_loop()
    reports: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context["message"]))
    try:
        task = asyncio.create_task(asyncio.sleep(0, result=None))
        failed = asyncio.create_task(_raise_later())
        await asyncio.wait([task, failed])
        del task, failed
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    return reports


async def _raise_later() -> None:
    await asyncio.sleep(1)
    raise KeyError("never retrieved")


def test_the_tracer_neither_retrieves_nor_keeps_a_failed_task() -> None:
    expected = ["Task exception was never retrieved"]
    assert run_lesson(_drop_a_failed_task).result == expected
    trace = trace_lesson(_drop_a_failed_task)
    assert trace.run.result == expected
    assert trace.tasks[1].outcome == "failed"


def test_the_tracer_chains_to_the_loops_factory_and_gives_it_back() -> None:
    made: list[str] = []

    def counting_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        made.append(coro.__name__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def main() -> tuple[bool, bool, int, str]:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(counting_factory)
        tracer = Tracer()
        with tracer.install(loop):
            task = asyncio.create_task(asyncio.sleep(0.01, result="slept"), name="named")
            seen_inside = loop.get_task_factory() is counting_factory
            result = await task
            name = task.get_name()
        after = loop.get_task_factory() is counting_factory
        loop.set_task_factory(None)
        return seen_inside, after, len(tracer.tasks), f"{result} {name}"

    assert asyncio.run(main()) == (True, True, 1, "slept named")
    assert made == ["sleep"]


def test_a_lessons_own_task_factory_goes_under_the_tracer() -> None:
    made: list[str] = []

    def lesson_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        made.append(coro.__name__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def lesson() -> bool:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(lesson_factory)
        try:
            await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))
            return loop.get_task_factory() is lesson_factory
        finally:
            loop.set_task_factory(None)

    trace = trace_lesson(lesson)
    assert trace.run.result is True
    assert made == ["sleep", "sleep"]
    assert [t.ended for t in trace.tasks] == [1.0, 2.0]


@needs_python(3, 12, "asyncio.eager_task_factory")
def test_eager_tasks_start_when_they_are_created() -> None:
    if sys.version_info >= (3, 12):

        async def lookup(key: str, delay: float) -> str:
            print(f"looking up {key}")
            if delay:
                await asyncio.sleep(delay)
            return key

        async def lesson() -> list[str]:
            loop = asyncio.get_running_loop()
            loop.set_task_factory(asyncio.eager_task_factory)
            try:
                hit = asyncio.create_task(lookup("cached", 0))
                print(f"hit done at once: {hit.done()}")
                miss = asyncio.create_task(lookup("remote", 1))
                return [await hit, await miss]
            finally:
                loop.set_task_factory(None)

        plain = run_lesson(lesson)
        trace = trace_lesson(lesson)
        assert trace.run.printed == plain.printed
        assert trace.run.printed[1] == Printed(0.0, "hit done at once: True")
        hit, miss = trace.tasks
        assert (hit.created, hit.started, hit.ended, hit.outcome) == (0.0, 0.0, 0.0, "done")
        assert (miss.created, miss.started, miss.ended) == (0.0, 0.0, 1.0)
        # The lines an eager task prints inside create_task are still its own.
        assert [line.task for line in trace.lines] == [1, MAIN, 2]


def test_the_svg_timeline_draws_the_workers_bars_to_scale() -> None:
    picture = timeline.svg(trace_lesson(tasks.run_workers))
    x0, plot = timeline.LABEL_WIDTH, timeline.PLOT_WIDTH
    bars = [
        (float(x), float(width))
        for x, width in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', picture)
    ]
    assert bars == [(x0, plot), (x0, plot * 3 / 5), (x0, plot / 5)]
    assert [f"{t} s" for t in range(6)] == re.findall(r">(\d s)</text>", picture)
    assert picture.count("<circle") == 6  # one dot per printed line
    assert 'fill="currentColor"' in picture  # text follows the page's colour (light or dark)


@pytest.mark.parametrize(
    ("total", "expected"),
    [(5.0, [0, 1, 2, 3, 4, 5]), (5.03, [0, 1, 2, 3, 4, 5]), (0.5, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
     (0.0, [0]), (12.0, [0, 2, 4, 6, 8, 10, 12])],
)  # fmt: skip
def test_axis_ticks_are_round_and_stop_at_the_total(total: float, expected: list[float]) -> None:
    assert timeline.ticks(total) == expected


def test_bar_cells_cover_each_task_from_start_to_end() -> None:
    rows = timeline.rows(trace_lesson(tasks.run_workers))
    assert [timeline.bar_cells(row, 5.0, 10) for row in rows] == [
        [("running", 10)],
        [("running", 10)],
        [("running", 6), ("idle", 4)],
        [("running", 2), ("idle", 8)],
    ]


@pytest.mark.parametrize("module", [tracer_module, timeline])
def test_the_support_modules_examples_run(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert (failures, tried > 0) == (0, True)


DOCS_EXT = Path(__file__).resolve().parent.parent / "docs" / "_ext"


@pytest.fixture
def primer_lessons(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The docs' `lesson` directive module (needs Sphinx: the docs extra)."""
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    monkeypatch.syspath_prepend(str(DOCS_EXT))
    return importlib.import_module("primer_lessons")


def test_the_docs_draw_the_workers_timeline_from_a_run(primer_lessons: ModuleType) -> None:
    page: dict[str, Any] = {}
    text = primer_lessons.recorded("asyncio_primer.tasks.run_workers", tasks.run_workers, page)
    assert text[:6] == [
        ".. rubric:: Output",
        "",
        ".. code-block:: text",
        "   :linenos:",  # the dots of the timeline are numbered like the lines
        "",
        "   [  0.000 s] Task 1 started",
    ]
    assert "   took 5 s on the loop's clock (virtual time)" in text
    assert primer_lessons.TIMELINE_EXPLAINED in text
    assert 'id="timeline-legend"' in "\n".join(text)
    last_raw = len(text) - 1 - text[::-1].index(".. raw:: html")
    picture = "\n".join(text[last_raw + 2 :])
    assert picture.strip().startswith("<svg")
    assert picture.count("<rect") == 3  # three bars: the lesson's own line is not a bar
    assert re.findall(r'class="line-number"[^>]*>([^<]*)<', picture) == [
        "1",
        "6",
        "2",
        "5",
        "3",
        "4",
    ]
    # the explanation and the legend once per page: the next timeline points back to them
    again = "\n".join(
        primer_lessons.recorded("asyncio_primer.tasks.run_workers", tasks.run_workers, page)
    )
    assert primer_lessons.TIMELINE_EXPLAINED not in again
    assert 'id="timeline-legend"' not in again
    assert 'href="#timeline-legend"' in again


def test_the_docs_draw_no_timeline_for_a_single_coroutine(primer_lessons: ModuleType) -> None:
    text = primer_lessons.recorded("asyncio_primer.coroutines.greet", lessons()["coroutines.greet"])
    assert ".. raw:: html" not in text


def test_the_docs_run_real_time_lessons_on_real_time(
    primer_lessons: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def fake_trace(lesson: Any, *, virtual: bool, watch_loop: bool) -> Any:
        assert watch_loop == (not virtual)  # blocked periods are watched on real time only
        seen.append(virtual)
        return trace_lesson(tasks.gather_in_order, (0.01,), virtual=virtual)

    monkeypatch.setattr(primer_lessons, "trace_lesson", fake_trace)
    real = next(name for name in lessons() if needs_real_time(name))
    primer_lessons.recorded(f"asyncio_primer.{real}", lessons()[real])
    primer_lessons.recorded("asyncio_primer.tasks.gather_in_order", tasks.gather_in_order)
    assert seen == [False, True]


def test_on_real_time_the_tracer_sees_the_loop_blocked_by_a_blocking_call() -> None:
    from asyncio_primer import pitfalls

    trace = trace_lesson(pitfalls.blocking_call_symptom, 0.3, 0.05, virtual=False, watch_loop=True)
    # time.sleep(0.3) holds the loop for at least 0.3 s, by construction
    assert any(end - start >= 0.3 for start, end in trace.blocked), trace.blocked
    assert 'class="blocked"' in timeline.svg(trace)
    assert trace_lesson(tasks.run_workers).blocked == []  # not watched on virtual time


def test_timeline_labels_name_no_private_helper() -> None:
    assert timeline.public_label("#3 _stubborn(3.0)") == "#3 helper(3.0)"
    assert timeline.public_label("#1 fetcher: _fetch(1.0)") == "#1 fetcher: helper(1.0)"
    assert timeline.public_label("#2 worker('Task 1', 5.0)") == "#2 worker('Task 1', 5.0)"
    assert timeline.public_label("main heartbeat_gaps()") == "main heartbeat_gaps()"


def test_a_run_of_many_tasks_is_drawn_as_a_histogram_not_a_bar_each() -> None:
    run = Run(printed=[Printed(0.0, "start"), Printed(2.0, "end")], elapsed=2.0)
    records = [
        tracer_module.TaskRecord(i, "hold()", f"Task-{i}", MAIN, 0.0, 0.0, 1.0 + i % 2, "done")
        for i in range(1, 1001)
    ]
    lines = [TracedLine(0.0, "start", MAIN), TracedLine(2.0, "end", MAIN)]
    trace = tracer_module.Trace("benefits.many", run, records, lines)
    picture = timeline.svg(trace)
    assert picture.count('class="density"') == timeline.BINS  # every slice has tasks running
    assert len(picture) < 30_000
    assert "1,000 tasks" in picture
    assert "up to 1,000 at once" in picture
    assert "1,000 done" in picture
    assert re.findall(r'class="line-number"[^>]*>([^<]*)<', picture) == ["1", "2"]


def test_the_docs_show_the_source_without_registry_decorator_docstring_or_pragmas(
    primer_lessons: ModuleType,
) -> None:
    source = """\
@lesson(real_time=True, delay=check_delay)
async def demo(delay: float = 1.0) -> None:
    \"\"\"Docstring.\"\"\"
    try:  # pragma: no cover
        time.sleep(delay)  # noqa: ASYNC251  # the bug: blocks the loop
    # pragma: no mutate
    except OSError:  # a reason
        pass
"""
    shown = primer_lessons.without_tool_comments(
        primer_lessons.source_without_docstring(primer_lessons.without_lesson_decorator(source))
    )
    assert shown == (
        "async def demo(delay: float = 1.0) -> None:\n"
        "    try:\n"
        "        time.sleep(delay)  # the bug: blocks the loop\n"
        "    except OSError:  # a reason\n"
        "        pass\n"
    )


def test_the_docs_show_the_private_helpers_a_lesson_calls(primer_lessons: ModuleType) -> None:
    from asyncio_primer import pitfalls

    helpers = primer_lessons.helpers_called(pitfalls.blocking_call_symptom)
    # _with_heartbeat calls _heartbeat: found through it
    assert [name for name, _, _ in helpers] == [
        "_check_heartbeat",
        "_heartbeat",
        "_with_heartbeat",
    ]
    assert helpers[1][1].startswith("async def _heartbeat(")
    assert {where for _, _, where in helpers} == {""}  # all in the lesson's own module
    assert primer_lessons.helpers_called(tasks.run_workers) == []


def test_the_docs_show_the_support_code_a_lesson_imports(primer_lessons: ModuleType) -> None:
    source = (
        "from asyncio_primer._registry import lesson\n"
        "from asyncio_primer._support.memory import resident_memory as rss\n"
        "from asyncio_primer._validate import check_delay\n"
        "from asyncio_primer.tasks import run_workers\n"
    )
    assert primer_lessons.support_imports(source) == {"rss": "asyncio_primer._support.memory"}


def test_the_docs_say_which_arguments_a_lesson_checks(primer_lessons: ModuleType) -> None:
    from asyncio_primer._validate import check_delay, check_positive_int

    sentence = primer_lessons.checks_sentence({"count": check_positive_int, "delay": check_delay})
    assert sentence.startswith(
        "Checks its arguments first — *count* must be an ``int`` ≥ 1; and *delay* must be a "
        "finite number of seconds ≥ 0 — and otherwise raises"
    )


def test_the_docs_publish_no_path_of_the_machine_that_built_them(
    primer_lessons: ModuleType,
) -> None:
    said = (
        "Exception in callback _explode() at /work/main/.tox/docs/lib/python3.13/site-packages/"
        "asyncio_primer/event_loop.py:343; <Handle sleep(0.2) created at "
        "/root/.pyenv/versions/3.13.0/lib/python3.13/asyncio/tasks.py:12>"
    )
    assert primer_lessons.public(said) == (
        "Exception in callback _explode() at asyncio_primer/event_loop.py:343; "
        "<Handle sleep(0.2) created at asyncio/tasks.py:12>"
    )


def test_the_docs_build_refuses_debug_and_dev_mode(
    primer_lessons: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages show what a plain ``python`` prints: asyncio's debug mode on is refused."""
    warned: list[str] = []
    monkeypatch.setattr(
        primer_lessons.logger, "warning", lambda text, *args: warned.append(text % args)
    )
    monkeypatch.setenv("PYTHONASYNCIODEBUG", "1")
    assert primer_lessons.modes()["asyncio debug mode"] is True
    primer_lessons.refuse_debug_modes(None)
    assert len(warned) == 1
    assert "asyncio debug mode" in warned[0]
    assert "unset PYTHONDEVMODE and PYTHONASYNCIODEBUG" in warned[0]
    monkeypatch.delenv("PYTHONASYNCIODEBUG")
    # (this suite may run in dev mode, or conftest may turn debug mode on: then nothing is off)
    if not any(primer_lessons.modes().values()):
        warned.clear()
        primer_lessons.refuse_debug_modes(None)
        assert warned == []
        assert primer_lessons.conditions_line().endswith(
            "asyncio debug mode and Python dev mode off."
        )
