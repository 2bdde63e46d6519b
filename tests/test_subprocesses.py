"""Subprocess lessons: real child processes (the running Python), on real time."""

from __future__ import annotations

import asyncio
import signal
import sys

import pytest
from primer_testing import RefusalCase, refusal_test

from asyncio_primer import subprocesses
from asyncio_primer._support.runner import needs_real_time, run_lesson

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and shell")


@pytest.mark.lesson("subprocesses.run_a_child")
@pytest.mark.parametrize("exit_code", [0, 1, 3, 255])
def test_run_a_child_captures_its_output_and_exit_code(exit_code: int) -> None:
    run = run_lesson(subprocesses.run_a_child, exit_code, virtual=False)
    assert run.error is None
    assert run.result == (exit_code, "hello from the child")
    assert run.lines == [
        "the child printed: 'hello from the child'",
        f"the child exited with {exit_code}",
    ]


@pytest.mark.lesson("subprocesses.run_a_child")
def test_run_a_child_defaults_to_a_child_that_succeeds() -> None:
    run = run_lesson(subprocesses.run_a_child, virtual=False)
    assert run.result == (0, "hello from the child")


@pytest.mark.lesson("subprocesses.run_a_child")
def test_run_a_child_kills_and_reaps_a_child_that_is_too_slow() -> None:
    # No Python starts, prints and exits within a millisecond: the timeout fires. The leak
    # guard then checks that the child was killed and waited for, and its pipe closed.
    run = run_lesson(subprocesses.run_a_child, timeout=0.001, virtual=False)
    assert isinstance(run.error, asyncio.TimeoutError)
    assert run.lines == []


@pytest.mark.lesson("subprocesses.kill_after_timeout")
@posix_only
def test_kill_after_timeout_kills_a_child_that_runs_too_long() -> None:
    run = run_lesson(subprocesses.kill_after_timeout, 60.0, 0.2, virtual=False)
    assert run.error is None
    assert run.result == -signal.SIGKILL
    assert run.lines == [
        "the child is still running after 0.2 s: killing it",
        f"the child ended with returncode {-signal.SIGKILL}",
    ]


@pytest.mark.lesson("subprocesses.kill_after_timeout")
def test_kill_after_timeout_lets_a_quick_child_finish() -> None:
    run = run_lesson(subprocesses.kill_after_timeout, 0.0, 30.0, virtual=False)
    assert run.error is None
    assert run.result == 0
    assert run.lines == ["the child finished in time"]


@pytest.mark.lesson("subprocesses.shell_with_quoting")
@posix_only
@pytest.mark.parametrize(
    "argument",
    [
        "two words; echo injected",
        "$(echo substituted) `echo backticks` $HOME *",
        'it\'s "quoted" && exit 7 || echo or',
        "",
        "-c",
    ],
)
def test_shell_with_quoting_passes_exactly_one_argument(argument: str) -> None:
    run = run_lesson(subprocesses.shell_with_quoting, argument, virtual=False)
    assert run.error is None
    assert run.result == [argument]
    assert run.lines == [f"the child got 1 argument(s): {[argument]!r}"]


def test_every_subprocesses_lesson_runs_on_real_time() -> None:
    assert subprocesses.__all__
    assert all(needs_real_time(f"subprocesses.{name}") for name in subprocesses.__all__)


@pytest.mark.lesson("subprocesses.kill_after_timeout")
def test_on_virtual_time_the_timeout_fires_at_once() -> None:
    """Why these lessons run on real time: while the loop waits for the child, the virtual clock
    jumps to the timeout, so even a child that exits at once looks too slow and is killed."""
    run = run_lesson(subprocesses.kill_after_timeout, 0.0, 30.0)
    assert run.lines[0] == "the child is still running after 30.0 s: killing it"
    assert run.elapsed == 30.0


BAD_INPUT: list[RefusalCase] = [
    (subprocesses.run_a_child, {"exit_code": -1}, ValueError, "-1"),
    (subprocesses.run_a_child, {"exit_code": 256}, ValueError, "256"),
    (subprocesses.run_a_child, {"exit_code": "0"}, TypeError, "'0'"),
    (subprocesses.run_a_child, {"timeout": 0}, ValueError, "0"),
    (subprocesses.kill_after_timeout, {"runtime": -1.0}, ValueError, "-1.0"),
    (subprocesses.kill_after_timeout, {"timeout": -0.5}, ValueError, "-0.5"),
    (subprocesses.shell_with_quoting, {"argument": ["list"]}, TypeError, "['list']"),
    (subprocesses.shell_with_quoting, {"argument": "a\nb"}, ValueError, "'a\\nb'"),
    (subprocesses.shell_with_quoting, {"argument": "nul\0"}, ValueError, "'nul\\x00'"),
]

test_bad_input_is_refused_before_any_child_starts = refusal_test(BAD_INPUT)
