"""Each behaviour change on the versions page, shown old and new on the interpreters that have them.

``asyncio_primer._support.changes.CHANGES`` declares the changes (the page is generated from it);
each names one test here. A test asserts the old behaviour below the change's version and the new
one from it, so on each interpreter of the matrix (3.9-3.13 on CPython, 3.14 and 3.15 on Pyodide)
one side runs. A side that needs what the platform lacks (sockets on WebAssembly) is skipped there.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncio_primer._registry import ON_WEBASSEMBLY, gated
from asyncio_primer._support.changes import CHANGES, NEWER_APIS, PYTHONS
from asyncio_primer._support.runner import outside_the_web_loop, run_on_virtual_time

HERE = sys.version_info[:2]
no_sockets = pytest.mark.skipif(ON_WEBASSEMBLY, reason="needs sockets, which WebAssembly lacks")


def run(main: Any) -> Any:
    return run_on_virtual_time(main)


# -- the declarations ------------------------------------------------------------------------


def test_every_change_has_its_test_here() -> None:
    tests = {name for name, _ in inspect.getmembers(sys.modules[__name__], inspect.isfunction)}
    missing = [change.test for change in CHANGES if change.test not in tests]
    assert missing == []
    assert len({change.test for change in CHANGES}) == len(CHANGES)


def test_changes_are_in_version_order_with_references_and_known_lessons() -> None:
    assert [c.python for c in CHANGES] == sorted(c.python for c in CHANGES)
    known = gated()
    for change in CHANGES:
        assert re.fullmatch(r"(gh|bpo)-\d+|whatsnew-3\.\d+-asyncio", change.reference)
        if change.lesson:
            concept, name = change.lesson.split(".")
            source = Path(__file__).parent.parent / "asyncio_primer" / f"{concept}.py"
            assert change.lesson in known or f"def {name}(" in source.read_text(), change


def test_pythons_cover_the_matrix_and_mark_the_end_of_life() -> None:
    assert [p.version for p in PYTHONS] == [(3, minor) for minor in range(9, 16)]
    assert {p.version: p.end_of_life for p in PYTHONS if p.end_of_life} == {
        (3, 9): "October 2025",
        (3, 10): "October 2026",
    }
    assert max(gated().values()) <= PYTHONS[-1].version


def test_newer_apis_exist_where_their_python_has_them() -> None:
    for dotted in NEWER_APIS:
        obj: Any = asyncio
        for part in dotted.split(".")[1:]:
            obj = getattr(obj, part, None)
        new_in = (3, 15) if dotted.endswith("TaskGroup.cancel") else (3, 14)
        assert (obj is not None) == (new_in <= HERE), dotted


# -- 3.10 ------------------------------------------------------------------------------------


def test_loop_parameter_removed() -> None:
    async def main() -> str:
        loop = asyncio.get_running_loop()
        try:
            queue_class: Any = asyncio.Queue  # typeshed: no loop parameter from 3.10
            queue_class(loop=loop)
        except TypeError as error:
            return f"TypeError: {error}"
        return "accepted"

    if HERE >= (3, 10):
        outcome = run(main())
        assert outcome.startswith("TypeError: ")
        assert "loop" in outcome
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert run(main()) == "accepted"
        assert {w.category for w in caught} == {DeprecationWarning}


# -- 3.11 ------------------------------------------------------------------------------------


def test_asyncio_coroutine_decorator_removed() -> None:
    assert hasattr(asyncio, "coroutine") == (HERE < (3, 11))


# -- 3.12 ------------------------------------------------------------------------------------


def test_wait_for_runs_a_coroutine_in_the_callers_task() -> None:
    async def main() -> bool:
        caller = asyncio.current_task()

        async def which_task() -> bool:
            return asyncio.current_task() is caller

        return await asyncio.wait_for(which_task(), timeout=1.0)

    assert run(main()) is (HERE >= (3, 12))  # before 3.12: a task of its own


@no_sockets
def test_server_wait_closed_waits_for_connections() -> None:
    async def main() -> tuple[bool, bool]:
        handlers: list[asyncio.Task[Any]] = []

        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            handlers.append(asyncio.current_task())  # type: ignore[arg-type]
            await reader.read()  # until the client closes
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(5):  # let the server accept the connection
            await asyncio.sleep(0)
        server.close()
        waiting = asyncio.ensure_future(server.wait_closed())
        for _ in range(5):
            await asyncio.sleep(0)
        done_with_a_client = waiting.done()
        writer.close()
        await writer.wait_closed()
        await waiting
        await asyncio.gather(*handlers)  # before 3.12 nothing waited for them
        return done_with_a_client, waiting.done()

    done_with_a_client, done_after = asyncio.run(main())  # real time: real sockets
    assert done_with_a_client is (HERE < (3, 12))
    assert done_after


def test_eager_task_factory() -> None:
    async def main() -> bool:
        async def at_once() -> str:
            return "done"

        loop = asyncio.get_running_loop()
        loop.set_task_factory(getattr(asyncio, "eager_task_factory"))  # noqa: B009 - 3.12+
        task = asyncio.create_task(at_once())
        loop.set_task_factory(None)
        done = task.done()
        await task
        return done

    if sys.version_info >= (3, 12):
        assert run(main()) is True
    else:
        assert not hasattr(asyncio, "eager_task_factory")


def test_child_watchers_deprecated_then_removed() -> None:
    if HERE >= (3, 14) or sys.platform == "win32":
        assert not hasattr(asyncio, "get_child_watcher")
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_child_watcher: Callable[[], object] = getattr(asyncio, "get_child_watcher")  # noqa: B009
        watcher = get_child_watcher()
    deprecated = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert bool(deprecated) == (HERE >= (3, 12))
    if HERE < (3, 12):
        closer: Any = watcher
        closer.close()


def test_run_takes_a_loop_factory() -> None:
    made: list[asyncio.AbstractEventLoop] = []

    def factory() -> asyncio.AbstractEventLoop:
        made.append(asyncio.new_event_loop())
        return made[-1]

    async def main() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    run_with_factory: Any = asyncio.run
    if HERE >= (3, 12):
        with outside_the_web_loop():
            loop = run_with_factory(main(), loop_factory=factory)
        assert made == [loop]
        assert loop.is_closed()
    else:
        coroutine = main()
        with pytest.raises(TypeError, match="loop_factory"):
            run_with_factory(coroutine, loop_factory=factory)
        coroutine.close()
        assert made == []


# -- 3.13 ------------------------------------------------------------------------------------


@no_sockets
def test_server_close_clients() -> None:
    async def main() -> bytes:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()

        server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(5):
            await asyncio.sleep(0)
        server.close()
        close_clients: Callable[[], None] = getattr(server, "close_clients")  # noqa: B009
        close_clients()
        received = await asyncio.wait_for(reader.read(), 5.0)  # EOF: the server closed it
        writer.close()
        await writer.wait_closed()
        await server.wait_closed()
        return received

    if HERE >= (3, 13):
        assert asyncio.run(main()) == b""
    else:
        assert not hasattr(asyncio.Server, "close_clients")
        assert not hasattr(asyncio.Server, "abort_clients")


def test_task_group_keeps_an_outside_cancellation() -> None:
    if sys.version_info >= (3, 11):

        async def child() -> None:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise ValueError("failed while being cancelled") from None

        async def body() -> str:
            failed = ""
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(child())
                    await asyncio.sleep(10)
            except BaseException as error:  # the group's ExceptionGroup
                failed = type(error).__name__
            assert failed == "ExceptionGroup"
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                return "the outside cancellation reached the next await"
            return "the outside cancellation was lost"

        async def main() -> str:
            task = asyncio.create_task(body())
            await asyncio.sleep(1)
            task.cancel()  # from outside, while the group runs; its child then fails
            try:
                return await task
            except asyncio.CancelledError:  # pragma: no cover - not on any version here
                return "cancelled"

        kept = "the outside cancellation reached the next await"
        assert (run(main()) == kept) is (HERE >= (3, 13))
    else:
        assert not hasattr(asyncio, "TaskGroup")


def test_create_task_on_a_finished_task_group_closes_the_coroutine() -> None:
    if sys.version_info >= (3, 11):

        async def job() -> None:
            await asyncio.sleep(0)

        async def main() -> str:
            async with asyncio.TaskGroup() as group:
                pass
            coroutine = job()
            with pytest.raises(RuntimeError, match="is finished"):
                group.create_task(coroutine)
            state = inspect.getcoroutinestate(coroutine)
            coroutine.close()  # before 3.13 it is left for us to close
            return state

        assert run(main()) == ("CORO_CLOSED" if HERE >= (3, 13) else "CORO_CREATED")
    else:
        assert not hasattr(asyncio, "TaskGroup")


def test_readuntil_takes_a_tuple_of_separators() -> None:
    async def main() -> bytes:
        reader = asyncio.StreamReader()
        reader.feed_data(b"key=value;next")
        separators: Any = (b";", b"\n")
        return await reader.readuntil(separators)

    if HERE >= (3, 13):
        assert run(main()) == b"key=value;"
    else:
        with pytest.raises(TypeError):
            run(main())


def test_asyncio_event_loop_alias() -> None:
    if HERE >= (3, 13):
        event_loop: Any = getattr(asyncio, "EventLoop")  # noqa: B009
        assert event_loop is asyncio.SelectorEventLoop  # on Linux and WebAssembly
    else:
        assert not hasattr(asyncio, "EventLoop")


# -- 3.14 ------------------------------------------------------------------------------------


@pytest.fixture
def at_a_programs_start() -> Iterator[None]:
    """No loop running or current and asyncio's own policy, as in a program's first lines (on
    Pyodide, its always-running loop and its policy are put aside); the previous policy after."""
    with outside_the_web_loop():
        if HERE >= (3, 14):
            yield
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            previous = asyncio.get_event_loop_policy()
            asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
        try:
            yield
        finally:
            asyncio.set_event_loop_policy(previous)


@pytest.mark.usefixtures("at_a_programs_start")
def test_get_event_loop_raises_without_a_current_loop() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError as error:
            outcome = str(error)
        else:
            outcome = "made a loop"
            asyncio.set_event_loop(None)
            loop.close()
    warned = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    if HERE >= (3, 14):
        assert outcome == "There is no current event loop in thread 'MainThread'."
        assert warned == []
    else:
        assert outcome == "made a loop"
        if HERE >= (3, 12):
            assert warned == ["There is no current event loop"]


def test_policies_deprecated() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.get_event_loop_policy()
        old_check: Any = asyncio.iscoroutinefunction
        assert old_check(test_policies_deprecated) is False
    warned = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    if HERE >= (3, 14):
        assert warned == [
            "'asyncio.get_event_loop_policy' is deprecated and slated for removal in Python 3.16",
            "'asyncio.iscoroutinefunction' is deprecated and slated for removal in Python 3.16;"
            " use inspect.iscoroutinefunction() instead",
        ]
    else:
        assert warned == []


def test_create_task_passes_keyword_arguments() -> None:
    async def main() -> bool:
        async def at_once() -> str:
            return "done"

        create_task: Any = asyncio.create_task
        coroutine = at_once()
        try:
            task: asyncio.Task[str] = create_task(coroutine, eager_start=True)
        except TypeError:
            coroutine.close()
            return False
        done = task.done()
        await task
        return done

    passed_on = run(main())
    if (3, 13, 3) <= sys.version_info < (3, 14):  # 3.13.3 began passing keyword arguments on
        assert passed_on in (True, False)
    else:
        assert passed_on is (HERE >= (3, 14))


def test_call_graph_and_asyncio_ps() -> None:
    import importlib.util

    names = ("capture_call_graph", "format_call_graph", "print_call_graph")
    assert all(hasattr(asyncio, name) for name in names) == (HERE >= (3, 14))
    # `python -m asyncio ps PID` runs asyncio.tools; the test does not run it (see CHANGES)
    assert (importlib.util.find_spec("asyncio.tools") is not None) == (HERE >= (3, 14))


# -- 3.15 ------------------------------------------------------------------------------------


def test_task_group_cancel() -> None:
    if sys.version_info >= (3, 11):
        has_cancel = hasattr(asyncio.TaskGroup, "cancel")
        assert has_cancel == (HERE >= (3, 15))
        if not has_cancel:
            return

        async def main() -> tuple[bool, float]:
            loop = asyncio.get_running_loop()
            start = loop.time()
            async with asyncio.TaskGroup() as group:
                slow = group.create_task(asyncio.sleep(10))
                await asyncio.sleep(1)
                cancel: Callable[[], None] = getattr(group, "cancel")  # noqa: B009
                cancel()
            return slow.cancelled(), loop.time() - start

        assert run(main()) == (True, 1.0)
    else:
        assert not hasattr(asyncio, "TaskGroup")


def test_task_group_in_an_async_generator_closes() -> None:
    if sys.version_info >= (3, 11):

        async def main() -> str:
            async def readings() -> Any:
                async with asyncio.TaskGroup() as group:
                    group.create_task(asyncio.sleep(10))
                    yield 1

            generator = readings()
            await generator.__anext__()
            try:
                await generator.aclose()
            except BaseException as error:  # the BaseExceptionGroup, before 3.15
                return f"{type(error).__name__}: {error!r}"
            return "closed"

        outcome = run(main())
        if HERE >= (3, 15):
            assert outcome == "closed"
        else:
            assert outcome == (
                "BaseExceptionGroup: BaseExceptionGroup('unhandled errors in a TaskGroup',"
                " [GeneratorExit()])"
            )
    else:
        assert not hasattr(asyncio, "TaskGroup")


@no_sockets
def test_cancelling_serve_forever_closes_its_clients() -> None:
    async def main() -> bool:
        handlers: list[asyncio.Task[Any]] = []

        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            handlers.append(asyncio.current_task())  # type: ignore[arg-type]
            await reader.read()  # until the client closes, or the server closes it
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        serving = asyncio.ensure_future(server.serve_forever())
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(5):  # let the server accept the connection
            await asyncio.sleep(0)
        serving.cancel()  # Ctrl+C in a server's main task
        for _ in range(20):
            await asyncio.sleep(0)
        stopped_with_a_client = serving.done()
        writer.close()
        await writer.wait_closed()
        await asyncio.gather(serving, *handlers, return_exceptions=True)
        return stopped_with_a_client

    stopped_with_a_client = asyncio.run(main())  # real time: real sockets
    # before 3.12 cancelling did not wait for connections; 3.12 to 3.14 wait for the client to
    # go (gh-79033), so a client that stays connected keeps serve_forever from stopping
    assert stopped_with_a_client is (HERE < (3, 12) or HERE >= (3, 15))


def test_serve_forever_closes_its_clients_when_cancelled_from_3_15() -> None:
    """Where sockets are missing (3.15 is only here on WebAssembly): the source says it."""
    source = inspect.getsource(asyncio.Server.serve_forever)
    assert ("self.close_clients()" in source) is (HERE >= (3, 15))
