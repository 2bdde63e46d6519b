from __future__ import annotations

import sys
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import queues
from asyncio_primer._support.runner import Printed, run_lesson


def test_producer_consumer_shares_the_work_and_joins() -> None:
    run = run_lesson(queues.producer_consumer)
    assert run.result == [1, 2, 3, 4, 5, 6]
    assert run.printed == [
        Printed(1.0, "consumer 1 handled item 1"),
        Printed(1.0, "consumer 2 handled item 2"),
        Printed(2.0, "consumer 1 handled item 3"),
        Printed(2.0, "consumer 2 handled item 4"),
        Printed(3.0, "consumer 1 handled item 5"),
        Printed(3.0, "consumer 2 handled item 6"),
        Printed(3.0, "all 6 items handled"),
    ]
    assert run.elapsed == 3.0  # 6 items, 2 at a time, 1 s each
    # The leak guard (tests/conftest.py) checks that the cancelled consumers were awaited.


@pytest.mark.parametrize(
    ("items", "consumers", "elapsed"), [(1, 1, 1.0), (5, 2, 3.0), (3, 3, 1.0), (2, 4, 1.0)]
)
def test_producer_consumer_takes_one_round_per_consumers_items(
    items: int, consumers: int, elapsed: float
) -> None:
    run = run_lesson(queues.producer_consumer, items, consumers)
    assert sorted(run.result) == list(range(1, items + 1))
    assert run.printed[-1] == Printed(elapsed, f"all {items} items handled")
    assert run.elapsed == elapsed


def test_priority_queue_orders_by_priority_then_insertion() -> None:
    run = run_lesson(queues.priority_queue_order)
    # "fix typo" sorts before "restart server", but was put after it: the counter wins.
    assert run.result == ["restart server", "fix typo", "answer email", "write report"]
    assert run.printed == [
        Printed(1.0, "done: restart server (priority 1)"),
        Printed(2.0, "done: fix typo (priority 1)"),
        Printed(3.0, "done: answer email (priority 2)"),
        Printed(4.0, "done: write report (priority 3)"),
    ]
    assert run.elapsed == 4.0


def test_lifo_queue_hands_out_the_newest_first() -> None:
    run = run_lesson(queues.lifo_queue_order, 0.5)
    assert run.result == ["third", "second", "first"]
    assert run.printed == [
        Printed(0.5, "took third"),
        Printed(1.0, "took second"),
        Printed(1.5, "took first"),
    ]
    assert run.elapsed == 1.5


@pytest.mark.parametrize(
    ("args", "maxsize"), [((1,), 1), ((2,), 2), ((10,), 10), pytest.param((), 2, id="default")]
)
def test_nowait_methods_raise_instead_of_waiting(args: tuple[int, ...], maxsize: int) -> None:
    run = run_lesson(queues.nowait_empty_and_full, *args)
    assert run.result == ["QueueEmpty", "QueueFull"]
    assert run.printed == [
        Printed(0.0, "get_nowait on an empty queue: QueueEmpty"),
        Printed(0.0, f"put_nowait on a full queue ({maxsize} of {maxsize}): QueueFull"),
    ]
    assert run.elapsed == 0.0


def test_bounded_queue_makes_the_fast_producer_wait() -> None:
    run = run_lesson(queues.bounded_queue_back_pressure)
    assert run.result is None
    assert run.printed == [
        Printed(0.0, "put item 1"),
        Printed(0.0, "put item 2"),  # the consumer took item 1 at once
        Printed(1.0, "consumed item 1"),
        Printed(1.0, "put item 3"),  # only now is there room
        Printed(2.0, "consumed item 2"),
        Printed(2.0, "put item 4"),
        Printed(2.0, "producer done"),  # 2 s of back-pressure, not 0
        Printed(3.0, "consumed item 3"),
        Printed(4.0, "consumed item 4"),
    ]
    assert run.elapsed == 4.0


def test_a_queue_with_room_for_everything_gives_no_back_pressure() -> None:
    run = run_lesson(queues.bounded_queue_back_pressure, 4, 4)
    assert run.printed[:5] == [
        *(Printed(0.0, f"put item {n}") for n in range(1, 5)),
        Printed(0.0, "producer done"),
    ]
    assert run.elapsed == 4.0  # the consumer still needs its 4 s


@pytest.mark.lesson("queues.queue_shutdown")
def test_queue_shutdown_lets_the_consumer_finish_the_items_left() -> None:
    if sys.version_info >= (3, 13):  # for mypy; the mark skips older Pythons
        run = run_lesson(queues.queue_shutdown)
        assert run.result == [1, 2, 3, 4]
        assert run.printed == [
            Printed(0.0, "shutdown(immediate=False): 3 items left in the queue"),
            Printed(0.0, "put after shutdown: QueueShutDown"),
            Printed(1.0, "handled item 1"),
            Printed(2.0, "handled item 2"),
            Printed(3.0, "handled item 3"),
            Printed(4.0, "handled item 4"),
            Printed(4.0, "consumer stops: QueueShutDown"),
        ]
        assert run.elapsed == 4.0


@pytest.mark.lesson("queues.queue_shutdown")
def test_queue_shutdown_immediate_drops_the_items_left() -> None:
    if sys.version_info >= (3, 13):
        run = run_lesson(queues.queue_shutdown, immediate=True)
        assert run.result == [1]
        assert run.printed == [
            Printed(0.0, "shutdown(immediate=True): 0 items left in the queue"),
            Printed(0.0, "put after shutdown: QueueShutDown"),
            Printed(1.0, "handled item 1"),  # the item in hand is finished
            Printed(1.0, "consumer stops: QueueShutDown"),
        ]
        assert run.elapsed == 1.0  # join() did not wait for the dropped items


def test_queue_shutdown_exists_exactly_where_python_has_it() -> None:
    assert ("queue_shutdown" in queues.__all__) == (sys.version_info >= (3, 13))


BAD_ARGUMENTS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("producer_consumer", {"items": 0}, ValueError, "0"),
    ("producer_consumer", {"consumers": -1}, ValueError, "-1"),
    ("producer_consumer", {"delay": -1.0}, ValueError, "-1.0"),
    ("priority_queue_order", {"delay": float("nan")}, ValueError, "nan"),
    ("lifo_queue_order", {"delay": None}, TypeError, "None"),
    ("nowait_empty_and_full", {"maxsize": 0}, ValueError, "0"),
    ("nowait_empty_and_full", {"maxsize": 1.5}, TypeError, "1.5"),
    ("bounded_queue_back_pressure", {"items": 0}, ValueError, "0"),
    ("bounded_queue_back_pressure", {"maxsize": 0}, ValueError, "0"),
    ("bounded_queue_back_pressure", {"delay": float("inf")}, ValueError, "inf"),
    ("queue_shutdown", {"items": 0}, ValueError, "0"),
    ("queue_shutdown", {"delay": -3}, ValueError, "-3"),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "shown"),
    [
        pytest.param(
            *case, id=f"{case[0]}-{case[3]}", marks=pytest.mark.lesson(f"queues.{case[0]}")
        )
        for case in BAD_ARGUMENTS
    ],
)
def test_bad_arguments_fail_before_any_task_starts(
    name: str, kwargs: dict[str, Any], error: type[Exception], shown: str
) -> None:
    run = run_lesson(getattr(queues, name), **kwargs)
    assert_refused(run, error, f"got {shown}")
    assert str(run.error).startswith(f"{next(iter(kwargs))} must ")  # names the parameter too
