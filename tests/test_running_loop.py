"""Every lesson where a reader awaits it: inside a running loop (``python -m asyncio``, Jupyter).

Each public lesson (from the registry) is called from a coroutine run by :func:`asyncio.run`, the
way a reader types it at an ``await``-capable prompt: a coroutine function is awaited, a plain
function called, a class used as its docstring shows. Warnings are errors (setup.cfg), and the
leak guard fails the test on a "never awaited" warning or a pending task. A synchronous lesson that
starts its own loop runs in a worker thread there (``asyncio_primer._own_loop``), and gives what
it gives where no loop runs; on WebAssembly, which has no threads, it refuses at once, saying how
to call it.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from asyncio_primer import _own_loop
from asyncio_primer._registry import ON_WEBASSEMBLY, find, lessons
from asyncio_primer._support.runner import outside_the_web_loop, run_lesson, run_on_virtual_time

LESSONS = {qualname: facts.obj for qualname, facts in lessons().items()}

#: Arguments a lesson needs (it has no default for them), or that keep a real-time lesson quick
#: (their own tests pin their defaults); every other lesson runs with its defaults, on virtual time.
ARGUMENTS: dict[str, dict[str, Any]] = {
    "coroutines.add_later": {"a": 2, "b": 3},
    "tasks.worker": {"name": "Task 1", "delay": 1.0},
    "subprocesses.kill_after_timeout": {"runtime": 5.0, "timeout": 0.2},
    "pitfalls.blocking_call_symptom": {"block": 0.2, "interval": 0.05},
    "pitfalls.blocking_call_fix": {"block": 0.2, "interval": 0.05},
    "benefits.workers_on_real_time": {"delays": (0.05, 0.03, 0.01)},
    "benefits.heartbeat_gaps": {"wait": 0.3, "interval": 0.05},
    "benefits.tasks_vs_threads": {"count": 20},
    "benefits.echo_load": {"server": "asyncio", "clients": 3, "requests": 2, "size": 16},
    # synchronous: its own loop runs on real time
    "tasks.runner_shares_one_loop": {"delay": 0.01},
}


async def _use_countdown() -> Any:
    from asyncio_primer.awaitables import Countdown

    return await Countdown(3)


async def _use_simulated_server() -> Any:
    from asyncio_primer.capstone import SimulatedServer

    server = SimulatedServer()
    return await server.get("/"), await server.get("/missing")


#: How a reader uses each lesson that is a class, as its docstring shows.
CLASS_USES: dict[str, Callable[[], Awaitable[Any]]] = {
    "awaitables.Countdown": _use_countdown,
    "capstone.SimulatedServer": _use_simulated_server,
}

#: Synchronous lessons whose result depends on the thread they run in (checked below instead).
THREAD_DEPENDENT = {"pitfalls.get_event_loop_symptom", "event_loop.get_event_loop_raises"}


def _is_sync(qualname: str) -> bool:
    obj = LESSONS[qualname]
    return not inspect.isclass(obj) and not inspect.iscoroutinefunction(obj)


def _starts_its_own_loop(qualname: str) -> bool:
    return qualname in _own_loop.MARKED


def _awaited_by_a_reader(qualname: str) -> Any:
    """Run the lesson as a reader would inside a running loop; return what it gave."""
    lesson: Any = LESSONS[qualname]

    async def reader() -> Any:
        if inspect.isclass(lesson):
            result = await CLASS_USES[qualname]()
        elif inspect.iscoroutinefunction(lesson):
            result = await lesson(**ARGUMENTS.get(qualname, {}))
        else:
            result = lesson(**ARGUMENTS.get(qualname, {}))
        me = asyncio.current_task()
        left = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        assert left == [], f"{qualname} left tasks pending: {left}"
        return result

    with outside_the_web_loop():  # a fresh loop of its own, also on WebAssembly
        if find(qualname).real_time or _is_sync(qualname):
            return asyncio.run(reader())
        return run_on_virtual_time(reader())


def _no_warning_after_collecting() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize(
    "qualname", [pytest.param(q, marks=pytest.mark.lesson(q)) for q in LESSONS]
)
def test_every_lesson_runs_where_a_reader_awaits_it(
    qualname: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if inspect.isclass(LESSONS[qualname]):
        assert qualname in CLASS_USES, f"say in CLASS_USES how a reader uses {qualname}"
    if ON_WEBASSEMBLY and _starts_its_own_loop(qualname):
        pytest.skip("a lesson that starts its own loop refuses there (tested below)")
    try:
        result = _awaited_by_a_reader(qualname)
    except RuntimeError as error:  # a lesson may refuse, at once, saying how to call it
        if "call it from synchronous code" not in str(error):
            raise
        assert capsys.readouterr().out == ""
        _no_warning_after_collecting()
        return
    _no_warning_after_collecting()
    if _is_sync(qualname) and qualname not in THREAD_DEPENDENT:
        printed = capsys.readouterr().out
        where_no_loop_runs = run_lesson(LESSONS[qualname], **ARGUMENTS.get(qualname, {}))
        assert where_no_loop_runs.error is None
        assert where_no_loop_runs.result == result
        assert where_no_loop_runs.lines == printed.splitlines()


def test_the_lessons_that_start_their_own_loop_are_marked_so() -> None:
    """A synchronous lesson either starts no loop (coroutines.forget_to_await) or is marked."""
    marked = {q for q in LESSONS if _starts_its_own_loop(q)}
    unmarked = {q for q in LESSONS if _is_sync(q)} - marked
    assert unmarked == {"coroutines.forget_to_await"}
    expected = {
        "event_loop.run_a_program",
        "async_iteration.shutdown_closes_unfinished_generators",
        "pitfalls.destroyed_pending_task_symptom",
        "pitfalls.get_event_loop_symptom",
        "tasks.runner_shares_one_loop",
        "event_loop.get_event_loop_raises",
    }
    assert marked == {q for q in expected if q in LESSONS}


@pytest.mark.needs("threads")
def test_a_lesson_that_starts_its_own_loop_runs_in_a_worker_thread_where_one_runs() -> None:
    from asyncio_primer import event_loop

    seen: list[str] = []

    def where() -> str:
        seen.append(threading.current_thread().name)
        return asyncio.run(asyncio.sleep(0, "ran"))

    marked = _own_loop.starts_its_own_loop(where)
    _own_loop.MARKED.discard("test_running_loop.where")

    async def reader() -> tuple[str, str]:
        return marked(), event_loop.run_a_program()

    assert marked() == "ran"  # no loop runs here: in this thread
    assert asyncio.run(reader()) == ("ran", "running in _UnixSelectorEventLoop")
    assert seen[0] == threading.current_thread().name
    assert seen[1].startswith(_own_loop.THREAD_NAME)


@pytest.mark.needs("threads")
def test_get_event_loop_symptom_in_a_running_loop_shows_a_new_threads_error() -> None:
    from asyncio_primer import pitfalls

    async def reader() -> list[str]:
        return pitfalls.get_event_loop_symptom()

    lines = asyncio.run(reader())
    assert len(lines) == 2
    thread = lines[0].split("(")[1].split(")")[0]
    assert thread.startswith(_own_loop.THREAD_NAME)
    error = f"RuntimeError: There is no current event loop in thread {thread!r}."
    assert lines == [f"in a new thread ({thread}): {error}", f"after asyncio.run(): {error}"]


def test_where_threads_are_missing_a_lesson_that_starts_its_own_loop_refuses_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On WebAssembly (simulated here where it is not), the lesson refuses before it starts."""
    from asyncio_primer import async_iteration

    monkeypatch.setattr(_own_loop, "ON_WEBASSEMBLY", True)

    async def reader() -> None:
        async_iteration.shutdown_closes_unfinished_generators()

    with outside_the_web_loop(), pytest.raises(RuntimeError) as refused:
        asyncio.run(reader())
    assert str(refused.value) == (
        "shutdown_closes_unfinished_generators() starts an event loop of its own, but one already"
        " runs in this thread and WebAssembly has no other thread to run it in: call it from"
        " synchronous code where no loop runs (a plain script, not a coroutine or the asyncio"
        " REPL)"
    )
    assert capsys.readouterr().out == ""  # refused before doing anything
    _no_warning_after_collecting()


@pytest.mark.skipif(not ON_WEBASSEMBLY, reason="WebAssembly only (simulated above elsewhere)")
def test_on_webassembly_the_lessons_that_start_their_own_loop_refuse_in_a_running_loop() -> None:
    for qualname, lesson in LESSONS.items():
        if not _starts_its_own_loop(qualname):
            continue

        async def reader(lesson: Any = lesson) -> None:
            lesson()

        with outside_the_web_loop(), pytest.raises(RuntimeError, match="call it from synchronous"):
            asyncio.run(reader())


@pytest.mark.lesson("tasks.runner_shares_one_loop")
def test_a_refused_argument_is_refused_in_the_callers_thread_before_any_loop() -> None:
    runner_shares_one_loop = find("tasks.runner_shares_one_loop").obj

    async def reader() -> None:
        runner_shares_one_loop(-1.0)

    with pytest.raises(ValueError, match=r"^delay must"):
        asyncio.run(reader())


@pytest.mark.needs("subprocesses", "threads")
def test_the_five_in_the_asyncio_repl_as_a_reader_types_them() -> None:
    """``python -m asyncio``, fed what a reader types: the lessons that start their own loop run
    there, and nothing warns (warnings as errors, for "never awaited" and the rest)."""
    import subprocess

    typed = "\n".join(
        [
            "from asyncio_primer import async_iteration, event_loop, pitfalls, tasks",
            "print('A', event_loop.run_a_program())",
            "print('B', async_iteration.shutdown_closes_unfinished_generators())",
            "print('C', pitfalls.destroyed_pending_task_symptom())",
            "print('D', pitfalls.get_event_loop_symptom()[-1])",
            *(
                ["print('E', tasks.runner_shares_one_loop(0.01))"]
                if sys.version_info >= (3, 11)
                else []
            ),
            "",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "asyncio"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert "A running in _UnixSelectorEventLoop" in out, out + done.stderr
    assert "B ['stream closed after 1 item(s)']" in out
    assert "C Task was destroyed but it is pending!" in out
    missing = f"There is no current event loop in thread '{_own_loop.THREAD_NAME}_0'."
    assert f"D after asyncio.run(): RuntimeError: {missing}" in out
    if sys.version_info >= (3, 11):
        assert "E finished" in out
    assert "Traceback" not in done.stderr, done.stderr
    assert "never awaited" not in done.stderr + out
