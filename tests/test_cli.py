"""The command line, called in this process as the ``asyncio-primer`` script calls it: ``cli.main``.

In process, each case costs milliseconds instead of a fresh interpreter (~0.3 CPU-s); the
environment it reads (``COLUMNS``, ``NO_COLOR``, ``FORCE_COLOR``, ``PYTHONASYNCIODEBUG``) is set
with ``monkeypatch``, and stdout is pytest's capture, not a terminal, as for a script. What
only a real start can show runs in a subprocess: ``python -m asyncio_primer`` itself and the
program name its usage lines and errors give, and that importing the package loads no terminal
library. ``FORCE_COLOR`` and ``NO_COLOR`` of the caller (tox passes them through) are cleared.
"""

from __future__ import annotations

import inspect
import io
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any, Callable, NamedTuple

import pytest
from rich.console import Console

from asyncio_primer import _registry, tasks
from asyncio_primer._registry import gated
from asyncio_primer._registry import lessons as registered
from asyncio_primer._support import cli
from asyncio_primer._support.lesson_index import source_without_docstring
from asyncio_primer._support.runner import lessons
from asyncio_primer._support.tracer import Trace, trace_lesson

ESCAPE = "\x1b"
#: How the usage lines and errors name the command line when it is run as `python -m ...`.
PROG = "python -m asyncio_primer"
#: How they name it otherwise (the `asyncio-primer` script, or `cli.main` called in process):
#: spelled out, not read from `cli.PROG`, so that a drift from the script's name fails here.
SCRIPT = "asyncio-primer"
#: Colour switches of the caller's environment (tox passes them through): cleared for every run.
CALLERS_COLOUR = ("FORCE_COLOR", "NO_COLOR")
#: What every run is given: a known width.
ENVIRONMENT = {"COLUMNS": "100"}


class Done(NamedTuple):
    """What a run of the command line left: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


Primer = Callable[..., Done]


@pytest.fixture
def primer(capsys: pytest.CaptureFixture[str]) -> Primer:
    """Run ``cli.main(args)`` in this process with *env* set, its output captured by pytest."""

    def run(*args: str, **env: str) -> Done:
        with pytest.MonkeyPatch.context() as patch:
            for name in CALLERS_COLOUR:
                patch.delenv(name, raising=False)
            for name, value in {**ENVIRONMENT, **env}.items():
                patch.setenv(name, value)
            capsys.readouterr()
            returncode = cli.main(list(args))
            out, err = capsys.readouterr()
        return Done(returncode, out, err)

    return run


def python_m(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m asyncio_primer ...`` in a subprocess, output on a pipe, as a script would."""
    inherited = {k: v for k, v in os.environ.items() if k not in CALLERS_COLOUR}
    environment = {**inherited, **ENVIRONMENT, **env}
    return subprocess.run(
        [sys.executable, "-m", "asyncio_primer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.needs("subprocesses")
def test_python_m_asyncio_primer_runs_the_command_line() -> None:
    done = python_m("run", "tasks.run_workers", "--fast")
    assert done.returncode == 0, done.stderr
    assert "[  5.000 s] #1   Task 1 finished" in done.stdout.splitlines()
    assert "took 5 s on the loop's clock (virtual time)" in done.stdout.splitlines()
    assert ESCAPE not in done.stdout  # a pipe gets plain text


@pytest.mark.needs("subprocesses")
def test_started_with_python_m_errors_and_usage_name_it_so() -> None:
    done = python_m("run", "run_worker")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"{PROG}: error: no lesson 'run_worker'; did you mean tasks.run_workers or tasks.worker?\n"
    )
    helped = python_m("bench", "--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith(f"usage: {PROG} bench [-h]")


def test_list_shows_every_lesson_in_teaching_order_with_its_summary(primer: Primer) -> None:
    done = primer("list")
    assert done.returncode == 0, done.stderr
    positions = [done.stdout.find(f"  {qualname} ") for qualname in lessons()]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "tasks: Tasks: running coroutines concurrently." in done.stdout
    # reST roles become plain names
    assert "Run one worker per delay concurrently with asyncio.gather." in done.stdout


def test_run_fast_prints_stamped_lines_then_a_chart_of_three_bars(primer: Primer) -> None:
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


def test_run_a_bare_name_with_arguments(primer: Primer) -> None:
    done = primer("run", "worker", "w", "0.5", "--fast")
    assert done.returncode == 0, done.stderr
    assert "[  0.500 s] main w finished" in done.stdout.splitlines()


def test_a_lesson_that_raises_shows_its_exception_as_the_outcome(primer: Primer) -> None:
    done = primer("run", "tasks.run_workers", "(1, -2)", "--fast")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert (
        "raised ValueError('delays[1] must be a finite number of seconds >= 0, got -2')"
        in done.stdout.splitlines()
    )


def test_show_prints_the_docstring_and_the_source(primer: Primer) -> None:
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
            "no lesson 'run_worker'; did you mean tasks.run_workers or tasks.worker?",
        ),
        (["run", "tasks.run_workers", "--slow"], "unrecognized arguments: --slow"),
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
def test_bad_input_is_one_line_on_stderr_and_exit_status_2(
    args: list[str], message: str, primer: Primer
) -> None:
    done = primer(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"{SCRIPT}: error: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_no_color_means_no_escape_codes_even_on_a_terminal(primer: Primer) -> None:
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
        def main(argv: list[str], prog: str) -> int:
            seen.append([prog, *argv])
            return 0

    monkeypatch.setitem(sys.modules, "asyncio_primer._support.bench", FakeBench)
    assert cli.main(["bench", "--quick", "x"]) == 0
    assert seen == [[f"{SCRIPT} bench", "--quick", "x"]]


def test_bench_help_names_the_program_as_it_was_started(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # not started with -m (as by the asyncio-primer script): the script's name; for `python -m`,
    # see test_started_with_python_m_errors_and_usage_name_it_so
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: {SCRIPT} bench [-h]")


def _source_shown(lesson: Any) -> str:
    return source_without_docstring(textwrap.dedent(inspect.getsource(lesson))).rstrip("\n")


def _the_lesson_with_the_longest_line() -> tuple[str, str]:
    """The lesson whose source (as `show` prints it) has the longest line, and that line."""
    return max(
        (
            (qualname, line)
            for qualname, lesson in lessons().items()
            for line in _source_shown(lesson).splitlines()
        ),
        key=lambda found: len(found[1]),
    )


def test_show_to_a_pipe_prints_every_source_line_whole(primer: Primer) -> None:
    qualname, longest = _the_lesson_with_the_longest_line()
    assert len(longest) > 80  # wider than the 80 columns the output is told it has
    done = primer("show", qualname, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    assert longest in done.stdout.splitlines()
    source = _source_shown(lessons()[qualname])
    assert done.stdout.rstrip("\n").endswith(source)


def test_show_on_a_narrow_terminal_wraps_the_source_and_cuts_nothing() -> None:
    qualname, _ = _the_lesson_with_the_longest_line()
    file = io.StringIO()
    terminal = Console(file=file, width=60, force_terminal=True, color_system=None)
    assert cli.show_lesson(terminal, qualname, lessons()[qualname]) == 0
    shown = file.getvalue()
    assert max(len(line) for line in shown.splitlines()) <= 60
    # wrapping only adds line breaks and indents: without white space, the source is all there
    assert "".join(_source_shown(lessons()[qualname]).split()) in "".join(shown.split())


def test_run_fast_in_debug_mode_logs_no_slow_step(
    primer: Primer, caplog: pytest.LogCaptureFixture
) -> None:
    """Virtual time is not real time: no 'Executing <Task ...> took 5174 seconds' warning."""
    caplog.set_level(logging.DEBUG, logger="asyncio")
    done = primer("run", "tasks.run_workers", "--fast", PYTHONASYNCIODEBUG="1")
    assert done.returncode == 0, done.stderr
    assert "took 5 s on the loop's clock (virtual time)" in done.stdout.splitlines()
    logged = [r for r in caplog.records if r.name == "asyncio"]
    assert any("debug=True" in r.getMessage() for r in logged)  # "Close <...Loop debug=True>"
    assert [r.getMessage() for r in logged if r.levelno >= logging.WARNING] == []
    assert done.stderr == ""


#: Version-gated lessons that this Python is too old for, with the version each needs.
TOO_NEW = {qualname: version for qualname, version in gated().items() if sys.version_info < version}


@pytest.mark.skipif(not TOO_NEW, reason="every version-gated lesson exists on this Python")
@pytest.mark.parametrize("how", ["qualname", "bare name"])
def test_a_lesson_too_new_for_this_python_says_which_python_it_needs(
    how: str, primer: Primer
) -> None:
    qualname, (major, minor) = next(iter(TOO_NEW.items()))
    done = primer("run", qualname if how == "qualname" else qualname.rsplit(".", 1)[1])
    assert done.returncode == 2
    assert done.stdout == ""
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert done.stderr == (
        f"{SCRIPT}: error: {qualname} needs Python {major}.{minor}; this is Python {here}\n"
    )


def test_run_refuses_a_lesson_this_platform_cannot_run_and_says_why(
    monkeypatch: pytest.MonkeyPatch, primer: Primer
) -> None:
    needing_threads = [q for q, facts in registered().items() if "threads" in facts.needs]
    assert needing_threads
    monkeypatch.setattr(_registry, "_MISSING_HERE", frozenset({"threads"}))  # as on WebAssembly
    done = primer("run", needing_threads[0], "--fast")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"{SCRIPT}: error: {needing_threads[0]} needs threads, which ")
    assert done.stderr.endswith(" does not have\n")  # which: this platform's name


def test_find_lesson_accepts_the_full_module_path() -> None:
    assert cli.find_lesson("asyncio_primer.tasks.run_workers")[0] == "tasks.run_workers"
    assert cli.find_lesson("run_workers")[0] == "tasks.run_workers"


@pytest.mark.needs("subprocesses")
def test_importing_the_package_or_a_lesson_module_loads_no_terminal_library() -> None:
    code = (
        "import sys, asyncio_primer, asyncio_primer.tasks; "
        "print(sorted(m for m in ('rich', 'aiotools') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
