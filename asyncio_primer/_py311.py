"""Lessons whose source needs Python 3.11 (``except*`` syntax, the :exc:`ExceptionGroup` builtin).

They are imported into their concept modules (here :mod:`asyncio_primer.errors`) only on
Python 3.11 and newer, and documented there.
"""

from __future__ import annotations

import asyncio

from asyncio_primer._registry import lesson
from asyncio_primer._validate import check_delay


async def _fail_when_set(gate: asyncio.Event, error: Exception) -> None:
    await gate.wait()
    raise error


@lesson(concept="errors", delay=check_delay)
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
    """
    handled: list[str] = []
    slow = None
    gate = asyncio.Event()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_fail_when_set(gate, ValueError("bad value")))
            group.create_task(_fail_when_set(gate, KeyError("missing key")))
            slow = group.create_task(asyncio.sleep(10 * delay + 1))
            await asyncio.sleep(delay)
            gate.set()  # both fail in the same turn of the loop, on real time too
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


@lesson(concept="errors", delay=check_delay)
async def task_group_exception_group(delay: float = 1.0) -> tuple[list[str], list[str]]:
    """Catch the :exc:`ExceptionGroup` a :class:`asyncio.TaskGroup` raises and take it apart.

    >>> asyncio.run(task_group_exception_group(0.01))
    caught ExceptionGroup: unhandled errors in a TaskGroup (3 sub-exceptions)
    its exceptions: [ValueError('bad 1'), ValueError('bad 2'), KeyError('key')]
    split(ValueError): matched ['bad 1', 'bad 2'], rest ["'key'"]
    subgroup(KeyError): ["'key'"]
    (['bad 1', 'bad 2'], ["'key'"])

    When tasks in a group fail, the group raises one :exc:`ExceptionGroup` holding every
    failure in its :attr:`~BaseExceptionGroup.exceptions`. A plain ``except ExceptionGroup``
    catches the whole group; :meth:`~BaseExceptionGroup.split` divides it into the part that
    matches a type and the rest (either is ``None`` when empty), and
    :meth:`~BaseExceptionGroup.subgroup` keeps only the matching part. ``except*`` (see
    :func:`task_group_except_star`) does the splitting for you. The three tasks wait for one
    :class:`asyncio.Event` and so fail in the same turn of the loop; a task still running when
    the first failure reaches the group is cancelled instead, and is not in the group.

    .. note:: Needs Python 3.11 (:class:`asyncio.TaskGroup`, :exc:`ExceptionGroup`).

    :param delay: seconds before the three tasks fail; must not be negative.
    :returns: the messages of the ``ValueError`` part and of the rest.
    """

    def messages(group: BaseExceptionGroup[BaseException] | None) -> list[str]:
        return [] if group is None else [str(e) for e in group.exceptions]

    gate = asyncio.Event()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_fail_when_set(gate, ValueError("bad 1")))
            group.create_task(_fail_when_set(gate, ValueError("bad 2")))
            group.create_task(_fail_when_set(gate, KeyError("key")))
            await asyncio.sleep(delay)
            gate.set()  # all three fail in the same turn of the loop
    except ExceptionGroup as failures:
        print(f"caught ExceptionGroup: {failures}")
        print(f"its exceptions: {list(failures.exceptions)}")
        value_errors, rest = failures.split(ValueError)
        print(f"split(ValueError): matched {messages(value_errors)}, rest {messages(rest)}")
        print(f"subgroup(KeyError): {messages(failures.subgroup(KeyError))}")
        return messages(value_errors), messages(rest)
    raise AssertionError("unreachable: the group fails")  # pragma: no cover, no mutate
