"""Queues: handing work from task to task.

**The problem.** Work often arrives a piece at a time — URLs to fetch, messages to process — and
should be shared among a fixed number of workers, without a lock and a condition around every
step, and without a fast producer burying a slow consumer.

**The idea.** An :class:`asyncio.Queue` (a :term:`queue`) connects tasks that produce work with
tasks that consume it: ``await queue.put(item)`` adds an item, ``await queue.get()`` waits for one.
The queue does the synchronization for you — no lock, no condition — and it counts unfinished work:
:meth:`~asyncio.Queue.task_done` marks an item as handled and :meth:`~asyncio.Queue.join` waits
until every item is. A queue created with a *maxsize* is bounded: a producer that gets ahead waits
in ``put`` until a consumer takes something, so a fast producer cannot bury a slow consumer in work
(:term:`back-pressure`). :class:`asyncio.PriorityQueue` hands out the smallest item first and
:class:`asyncio.LifoQueue` the newest. On Python 3.13+, :meth:`~asyncio.Queue.shutdown` tells
consumers that no more work will come.

Use a queue when the number of work items is not known in advance, or when a fixed pool of
workers should process them (compare :class:`asyncio.Semaphore` in
:mod:`asyncio_primer.synchronization`). Like the other asyncio primitives, a queue is not
thread-safe: for a thread and a task, use :func:`asyncio.run_coroutine_threadsafe` or
:meth:`loop.call_soon_threadsafe() <asyncio.loop.call_soon_threadsafe>` — or a
:class:`queue.Queue` read through :func:`asyncio.to_thread`.

Read next: :mod:`asyncio_primer.streams`, where the work arrives over the network.
"""

from __future__ import annotations

import asyncio
import sys

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_positive_int


@lesson(items=check_positive_int, consumers=check_positive_int, delay=check_delay)
async def producer_consumer(items: int = 6, consumers: int = 2, delay: float = 1.0) -> list[int]:
    """Share work between consumer tasks through an :class:`asyncio.Queue`, and wait with ``join``.

    >>> asyncio.run(producer_consumer(3, 2, 0.01))
    consumer 1 handled item 1
    consumer 2 handled item 2
    consumer 1 handled item 3
    all 3 items handled
    [1, 2, 3]

    The producer puts *items* in the queue; *consumers* tasks loop forever, each taking the next
    item, working on it for *delay* seconds and calling :meth:`~asyncio.Queue.task_done`.
    :meth:`~asyncio.Queue.join` returns once every item put in the queue was marked done: 3 s
    with the defaults (6 items, 2 at a time). The consumers never return on their own, so at the
    end they are cancelled *and awaited* — cancelling only asks, and awaiting lets their
    cancellation finish, so no task is left pending. ``task_done`` sits in a ``finally`` so that
    an item that fails still counts as handled and ``join`` cannot hang.

    :param items: how many items the producer puts; must be >= 1.
    :param consumers: how many consumer tasks; must be >= 1.
    :param delay: seconds a consumer works on each item; must not be negative.
    :returns: the items in the order they were handled.
    """
    queue: asyncio.Queue[int] = asyncio.Queue()
    handled: list[int] = []

    async def consumer(name: str) -> None:
        while True:
            item = await queue.get()
            try:
                await asyncio.sleep(delay)
                print(f"{name} handled item {item}")
                handled.append(item)
            finally:
                queue.task_done()

    for item in range(1, items + 1):
        await queue.put(item)
    workers = [asyncio.create_task(consumer(f"consumer {n}")) for n in range(1, consumers + 1)]
    try:
        await queue.join()
        print(f"all {items} items handled")
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return handled


@lesson(delay=check_delay)
async def priority_queue_order(delay: float = 1.0) -> list[str]:
    """Take jobs out of an :class:`asyncio.PriorityQueue` by priority, ties in insertion order.

    >>> asyncio.run(priority_queue_order(0.01))
    done: restart server (priority 1)
    done: fix typo (priority 1)
    done: answer email (priority 2)
    done: write report (priority 3)
    ['restart server', 'fix typo', 'answer email', 'write report']

    A priority queue hands out its *smallest* item first, so put ``(priority, ...)`` tuples: a
    lower number is more urgent. Tuples with equal priorities compare their next element: with
    ``(priority, name)`` the two priority-1 jobs would come out in alphabetical order ("fix
    typo" first), and items that cannot be compared (dicts, say) would raise :exc:`TypeError`.
    A running counter as the second element, ``(priority, count, job)``, settles every tie by
    insertion order and never compares the jobs. (A :func:`dataclasses.dataclass` with
    ``order=True`` and ``field(compare=False)`` on the payload does the same.) Each job takes
    *delay* seconds: 4 s in all with the default.

    :param delay: seconds each job takes; must not be negative.
    :returns: the jobs in the order they were done.
    """
    jobs = [(3, "write report"), (1, "restart server"), (2, "answer email"), (1, "fix typo")]
    queue: asyncio.PriorityQueue[tuple[int, int, str]] = asyncio.PriorityQueue()
    for count, (priority, job) in enumerate(jobs):
        await queue.put((priority, count, job))
    done: list[str] = []
    while not queue.empty():
        priority, _, job = await queue.get()
        await asyncio.sleep(delay)
        print(f"done: {job} (priority {priority})")
        done.append(job)
    return done


@lesson(delay=check_delay)
async def lifo_queue_order(delay: float = 1.0) -> list[str]:
    """Take items out of an :class:`asyncio.LifoQueue` newest first, like a stack.

    >>> asyncio.run(lifo_queue_order(0.01))
    took third
    took second
    took first
    ['third', 'second', 'first']

    A LIFO (last in, first out) queue hands out the item put most recently — useful for a
    depth-first walk, where the newest discovered work should be done first. Otherwise it works
    like :class:`asyncio.Queue`. Each item takes *delay* seconds: 3 s in all with the default.

    :param delay: seconds each item takes; must not be negative.
    :returns: the items in the order they were taken.
    """
    queue: asyncio.LifoQueue[str] = asyncio.LifoQueue()
    for item in ("first", "second", "third"):
        await queue.put(item)
    taken: list[str] = []
    while not queue.empty():
        item = await queue.get()
        await asyncio.sleep(delay)
        print(f"took {item}")
        taken.append(item)
    return taken


@lesson(maxsize=check_positive_int)
async def nowait_empty_and_full(maxsize: int = 2) -> list[str]:
    """Catch :exc:`asyncio.QueueEmpty` and :exc:`asyncio.QueueFull` from the ``_nowait`` methods.

    >>> asyncio.run(nowait_empty_and_full(2))
    get_nowait on an empty queue: QueueEmpty
    put_nowait on a full queue (2 of 2): QueueFull
    ['QueueEmpty', 'QueueFull']

    :meth:`~asyncio.Queue.get_nowait` and :meth:`~asyncio.Queue.put_nowait` are plain methods,
    not coroutines: where ``await queue.get()`` or ``await queue.put()`` would wait, they raise
    instead — :exc:`asyncio.QueueEmpty` when there is nothing to get, :exc:`asyncio.QueueFull`
    when a queue with a *maxsize* is full. (An unbounded queue, ``maxsize=0``, is never full.)
    Use them where waiting is not an option, for instance from a callback that is not a
    coroutine. Nothing here waits: the lesson takes no time.

    :param maxsize: how many items the queue holds; must be >= 1.
    :returns: the names of the exceptions caught.
    """
    queue: asyncio.Queue[int] = asyncio.Queue(maxsize)
    caught: list[str] = []
    try:
        queue.get_nowait()
    except asyncio.QueueEmpty as error:
        print(f"get_nowait on an empty queue: {type(error).__name__}")
        caught.append(type(error).__name__)
    for item in range(maxsize):
        queue.put_nowait(item)
    try:
        queue.put_nowait(maxsize)
    except asyncio.QueueFull as error:
        print(f"put_nowait on a full queue ({queue.qsize()} of {maxsize}): {type(error).__name__}")
        caught.append(type(error).__name__)
    return caught


@lesson(items=check_positive_int, maxsize=check_positive_int, delay=check_delay)
async def bounded_queue_back_pressure(items: int = 4, maxsize: int = 1, delay: float = 1.0) -> None:
    """Slow a fast producer down to a slow consumer's pace with a bounded :class:`asyncio.Queue`.

    >>> asyncio.run(bounded_queue_back_pressure(3, 1, 0.01))
    put item 1
    put item 2
    consumed item 1
    put item 3
    producer done
    consumed item 2
    consumed item 3

    The producer could put all *items* at once; the consumer needs *delay* seconds per item.
    With ``maxsize=1`` the queue holds one item, so ``await queue.put()`` waits whenever it is
    full: the producer puts an item each time the consumer takes one. The loop's clock shows it:
    with the defaults, items 1 and 2 are put at 0 s (the consumer takes item 1 at once), item 3
    at 1 s and item 4 at 2 s, and the consumer finishes at 4 s. With a *maxsize* of at least
    *items*, the producer would be done at 0 s. An unbounded queue (the default) never pushes
    back: if the producer is faster forever, memory fills up.

    :param items: how many items to produce; must be >= 1.
    :param maxsize: how many items the queue holds; must be >= 1.
    :param delay: seconds the consumer works on each item; must not be negative.
    """
    queue: asyncio.Queue[int] = asyncio.Queue(maxsize)

    async def producer() -> None:
        for item in range(1, items + 1):
            await queue.put(item)  # waits while the queue is full
            print(f"put item {item}")
        print("producer done")

    async def consumer() -> None:
        for _ in range(items):
            item = await queue.get()
            await asyncio.sleep(delay)
            print(f"consumed item {item}")

    await asyncio.gather(producer(), consumer())


if sys.version_info >= (3, 13):

    @lesson(items=check_positive_int, delay=check_delay)
    async def queue_shutdown(
        immediate: bool = False, items: int = 4, delay: float = 1.0
    ) -> list[int]:
        """Stop consumers cleanly with :meth:`asyncio.Queue.shutdown` and ``QueueShutDown``.

        >>> asyncio.run(queue_shutdown(False, 2, 0.01))
        shutdown(immediate=False): 1 item left in the queue
        put after shutdown: QueueShutDown
        handled item 1
        handled item 2
        consumer stops: QueueShutDown
        [1, 2]
        >>> asyncio.run(queue_shutdown(True, 2, 0.01))
        shutdown(immediate=True): 0 items left in the queue
        put after shutdown: QueueShutDown
        handled item 1
        consumer stops: QueueShutDown
        [1]

        *items* are queued; the consumer loops until ``await queue.get()`` raises
        :exc:`asyncio.QueueShutDown` — no sentinel value, no cancellation. As soon as the
        consumer has taken the first item, the queue is shut down: from then on ``put`` raises
        ``QueueShutDown``. By default ``get`` still returns the items left, and raises only once
        the queue is empty, so every item is handled (4 s with the defaults). With
        ``immediate=True`` the items left are dropped (and counted as done for
        :meth:`~asyncio.Queue.join`), so ``get`` raises as soon as the consumer asks again:
        only the item in hand is finished (1 s). Either way the consumer returns on its own and
        :meth:`~asyncio.Queue.join` returns.

        .. note:: Needs Python 3.13 (asyncio.Queue.shutdown).

        :param immediate: drop the items left in the queue instead of letting them be handled.
        :param items: how many items are queued; must be >= 1.
        :param delay: seconds the consumer works on each item; must not be negative.
        :returns: the items handled.
        """
        queue: asyncio.Queue[int] = asyncio.Queue()
        handled: list[int] = []

        async def consumer() -> None:
            while True:
                try:
                    item = await queue.get()
                except asyncio.QueueShutDown as error:
                    print(f"consumer stops: {type(error).__name__}")
                    return
                await asyncio.sleep(delay)
                print(f"handled item {item}")
                handled.append(item)
                queue.task_done()

        async def shut_down() -> None:
            await asyncio.sleep(0)  # let the consumer take item 1 first
            queue.shutdown(immediate=immediate)
            left = queue.qsize()
            print(
                f"shutdown(immediate={immediate}): {left} item{'s' * (left != 1)} left in the queue"
            )
            try:
                queue.put_nowait(items + 1)
            except asyncio.QueueShutDown as error:
                print(f"put after shutdown: {type(error).__name__}")
            await queue.join()

        for item in range(1, items + 1):
            await queue.put(item)
        await asyncio.gather(consumer(), shut_down())
        return handled


__all__ = exported(__name__)
