"""Coroutines: functions that can pause.

**The problem.** A program that talks to the network, a disk or another program spends most of
its time waiting. An ordinary function waits by *blocking*: the whole thread stands still until
the answer comes. A program with many things to wait for then waits for them one at a time, or
needs a thread for each.

**The idea.** Functions that can *pause* while they wait and hand the thread back to a scheduler,
the :term:`event loop`, which runs something else in the meantime. In Python such a function is a
:term:`coroutine function`, defined with ``async def``. Calling it does not run its body: it
returns a :term:`coroutine` object, and the body runs only when something awaits that object, or
the event loop runs it (:func:`asyncio.run`, or a :term:`task`). Inside, :term:`await` pauses the
coroutine until what it awaits is done, and hands control back to the event loop meanwhile, so
that other coroutines can run. That pause is the whole trick of asyncio: one thread, many things
in progress.

This page starts with the smallest coroutine and ends with the most common mistake; on the way
it shows that ``await`` on its own does *not* run things at the same time — that takes tasks.

Read next: :mod:`asyncio_primer.tasks` (how to run coroutines *concurrently*), then
:mod:`asyncio_primer.awaitables` (what else ``await`` accepts).
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import warnings
from collections.abc import Sequence

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_delays


@lesson()
async def greet() -> None:
    """Print a greeting: the smallest coroutine there is.

    >>> asyncio.run(greet())
    Hello, asyncio!

    ``async def`` makes :func:`greet` a coroutine function. :func:`asyncio.run` creates an event
    loop, runs the coroutine to completion and closes the loop. In ``python -m asyncio`` a loop is
    already running, so there you write ``await greet()`` instead.
    """
    print("Hello, asyncio!")


@lesson(delay=check_delay)
async def delayed_greet(delay: float = 2.0) -> None:
    """Print a greeting after *delay* seconds, without blocking the event loop.

    >>> asyncio.run(delayed_greet(0.01))
    Hello, asyncio!

    While this coroutine waits in :func:`asyncio.sleep`, the event loop is free to run other
    tasks; :func:`time.sleep` would freeze all of them (see
    :func:`~asyncio_primer.tasks.run_workers` for the concurrent version).

    :param delay: seconds to wait; must not be negative.
    """
    await asyncio.sleep(delay)
    print("Hello, asyncio!")


@lesson()
async def function_vs_object() -> None:
    """Show that calling a coroutine function only *creates* a coroutine object.

    >>> asyncio.run(function_vs_object())
    greet is a coroutine function: True
    greet() is a coroutine object: True
    nothing printed yet; awaiting it now:
    Hello, asyncio!

    :func:`inspect.iscoroutinefunction` tells the two apart. The body of :func:`greet` runs only
    at the ``await``: a coroutine object is a paused computation, not a result.
    """
    print("greet is a coroutine function:", inspect.iscoroutinefunction(greet))
    coroutine = greet()
    print("greet() is a coroutine object:", inspect.iscoroutine(coroutine))
    print("nothing printed yet; awaiting it now:")
    await coroutine


@lesson(delay=check_delay)
async def add_later(a: int, b: int, delay: float = 1.0) -> int:
    """Return ``a + b`` after *delay* seconds.

    >>> asyncio.run(add_later(2, 3, delay=0.01))
    5

    The coroutine's ``return`` value becomes the value of the ``await`` expression that
    awaited it (see :func:`await_a_result`).

    :param a: the first number.
    :param b: the second number.
    :param delay: seconds to wait; must not be negative.
    :returns: the sum of *a* and *b*.
    """
    await asyncio.sleep(delay)
    return a + b


@lesson()
async def await_a_result() -> int:
    """Use the value that an ``await`` returns, like the value of a function call.

    >>> asyncio.run(await_a_result())
    2 + 3 = 5
    5

    ``total = await add_later(2, 3)`` suspends here for a second, then binds the coroutine's
    return value. It takes 1 s on the loop's clock.

    :returns: the value :func:`add_later` returned.
    """
    total = await add_later(2, 3)
    print(f"2 + 3 = {total}")
    return total


@lesson(delays=check_delays)
async def run_sequentially(delays: Sequence[float] = (5.0, 3.0, 1.0)) -> None:
    """Await one sleep after another: the delays add up.

    >>> asyncio.run(run_sequentially([0.01, 0.02]))
    waited 0.01 s
    waited 0.02 s

    With the default delays this takes 5 + 3 + 1 = 9 s, because each ``await`` finishes before
    the next one starts. Awaiting is not running concurrently: compare
    :func:`~asyncio_primer.tasks.run_workers`, which runs the same delays in 5 s with
    :func:`asyncio.gather`.

    :param delays: seconds to wait, one after the other; none may be negative.
    """
    for delay in delays:
        await asyncio.sleep(delay)
        print(f"waited {delay} s")


@lesson()
def forget_to_await() -> str:
    """Call a coroutine function without awaiting it, and capture the warning Python gives.

    >>> forget_to_await()
    "coroutine 'greet' was never awaited"

    ``greet()`` without ``await`` creates a coroutine object and drops it: the greeting is never
    printed, and when the object is garbage-collected Python emits a :exc:`RuntimeWarning`. This
    lesson catches that warning with :class:`warnings.catch_warnings` to show it; in your own code,
    treat it as a bug (run your tests with ``-W error``). asyncio's debug mode does not add this
    warning: it only adds where the coroutine was created (python/cpython#133515).

    :returns: the first line of the warning's message.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        greet()  # type: ignore[unused-coroutine]  # the mistake: no await
        gc.collect()  # on CPython the object is already gone; elsewhere this collects it
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return messages[0].splitlines()[0]


__all__ = exported(__name__)
