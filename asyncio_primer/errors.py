"""Errors: exceptions in coroutines and tasks.

An exception raised inside a coroutine travels up through every ``await`` to whoever awaits it,
exactly like an exception through ordinary function calls, so ``try`` / ``except`` works as you
expect. Tasks add one twist: a task's exception is stored in the task and raised where the task is
*awaited* (or its result asked for). :func:`asyncio.gather` can either raise the first failure or
hand every exception back as a value; on Python 3.11+, :class:`asyncio.TaskGroup` cancels the
remaining tasks and raises all failures together as an :exc:`ExceptionGroup`, which ``except*``
takes apart.

Read next: the pitfalls of forgotten exceptions, and :mod:`asyncio_primer.tasks`.
"""

from __future__ import annotations

import asyncio
import sys

from asyncio_primer._validate import check_delay

__all__ = [
    "error_prone_worker",
    "propagate_through_await",
    "gather_return_exceptions",
]


async def error_prone_worker(delay: float = 1.0) -> None:
    """Fail after *delay* seconds, and catch the failure in the same coroutine.

    >>> asyncio.run(error_prone_worker(0.01))
    Caught an exception: An error occurred!

    The :exc:`ValueError` is raised after the ``await`` and caught by the surrounding ``try``: an
    exception inside a coroutine is handled with the same ``try`` / ``except`` as anywhere else.

    :param delay: seconds to wait before failing; must not be negative.
    :raises ValueError: only if *delay* is negative or not finite (the lesson's own error is
        caught).
    """
    check_delay(delay)
    try:
        await asyncio.sleep(delay)
        raise ValueError("An error occurred!")
    except ValueError as e:
        print(f"Caught an exception: {e}")


async def _fail_after(delay: float, message: str) -> str:
    await asyncio.sleep(delay)
    raise ValueError(message)


async def propagate_through_await(delay: float = 1.0) -> str:
    """Catch, in the caller, an exception that a coroutine it awaits raised.

    >>> asyncio.run(propagate_through_await(0.01))
    caller caught ValueError: inner coroutine failed
    'inner coroutine failed'

    The exception leaves the inner coroutine, passes through the ``await`` and is raised in the
    caller at that ``await``, with the inner frames in its traceback.

    :param delay: seconds before the inner coroutine fails; must not be negative.
    :returns: the caught exception's message.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    try:
        await _fail_after(delay, "inner coroutine failed")
    except ValueError as e:
        print(f"caller caught {type(e).__name__}: {e}")
        return str(e)
    raise AssertionError("unreachable: the inner coroutine always fails")  # pragma: no cover


async def _succeed_after(delay: float, value: str) -> str:
    await asyncio.sleep(delay)
    return value


async def gather_return_exceptions(delay: float = 1.0) -> list[str | BaseException]:
    """Collect results and exceptions together with ``gather(..., return_exceptions=True)``.

    >>> asyncio.run(gather_return_exceptions(0.01))
    ok: first
    failed: ValueError('second failed')
    ok: third
    ['first', ValueError('second failed'), 'third']

    With ``return_exceptions=True``, :func:`asyncio.gather` waits for every awaitable and puts an
    exception in the results at its position instead of raising it. Without it, ``gather`` raises
    the first exception at once while the other awaitables *keep running* (see
    :class:`asyncio.TaskGroup` for the version that cancels them).

    :param delay: seconds each awaitable takes; must not be negative.
    :returns: ``["first", ValueError("second failed"), "third"]``.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)
    results = await asyncio.gather(
        _succeed_after(delay, "first"),
        _fail_after(delay, "second failed"),
        _succeed_after(delay, "third"),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            print(f"failed: {result!r}")
        else:
            print(f"ok: {result}")
    return list(results)


if sys.version_info >= (3, 11):
    # ``except*`` is a syntax error before 3.11, so this lesson lives in its own module.
    from asyncio_primer._py311 import task_group_except_star

    __all__ += ["task_group_except_star"]
