"""Run every lesson's docstring examples, on every interpreter, against the installed package.

The examples call ``asyncio.run(...)`` as a reader would. Here that ``asyncio.run`` runs the loop
on virtual time, so timers fire in the order of their deadlines however slow the machine is (the
examples' short delays raced under load on real time). Lessons that wait on real I/O while a
timer is pending (``REAL_TIME_LESSONS``) keep the real ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import doctest
import importlib
import sys
import types
from typing import Any

import pytest

from asyncio_primer._support.runner import (
    lessons,
    needs_real_time,
    outside_the_web_loop,
    run_on_virtual_time,
)

LESSONS = lessons()
#: Examples whose output names the event loop class of Linux and macOS.
SHOWS_THE_LOOP_CLASS = {"event_loop.run_a_program"}


def _marks(qualname: str) -> list[pytest.MarkDecorator]:
    """Skipped, with the registry's reason, where the lesson cannot run (threads on WebAssembly),
    or where its example's output is another platform's."""
    marks = [pytest.mark.lesson(qualname)]
    if qualname in SHOWS_THE_LOOP_CLASS:
        reason = "its example shows the loop class of Linux and macOS"
        marks.append(pytest.mark.skipif(sys.platform in ("win32", "emscripten"), reason=reason))
    return marks


class _AsyncioOnVirtualTime(types.ModuleType):
    """:mod:`asyncio` as the examples see it, except that ``run`` runs on virtual time."""

    run = staticmethod(run_on_virtual_time)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


@pytest.mark.parametrize("qualname", [pytest.param(q, marks=_marks(q)) for q in LESSONS])
def test_docstring_examples(qualname: str) -> None:
    concept = qualname.split(".")[0]
    module = importlib.import_module(f"asyncio_primer.{concept}")
    lesson: Any = LESSONS[qualname]
    globs = dict(vars(module))
    if not needs_real_time(qualname):
        globs["asyncio"] = _AsyncioOnVirtualTime("asyncio")
    finder = doctest.DocTestFinder(recurse=False)
    examples = finder.find(lesson, qualname, globs=globs)
    assert examples, f"{qualname} has no docstring"
    assert examples[0].examples, f"{qualname} has no docstring example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with outside_the_web_loop():  # each asyncio.run() in an example gets a fresh loop
        for example in examples:
            runner.run(example)
    assert runner.summarize(verbose=False).failed == 0
