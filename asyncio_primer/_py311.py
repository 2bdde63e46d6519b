"""Lessons whose source needs Python 3.11 syntax (``except*``).

They are imported into their concept modules (here :mod:`asyncio_primer.errors`) only on
Python 3.11 and newer, and documented there.
"""

from __future__ import annotations

import asyncio

from asyncio_primer._validate import check_delay

__all__ = ["task_group_except_star"]


async def task_group_except_star(delay: float = 1.0) -> list[str]:
    """Run tasks in a :class:`asyncio.TaskGroup` and handle its failures with ``except*``.

    >>> asyncio.run(task_group_except_star(0.01))
    handled ValueError: bad value
    handled KeyError: 'missing key'
    slow task cancelled: True
    ['bad value', "'missing key'"]

    Two tasks fail; the group cancels the third (still sleeping) task, waits for it, and
    raises an :exc:`ExceptionGroup` holding both failures. Each ``except*`` clause handles
    the matching part of the group.

    .. note:: Needs Python 3.11 (:class:`asyncio.TaskGroup`, ``except*``).

    :param delay: seconds before the two tasks fail; must not be negative.
    :returns: the messages of the handled exceptions.
    :raises ValueError: if *delay* is negative or not finite.
    """
    check_delay(delay)

    async def fail_with(error: Exception) -> None:
        await asyncio.sleep(delay)
        raise error

    handled: list[str] = []
    slow = None
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(fail_with(ValueError("bad value")))
            group.create_task(fail_with(KeyError("missing key")))
            slow = group.create_task(asyncio.sleep(10 * delay + 1))
    except* ValueError as value_errors:
        for value_error in value_errors.exceptions:
            print(f"handled ValueError: {value_error}")
            handled.append(str(value_error))
    except* KeyError as key_errors:
        for key_error in key_errors.exceptions:
            print(f"handled KeyError: {key_error}")
            handled.append(str(key_error))
    print(f"slow task cancelled: {slow is not None and slow.cancelled()}")
    return handled
