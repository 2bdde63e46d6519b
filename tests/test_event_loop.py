from __future__ import annotations

import sys

import pytest

from asyncio_primer import event_loop
from asyncio_primer._support.runner import Printed, run_lesson


@pytest.mark.skipif(sys.platform == "win32", reason="the loop class differs on Windows")
def test_run_a_program_runs_a_fresh_selector_loop() -> None:
    assert event_loop.run_a_program() == "running in _UnixSelectorEventLoop"


def test_loop_clock_measures_exactly_the_delay_on_virtual_time() -> None:
    run = run_lesson(event_loop.loop_clock, 2.5)
    assert run.result == 2.5
    assert run.elapsed == 2.5


def test_callback_order_is_time_order_not_scheduling_order() -> None:
    run = run_lesson(event_loop.callback_order)
    assert run.result == ["call_soon", "call_at", "call_later"]
    assert run.elapsed == 1.0


def test_offload_with_to_thread_keeps_the_loop_free() -> None:
    run = run_lesson(event_loop.offload_with_to_thread, 3.0)
    assert run.printed == [
        Printed(3.0, "the loop is free while the thread blocks"),
        Printed(3.0, "the thread got the signal"),
    ]
    assert run.result == run.lines
    assert run.elapsed == 3.0


def test_offload_with_executor_counts_primes() -> None:
    run = run_lesson(event_loop.offload_with_executor, 100)
    assert run.result == 25
    assert run.lines == ["25 primes below 100"]
    assert run.elapsed == 0.0


@pytest.mark.parametrize(("limit", "primes"), [(0, 0), (2, 0), (3, 1), (10, 4), (100_000, 9592)])
def test_prime_count_matches_known_values(limit: int, primes: int) -> None:
    assert run_lesson(event_loop.offload_with_executor, limit).result == primes
