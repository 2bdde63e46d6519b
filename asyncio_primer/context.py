"""Context variables: values that belong to a task, not to the whole program.

Some values describe the work in progress rather than the program: the id of the request being
handled, the user it is for, a deadline, a locale. Passing them as an argument through every
function is tedious; a global variable is wrong, because in asyncio many requests are handled at
once in one thread, and whichever task ran last would have overwritten it. (A
:class:`threading.local` does not help either: all the tasks share the thread.)

A :term:`context variable` — a :class:`contextvars.ContextVar` — solves this. Its value lives in
a *context*, and asyncio gives every :term:`task` a context of its own: a **copy** of the context
of the code that created the task, taken at that moment. Three rules follow, and the lessons show
each of them:

- a task sees the values that were set before it was created;
- a value that a task sets stays in that task: neither its parent nor its siblings see it;
- a value the parent sets later does not reach a task that already exists.

A coroutine that is simply awaited is not a task: it runs in its caller's context, and what it
sets, its caller sees. That is why code that sets a variable for a while hands back the
:class:`~contextvars.Token` it got from :meth:`~contextvars.ContextVar.set` to
:meth:`~contextvars.ContextVar.reset` when it is done.

The classic use is logging: set the request id once, where the request arrives, and every log
line written while handling it — however deep in the call stack — can carry it
(:func:`request_id_logging`). Threads started with :func:`asyncio.to_thread` get a copy of the
context too; :meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` does not pass it on. On
Python 3.11+, ``create_task(..., context=...)`` runs a task in a context you choose instead of a
copy of yours.

Reference: :mod:`contextvars`, and the *context* parameter of :func:`asyncio.create_task` ("the
current context copy is created when no context is provided").

Read next: :mod:`asyncio_primer.synchronization` — when tasks must share state, not keep it apart.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
from collections.abc import Sequence

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_delays

#: The variable every lesson on this page uses: the id of the request being handled, ``"-"`` when
#: there is none. Create context variables once, at module level, as here: a context holds on
#: to every variable set in it.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


@lesson()
async def set_get_reset() -> list[str]:
    """Read a context variable, set it, and put the old value back with the token.

    >>> asyncio.run(set_get_reset())
    before: '-'
    after set: 'req-1'
    after reset: '-'
    ['-', 'req-1', '-']

    :meth:`~contextvars.ContextVar.get` returns the value in the current context, or the
    variable's *default* when it has none. :meth:`~contextvars.ContextVar.set` changes it and
    returns a :class:`~contextvars.Token`; :meth:`~contextvars.ContextVar.reset` with that token
    restores what was there before, so that this code leaves the context as it found it — which
    matters, because an awaited coroutine shares its caller's context.

    :returns: the value before, after the set and after the reset.
    """
    seen = [request_id.get()]
    print(f"before: {seen[-1]!r}")
    token = request_id.set("req-1")
    seen.append(request_id.get())
    print(f"after set: {seen[-1]!r}")
    request_id.reset(token)
    seen.append(request_id.get())
    print(f"after reset: {seen[-1]!r}")
    return seen


@lesson(delay=check_delay)
async def each_task_gets_a_copy(delay: float = 1.0) -> dict[str, str]:
    """See that each task works in a copy of its creator's context, taken at creation.

    >>> asyncio.run(each_task_gets_a_copy())
    task-1 starts and sees 'parent'
    task-2 starts and sees 'parent, later'
    task-1 ends and sees 'task-1'
    task-2 ends and sees 'task-2'
    after the tasks, the parent sees 'parent, later'
    awaited starts and sees 'parent, later'
    awaited ends and sees 'awaited'
    after awaiting a coroutine, the parent sees 'awaited'
    {'task-1': 'task-1', 'task-2': 'task-2', 'parent': 'awaited'}

    The parent sets ``request_id`` to ``'parent'`` and creates task 1; then sets it to
    ``'parent, later'`` and creates task 2. Each task sees the value of the moment it was
    created, sets its own name, sleeps — task 1 for *delay* seconds, task 2 for twice that, while
    the other task runs and sets its own — and still sees its own name when it wakes: the two
    values never mix. Neither set reaches the parent. The same coroutine, awaited directly
    instead of as a task, runs in the parent's context, and its set *does* change what the
    parent sees. The lesson takes three times *delay*, and resets the variable before it
    returns.

    :param delay: the time unit of the sleeps, in seconds.
    :returns: what each task saw at its end, and what the parent saw last.
    """

    async def work(name: str, seconds: float) -> str:
        print(f"{name} starts and sees {request_id.get()!r}")
        request_id.set(name)
        await asyncio.sleep(seconds)
        print(f"{name} ends and sees {request_id.get()!r}")
        return request_id.get()

    token = request_id.set("parent")
    try:
        first = asyncio.create_task(work("task-1", delay))
        request_id.set("parent, later")
        second = asyncio.create_task(work("task-2", 2 * delay))
        seen = {"task-1": await first, "task-2": await second}
        print(f"after the tasks, the parent sees {request_id.get()!r}")
        await work("awaited", delay)  # not a task: it runs in the parent's context
        seen["parent"] = request_id.get()
        print(f"after awaiting a coroutine, the parent sees {seen['parent']!r}")
        return seen
    finally:
        request_id.reset(token)


@lesson(latencies=check_delays)
async def request_id_logging(latencies: Sequence[float] = (3.0, 1.0, 2.0)) -> None:
    """Tag every log line with the id of the request it belongs to, without passing the id.

    >>> asyncio.run(request_id_logging())
    [req-1] received
    [req-2] received
    [req-3] received
    [req-2] the database answered after 1 s
    [req-3] the database answered after 2 s
    [req-1] the database answered after 3 s

    Three requests are handled at once, one task each (:func:`asyncio.gather` wraps each
    coroutine in a task), request *n* waiting *latencies[n-1]* seconds for its database. Each
    handler sets ``request_id`` once, where the request arrives. The log lines are written by a
    :class:`logging.Logger` whose :class:`logging.Formatter` reads ``request_id`` — including
    the line written deep down in ``query_database``, a function that was never given the id.
    The lines of the three requests interleave in time, yet each carries its own id, because
    each task has its own copy of the variable. The lesson takes as long as the slowest request:
    3 s with the defaults.

    In a real program the formatter is set up once, at start-up, and the handler writes to a
    file or to :data:`sys.stderr`; here it writes to :data:`sys.stdout` so that the page shows
    the lines.

    :param latencies: how long each request's database query takes, in seconds.
    """

    class WithRequestId(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return f"[{request_id.get()}] {super().format(record)}"

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(WithRequestId())
    logger = logging.Logger("shop")  # not registered with logging: this lesson's alone
    logger.addHandler(handler)

    async def query_database(latency: float) -> None:
        await asyncio.sleep(latency)
        logger.info("the database answered after %g s", latency)

    async def handle(number: int, latency: float) -> None:
        request_id.set(f"req-{number}")  # once, where the request arrives
        logger.info("received")
        await query_database(latency)

    await asyncio.gather(*(handle(n, latency) for n, latency in enumerate(latencies, 1)))


@lesson(needs={"threads"})
async def context_in_threads() -> list[str]:
    """See which ways of running a function in a thread pass the context on.

    >>> asyncio.run(context_in_threads())
    asyncio.to_thread sees 'req-7'
    run_in_executor sees '-'
    run_in_executor with copy_context().run sees 'req-7'
    ['req-7', '-', 'req-7']

    :func:`asyncio.to_thread` runs the function in a copy of the caller's context, so a
    blocking call moved to a thread still logs with the right request id.
    :meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` does not: the function runs in
    the pool thread's own context, where ``request_id`` has its default. Wrapping the call in
    :meth:`contextvars.copy_context().run <contextvars.Context.run>` passes the context on by
    hand. The lesson resets the variable before it returns.

    :returns: the value each of the three ways saw.
    """
    token = request_id.set("req-7")
    try:
        loop = asyncio.get_running_loop()
        seen = [
            await asyncio.to_thread(request_id.get),
            await loop.run_in_executor(None, request_id.get),
            await loop.run_in_executor(None, contextvars.copy_context().run, request_id.get),
        ]
    finally:
        request_id.reset(token)
    ways = ["asyncio.to_thread", "run_in_executor", "run_in_executor with copy_context().run"]
    for way, value in zip(ways, seen):
        print(f"{way} sees {value!r}")
    return seen


if sys.version_info >= (3, 11):

    @lesson(delay=check_delay)
    async def run_in_a_chosen_context(delay: float = 1.0) -> list[str]:
        """Run tasks in a context you choose with ``create_task(..., context=...)``.

        >>> asyncio.run(run_in_a_chosen_context())
        login sets 'alice'
        a task in the session sees 'alice'
        a task in a copy of ours sees '-'
        we see '-'; the session holds 'alice'
        ['alice', '-', '-']

        By default a task gets a *copy* of its creator's context, so what it sets is lost when
        it ends. :func:`asyncio.create_task` (and :meth:`asyncio.TaskGroup.create_task`) accept
        ``context=`` since Python 3.11: the task then runs *in* that
        :class:`contextvars.Context` itself, and what it sets stays there for the next task
        given the same context. Here a ``login`` task, run in a ``session`` context made with
        :func:`contextvars.copy_context`, sets ``request_id`` after *delay* seconds; a later
        task in the session sees it, a task in the default copy does not, and neither does the
        lesson itself. ``session[request_id]`` reads the value from outside. The lesson takes
        *delay* seconds.

        .. note:: Needs Python 3.11 (the *context* parameter of ``create_task``).

        :param delay: how long the login takes, in seconds.
        :returns: what the task in the session, the task in a copy and the lesson saw.
        """
        session = contextvars.copy_context()

        async def login() -> None:
            await asyncio.sleep(delay)
            request_id.set("alice")
            print(f"login sets {request_id.get()!r}")

        async def look(where: str) -> str:
            print(f"a task in {where} sees {request_id.get()!r}")
            return request_id.get()

        await asyncio.create_task(login(), context=session)
        seen = [
            await asyncio.create_task(look("the session"), context=session),
            await asyncio.create_task(look("a copy of ours")),
            request_id.get(),
        ]
        print(f"we see {seen[-1]!r}; the session holds {session[request_id]!r}")
        return seen


__all__ = exported(__name__)
