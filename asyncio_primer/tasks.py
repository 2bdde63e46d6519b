"""Tasks: running coroutines concurrently.

**The problem.** ``await`` runs one coroutine at a time: three waits of 5, 3 and 1 seconds, awaited
in a row, take 9 seconds (:func:`~asyncio_primer.coroutines.run_sequentially`). Yet the point of
pausing was to do something else while waiting.

**The idea.** A :term:`task` (:class:`asyncio.Task`) wraps a coroutine and schedules it on the
:term:`event loop` *now*: it runs whenever the coroutine that created it pauses at an ``await``.
Several tasks wait at the same time, in one thread — while one task waits for a timer or a
socket, another runs. The same three waits, as tasks, take 5 seconds: as long as the longest.

On Python 3.11 and newer, the default way to run tasks is a :class:`asyncio.TaskGroup` block:
:term:`structured concurrency`, where no task outlives the block and a failure cancels the rest.
On every version, :func:`asyncio.gather` runs several awaitables as tasks and waits for all of
them, and :func:`asyncio.create_task` starts one task to await later. To take results as they
finish there is :func:`asyncio.as_completed`, and to wait until a condition,
:func:`asyncio.wait`. Tasks have names, done callbacks and a registry
(:func:`asyncio.current_task`, :func:`asyncio.all_tasks`); a task nobody references can vanish, so
keep a reference to background tasks; a :class:`asyncio.Semaphore` bounds how many run at once.
Finally, :class:`asyncio.Runner` runs several coroutines on one loop from synchronous code, and
:func:`asyncio.eager_task_factory` (3.12+) lets a task run its first step inside
:func:`asyncio.create_task`.

Read next: :mod:`asyncio_primer.awaitables` (what ``await`` accepts besides coroutines), then
:mod:`asyncio_primer.cancellation` (stopping a task, timeouts), :mod:`asyncio_primer.event_loop`
(what schedules the tasks) and :mod:`asyncio_primer.errors` (what happens when one of them
fails).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence

from asyncio_primer._own_loop import starts_its_own_loop
from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_delays, check_positive_int, one_of


@lesson(delay=check_delay)
async def worker(name: str, delay: float) -> None:
    """Announce *name*, sleep for *delay* seconds, then announce that it finished.

    >>> asyncio.run(worker("Task 1", 0.01))
    Task 1 started
    Task 1 finished

    On its own a worker is just a coroutine; :func:`run_workers` runs three of them concurrently.

    :param name: what the worker prints.
    :param delay: seconds to sleep; must not be negative.
    """
    print(f"{name} started")
    await asyncio.sleep(delay)
    print(f"{name} finished")


@lesson(delays=check_delays)
async def run_workers(delays: Sequence[float] = (5.0, 3.0, 1.0)) -> None:
    """Run one :func:`worker` per delay concurrently with :func:`asyncio.gather`.

    >>> asyncio.run(run_workers([0.3, 0.2, 0.1]))
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
    """
    await asyncio.gather(*(worker(f"Task {n}", delay) for n, delay in enumerate(delays, 1)))


if sys.version_info >= (3, 11):

    @lesson(delays=check_delays)
    async def task_group_results(delays: Sequence[float] = (3.0, 1.0, 2.0)) -> list[float]:
        """Run tasks in an :class:`asyncio.TaskGroup` block and read their results after it.

        >>> asyncio.run(task_group_results([0.03, 0.01, 0.02]))
        3 tasks started in the block
        the block exited; all done: True
        [0.03, 0.01, 0.02]

        ``async with asyncio.TaskGroup() as group:`` is :term:`structured concurrency`: the tasks
        made with ``group.create_task`` cannot outlive the block, because leaving it waits for all
        of them — here until the longest delay, 3 s with the defaults. After the block every task
        is done, so :meth:`~asyncio.Task.result` returns at once. If a task fails, the group cancels
        the others and raises an :exc:`ExceptionGroup` (see
        :func:`~asyncio_primer.errors.task_group_except_star`) — unlike :func:`asyncio.gather`,
        which leaves them running. Prefer it to ``gather`` in new code.

        .. note:: Needs Python 3.11 (asyncio.TaskGroup).

        :param delays: one delay per task, in seconds; none may be negative.
        :returns: each task's result (its delay), in the order the tasks were created.
        """
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_echo_after(delay)) for delay in delays]
            print(f"{len(tasks)} tasks started in the block")
        print(f"the block exited; all done: {all(task.done() for task in tasks)}")
        return [task.result() for task in tasks]


@lesson(delay=check_delay)
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
    """

    async def job() -> str:
        await asyncio.sleep(delay)
        return "done"

    task = asyncio.create_task(job())
    print("task created; doing other work")
    await asyncio.sleep(delay / 2)
    result = await task
    print(f"task says: {result}")
    return result


@lesson(delays=check_delays)
async def gather_in_order(delays: Sequence[float] = (3.0, 1.0, 2.0)) -> list[float]:
    """Gather results in the order of the arguments, not the order they finish in.

    >>> asyncio.run(gather_in_order([0.03, 0.01, 0.02]))
    [0.03, 0.01, 0.02]

    Each awaitable returns its own delay. The one with the shortest delay finishes first, yet
    :func:`asyncio.gather` puts every result at its argument's position. Use
    :func:`asyncio.as_completed` when you want results as they come.

    :param delays: one delay per awaitable, in seconds; none may be negative.
    :returns: the delays, in argument order.
    """
    return list(await asyncio.gather(*(_echo_after(delay) for delay in delays)))


async def _echo_after(delay: float) -> float:
    """Sleep *delay* seconds, then return *delay*: the result says when it finished."""
    await asyncio.sleep(delay)
    return delay


@lesson(delays=check_delays)
async def as_completed_order(delays: Sequence[float] = (3.0, 1.0, 2.0)) -> list[float]:
    """Take results in the order they finish with :func:`asyncio.as_completed`.

    >>> asyncio.run(as_completed_order([0.3, 0.1, 0.2]))
    got 0.1
    got 0.2
    got 0.3
    [0.1, 0.2, 0.3]

    Each awaitable returns its own delay. :func:`asyncio.as_completed` starts them all as tasks and
    yields one awaitable per result, each resolving to the next result to finish — so the loop
    body handles a result as soon as it exists: at 1, 2 and 3 s with the defaults, 3 s in all.
    Compare :func:`gather_in_order`, which hands back every result at the end, in argument order.
    (Python 3.13 also accepts ``async for task in asyncio.as_completed(...)``, which yields the
    original tasks.)

    :param delays: one delay per awaitable, in seconds; none may be negative.
    :returns: the delays, in the order they finished.
    """
    results: list[float] = []
    for next_done in asyncio.as_completed([_echo_after(delay) for delay in delays]):
        result = await next_done
        print(f"got {result:g}")
        results.append(result)
    return results


@lesson(
    return_when=one_of(asyncio.FIRST_COMPLETED, asyncio.FIRST_EXCEPTION, asyncio.ALL_COMPLETED),
    delay=check_delay,
)
async def wait_for_jobs(
    return_when: str = asyncio.FIRST_COMPLETED, delay: float = 1.0
) -> tuple[list[str], list[str]]:
    """Wait for tasks with :func:`asyncio.wait` until the first ends, the first fails, or all end.

    >>> asyncio.run(wait_for_jobs(asyncio.FIRST_EXCEPTION, 0.1))
    done: fast returned 'fast result'
    done: faulty raised ValueError('faulty failed')
    cancelled: slow
    (['fast', 'faulty'], ['slow'])

    Three tasks: *fast* returns after *delay*, *faulty* raises after twice *delay*, *slow* returns
    after three times *delay*. :func:`asyncio.wait` returns two sets, ``done`` and ``pending``,
    as soon as *return_when* holds: with ``asyncio.FIRST_COMPLETED`` after *delay* (only
    *fast* is done), with ``asyncio.FIRST_EXCEPTION`` after twice *delay* (*fast* and
    *faulty*), with ``asyncio.ALL_COMPLETED`` after three times *delay* (all three).

    ``wait`` never raises the tasks' exceptions: ask each done task for its
    :meth:`~asyncio.Task.exception` or :meth:`~asyncio.Task.result`. Nor does it cancel anything:
    the pending tasks keep running until you cancel them — and then await them, so that none is
    left pending when the lesson returns. Pass tasks, not coroutines: since Python 3.11 ``wait``
    refuses bare coroutines.

    :param return_when: ``asyncio.FIRST_COMPLETED``, ``asyncio.FIRST_EXCEPTION`` or
        ``asyncio.ALL_COMPLETED``.
    :param delay: the time unit of the three tasks, in seconds; must not be negative.
    :returns: the names of the done tasks and of the pending (then cancelled) ones, in creation
        order.
    """

    async def job(name: str, seconds: float, fail: bool = False) -> str:
        await asyncio.sleep(seconds)
        if fail:
            raise ValueError(f"{name} failed")
        return f"{name} result"

    tasks = [
        asyncio.create_task(job("fast", delay), name="fast"),
        asyncio.create_task(job("faulty", 2 * delay, fail=True), name="faulty"),
        asyncio.create_task(job("slow", 3 * delay), name="slow"),
    ]
    done, pending = await asyncio.wait(tasks, return_when=return_when)
    for task in tasks:
        if task in done:
            error = task.exception()
            outcome = f"returned {task.result()!r}" if error is None else f"raised {error!r}"
            print(f"done: {task.get_name()} {outcome}")
        else:
            task.cancel()
            print(f"cancelled: {task.get_name()}")
    if pending:
        await asyncio.wait(pending)  # let the cancelled tasks finish: nothing is left pending
    return [t.get_name() for t in tasks if t in done], [t.get_name() for t in tasks if t in pending]


@lesson(count=check_positive_int, delay=check_delay)
async def keep_background_tasks(count: int = 3, delay: float = 1.0) -> list[int]:
    """Keep a reference to :term:`fire-and-forget tasks <fire-and-forget task>` in a set.

    >>> asyncio.run(keep_background_tasks(3, 0.01))
    holding 3 tasks
    holding 2 tasks
    holding 0 tasks
    [3, 2, 0]

    The event loop keeps only *weak* references to tasks: a task that nobody else references can
    be garbage-collected before it finishes (see the "Important" note under
    :func:`asyncio.create_task`). For tasks you start and do not await at once, put each in a
    set and let :meth:`~asyncio.Task.add_done_callback` take it out with ``set.discard`` when it
    is done, so the set holds exactly the running ones. Job *n* takes *n* times *delay*. When job 1
    ends, its done callbacks run in the order they were added: first ``discard``, then the wakeup
    of the coroutine awaiting it, which therefore always sees the set without job 1. The lesson
    waits for the rest before it returns (no task is left pending), after *count* times *delay*.

    :param count: how many background jobs to start; must be >= 1.
    :param delay: the time unit of the jobs, in seconds; must not be negative.
    :returns: the set's size after starting the jobs, after the first job ends, and at the end.
    """
    background: set[asyncio.Task[None]] = set()

    def start(n: int) -> asyncio.Task[None]:
        task = asyncio.create_task(asyncio.sleep(n * delay))  # job n: n * delay seconds of work
        background.add(task)
        task.add_done_callback(background.discard)
        return task

    first = start(1)
    for n in range(2, count + 1):
        start(n)
    sizes = [len(background)]
    print(f"holding {sizes[-1]} tasks")
    await first  # job 1's done callbacks: the set drops it, then this coroutine resumes
    sizes.append(len(background))
    print(f"holding {sizes[-1]} tasks")
    await asyncio.gather(*background)
    sizes.append(len(background))
    print(f"holding {sizes[-1]} tasks")
    return sizes


@lesson(jobs=check_positive_int, limit=check_positive_int, delay=check_delay)
async def bounded_concurrency(jobs: int = 5, limit: int = 2, delay: float = 1.0) -> int:
    """Run *jobs* jobs with at most *limit* at once, using an :class:`asyncio.Semaphore`.

    >>> asyncio.run(bounded_concurrency(5, 2, 0.01))
    job 1 starts (1 running)
    job 2 starts (2 running)
    job 3 starts ...
    job 4 starts ...
    job 5 starts ...
    at most 2 ran at once
    2

    All jobs start as tasks at once, but each must acquire the semaphore (``async with``) before
    it works and releases it when done. The semaphore holds a counter: acquiring decrements it, or
    waits while it is zero, and releasing increments it again — so it lets *limit* holders in and
    queues the rest.
    That is how you cap connections to a server or files open at once. The jobs run in waves of
    *limit*: ``ceil(jobs / limit) * delay`` seconds in all — 3 s with the defaults, not 1 s (no
    limit) nor 5 s (one at a time).

    :param jobs: how many jobs to run; must be >= 1.
    :param limit: how many may run at once; must be >= 1.
    :param delay: how long each job works, in seconds; must not be negative.
    :returns: the largest number of jobs that ran at the same time (``min(jobs, limit)``).
    """
    semaphore = asyncio.Semaphore(limit)
    running = peak = 0

    async def job(n: int) -> None:
        nonlocal running, peak
        async with semaphore:
            running += 1
            peak = max(peak, running)
            print(f"job {n} starts ({running} running)")
            try:
                await asyncio.sleep(delay)
            finally:
                running -= 1

    await asyncio.gather(*(job(n) for n in range(1, jobs + 1)))
    print(f"at most {peak} ran at once")
    return peak


@lesson(delay=check_delay)
async def current_and_all_tasks(delay: float = 1.0) -> list[str]:
    """Find the current task with :func:`asyncio.current_task`, all with :func:`asyncio.all_tasks`.

    >>> asyncio.run(current_and_all_tasks(0.01))
    besides me, running: ['worker-1', 'worker-2']
    worker-1 finished
    worker-2 finished
    after gather, besides me: []
    ['worker-1', 'worker-2']

    :func:`asyncio.current_task` returns the task whose code is running — inside a worker, the
    worker itself, so it can read its own name. :func:`asyncio.all_tasks` returns the loop's tasks
    that are not done yet, including the one that calls it; finished tasks drop out. The lesson
    takes *delay* seconds.

    :param delay: how long each worker sleeps, in seconds; must not be negative.
    :returns: the names of the other tasks that were running after the workers started.
    """

    async def work() -> None:
        me = asyncio.current_task()
        await asyncio.sleep(delay)
        print(f"{me.get_name() if me else '?'} finished")

    me = asyncio.current_task()
    workers = [asyncio.create_task(work(), name=f"worker-{n}") for n in (1, 2)]
    running = sorted(task.get_name() for task in asyncio.all_tasks() if task is not me)
    print(f"besides me, running: {running}")
    await asyncio.gather(*workers)
    left = sorted(task.get_name() for task in asyncio.all_tasks() if task is not me)
    print(f"after gather, besides me: {left}")
    return running


@lesson(delay=check_delay)
async def task_names(delay: float = 1.0) -> list[str]:
    """Name tasks: ``create_task(name=...)``, :meth:`~asyncio.Task.get_name`, ``set_name``.

    >>> asyncio.run(task_names(0.01))
    named at creation: fetch-users
    default name starts with 'Task-': True
    renamed to: fetch-orders
    fetch-users finished
    fetch-orders finished
    ['fetch-users', 'fetch-orders']

    A task without a name gets ``Task-<n>`` from a global counter. A name costs nothing and shows
    up where you debug: in the task's ``repr``, in :func:`asyncio.all_tasks` dumps and in the
    "Task exception was never retrieved" log. :meth:`~asyncio.Task.set_name` renames a running
    task; the task itself sees its new name (here both tasks print their own name through
    :func:`asyncio.current_task` after *delay* seconds).

    :param delay: how long each task sleeps, in seconds; must not be negative.
    :returns: the names the tasks reported when they finished.
    """

    async def fetch() -> str:
        await asyncio.sleep(delay)
        me = asyncio.current_task()
        name = me.get_name() if me else "?"
        print(f"{name} finished")
        return name

    users = asyncio.create_task(fetch(), name="fetch-users")
    orders = asyncio.create_task(fetch())
    print(f"named at creation: {users.get_name()}")
    print(f"default name starts with 'Task-': {orders.get_name().startswith('Task-')}")
    orders.set_name("fetch-orders")
    print(f"renamed to: {orders.get_name()}")
    return list(await asyncio.gather(users, orders))


@lesson(delay=check_delay)
async def done_callbacks(delay: float = 1.0) -> list[str]:
    """Run a function when a task finishes, with :meth:`~asyncio.Task.add_done_callback`.

    >>> asyncio.run(done_callbacks(0.01))
    callback added to a running task
    callback: report returned 'ready'
    await got 'ready'
    callback added to a finished task
    callback: report returned 'ready'
    ["report returned 'ready'", "report returned 'ready'"]

    The callback is a plain function, called with the task as its only argument (use
    :func:`functools.partial` to pass more). The loop calls it, with
    :meth:`~asyncio.loop.call_soon`, once the task is done: here after *delay* seconds, and
    before the ``await`` that waits for the same task resumes. Added to a task that is already
    done, it is *not* called at once, but on the loop's next turn. A done task may hold a result,
    an exception or a cancellation, so the callback checks which before calling
    :meth:`~asyncio.Task.result`.

    :param delay: how long the task works, in seconds; must not be negative.
    :returns: what each callback call saw, in order.
    """
    seen: list[str] = []

    def on_done(task: asyncio.Task[str]) -> None:
        if task.cancelled():
            outcome = "was cancelled"
        elif task.exception() is not None:
            outcome = f"raised {task.exception()!r}"
        else:
            outcome = f"returned {task.result()!r}"
        seen.append(f"{task.get_name()} {outcome}")
        print(f"callback: {seen[-1]}")

    async def report() -> str:
        await asyncio.sleep(delay)
        return "ready"

    task = asyncio.create_task(report(), name="report")
    task.add_done_callback(on_done)
    print("callback added to a running task")
    print(f"await got {await task!r}")
    task.add_done_callback(on_done)
    print("callback added to a finished task")
    await asyncio.sleep(0)  # one turn of the loop, which calls it
    return seen


if sys.version_info >= (3, 11):

    @lesson(delay=check_delay)
    @starts_its_own_loop
    def runner_shares_one_loop(
        delay: float = 1.0,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    ) -> str:
        """Make several ``run()`` calls on one event loop with :class:`asyncio.Runner`.

        >>> runner_shares_one_loop(0.01)
        run 1 started a job and returned
        between the runs the job waits: done is False
        run 2 awaited the job: 'finished'
        both runs used the runner's loop: True
        'finished'

        :func:`asyncio.run` makes a new loop for each call and, at the end, cancels every task
        that is left. :class:`asyncio.Runner` keeps one loop for all its
        :meth:`~asyncio.Runner.run` calls, until the ``with`` block closes it: a task that the
        first run started is still there for the second run to await. Between the runs the loop
        is stopped, so the task does not advance; the second run takes *delay* seconds. This is
        for synchronous code that calls into asyncio several times (a test suite, a command-line
        program); *loop_factory* picks the loop class (``uvloop.new_event_loop``, say). Like
        :func:`asyncio.run`, a runner refuses to start where a loop already runs; called there
        (``python -m asyncio``, Jupyter), this lesson runs in a worker thread of its own, which
        has no loop yet (on WebAssembly, which has no threads, it refuses there with
        :exc:`RuntimeError`).

        .. note:: Needs Python 3.11 (asyncio.Runner).

        :param delay: how long the job works, in seconds; must not be negative.
        :param loop_factory: makes the runner's event loop; ``None`` for asyncio's default.
        :returns: the job's result, ``"finished"``.
        :raises TypeError: if *loop_factory* is neither callable nor ``None``.
        """
        if loop_factory is not None and not callable(loop_factory):
            raise TypeError(f"loop_factory must be callable or None, got {loop_factory!r}")

        async def job() -> str:
            await asyncio.sleep(delay)
            return "finished"

        async def start() -> tuple[asyncio.Task[str], asyncio.AbstractEventLoop]:
            return asyncio.create_task(job()), asyncio.get_running_loop()

        async def finish(task: asyncio.Task[str]) -> tuple[str, asyncio.AbstractEventLoop]:
            return await task, asyncio.get_running_loop()

        with asyncio.Runner(loop_factory=loop_factory) as runner:
            task, first_loop = runner.run(start())
            print("run 1 started a job and returned")
            print(f"between the runs the job waits: done is {task.done()}")
            result, second_loop = runner.run(finish(task))
            print(f"run 2 awaited the job: {result!r}")
            same = first_loop is second_loop is runner.get_loop()
            print(f"both runs used the runner's loop: {same}")
        return result


if sys.version_info >= (3, 12):

    @lesson(delay=check_delay)
    async def eager_tasks(delay: float = 1.0) -> list[bool]:
        """Run a task's first step inside ``create_task`` with :func:`asyncio.eager_task_factory`.

        >>> asyncio.run(eager_tasks(0.01))
        eager hit: the lookup runs
        eager hit: create_task returned; done: True
        eager miss: the lookup runs
        eager miss: create_task returned; done: False
        lazy hit: create_task returned; done: False
        lazy hit: the lookup runs
        [True, False, False]

        Normally :func:`asyncio.create_task` only *schedules* the coroutine: it starts at the
        creator's next ``await``. With :func:`asyncio.eager_task_factory` installed
        (:meth:`loop.set_task_factory <asyncio.loop.set_task_factory>`), ``create_task`` runs the
        coroutine at once, up to its first real suspension. A coroutine that finishes without
        suspending — a cache hit, say — is done when ``create_task`` returns, and never goes
        through the loop; one that has to wait (the miss, *delay* seconds) carries on as an
        ordinary task. This saves a loop turn per task in code where many tasks finish at once,
        but changes the order in which code runs. The lesson restores the previous task factory
        before it returns.

        .. note:: Needs Python 3.12 (asyncio.eager_task_factory).

        :param delay: how long the cache miss waits, in seconds; must not be negative.
        :returns: for the eager hit, the eager miss and the lazy hit, whether the task was done
            when ``create_task`` returned.
        """

        async def lookup(label: str, wait: float) -> str:
            print(f"{label}: the lookup runs")
            if wait:
                await asyncio.sleep(wait)
            return label

        done_at_start: list[bool] = []

        def start(label: str, wait: float) -> asyncio.Task[str]:
            task = asyncio.create_task(lookup(label, wait))
            done_at_start.append(task.done())
            print(f"{label}: create_task returned; done: {task.done()}")
            return task

        loop = asyncio.get_running_loop()
        previous = loop.get_task_factory()
        loop.set_task_factory(asyncio.eager_task_factory)
        try:
            started = [start("eager hit", 0), start("eager miss", delay)]
        finally:
            loop.set_task_factory(previous)
        started.append(start("lazy hit", 0))
        await asyncio.gather(*started)
        return done_at_start


if sys.version_info >= (3, 14):

    @lesson(delay=check_delay)
    async def what_a_stuck_task_awaits(delay: float = 1.0) -> list[str]:
        """Print what a stuck task is waiting on with :func:`asyncio.print_call_graph`.

        >>> asyncio.run(what_a_stuck_task_awaits(0.01))  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        after 0.01 s the program has not finished; its service task:
        * Task(name='service', id=0x...)
          + Call stack:
          |   File '.../asyncio/locks.py', line ..., in async Event.wait()
          |   File '.../tasks.py', line ..., in async ...<locals>.load_config()
          |   File '.../tasks.py', line ..., in async ...<locals>.start_service()
          + Awaited by:
            * Task(name='main', id=0x...)
              + Call stack:
              |   File '.../asyncio/taskgroups.py', line ..., in async TaskGroup._aexit()
              |   File '.../asyncio/taskgroups.py', line ..., in async TaskGroup.__aexit__()
              |   File '.../tasks.py', line ..., in async ...<locals>.main()
        ['Event.wait', 'what_a_stuck_task_awaits.<locals>.load_config',
         'what_a_stuck_task_awaits.<locals>.start_service']

        A program that hangs is usually a task awaiting something that never comes: here the
        service waits for an :class:`asyncio.Event` that nothing sets. A traceback cannot show
        it (nothing failed), and a thread dump shows only the idle event loop. Python 3.14 can
        walk the *async* call graph: :func:`asyncio.capture_call_graph` returns, for a task, the
        chain of coroutines it is suspended in (innermost first) and the tasks that await it;
        :func:`asyncio.format_call_graph` renders that as text and
        :func:`asyncio.print_call_graph` prints it (with no argument: the current task). Here a
        watchdog looks after *delay* seconds, prints the graph of the task named ``service``
        (the ids and paths are this run's), then cancels the program; the lesson returns the
        coroutine names from ``capture_call_graph``. The service is stuck in
        :meth:`asyncio.Event.wait`, called from ``load_config``; the ``main`` task awaits it
        from the end of its :class:`~asyncio.TaskGroup` block. To look at another, live
        process from the outside, Python 3.14 has ``python -m asyncio ps PID`` and
        ``python -m asyncio pstree PID``, which print the same graph for every task of that
        process (see :doc:`/versions`).

        .. note:: Needs Python 3.14 (asyncio.capture_call_graph, asyncio.print_call_graph).

        :param delay: seconds before the watchdog looks; must not be negative.
        :returns: the service task's call stack from :func:`asyncio.capture_call_graph`,
            innermost coroutine first.
        """
        config_loaded = asyncio.Event()  # the bug: nothing ever sets it
        started: list[asyncio.Task[None]] = []

        async def load_config() -> None:
            await config_loaded.wait()

        async def start_service() -> None:
            await load_config()

        async def main() -> None:
            async with asyncio.TaskGroup() as group:
                started.append(group.create_task(start_service(), name="service"))

        program = asyncio.create_task(main(), name="main")
        await asyncio.sleep(delay)  # the watchdog: by now the program should have finished
        print(f"after {delay} s the program has not finished; its service task:")
        asyncio.print_call_graph(started[0])
        graph = asyncio.capture_call_graph(started[0])
        stack = [entry.frame.f_code.co_qualname for entry in graph.call_stack] if graph else []
        del graph  # it holds the frames
        program.cancel()
        await asyncio.wait([program])  # until it is cancelled (wait() raises nothing)
        return stack

    @lesson()
    async def create_task_eager_start() -> list[bool]:
        """Start one task eagerly: ``asyncio.create_task(coro, eager_start=True)``.

        >>> asyncio.run(create_task_eager_start())
        eager: the coroutine runs
        eager: done when create_task returned: True
        lazy: done when create_task returned: False
        lazy: the coroutine runs
        [True, False]

        Since Python 3.14, :func:`asyncio.create_task` passes its keyword arguments (*name*,
        *context*, *eager_start*, ...) on to :class:`asyncio.Task` or to the loop's task
        factory, so one call can ask for an *eager* task without installing
        :func:`asyncio.eager_task_factory` for the whole loop (see
        :func:`~asyncio_primer.tasks.eager_tasks`): the
        coroutine runs at once, inside ``create_task``, up to its first suspension, and one that
        never suspends is done when ``create_task`` returns. The ordinary (lazy) task only
        starts at the creator's next ``await``. A custom task factory must now accept these
        keyword arguments (``**kwargs``) too.

        .. note:: Needs Python 3.14 (create_task keyword arguments such as eager_start).

        :returns: for the eager and the lazy task, whether it was done when ``create_task``
            returned.
        """

        async def cached(label: str) -> str:
            print(f"{label}: the coroutine runs")
            return label

        eager = asyncio.create_task(cached("eager"), eager_start=True)
        done_at_start = [eager.done()]
        print(f"eager: done when create_task returned: {eager.done()}")
        lazy = asyncio.create_task(cached("lazy"))
        done_at_start.append(lazy.done())
        print(f"lazy: done when create_task returned: {lazy.done()}")
        await asyncio.gather(eager, lazy)
        return done_at_start


if sys.version_info >= (3, 15):

    @lesson(delays=check_delays)
    async def task_group_cancel(delays: Sequence[float] = (3.0, 1.0, 2.0)) -> str | None:
        """Stop a whole :class:`asyncio.TaskGroup` early with :meth:`~asyncio.TaskGroup.cancel`.

        >>> asyncio.run(task_group_cancel([0.03, 0.01, 0.02]))
        asked 3 mirrors for the file
        mirror 2 answered first; cancel the group
        the block exited, no CancelledError; cancelled: [True, False, True]
        'mirror 2'

        Ask several mirrors for the same file and keep the first answer: once one has answered,
        the others' work is waste. ``group.cancel()`` (Python 3.15) cancels every task of the
        group that is not done *and* the block's own body; leaving the block then waits for the
        cancelled tasks, and the group absorbs the cancellation: no
        :exc:`asyncio.CancelledError` comes out of the ``async with``. Before 3.15 this took a
        task that raised a made-up exception and an ``except*`` around the block to swallow it.
        Here the block waits for the first answer (a future the mirrors race to set), then
        cancels the group; the lesson takes the shortest delay, 1 s with the defaults.

        .. note:: Needs Python 3.15 (asyncio.TaskGroup.cancel).

        :param delays: how long each mirror takes to answer, in seconds; none may be negative.
        :returns: the name of the mirror that answered first (``None`` for no mirrors).
        """
        if not delays:
            return None
        loop = asyncio.get_running_loop()
        first: asyncio.Future[str] = loop.create_future()

        async def fetch(name: str, delay: float) -> None:
            await asyncio.sleep(delay)
            if not first.done():
                first.set_result(name)

        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(fetch(f"mirror {n}", delay)) for n, delay in enumerate(delays, 1)
            ]
            print(f"asked {len(tasks)} mirrors for the file")
            winner = await first
            print(f"{winner} answered first; cancel the group")
            # group.cancel(), read with getattr: the typeshed of mypy 1.x lacks it (new in 3.15)
            cancel: Callable[[], None] = getattr(group, "cancel")  # noqa: B009
            cancel()
        cancelled = [task.cancelled() for task in tasks]
        print(f"the block exited, no CancelledError; cancelled: {cancelled}")
        return winner


__all__ = exported(__name__)
