"""The command line, run as a user runs it: ``python -m asyncio_primer ...`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from asyncio_primer import tasks
from asyncio_primer._support import cli
from asyncio_primer._support.runner import lessons
from asyncio_primer._support.tracer import Trace, trace_lesson

ESCAPE = "\x1b"


def primer(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the command line with its output on a pipe (not a terminal), as a script would."""
    environment = {**os.environ, "COLUMNS": "100", **env}
    return subprocess.run(
        [sys.executable, "-m", "asyncio_primer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )


def test_list_shows_every_lesson_in_teaching_order_with_its_summary() -> None:
    done = primer("list")
    assert done.returncode == 0, done.stderr
    positions = [done.stdout.find(f"  {qualname} ") for qualname in lessons()]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "tasks: Tasks: running coroutines concurrently." in done.stdout
    # reST roles become plain names
    assert "Run one worker per delay concurrently with asyncio.gather." in done.stdout


def test_run_fast_prints_stamped_lines_then_a_chart_of_three_bars() -> None:
    done = primer("run", "tasks.run_workers", "--fast")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("[")] == [
        "[  0.000 s] #1   Task 1 started",
        "[  0.000 s] #2   Task 2 started",
        "[  0.000 s] #3   Task 3 started",
        "[  1.000 s] #3   Task 3 finished",
        "[  3.000 s] #2   Task 2 finished",
        "[  5.000 s] #1   Task 1 finished",
    ]
    assert "took 5 s on the loop's clock (virtual time)" in lines
    bars = {line.split(" ", 1)[0]: line for line in lines if line.startswith("#")}
    lengths = [bars[f"#{n}"].count("█") for n in (1, 2, 3)]
    assert lengths[0] > lengths[1] > lengths[2] > 0
    assert [lengths[0] * share // 5 for share in (5, 3, 1)] == [
        pytest.approx(n, abs=1) for n in lengths
    ]
    assert bars["#3"].endswith("done at 1 s")
    assert lines[-1].split() == ["0", "1", "2", "3", "4", "5", "s"]
    assert ESCAPE not in done.stdout  # a pipe gets plain text


def test_run_a_bare_name_with_arguments() -> None:
    done = primer("run", "worker", "w", "0.5", "--fast")
    assert done.returncode == 0, done.stderr
    assert "[  0.500 s] main w finished" in done.stdout.splitlines()


def test_a_lesson_that_raises_shows_its_exception_as_the_outcome() -> None:
    done = primer("run", "tasks.run_workers", "(1, -2)", "--fast")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert (
        "raised ValueError('delays[1] must be a finite number of seconds >= 0, got -2')"
        in done.stdout.splitlines()
    )


def test_show_prints_the_docstring_and_the_source() -> None:
    done = primer("show", "tasks.run_workers")
    assert done.returncode == 0, done.stderr
    assert "tasks.run_workers(delays: Sequence[float] = (5.0, 3.0, 1.0)) -> None" in done.stdout
    assert "Run one :func:`worker` per delay concurrently" in done.stdout  # the docstring
    assert "await asyncio.gather(" in done.stdout  # the source
    assert done.stdout.count('"""') == 0  # the source without its docstring: the panel shows it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "run_worker"],
            "asyncio-primer: error: no lesson 'run_worker'; did you mean tasks.run_workers or "
            "tasks.worker?",
        ),
        (["run", "tasks.run_workers", "--slow"], "unrecognized arguments: --slow"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_status_2(args: list[str], message: str) -> None:
    done = primer(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("asyncio-primer: error: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "taks.run_workers"],
            "no lesson 'taks.run_workers'; did you mean tasks.run_workers",
        ),
        (["run", "tasks.worker", "--fast"], "missing a required argument: 'name'"),
        (["run", "tasks.worker", "a", "1", "2"], "too many positional arguments"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_more_bad_input_in_process(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("asyncio-primer: error: ")
    assert message in err


def test_no_color_means_no_escape_codes_even_on_a_terminal() -> None:
    coloured = primer("run", "tasks.run_workers", "--fast", FORCE_COLOR="1")
    assert ESCAPE in coloured.stdout  # rich takes FORCE_COLOR as "this is a terminal"
    plain = primer("run", "tasks.run_workers", "--fast", FORCE_COLOR="1", NO_COLOR="1")
    assert plain.returncode == 0
    assert ESCAPE not in plain.stdout
    assert plain.stdout.count("█") == coloured.stdout.count("█")  # the same chart


def test_the_console_is_plain_when_no_color_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    console = cli._console(sys.stdout)
    assert console.color_system is None
    with console.capture() as captured:
        console.print(cli.chart(_workers_trace(), 60))
    assert ESCAPE not in captured.get()


def _workers_trace() -> Trace:
    return trace_lesson(tasks.run_workers)


def test_bench_is_handed_its_own_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    class FakeBench:
        @staticmethod
        def main(argv: list[str]) -> int:
            seen.append(argv)
            return 0

    monkeypatch.setitem(sys.modules, "asyncio_primer._support.bench", FakeBench)
    assert cli.main(["bench", "--quick", "x"]) == 0
    assert seen == [["--quick", "x"]]


def test_find_lesson_accepts_the_full_module_path() -> None:
    assert cli.find_lesson("asyncio_primer.tasks.run_workers")[0] == "tasks.run_workers"
    assert cli.find_lesson("run_workers")[0] == "tasks.run_workers"


def test_importing_the_package_or_a_lesson_module_loads_no_terminal_library() -> None:
    code = (
        "import sys, asyncio_primer, asyncio_primer.tasks; "
        "print(sorted(m for m in ('rich', 'aiotools') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
