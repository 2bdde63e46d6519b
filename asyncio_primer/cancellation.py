"""Cancellation: stopping a task, and timeouts.

**The problem.** Work you started is not always wanted to the end: the user closed the page, the
answer is taking too long, a sibling task failed and the rest is pointless, the program is
shutting down. Killing a task on the spot would leave connections open and files half-written.

**The idea.** :term:`Cancellation <cancellation>` is a polite request, delivered as an exception.
:meth:`Task.cancel() <asyncio.Task.cancel>` asks a task to stop: at its next ``await`` the task
gets an :exc:`asyncio.CancelledError`, which unwinds its coroutine like any exception — running
``finally`` blocks and ``async with`` exits on the way — until the task ends *cancelled*.
Cancellation is how asyncio stops work it no longer needs: :func:`asyncio.wait_for` and (Python
3.11+) :func:`asyncio.timeout` cancel what runs too long, :class:`asyncio.TaskGroup` cancels the
siblings of a failed task, and :func:`asyncio.run` cancels what is left at the end.

Because all of these rely on it, a coroutine that catches :exc:`~asyncio.CancelledError` must
re-raise it after cleaning up. :exc:`~asyncio.CancelledError` derives from :exc:`BaseException`
(since Python 3.8), so ``except Exception`` does not catch it by accident. When some work must
finish even if its waiter gives up, :func:`asyncio.shield` protects it.

Read next: :mod:`asyncio_primer.event_loop` (the loop that delivers the cancellations) and
:mod:`asyncio_primer.errors`; :mod:`asyncio_primer.capstone` puts timeouts and cancellation to
work in one program.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_delays, check_timeout


@lesson(delay=check_delay)
async def cancel_a_task(delay: float = 1.0) -> bool:
    """Stop a task with :meth:`~asyncio.Task.cancel`, then check :meth:`~asyncio.Task.cancelled`.

    >>> asyncio.run(cancel_a_task(0.01))
    worker: started an hour-long job
    cancel() returned True; cancelled() is False for now
    worker: got CancelledError
    awaiting the task raised CancelledError
    cancelled() is True
    True

    After *delay* seconds the main coroutine cancels the worker, which sleeps for an hour.
    :meth:`~asyncio.Task.cancel` only *requests* the cancellation and returns ``True`` (it
    returns ``False`` for a task that is already done); the task is not cancelled yet. On the
    loop's next turn, :exc:`asyncio.CancelledError` is raised inside the worker at the ``await``
    where it waits; the worker re-raises it, ends cancelled, and awaiting it raises
    :exc:`~asyncio.CancelledError` in the awaiter too. The lesson takes *delay* seconds, not an
    hour.

    :param delay: seconds before the cancellation; must not be negative.
    :returns: whether the task ended cancelled (``True``).
    """

    async def worker() -> None:
        print("worker: started an hour-long job")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            print("worker: got CancelledError")
            raise

    task = asyncio.create_task(worker())
    await asyncio.sleep(delay)
    requested = task.cancel()
    print(f"cancel() returned {requested}; cancelled() is {task.cancelled()} for now")
    try:
        await task
    except asyncio.CancelledError:
        print("awaiting the task raised CancelledError")
    print(f"cancelled() is {task.cancelled()}")
    return task.cancelled()


@lesson(delay=check_delay)
async def propagate_cancellation(delay: float = 1.0) -> dict[str, str]:
    """Clean up on cancellation, then let :exc:`~asyncio.CancelledError` propagate.

    >>> asyncio.run(propagate_cancellation(0.01))
    polite: cleaning up, then re-raising
    polite: connection closed
    rude: swallowed the cancellation
    {'polite': 'cancelled', 'rude': "returned 'pretended to finish'"}

    Two tasks are cancelled after *delay* seconds. The *polite* one cleans up in
    ``except asyncio.CancelledError:`` and re-raises with a bare ``raise``, and its ``finally``
    runs too (a ``finally`` alone needs no re-raise: the exception goes on by itself); it ends
    :meth:`~asyncio.Task.cancelled`. The *rude* one swallows the exception and returns: the task
    ends with a result, as if nobody had cancelled it. Whoever cancelled it cannot tell, and the
    tools built on cancellation — :func:`asyncio.wait_for`, :func:`asyncio.timeout`,
    :class:`asyncio.TaskGroup`, :func:`asyncio.run` at shutdown — misbehave: a timeout that never
    fires, a shutdown that hangs. Catch :exc:`~asyncio.CancelledError` only to clean up, and
    re-raise it.

    :param delay: seconds before both tasks are cancelled; must not be negative.
    :returns: how each task ended.
    """

    async def polite() -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            print("polite: cleaning up, then re-raising")
            raise
        finally:
            print("polite: connection closed")
        return "finished"

    async def rude() -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:  # don't do this
            print("rude: swallowed the cancellation")
        return "pretended to finish"

    tasks = {"polite": asyncio.create_task(polite()), "rude": asyncio.create_task(rude())}
    await asyncio.sleep(delay)
    for task in tasks.values():
        task.cancel()
    await asyncio.wait(tasks.values())
    return {
        name: "cancelled" if task.cancelled() else f"returned {task.result()!r}"
        for name, task in tasks.items()
    }


@lesson(work=check_delay, timeout=check_timeout)
async def wait_for_timeout(work: float = 5.0, timeout: float = 1.0) -> type[BaseException] | None:
    """Give up on a task after *timeout* seconds with :func:`asyncio.wait_for`.

    >>> asyncio.run(wait_for_timeout(10, 0.01)) is asyncio.TimeoutError
    gave up after the timeout; the task is cancelled: True
    True

    If the task does not finish within *timeout* seconds, :func:`asyncio.wait_for` cancels it,
    waits until it has ended, and raises a timeout error; the lesson takes *timeout* seconds
    (if *work* is shorter, ``wait_for`` simply returns the result after *work* seconds).

    Which exception? Catch :exc:`asyncio.TimeoutError`, which works on every Python. Up to
    Python 3.10 it is asyncio's own class (not a subclass of the builtin :exc:`TimeoutError`,
    so ``except TimeoutError:`` misses it there); since Python 3.11 it is an alias of the builtin
    :exc:`TimeoutError`, and new code may catch that.

    :param work: how long the task would take, in seconds; must not be negative.
    :param timeout: how long to wait for it, in seconds; must be > 0.
    :returns: the class of the exception ``wait_for`` raised (``None`` if the task finished in
        time).
    """

    async def job() -> str:
        await asyncio.sleep(work)
        return "finished"

    task = asyncio.create_task(job())
    try:
        result = await asyncio.wait_for(task, timeout)
    except asyncio.TimeoutError as error:
        print(f"gave up after the timeout; the task is cancelled: {task.cancelled()}")
        return type(error)
    print(f"the task finished in time: {result!r}")
    return None


@lesson(work=check_delay, timeout=check_timeout)
async def shield_from_timeout(work: float = 2.0, timeout: float = 1.0) -> str:
    """Let work finish even when its waiter times out, with :func:`asyncio.shield`.

    >>> asyncio.run(shield_from_timeout(0.2, 0.01))
    the waiter timed out; the save goes on
    saved
    'saved'

    ``await asyncio.shield(task)`` waits for *task* like ``await task``, but cancelling the
    waiter — here by the :func:`asyncio.wait_for` timeout after *timeout* seconds — cancels only
    the shield's outer future, not *task*. Use it for work that must not stop halfway, such as
    saving a file. The shielded task still has to be finished by someone: keep a reference and
    await it later (as here, after *work* seconds), or it may be cancelled when
    :func:`asyncio.run` ends — or garbage-collected before.

    :param work: how long the shielded save takes, in seconds; must not be negative.
    :param timeout: how long the waiter waits, in seconds; must be > 0.
    :returns: the save's result, ``"saved"``.
    """

    async def save() -> str:
        await asyncio.sleep(work)
        return "saved"

    task = asyncio.create_task(save())
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except asyncio.TimeoutError:
        print("the waiter timed out; the save goes on")
    result = await task
    print(result)
    return result


if sys.version_info >= (3, 11):

    @lesson(work=check_delay, timeout=check_timeout)
    async def timeout_block(work: float = 5.0, timeout: float = 1.0) -> bool:
        """Limit the time a block of code may take with :func:`asyncio.timeout`.

        >>> asyncio.run(timeout_block(10, 0.01))
        inside the block: CancelledError
        outside the block: TimeoutError; expired() is True
        True

        ``async with asyncio.timeout(seconds) as cm:`` cancels the current task if the block is
        still running after *seconds*. Inside the block the code sees an ordinary
        :exc:`asyncio.CancelledError` (and must let it propagate); when it reaches the end of the
        block, the context manager turns it into :exc:`TimeoutError`, so you catch that
        *outside* the block. :meth:`cm.expired() <asyncio.Timeout.expired>` tells whether the
        timeout fired. Unlike :func:`asyncio.wait_for`, it covers several ``await`` calls, and
        the block runs in the current task; ``wait_for`` runs its awaitable in the caller's task
        too only from 3.12, where it is built on ``timeout``
        (https://github.com/python/cpython/issues/96764): before, in a task of its own.
        ``asyncio.timeout(None)`` never fires (until rescheduled, see
        :func:`idle_timeout`). The lesson takes *timeout* seconds when *work* is longer.

        .. note:: Needs Python 3.11 (asyncio.timeout).

        :param work: how long the block's work would take, in seconds; must not be negative.
        :param timeout: the block's time limit, in seconds; must be > 0.
        :returns: whether the timeout fired.
        """
        try:
            async with asyncio.timeout(timeout) as cm:
                try:
                    await asyncio.sleep(work)
                except asyncio.CancelledError:
                    print("inside the block: CancelledError")
                    raise
        except TimeoutError:
            print(f"outside the block: TimeoutError; expired() is {cm.expired()}")
        else:
            print(f"the work finished in time; expired() is {cm.expired()}")
        return cm.expired()

    @lesson(chunks=check_delays, idle=check_timeout)
    async def idle_timeout(
        chunks: Sequence[float] = (1.0, 1.0, 1.0, 3.0), idle: float = 2.0
    ) -> int:
        """Move a deadline as progress is made, with :func:`asyncio.timeout_at` and ``reschedule``.

        >>> asyncio.run(idle_timeout([0.01, 0.01, 10], 0.2))
        chunk 1 arrived
        chunk 2 arrived
        no chunk for too long: TimeoutError
        2

        A download should not fail because it is long, only because it stalls. The deadline is
        absolute, on the loop's clock: :func:`asyncio.timeout_at` takes ``loop.time() + idle``.
        After each chunk, :meth:`cm.reschedule() <asyncio.Timeout.reschedule>` pushes it to
        *idle* seconds from now (``cm.when()`` tells the current deadline;
        ``reschedule(None)`` removes it). With the defaults, chunks arrive at 1, 2 and 3 s, each
        moving the deadline to 2 s later; the fourth chunk would take 3 s, so the timeout fires
        at 5 s — although the whole download has long passed *idle* seconds.

        .. note:: Needs Python 3.11 (asyncio.timeout_at, asyncio.Timeout.reschedule).

        :param chunks: how long each chunk takes to arrive, in seconds; none may be negative.
        :param idle: the longest wait allowed for one chunk, in seconds; must be > 0.
        :returns: how many chunks arrived.
        """
        loop = asyncio.get_running_loop()
        arrived = 0
        try:
            async with asyncio.timeout_at(loop.time() + idle) as cm:
                for seconds in chunks:
                    await asyncio.sleep(seconds)
                    arrived += 1
                    print(f"chunk {arrived} arrived")
                    cm.reschedule(loop.time() + idle)
        except TimeoutError:
            print("no chunk for too long: TimeoutError")
        return arrived

    @lesson(delay=check_timeout)
    async def cancelling_and_uncancel(delay: float = 1.0) -> list[int]:
        """Suppress one cancellation properly: catch it, then call :meth:`~asyncio.Task.uncancel`.

        >>> asyncio.run(cancelling_and_uncancel(0.01))
        step 1 cancelled; cancelling() is 1
        after uncancel(), cancelling() is 0
        step 2 timed out as it should
        [1, 0]

        Since Python 3.11 a task counts the cancellation requests it has received:
        :meth:`~asyncio.Task.cancelling` returns that count, and :meth:`~asyncio.Task.uncancel`
        takes one back. :class:`asyncio.TaskGroup` and :func:`asyncio.timeout` rely on the count
        to tell their own cancellation from someone else's. A task that catches a
        :exc:`~asyncio.CancelledError` *and does not re-raise it* — here a worker told to skip
        its current step — must call ``uncancel()``; otherwise it still looks like a task that is
        being cancelled, and those tools may misread a later cancellation or timeout (for a bug
        this caused in :func:`asyncio.timeout` itself, see
        `python/cpython#102780 <https://github.com/python/cpython/issues/102780>`_). The step
        after it runs under a timeout of *delay* seconds, which fires as it should; the lesson
        takes twice *delay*.

        .. note:: Needs Python 3.11 (asyncio.Task.cancelling, asyncio.Task.uncancel).

        :param delay: seconds before step 1 is cancelled, and step 2's time limit; must be > 0.
        :returns: the cancellation count before and after ``uncancel()``.
        """
        counts: list[int] = []

        async def worker() -> None:
            me = asyncio.current_task()
            assert me is not None  # always set inside a task
            try:
                await asyncio.sleep(3600)  # step 1, skipped by a cancel()
            except asyncio.CancelledError:
                counts.append(me.cancelling())
                print(f"step 1 cancelled; cancelling() is {counts[-1]}")
                counts.append(me.uncancel())
                print(f"after uncancel(), cancelling() is {counts[-1]}")
            try:
                async with asyncio.timeout(delay):
                    await asyncio.sleep(3600)  # step 2, limited by the timeout
            except TimeoutError:
                print("step 2 timed out as it should")

        task = asyncio.create_task(worker())
        await asyncio.sleep(delay)
        task.cancel()
        await task
        return counts


__all__ = exported(__name__)
