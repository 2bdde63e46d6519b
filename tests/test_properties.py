"""Properties of the lessons that take parameters, for any parameters (hypothesis).

Delays are multiples of 1/4 s: exact in binary floating point, so sums and maxima on the virtual
clock are exact too and can be compared with ``==``.
"""

from __future__ import annotations

import asyncio
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from leak_guard import LeakGuard

from asyncio_primer import cancellation, coroutines, tasks
from asyncio_primer._support.runner import run_lesson

delays_ = st.integers(min_value=0, max_value=400).map(lambda quarters: quarters / 4)
positive_delays = st.integers(min_value=1, max_value=400).map(lambda quarters: quarters / 4)
delay_lists = st.lists(delays_, min_size=1, max_size=8)


@contextmanager
def nothing_left_behind() -> Iterator[None]:
    """Each example on its own leaves no task, thread, fd or unretrieved error behind."""
    guard = LeakGuard()
    guard.start()
    try:
        yield
    finally:
        problems = guard.stop(grace=1.0)
    assert problems == []


@given(delay_lists)
def test_gather_returns_results_in_argument_order(delays: list[float]) -> None:
    with nothing_left_behind():
        run = run_lesson(tasks.gather_in_order, delays)
    assert run.error is None
    assert run.result == delays
    assert run.elapsed == max(delays)


@given(delay_lists)
def test_concurrent_workers_take_the_longest_delay(delays: list[float]) -> None:
    run = run_lesson(tasks.run_workers, delays)
    assert run.elapsed == max(delays)
    for n, delay in enumerate(delays, 1):
        assert (delay, f"Task {n} finished") in [(p.at, p.text) for p in run.printed]
        assert (0.0, f"Task {n} started") in [(p.at, p.text) for p in run.printed]


@given(delay_lists)
def test_sequential_waits_take_the_sum_of_the_delays(delays: list[float]) -> None:
    run = run_lesson(coroutines.run_sequentially, delays)
    assert run.elapsed == sum(delays)
    assert [p.at for p in run.printed] == [sum(delays[: n + 1]) for n in range(len(delays))]


@given(
    jobs=st.integers(min_value=1, max_value=12),
    limit=st.integers(min_value=1, max_value=6),
    delay=positive_delays,
)
def test_bounded_concurrency_never_exceeds_its_limit(jobs: int, limit: int, delay: float) -> None:
    with nothing_left_behind():
        run = run_lesson(tasks.bounded_concurrency, jobs, limit, delay)
    running = [int(m.group(1)) for line in run.lines if (m := re.search(r"\((\d+) running", line))]
    assert len(running) == jobs
    assert max(running) <= limit
    assert run.result == min(jobs, limit) == max(running)
    assert run.elapsed == math.ceil(jobs / limit) * delay


@given(work=delays_, timeout=positive_delays)
def test_wait_for_cancels_the_task_at_the_timeout_and_leaves_nothing_pending(
    work: float, timeout: float
) -> None:
    assume(work != timeout)  # at the same instant, which comes first is the loop's choice
    with nothing_left_behind():
        run = run_lesson(cancellation.wait_for_timeout, work, timeout)
    assert run.error is None
    if work > timeout:
        assert run.result is asyncio.TimeoutError
        assert run.lines == ["gave up after the timeout; the task is cancelled: True"]
        assert run.elapsed == timeout
    else:
        assert run.result is None
        assert run.elapsed == work


@pytest.mark.lesson("cancellation.timeout_block")
@given(work=delays_, timeout=positive_delays)
def test_a_timeout_block_cancels_its_work_and_leaves_nothing_pending(
    work: float, timeout: float
) -> None:
    if sys.version_info >= (3, 11):
        assume(work != timeout)
        with nothing_left_behind():
            run = run_lesson(cancellation.timeout_block, work, timeout)
        assert run.error is None
        assert run.result is (work > timeout)
        assert run.elapsed == min(work, timeout)
        if work > timeout:
            assert run.lines[0] == "inside the block: CancelledError"
