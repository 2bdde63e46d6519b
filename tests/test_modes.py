"""The two modes the suite runs in (tox: py3X and py3X-plain; ASYNCIO_PRIMER_MODE).

"debug": development mode and asyncio's debug mode, the strictest; "plain": neither, as a reader's
``python`` runs the lessons. The run is in the mode it says, and the leak guard catches the same
leaks without debug mode as with it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Iterator

import pytest
from leak_guard import LeakGuard

MODE = os.environ.get("ASYNCIO_PRIMER_MODE", "debug")


def test_the_run_is_in_the_mode_it_says() -> None:
    async def debug_of_a_new_loop() -> bool:
        return asyncio.get_running_loop().get_debug()

    if MODE == "plain":
        assert not sys.flags.dev_mode
        assert "PYTHONASYNCIODEBUG" not in os.environ
        assert "PYTHONDEVMODE" not in os.environ  # child interpreters start plain too
        assert asyncio.run(debug_of_a_new_loop()) is False
    else:
        assert MODE == "debug"
        assert os.environ["PYTHONASYNCIODEBUG"] == "1"
        assert asyncio.run(debug_of_a_new_loop()) is True
        # (-X dev itself cannot be turned on after start: tox's py3X envs set PYTHONDEVMODE=1)


@pytest.fixture
def plain_guard() -> Iterator[LeakGuard]:
    """A guard as in the plain mode: it leaves new loops' debug mode alone."""
    inner = LeakGuard(debug=False)
    inner.start()
    yield inner
    from leak_guard import _Sandbox

    if inner in _Sandbox.active:
        inner.stop(grace=0)


def test_without_debug_mode_the_guard_leaves_loops_as_they_are(plain_guard: LeakGuard) -> None:
    async def debug() -> bool:
        return asyncio.get_running_loop().get_debug()

    assert asyncio.run(debug(), debug=False) is False
    assert plain_guard.stop() == []


def test_without_debug_mode_the_guard_still_names_a_pending_task(plain_guard: LeakGuard) -> None:
    async def forgotten() -> None:
        await asyncio.sleep(3600)

    async def main() -> None:
        asyncio.create_task(forgotten(), name="forgotten-task")  # noqa: RUF006 - the leak
        await asyncio.sleep(0)

    asyncio.run(main(), debug=False)
    (problem,) = plain_guard.stop()
    assert "task 'forgotten-task' running" in problem
    assert "still pending after asyncio.run's main coroutine returned" in problem


def test_without_debug_mode_the_guard_still_reports_an_unretrieved_exception(
    plain_guard: LeakGuard,
) -> None:
    async def fail() -> None:
        raise ValueError("nobody awaited me")

    async def main() -> None:
        task = asyncio.create_task(fail())
        await asyncio.sleep(0)
        assert task.done()
        del task  # dropped with its exception never retrieved
        gc.collect()

    asyncio.run(main(), debug=False)
    problems = plain_guard.stop()
    assert any("Task exception was never retrieved" in p for p in problems), problems
    assert any("nobody awaited me" in p for p in problems), problems


def test_without_debug_mode_the_guard_still_reports_a_coroutine_never_awaited(
    plain_guard: LeakGuard,
) -> None:
    async def work() -> None:
        pass

    class Holder:
        pass

    holder = Holder()
    holder.me = holder  # type: ignore[attr-defined]  # a cycle: only the guard's collection frees it
    holder.coroutine = work()  # type: ignore[attr-defined]  # the leak: never awaited
    del holder
    problems = plain_guard.stop()
    assert any("never awaited" in p for p in problems), problems
