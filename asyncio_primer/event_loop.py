"""The event loop: what runs your coroutines.

**The question.** Tasks "run while others wait" — but who decides which one runs, and what
happens while all of them wait? And what if some code does not wait politely but blocks?

**The answer.** The :term:`event loop` is a scheduler in one thread. It keeps a queue of callbacks
that are ready to run and a heap of timers; each turn it runs the ready callbacks, then waits (in
the operating system's ``select``) until a timer is due or a socket is ready. A task is a callback
that steps its coroutine to the next ``await``. Nothing runs in parallel: while a callback runs,
everything else waits — which is why blocking calls must go to a thread.

:func:`asyncio.run` creates a loop, runs one coroutine and closes the loop: it is the entry point of
an asyncio program. Inside a coroutine, :func:`asyncio.get_running_loop` gives you the loop, with
its own monotonic clock (:meth:`loop.time() <asyncio.loop.time>`) and its low-level scheduling
methods for :term:`callbacks <callback>`.

The loop lives in one thread, and almost nothing about it is thread-safe: blocking work goes out to
a thread or a process pool, and other threads come back in only through
:meth:`loop.call_soon_threadsafe <asyncio.loop.call_soon_threadsafe>` and
:func:`asyncio.run_coroutine_threadsafe`. The loop also reports what went wrong where nobody was
awaiting (its exception handler), points at the callbacks that block it (debug mode), and turns
Unix signals into callbacks, for a :term:`graceful shutdown`.

Read next: :mod:`asyncio_primer.async_iteration`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import logging.handlers
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from typing import Any

from asyncio_primer._own_loop import starts_its_own_loop
from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay


async def _main() -> str:
    loop = asyncio.get_running_loop()
    return f"running in {type(loop).__name__}"


@lesson()
@starts_its_own_loop
def run_a_program() -> str:
    """Start an asyncio program from ordinary code with :func:`asyncio.run`.

    >>> run_a_program()
    'running in _UnixSelectorEventLoop'

    :func:`asyncio.run` is called once, at the top of a program, from synchronous code: it
    creates a fresh event loop, runs the coroutine until it returns, cancels whatever tasks are
    left, shuts down async generators and the default executor, and closes the loop. It raises
    :exc:`RuntimeError` if a loop is already running in this thread: in ``python -m asyncio``
    or Jupyter, where one runs, ``await`` your main coroutine instead (``await main()``).

    Called where a loop already runs, this lesson runs in a worker thread of its own, which has
    no loop yet (on WebAssembly, which has no threads, it refuses there with
    :exc:`RuntimeError`).

    :returns: which loop class ran the coroutine (``_UnixSelectorEventLoop`` on Linux and macOS).
    """
    return asyncio.run(_main())


@lesson(delay=check_delay)
async def loop_clock(delay: float = 1.0) -> float:
    """Measure a sleep with the loop's own clock, :meth:`loop.time() <asyncio.loop.time>`.

    >>> elapsed = asyncio.run(loop_clock(0.01))
    >>> elapsed >= 0.01
    True

    The loop schedules timers on its monotonic clock: ``loop.time()`` is what ``call_at`` and
    every timeout are measured against. On :term:`virtual time` (as in this primer's tests) the
    same code reports exactly *delay*.

    :param delay: seconds to sleep; must not be negative.
    :returns: seconds elapsed on the loop's clock.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(delay)
    return loop.time() - start


@lesson(delay=check_delay)
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
    """
    loop = asyncio.get_running_loop()
    order: list[str] = []
    finished: asyncio.Future[None] = loop.create_future()

    def record(name: str) -> None:
        order.append(name)
        if len(order) == 3 and not finished.done():
            finished.set_result(None)

    now = loop.time()  # read first: call_later reads the clock again, a little later
    handles = [
        loop.call_later(delay, record, "call_later"),
        loop.call_at(now + delay / 2, record, "call_at"),
    ]
    loop.call_soon(record, "call_soon")
    try:
        await finished
    finally:
        for handle in handles:
            handle.cancel()
    return order


@lesson(needs={"threads"}, delay=check_delay)
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
    """
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


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be an int >= 0, got {limit!r}")


def _count_primes(limit: int) -> int:
    sieve = bytearray([1]) * max(limit, 2)
    sieve[0:2] = b"\x00\x00"
    for n in range(2, int(limit**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytes(len(range(n * n, limit, n)))
    return sum(sieve[:limit])


@lesson(needs={"threads"})
async def offload_with_executor(limit: int = 100_000) -> int:
    """Run CPU-bound work in a thread pool with :meth:`~asyncio.loop.run_in_executor`.

    >>> asyncio.run(offload_with_executor(100))
    25 primes below 100
    25

    ``run_in_executor(pool, func, *args)`` submits *func* to a :mod:`concurrent.futures` pool
    and returns an awaitable future for its result; ``None`` as the pool means the loop's default
    thread pool. Use a :class:`concurrent.futures.ProcessPoolExecutor` when pure-Python work must
    use more than one core (threads share the GIL; see :func:`offload_to_process_pool`).

    :param limit: count the primes below this number; must be >= 0.
    :returns: how many primes are below *limit*.
    :raises ValueError: if *limit* is negative.
    """
    _check_limit(limit)
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        count = await loop.run_in_executor(pool, _count_primes, limit)
    print(f"{count} primes below {limit}")
    return count


def _count_primes_in_process(limit: int) -> tuple[int, int]:
    # A process pool pickles the function by name: it must be defined at module level.
    return _count_primes(limit), os.getpid()


@lesson(needs={"processes"})
async def offload_to_process_pool(limit: int = 100_000) -> int:
    """Run CPU-bound work in another process with ``run_in_executor`` and a process pool.

    >>> asyncio.run(offload_to_process_pool(100))
    25 primes below 100, counted in another process: True
    25

    A thread pool cannot speed up pure-Python computation: threads take turns holding the GIL.
    :meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` with a
    :class:`~concurrent.futures.ProcessPoolExecutor` runs the
    function in a worker process, on another core, and the loop awaits its result like any
    future. The function and its arguments are pickled, so the function must be defined at module
    level. The pool starts its workers with the ``spawn`` method
    (:func:`multiprocessing.get_context`): ``fork``, the default on Linux before Python 3.14,
    copies a process that has threads, which is unsafe (Python 3.12 warns about it). A spawned
    worker imports your main module afresh, so a script must start its program under
    ``if __name__ == "__main__":``. The ``with`` block shuts the pool down and waits for its
    worker to exit.

    :param limit: count the primes below this number; must be >= 0.
    :returns: how many primes are below *limit*.
    :raises ValueError: if *limit* is negative.
    """
    _check_limit(limit)
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        count, pid = await loop.run_in_executor(pool, _count_primes_in_process, limit)
    print(f"{count} primes below {limit}, counted in another process: {pid != os.getpid()}")
    return count


@lesson(needs={"threads"}, delay=check_delay)
async def call_soon_threadsafe_from_a_thread(delay: float = 1.0) -> str:
    """Hand a value from a :class:`threading.Thread` to the loop with ``call_soon_threadsafe``.

    >>> asyncio.run(call_soon_threadsafe_from_a_thread(0.01))
    the loop lets the thread go
    the loop got: hello from thread worker
    'hello from thread worker'

    Almost nothing in asyncio is thread-safe: another thread must not set a future's result or
    call :meth:`loop.call_soon <asyncio.loop.call_soon>` (in debug mode that raises
    :exc:`RuntimeError`). :meth:`loop.call_soon_threadsafe <asyncio.loop.call_soon_threadsafe>`
    is the one door in: it queues the callback and wakes the loop, and the callback then runs in
    the loop's thread, where it may touch the future. Here the thread's blocking work is a wait on
    a :class:`threading.Event` that the loop sets after *delay* seconds; the thread then hands
    its value over, and the lesson joins it (it has finished or is finishing, so the join is
    immediate). The lesson takes *delay* seconds on the loop's clock.

    :param delay: seconds before the loop lets the thread go; must not be negative.
    :returns: the value the thread handed over.
    """
    loop = asyncio.get_running_loop()
    handed_over: asyncio.Future[str] = loop.create_future()
    go = threading.Event()

    def deliver(value: str) -> None:  # runs in the loop's thread
        if not handed_over.done():  # the lesson may have been cancelled meanwhile
            handed_over.set_result(value)

    def work() -> None:  # runs in the worker thread
        go.wait(timeout=60)  # stands for blocking work; bounded, so a mistake cannot hang
        loop.call_soon_threadsafe(deliver, f"hello from thread {threading.current_thread().name}")

    thread = threading.Thread(target=work, name="worker")
    thread.start()
    try:
        await asyncio.sleep(delay)  # the loop is free while the thread blocks
        print("the loop lets the thread go")
        go.set()
        value = await handed_over
    finally:
        go.set()  # even if we are cancelled, never leave the thread waiting
        thread.join()
    print(f"the loop got: {value}")
    return value


@lesson(needs={"threads"}, delay=check_delay)
async def run_coroutine_threadsafe_from_a_thread(delay: float = 1.0) -> str:
    """Run a coroutine on the loop from another thread with ``run_coroutine_threadsafe``.

    >>> asyncio.run(run_coroutine_threadsafe_from_a_thread(0.01))
    the thread got: looked up in thread MainThread
    'looked up in thread MainThread'

    Synchronous code in another thread (a callback from a non-async library, say) cannot
    ``await``. :func:`asyncio.run_coroutine_threadsafe` submits a coroutine to a loop running in
    another thread and returns a :class:`concurrent.futures.Future`, whose ``result()`` blocks
    the calling *thread* until the coroutine is done. The coroutine runs in the loop's thread
    (``MainThread`` here), so the loop must stay free meanwhile: this lesson waits for the thread
    with ``await asyncio.to_thread(thread.join)``. A plain ``thread.join()`` would block the loop,
    the coroutine could never run, and the two threads would wait for each other forever. The
    lesson takes *delay* seconds, the time the coroutine sleeps.

    :param delay: seconds the submitted coroutine takes; must not be negative.
    :returns: the coroutine's result, as the thread received it.
    """
    loop = asyncio.get_running_loop()
    received: list[str] = []

    async def look_up() -> str:  # runs on the loop
        await asyncio.sleep(delay)
        return f"looked up in thread {threading.current_thread().name}"

    def work() -> None:  # runs in the worker thread
        future = asyncio.run_coroutine_threadsafe(look_up(), loop)
        received.append(future.result(timeout=60))  # blocks this thread, not the loop
        print(f"the thread got: {received[-1]}")

    thread = threading.Thread(target=work, name="worker")
    thread.start()
    await asyncio.to_thread(thread.join)  # wait for the thread without blocking the loop
    return received[-1]


def _explode() -> None:
    raise RuntimeError("boom")


@lesson()
async def custom_exception_handler() -> BaseException:
    """Receive an error that nobody awaits in a custom exception handler of the loop.

    >>> asyncio.run(custom_exception_handler())
    handler got message: Exception in callback _explode() at ...event_loop.py:...
    handler got exception: RuntimeError('boom')
    RuntimeError('boom')

    An exception has to go somewhere. One raised in a coroutine goes to whoever awaits it; one
    raised in a plain callback scheduled with :meth:`loop.call_soon <asyncio.loop.call_soon>`
    has no awaiter, and neither has a task whose exception is never retrieved. The loop passes
    such errors to its exception handler, as a *context* dict with a ``"message"`` and, if there
    was one, an ``"exception"`` (plus ``"handle"``, ``"future"`` or ``"task"``, depending on
    where it came from). The default handler,
    :meth:`loop.default_exception_handler <asyncio.loop.default_exception_handler>`, logs it on
    the ``asyncio`` logger; a custom handler can count, report or stop the program instead. The
    lesson installs one with :meth:`loop.set_exception_handler
    <asyncio.loop.set_exception_handler>`, lets a callback fail, and restores the previous handler
    (:meth:`loop.get_exception_handler <asyncio.loop.get_exception_handler>`) afterwards.

    :returns: the exception the handler received.
    """
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        contexts.append(context)

    previous = loop.get_exception_handler()
    loop.set_exception_handler(handler)
    try:
        loop.call_soon(_explode)
        await asyncio.sleep(0)  # one turn of the loop: the callback runs, and fails, first
    finally:
        loop.set_exception_handler(previous)
    (context,) = contexts
    exception: BaseException = context["exception"]
    print(f"handler got message: {context['message']}")
    print(f"handler got exception: {exception!r}")
    return exception


@lesson(real_time=True, block=check_delay, threshold=check_delay)
async def debug_slow_callback(block: float = 0.2, threshold: float = 0.1) -> list[str]:
    """Catch a callback that blocks the loop with debug mode and ``slow_callback_duration``.

    >>> asyncio.run(debug_slow_callback(0.02, 0.01))
    asyncio warned: Executing <Handle sleep(0.02) created at ...> took ... seconds
    ['Executing <Handle sleep(0.02) created at ...> took ... seconds']

    In :ref:`debug mode <asyncio-debug-mode>` (:meth:`loop.set_debug(True)
    <asyncio.loop.set_debug>`, or ``python -X dev``, or ``PYTHONASYNCIODEBUG=1``) the loop times
    every callback and task step, and logs a warning on the ``asyncio`` logger for each one that ran
    longer than ``loop.slow_callback_duration`` (0.1 s by default): that is how you find the
    :func:`time.sleep` or the heavy computation that freezes every other task. Debug mode also
    records where each callback was created ("created at"), and checks that non-thread-safe methods
    are called from the loop's thread. The lesson captures the log records with a
    :class:`logging.handlers.BufferingHandler` (and keeps them from reaching the program's other log
    handlers), keeps the warnings about its own blocking callback, then restores the debug
    setting, the threshold and the logger: it turns debug mode on itself, so a plain ``python``
    shows the same as ``python -X dev``. It needs real time: the loop's clock must advance while
    the callback blocks.

    :param block: seconds the callback blocks the loop; must be longer than *threshold*.
    :param threshold: the slow-callback threshold to set, in seconds; must not be negative.
    :returns: the warnings asyncio logged about the blocking callback.
    """
    if block <= threshold:
        raise ValueError(f"block must be longer than threshold, got {block!r} <= {threshold!r}")
    loop = asyncio.get_running_loop()
    logger = logging.getLogger("asyncio")
    records = logging.handlers.BufferingHandler(capacity=100)
    records.setLevel(logging.WARNING)
    was_debug, was_threshold = loop.get_debug(), loop.slow_callback_duration
    was_propagating = logger.propagate
    logger.addHandler(records)
    logger.propagate = False  # captured here, not also printed by the program's own logging
    loop.set_debug(True)
    loop.slow_callback_duration = threshold
    try:
        slow = loop.call_soon(time.sleep, block)  # a blocking call in a callback freezes the loop
        # How the warning names it. Read now: from 3.13 a handle shows its arguments only while
        # debug mode is on, and the lesson turns it off again below.
        slow_name = str(slow)
        await asyncio.sleep(0)  # one turn of the loop: the callback runs first
    finally:
        loop.slow_callback_duration = was_threshold
        loop.set_debug(was_debug)
        logger.propagate = was_propagating
        logger.removeHandler(records)
    # The warning's first argument names the slow handle. Keep only those about ours: on a busy
    # machine, any other step can also happen to exceed a threshold this small.
    warnings = [
        record.getMessage()
        for record in records.buffer
        if isinstance(record.args, tuple) and record.args[:1] == (slow_name,)
    ]
    for warning in warnings:
        print(f"asyncio warned: {warning}")
    return warnings


async def _serve(name: str) -> None:
    print(f"{name} serving")
    try:
        await asyncio.get_running_loop().create_future()  # stands for serving forever
    except asyncio.CancelledError:
        print(f"{name} stopped cleanly")
        raise


@lesson(needs={"signals"}, delay=check_delay)
async def graceful_shutdown_on_signal(delay: float = 1.0) -> list[str]:
    """Shut down cleanly on SIGTERM with ``loop.add_signal_handler``.

    >>> asyncio.run(graceful_shutdown_on_signal(0.01))
    worker 1 serving
    worker 2 serving
    sending myself SIGTERM
    got SIGTERM: stopping the workers
    worker 1 stopped cleanly
    worker 2 stopped cleanly
    ['worker 1 stopped cleanly', 'worker 2 stopped cleanly']

    ``kill <pid>``, a container stopping, or a service manager asks a program to stop with
    SIGTERM; by default, the process dies on the spot, without running any ``finally``.
    :meth:`loop.add_signal_handler <asyncio.loop.add_signal_handler>` turns the signal into an
    ordinary callback, run by the loop in its own thread, where it is safe to touch asyncio
    objects: here it sets an :class:`asyncio.Event`. The main coroutine waits for the event,
    cancels the workers and awaits them, so each runs its cleanup. After *delay* seconds the
    lesson sends itself SIGTERM (:func:`signal.raise_signal`), as ``kill`` would, and removes the
    handler in ``finally`` (:meth:`loop.remove_signal_handler
    <asyncio.loop.remove_signal_handler>` restores the default action). The lesson takes *delay*
    seconds on the loop's clock.

    .. note:: Unix only: on Windows, :meth:`loop.add_signal_handler
       <asyncio.loop.add_signal_handler>` raises :exc:`NotImplementedError`. It must be called in
       the main thread.

    :param delay: seconds the workers serve before the signal; must not be negative.
    :returns: how the workers stopped.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        workers = [asyncio.create_task(_serve(f"worker {n}")) for n in (1, 2)]
        await asyncio.sleep(delay)
        print("sending myself SIGTERM")
        signal.raise_signal(signal.SIGTERM)
        await stop.wait()
        print("got SIGTERM: stopping the workers")
        for worker in workers:
            worker.cancel()
        outcomes = await asyncio.gather(*workers, return_exceptions=True)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    return [
        f"worker {n} stopped cleanly"
        if isinstance(outcome, asyncio.CancelledError)
        else repr(outcome)
        for n, outcome in zip((1, 2), outcomes)
    ]


if sys.version_info >= (3, 14):

    @lesson()
    @starts_its_own_loop
    def get_event_loop_raises() -> list[str]:
        """Python 3.14: :func:`asyncio.get_event_loop` with no current loop raises; make one.

        >>> get_event_loop_raises()  # doctest: +NORMALIZE_WHITESPACE
        get_event_loop(): RuntimeError: There is no current event loop in thread 'MainThread'.
        in an asyncio.Runner block: get_event_loop() is the runner's loop: True
        after the block: RuntimeError: There is no current event loop in thread 'MainThread'.
        ["get_event_loop(): RuntimeError: There is no current event loop in thread
        'MainThread'.", "in an asyncio.Runner block: get_event_loop() is the runner's loop:
        True", "after the block: RuntimeError: There is no current event loop in thread
        'MainThread'."]

        Up to 3.13, ``loop = asyncio.get_event_loop()`` at the start of a program quietly made a
        new loop (with a :exc:`DeprecationWarning` on 3.12 and 3.13; see
        :func:`~asyncio_primer.pitfalls.get_event_loop_symptom`). Python 3.14 no longer creates
        one: where no loop runs and none was set as current, it raises :exc:`RuntimeError`
        (https://github.com/python/cpython/issues/126353). Old programs that began with
        ``get_event_loop()`` then ``loop.run_until_complete(main())`` fail at their first line.
        The fix is the one the symptom lesson gives: ``asyncio.run(main())``, or for several
        calls an :class:`asyncio.Runner`, whose loop is the current one inside its ``with``
        block (so old code called from there still finds it) and is closed after it. Inside a
        coroutine, :func:`asyncio.get_running_loop` is the call to use on every version.

        The lesson shows what happens in synchronous code where no loop runs (a program's first
        lines). Where a loop runs — a coroutine, ``python -m asyncio``, a notebook —
        ``get_event_loop()`` would return that loop, so there the lesson runs in a worker thread
        of its own, where none runs (its messages then name that thread); on WebAssembly, which
        has no threads, it refuses at once.

        .. note:: Needs Python 3.14 (asyncio.get_event_loop raises RuntimeError, gh-126353).

        :returns: what each call gave, one line each.
        :raises RuntimeError: on WebAssembly, if called where an event loop is running.
        """
        outcomes: list[str] = []
        try:
            asyncio.get_event_loop()
        except RuntimeError as error:
            outcomes.append(f"get_event_loop(): RuntimeError: {error}")
            no_current_loop = True
        else:  # the caller made a loop current with asyncio.set_event_loop(): leave it be
            outcomes.append("get_event_loop(): this thread has a current loop already")
            no_current_loop = False
        if no_current_loop:
            with asyncio.Runner() as runner:
                loop = runner.get_loop()  # made now, and made the current loop
                same = asyncio.get_event_loop() is loop
                outcomes.append(
                    f"in an asyncio.Runner block: get_event_loop() is the runner's loop: {same}"
                )
            try:
                asyncio.get_event_loop()
                outcomes.append("after the block: got a loop")  # pragma: no cover
            except RuntimeError as error:
                outcomes.append(f"after the block: RuntimeError: {error}")
        for line in outcomes:
            print(line)
        return outcomes

    @lesson()
    async def policies_deprecated() -> list[str]:
        """Python 3.14 deprecates the policy system and ``asyncio.iscoroutinefunction``.

        >>> asyncio.run(policies_deprecated())  # doctest: +NORMALIZE_WHITESPACE
        asyncio.get_event_loop_policy(): DeprecationWarning: 'asyncio.get_event_loop_policy'
        is deprecated and slated for removal in Python 3.16
        asyncio.iscoroutinefunction(): DeprecationWarning: 'asyncio.iscoroutinefunction' is
        deprecated and slated for removal in Python 3.16; use inspect.iscoroutinefunction()
        instead
        inspect.iscoroutinefunction(): True, without a warning
        ['asyncio.get_event_loop_policy', 'asyncio.iscoroutinefunction']

        An event loop *policy* decided which loop :func:`asyncio.get_event_loop` and
        :func:`asyncio.new_event_loop` gave: programs installed one with
        ``asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())``, say, to change the loop
        everywhere. Python 3.14 deprecates the whole system, for removal in 3.16
        (https://github.com/python/cpython/issues/127949): ``get_event_loop_policy``,
        ``set_event_loop_policy``, ``AbstractEventLoopPolicy``, ``DefaultEventLoopPolicy`` and
        the Windows policies. Choose the loop where you start it instead: ``asyncio.run(main(),
        loop_factory=uvloop.new_event_loop)`` (3.12+), or ``asyncio.Runner(loop_factory=...)``
        for several calls on one loop (see :func:`~asyncio_primer.tasks.runner_shares_one_loop`).
        ``asyncio.iscoroutinefunction`` goes too (https://github.com/python/cpython/issues/122858):
        :func:`inspect.iscoroutinefunction` says the same for ``async def`` functions. The
        lesson calls both deprecated functions with warnings recorded and prints what they
        warned.

        .. note:: Needs Python 3.14 (the policy system deprecated, gh-127949).

        :returns: the deprecated functions that warned.
        """
        warned: list[str] = []
        # typed as Any: the typeshed of mypy 1.x leaves it untyped on 3.14, where it is deprecated
        old_check: Any = asyncio.iscoroutinefunction
        calls: dict[str, Any] = {
            "asyncio.get_event_loop_policy": lambda: asyncio.get_event_loop_policy(),
            "asyncio.iscoroutinefunction": lambda: old_check(policies_deprecated),
        }
        for name, call in calls.items():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                call()
            for warning in caught:
                print(f"{name}(): {warning.category.__name__}: {warning.message}")
                warned.append(name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            is_coroutine_function = inspect.iscoroutinefunction(policies_deprecated)
        quiet = "without a warning" if not caught else f"{len(caught)} warnings"
        print(f"inspect.iscoroutinefunction(): {is_coroutine_function}, {quiet}")
        return warned


__all__ = exported(__name__)
