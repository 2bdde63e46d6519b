"""Tasks: running coroutines concurrently.

A :class:`asyncio.Task` wraps a coroutine and schedules it on the event loop *now*: it runs
whenever the coroutine that created it pauses at an ``await``. That is how asyncio does several
things at once in one thread — while one task waits for a timer or a socket, another runs.

:func:`asyncio.create_task` starts one task; :func:`asyncio.gather` runs several awaitables as
tasks and waits for all of them. Three workers that sleep 5, 3 and 1 s take 5 s together, not 9.

Read next: :mod:`asyncio_primer.event_loop` (what schedules the tasks) and
:mod:`asyncio_primer.errors` (what happens when one of them fails).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from asyncio_primer._validate import check_delay, check_delays

__all__ = [
    "worker",
    "run_workers",
    "start_now_await_later",
    "gather_in_order",
]


async def worker(name: str, delay: float) -> None:
    """Announce *name*, sleep for *delay* seconds, then announce that it finished.

    >>> asyncio.run(worker("Task 1", 0.01))
    Task 1 started
    Task 1 finished

    On its own a worker is just a coroutine; :func:`run_workers` runs three of them concurrently.

    :param name: what the worker prints.
    :param delay: seconds to sleep; must not be negative.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    print(f"{name} started")
    await asyncio.sleep(delay)
    print(f"{name} finished")


async def run_workers(delays: Sequence[float] = (5.0, 3.0, 1.0)) -> None:
    """Run one :func:`worker` per delay concurrently with :func:`asyncio.gather`.

    >>> asyncio.run(run_workers([0.03, 0.02, 0.01]))
    Task 1 started
    Task 2 started
    Task 3 started
    Task 3 finished
    Task 2 finished
    Task 1 finished

    All workers start at once and each finishes after its own delay, so the whole run takes as
    long as the longest delay: 5 s with the defaults, not 5 + 3 + 1 = 9 s (compare
    :func:`~asyncio_primer.coroutines.run_sequentially`). The workers are named ``Task 1``,
    ``Task 2``, ... in the order of *delays*.

    :param delays: one delay per worker, in seconds; none may be negative.
    :raises ValueError: if *delays* is empty or holds a negative or non-finite delay.
    """
    check_delays(delays)
    await asyncio.gather(*(worker(f"Task {n}", delay) for n, delay in enumerate(delays, 1)))


async def start_now_await_later(delay: float = 1.0) -> str:
    """Start a task with :func:`asyncio.create_task`, do other work, then await its result.

    >>> asyncio.run(start_now_await_later(0.01))
    task created; doing other work
    task says: done
    'done'

    The task starts running at the first ``await`` after :func:`asyncio.create_task`, not when it
    is awaited: here the "other work" (a sleep of half *delay*) overlaps with the task's own
    sleep, so the whole lesson takes *delay* seconds, not 1.5 times *delay*. Awaiting a task
    returns its coroutine's result.

    :param delay: how long the task sleeps, in seconds; must not be negative.
    :returns: the task's result, ``"done"``.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)

    async def job() -> str:
        await asyncio.sleep(delay)
        return "done"

    task = asyncio.create_task(job())
    print("task created; doing other work")
    await asyncio.sleep(delay / 2)
    result = await task
    print(f"task says: {result}")
    return result


async def gather_in_order(delays: Sequence[float] = (3.0, 1.0, 2.0)) -> list[float]:
    """Gather results in the order of the arguments, not the order they finish in.

    >>> asyncio.run(gather_in_order([0.03, 0.01, 0.02]))
    [0.03, 0.01, 0.02]

    Each awaitable returns its own delay. The one with the shortest delay finishes first, yet
    :func:`asyncio.gather` puts every result at its argument's position. Use
    :func:`asyncio.as_completed` when you want results as they come.

    :param delays: one delay per awaitable, in seconds; none may be negative.
    :returns: the delays, in argument order.
    :raises ValueError: if *delays* is empty or holds a negative or non-finite delay.
    """
    check_delays(delays)

    async def echo_after(delay: float) -> float:
        await asyncio.sleep(delay)
        return delay

    return list(await asyncio.gather(*(echo_after(delay) for delay in delays)))
