"""The event loop: what runs your coroutines.

The event loop is a scheduler in one thread. It keeps a queue of callbacks that are ready to run
and a heap of timers; each turn it runs the ready callbacks, then waits (in the operating system's
``select``) until a timer is due or a socket is ready. A task is a callback that steps its
coroutine to the next ``await``. Nothing runs in parallel: while a callback runs, everything else
waits — which is why blocking calls must go to a thread.

:func:`asyncio.run` creates a loop, runs one coroutine and closes the loop: it is the entry point of
an asyncio program. Inside a coroutine, :func:`asyncio.get_running_loop` gives you the loop, with
its own monotonic clock (:meth:`loop.time() <asyncio.loop.time>`) and its low-level scheduling
methods.

Read next: :mod:`asyncio_primer.errors`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

from asyncio_primer._validate import check_delay

__all__ = [
    "run_a_program",
    "loop_clock",
    "callback_order",
    "offload_with_to_thread",
    "offload_with_executor",
]


async def _main() -> str:
    loop = asyncio.get_running_loop()
    return f"running in {type(loop).__name__}"


def run_a_program() -> str:
    """Start an asyncio program from ordinary code with :func:`asyncio.run`.

    >>> run_a_program()
    'running in _UnixSelectorEventLoop'

    :func:`asyncio.run` is called once, at the top of a program, from synchronous code: it
    creates a fresh event loop, runs the coroutine until it returns, cancels whatever tasks are
    left, shuts down async generators and the default executor, and closes the loop. It raises
    :exc:`RuntimeError` if a loop is already running in this thread — so in ``python -m asyncio``
    or Jupyter, write ``await _main()`` instead.

    :returns: which loop class ran the coroutine (``_UnixSelectorEventLoop`` on Linux and macOS).
    """
    return asyncio.run(_main())


async def loop_clock(delay: float = 1.0) -> float:
    """Measure a sleep with the loop's own clock, :meth:`loop.time() <asyncio.loop.time>`.

    >>> elapsed = asyncio.run(loop_clock(0.01))
    >>> elapsed >= 0.01
    True

    The loop schedules timers on its monotonic clock: ``loop.time()`` is what ``call_at`` and
    every timeout are measured against. Under a virtual clock (as in this primer's tests) the
    same code reports exactly *delay*.

    :param delay: seconds to sleep; must not be negative.
    :returns: seconds elapsed on the loop's clock.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(delay)
    return loop.time() - start


async def callback_order(delay: float = 1.0) -> list[str]:
    """Schedule plain callbacks with ``call_later``, ``call_at`` and ``call_soon``; see their order.

    >>> asyncio.run(callback_order(0.01))
    ['call_soon', 'call_at', 'call_later']

    :meth:`loop.call_soon <asyncio.loop.call_soon>` runs a callback on the loop's next turn;
    :meth:`loop.call_later <asyncio.loop.call_later>` after a delay;
    :meth:`loop.call_at <asyncio.loop.call_at>` at an absolute :meth:`loop.time()
    <asyncio.loop.time>`. Here ``call_later(delay)`` is scheduled first and ``call_soon`` last,
    yet they run in time order: ``call_soon`` at once, ``call_at(now + delay / 2)``, then
    ``call_later(delay)``. The lesson takes *delay* seconds.

    :param delay: seconds until the last callback; must not be negative.
    :returns: the callbacks' names, in the order they ran.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    loop = asyncio.get_running_loop()
    order: list[str] = []
    finished: asyncio.Future[None] = loop.create_future()

    def record(name: str) -> None:
        order.append(name)
        if len(order) == 3 and not finished.done():
            finished.set_result(None)

    handles = [
        loop.call_later(delay, record, "call_later"),
        loop.call_at(loop.time() + delay / 2, record, "call_at"),
    ]
    loop.call_soon(record, "call_soon")
    try:
        await finished
    finally:
        for handle in handles:
            handle.cancel()
    return order


async def offload_with_to_thread(delay: float = 1.0) -> list[str]:
    """Run a blocking call in a thread with :func:`asyncio.to_thread` while the loop stays free.

    >>> asyncio.run(offload_with_to_thread(0.01))
    the loop is free while the thread blocks
    the thread got the signal
    ['the loop is free while the thread blocks', 'the thread got the signal']

    The blocking function waits on a :class:`threading.Event`. In a thread, that wait blocks only
    the thread: the loop goes on, sleeps *delay* seconds, and then sets the event that releases
    the thread. Called directly in the coroutine, the same wait would freeze the loop and never
    end — the loop could not run the code that sets the event (it is bounded by a timeout here, so
    a mistake cannot hang forever). The lesson takes *delay* seconds on the loop's clock.

    :param delay: seconds the loop works before releasing the thread; must not be negative.
    :returns: the lines printed, in order.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    released = threading.Event()
    lines: list[str] = []

    def blocking_wait() -> str:
        got_it = released.wait(timeout=60)
        return "the thread got the signal" if got_it else "the thread timed out"

    thread_call = asyncio.create_task(asyncio.to_thread(blocking_wait))
    try:
        await asyncio.sleep(delay)
        lines.append("the loop is free while the thread blocks")
        print(lines[-1])
    finally:
        released.set()  # even if we are cancelled, never leave the thread waiting
    lines.append(await thread_call)
    print(lines[-1])
    return lines


def _count_primes(limit: int) -> int:
    sieve = bytearray([1]) * max(limit, 2)
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve[:limit])


async def offload_with_executor(limit: int = 100_000) -> int:
    """Run CPU-bound work in a thread pool with :meth:`~asyncio.loop.run_in_executor`.

    >>> asyncio.run(offload_with_executor(100))
    25 primes below 100
    25

    ``run_in_executor(pool, func, *args)`` submits *func* to a :mod:`concurrent.futures` pool
    and returns an awaitable future for its result; ``None`` as the pool means the loop's default
    thread pool. Use a :class:`concurrent.futures.ProcessPoolExecutor` when pure-Python work must
    use more than one core (threads share the GIL).

    :param limit: count the primes below this number; must be >= 0.
    :returns: how many primes are below *limit*.
    :raises ValueError: if *limit* is negative.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be an int >= 0, got {limit!r}")
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        count = await loop.run_in_executor(pool, _count_primes, limit)
    print(f"{count} primes below {limit}")
    return count
