"""Benefits: what asyncio buys you, measured against the alternative.

Guides promise that asyncio keeps a program responsive, holds many waits cheaply and serves many
connections from one thread. These lessons measure each claim on real time, side by side with
what you would otherwise write — a blocking call, a thread per wait, a thread per connection — so
that you can rerun them on your own machine. ``python -m asyncio_primer bench`` runs them all
and prints the figures; :doc:`measured` shows the figures from one run.

Every lesson here measures the real clock, so the docs and the command line run them on real time:
their output changes from run to run, and their tests
check what holds by construction (a blocked heartbeat misses at least the blocking call) rather
than speeds.

Read next: :mod:`asyncio_primer.tasks` (the three workers measured here) and
:mod:`asyncio_primer.event_loop` (why a blocking call stalls everything).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import threading
import time
from collections.abc import Awaitable, Callable, Sequence

from asyncio_primer._registry import exported, lesson
from asyncio_primer._support.echo import (
    EchoServerThread,
    check_file_limit,
    clients_in_child_process,
)
from asyncio_primer._support.memory import resident_memory
from asyncio_primer._validate import (
    check_delay,
    check_delays,
    check_positive_int,
    check_timeout,
    one_of,
)
from asyncio_primer.tasks import run_workers

#: Echo servers :func:`echo_load` can measure; ``"uvloop"`` needs the ``uvloop`` package.
ECHO_SERVERS = ("asyncio", "threads", "uvloop")


# -- The ideal --------------------------------------------------------------------------------


@lesson(real_time=True, delays=check_delays)
async def workers_on_real_time(delays: Sequence[float] = (5.0, 3.0, 1.0)) -> float:
    """Run the three workers of :func:`~asyncio_primer.tasks.run_workers` and time them.

    >>> ratio = asyncio.run(workers_on_real_time([0.03, 0.02, 0.01]))  # doctest: +ELLIPSIS
    Task 1 started
    ...
    Task 1 finished
    elapsed ... s for an ideal 0.03 s: ratio ...
    >>> 0.99 < ratio < 10
    True

    Concurrency's ideal is that the whole run takes as long as the longest wait: 5 s for workers
    sleeping 5, 3 and 1 s. On real time the loop adds a little — scheduling, printing, waking
    from ``select`` — so the ratio of elapsed time to the ideal is a hair above 1. The clock is
    :meth:`loop.time() <asyncio.loop.time>`, so on the primer's virtual clock the ratio is
    exactly 1.

    :param delays: one delay per worker, in seconds; none may be negative, one must be > 0.
    :returns: elapsed time divided by the longest delay.
    """
    ideal = max(delays)
    if ideal <= 0:
        raise ValueError(f"delays must hold a delay > 0, got {delays!r}")
    loop = asyncio.get_running_loop()
    start = loop.time()
    await run_workers(delays)
    elapsed = loop.time() - start
    ratio = elapsed / ideal
    print(f"elapsed {elapsed:.4f} s for an ideal {ideal:g} s: ratio {ratio:.4f}")
    return ratio


# -- Responsiveness ---------------------------------------------------------------------------


async def _largest_gap(slow_call: Callable[[], Awaitable[None]], interval: float) -> float:
    """Tick a heartbeat every *interval* seconds around *slow_call*; return the largest gap."""
    ticks: list[float] = []
    ticked = asyncio.Event()
    finished = False

    async def heartbeat() -> None:
        while True:
            ticks.append(time.perf_counter())
            ticked.set()
            if finished:
                return
            await asyncio.sleep(interval)

    beat = asyncio.create_task(heartbeat())
    try:
        await ticked.wait()  # the heartbeat has ticked once: the slow call starts after a tick
        await slow_call()
    except BaseException:
        beat.cancel()
        raise
    finally:
        finished = True
    await beat  # one more tick, after the slow call
    return max(later - earlier for earlier, later in zip(ticks, ticks[1:]))


@lesson(real_time=True, wait=check_delay, interval=check_timeout)
async def heartbeat_gaps(wait: float = 1.0, interval: float = 0.1) -> dict[str, float]:
    """Tick a heartbeat every *interval* s while another coroutine waits: awaiting, then blocking.

    >>> gaps = asyncio.run(heartbeat_gaps(0.3, 0.05))  # doctest: +ELLIPSIS
    largest heartbeat gap while the other coroutine awaits asyncio.sleep(0.3): ... s
    largest heartbeat gap while the other coroutine calls time.sleep(0.3): ... s
    >>> gaps["time.sleep"] >= 0.3
    True

    A heartbeat task stamps :func:`time.perf_counter` every *interval* seconds. First another
    coroutine awaits :func:`asyncio.sleep` for *wait* seconds — slow I/O, as a socket read would
    be: the loop keeps running the heartbeat, and its largest gap stays near *interval*. Then the
    other coroutine calls :func:`time.sleep` instead: the whole thread blocks, the loop cannot
    run the heartbeat, and the gap is at least *wait* (the blocking call starts right after a
    tick, so this holds by construction). Any blocking call — a synchronous HTTP request, a
    database driver without async support, heavy computation — stalls every task the same way;
    hand it to :func:`asyncio.to_thread` instead.

    :param wait: seconds the other coroutine waits; must not be negative.
    :param interval: seconds between heartbeats; must be > 0.
    :returns: the largest gap between two heartbeats, in seconds, keyed ``"asyncio.sleep"`` and
        ``"time.sleep"``.
    """

    async def awaiting() -> None:
        await asyncio.sleep(wait)

    async def blocking() -> None:
        time.sleep(wait)  # noqa: ASYNC251 - blocking the loop is what this lesson measures

    gaps: dict[str, float] = {}
    for name, verb, slow_call in [
        ("asyncio.sleep", "awaits", awaiting),
        ("time.sleep", "calls", blocking),
    ]:
        gaps[name] = await _largest_gap(slow_call, interval)
        print(
            f"largest heartbeat gap while the other coroutine {verb} {name}({wait:g}):"
            f" {gaps[name]:.3f} s"
        )
    return gaps


# -- Resources --------------------------------------------------------------------------------


async def _hold_with_tasks(count: int) -> tuple[float, float]:
    """Hold *count* waits as tasks; return (bytes per task, seconds until all waited)."""
    release = asyncio.Event()
    all_waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiting = 0

    async def hold() -> None:
        nonlocal waiting
        waiting += 1
        if waiting == count:
            all_waiting.set_result(None)
        await release.wait()

    gc.collect()
    before = resident_memory()
    start = time.perf_counter()
    held: list[asyncio.Task[None]] = []
    try:
        held.extend(asyncio.create_task(hold()) for _ in range(count))
        await all_waiting
        seconds = time.perf_counter() - start
        grown = resident_memory() - before
    finally:
        release.set()
        await asyncio.gather(*held)
    return max(grown, 0) / count, seconds


def _hold_with_threads(count: int) -> tuple[float, float]:
    """Hold *count* waits as threads; return (bytes per thread, seconds until all waited)."""
    release = threading.Event()
    all_waiting = threading.Event()
    lock = threading.Lock()
    waiting = 0

    def hold() -> None:
        nonlocal waiting
        with lock:
            waiting += 1
            if waiting == count:
                all_waiting.set()
        release.wait(timeout=600)  # bounded: a mistake cannot keep a thread forever

    gc.collect()
    before = resident_memory()
    start = time.perf_counter()
    held: list[threading.Thread] = []
    try:
        for _ in range(count):
            held.append(threading.Thread(target=hold, daemon=True))
            held[-1].start()
        all_waiting.wait(timeout=600)
        seconds = time.perf_counter() - start
        grown = resident_memory() - before
    finally:
        release.set()
        for thread in held:
            thread.join()
    return max(grown, 0) / count, seconds


@lesson(real_time=True, needs={"threads"}, count=check_positive_int)
async def tasks_vs_threads(count: int = 10_000) -> dict[str, float]:
    """Hold *count* concurrent waits as tasks, then as threads: memory and start-up time.

    >>> costs = asyncio.run(tasks_vs_threads(100))  # doctest: +ELLIPSIS
    100 tasks: ... bytes each, all waiting after ... s
    100 threads: ... bytes each, all waiting after ... s
    >>> sorted(costs)
    ['task_bytes', 'task_seconds', 'thread_bytes', 'thread_seconds']

    Each task awaits one :class:`asyncio.Event`; each thread waits on one
    :class:`threading.Event`. A task is a few Python objects — the task, its coroutine and frame,
    a future it waits on — in one thread. A thread also gets a C stack that the operating system
    maps for it (the first pages of it become resident), a Python thread state and a kernel
    thread, and starting one is a system call. Memory is the growth of the process's *resident
    set size* (the memory it holds in RAM), not :mod:`tracemalloc`: tracemalloc sees only what
    Python's allocator hands out, not thread stacks, and would make threads look nearly free.
    Tasks are measured first, so memory they freed may be reused by the threads' Python objects:
    if anything, threads look a little cheaper than they are. The threads start in a worker
    thread (:func:`asyncio.to_thread`), so the loop stays free while they do.

    :param count: how many concurrent waits to hold; must be >= 1.
    :returns: bytes per task and per thread, and seconds until all *count* were waiting.
    """
    task_bytes, task_seconds = await _hold_with_tasks(count)
    print(f"{count} tasks: {task_bytes:.0f} bytes each, all waiting after {task_seconds:.3f} s")
    thread_bytes, thread_seconds = await asyncio.to_thread(_hold_with_threads, count)
    print(
        f"{count} threads: {thread_bytes:.0f} bytes each, all waiting after {thread_seconds:.3f} s"
    )
    return {
        "task_bytes": task_bytes,
        "task_seconds": task_seconds,
        "thread_bytes": thread_bytes,
        "thread_seconds": thread_seconds,
    }


# -- Scalability ------------------------------------------------------------------------------


@lesson(
    real_time=True,
    needs={"sockets", "subprocesses", "threads"},
    server=one_of(*ECHO_SERVERS),
    clients=check_positive_int,
    requests=check_positive_int,
    size=check_positive_int,
)
async def echo_load(
    server: str = "asyncio",
    clients: int = 100,
    requests: int = 20,
    size: int = 64,
) -> dict[str, float]:
    """Serve *clients* concurrent echo clients from one server; measure requests per second.

    >>> stats = asyncio.run(echo_load("asyncio", clients=5, requests=2))  # doctest: +ELLIPSIS
    asyncio server, 5 clients x 2 requests: ... requests/s, latency p50 ... ms, p99 ... ms
    >>> stats["requests"]
    10.0

    The server runs in a thread of its own, on 127.0.0.1 with a port the system picks:

    - ``"asyncio"``: :func:`asyncio.start_server`, one event loop, one thread for every client;
    - ``"threads"``: :class:`socketserver.ThreadingTCPServer`, one thread per connection;
    - ``"uvloop"``: the same asyncio server on `uvloop <https://uvloop.readthedocs.io>`_'s event
      loop (``pip install asyncio-primer[uvloop]``). Switching the loop is one line: the server
      thread creates its loop with ``uvloop.new_event_loop()`` instead of
      :func:`asyncio.new_event_loop`; in a program, ``uvloop.run(main())`` or, on Python 3.12+,
      ``asyncio.run(main(), loop_factory=uvloop.new_event_loop)``.

    The clients are the same for every server, and run in a child process (started with
    :func:`asyncio.create_subprocess_exec`) so that they do not compete with the server for this
    process's GIL: *clients* connections (low-level :class:`asyncio.Protocol` clients, on uvloop
    where it is installed, to keep them lighter than any server). Each first makes one untimed
    round trip, so that the server has accepted every connection (and started its thread) before
    the clock starts; then all clients at once send *requests* messages of *size* bytes, one
    after another, each waiting for its echo. Requests per second count only that timed phase
    (connecting is timed apart), and each round trip is a latency sample. One Python process of
    clients can itself be the limit, so compare the servers with each other, on the same machine.

    Each client holds two sockets (its own, in the child, and the server's end, here), so each
    process needs about *clients* file descriptors and more: the lesson checks
    :func:`resource.getrlimit` first and refuses clearly if the limit is lower than
    ``2 * clients`` (raise it with ``ulimit -n`` or :func:`resource.setrlimit`).

    :param server: ``"asyncio"``, ``"threads"`` or ``"uvloop"``.
    :param clients: concurrent connections; must be >= 1.
    :param requests: round trips per client; must be >= 1.
    :param size: bytes per message; must be >= 1.
    :returns: ``requests`` (total), ``seconds``, ``requests_per_second``, ``connect_seconds``
        and latency percentiles ``p50_ms``, ``p90_ms``, ``p99_ms``.
    :raises ValueError: if an argument is out of range, or the file limit is too low.
    :raises ModuleNotFoundError: if *server* is ``"uvloop"`` and uvloop is not installed.
    :raises RuntimeError: if the client process fails.
    """
    check_file_limit(clients)  # two sockets per client: refuse clearly if there are too few
    if server == "uvloop":
        importlib.import_module("uvloop")  # fail before starting anything

    echo_server = EchoServerThread(server, backlog=min(clients, 1024))
    port = echo_server.start()
    try:
        stats = await clients_in_child_process(port, clients, requests, size)
    finally:
        await asyncio.to_thread(echo_server.stop)  # joining the server's threads blocks
    print(
        f"{server} server, {clients} clients x {requests} requests:"
        f" {stats['requests_per_second']:.0f} requests/s,"
        f" latency p50 {stats['p50_ms']:.2f} ms, p99 {stats['p99_ms']:.2f} ms"
    )
    return stats


__all__ = exported(__name__)
