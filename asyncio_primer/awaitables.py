"""Awaitables: what ``await`` accepts.

**The question.** You have awaited coroutines and tasks. What else can follow ``await``, and how
does a result get into something you await when no coroutine computes it — when it comes from a
:term:`callback` or from another thread?

**The answer.** ``await x`` works when *x* is an :term:`awaitable`: an object with an
``__await__`` method. asyncio meets three kinds every day — **coroutines** (what an ``async def``
function returns), **tasks** (:class:`asyncio.Task`, a coroutine scheduled to run on the loop)
and **futures** (:class:`asyncio.Future`, a placeholder for a result that something else will
set later). A task *is* a future whose result its coroutine sets. You meet bare futures when
bridging callback-based code or threads into asyncio, and :func:`inspect.isawaitable` when
writing code that accepts "anything awaitable".

At the end of the page, *under the hood*: any class can join in by defining ``__await__``, and
writing one shows what ``await`` does step by step. Few programs need it; skip it on a first
reading.

Read next: :mod:`asyncio_primer.cancellation` (stopping tasks, and timeouts).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from collections.abc import Generator
from typing import Any

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


@lesson()
async def three_kinds() -> list[int]:
    """Await a coroutine, a task and a future, and get a value from each.

    >>> asyncio.run(three_kinds())
    coroutine -> 42
    task -> 42
    future -> 42
    [42, 42, 42]

    The coroutine runs when awaited; the :class:`asyncio.Task` (from :func:`asyncio.create_task`)
    was already scheduled and the ``await`` waits for it; the :class:`asyncio.Future` (from
    :meth:`loop.create_future() <asyncio.loop.create_future>`) is finished by whoever calls its
    :meth:`~asyncio.Future.set_result`, here the loop, through a callback.

    :returns: the three values, all 42.
    """
    loop = asyncio.get_running_loop()
    from_coroutine = await _answer()
    print(f"coroutine -> {from_coroutine}")
    from_task = await asyncio.create_task(_answer())
    print(f"task -> {from_task}")
    future: asyncio.Future[int] = loop.create_future()
    loop.call_soon(future.set_result, 42)
    from_future = await future
    print(f"future -> {from_future}")
    return [from_coroutine, from_task, from_future]


@lesson()
async def what_is_awaitable() -> dict[str, bool]:
    """Ask :func:`inspect.isawaitable` about a coroutine, a task, a future, a function and a value.

    >>> answers = asyncio.run(what_is_awaitable())
    awaiting the four awaitables gave [42, 42, 42, 0]
    >>> for kind, answer in answers.items():
    ...     print(f"{kind:9} {answer}")
    coroutine True
    task      True
    future    True
    Countdown True
    function  False
    int       False

    (:class:`Countdown` is an awaitable class of our own, explained at the end of this page.)
    A coroutine *function* is not awaitable — the coroutine object it returns is. Everything that
    the lesson creates it also awaits, with :func:`asyncio.gather`, so nothing is left pending;
    each awaitable gives its value (``Countdown(0)`` counts no steps).

    :returns: each kind's name mapped to whether it is awaitable.
    """
    coroutine = _answer()
    task = asyncio.create_task(_answer())
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    future.set_result(42)
    countdown = Countdown(0)
    answers = {
        "coroutine": inspect.isawaitable(coroutine),
        "task": inspect.isawaitable(task),
        "future": inspect.isawaitable(future),
        "Countdown": inspect.isawaitable(countdown),
        "function": inspect.isawaitable(_answer),
        "int": inspect.isawaitable(42),
    }
    values = await asyncio.gather(coroutine, task, future, countdown)
    print(f"awaiting the four awaitables gave {values}")
    return answers


@lesson(delay=check_delay)
async def future_set_by_callback(delay: float = 1.0) -> str:
    """Create a bare :class:`asyncio.Future` and let a timer callback resolve it later.

    >>> asyncio.run(future_set_by_callback(0.01))
    waiting for the future...
    the future resolved to 'ready'
    'ready'

    This is how callback-based code is bridged to ``await``: create a future with
    :meth:`loop.create_future() <asyncio.loop.create_future>`, hand a callback that sets its result
    to the other side (here :meth:`loop.call_later <asyncio.loop.call_later>`), and await it. The
    callback checks :meth:`~asyncio.Future.done` first: if the waiter was cancelled in between,
    setting a result would raise :exc:`asyncio.InvalidStateError`.

    :param delay: seconds before the callback runs; must not be negative.
    :returns: the future's result, ``"ready"``.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def resolve() -> None:
        if not future.done():
            future.set_result("ready")

    handle = loop.call_later(delay, resolve)
    print("waiting for the future...")
    try:
        result = await future
    finally:
        handle.cancel()  # no-op if it already ran; no stray callback if we were cancelled
    print(f"the future resolved to {result!r}")
    return result


def _sum_of_squares(n: int) -> int:
    return sum(i * i for i in range(n))


@lesson(needs={"threads"})
async def wrap_a_thread_future(n: int = 1000) -> int:
    """Await a thread pool's :class:`concurrent.futures.Future` with :func:`asyncio.wrap_future`.

    >>> asyncio.run(wrap_a_thread_future(10))
    sum of squares below 10 = 285
    285

    A thread pool's future is not awaitable. :func:`asyncio.wrap_future` wraps it in an
    :class:`asyncio.Future` that the loop resolves when the thread finishes; the loop stays free
    while the thread computes. (:meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` does
    the submit and the wrap in one call.)

    :param n: sum the squares of ``0 .. n-1``; must be >= 0.
    :returns: the sum.
    :raises ValueError: if *n* is negative.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0, got {n!r}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        thread_future = pool.submit(_sum_of_squares, n)
        total = await asyncio.wrap_future(thread_future)
    print(f"sum of squares below {n} = {total}")
    return total


@lesson()
class Countdown:
    """An awaitable of our own: awaiting it counts down from *start*, one second per step.

    >>> asyncio.run(await_a_custom_awaitable(3, step=0.01))
    3...
    2...
    1...
    liftoff after 3 steps
    3

    ``__await__`` must return an iterator; delegating with ``yield from`` to another awaitable's
    ``__await__`` (here :func:`asyncio.sleep`) is the simplest way to write one. The value it
    returns is the value of the ``await``.

    :param start: how many steps to count; must not be negative.
    :param step: seconds per step; must not be negative.
    :raises ValueError: if *start* or *step* is negative.
    """

    def __init__(self, start: int, step: float = 1.0) -> None:
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(f"start must be an int >= 0, got {start!r}")
        self.start = start
        self.step = check_delay(step, "step")

    def __await__(self) -> Generator[Any, None, int]:
        for n in range(self.start, 0, -1):
            print(f"{n}...")
            yield from asyncio.sleep(self.step).__await__()
        return self.start


@lesson()
async def await_a_custom_awaitable(start: int = 3, step: float = 1.0) -> int:
    """Await a :class:`Countdown`, an object that is neither a coroutine nor a future.

    >>> asyncio.run(await_a_custom_awaitable(2, step=0.01))
    2...
    1...
    liftoff after 2 steps
    2

    It takes *start* times *step* seconds: 3 s with the defaults.

    :param start: how many steps to count; must not be negative.
    :param step: seconds per step; must not be negative.
    :returns: the number of steps counted.
    :raises ValueError: if *start* or *step* is negative.
    """
    steps = await Countdown(start, step)
    print(f"liftoff after {steps} steps")
    return steps


__all__ = exported(__name__)
