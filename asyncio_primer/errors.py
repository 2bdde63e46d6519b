"""Errors: exceptions in coroutines and tasks.

**The question.** When several tasks run at once and one of them fails, where does its exception
go — and what if nobody is waiting for that task?

**The answer.** An exception raised inside a coroutine travels up through every ``await`` to whoever
awaits it, exactly like an exception through ordinary function calls, so ``try`` / ``except`` works
as you expect. Tasks add one twist: a task's exception is stored in the task and raised where the
task is *awaited* (or its result asked for). :func:`asyncio.gather` can either raise the first
failure or hand every exception back as a value; on Python 3.11+, :class:`asyncio.TaskGroup` cancels
the remaining tasks and raises all failures together as an :term:`exception group`, which
``except*`` takes apart.

Some errors you never raise yourself: asyncio reports them. A task whose exception nobody
retrieved is reported to the loop's exception handler when it is garbage collected; a future
asked for its result too early, or completed twice, raises :exc:`asyncio.InvalidStateError`; a
timeout raises :exc:`asyncio.TimeoutError`, which is the builtin :exc:`TimeoutError` only since
Python 3.11; and an aborted :class:`asyncio.Barrier` raises :exc:`asyncio.BrokenBarrierError` in
every waiter.

Read next: :mod:`asyncio_primer.context` (values that belong to one task), and later
:mod:`asyncio_primer.pitfalls` (the mistakes behind most of these reports).
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay


@lesson(delay=check_delay)
async def error_prone_worker(delay: float = 1.0) -> None:
    """Fail after *delay* seconds, and catch the failure in the same coroutine.

    >>> asyncio.run(error_prone_worker(0.01))
    Caught an exception: An error occurred!

    The :exc:`ValueError` is raised after the ``await`` and caught by the surrounding ``try``: an
    exception inside a coroutine is handled with the same ``try`` / ``except`` as anywhere else
    (see :ref:`tut-handling` in the tutorial).

    :param delay: seconds to wait before failing; must not be negative.
    """
    try:
        await asyncio.sleep(delay)
        raise ValueError("An error occurred!")
    except ValueError as e:
        print(f"Caught an exception: {e}")


async def _fail_after(delay: float, message: str) -> str:
    await asyncio.sleep(delay)
    raise ValueError(message)


@lesson(delay=check_delay)
async def propagate_through_await(delay: float = 1.0) -> str:
    """Catch, in the caller, an exception that a coroutine it awaits raised.

    >>> asyncio.run(propagate_through_await(0.01))
    caller caught ValueError: inner coroutine failed
    'inner coroutine failed'

    The exception leaves the inner coroutine, passes through the ``await`` and is raised in the
    caller at that ``await``, with the inner frames in its traceback: awaiting a
    :ref:`coroutine <coroutine>` is like calling a function. A task is different: its exception
    waits in the task until someone awaits it (see :func:`task_exception_never_retrieved`).

    :param delay: seconds before the inner coroutine fails; must not be negative.
    :returns: the caught exception's message.
    """
    try:
        await _fail_after(delay, "inner coroutine failed")
    except ValueError as e:
        print(f"caller caught {type(e).__name__}: {e}")
        return str(e)
    raise AssertionError("unreachable: the inner coroutine fails")  # pragma: no cover, no mutate


async def _succeed_after(delay: float, value: str) -> str:
    await asyncio.sleep(delay)
    return value


@lesson(delay=check_delay)
async def gather_return_exceptions(delay: float = 1.0) -> list[str | BaseException]:
    """Collect results and exceptions together with ``gather(..., return_exceptions=True)``.

    >>> asyncio.run(gather_return_exceptions(0.01))
    ok: first
    failed: ValueError('second failed')
    ok: third
    ['first', ValueError('second failed'), 'third']

    With ``return_exceptions=True``, :func:`asyncio.gather` waits for every awaitable and puts an
    exception in the results at its position instead of raising it. Without it, ``gather`` raises
    the first exception at once while the other awaitables *keep running* (see
    :class:`asyncio.TaskGroup` for the version that cancels them).

    :param delay: seconds each awaitable takes; must not be negative.
    :returns: ``["first", ValueError("second failed"), "third"]``.
    """
    results = await asyncio.gather(
        _succeed_after(delay, "first"),
        _fail_after(delay, "second failed"),
        _succeed_after(delay, "third"),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            print(f"failed: {result!r}")
        else:
            print(f"ok: {result}")
    return list(results)


@lesson(delay=check_delay)
async def task_exception_never_retrieved(delay: float = 1.0) -> list[str]:
    """See "Task exception was never retrieved" reach the loop's exception handler.

    >>> asyncio.run(task_exception_never_retrieved(0.01))
    the task failed; nobody asked for its exception
    exception handler: Task exception was never retrieved
    the exception: ValueError('nobody awaited me')
    ['Task exception was never retrieved', "ValueError('nobody awaited me')"]

    A task stores its exception until someone awaits the task or calls
    :meth:`~asyncio.Task.result` or :meth:`~asyncio.Task.exception`. If the task is garbage
    collected first, the exception was never seen: the task hands the report to the loop's
    exception handler (whose default logs it with the traceback). Here the lesson installs its own
    handler with :meth:`loop.set_exception_handler <asyncio.loop.set_exception_handler>`, drops
    the task, runs :func:`gc.collect` so the report arrives now rather than "some time later",
    and restores the previous handler. The cure is to await every task you create (or use a
    :class:`asyncio.TaskGroup`, which does). The lesson takes *delay* seconds.

    :param delay: seconds before the task fails; must not be negative.
    :returns: the handler's message and the exception's ``repr``.
    """
    loop = asyncio.get_running_loop()
    reports: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    try:
        task = asyncio.create_task(_fail_after(delay, "nobody awaited me"))
        await asyncio.wait([task])  # wait until it is done, without asking for its outcome
        print("the task failed; nobody asked for its exception")
        del task
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    found = [str(reports[0]["message"]), repr(reports[0]["exception"])] if reports else []
    if found:
        print(f"exception handler: {found[0]}")
        print(f"the exception: {found[1]}")
    return found


@lesson(delay=check_delay)
async def invalid_state_error(delay: float = 1.0) -> list[str]:
    """Misuse a future: read its result too early, set it twice (:exc:`asyncio.InvalidStateError`).

    >>> asyncio.run(invalid_state_error(0.01))
    result() of a pending future: InvalidStateError('Result is not set.')
    the future's result: first
    set_result() on a done future: InvalidStateError('invalid state')
    ['Result is not set.', 'invalid state']

    A :class:`asyncio.Future` is set exactly once. :meth:`~asyncio.Future.result` before that
    raises :exc:`asyncio.InvalidStateError` (await the future instead, which waits), and so do
    :meth:`~asyncio.Future.set_result` and :meth:`~asyncio.Future.set_exception` once it is done —
    check :meth:`~asyncio.Future.done` first when two parties may race to complete it. The
    lesson takes *delay* seconds.

    :param delay: seconds before the future gets its result; must not be negative.
    :returns: the two errors' messages.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()
    messages: list[str] = []
    try:
        future.result()
    except asyncio.InvalidStateError as e:
        print(f"result() of a pending future: {e!r}")
        messages.append(str(e))
    handle = loop.call_later(delay, future.set_result, "first")
    try:
        print(f"the future's result: {await future}")
    finally:
        handle.cancel()
    try:
        future.set_result("second")
    except asyncio.InvalidStateError as e:
        print(f"set_result() on a done future: {e!r}")
        messages.append(str(e))
    return messages


@lesson(delay=check_delay)
async def timeout_error_identity(delay: float = 1.0) -> bool:
    """Catch a timeout; see whether :exc:`asyncio.TimeoutError` is the builtin :exc:`TimeoutError`.

    >>> asyncio.run(timeout_error_identity(0.01))  # doctest: +ELLIPSIS
    caught ...TimeoutError with `except asyncio.TimeoutError`
    asyncio.TimeoutError is TimeoutError: ...
    `except TimeoutError` catches it: ...
    ...

    :func:`asyncio.wait_for` (and, on 3.11+, :func:`asyncio.timeout`) raise
    :exc:`asyncio.TimeoutError`. Before Python 3.11 that is a class of its own, so
    ``except TimeoutError:`` (the builtin, a subclass of :exc:`OSError`) does *not* catch it;
    since 3.11 it is an alias of the builtin and both spellings work. Code for every version
    catches ``asyncio.TimeoutError``. The lesson prints what the running Python does and takes
    *delay* seconds.

    :param delay: the timeout, in seconds; must not be negative.
    :returns: whether ``asyncio.TimeoutError is TimeoutError`` (``True`` from Python 3.11).
    """
    caught_by_builtin = False
    try:
        try:
            await asyncio.wait_for(asyncio.sleep(2 * delay + 1), timeout=delay)
        except TimeoutError:  # the builtin: only catches asyncio's on 3.11+
            caught_by_builtin = True
            raise
    except asyncio.TimeoutError as e:
        kind = type(e)
        print(f"caught {kind.__module__}.{kind.__qualname__} with `except asyncio.TimeoutError`")
    builtin: type[Exception] = TimeoutError
    alias = asyncio.TimeoutError is builtin
    print(f"asyncio.TimeoutError is TimeoutError: {alias}")
    print(f"`except TimeoutError` catches it: {caught_by_builtin}")
    return alias


if sys.version_info >= (3, 11):
    # ``except*`` is a syntax error before 3.11, so these lessons live in their own module.
    from asyncio_primer._py311 import task_group_except_star as task_group_except_star
    from asyncio_primer._py311 import task_group_exception_group as task_group_exception_group

    @lesson(delay=check_delay)
    async def broken_barrier_error(delay: float = 1.0) -> list[str]:
        """Abort an :class:`asyncio.Barrier`: its waiters get :exc:`asyncio.BrokenBarrierError`.

        >>> asyncio.run(broken_barrier_error(0.01))
        waiter 1 is waiting at the barrier
        waiter 2 is waiting at the barrier
        the barrier is aborted
        waiter 1 got BrokenBarrierError('Abort or reset of barrier')
        waiter 2 got BrokenBarrierError('Abort or reset of barrier')
        ['waiter 1', 'waiter 2']

        A barrier for three parties releases its waiters only when the third arrives. If it
        never will (here, after *delay* seconds the lesson gives up),
        :meth:`~asyncio.Barrier.abort` puts the barrier in the broken state: every task waiting
        in :meth:`~asyncio.Barrier.wait`, and every later caller, gets
        :exc:`asyncio.BrokenBarrierError` instead of waiting forever.
        :meth:`~asyncio.Barrier.reset` would break the current waiters too, then make the
        barrier usable again.

        .. note:: Needs Python 3.11 (:class:`asyncio.Barrier`).

        :param delay: seconds before the barrier is aborted; must not be negative.
        :returns: the names of the waiters that got the error.
        """
        barrier = asyncio.Barrier(3)
        broken: list[str] = []

        async def waiter(name: str) -> None:
            print(f"{name} is waiting at the barrier")
            try:
                await barrier.wait()
            except asyncio.BrokenBarrierError as e:
                print(f"{name} got {e!r}")
                broken.append(name)

        waiters = [asyncio.create_task(waiter(f"waiter {n}")) for n in (1, 2)]
        try:
            await asyncio.sleep(delay)
        finally:  # even if the lesson is cancelled: never leave the waiters stuck
            print("the barrier is aborted")
            await barrier.abort()
        await asyncio.gather(*waiters)
        return broken


__all__ = exported(__name__)
