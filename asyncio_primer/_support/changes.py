"""Behaviour changes between Python versions that a reader trips over (support code, not a lesson).

One declarative list, :data:`CHANGES`: each :class:`Change` names its Python version, what
changed, its upstream reference and the test in ``tests/test_versions.py`` that shows the old and
the new behaviour on the interpreters that have them (each side gated by version), and the lesson
that teaches it, if one does. The docs' versions page is generated from it
(``docs/_ext/primer_generated.py``), and a test checks that every change has its test.
:data:`PYTHONS` says which Pythons the primer runs on and how each is tested.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHANGES", "NEWER_APIS", "PYTHONS", "Change", "Python"]


@dataclass(frozen=True)
class Change:
    """One behaviour change, from the Python version where it happened."""

    #: The first Python with the new behaviour.
    python: tuple[int, int]
    #: What changed, in reST (one sentence or two).
    title: str
    #: Upstream reference: a CPython issue (``gh-96764``, ``bpo-42392``) or a What's New section
    #: (``whatsnew-3.13-asyncio``).
    reference: str
    #: The test function in ``tests/test_versions.py`` that shows the old and the new behaviour.
    test: str
    #: The lesson that teaches it (``concept.name``), if one does.
    lesson: str = ""

    @property
    def url(self) -> str:
        """The reference as a link."""
        kind, _, number = self.reference.partition("-")
        if kind == "gh":
            return f"https://github.com/python/cpython/issues/{number}"
        if kind == "bpo":
            return f"https://bugs.python.org/issue{number}"
        version = number.split("-")[0]  # whatsnew-3.13-asyncio
        return f"https://docs.python.org/3/whatsnew/{version}.html#asyncio"


CHANGES: tuple[Change, ...] = (
    Change(
        (3, 10),
        "The ``loop`` parameter is gone from the high-level API (``asyncio.sleep``, "
        "``asyncio.Queue``, ``asyncio.Lock``, ``asyncio.gather``, ...): passing it raises "
        ":exc:`TypeError` (deprecated since 3.8).",
        "bpo-42392",
        "test_loop_parameter_removed",
    ),
    Change(
        (3, 11),
        "``@asyncio.coroutine`` (generator-based coroutines) is removed: write ``async def``.",
        "bpo-43216",
        "test_asyncio_coroutine_decorator_removed",
    ),
    Change(
        (3, 12),
        ":func:`asyncio.wait_for` is rewritten on :func:`asyncio.timeout`: it awaits a coroutine "
        "in the caller's task instead of wrapping it in a new task.",
        "gh-96764",
        "test_wait_for_runs_a_coroutine_in_the_callers_task",
        "cancellation.wait_for_timeout",
    ),
    Change(
        (3, 12),
        ":meth:`asyncio.Server.wait_closed` waits until every connection is closed (before, it "
        "returned as soon as the server was closed; ``async with server`` waits the same way).",
        "gh-79033",
        "test_server_wait_closed_waits_for_connections",
        "streams.echo_over_tcp",
    ),
    Change(
        (3, 12),
        "Eager tasks: :func:`asyncio.eager_task_factory` runs a task's first step inside "
        "``create_task``.",
        "gh-97696",
        "test_eager_task_factory",
        "tasks.eager_tasks",
    ),
    Change(
        (3, 12),
        "Child watchers (``asyncio.get_child_watcher`` and the ``*ChildWatcher`` classes) are "
        "deprecated; 3.14 removes them.",
        "gh-94597",
        "test_child_watchers_deprecated_then_removed",
    ),
    Change(
        (3, 12),
        "``asyncio.run(main(), loop_factory=...)`` picks the event loop (3.11's "
        ":class:`asyncio.Runner` took it already): the way to choose uvloop without a policy.",
        "gh-99388",
        "test_run_takes_a_loop_factory",
        "tasks.runner_shares_one_loop",
    ),
    Change(
        (3, 13),
        "``Server.close_clients()`` and ``Server.abort_clients()`` close the connections a server "
        "still has.",
        "gh-113538",
        "test_server_close_clients",
    ),
    Change(
        (3, 13),
        "A :class:`asyncio.TaskGroup` cancelled from outside while a child fails calls its "
        "parent task's ``cancel()`` again, so the outer cancellation is not lost.",
        "gh-116720",
        "test_task_group_keeps_an_outside_cancellation",
    ),
    Change(
        (3, 13),
        "``create_task`` on a task group that has finished closes the coroutine it was given (no "
        '"coroutine ... was never awaited" warning).',
        "gh-115957",
        "test_create_task_on_a_finished_task_group_closes_the_coroutine",
    ),
    Change(
        (3, 13),
        ":meth:`asyncio.StreamReader.readuntil` accepts a tuple of separators.",
        "gh-81322",
        "test_readuntil_takes_a_tuple_of_separators",
    ),
    Change(
        (3, 13),
        "``asyncio.EventLoop``: the event loop class ``asyncio.run`` uses, by one name on every "
        "platform (for ``loop_factory``).",
        "whatsnew-3.13-asyncio",
        "test_asyncio_event_loop_alias",
    ),
    Change(
        (3, 14),
        ":func:`asyncio.get_event_loop` with no current loop raises :exc:`RuntimeError` instead "
        "of making one (3.12 and 3.13 warned).",
        "gh-126353",
        "test_get_event_loop_raises_without_a_current_loop",
        "event_loop.get_event_loop_raises",
    ),
    Change(
        (3, 14),
        "The event loop policy system (``get_event_loop_policy``, ``set_event_loop_policy``, "
        "``DefaultEventLoopPolicy``, ...) is deprecated, for removal in 3.16; so is "
        "``asyncio.iscoroutinefunction`` (use :func:`inspect.iscoroutinefunction`).",
        "gh-127949",
        "test_policies_deprecated",
        "event_loop.policies_deprecated",
    ),
    Change(
        (3, 14),
        "``create_task`` passes its keyword arguments (``eager_start``, ...) on to the task or "
        "the loop's task factory (3.13.3 began to, and 3.13.4 stopped passing *name* and "
        "*context* again).",
        "gh-128307",
        "test_create_task_passes_keyword_arguments",
        "tasks.create_task_eager_start",
    ),
    Change(
        (3, 14),
        "The async call graph: ``asyncio.capture_call_graph``, ``format_call_graph``, "
        "``print_call_graph``; and ``python -m asyncio ps PID`` / ``pstree PID`` to print every "
        "task of another, running process. The test checks the module those commands run; it "
        "does not run them: they attach to a live process by its id, which needs a second "
        "process (and the permission to read its memory), and WebAssembly, where 3.14 is "
        "tested here, has no processes.",
        "gh-91048",
        "test_call_graph_and_asyncio_ps",
        "tasks.what_a_stuck_task_awaits",
    ),
    Change(
        (3, 15),
        "``TaskGroup.cancel()`` stops a whole task group from inside; the ``async with`` exits "
        "without :exc:`asyncio.CancelledError`.",
        "gh-108951",
        "test_task_group_cancel",
        "tasks.task_group_cancel",
    ),
    Change(
        (3, 15),
        "Cancelling ``Server.serve_forever()`` also closes the server's client connections "
        "(``close_clients()``): from 3.12 to 3.14 it waited for every client to leave, so one "
        "idle client kept a server from stopping on Ctrl+C. The test runs the old side on "
        "CPython 3.12 and 3.13; 3.15 is only here on WebAssembly, which has no sockets, so "
        "there a second test checks ``serve_forever``'s source.",
        "gh-123720",
        "test_cancelling_serve_forever_closes_its_clients",
        "streams.echo_over_tcp",
    ),
    Change(
        (3, 15),
        "An async generator whose body is a task group closes quietly: ``aclose()`` no longer "
        "raises a ``BaseExceptionGroup`` holding :exc:`GeneratorExit`.",
        "gh-135736",
        "test_task_group_in_an_async_generator_closes",
        "async_iteration.close_a_generator_holding_a_task_group",
    ),
)


@dataclass(frozen=True)
class Python:
    """One Python version the primer covers."""

    version: tuple[int, int]
    #: How the test suite runs on it.
    tested: str
    #: Its end of life ("" while it is supported), e.g. "October 2025".
    end_of_life: str = ""


PYTHONS: tuple[Python, ...] = (
    Python((3, 9), "CPython 3.9.18", "October 2025"),
    Python((3, 10), "CPython 3.10.13", "October 2026"),
    Python((3, 11), "CPython 3.11.7"),
    Python((3, 12), "CPython 3.12.1"),
    Python((3, 13), "CPython 3.13.0 (also builds these pages)"),
    Python((3, 14), "CPython 3.14.2 on WebAssembly (Pyodide 314.0.8, under Node.js)"),
    Python((3, 15), "CPython 3.15.0rc1 on WebAssembly (Pyodide 315.0.0a2, under Node.js)"),
)

#: asyncio APIs that lessons for a newer Python use and that the Python building the docs (3.13)
#: lacks, with their page in the official reference: for links and the API map.
NEWER_APIS: dict[str, str] = {
    "asyncio.capture_call_graph": "asyncio-graph",
    "asyncio.format_call_graph": "asyncio-graph",
    "asyncio.print_call_graph": "asyncio-graph",
    "asyncio.TaskGroup.cancel": "asyncio-task",
}
