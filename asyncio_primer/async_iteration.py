"""Async iteration: ``async for``, async generators and ``async with``.

**The problem.** An ordinary ``for`` loop cannot wait: ``next()`` must return the next item at
once, and a ``with`` block cannot await while it sets up or cleans up.

**The idea.** ``async for`` awaits each item instead, so the next item may come from a socket, a
queue or a timer while the loop runs other tasks meanwhile. What it iterates over is an
*asynchronous iterable*: an object whose ``__aiter__`` returns an asynchronous iterator, whose
``__anext__`` is a coroutine that returns the next item or raises :exc:`StopAsyncIteration`. The
easy way to write one is an :term:`async generator`, an ``async def`` that contains ``yield``.
Comprehensions can be asynchronous too.

``async with`` is the same idea for setup and cleanup that must await (opening and closing a
connection, taking and releasing a lock): ``__aenter__`` and ``__aexit__`` are coroutines.
:func:`contextlib.asynccontextmanager` turns an async generator into one.

An async generator abandoned before its end holds its ``finally`` until someone closes it, and
closing it must await. Close it yourself with ``aclose()`` or :func:`contextlib.aclosing`;
:func:`asyncio.run` closes the ones left over when the program ends.

Read next: :mod:`asyncio_primer.errors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncGenerator, AsyncIterator
from types import TracebackType

from asyncio_primer._own_loop import starts_its_own_loop
from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_positive_int


async def _ticks(count: int, delay: float) -> AsyncIterator[int]:
    """Yield 1, 2, ... *count*, each after *delay* seconds."""
    for n in range(1, count + 1):
        await asyncio.sleep(delay)
        yield n


@lesson(count=check_positive_int, delay=check_delay)
async def iterate_async_generator(count: int = 3, delay: float = 1.0) -> list[int]:
    """Produce items with an async generator and consume them with ``async for``.

    >>> asyncio.run(iterate_async_generator(3, 0.01))
    got 1
    got 2
    got 3
    [1, 2, 3]

    An ``async def`` that contains ``yield`` is an async generator: calling it runs nothing yet,
    it returns an :class:`~collections.abc.AsyncGenerator`. Each turn of ``async for`` awaits
    its next item, and the generator runs up to its next ``yield``, awaiting whatever it needs
    (here :func:`asyncio.sleep`), while the loop serves other tasks. Items arrive one by one,
    *delay* seconds apart, as the caller asks for them: the lesson takes ``count * delay``
    seconds.

    :param count: how many items to produce; must be >= 1.
    :param delay: seconds before each item; must not be negative.
    :returns: the items received.
    """
    received: list[int] = []
    async for n in _ticks(count, delay):
        print(f"got {n}")
        received.append(n)
    return received


@lesson(start=check_positive_int, delay=check_delay)
async def iterate_async_iterator_class(start: int = 3, delay: float = 1.0) -> list[int]:
    """Write the async iterator protocol by hand: ``__aiter__``, ``__anext__``, StopAsyncIteration.

    >>> asyncio.run(iterate_async_iterator_class(3, 0.01))
    countdown: 3
    countdown: 2
    countdown: 1
    [3, 2, 1]

    ``async for x in obj`` calls :meth:`obj.__aiter__() <object.__aiter__>` once to get an
    iterator (an iterator returns itself), then awaits :meth:`~object.__anext__` for each item
    (see :ref:`async-iterators` in the language reference), until it raises
    :exc:`StopAsyncIteration` (the async counterpart of :exc:`StopIteration`). Only ``__anext__``
    is a coroutine; ``__aiter__`` is a plain method. A class is worth writing when the iterator
    has state to expose or methods beyond iteration; otherwise an async generator (see
    :func:`iterate_async_generator`) is shorter. Python 3.10 added the built-ins :func:`aiter`
    and :func:`anext`. The lesson takes ``start * delay`` seconds.

    :param start: the number to count down from; must be >= 1.
    :param delay: seconds before each number; must not be negative.
    :returns: the numbers, counted down to 1.
    """

    class Countdown:
        def __init__(self, start: int) -> None:
            self.current = start

        def __aiter__(self) -> Countdown:
            return self

        async def __anext__(self) -> int:
            if self.current < 1:
                raise StopAsyncIteration
            await asyncio.sleep(delay)
            self.current -= 1
            return self.current + 1

    received: list[int] = []
    async for n in Countdown(start):
        print(f"countdown: {n}")
        received.append(n)
    return received


async def _double(n: int, delay: float) -> int:
    await asyncio.sleep(delay)
    return 2 * n


@lesson(count=check_positive_int, delay=check_delay)
async def async_comprehensions(
    count: int = 3, delay: float = 1.0
) -> tuple[list[int], set[int], list[int]]:
    """Build collections from async iterables, and await inside comprehensions.

    >>> asyncio.run(async_comprehensions(3, 0.01))
    squares: [1, 4, 9]
    odd: {1, 3}
    doubled: [2, 4, 6]
    ([1, 4, 9], {1, 3}, [2, 4, 6])

    ``async for`` works in list, set and dict comprehensions and in generator expressions, with
    ``if`` filters as usual; ``await`` works inside any comprehension too. Both are allowed only
    inside an ``async def``. The items are still awaited *one after another*: a comprehension
    is a loop, not a :func:`asyncio.gather`. Each of the three takes ``count * delay`` seconds,
    so the lesson takes ``3 * count * delay``.

    :param count: how many items each comprehension sees; must be >= 1.
    :param delay: seconds per item; must not be negative.
    :returns: the three collections.
    """
    squares = [n * n async for n in _ticks(count, delay)]
    print(f"squares: {squares}")
    odd = {n async for n in _ticks(count, delay) if n % 2}
    print(f"odd: {odd}")
    doubled = [await _double(n, delay) for n in range(1, count + 1)]
    print(f"doubled: {doubled}")
    return squares, odd, doubled


@lesson(delay=check_delay)
async def async_context_manager_class(delay: float = 1.0, fail: bool = False) -> list[str]:
    """Write an async context manager by hand: ``__aenter__`` and ``__aexit__``.

    >>> asyncio.run(async_context_manager_class(0.01))
    connecting
    connected
    using the connection
    closing (error: None)
    closed
    ['connecting', 'connected', 'using the connection', 'closing (error: None)', 'closed']

    ``async with cm as x`` awaits :meth:`cm.__aenter__() <object.__aenter__>` and binds its
    result to *x*; when the block ends, normally or by an exception, it awaits
    :meth:`cm.__aexit__(exc_type, exc, tb) <object.__aexit__>` (see
    :ref:`async-context-managers` in the language reference).
    Both are coroutines, so setting up and tearing down can wait on I/O, which a plain ``with``
    cannot. ``__aexit__`` returning a true value would swallow the exception; returning ``None``
    lets it propagate. With *fail*, the block raises :exc:`RuntimeError`: the connection is
    still closed, then the error reaches the caller. Connecting and closing take *delay* seconds
    each: the lesson takes ``2 * delay``.

    :param delay: seconds to connect and to close; must not be negative.
    :param fail: raise inside the ``async with`` block.
    :returns: the lines printed, in order.
    :raises RuntimeError: if *fail* is true, after the connection was closed.
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        print(line)

    class Connection:
        async def __aenter__(self) -> Connection:
            say("connecting")
            await asyncio.sleep(delay)
            say("connected")
            return self

        async def __aexit__(
            self,
            exc_type: type[BaseException] | None,
            exc: BaseException | None,
            tb: TracebackType | None,
        ) -> None:
            say(f"closing (error: {exc!r})")
            await asyncio.sleep(delay)
            say("closed")

    async with Connection():
        say("using the connection")
        if fail:
            raise RuntimeError("the request failed")
    return lines


@lesson(delay=check_delay)
async def async_context_manager_decorator(delay: float = 1.0, fail: bool = False) -> list[str]:
    """Write an async context manager as a generator with :func:`contextlib.asynccontextmanager`.

    >>> asyncio.run(async_context_manager_decorator(0.01))
    connecting
    connected
    using the connection
    closing (error: None)
    closed
    ['connecting', 'connected', 'using the connection', 'closing (error: None)', 'closed']

    The decorated async generator runs up to its single ``yield`` on ``__aenter__``; what it
    yields is bound by ``as``; the rest runs on ``__aexit__``. An exception in the ``async
    with`` block is raised *at the yield*, so ``try`` / ``finally`` around it is what guarantees
    the cleanup (and ``except`` there sees the error). It behaves exactly like
    :func:`async_context_manager_class`, in fewer lines. The lesson takes ``2 * delay`` seconds.

    :param delay: seconds to connect and to close; must not be negative.
    :param fail: raise inside the ``async with`` block.
    :returns: the lines printed, in order.
    :raises RuntimeError: if *fail* is true, after the connection was closed.
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        print(line)

    @contextlib.asynccontextmanager
    async def connection() -> AsyncIterator[None]:
        say("connecting")
        await asyncio.sleep(delay)
        say("connected")
        error: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            error = exc
            raise
        finally:
            say(f"closing (error: {error!r})")
            await asyncio.sleep(delay)
            say("closed")

    async with connection():
        say("using the connection")
        if fail:
            raise RuntimeError("the request failed")
    return lines


async def _stream(delay: float, log: list[str]) -> AsyncGenerator[int, None]:
    """Yield 1, 2, 3, ... forever, *delay* seconds apart; log when its ``finally`` runs."""
    n = 0
    try:
        while True:
            await asyncio.sleep(delay)
            n += 1
            yield n
    finally:
        log.append(f"stream closed after {n} item(s)")
        print(log[-1])


@lesson(delay=check_delay)
async def close_unfinished_generator(delay: float = 1.0) -> list[str]:
    """Close an async generator left unfinished with ``aclose()``.

    >>> asyncio.run(close_unfinished_generator(0.01))
    took 1, then broke out of the loop
    stream closed after 1 item(s)
    ['stream closed after 1 item(s)']

    Breaking out of ``async for`` leaves the generator suspended at its ``yield``, its ``finally``
    not yet run. Garbage collection closes a plain generator on the spot; closing an async one
    may have to await, so when one is collected asyncio can only schedule its close as a task for
    later, if the loop is still running. Don't leave it to chance: await its ``aclose()``
    (:meth:`agen.aclose`). It raises :exc:`GeneratorExit` at the ``yield``, so ``finally``
    blocks run, then the generator is done. On Python 3.10+, ``async with``
    :func:`contextlib.aclosing` does it for you (see :func:`close_with_aclosing`). The lesson
    takes *delay* seconds, for the one item taken.

    :param delay: seconds before each item; must not be negative.
    :returns: what the generator's ``finally`` logged.
    """
    log: list[str] = []
    stream = _stream(delay, log)
    async for n in stream:
        print(f"took {n}, then broke out of the loop")
        break
    await stream.aclose()
    return log


@lesson()
@starts_its_own_loop
def shutdown_closes_unfinished_generators() -> list[str]:
    """See :func:`asyncio.run` close an async generator left unfinished, at shutdown.

    >>> shutdown_closes_unfinished_generators()
    main took 1 and returns
    stream closed after 1 item(s)
    asyncio.run returned
    ['stream closed after 1 item(s)']

    Here the program's ``main`` takes one item and returns, leaving the generator suspended, and
    still referenced from outside, so garbage collection does not close it. The loop keeps track
    of every async generator started on it, and after ``main`` returns, :func:`asyncio.run`
    awaits :meth:`loop.shutdown_asyncgens() <asyncio.loop.shutdown_asyncgens>`, which calls
    ``aclose()`` on each unfinished one: the generator's ``finally`` runs while the loop is still
    running, so cleanup that awaits still works. That is a safety net for the end of the
    program; a long-running program should close its generators itself (see
    :func:`close_unfinished_generator`). This lesson is plain synchronous code: it calls
    :func:`asyncio.run` itself, with no delays. Called where a loop already runs (``python -m
    asyncio``, Jupyter), it runs in a worker thread of its own, which has no loop yet (on
    WebAssembly, which has no threads, it refuses there with :exc:`RuntimeError`).

    :returns: what the generator's ``finally`` logged.
    """
    log: list[str] = []
    generators: list[AsyncGenerator[int, None]] = []  # keeps the generator alive after main returns

    async def main() -> None:
        stream = _stream(0, log)
        generators.append(stream)
        async for n in stream:
            print(f"main took {n} and returns")
            break

    asyncio.run(main())
    print("asyncio.run returned")
    return log


if sys.version_info >= (3, 10):

    @lesson(delay=check_delay)
    async def close_with_aclosing(delay: float = 1.0) -> list[str]:
        """Close an async generator when a block ends with :func:`contextlib.aclosing`.

        >>> asyncio.run(close_with_aclosing(0.01))
        took 1
        took 2
        stream closed after 2 item(s)
        ['stream closed after 2 item(s)']

        .. note:: Needs Python 3.10 (contextlib.aclosing).

        ``async with aclosing(agen) as items:`` awaits ``agen.aclose()`` when the block ends,
        however it ends: after a ``break``, a ``return``, an exception, or cancellation. Use it
        around every ``async for`` that may stop early over a generator with cleanup to do. The
        lesson takes ``2 * delay`` seconds, for the two items taken.

        :param delay: seconds before each item; must not be negative.
        :returns: what the generator's ``finally`` logged.
        """
        log: list[str] = []
        async with contextlib.aclosing(_stream(delay, log)) as stream:
            async for n in stream:
                print(f"took {n}")
                if n == 2:
                    break
        return log


if sys.version_info >= (3, 15):

    @lesson(delay=check_delay)
    async def close_a_generator_holding_a_task_group(delay: float = 1.0) -> bool:
        """Stop early in an async generator whose body is a :class:`asyncio.TaskGroup` block.

        >>> asyncio.run(close_a_generator_holding_a_task_group(0.01))
        took reading 0 and stopped
        aclose() returned; the helper task was cancelled: True
        True

        An async generator that yields from inside ``async with asyncio.TaskGroup()`` (merging
        several streams, say, with a helper task per stream) is closed early with
        :meth:`~agen.aclose` — by ``break`` in an ``async with contextlib.aclosing(...)`` block,
        as here. Closing throws :exc:`GeneratorExit` in at the ``yield``; the group cancels its
        tasks and waits for them. Up to Python 3.14 the group then wrapped that
        ``GeneratorExit`` in a :exc:`BaseExceptionGroup`, which ``aclose()`` raised at the
        caller instead of closing quietly. Python 3.15 lets the ``GeneratorExit`` through when
        it is the only error (https://github.com/python/cpython/issues/135736), so the
        generator closes as any other does; the versions page shows both behaviours. The helper
        would take *delay* seconds; it is cancelled, and the lesson takes no time.

        .. note:: Needs Python 3.15 (a TaskGroup in an async generator closes cleanly,
           gh-135736).

        :param delay: how long the helper task would work, in seconds; must not be negative.
        :returns: whether the helper task was cancelled.
        """
        helpers: list[asyncio.Task[None]] = []

        async def readings() -> AsyncGenerator[int, None]:
            async with asyncio.TaskGroup() as group:
                helpers.append(group.create_task(asyncio.sleep(delay)))
                n = 0
                while True:
                    yield n
                    n += 1

        async with contextlib.aclosing(readings()) as stream:
            async for reading in stream:
                print(f"took reading {reading} and stopped")
                break
        cancelled = helpers[0].cancelled()
        print(f"aclose() returned; the helper task was cancelled: {cancelled}")
        return cancelled


__all__ = exported(__name__)
