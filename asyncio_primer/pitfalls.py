"""Pitfalls: the mistakes everyone makes with asyncio, each shown twice.

Every pitfall is a pair of lessons: ``<pitfall>_symptom`` reproduces the mistake and *captures* what
it does — the warning, the report on the loop's exception handler, the stalled loop, the exception
— and prints it, so you learn to recognise it in your own logs; ``<pitfall>_fix`` is the same
program written correctly. The symptoms never leak: a lesson that triggers a warning records it
with :class:`warnings.catch_warnings`, one that triggers a report installs its own handler with
:meth:`loop.set_exception_handler <asyncio.loop.set_exception_handler>` and restores the previous
one, and none of them leaves a task running.

The pitfalls, in order: a coroutine that is never awaited; a blocking call that freezes the loop;
a task that vanishes because nothing references it; "Task was destroyed but it is pending!"; a
cancellation that a task swallows (and, on Python 3.11+, one it suppresses without
:meth:`~asyncio.Task.uncancel`); :func:`asyncio.gather` leaving the other tasks running after one
fails; :func:`asyncio.run` inside a running loop; :func:`asyncio.get_event_loop` with no running
loop; and calling the loop from another thread.

Most of them run on :term:`virtual time`, like the other lessons. The blocking-call pair cannot:
:func:`time.sleep` blocks the real clock, so the docs run it on :term:`real time`.

Read next: :mod:`asyncio_primer.capstone`, one program that avoids all of them; or go back to
the lessons these pitfalls break — :mod:`asyncio_primer.tasks` (create, keep and await
tasks), :mod:`asyncio_primer.cancellation` (cancel and time out cooperatively),
:mod:`asyncio_primer.event_loop` (what blocks the loop, and how to offload it) and
:mod:`asyncio_primer.errors` (where exceptions go).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from asyncio_primer._own_loop import starts_its_own_loop
from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay

# In teaching order; the pairs that need Python 3.11 are added where they belong, below.


@contextlib.contextmanager
def _reports_to(loop: asyncio.AbstractEventLoop, reports: list[str]) -> Iterator[None]:
    """Send the messages that reach *loop*'s exception handler to *reports*; restore it after."""
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(_message(context)))
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


def _message(context: dict[str, Any]) -> str:
    """The message of an exception handler's *context*, and nothing else from it.

    Keeping the whole context would keep its ``"task"`` alive: a task reported as destroyed comes
    back to life, and from Python 3.14 it is then still in :func:`asyncio.all_tasks`, where
    :func:`asyncio.run` tries to cancel it when it ends.
    """
    return str(context["message"])


# -- 1. a coroutine never awaited ------------------------------------------------------------


async def _save(saved: list[str], text: str, delay: float) -> None:
    await asyncio.sleep(delay)
    saved.append(text)


@lesson(delay=check_delay)
async def forgotten_await_symptom(delay: float = 1.0) -> str:
    """Call a coroutine function without ``await``: nothing runs, and Python warns.

    >>> asyncio.run(forgotten_await_symptom(0.01))
    RuntimeWarning: coroutine '_save' was never awaited
    saved: []
    "coroutine '_save' was never awaited"

    Calling an ``async def`` function only *creates* a coroutine object; its body runs when the
    coroutine is awaited (or wrapped in a task). Forget the ``await`` and the work silently never
    happens: here nothing is saved although the lesson waits long enough. When the unawaited
    coroutine is garbage collected, Python emits a :exc:`RuntimeWarning` "coroutine ... was never
    awaited" — always, whether or not asyncio's debug mode is on (the asyncio docs long said
    otherwise: https://github.com/python/cpython/issues/133515). The lesson records the warning
    with :class:`warnings.catch_warnings`; in your own code run with ``-W error::RuntimeWarning``
    (as this primer's tests do), and let ``mypy`` catch it before that: it reports an unused
    coroutine as an error (code ``unused-coroutine``). The lesson takes *delay* seconds.

    :param delay: seconds the forgotten save would have taken; must not be negative.
    :returns: the warning's message.
    """
    saved: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _save(saved, "the report", delay)  # type: ignore[unused-coroutine]  # the bug
        gc.collect()
    message = str(caught[0].message).splitlines()[0] if caught else "no warning"
    print(f"RuntimeWarning: {message}")
    await asyncio.sleep(delay)
    print(f"saved: {saved}")
    return message


@lesson(delay=check_delay)
async def forgotten_await_fix(delay: float = 1.0) -> list[str]:
    """Await the coroutine: its body runs, and nothing warns.

    >>> asyncio.run(forgotten_await_fix(0.01))
    saved: ['the report']
    ['the report']

    ``await _save(...)`` runs the coroutine to the end (taking *delay* seconds) before the next
    line. To run it *concurrently* instead, hand it to :func:`asyncio.create_task` and await the
    task later (see :func:`~asyncio_primer.tasks.start_now_await_later`).

    :param delay: seconds the save takes; must not be negative.
    :returns: what was saved.
    """
    saved: list[str] = []
    await _save(saved, "the report", delay)
    print(f"saved: {saved}")
    return saved


# -- 2. a blocking call in a coroutine -------------------------------------------------------


def _check_heartbeat(block: float, interval: float) -> None:
    check_delay(block, "block")
    check_delay(interval, "interval")
    if not 0 < interval < block:
        raise ValueError(f"interval must be > 0 and < block ({block!r}), got {interval!r}")


async def _heartbeat(interval: float, ticks: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        ticks.append(loop.time())
        await asyncio.sleep(interval)


async def _with_heartbeat(
    interval: float, call: Callable[[], Awaitable[None]]
) -> tuple[int, float]:
    """Run ``await call()`` while a heartbeat ticks; count the ticks during it, find the gap."""
    ticks: list[float] = []
    beat = asyncio.create_task(_heartbeat(interval, ticks))
    try:
        await asyncio.sleep(interval)  # the heartbeat is ticking
        before = len(ticks)
        await call()
        during = len(ticks) - before
        await asyncio.sleep(interval)  # and ticks again
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
    gap = max(later - earlier for earlier, later in zip(ticks, ticks[1:]))
    return during, gap


@lesson(real_time=True)
async def blocking_call_symptom(block: float = 1.0, interval: float = 0.1) -> tuple[int, float]:
    """Call :func:`time.sleep` in a coroutine and watch a heartbeat task stop for that long.

    >>> ticks, gap = asyncio.run(blocking_call_symptom(0.05, 0.01))
    time.sleep() froze the loop: 0 heartbeats during the call
    >>> gap >= 0.05
    True

    A heartbeat task records the loop's time every *interval* seconds. The lesson then calls
    :func:`time.sleep` — any blocking call: ``requests.get()``, a big computation, a lock from
    :mod:`threading` — for *block* seconds. The loop runs one callback at a time, so while the
    call blocks nothing else runs: the heartbeat gets not a single tick in, and the largest gap
    between its ticks is at least *block*. In a server, every client waits that long.
    asyncio's debug mode logs each step slower than ``loop.slow_callback_duration`` (0.1 s):
    that is how you find such calls. This lesson needs :term:`real time` (a virtual clock does not
    move while :func:`time.sleep` blocks).

    :param block: seconds the blocking call takes; must be > *interval*.
    :param interval: seconds between heartbeats; must be > 0.
    :returns: how many heartbeats happened during the call (0), and the largest gap between two
        heartbeats, in seconds.
    :raises ValueError: if *interval* is not between 0 and *block*, or either is not finite.
    """
    _check_heartbeat(block, interval)

    async def blocking() -> None:
        time.sleep(block)  # noqa: ASYNC251  # the bug: blocks the whole loop

    during, gap = await _with_heartbeat(interval, blocking)
    print(f"time.sleep() froze the loop: {during} heartbeats during the call")
    return during, gap


@lesson(real_time=True, needs={"threads"})
async def blocking_call_fix(block: float = 1.0, interval: float = 0.1) -> tuple[int, float]:
    """Run the blocking call in a thread with :func:`asyncio.to_thread`: the heartbeat goes on.

    >>> ticks, gap = asyncio.run(blocking_call_fix(0.05, 0.01))
    asyncio.to_thread(time.sleep, ...) left the loop free: heartbeats during the call: True
    >>> ticks >= 1
    True

    The same blocking call, sent to the loop's default thread pool by :func:`asyncio.to_thread`,
    blocks only that thread; the coroutine awaits its result and the loop keeps running the
    heartbeat meanwhile. If all you wanted was to *wait*, use ``await asyncio.sleep(...)``
    instead of :func:`time.sleep`; for CPU-bound work use a process pool (see
    :func:`~asyncio_primer.event_loop.offload_with_executor`). This lesson needs real time: the
    loop waits for a real thread while the heartbeat's timer is pending.

    :param block: seconds the blocking call takes; must be > *interval*.
    :param interval: seconds between heartbeats; must be > 0.
    :returns: how many heartbeats happened during the call (at least one), and the largest gap
        between two heartbeats, in seconds.
    :raises ValueError: if *interval* is not between 0 and *block*, or either is not finite.
    """
    _check_heartbeat(block, interval)

    async def in_a_thread() -> None:
        await asyncio.to_thread(time.sleep, block)

    during, gap = await _with_heartbeat(interval, in_a_thread)
    print(
        "asyncio.to_thread(time.sleep, ...) left the loop free: "
        f"heartbeats during the call: {during > 0}"
    )
    return during, gap


# -- 3. a task nobody references -------------------------------------------------------------


async def _listen(subscribers: weakref.WeakSet[asyncio.Future[str]], heard: list[str]) -> None:
    """Subscribe to news (the publisher holds subscribers weakly) and wait for it."""
    news: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    subscribers.add(news)
    heard.append(await news)
    print(f"the listener heard: {heard[-1]}")


def _publish(subscribers: weakref.WeakSet[asyncio.Future[str]], news: str) -> int:
    waiting = [future for future in subscribers if not future.done()]
    for future in waiting:
        future.set_result(news)
    return len(waiting)


@lesson(delay=check_delay)
async def lost_task_reference_symptom(delay: float = 1.0) -> list[str]:
    """Start a task without keeping a reference: garbage collection destroys it mid-flight.

    >>> asyncio.run(lost_task_reference_symptom(0.01))
    the task still exists after gc.collect(): False
    news delivered to 0 listeners
    exception handler: Task was destroyed but it is pending!
    []

    The event loop keeps only *weak* references to tasks. A task that waits on something only
    it references — here a future that a publisher holds in a :class:`weakref.WeakSet`, as
    many callback registries do — is, with everything it waits on, garbage that no one can
    reach. The next garbage collection destroys it while it is still pending (the lesson calls
    :func:`gc.collect` to make "some time later" happen now): its work silently never finishes,
    and the loop's exception handler gets "Task was destroyed but it is pending!". The lesson
    captures that report and restores the previous handler. A task that waits on a timer or a
    socket is referenced by the loop and survives, which is why this bug comes and goes; ruff's
    rule ``RUF006`` flags a ``create_task(...)`` whose result is thrown away. The upstream
    reports: https://github.com/python/cpython/issues/129169 and
    https://github.com/python/cpython/issues/91887. The lesson takes *delay* seconds.

    :param delay: seconds before the news is published; must not be negative.
    :returns: what the listener heard (nothing).
    """
    subscribers: weakref.WeakSet[asyncio.Future[str]] = weakref.WeakSet()
    heard: list[str] = []
    reports: list[str] = []
    with _reports_to(asyncio.get_running_loop(), reports):
        # The bug: the task is created, but the only reference kept is a weak one.
        task = weakref.ref(asyncio.create_task(_listen(subscribers, heard)))
        await asyncio.sleep(0)  # the listener starts and waits for news
        gc.collect()
        print(f"the task still exists after gc.collect(): {task() is not None}")
        await asyncio.sleep(delay)
        print(f"news delivered to {_publish(subscribers, 'asyncio 4.0 is out')} listeners")
    for report in reports:
        print(f"exception handler: {report}")
    return heard


@lesson(delay=check_delay)
async def lost_task_reference_fix(delay: float = 1.0) -> list[str]:
    """Keep a strong reference to every background task until it is done.

    >>> asyncio.run(lost_task_reference_fix(0.01))
    the task still exists after gc.collect(): True
    news delivered to 1 listeners
    the listener heard: asyncio 4.0 is out
    ['asyncio 4.0 is out']

    The pattern from :func:`asyncio.create_task`'s documentation: put each background task in a
    set, and let the task remove itself when done with
    :meth:`~asyncio.Task.add_done_callback`. The set keeps the task (and what it waits on)
    alive through garbage collection. Better still, when the tasks belong to one piece of work,
    let an :class:`asyncio.TaskGroup` (Python 3.11+) hold them. The lesson takes *delay*
    seconds.

    :param delay: seconds before the news is published; must not be negative.
    :returns: what the listener heard.
    """
    subscribers: weakref.WeakSet[asyncio.Future[str]] = weakref.WeakSet()
    heard: list[str] = []
    background: set[asyncio.Task[None]] = set()
    task = asyncio.create_task(_listen(subscribers, heard))
    background.add(task)
    task.add_done_callback(background.discard)
    alive = weakref.ref(task)
    del task  # only the set holds it now
    await asyncio.sleep(0)
    gc.collect()
    print(f"the task still exists after gc.collect(): {alive() is not None}")
    try:
        await asyncio.sleep(delay)
        print(f"news delivered to {_publish(subscribers, 'asyncio 4.0 is out')} listeners")
        await asyncio.gather(*background)
    except asyncio.CancelledError:
        for waiting in background:
            waiting.cancel()
        raise
    return heard


# -- 4. "Task was destroyed but it is pending!" ----------------------------------------------


async def _consume(queue: asyncio.Queue[str], tag: str = "consumer") -> None:
    try:
        while True:
            item = await queue.get()
            print(f"{tag} got {item!r}")
    except asyncio.CancelledError:
        print(f"{tag} cancelled: cleaning up")
        raise


@lesson()
@starts_its_own_loop
def destroyed_pending_task_symptom() -> str:
    """Stop the loop while a task still waits: "Task was destroyed but it is pending!".

    >>> destroyed_pending_task_symptom()
    consumer got 'job 1'
    the loop stopped; the consumer still waits for the next job
    exception handler: Task was destroyed but it is pending!
    'Task was destroyed but it is pending!'

    Code that drives a loop by hand — :meth:`loop.run_until_complete
    <asyncio.loop.run_until_complete>` — stops it when *that* coroutine ends, whatever other
    tasks are still waiting. Here a consumer task waits on a queue that nothing else can reach
    any more. When such a task is garbage collected (which may be only at interpreter exit, at
    the end of a program's log), the loop's exception handler gets "Task was destroyed but it is
    pending!". The task was never cancelled, so its ``except asyncio.CancelledError`` cleanup
    never runs (no "cleaning up" line above). Its coroutine is closed instead:
    :exc:`GeneratorExit` is raised at the ``await`` where it waits, so ``finally`` blocks (and
    ``except GeneratorExit``) do run — but with no running loop, where an ``await`` that has to
    wait fails (``RuntimeError: coroutine ignored GeneratorExit``). This lesson makes its own
    loop (so it is plain synchronous code), captures the report with
    :meth:`loop.set_exception_handler <asyncio.loop.set_exception_handler>`, runs
    :func:`gc.collect` to make it happen now, and closes the loop — after ending any task still
    listed: on Python 3.14 the destroyed task can come back, woken by the queue wait that closing
    its coroutine cancelled, and then fails with "cannot reuse already awaited coroutine". Called
    where a loop already runs (``python -m asyncio``, Jupyter), it runs in a worker thread of its
    own, which has no loop yet (on WebAssembly, which has no threads, it refuses there with
    :exc:`RuntimeError`). Upstream: https://github.com/python/cpython/issues/91887 (the loop
    holds tasks only weakly).

    :returns: the exception handler's message.
    """
    loop = asyncio.new_event_loop()
    reports: list[str] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(_message(context)))

    async def main() -> None:
        queue: asyncio.Queue[str] = asyncio.Queue()
        asyncio.create_task(_consume(queue))  # noqa: RUF006  # started and forgotten
        await queue.put("job 1")
        await asyncio.sleep(0)  # the consumer takes the job, then waits for the next

    try:
        loop.run_until_complete(main())
        print("the loop stopped; the consumer still waits for the next job")
        gc.collect()
        # Python 3.14 can list the destroyed task again: closing its coroutine cancels its
        # queue wait, which schedules the task's wake-up. End whatever is left before closing.
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        if left:  # (gather() of nothing would look for a current loop)
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    finally:
        loop.close()
    message = reports[0] if reports else "no report"
    print(f"exception handler: {message}")
    return message


@lesson(delay=check_delay)
async def destroyed_pending_task_fix(delay: float = 1.0) -> bool:
    """Cancel and await the tasks you started before the coroutine that owns them returns.

    >>> asyncio.run(destroyed_pending_task_fix(0.01))
    consumer got 'job 1'
    consumer cancelled: cleaning up
    no task left pending: True
    True

    The owner of a background task ends it: :meth:`~asyncio.Task.cancel`, then ``await`` it (the
    :exc:`asyncio.CancelledError` it raises is the expected outcome), so its cleanup runs while
    the loop is alive. An :class:`asyncio.TaskGroup` (3.11+) does this for you when its block
    fails, and :func:`asyncio.run` cancels whatever tasks are left when the main coroutine
    returns — a safety net, not a design: rely on it and cleanups run in no particular order.
    The lesson takes *delay* seconds.

    :param delay: seconds the main work takes before shutting the consumer down; must not be
        negative.
    :returns: whether every task but the lesson's own is done.
    """
    queue: asyncio.Queue[str] = asyncio.Queue()
    consumer = asyncio.create_task(_consume(queue))
    try:
        await queue.put("job 1")
        await asyncio.sleep(delay)
    finally:
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
    clean = all(t.done() for t in asyncio.all_tasks() if t is not asyncio.current_task())
    print(f"no task left pending: {clean}")
    return clean


# -- 5. a swallowed cancellation -------------------------------------------------------------


async def _stubborn(work: float) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + work
    while (left := deadline - loop.time()) > 0:
        try:
            await asyncio.sleep(left)
        except asyncio.CancelledError:  # the bug: caught and not raised again
            print("stubborn: cancellation ignored, carrying on")
    return "finished anyway"


async def _cooperative(work: float) -> str:
    try:
        await asyncio.sleep(work)
    except asyncio.CancelledError:
        print("cooperative: cleaning up, then letting the cancellation through")
        raise
    return "finished"


@lesson(timeout=check_delay, work=check_delay)
async def swallowed_cancel_symptom(timeout: float = 1.0, work: float = 3.0) -> list[str]:
    """Catch :exc:`asyncio.CancelledError` and carry on: ``cancel()`` and timeouts stop working.

    >>> asyncio.run(swallowed_cancel_symptom(0.01, 0.03))
    cancel() returned True
    stubborn: cancellation ignored, carrying on
    the task returned 'finished anyway'; cancelled(): False
    stubborn: cancellation ignored, carrying on
    wait_for returned 'finished anyway' instead of raising TimeoutError
    ['finished anyway', 'finished anyway']

    :meth:`Task.cancel() <asyncio.Task.cancel>` only *asks*: it throws
    :exc:`asyncio.CancelledError` into the coroutine at its current ``await``. A coroutine that
    catches it (an ``except asyncio.CancelledError:``, or a bare ``except:`` — on Python 3.7
    and older also ``except Exception:``) and goes on has silently refused. ``cancel()`` returned
    ``True`` but the task runs to the end (*work* seconds), and :func:`asyncio.wait_for` — which
    times out by cancelling — returns the late result after *work* seconds instead of raising
    :exc:`asyncio.TimeoutError` after *timeout*; :func:`asyncio.timeout` (3.11+) likewise.
    Anything that shuts down by cancelling (a :class:`asyncio.TaskGroup`, :func:`asyncio.run`
    at exit) waits for it. The lesson takes twice *work* seconds.

    :param timeout: seconds before the cancellation and the ``wait_for`` timeout; must not be
        negative.
    :param work: seconds the stubborn coroutine works; must not be negative.
    :returns: what the stubborn task and ``wait_for`` returned.
    """
    task = asyncio.create_task(_stubborn(work))
    await asyncio.sleep(timeout)
    print(f"cancel() returned {task.cancel()}")
    first = await task
    print(f"the task returned {first!r}; cancelled(): {task.cancelled()}")
    second = await asyncio.wait_for(_stubborn(work), timeout)
    print(f"wait_for returned {second!r} instead of raising TimeoutError")
    return [first, second]


@lesson(timeout=check_delay, work=check_delay)
async def swallowed_cancel_fix(timeout: float = 1.0, work: float = 3.0) -> list[str]:
    """Clean up on :exc:`asyncio.CancelledError`, then raise it again.

    >>> asyncio.run(swallowed_cancel_fix(0.01, 0.03))
    cooperative: cleaning up, then letting the cancellation through
    the task was cancelled: True
    cooperative: cleaning up, then letting the cancellation through
    wait_for raised TimeoutError
    ['cancelled', 'TimeoutError']

    Catch :exc:`asyncio.CancelledError` only to clean up, and end the ``except`` block with a
    bare ``raise`` (a ``try`` / ``finally`` is even simpler). Since it derives from
    :exc:`BaseException`, ``except Exception:`` lets it through. Now the cancelled task ends at
    *timeout* with :meth:`~asyncio.Task.cancelled` true, and :func:`asyncio.wait_for` raises
    :exc:`asyncio.TimeoutError` at *timeout*. The lesson takes twice *timeout* seconds.

    :param timeout: seconds before the cancellation and the ``wait_for`` timeout; must not be
        negative.
    :param work: seconds the coroutine would work if left alone; must not be negative.
    :returns: how the task and the ``wait_for`` call ended.
    """
    outcomes: list[str] = []
    task = asyncio.create_task(_cooperative(work))
    await asyncio.sleep(timeout)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    print(f"the task was cancelled: {task.cancelled()}")
    outcomes.append("cancelled" if task.cancelled() else "not cancelled")
    try:
        await asyncio.wait_for(_cooperative(work), timeout)
        outcomes.append("no timeout")
    except asyncio.TimeoutError:
        print("wait_for raised TimeoutError")
        outcomes.append("TimeoutError")
    return outcomes


if sys.version_info >= (3, 11):

    async def _suppressing_worker(delay: float, uncancel: bool) -> str:
        try:
            async with asyncio.timeout(3 * delay):  # the worker's own deadline
                try:
                    await asyncio.sleep(2 * delay)  # cancelled from outside at *delay*
                except asyncio.CancelledError:
                    print("worker: cancellation suppressed")
                    if uncancel:
                        task = asyncio.current_task()
                        assert task is not None
                        task.uncancel()
                await asyncio.sleep(10 * delay)  # too slow: the worker's timeout should stop it
        except TimeoutError:
            print("worker: my own timeout fired, as it should")
            return "TimeoutError"
        return "no timeout"  # pragma: no cover, no mutate - the 10 * delay sleep always times out

    async def _run_suppressing_worker(delay: float, uncancel: bool) -> str:
        check_delay(delay)
        worker = asyncio.create_task(_suppressing_worker(delay, uncancel))
        await asyncio.sleep(delay)
        worker.cancel()
        await asyncio.wait([worker])
        outcome = "cancelled" if worker.cancelled() else worker.result()
        print(f"the worker ended: {outcome}")
        return outcome

    @lesson()
    async def suppressed_cancel_symptom(delay: float = 1.0) -> str:
        """Suppress a cancellation without :meth:`~asyncio.Task.uncancel`: a later timeout misfires.

        >>> asyncio.run(suppressed_cancel_symptom(0.01))
        worker: cancellation suppressed
        the worker ended: cancelled
        'cancelled'

        Since Python 3.11 a task counts the cancellation requests it has received
        (:meth:`~asyncio.Task.cancelling`), and :func:`asyncio.timeout` and
        :class:`asyncio.TaskGroup` use the count to tell *their own* cancellation from someone
        else's. Here a worker runs under its own timeout of three times *delay* and deliberately
        suppresses a cancellation it receives at *delay*, but the count stays at 1. When the
        worker's timeout fires, it cancels the task (count 2), sees on the way out that a
        cancellation it did not cause is still pending, and lets :exc:`asyncio.CancelledError`
        through instead of turning it into :exc:`TimeoutError`: the worker ends *cancelled*, its
        ``except TimeoutError`` never runs. The upstream report:
        https://github.com/python/cpython/issues/102780 (3.11.3 fixed the case of entering a
        timeout *after* the suppression; this case still needs :meth:`~asyncio.Task.uncancel`,
        as documented). The lesson takes three times *delay* seconds.

        .. note:: Needs Python 3.11 (:func:`asyncio.timeout`, :meth:`asyncio.Task.uncancel`).

        :param delay: seconds before the outside cancellation; must not be negative.
        :returns: how the worker ended (``"cancelled"``).
        :raises ValueError: if *delay* is negative or not finite.
        """
        return await _run_suppressing_worker(delay, uncancel=False)

    @lesson()
    async def suppressed_cancel_fix(delay: float = 1.0) -> str:
        """Suppress a cancellation *and* call :meth:`~asyncio.Task.uncancel`: timeouts work again.

        >>> asyncio.run(suppressed_cancel_fix(0.01))
        worker: cancellation suppressed
        worker: my own timeout fired, as it should
        the worker ended: TimeoutError
        'TimeoutError'

        The documentation of :meth:`asyncio.Task.cancel` says it: a coroutine that decides to
        suppress a cancellation "needs to call :meth:`Task.uncancel() <asyncio.Task.uncancel>`
        in addition to catching the exception". With the count back at 0, the worker's own
        timeout recognises its cancellation and raises :exc:`TimeoutError`, which the worker
        handles. Suppressing is rarely right: prefer cleaning up and re-raising
        (:func:`swallowed_cancel_fix`). The lesson takes three times *delay* seconds.

        .. note:: Needs Python 3.11 (:func:`asyncio.timeout`, :meth:`asyncio.Task.uncancel`).

        :param delay: seconds before the outside cancellation; must not be negative.
        :returns: how the worker ended (``"TimeoutError"``).
        :raises ValueError: if *delay* is negative or not finite.
        """
        return await _run_suppressing_worker(delay, uncancel=True)


# -- 6. gather does not cancel the others ----------------------------------------------------


async def _fail_at_once() -> None:
    raise ValueError("one task failed")


async def _two_steps(delay: float) -> str:
    try:
        await asyncio.sleep(delay)
        print("sibling: step 1 done")
        await asyncio.sleep(delay)
        print("sibling: step 2 done")
    except asyncio.CancelledError:
        print("sibling: cancelled")
        raise
    return "sibling finished"


@lesson(delay=check_delay)
async def gather_siblings_symptom(delay: float = 1.0) -> str:
    """Let one task in a :func:`asyncio.gather` fail: the others keep running.

    >>> asyncio.run(gather_siblings_symptom(0.05))
    gather raised ValueError('one task failed'); the sibling is still running: True
    sibling: step 1 done
    sibling: step 2 done
    'sibling finished'

    Without ``return_exceptions=True``, :func:`asyncio.gather` raises the first exception at
    once — and does *not* cancel the other awaitables: they go on in the background after the
    caller has moved on. Here one task fails at once, and its sibling still prints at *delay*
    and at twice *delay*, long after ``gather`` raised. If they were passed as coroutines,
    ``gather`` wrapped them in tasks you hold no reference to and cannot cancel. The lesson
    creates the tasks itself only so that it can wait for the sibling and leave nothing
    running. The upstream report: https://github.com/python/cpython/issues/75633. The lesson
    takes twice *delay* seconds.

    :param delay: seconds each of the sibling's two steps takes; must not be negative.
    :returns: what the sibling returned, long after gather raised.
    """
    failing = asyncio.create_task(_fail_at_once())
    sibling = asyncio.create_task(_two_steps(delay))
    try:
        await asyncio.gather(failing, sibling)
    except ValueError as e:
        print(f"gather raised {e!r}; the sibling is still running: {not sibling.done()}")
    return await sibling


if sys.version_info >= (3, 11):

    @lesson(delay=check_delay)
    async def gather_siblings_fix(delay: float = 1.0) -> list[str]:
        """Use an :class:`asyncio.TaskGroup`: when one task fails, it cancels the others.

        >>> asyncio.run(gather_siblings_fix(0.05))
        sibling: cancelled
        the group raised ExceptionGroup: ['one task failed']
        ['one task failed']

        When a task in a :class:`asyncio.TaskGroup` fails, the group cancels the other tasks,
        waits for them to finish, and raises an :exc:`ExceptionGroup` of the failures: the
        sibling is cancelled at once, and the lesson takes no time instead of twice *delay*.
        Before Python 3.11, cancel the remaining tasks yourself in the ``except`` block around
        :func:`asyncio.gather`.

        .. note:: Needs Python 3.11 (:class:`asyncio.TaskGroup`).

        :param delay: seconds each of the sibling's two steps would take; must not be negative.
        :returns: the messages of the failures in the group.
        """
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_fail_at_once())
                group.create_task(_two_steps(delay))
        except ExceptionGroup as failures:  # noqa: F821 - a builtin since Python 3.11
            messages = [str(e) for e in failures.exceptions]
            print(f"the group raised ExceptionGroup: {messages}")
            return messages
        return []  # pragma: no cover, no mutate - one task always fails


# -- 7. asyncio.run inside a running loop ----------------------------------------------------


async def _fetch(delay: float) -> str:
    await asyncio.sleep(delay)
    return "data"


@lesson(delay=check_delay)
async def nested_run_symptom(delay: float = 1.0) -> str:
    """Call :func:`asyncio.run` from a coroutine: :exc:`RuntimeError`, the coroutine never runs.

    >>> asyncio.run(nested_run_symptom(0.01))
    RuntimeError: asyncio.run() cannot be called from a running event loop
    'asyncio.run() cannot be called from a running event loop'

    :func:`asyncio.run` starts a *new* loop, and a thread runs one loop at a time: called where
    a loop is already running — inside a coroutine, in ``python -m asyncio``, in a Jupyter
    notebook — it raises :exc:`RuntimeError` before running anything. The coroutine object you
    passed was never awaited; close it (``coroutine.close()``, as here) or Python will warn
    about it too. In a coroutine, ``await`` the coroutine; in Jupyter and IPython, whose
    "autoawait" runs a cell's top-level ``await`` on the notebook's loop, write
    ``await main()`` in the cell. Patching asyncio to allow nested loops (the
    ``nest_asyncio`` package) is not the answer: CPython declined nested loops because they
    break the guarantee that nothing else runs between two ``await``\\ s —
    https://github.com/python/cpython/issues/66435. The lesson takes no time: nothing ran.

    :param delay: seconds the coroutine would take; must not be negative.
    :returns: the error's message.
    """
    coroutine = _fetch(delay)
    try:
        asyncio.run(coroutine)  # the bug: a loop is already running
    except RuntimeError as e:
        print(f"RuntimeError: {e}")
        return str(e)
    finally:
        coroutine.close()  # never awaited: close it so that Python does not warn
    return "no error"  # pragma: no cover, no mutate - asyncio.run always refuses here


@lesson(delay=check_delay)
async def nested_run_fix(delay: float = 1.0) -> str:
    """Inside a running loop, ``await`` the coroutine instead of calling :func:`asyncio.run`.

    >>> asyncio.run(nested_run_fix(0.01))
    fetched: data
    'data'

    ``await`` runs the coroutine on the loop that is already running. Keep :func:`asyncio.run`
    for the one entry point at the top of a program (see
    :func:`~asyncio_primer.event_loop.run_a_program`); from another *thread*, hand a coroutine
    to the running loop with :func:`asyncio.run_coroutine_threadsafe`. The lesson takes
    *delay* seconds.

    :param delay: seconds the coroutine takes; must not be negative.
    :returns: what the coroutine returned.
    """
    data = await _fetch(delay)
    print(f"fetched: {data}")
    return data


# -- 8. asyncio.get_event_loop without a running loop ----------------------------------------


if sys.version_info >= (3, 14):

    @contextlib.contextmanager
    def _as_a_fresh_program() -> Iterator[None]:
        # 3.14 deprecates the policies (gh-127949) and no longer creates a loop: unset the
        # thread's current loop, if the program set one, for the block.
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_event_loop()
        except RuntimeError:
            current = None
        asyncio.set_event_loop(None)
        try:
            yield
        finally:
            asyncio.set_event_loop(current)

else:

    @contextlib.contextmanager
    def _as_a_fresh_program() -> Iterator[None]:
        # A new policy has no current loop in any thread; the previous one comes back after.
        previous = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
        try:
            yield
        finally:
            asyncio.set_event_loop_policy(previous)


@lesson()
@starts_its_own_loop
def get_event_loop_symptom() -> list[str]:
    """Call :func:`asyncio.get_event_loop` where no loop runs; see what this Python does.

    >>> get_event_loop_symptom()  # doctest: +ELLIPSIS
    at the start of a program: ...
    after asyncio.run(): RuntimeError: There is no current event loop in thread 'MainThread'.
    [...]

    Old asyncio code starts with ``loop = asyncio.get_event_loop()``. Outside a running loop
    its behaviour has changed from version to version
    (https://github.com/python/cpython/issues/93453). At the start of a program, in the main
    thread, it *creates* a loop and sets it as current: silently on 3.9, 3.10.9+ and 3.11.1+,
    with a :exc:`DeprecationWarning` "There is no current event loop" on 3.10.0 to 3.10.8, 3.11.0,
    3.12 and 3.13 (the lesson captures it); Python 3.14 raises :exc:`RuntimeError` instead
    (https://github.com/python/cpython/issues/126353). Once :func:`asyncio.run` has run (it
    leaves no current loop behind), or in any other thread, it raises :exc:`RuntimeError` on
    every version. The lesson simulates a fresh program — up to 3.13 with a new
    :class:`asyncio.DefaultEventLoopPolicy`, on 3.14 (which deprecates policies) by unsetting
    the current loop — puts the previous state back afterwards, and closes any loop it was
    given. Called where a loop already runs (``python -m asyncio``, Jupyter), it runs in a worker
    thread of its own, so its first line says "in a new thread" and shows the
    :exc:`RuntimeError` of a thread that is not the main one (on WebAssembly, which has no
    threads, it refuses there with :exc:`RuntimeError`).

    :returns: what each call gave, then any warning, one line each.
    """
    outcomes: list[str] = []
    thread = threading.current_thread()
    start = (
        "at the start of a program"
        if thread is threading.main_thread()
        else f"in a new thread ({thread.name})"
    )
    with _as_a_fresh_program():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                loop = asyncio.get_event_loop()  # a program's first call
            except RuntimeError as e:
                outcomes.append(f"{start}: RuntimeError: {e}")
            else:
                outcomes.append(
                    f"{start}: got a new {type(loop).__name__}, "
                    f"{'running' if loop.is_running() else 'not running'}"
                )
                asyncio.set_event_loop(None)
                loop.close()
        outcomes += [f"{w.category.__name__}: {w.message}" for w in caught]
        asyncio.run(asyncio.sleep(0))
        try:
            asyncio.get_event_loop()
            outcomes.append("after asyncio.run(): got a loop")  # pragma: no cover, no mutate
        except RuntimeError as e:
            outcomes.append(f"after asyncio.run(): RuntimeError: {e}")
    for line in outcomes:
        print(line)
    return outcomes


@lesson(delay=check_delay)
async def get_event_loop_fix(delay: float = 1.0) -> bool:
    """Inside a coroutine, ask for the loop with :func:`asyncio.get_running_loop`.

    >>> asyncio.run(get_event_loop_fix(0.01))
    inside a coroutine, get_event_loop() is get_running_loop(): True
    the callback ran on it: True
    True

    :func:`asyncio.get_running_loop` returns the running loop — the same on every version —
    and raises :exc:`RuntimeError` where none runs, instead of guessing. So: start the program
    with :func:`asyncio.run`, and in coroutines and callbacks call ``get_running_loop()``
    (inside a coroutine, :func:`asyncio.get_event_loop` returns the same loop, without a
    warning, but says less). Most code needs neither: :func:`asyncio.create_task` and
    :func:`asyncio.sleep` find the loop themselves. Here the loop schedules a callback with
    :meth:`~asyncio.loop.call_later`; the lesson takes *delay* seconds.

    :param delay: seconds before the callback; must not be negative.
    :returns: whether the callback ran on the running loop.
    """
    loop = asyncio.get_running_loop()
    same_loop = asyncio.get_event_loop() is loop
    print(f"inside a coroutine, get_event_loop() is get_running_loop(): {same_loop}")
    ran_on: asyncio.Future[asyncio.AbstractEventLoop] = loop.create_future()
    handle = loop.call_later(delay, lambda: ran_on.set_result(asyncio.get_running_loop()))
    try:
        same = await ran_on is loop
    finally:
        handle.cancel()
    print(f"the callback ran on it: {same}")
    return same


# -- 9. touching the loop from another thread ------------------------------------------------


@lesson(needs={"threads"})
async def thread_unsafe_call_symptom() -> str:
    """Call ``loop.call_soon`` from another thread: debug mode raises :exc:`RuntimeError`.

    >>> asyncio.run(thread_unsafe_call_symptom())  # doctest: +ELLIPSIS
    in the thread: RuntimeError: Non-thread-safe operation invoked on an event loop other than ...
    'Non-thread-safe operation invoked on an event loop other than the current one'

    An event loop and almost all asyncio objects are not thread-safe: only the loop's own
    thread may touch them. Called from another thread, :meth:`loop.call_soon
    <asyncio.loop.call_soon>` appends to the loop's queue without waking the loop (the callback
    runs whenever something else wakes it) and can corrupt the queue. Without debug mode
    nothing says so; in debug mode (``python -X dev``, ``PYTHONASYNCIODEBUG=1`` or
    :meth:`loop.set_debug(True) <asyncio.loop.set_debug>`, which this lesson turns on for the
    call and then restores) the loop checks the calling thread and raises :exc:`RuntimeError`.
    The lesson catches it in the thread and returns its message. See "Concurrency and
    Multithreading" in the asyncio developer guide:
    https://docs.python.org/3/library/asyncio-dev.html#concurrency-and-multithreading.

    :returns: the error's message.
    """
    loop = asyncio.get_running_loop()

    def from_another_thread() -> str:
        try:
            loop.call_soon(print, "this callback should not have been scheduled")  # the bug
        except RuntimeError as e:
            return str(e)
        return "no error (the loop is not in debug mode)"  # pragma: no cover, no mutate

    was_debug = loop.get_debug()
    loop.set_debug(True)
    try:
        message = await asyncio.to_thread(from_another_thread)
    finally:
        loop.set_debug(was_debug)
    await asyncio.sleep(0)  # debug mode times each step: end this one as debug mode was
    print(f"in the thread: RuntimeError: {message}")
    return message


@lesson(needs={"threads"})
async def thread_unsafe_call_fix() -> str:
    """From another thread, schedule work on the loop with ``loop.call_soon_threadsafe``.

    >>> asyncio.run(thread_unsafe_call_fix())
    the loop got: computed in a worker thread
    'computed in a worker thread'

    :meth:`loop.call_soon_threadsafe <asyncio.loop.call_soon_threadsafe>` queues the callback
    *and wakes the loop*; the callback then runs in the loop's thread, where it may touch
    futures, tasks and queues. Here a thread hands its result to a future that way. To run a
    whole coroutine on the loop from a thread, use :func:`asyncio.run_coroutine_threadsafe`;
    to run blocking code in a thread and await its result, :func:`asyncio.to_thread` does the
    hand-off for you.

    :returns: what the thread handed over.
    """
    loop = asyncio.get_running_loop()
    handed_over: asyncio.Future[str] = loop.create_future()

    def from_another_thread() -> None:
        loop.call_soon_threadsafe(handed_over.set_result, "computed in a worker thread")

    await asyncio.to_thread(from_another_thread)
    result = await handed_over
    print(f"the loop got: {result}")
    return result


__all__ = exported(__name__)
