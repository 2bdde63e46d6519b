"""What the lessons' docstrings say about asyncio itself, each claim checked on this interpreter.

Most claims in a docstring are about the lesson's own run — what it prints, when, what it
returns — and the lesson's tests pin those exactly (``tests/test_<concept>.py``, the doctests,
the defaults). The claims here are about asyncio or Python beyond what the lesson prints: each
test fails if the claim is false on an interpreter where the docstring makes it (a claim that
changed with a version is tested on each side, gated by version). :data:`CLAIMS` lists every
behavioural claim of the docstrings (module introductions and lessons) with the test that backs
it; :func:`test_every_claim_names_a_test_that_exists` keeps the list honest as tests move.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import gc
import inspect
import signal
import subprocess
import sys
import textwrap
import threading
import warnings
from typing import Any

import pytest

HERE = sys.version_info[:2]

needs_child_processes = pytest.mark.needs("subprocesses")


def _child(code: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter (no dev mode, no asyncio debug: a reader's python)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(p for p in sys.path if p)}
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)] if code else [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


# -- coroutines ------------------------------------------------------------------------------


@needs_child_processes
def test_python_m_asyncio_runs_a_loop_where_await_works_and_asyncio_run_refuses() -> None:
    """coroutines.greet: "In python -m asyncio a loop is already running"."""
    typed = "import asyncio\nprint('running:', asyncio.get_running_loop() is not None)\n"
    done = _child("", "-m", "asyncio", stdin=typed)
    assert "running: True" in done.stdout, done.stdout + done.stderr


def test_debug_mode_adds_only_where_an_unawaited_coroutine_was_created() -> None:
    """coroutines.forget_to_await: debug mode does not add the warning, only "created at"."""

    async def greet() -> None:
        pass

    def first_and_rest(debug: bool) -> tuple[str, bool]:
        async def main() -> str:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                greet()  # type: ignore[unused-coroutine]
                gc.collect()
            (warning,) = [w for w in caught if issubclass(w.category, RuntimeWarning)]
            return str(warning.message)

        message = asyncio.run(main(), debug=debug)
        return message.splitlines()[0], "Coroutine created at" in message

    first = (
        "coroutine 'test_debug_mode_adds_only_where_an_unawaited_coroutine_was_created"
        ".<locals>.greet' was never awaited"
    )
    assert first_and_rest(debug=False) == (first, False)
    assert first_and_rest(debug=True) == (first, True)


# -- tasks -----------------------------------------------------------------------------------


def test_wait_refuses_bare_coroutines_from_3_11() -> None:
    """tasks.wait_for_jobs: "since Python 3.11 wait refuses bare coroutines"."""

    async def main() -> str:
        coroutine = asyncio.sleep(0)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                await asyncio.wait([coroutine])  # type: ignore[type-var,unused-ignore]  # the point
        except TypeError:
            coroutine.close()
            return "refused"
        return "accepted" + (" with a DeprecationWarning" if caught else "")

    expected = "refused" if HERE >= (3, 11) else "accepted with a DeprecationWarning"
    assert asyncio.run(main()) == expected


@pytest.mark.skipif(HERE < (3, 13), reason="needs Python 3.13 (async for over as_completed)")
def test_as_completed_is_an_async_iterator_of_the_original_tasks_from_3_13() -> None:
    """tasks.as_completed_order: 3.13's ``async for`` over as_completed yields the tasks."""

    async def main() -> bool:
        tasks = [asyncio.create_task(asyncio.sleep(d, d)) for d in (0.02, 0.01)]
        finished = [t async for t in asyncio.as_completed(tasks)]  # type: ignore[attr-defined,unused-ignore]
        return finished == [tasks[1], tasks[0]]

    assert asyncio.run(main()) is True


def test_a_task_waiting_on_a_timer_survives_without_a_reference() -> None:
    """pitfalls.lost_task_reference_symptom: "a task that waits on a timer ... survives"."""
    finished: list[str] = []

    async def on_a_timer() -> None:
        await asyncio.sleep(0.01)
        finished.append("finished")

    async def main() -> None:
        asyncio.create_task(on_a_timer())  # noqa: RUF006  # no reference kept, on purpose
        await asyncio.sleep(0)
        gc.collect()
        await asyncio.sleep(0.05)

    asyncio.run(main())
    assert finished == ["finished"]


# -- cancellation ----------------------------------------------------------------------------


def test_cancelled_error_is_a_base_exception_not_an_exception() -> None:
    """cancellation (module), pitfalls.swallowed_cancel_fix: ``except Exception`` lets it by."""
    assert issubclass(asyncio.CancelledError, BaseException)
    assert not issubclass(asyncio.CancelledError, Exception)


def test_cancel_returns_false_for_a_task_that_is_already_done() -> None:
    """cancellation.cancel_a_task: cancel() "returns False for a task that is already done"."""

    async def main() -> tuple[bool, bool]:
        task = asyncio.create_task(asyncio.sleep(0))
        await task
        return task.cancel(), task.cancelled()

    assert asyncio.run(main()) == (False, False)


# -- event loop ------------------------------------------------------------------------------


@pytest.mark.needs("threads")
def test_asyncio_run_cancels_leftover_tasks_and_shuts_the_default_executor_down() -> None:
    """event_loop.run_a_program: asyncio.run "cancels whatever tasks are left, shuts down ...
    the default executor, and closes the loop" (the async generators: in test_async_iteration)."""
    seen: dict[str, Any] = {}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        seen["loop"] = loop
        seen["thread"] = await loop.run_in_executor(None, threading.current_thread)
        seen["task"] = asyncio.create_task(asyncio.sleep(3600))
        await asyncio.sleep(0)

    with warnings.catch_warnings():  # the leak guard reports the leftover task: that is the point
        warnings.simplefilter("ignore")
        import leak_guard

        guard_cancel = asyncio.runners._cancel_all_tasks  # type: ignore[attr-defined]
        asyncio.runners._cancel_all_tasks = leak_guard._CANCEL_ALL_TASKS  # type: ignore[attr-defined]
        try:
            asyncio.run(main())
        finally:
            asyncio.runners._cancel_all_tasks = guard_cancel  # type: ignore[attr-defined]
    assert seen["task"].cancelled()
    assert not seen["thread"].is_alive()
    assert seen["loop"].is_closed()


def test_the_slow_callback_threshold_is_a_tenth_of_a_second_by_default() -> None:
    """event_loop.debug_slow_callback, pitfalls.blocking_call_symptom: "0.1 s by default"."""
    loop = asyncio.new_event_loop()
    try:
        assert loop.slow_callback_duration == 0.1
    finally:
        loop.close()


@needs_child_processes
@pytest.mark.skipif(sys.platform != "linux", reason="the claim is about Linux")
def test_fork_is_the_default_start_method_on_linux_before_3_14() -> None:
    """event_loop.offload_to_process_pool: "fork, the default on Linux before Python 3.14"."""
    done = _child("import multiprocessing; print(multiprocessing.get_start_method())")
    assert (done.stdout.strip() == "fork") is (HERE < (3, 14)), done.stderr


@needs_child_processes
@pytest.mark.skipif(sys.platform != "linux", reason="the claim is about fork on Linux")
def test_forking_a_process_with_threads_warns_from_3_12() -> None:
    """event_loop.offload_to_process_pool: "Python 3.12 warns about it"."""
    code = """
        import os, threading
        go = threading.Event()
        thread = threading.Thread(target=go.wait)
        thread.start()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        go.set()
        thread.join()
    """
    done = _child(code, "-W", "always::DeprecationWarning")
    warned = "multi-threaded, use of fork() may lead to deadlocks" in done.stderr
    assert warned is (HERE >= (3, 12)), done.stderr


@needs_child_processes
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_by_default_ends_a_process_without_running_finally() -> None:
    """event_loop.graceful_shutdown_on_signal: "by default, the process dies on the spot"."""
    code = """
        import os, signal, time
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        finally:
            print("finally ran")
    """
    done = _child(code)
    assert (done.returncode, done.stdout) == (-signal.SIGTERM, "")


@pytest.mark.lesson("event_loop.graceful_shutdown_on_signal")
def test_remove_signal_handler_restores_the_default_action() -> None:
    """event_loop.graceful_shutdown_on_signal: remove_signal_handler "restores the default"."""

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, print)
        during = signal.getsignal(signal.SIGTERM)
        loop.remove_signal_handler(signal.SIGTERM)
        return during

    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert asyncio.run(main()) is not signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.needs("threads", "signals")
def test_add_signal_handler_works_only_in_the_main_thread() -> None:
    """event_loop.graceful_shutdown_on_signal: "It must be called in the main thread"."""
    errors: list[BaseException] = []

    def elsewhere() -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, print)
        except RuntimeError as error:
            errors.append(error)
        finally:
            loop.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert "main thread" in str(errors[0])


@pytest.mark.skipif(sys.platform != "win32", reason="the claim is about Windows")
def test_add_signal_handler_is_not_implemented_on_windows() -> None:  # pragma: no cover
    """event_loop.graceful_shutdown_on_signal: on Windows it raises NotImplementedError."""

    async def main() -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, print)

    with pytest.raises(NotImplementedError):
        asyncio.run(main())


@pytest.mark.needs("threads")
@pytest.mark.parametrize("debug", [False, True])
def test_call_soon_from_another_thread_is_silent_and_does_not_wake_the_loop(debug: bool) -> None:
    """pitfalls.thread_unsafe_call_symptom: "without debug mode nothing says so", and it
    "appends to the loop's queue without waking the loop"; call_soon_threadsafe wakes it."""

    async def main() -> tuple[list[str], list[float]]:
        loop = asyncio.get_running_loop()
        loop.set_debug(debug)
        selector: Any = loop._selector  # type: ignore[attr-defined]
        select = selector.select
        in_select = threading.Event()

        def watched_select(timeout: float | None = None) -> Any:
            if timeout is None or timeout > 0.1:  # the loop goes to sleep until the timer
                in_select.set()
            return select(timeout)

        selector.select = watched_select
        errors: list[str] = []
        ran_at: list[float] = []
        started: list[float] = []
        try:
            for call, timer in ((loop.call_soon, 0.3), (loop.call_soon_threadsafe, 5.0)):
                ran: asyncio.Future[None] = loop.create_future()

                def callback(ran: asyncio.Future[None] = ran) -> None:
                    ran_at.append(loop.time() - started[-1])
                    if not ran.done():
                        ran.set_result(None)

                def from_a_thread(call: Any = call) -> None:
                    in_select.wait(10)  # the loop sleeps in select, waiting for the timer
                    try:
                        call(callback)
                    except RuntimeError as error:
                        errors.append(str(error))

                thread = threading.Thread(target=from_a_thread)
                in_select.clear()
                started.append(loop.time())
                thread.start()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(ran), timer)
                await asyncio.to_thread(thread.join)
        finally:
            selector.select = select
        return errors, ran_at

    errors, ran_at = asyncio.run(main())
    if debug:  # call_soon raised in the thread; call_soon_threadsafe worked
        message = "Non-thread-safe operation invoked on an event loop other than the current one"
        assert errors == [message]
        assert len(ran_at) == 1
        assert ran_at[0] < 5.0
    else:  # nothing said; the callback waited for the timer to wake the loop
        assert errors == []
        assert ran_at[0] >= 0.3 - 0.01
        assert ran_at[1] < 5.0  # woken by call_soon_threadsafe, long before its timer


# -- async iteration -------------------------------------------------------------------------


def test_a_collected_async_generator_is_closed_later_by_a_task() -> None:
    """async_iteration.close_unfinished_generator: when one is collected, asyncio "can only
    schedule its close as a task for later, if the loop is still running"."""
    log: list[str] = []

    async def stream() -> Any:
        try:
            yield 1
            yield 2
        finally:
            log.append("closed")

    async def main() -> list[str]:
        agen = stream()
        await agen.__anext__()
        del agen
        gc.collect()
        at_collection = list(log)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return at_collection

    assert asyncio.run(main()) == []
    assert log == ["closed"]


def test_aiter_and_anext_are_built_ins_from_3_10() -> None:
    """async_iteration.iterate_async_iterator_class: "Python 3.10 added aiter and anext"."""
    assert hasattr(builtins, "aiter") is (HERE >= (3, 10))
    assert hasattr(builtins, "anext") is (HERE >= (3, 10))


@pytest.mark.parametrize(
    "source",
    [
        "def f(items):\n    return [x async for x in items]\n",
        "def f(items):\n    return [await x for x in items]\n",
    ],
)
def test_async_comprehensions_are_allowed_only_in_an_async_def(source: str) -> None:
    """async_iteration.async_comprehensions: "Both are allowed only inside an async def"."""
    with pytest.raises(SyntaxError):
        compile(source, "<lesson>", "exec")
    compile(source.replace("def f", "async def f"), "<lesson>", "exec")


# -- errors ----------------------------------------------------------------------------------


def test_a_done_future_refuses_set_exception_too() -> None:
    """errors.invalid_state_error: "and so do set_result() and set_exception() once done"."""

    async def main() -> None:
        future = asyncio.get_running_loop().create_future()
        future.set_result(1)
        with pytest.raises(asyncio.InvalidStateError):
            future.set_exception(ValueError("late"))

    asyncio.run(main())


@pytest.mark.skipif(HERE < (3, 11), reason="needs Python 3.11 (asyncio.Barrier)")
def test_barrier_reset_breaks_the_waiters_then_the_barrier_works_again() -> None:
    """errors.broken_barrier_error: reset "would break the current waiters too, then make the
    barrier usable again"; synchronization.barrier_parties_meet: it resets after a pass."""

    async def main() -> tuple[str, bool, list[int], list[int]]:
        barrier = asyncio.Barrier(2)  # type: ignore[attr-defined,unused-ignore]
        waiter = asyncio.create_task(barrier.wait())
        await asyncio.sleep(0)
        await barrier.reset()
        try:
            await waiter
            outcome = "passed"
        except asyncio.BrokenBarrierError:  # type: ignore[attr-defined,unused-ignore]
            outcome = "broken"
        broken_after = barrier.broken
        first = sorted(await asyncio.gather(barrier.wait(), barrier.wait()))
        second = sorted(await asyncio.gather(barrier.wait(), barrier.wait()))
        return outcome, broken_after, first, second

    assert asyncio.run(main()) == ("broken", False, [0, 1], [0, 1])


# -- synchronization -------------------------------------------------------------------------


def test_the_waiting_methods_of_the_primitives_take_no_timeout() -> None:
    """synchronization (module): their methods that wait "take no *timeout*"."""
    methods: list[Any] = [
        asyncio.Lock.acquire,
        asyncio.Event.wait,
        asyncio.Condition.wait,
        asyncio.Condition.wait_for,
        asyncio.Semaphore.acquire,
    ]
    if HERE >= (3, 11):
        methods.append(asyncio.Barrier.wait)  # type: ignore[attr-defined,unused-ignore]
    for method in methods:
        assert "timeout" not in inspect.signature(method).parameters, method


def test_a_set_event_lets_every_later_wait_through_until_cleared() -> None:
    """synchronization.event_releases_all_waiters: "later wait() calls return at once until
    clear() lowers the flag again"."""

    async def main() -> tuple[bool, bool]:
        event = asyncio.Event()
        event.set()
        await asyncio.wait_for(event.wait(), 0.01)  # at once
        event.clear()
        waiting = asyncio.create_task(event.wait())
        await asyncio.sleep(0.01)
        still_waiting = not waiting.done()
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        return True, still_waiting

    assert asyncio.run(main()) == (True, True)


@pytest.mark.skipif(HERE < (3, 11), reason="needs Python 3.11 (asyncio.Barrier)")
def test_a_cancelled_barrier_waiter_leaves_the_barrier_intact() -> None:
    """synchronization.barrier_broken_by_timeout: "a cancelled waiter leaves the barrier
    intact"."""

    async def main() -> tuple[bool, int]:
        barrier = asyncio.Barrier(3)  # type: ignore[attr-defined,unused-ignore]
        waiter = asyncio.create_task(barrier.wait())
        await asyncio.sleep(0)
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter
        return barrier.broken, barrier.n_waiting

    assert asyncio.run(main()) == (False, 0)


# -- queues ----------------------------------------------------------------------------------


def test_an_unbounded_queue_is_never_full() -> None:
    """queues.nowait_empty_and_full: "An unbounded queue, maxsize=0, is never full"."""

    async def main() -> bool:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(10_000):
            queue.put_nowait(n)
        return queue.full()

    assert asyncio.run(main()) is False


def test_a_priority_queue_compares_the_next_element_on_a_tie() -> None:
    """queues.priority_queue_order: with (priority, name) ties go alphabetically, and items
    that cannot be compared raise TypeError."""

    async def main() -> tuple[list[Any], str]:
        queue: asyncio.PriorityQueue[Any] = asyncio.PriorityQueue()
        for item in [(1, "restart server"), (1, "fix typo")]:
            queue.put_nowait(item)
        order = [queue.get_nowait(), queue.get_nowait()]
        queue.put_nowait((1, {"job": 1}))
        try:
            queue.put_nowait((1, {"job": 2}))
        except TypeError:
            return order, "TypeError"
        return order, "no error"

    assert asyncio.run(main()) == ([(1, "fix typo"), (1, "restart server")], "TypeError")


# -- streams ---------------------------------------------------------------------------------


def test_a_stream_reader_limit_is_64_kib_by_default() -> None:
    """streams.read_until_limit_overrun: "64 KiB unless you pass limit=" (a private attribute
    holds it; the public default is the *limit* parameter's)."""
    assert inspect.signature(asyncio.open_connection).parameters["limit"].default == 2**16
    assert inspect.signature(asyncio.StreamReader).parameters["limit"].default == 2**16


def test_readline_raises_value_error_and_drops_the_long_line_readuntil_keeps_it() -> None:
    """streams.read_until_limit_overrun: readline "raises ValueError instead (and drops the
    long line)"; after LimitOverrunError "the bytes stay in the buffer"."""

    async def main() -> tuple[str, bytes, int, bytes]:
        reader = asyncio.StreamReader(limit=8)
        reader.feed_data(b"x" * 20 + b"\nshort\n")
        try:
            await reader.readline()
            outcome = "no error"
        except ValueError:
            outcome = "ValueError"
        after_readline = await reader.readline()
        other = asyncio.StreamReader(limit=8)
        other.feed_data(b"y" * 20 + b";")
        other.feed_eof()
        try:
            await other.readuntil(b";")
            consumed = -1
        except asyncio.LimitOverrunError as error:
            consumed = error.consumed
        return outcome, after_readline, consumed, await other.read()

    outcome, after_readline, consumed, kept = asyncio.run(main())
    assert (outcome, after_readline) == ("ValueError", b"short\n")
    assert consumed > 0
    assert kept == b"y" * 20 + b";"


# -- subprocesses ----------------------------------------------------------------------------


@needs_child_processes
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_terminate_sends_sigterm_and_kill_sigkill() -> None:
    """subprocesses.kill_after_timeout: kill sends SIGKILL (-9), terminate SIGTERM."""

    async def main() -> list[int]:
        codes = []
        for stop in ("terminate", "kill"):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import time; time.sleep(60)"
            )
            getattr(process, stop)()
            codes.append(await process.wait())
        return codes

    assert asyncio.run(main()) == [-signal.SIGTERM, -signal.SIGKILL]


@pytest.mark.skipif(sys.platform != "win32", reason="the claim is about Windows")
def test_kill_makes_the_exit_status_1_on_windows() -> None:  # pragma: no cover
    """subprocesses.kill_after_timeout: "on Windows, kill makes the exit status 1"."""

    async def main() -> int:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(60)"
        )
        process.kill()
        return await process.wait()

    assert asyncio.run(main()) == 1


# -- capstone --------------------------------------------------------------------------------


@pytest.mark.needs("signals")
def test_asyncio_run_handles_ctrl_c_itself_from_3_11() -> None:
    """capstone.polite_fetcher: Ctrl-C, "which asyncio.run turns into a cancellation of the
    main task on Python 3.11+" (before, KeyboardInterrupt is raised wherever the code is)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT has a handler of its own here; asyncio.run would not install its own")

    async def main() -> bool:
        return signal.getsignal(signal.SIGINT) is not signal.default_int_handler

    assert asyncio.run(main()) is (HERE >= (3, 11))


# -- more: awaitables, subprocesses, pitfalls, errors -----------------------------------------


def test_a_thread_pools_future_is_not_awaitable_and_a_cancelled_future_refuses_a_result() -> None:
    """awaitables.wrap_a_thread_future: "A thread pool's future is not awaitable";
    awaitables.future_set_by_callback: once its waiter is cancelled, setting a result "would
    raise InvalidStateError"."""
    import concurrent.futures

    assert not inspect.isawaitable(concurrent.futures.Future())

    async def main() -> str:
        future = asyncio.get_running_loop().create_future()
        waiter = asyncio.create_task(asyncio.wait_for(future, 10))
        await asyncio.sleep(0)
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter
        try:
            future.set_result("ready")
        except asyncio.InvalidStateError:
            return "InvalidStateError"
        return "set"

    assert asyncio.run(main()) == "InvalidStateError"


@needs_child_processes
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_killed_child_has_no_returncode_until_it_is_waited_for() -> None:
    """subprocesses (module): "kill() only sends the signal: until wait() returns ...
    returncode is None"."""

    async def main() -> tuple[int | None, int]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(60)"
        )
        process.kill()
        right_after = process.returncode
        return right_after, await process.wait()

    assert asyncio.run(main()) == (None, -signal.SIGKILL)


@pytest.mark.skipif(HERE < (3, 11), reason="needs Python 3.11 (asyncio.timeout, uncancel)")
def test_a_timeout_entered_after_a_suppressed_cancellation_works_since_3_11_3() -> None:
    """pitfalls.suppressed_cancel_symptom: "3.11.3 fixed the case of entering a timeout *after*
    the suppression" (gh-102780); the matrix has 3.11.7, 3.12 and 3.13."""

    async def main() -> str:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):  # suppressed, without uncancel()
            await asyncio.sleep(0)
        try:
            async with asyncio.timeout(0.01):  # type: ignore[attr-defined,unused-ignore]
                await asyncio.sleep(1)
        except TimeoutError:
            return "TimeoutError"
        return "no timeout"  # pragma: no cover

    assert asyncio.run(main()) == "TimeoutError"


def test_the_default_exception_handler_logs_the_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """errors.task_exception_never_retrieved and event_loop.custom_exception_handler: the
    default handler "logs it" on the ``asyncio`` logger, "with the traceback"."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        try:
            raise ValueError("nobody awaited me")
        except ValueError as error:
            loop.default_exception_handler({"message": "a report", "exception": error})

    with caplog.at_level("ERROR", logger="asyncio"):
        asyncio.run(main())
    (record,) = [r for r in caplog.records if r.name == "asyncio"]
    assert record.getMessage().startswith("a report")
    assert record.exc_info is not None
    assert record.exc_info[1] is not None


# -- the list --------------------------------------------------------------------------------

#: Every behavioural claim of the docstrings, one a line: where it is made | the test that backs
#: it (in tests/) | the claim. A lesson's claim about its own run is backed by its test, which
#: asserts its output and elapsed loop time exactly; a claim about asyncio itself by a test here
#: or in test_versions.py.
_TABLE = """
coroutines | test_coroutines.py::test_function_vs_object_runs_the_body_only_when_awaited | calling a coroutine function does not run its body; awaiting the object does
coroutines | test_coroutines.py::test_delayed_greet_does_not_block_the_loop | while a coroutine awaits, the event loop runs other coroutines
coroutines | test_coroutines.py::test_run_sequentially_adds_the_delays_up | await on its own does not run things at the same time
coroutines.greet | test_claims.py::test_python_m_asyncio_runs_a_loop_where_await_works_and_asyncio_run_refuses | in python -m asyncio a loop is already running (so you write await greet())
coroutines.greet | test_coroutines.py::test_greet_prints_hello | asyncio.run runs the coroutine to completion
coroutines.delayed_greet | test_coroutines.py::test_delayed_greet_does_not_block_the_loop | while it waits in asyncio.sleep the loop is free to run other tasks
coroutines.function_vs_object | test_coroutines.py::test_function_vs_object_runs_the_body_only_when_awaited | inspect.iscoroutinefunction tells a coroutine function from a coroutine object
coroutines.function_vs_object | test_coroutines.py::test_function_vs_object_runs_the_body_only_when_awaited | the body runs only at the await
coroutines.add_later | test_coroutines.py::test_add_later_returns_the_sum_after_its_delay | the coroutine's return value is the value of the await expression
coroutines.await_a_result | test_coroutines.py::test_await_a_result_binds_the_return_value | it takes 1 s on the loop's clock
coroutines.run_sequentially | test_coroutines.py::test_run_sequentially_adds_the_delays_up | the default delays take 5 + 3 + 1 = 9 s
coroutines.forget_to_await | test_coroutines.py::test_forget_to_await_captures_the_runtime_warning | a dropped coroutine is never run and Python emits a RuntimeWarning when it is collected
coroutines.forget_to_await | test_claims.py::test_debug_mode_adds_only_where_an_unawaited_coroutine_was_created | asyncio's debug mode does not add this warning, only where the coroutine was created
tasks | test_tasks.py::test_run_workers_finishes_in_five_seconds_not_nine | the same three waits as tasks take 5 s, as long as the longest
tasks | test_pitfalls.py::test_lost_task_reference_symptom_task_is_collected_while_pending | a task nobody references can vanish
tasks.run_workers | test_tasks.py::test_run_workers_finishes_in_five_seconds_not_nine | all workers start at once; the run takes the longest delay, 5 s
tasks.run_workers | test_tasks.py::test_run_workers_finishes_in_five_seconds_not_nine | the workers are named Task 1, Task 2, ... in the order of delays
tasks.task_group_results | test_tasks.py::test_task_group_results_are_read_after_the_block | leaving the block waits for all tasks (3 s with the defaults)
tasks.task_group_results | test_tasks.py::test_task_group_results_are_read_after_the_block | after the block every task is done, so result() returns at once
tasks.task_group_results | test_errors.py::test_task_group_except_star_handles_both_failures_and_cancels_the_rest | if a task fails the group cancels the others and raises an ExceptionGroup
tasks.task_group_results | test_pitfalls.py::test_gather_siblings_symptom_the_sibling_runs_on_after_the_failure | gather leaves the other tasks running when one fails
tasks.start_now_await_later | test_tasks.py::test_start_now_await_later_overlaps_the_other_work | the task starts at the first await after create_task, not when awaited
tasks.start_now_await_later | test_tasks.py::test_start_now_await_later_overlaps_the_other_work | the lesson takes delay, not 1.5 times delay
tasks.gather_in_order | test_tasks.py::test_gather_in_order_keeps_argument_order | gather puts every result at its argument's position
tasks.as_completed_order | test_tasks.py::test_as_completed_order_hands_over_each_result_when_it_is_ready | as_completed yields each result as soon as it exists: at 1, 2 and 3 s
tasks.as_completed_order | test_claims.py::test_as_completed_is_an_async_iterator_of_the_original_tasks_from_3_13 | Python 3.13 accepts async for over as_completed, which yields the original tasks
tasks.wait_for_jobs | test_tasks.py::test_wait_for_jobs_returns_when_its_condition_holds | wait returns as soon as return_when holds (delay, 2 delay, 3 delay)
tasks.wait_for_jobs | test_tasks.py::test_wait_for_jobs_returns_when_its_condition_holds | wait never raises the tasks' exceptions and cancels nothing
tasks.wait_for_jobs | test_claims.py::test_wait_refuses_bare_coroutines_from_3_11 | since Python 3.11 wait refuses bare coroutines
tasks.keep_background_tasks | test_tasks.py::test_keep_background_tasks_holds_exactly_the_running_ones | the set holds exactly the running tasks
tasks.keep_background_tasks | test_tasks.py::test_keep_background_tasks_holds_exactly_the_running_ones | done callbacks run in the order they were added: discard before the awaiter's wakeup
tasks.keep_background_tasks | test_pitfalls.py::test_lost_task_reference_symptom_task_is_collected_while_pending | the event loop keeps only weak references to tasks
tasks.bounded_concurrency | test_tasks.py::test_bounded_concurrency_runs_in_waves_of_the_limit | a semaphore lets limit holders in and queues the rest
tasks.bounded_concurrency | test_tasks.py::test_bounded_concurrency_runs_in_waves_of_the_limit | the jobs run in waves: ceil(jobs / limit) * delay, 3 s with the defaults
tasks.current_and_all_tasks | test_tasks.py::test_current_and_all_tasks_sees_the_workers_until_they_finish | all_tasks returns the not-done tasks including the caller; finished tasks drop out
tasks.task_names | test_tasks.py::test_task_names_default_explicit_and_renamed | a task without a name gets Task-<n>
tasks.task_names | test_tasks.py::test_task_names_default_explicit_and_renamed | set_name renames a running task, which sees its new name
tasks.done_callbacks | test_tasks.py::test_done_callbacks_run_through_the_loop_with_the_task | the callback is called with the task, through call_soon, before the await resumes
tasks.done_callbacks | test_tasks.py::test_done_callbacks_run_through_the_loop_with_the_task | added to a done task it is called on the loop's next turn, not at once
tasks.runner_shares_one_loop | test_tasks.py::test_runner_shares_one_loop_between_runs | a Runner keeps one loop for all its run() calls; between runs the task does not advance
tasks.runner_shares_one_loop | test_running_loop.py::test_a_lesson_that_starts_its_own_loop_runs_in_a_worker_thread_where_one_runs | where a loop runs, the lesson runs in a worker thread of its own
tasks.runner_shares_one_loop | test_running_loop.py::test_where_threads_are_missing_a_lesson_that_starts_its_own_loop_refuses_at_once | on WebAssembly it refuses there with RuntimeError
tasks.eager_tasks | test_tasks.py::test_eager_tasks_finish_inside_create_task_and_the_factory_is_restored | with eager_task_factory a coroutine that does not suspend is done when create_task returns
tasks.eager_tasks | test_tasks.py::test_eager_tasks_finish_inside_create_task_and_the_factory_is_restored | one that waits carries on as an ordinary task
tasks.eager_tasks | test_tasks.py::test_eager_tasks_finish_inside_create_task_and_the_factory_is_restored | the previous task factory is restored
awaitables.three_kinds | test_awaitables.py::test_three_kinds_each_give_a_value | a coroutine, a task and a future each give their value when awaited
awaitables.what_is_awaitable | test_awaitables.py::test_what_is_awaitable | a coroutine function is not awaitable; the coroutine object is
awaitables.future_set_by_callback | test_awaitables.py::test_future_set_by_callback_resolves_after_the_delay | the future resolves when the timer callback sets it
awaitables.future_set_by_callback | test_claims.py::test_a_thread_pools_future_is_not_awaitable_and_a_cancelled_future_refuses_a_result | once the waiter is cancelled, set_result would raise InvalidStateError
awaitables.wrap_a_thread_future | test_claims.py::test_a_thread_pools_future_is_not_awaitable_and_a_cancelled_future_refuses_a_result | a thread pool's future is not awaitable
awaitables.wrap_a_thread_future | test_awaitables.py::test_wrap_a_thread_future_returns_the_threads_result | wrap_future makes it awaitable; the loop stays free while the thread computes
awaitables.Countdown | test_awaitables.py::test_countdown_is_awaitable_and_takes_one_second_per_step | __await__ delegating to asyncio.sleep makes an awaitable; its return is the await's value
awaitables.Countdown | test_awaitables.py::test_countdown_is_awaitable_and_takes_one_second_per_step | await_a_custom_awaitable takes start * step seconds, 3 s with the defaults
cancellation | test_claims.py::test_cancelled_error_is_a_base_exception_not_an_exception | CancelledError derives from BaseException, so except Exception does not catch it
cancellation | test_cancellation.py::test_cancel_a_task_is_a_request_delivered_at_the_next_await | cancel() raises CancelledError in the task at its next await
cancellation.cancel_a_task | test_cancellation.py::test_cancel_a_task_is_a_request_delivered_at_the_next_await | cancel() returns True and the task is not cancelled yet
cancellation.cancel_a_task | test_cancellation.py::test_cancel_a_task_is_a_request_delivered_at_the_next_await | awaiting the cancelled task raises CancelledError
cancellation.cancel_a_task | test_claims.py::test_cancel_returns_false_for_a_task_that_is_already_done | cancel() returns False for a task that is already done
cancellation.propagate_cancellation | test_cancellation.py::test_propagate_cancellation_only_the_polite_task_ends_cancelled | the polite task's finally runs too and it ends cancelled
cancellation.propagate_cancellation | test_cancellation.py::test_propagate_cancellation_only_the_polite_task_ends_cancelled | the rude task ends with a result, as if never cancelled
cancellation.propagate_cancellation | test_pitfalls.py::test_swallowed_cancel_symptom_cancel_and_wait_for_do_nothing | tools built on cancellation misbehave when it is swallowed (a timeout that never fires)
cancellation.wait_for_timeout | test_cancellation.py::test_wait_for_timeout_cancels_the_task_and_raises_the_timeout_error_of_this_python | wait_for cancels the task, waits until it ended and raises a timeout error after timeout
cancellation.wait_for_timeout | test_cancellation.py::test_wait_for_timeout_returns_none_when_the_task_is_in_time | if work is shorter wait_for returns the result after work seconds
cancellation.wait_for_timeout | test_errors.py::test_timeout_error_identity_matches_the_running_python | up to 3.10 asyncio.TimeoutError is its own class; since 3.11 an alias of the builtin
cancellation.shield_from_timeout | test_cancellation.py::test_shield_from_timeout_always_finishes_the_work | cancelling the waiter cancels only the shield's outer future, not the task
cancellation.timeout_block | test_cancellation.py::test_timeout_block | inside the block CancelledError; outside TimeoutError; expired() tells
cancellation.timeout_block | test_cancellation.py::test_a_timeout_block_runs_in_the_callers_task_and_wait_for_does_from_3_12 | the block runs in the current task
cancellation.timeout_block | test_cancellation.py::test_a_timeout_block_runs_in_the_callers_task_and_wait_for_does_from_3_12 | wait_for runs in the caller's task only from 3.12, before in a task of its own
cancellation.idle_timeout | test_cancellation.py::test_idle_timeout_moves_the_deadline_after_each_chunk | reschedule pushes the deadline; with the defaults the timeout fires at 5 s
cancellation.cancelling_and_uncancel | test_cancellation.py::test_cancelling_and_uncancel_counts_and_later_timeouts_still_work | cancelling() counts requests, uncancel() takes one back
cancellation.cancelling_and_uncancel | test_cancellation.py::test_cancelling_and_uncancel_counts_and_later_timeouts_still_work | after uncancel a later timeout fires as it should
event_loop | test_pitfalls.py::test_blocking_call_symptom_freezes_the_heartbeat | while a callback runs, everything else waits
event_loop.run_a_program | test_event_loop.py::test_run_a_program_runs_a_fresh_selector_loop | asyncio.run creates a fresh loop (_UnixSelectorEventLoop on Linux)
event_loop.run_a_program | test_claims.py::test_asyncio_run_cancels_leftover_tasks_and_shuts_the_default_executor_down | asyncio.run cancels leftover tasks, shuts down the default executor and closes the loop
event_loop.run_a_program | test_async_iteration.py::test_asyncio_run_closes_the_unfinished_generator_in_shutdown_asyncgens | asyncio.run shuts down async generators
event_loop.run_a_program | test_pitfalls.py::test_nested_run_symptom_raises_and_runs_nothing | asyncio.run raises RuntimeError if a loop is already running in this thread
event_loop.run_a_program | test_running_loop.py::test_every_lesson_runs_where_a_reader_awaits_it | called where a loop runs, the lesson runs in a worker thread (refuses on WebAssembly)
event_loop.loop_clock | test_event_loop.py::test_loop_clock_measures_exactly_the_delay_on_virtual_time | on virtual time the same code reports exactly delay
event_loop.callback_order | test_event_loop.py::test_callback_order_is_time_order_not_scheduling_order | callbacks run in time order, not scheduling order; the lesson takes delay
event_loop.offload_with_to_thread | test_event_loop.py::test_offload_with_to_thread_keeps_the_loop_free | a wait in a thread blocks only the thread; the loop goes on
event_loop.offload_with_executor | test_event_loop.py::test_offload_with_executor_counts_primes | run_in_executor returns an awaitable future for the function's result
event_loop.offload_to_process_pool | test_event_loop.py::test_offload_to_process_pool_counts_in_another_process | a process pool runs the function in another process
event_loop.offload_to_process_pool | test_event_loop.py::test_the_process_pool_worker_is_picklable_by_name | the function is pickled, so it must be defined at module level
event_loop.offload_to_process_pool | test_claims.py::test_fork_is_the_default_start_method_on_linux_before_3_14 | fork is the default on Linux before Python 3.14
event_loop.offload_to_process_pool | test_claims.py::test_forking_a_process_with_threads_warns_from_3_12 | Python 3.12 warns about forking a process that has threads
event_loop.call_soon_threadsafe_from_a_thread | test_event_loop.py::test_call_soon_threadsafe_hands_the_threads_value_to_the_loop | call_soon_threadsafe queues the callback, wakes the loop, runs it in the loop's thread
event_loop.call_soon_threadsafe_from_a_thread | test_pitfalls.py::test_thread_unsafe_call_symptom_debug_mode_raises | in debug mode call_soon from another thread raises RuntimeError
event_loop.run_coroutine_threadsafe_from_a_thread | test_event_loop.py::test_run_coroutine_threadsafe_runs_the_coroutine_on_the_loops_thread | the coroutine runs in the loop's thread (MainThread); result() blocks only the calling thread
event_loop.custom_exception_handler | test_event_loop.py::test_custom_exception_handler_receives_the_callbacks_error_then_is_removed | an error in a call_soon callback goes to the loop's exception handler as a context dict
event_loop.custom_exception_handler | test_event_loop.py::test_custom_exception_handler_receives_the_callbacks_error_then_is_removed | the previous handler is restored
event_loop.custom_exception_handler | test_claims.py::test_the_default_exception_handler_logs_the_error_with_its_traceback | the default handler logs it on the asyncio logger
event_loop.debug_slow_callback | test_event_loop.py::test_debug_slow_callback_logs_the_blocking_callback_on_real_time | in debug mode the loop logs a step slower than slow_callback_duration, with 'created at'
event_loop.debug_slow_callback | test_event_loop.py::test_debug_slow_callback_logs_the_blocking_callback_on_real_time | the lesson restores the debug setting, the threshold and the logger
event_loop.debug_slow_callback | test_event_loop.py::test_debug_slow_callback_shows_the_same_with_debug_mode_off_or_on | it turns debug mode on itself: a plain python shows the same as python -X dev
event_loop.debug_slow_callback | test_claims.py::test_the_slow_callback_threshold_is_a_tenth_of_a_second_by_default | slow_callback_duration is 0.1 s by default
event_loop.graceful_shutdown_on_signal | test_event_loop.py::test_graceful_shutdown_on_signal_stops_the_workers_cleanly | the signal becomes a callback; the workers are cancelled and run their cleanup
event_loop.graceful_shutdown_on_signal | test_claims.py::test_sigterm_by_default_ends_a_process_without_running_finally | by default SIGTERM kills the process without running any finally
event_loop.graceful_shutdown_on_signal | test_claims.py::test_remove_signal_handler_restores_the_default_action | remove_signal_handler restores the default action
event_loop.graceful_shutdown_on_signal | test_claims.py::test_add_signal_handler_works_only_in_the_main_thread | add_signal_handler must be called in the main thread
event_loop.graceful_shutdown_on_signal | test_claims.py::test_add_signal_handler_is_not_implemented_on_windows | on Windows add_signal_handler raises NotImplementedError (tested only on Windows)
async_iteration.iterate_async_generator | test_async_iteration.py::test_async_generator_items_arrive_one_delay_apart | items arrive one by one, delay apart; the lesson takes count * delay
async_iteration.iterate_async_iterator_class | test_async_iteration.py::test_async_iterator_class_counts_down_then_stops | async for calls __aiter__ once, awaits __anext__ until StopAsyncIteration
async_iteration.iterate_async_iterator_class | test_claims.py::test_aiter_and_anext_are_built_ins_from_3_10 | Python 3.10 added the built-ins aiter and anext
async_iteration.async_comprehensions | test_async_iteration.py::test_async_comprehensions_run_one_after_another | items are awaited one after another; the lesson takes 3 * count * delay
async_iteration.async_comprehensions | test_claims.py::test_async_comprehensions_are_allowed_only_in_an_async_def | async for and await in comprehensions are allowed only inside an async def
async_iteration.async_context_manager_class | test_async_iteration.py::test_async_context_manager_closes_before_the_error_propagates | __aexit__ runs when the block raises; returning None lets the error propagate after closing
async_iteration.async_context_manager_decorator | test_async_iteration.py::test_async_context_manager_connects_then_closes | it behaves exactly like the class version; the lesson takes 2 * delay
async_iteration.close_unfinished_generator | test_async_iteration.py::test_aclose_runs_the_abandoned_generators_finally | aclose raises GeneratorExit at the yield so finally runs
async_iteration.close_unfinished_generator | test_claims.py::test_a_collected_async_generator_is_closed_later_by_a_task | a collected async generator is closed later, by a task, while the loop runs
async_iteration.shutdown_closes_unfinished_generators | test_async_iteration.py::test_asyncio_run_closes_the_unfinished_generator_in_shutdown_asyncgens | asyncio.run awaits shutdown_asyncgens, which closes the generator while the loop runs
async_iteration.shutdown_closes_unfinished_generators | test_running_loop.py::test_every_lesson_runs_where_a_reader_awaits_it | where a loop runs, it runs in a worker thread and gives the same
async_iteration.close_with_aclosing | test_async_iteration.py::test_aclosing_closes_the_generator_when_the_block_ends | aclosing awaits aclose when the block ends
errors | test_errors.py::test_task_exception_never_retrieved_reaches_the_exception_handler | a task whose exception nobody retrieved is reported when it is garbage collected
errors.propagate_through_await | test_errors.py::test_propagate_through_await | the exception passes through the await and is raised in the caller
errors.gather_return_exceptions | test_errors.py::test_gather_return_exceptions_keeps_positions | with return_exceptions=True the exception takes its position in the results
errors.invalid_state_error | test_errors.py::test_invalid_state_error_on_pending_and_on_done_futures | result() of a pending future and set_result() on a done one raise InvalidStateError
errors.invalid_state_error | test_claims.py::test_a_done_future_refuses_set_exception_too | set_exception() on a done future raises InvalidStateError too
errors.timeout_error_identity | test_errors.py::test_timeout_error_identity_matches_the_running_python | before 3.11 except TimeoutError misses asyncio.TimeoutError; since 3.11 both work
errors.task_group_except_star | test_errors.py::test_task_group_except_star_handles_both_failures_and_cancels_the_rest | the group cancels the sleeping task and raises an ExceptionGroup of both failures
errors.task_group_exception_group | test_errors.py::test_task_group_exception_group_split_and_subgroup | split divides the group, subgroup keeps the matching part
errors.broken_barrier_error | test_errors.py::test_broken_barrier_error_reaches_every_waiter | abort breaks the barrier: every waiter gets BrokenBarrierError
errors.broken_barrier_error | test_claims.py::test_barrier_reset_breaks_the_waiters_then_the_barrier_works_again | reset breaks the current waiters, then the barrier is usable again
context | test_context.py::test_each_task_gets_a_copy_taken_when_it_is_created | a task sees values set before it was created
context | test_context.py::test_each_task_gets_a_copy_taken_when_it_is_created | a value a task sets stays in that task
context | test_context.py::test_each_task_gets_a_copy_taken_when_it_is_created | a value the parent sets later does not reach an existing task
context | test_context.py::test_each_task_gets_a_copy_taken_when_it_is_created | an awaited coroutine runs in its caller's context
context | test_context.py::test_to_thread_passes_the_context_and_run_in_executor_does_not | to_thread passes a copy of the context; run_in_executor does not
context.set_get_reset | test_context.py::test_set_get_reset_puts_the_default_back | reset with the token restores the previous value
context.request_id_logging | test_context.py::test_request_id_logging_tags_each_line_with_its_request | each task's log lines carry its own id; the lesson takes the slowest request, 3 s
context.run_in_a_chosen_context | test_context.py::test_a_task_in_a_chosen_context_changes_that_context | create_task(context=...) runs the task in that context; what it sets stays there
synchronization | test_claims.py::test_the_waiting_methods_of_the_primitives_take_no_timeout | the primitives' waiting methods take no timeout
synchronization.lock_prevents_lost_updates | test_synchronization.py::test_lock_prevents_lost_updates | without a lock updates are lost; with one the counter ends at workers; 1 s + 3 s
synchronization.event_releases_all_waiters | test_synchronization.py::test_event_releases_all_waiters_at_once | set wakes every waiter, in the order they started waiting
synchronization.event_releases_all_waiters | test_claims.py::test_a_set_event_lets_every_later_wait_through_until_cleared | later wait() calls return at once until clear()
synchronization.condition_wait_for | test_synchronization.py::test_condition_wait_for_checks_once_per_notify | wait_for checks once at the start and once per notify: 4 checks, proceeds at 3 s
synchronization.bounded_semaphore_over_release | test_synchronization.py::test_bounded_semaphore_refuses_the_release_a_plain_one_accepts | a Semaphore accepts an extra release and lets two in; a BoundedSemaphore raises ValueError
synchronization.barrier_parties_meet | test_synchronization.py::test_barrier_parties_meet_when_the_last_arrives | no party passes until the last arrives; distinct indexes in arrival order
synchronization.barrier_parties_meet | test_claims.py::test_barrier_reset_breaks_the_waiters_then_the_barrier_works_again | the barrier then resets and can be used again
synchronization.barrier_broken_by_timeout | test_synchronization.py::test_barrier_broken_by_timeout_fails_the_waiting_and_the_late | after abort the waiting party and the late one get BrokenBarrierError
synchronization.barrier_broken_by_timeout | test_claims.py::test_a_cancelled_barrier_waiter_leaves_the_barrier_intact | a cancelled waiter leaves the barrier intact
queues.producer_consumer | test_queues.py::test_producer_consumer_shares_the_work_and_joins | join returns once every item was marked done: 3 s with the defaults
queues.priority_queue_order | test_queues.py::test_priority_queue_orders_by_priority_then_insertion | a counter settles ties by insertion order
queues.priority_queue_order | test_claims.py::test_a_priority_queue_compares_the_next_element_on_a_tie | with (priority, name) ties come out alphabetically; uncomparable items raise TypeError
queues.lifo_queue_order | test_queues.py::test_lifo_queue_hands_out_the_newest_first | a LIFO queue hands out the newest item first
queues.nowait_empty_and_full | test_queues.py::test_nowait_methods_raise_instead_of_waiting | get_nowait raises QueueEmpty, put_nowait QueueFull; nothing waits
queues.nowait_empty_and_full | test_claims.py::test_an_unbounded_queue_is_never_full | an unbounded queue is never full
queues.bounded_queue_back_pressure | test_queues.py::test_bounded_queue_makes_the_fast_producer_wait | with maxsize=1 items are put at 0, 0, 1, 2 s and the consumer ends at 4 s
queues.bounded_queue_back_pressure | test_queues.py::test_a_queue_with_room_for_everything_gives_no_back_pressure | with room for every item the producer is done at 0 s
queues.queue_shutdown | test_queues.py::test_queue_shutdown_lets_the_consumer_finish_the_items_left | after shutdown put raises; get returns the items left, then raises
queues.queue_shutdown | test_queues.py::test_queue_shutdown_immediate_drops_the_items_left | immediate=True drops the items left (counted done for join)
streams.echo_over_tcp | test_streams.py::test_echo_over_tcp_sends_each_line_back | the handler echoes each line until readline returns b''
streams.echo_over_tcp | test_streams.py::test_leaving_async_with_server_waits_for_open_connections_from_3_12 | up to 3.11 async with server does not wait for the handlers; from 3.12 it waits for open connections
streams.echo_over_tcp | test_streams.py::test_the_stream_protocol_keeps_its_handler_task_from_3_10 | on 3.9 the server keeps no reference to handler tasks; from 3.10 the protocol does
streams.read_until_separator | test_streams.py::test_read_until_separator_returns_records_then_the_partial_rest | readuntil returns up to and including the separator; IncompleteReadError.partial holds the rest
streams.read_until_limit_overrun | test_streams.py::test_read_until_limit_overrun_stops_at_the_long_record | readuntil raises LimitOverrunError for a record longer than the limit
streams.read_until_limit_overrun | test_claims.py::test_a_stream_reader_limit_is_64_kib_by_default | the limit is 64 KiB unless you pass limit=
streams.read_until_limit_overrun | test_claims.py::test_readline_raises_value_error_and_drops_the_long_line_readuntil_keeps_it | the bytes stay in the buffer after LimitOverrunError
streams.read_until_limit_overrun | test_claims.py::test_readline_raises_value_error_and_drops_the_long_line_readuntil_keeps_it | readline raises ValueError instead and drops the long line
streams.echo_over_unix_socket | test_streams.py::test_echo_over_unix_socket_sends_each_line_back | the same readers and writers over a unix socket
protocols.echo_with_protocols | test_protocols.py::test_echo_with_protocols_replies_and_closes_both_sides | eof_received returning False makes the transport close itself and call connection_lost
protocols.frame_lines_in_a_protocol | test_protocols.py::test_frame_lines_in_a_protocol_frames_whatever_the_chunks | chunks need not match the writes; the protocol's buffer frames every line
subprocesses | test_claims.py::test_a_killed_child_has_no_returncode_until_it_is_waited_for | kill only sends the signal; returncode is None until wait returns
subprocesses.run_a_child | test_subprocesses.py::test_run_a_child_captures_its_output_and_exit_code | communicate reads the output and waits; returncode is the exit status
subprocesses.run_a_child | test_subprocesses.py::test_run_a_child_kills_and_reaps_a_child_that_is_too_slow | a child that takes too long is killed and waited for before the timeout error
subprocesses.kill_after_timeout | test_subprocesses.py::test_kill_after_timeout_kills_a_child_that_runs_too_long | the timeout cancels the wait but not the child; kill gives returncode -9
subprocesses.kill_after_timeout | test_claims.py::test_terminate_sends_sigterm_and_kill_sigkill | terminate sends SIGTERM, kill SIGKILL
subprocesses.kill_after_timeout | test_claims.py::test_kill_makes_the_exit_status_1_on_windows | on Windows kill makes the exit status 1 (tested only on Windows)
subprocesses.shell_with_quoting | test_subprocesses.py::test_shell_with_quoting_passes_exactly_one_argument | shlex.quote makes the shell pass the text as exactly one argument
pitfalls.forgotten_await_symptom | test_pitfalls.py::test_forgotten_await_symptom_warns_without_asyncio_debug_mode_too | the never-awaited RuntimeWarning comes whether or not debug mode is on
pitfalls.blocking_call_symptom | test_pitfalls.py::test_blocking_call_symptom_freezes_the_heartbeat | while time.sleep blocks, the heartbeat gets no tick and its largest gap is at least block
pitfalls.blocking_call_fix | test_pitfalls.py::test_blocking_call_fix_keeps_the_heartbeat_going | to_thread blocks only the worker thread; the heartbeat goes on
pitfalls.lost_task_reference_symptom | test_pitfalls.py::test_lost_task_reference_symptom_task_is_collected_while_pending | a task waiting on something only it references is destroyed while pending
pitfalls.lost_task_reference_symptom | test_claims.py::test_a_task_waiting_on_a_timer_survives_without_a_reference | a task waiting on a timer is referenced by the loop and survives
pitfalls.lost_task_reference_fix | test_pitfalls.py::test_lost_task_reference_fix_keeps_the_task_alive | a strong reference keeps the task alive through garbage collection
pitfalls.destroyed_pending_task_symptom | test_pitfalls.py::test_destroyed_pending_task_symptom_reports_the_destroyed_task | run_until_complete stops the loop with the consumer pending; collection reports it destroyed
pitfalls.destroyed_pending_task_symptom | test_pitfalls.py::test_destroyed_pending_task_symptom_never_runs_the_consumers_cancellation_cleanup | its except CancelledError cleanup never runs
pitfalls.destroyed_pending_task_symptom | test_pitfalls.py::test_a_destroyed_pending_task_runs_finally_but_not_its_cancellation_cleanup | GeneratorExit is raised at its await: finally and except GeneratorExit run
pitfalls.destroyed_pending_task_symptom | test_pitfalls.py::test_a_destroyed_pending_task_runs_finally_but_not_its_cancellation_cleanup | there is no running loop then, and an await that has to wait fails
pitfalls.destroyed_pending_task_fix | test_pitfalls.py::test_destroyed_pending_task_fix_cancels_and_awaits_the_consumer | cancel then await: the cleanup runs while the loop is alive
pitfalls.swallowed_cancel_symptom | test_pitfalls.py::test_swallowed_cancel_symptom_cancel_and_wait_for_do_nothing | cancel() returns True but the task runs to the end; wait_for returns the late result
pitfalls.swallowed_cancel_fix | test_pitfalls.py::test_swallowed_cancel_fix_cancel_and_wait_for_work | re-raising: the task ends cancelled at timeout and wait_for raises TimeoutError
pitfalls.suppressed_cancel_symptom | test_pitfalls.py::test_suppressing_a_cancellation_needs_uncancel | without uncancel the worker's own timeout lets CancelledError through
pitfalls.suppressed_cancel_symptom | test_claims.py::test_a_timeout_entered_after_a_suppressed_cancellation_works_since_3_11_3 | 3.11.3 fixed entering a timeout after the suppression
pitfalls.gather_siblings_symptom | test_pitfalls.py::test_gather_siblings_symptom_the_sibling_runs_on_after_the_failure | gather raises the first exception at once and does not cancel the sibling
pitfalls.gather_siblings_fix | test_pitfalls.py::test_gather_siblings_fix_task_group_cancels_the_sibling | a TaskGroup cancels the sibling at once; the lesson takes no time
pitfalls.nested_run_symptom | test_pitfalls.py::test_nested_run_symptom_raises_and_runs_nothing | asyncio.run inside a running loop raises RuntimeError before running anything
pitfalls.get_event_loop_symptom | test_pitfalls.py::test_get_event_loop_symptom_matches_this_python | at a program's start it makes a loop (silently on 3.9-3.11, warning on 3.12-3.13)
pitfalls.get_event_loop_symptom | test_pitfalls.py::test_get_event_loop_symptom_matches_this_python | after asyncio.run it raises RuntimeError
pitfalls.get_event_loop_symptom | test_pitfalls.py::test_get_event_loop_symptom_matches_this_python | 3.14 raises RuntimeError at the start too
pitfalls.get_event_loop_symptom | test_running_loop.py::test_get_event_loop_symptom_in_a_running_loop_shows_a_new_threads_error | in any other thread it raises RuntimeError
pitfalls.get_event_loop_symptom | test_pitfalls.py::test_get_event_loop_symptom_restores_the_policy | the lesson puts the previous policy back
pitfalls.get_event_loop_fix | test_pitfalls.py::test_get_event_loop_fix_uses_the_running_loop | inside a coroutine get_event_loop is the running loop, without a warning
pitfalls.thread_unsafe_call_symptom | test_pitfalls.py::test_thread_unsafe_call_symptom_debug_mode_raises | in debug mode call_soon from another thread raises RuntimeError; debug mode is restored
pitfalls.thread_unsafe_call_symptom | test_claims.py::test_call_soon_from_another_thread_is_silent_and_does_not_wake_the_loop | without debug mode nothing says so
pitfalls.thread_unsafe_call_symptom | test_claims.py::test_call_soon_from_another_thread_is_silent_and_does_not_wake_the_loop | call_soon from a thread does not wake the loop
pitfalls.thread_unsafe_call_fix | test_pitfalls.py::test_thread_unsafe_call_fix_hands_over_with_call_soon_threadsafe | call_soon_threadsafe wakes the loop and runs the callback in its thread
capstone.SimulatedServer | test_capstone.py::test_the_server_counts_a_cancelled_request_out | a cancelled request leaves the in-flight count right
capstone.fetch_with_retries | test_capstone.py::test_fetch_with_retries_default_times_out_then_succeeds | /slow times out after 1 s, waits 0.5 s, answers after 0.25 s: 1.75 s
capstone.fetch_with_retries | test_capstone.py::test_fetch_with_retries_does_not_retry_a_client_error | a 404 is not retried
capstone.polite_fetcher | test_capstone.py::test_polite_fetcher_default_run | with the defaults the run takes 3.125 s, never more than two in flight
capstone.polite_fetcher | test_capstone.py::test_one_page_after_another_would_take_five_and_a_half_seconds | fetched one after another the same attempts would take 5.5 s
capstone.polite_fetcher | test_claims.py::test_asyncio_run_handles_ctrl_c_itself_from_3_11 | asyncio.run turns Ctrl-C into a cancellation of the main task on 3.11+
capstone.cancel_the_fetcher | test_capstone.py::test_cancel_the_fetcher_keeps_what_was_fetched | stopping at 1.6 s keeps /, /flaky and /missing; stopping takes no loop time
benefits.workers_on_real_time | test_benefits.py::test_workers_on_virtual_time_meet_the_ideal_exactly | on the virtual clock the ratio is exactly 1
benefits.heartbeat_gaps | test_benefits.py::test_heartbeat_misses_at_least_the_blocking_call | a blocking call makes the heartbeat gap at least wait
benefits.echo_load | test_benefits.py::test_echo_load_refuses_clearly_when_the_file_limit_is_too_low | the lesson refuses if the file limit is below 2 * clients
cancellation.timeout_block | test_versions.py::test_wait_for_runs_a_coroutine_in_the_callers_task | wait_for rewritten on timeout in 3.12 (gh-96764)
streams.echo_over_tcp | test_versions.py::test_server_wait_closed_waits_for_connections | Server.wait_closed waits for connections from 3.12 (gh-79033)
tasks.worker | test_tasks.py::test_worker_prints_start_and_finish_around_its_delay | a worker prints, sleeps delay, prints that it finished
awaitables.await_a_custom_awaitable | test_awaitables.py::test_countdown_is_awaitable_and_takes_one_second_per_step | it takes start * step seconds: 3 s with the defaults
errors.error_prone_worker | test_errors.py::test_error_prone_worker_catches_its_own_error_after_one_second | the error raised after the await is caught by the surrounding try
errors.task_exception_never_retrieved | test_errors.py::test_task_exception_never_retrieved_reaches_the_exception_handler | an unretrieved task exception reaches the loop's exception handler when the task is collected
errors.task_exception_never_retrieved | test_errors.py::test_task_exception_never_retrieved_restores_the_previous_handler | the lesson restores the previous handler
errors.task_exception_never_retrieved | test_claims.py::test_the_default_exception_handler_logs_the_error_with_its_traceback | the default handler logs it with the traceback
context.each_task_gets_a_copy | test_context.py::test_each_task_gets_a_copy_taken_when_it_is_created | each task sees the value of the moment it was created; the values never mix; neither set reaches the parent
context.each_task_gets_a_copy | test_context.py::test_lessons_leave_the_callers_context_as_they_found_it | the lesson resets the variable before it returns
context.context_in_threads | test_context.py::test_to_thread_passes_the_context_and_run_in_executor_does_not | to_thread passes a copy; run_in_executor does not; copy_context().run passes it by hand
pitfalls.forgotten_await_fix | test_pitfalls.py::test_forgotten_await_fix_saves | await runs the coroutine to the end, taking delay
pitfalls.suppressed_cancel_fix | test_pitfalls.py::test_suppressing_a_cancellation_needs_uncancel | with uncancel() the worker's own timeout raises TimeoutError
pitfalls.nested_run_fix | test_pitfalls.py::test_nested_run_fix_awaits | await runs the coroutine on the running loop, taking delay
benefits.tasks_vs_threads | test_benefits.py::test_tasks_vs_threads_reports_both_costs | the lesson reports bytes and seconds per task and per thread
tasks.what_a_stuck_task_awaits | test_tasks.py::test_what_a_stuck_task_awaits_prints_the_service_call_graph | capture_call_graph gives the coroutines a task is suspended in, innermost first, and the tasks awaiting it (3.14)
tasks.create_task_eager_start | test_tasks.py::test_create_task_eager_start_runs_one_task_inside_create_task | from 3.14 create_task passes eager_start on: that task is done when create_task returns, the lazy one is not
tasks.task_group_cancel | test_tasks.py::test_task_group_cancel_keeps_the_first_answer_and_cancels_the_rest | group.cancel() (3.15) cancels the tasks not done and the body; the group absorbs it; the lesson takes the shortest delay
event_loop.get_event_loop_raises | test_event_loop.py::test_get_event_loop_raises_where_no_loop_is_current | 3.14 raises with no current loop; a Runner's loop is current inside its block, not after
event_loop.get_event_loop_raises | test_event_loop.py::test_get_event_loop_raises_where_a_loop_runs_uses_a_thread_or_refuses | where a loop runs it runs in a worker thread; it refuses on WebAssembly
event_loop.policies_deprecated | test_event_loop.py::test_policies_deprecated_shows_both_warnings_and_the_replacement | 3.14 deprecates get_event_loop_policy and asyncio.iscoroutinefunction; inspect.iscoroutinefunction does not warn
async_iteration.close_a_generator_holding_a_task_group | test_async_iteration.py::test_a_generator_holding_a_task_group_closes_quietly | from 3.15 aclose() of a generator holding a TaskGroup returns quietly and the helper is cancelled
tasks | test_tasks.py::test_eager_tasks_finish_inside_create_task_and_the_factory_is_restored | eager_task_factory (3.12+) lets a task run its first step inside create_task
queues | test_queues.py::test_queue_shutdown_exists_exactly_where_python_has_it | Queue.shutdown exists from Python 3.13
queues | test_queues.py::test_bounded_queue_makes_the_fast_producer_wait | a producer that gets ahead of a bounded queue waits in put
context | test_context.py::test_a_task_in_a_chosen_context_changes_that_context | on 3.11+ create_task(context=...) runs a task in a context you choose
"""  # noqa: E501

CLAIMS: list[tuple[str, str, str]] = [
    (where, claim, test)
    for where, test, claim in (line.split(" | ", 2) for line in _TABLE.strip().splitlines())
]


def test_every_claim_names_a_test_that_exists() -> None:
    import ast
    import pathlib

    here = pathlib.Path(__file__).parent
    defined: dict[str, set[str]] = {}
    assert len(CLAIMS) >= 100
    for where, claim, test in CLAIMS:
        path, _, name = test.partition("::")
        if path not in defined:
            tree = ast.parse((here / path).read_text(encoding="utf-8"))
            defined[path] = {
                node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            }
        assert name in defined[path], (where, claim, test)
    # every lesson on this interpreter, and every concept, has its claims listed
    from asyncio_primer import CONCEPTS
    from asyncio_primer._registry import lessons

    listed = {where for where, _, _ in CLAIMS}
    assert {q for q in lessons() if q not in listed} == set()
    assert {c for c in CONCEPTS if not any(w.split(".")[0] == c for w in listed)} == set()
