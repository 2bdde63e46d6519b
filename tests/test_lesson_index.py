"""The facts the docs' generated pages are built from: version gates and asyncio APIs used."""

from __future__ import annotations

import inspect
import sys
import textwrap

from asyncio_primer import errors, tasks
from asyncio_primer._support.lesson_index import (
    all_lessons,
    asyncio_names,
    source_without_docstring,
    version_gates,
)


def test_version_gates_find_definitions_and_imports_under_a_gate() -> None:
    source = textwrap.dedent(
        """
        import sys
        def always(): ...
        if sys.version_info >= (3, 12):
            def newer(): ...
            from elsewhere import imported as renamed
        if sys.platform == "linux":
            def not_a_version_gate(): ...
        """
    )
    assert version_gates(source) == {"newer": (3, 12), "renamed": (3, 12)}


def test_the_errors_module_gates_task_groups_to_3_11() -> None:
    assert version_gates(inspect.getsource(errors))["task_group_except_star"] == (3, 11)


def test_asyncio_names_follow_attributes_imports_and_the_running_loop() -> None:
    source = textwrap.dedent(
        """
        from asyncio import gather as g, Queue
        async def lesson():
            loop = asyncio.get_running_loop()
            loop.call_later(1, print)
            q: Queue[int] = Queue()
            await g(asyncio.sleep(1), asyncio.wait_for(x, 1))
            asyncio.not_an_api()
            other.call_soon(print)
        """
    )
    assert asyncio_names(source) == {
        "asyncio.gather",
        "asyncio.Queue",
        "asyncio.get_running_loop",
        "asyncio.loop.call_later",
        "asyncio.sleep",
        "asyncio.wait_for",
    }


def test_the_workers_lesson_uses_gather_and_sleep_through_worker() -> None:
    assert asyncio_names(inspect.getsource(tasks.run_workers)) == {"asyncio.gather"}
    assert asyncio_names(inspect.getsource(tasks.worker)) == {"asyncio.sleep"}


def test_all_lessons_are_listed_once_in_teaching_order() -> None:
    found = [(concept, name) for concept, name, _ in all_lessons()]
    assert len(found) == len(set(found))
    assert found[:2] == [("coroutines", "greet"), ("coroutines", "delayed_greet")]
    assert (("errors", "task_group_except_star") in found) == (sys.version_info >= (3, 11))


def test_source_without_docstring_keeps_the_code_and_drops_the_docstring() -> None:
    source = textwrap.dedent(
        '''
        async def lesson() -> None:
            """Summary.

            More.
            """
            await asyncio.sleep(1)
        '''
    ).lstrip()
    assert source_without_docstring(source) == (
        "async def lesson() -> None:\n    await asyncio.sleep(1)\n"
    )
    no_docstring = "def f() -> int:\n    return 1\n"
    assert source_without_docstring(no_docstring) == no_docstring
