"""Synchronization: locks, events, conditions, semaphores and barriers between tasks.

**The problem, and the idea.** asyncio runs one task at a time, so two tasks never touch the same
data *at the same instant*;
but a task can be paused at any ``await``, and another task then runs. Code that reads shared
state, awaits, and writes it back can lose the other task's update. asyncio's synchronization
primitives coordinate tasks at those ``await`` points: :class:`asyncio.Lock` lets one task at a
time through a critical section, :class:`asyncio.Event` releases every waiter at once,
:class:`asyncio.Condition` lets tasks wait until a predicate on shared state holds,
:class:`asyncio.Semaphore` admits at most *K* tasks at once, and (Python 3.11+)
:class:`asyncio.Barrier` makes a fixed number of tasks wait for each other.

They mirror the :mod:`threading` primitives, with two differences: their methods that wait are
coroutines (``await lock.acquire()``, ``async with lock:``) and take no *timeout* — wrap them in
:func:`asyncio.wait_for` or ``asyncio.timeout()`` instead. And they are **not thread-safe**: use
them only from tasks of their own event loop. To reach the loop from another thread, use
:meth:`loop.call_soon_threadsafe() <asyncio.loop.call_soon_threadsafe>` or
:func:`asyncio.run_coroutine_threadsafe`.

Read next: :mod:`asyncio_primer.queues`, which hand work from task to task with the
synchronization built in — often simpler than a lock and a condition.
"""

from __future__ import annotations

import asyncio
import sys

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_positive_int


@lesson(workers=check_positive_int, delay=check_delay)
async def lock_prevents_lost_updates(workers: int = 3, delay: float = 1.0) -> tuple[int, int]:
    """Lose updates to a shared counter without an :class:`asyncio.Lock`; keep them all with one.

    >>> asyncio.run(lock_prevents_lost_updates(3, 0.01))
    without a lock: 3 increments, counter = 1
    with a lock: 3 increments, counter = 3
    (1, 3)

    Each increment reads the counter, awaits (say, a database round trip of *delay* seconds)
    and writes back what it read plus one. Without a lock, every worker reads 0 before any of
    them writes, so all write 1: two updates are lost. Holding the lock (``async with lock:``)
    around the whole read-modify-write lets one worker through at a time, so the counter ends
    at *workers*. The price is visible on the loop's clock: the unlocked pass takes *delay*
    seconds, the locked one *workers* times *delay* (1 s + 3 s with the defaults).

    :param workers: how many tasks increment the counter once each; must be >= 1.
    :param delay: seconds between each read and its write; must not be negative.
    :returns: the counter without the lock, then with it.
    """
    counter = 0
    lock = asyncio.Lock()

    async def increment() -> None:
        nonlocal counter
        value = counter  # read
        await asyncio.sleep(delay)  # other tasks run here, and read the same value
        counter = value + 1  # write: overwrites what they wrote meanwhile

    async def increment_with_lock() -> None:
        async with lock:
            await increment()

    results: list[int] = []
    for label, job in (("without a lock", increment), ("with a lock", increment_with_lock)):
        counter = 0
        await asyncio.gather(*(job() for _ in range(workers)))
        print(f"{label}: {workers} increments, counter = {counter}")
        results.append(counter)
    return results[0], results[1]


@lesson(waiters=check_positive_int, delay=check_delay)
async def event_releases_all_waiters(waiters: int = 3, delay: float = 1.0) -> list[str]:
    """Release several waiting tasks at once with :meth:`asyncio.Event.set`.

    >>> asyncio.run(event_releases_all_waiters(2, 0.01))
    waiter 1 waits
    waiter 2 waits
    setting the event
    waiter 1 released
    waiter 2 released
    ['waiter 1', 'waiter 2']

    An :class:`asyncio.Event` is a flag that tasks wait for with ``await event.wait()``. One call
    to :meth:`~asyncio.Event.set` wakes *every* waiter, in the order they started waiting, and
    later ``wait()`` calls return at once until :meth:`~asyncio.Event.clear` lowers the flag
    again. Here the waiters start at once and are all released after *delay* seconds.

    :param waiters: how many tasks wait for the event; must be >= 1.
    :param delay: seconds before the event is set; must not be negative.
    :returns: the waiters' names, in the order they were released.
    """
    event = asyncio.Event()
    released: list[str] = []

    async def waiter(name: str) -> None:
        print(f"{name} waits")
        await event.wait()
        print(f"{name} released")
        released.append(name)

    async def set_later() -> None:
        await asyncio.sleep(delay)
        print("setting the event")
        event.set()

    await asyncio.gather(*(waiter(f"waiter {n}") for n in range(1, waiters + 1)), set_later())
    return released


@lesson(items=check_positive_int, delay=check_delay)
async def condition_wait_for(items: int = 3, delay: float = 1.0) -> list[int]:
    """Wait with :meth:`asyncio.Condition.wait_for` until shared state satisfies a predicate.

    >>> asyncio.run(condition_wait_for(3, 0.01))
    produced 1
    produced 2
    produced 3
    consumer woke with [1, 2, 3] after 4 checks
    [1, 2, 3]

    A consumer needs a full batch of *items*; a producer adds one every *delay* seconds. The
    consumer holds the condition's lock and calls ``wait_for(predicate)``, which checks the
    predicate, and while it is false releases the lock, waits, and re-acquires the lock. The
    producer changes the batch while holding the lock and calls
    :meth:`~asyncio.Condition.notify` (one waiter) — :meth:`~asyncio.Condition.notify_all`
    would wake every waiter. Each notification makes the consumer check again: once at the
    start and once per item, 4 checks with the defaults, and it proceeds only at the third
    item, after 3 s.

    :param items: how many items make a full batch; must be >= 1.
    :param delay: seconds between items; must not be negative.
    :returns: the batch the consumer took.
    """
    condition = asyncio.Condition()
    batch: list[int] = []
    checks = 0

    def batch_is_full() -> bool:
        nonlocal checks
        checks += 1
        return len(batch) >= items

    async def consumer() -> list[int]:
        async with condition:
            await condition.wait_for(batch_is_full)
            print(f"consumer woke with {batch} after {checks} checks")
            return list(batch)

    async def producer() -> None:
        for n in range(1, items + 1):
            await asyncio.sleep(delay)
            async with condition:
                batch.append(n)
                print(f"produced {n}")
                condition.notify()

    taken, _ = await asyncio.gather(consumer(), producer())
    return taken


@lesson(delay=check_delay)
async def bounded_semaphore_over_release(delay: float = 1.0) -> str:
    """Refuse a release too many with :class:`asyncio.BoundedSemaphore`; a plain semaphore takes it.

    >>> asyncio.run(bounded_semaphore_over_release(0.01))
    Semaphore(1): extra release accepted, 2 holders at once
    BoundedSemaphore(1): ValueError: BoundedSemaphore released too many times
    'BoundedSemaphore released too many times'

    Releasing a semaphore more often than it was acquired is a bug. A plain
    :class:`asyncio.Semaphore` accepts it silently and raises its limit: a ``Semaphore(1)`` then
    lets two tasks in. A :class:`asyncio.BoundedSemaphore` remembers its initial value and raises
    :exc:`ValueError` on a release beyond it, so the bug shows where it happens. Each semaphore
    is held once for *delay* seconds before the extra release (2 s in all with the default).

    :param delay: seconds each semaphore is held; must not be negative.
    :returns: the message of the :exc:`ValueError` the bounded semaphore raised.
    """
    plain = asyncio.Semaphore(1)
    async with plain:
        await asyncio.sleep(delay)
    plain.release()  # one release too many: accepted
    await plain.acquire()
    await plain.acquire()  # does not wait: the limit is now 2
    print("Semaphore(1): extra release accepted, 2 holders at once")
    plain.release()
    plain.release()

    bounded = asyncio.BoundedSemaphore(1)
    async with bounded:
        await asyncio.sleep(delay)
    try:
        bounded.release()  # one release too many: refused
    except ValueError as error:
        print(f"BoundedSemaphore(1): ValueError: {error}")
        return str(error)
    raise AssertionError("unreachable: the extra release fails")  # pragma: no cover, no mutate


if sys.version_info >= (3, 11):

    @lesson(parties=check_positive_int, delay=check_delay)
    async def barrier_parties_meet(parties: int = 3, delay: float = 1.0) -> list[int]:
        """Make *parties* tasks wait for each other at an :class:`asyncio.Barrier`.

        >>> asyncio.run(barrier_parties_meet(3, 0.01))
        party 1 arrives
        party 2 arrives
        party 3 arrives
        party 3 passes with index 2
        party 1 passes with index 0
        party 2 passes with index 1
        [0, 1, 2]

        Party *n* arrives after *n* times *delay* seconds and calls ``await barrier.wait()``. No
        party passes until the last one arrives: then all pass together (after 3 s with the
        defaults). :meth:`~asyncio.Barrier.wait` returns each party a distinct index from ``0``
        to ``parties - 1`` — here in the order they arrived — handy to pick one party for a
        job all of them need done once. The barrier then resets and can be used again.

        .. note:: Needs Python 3.11 (asyncio.Barrier).

        :param parties: how many tasks meet at the barrier; must be >= 1.
        :param delay: seconds between arrivals; must not be negative.
        :returns: the index each party got, in party order.
        """
        barrier = asyncio.Barrier(parties)

        async def party(n: int) -> int:
            await asyncio.sleep(n * delay)
            print(f"party {n} arrives")
            index = await barrier.wait()
            print(f"party {n} passes with index {index}")
            return index

        return list(await asyncio.gather(*(party(n) for n in range(1, parties + 1))))

    @lesson(delay=check_delay)
    async def barrier_broken_by_timeout(delay: float = 1.0) -> list[str]:
        """Break an :class:`asyncio.Barrier` with ``abort()`` when a wait for it times out.

        >>> asyncio.run(barrier_broken_by_timeout(0.01))
        party 1 timed out; aborting the barrier
        party 2: BrokenBarrierError: Abort or reset of barrier
        party 3 arrives late: BrokenBarrierError: Barrier aborted
        ['timed out', 'broken', 'broken']

        Three parties should meet, but the third comes only after 2 *delay* seconds. Party 1
        waits at most *delay* seconds (``asyncio.timeout()``). A timeout cancels only *its own*
        wait — unlike :meth:`threading.Barrier.wait`, :meth:`asyncio.Barrier.wait` takes no
        timeout and a cancelled waiter leaves the barrier intact — so party 1 calls ``await
        barrier.abort()``: the barrier is broken, party 2 (still waiting) gets
        :exc:`asyncio.BrokenBarrierError`, and so does party 3 when it arrives, instead of
        waiting forever for partners that gave up. The lesson takes 2 *delay* seconds.

        .. note:: Needs Python 3.11 (asyncio.Barrier, asyncio.timeout).

        :param delay: how long party 1 waits; must not be negative.
        :returns: each party's outcome, in party order.
        """
        barrier = asyncio.Barrier(3)

        async def impatient() -> str:
            try:
                async with asyncio.timeout(delay):
                    await barrier.wait()
            except TimeoutError:
                print("party 1 timed out; aborting the barrier")
                await barrier.abort()
                return "timed out"
            return "passed"  # pragma: no cover, no mutate - party 3 is always too late

        async def patient(n: int, arrival: float) -> str:
            await asyncio.sleep(arrival)
            late = " arrives late" if barrier.broken else ""
            try:
                await barrier.wait()
            except asyncio.BrokenBarrierError as error:
                print(f"party {n}{late}: BrokenBarrierError: {error}")
                return "broken"
            return "passed"  # pragma: no cover, no mutate - party 1 always aborts

        return list(await asyncio.gather(impatient(), patient(2, 0), patient(3, 2 * delay)))


__all__ = exported(__name__)
