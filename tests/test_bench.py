"""The benchmark's plumbing, on tiny sizes: what it prints and writes, not how fast anything is."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from asyncio_primer._support import bench, runner

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
if HAS_UVLOOP:  # libuv's process-wide pipe, opened before the leak guard counts (see test_benefits)
    importlib.import_module("uvloop").new_event_loop().close()

REQUIRED = [
    "workers_elapsed_ratio",
    "heartbeat_max_gap_async_s",
    "heartbeat_max_gap_blocking_s",
    "tasks_vs_threads_memory_ratio",
    "echo_asyncio_rps",
    "echo_threads_rps",
    "echo_asyncio_vs_threads_ratio",
    "echo_asyncio_p50_ms",
    "echo_asyncio_p99_ms",
    "echo_threads_p50_ms",
    "echo_threads_p99_ms",
    "echo_asyncio_rps_c2",
    "echo_threads_rps_c3",
    "virtual_time_speedup",
    "import_asyncio_ms",
    "import_asyncio_primer_ms",
]
TINY = [
    "--clients=2,3",
    "--total-requests=6",
    "--waits=10",
    "--workers=0.03,0.02,0.01",
    "--heartbeat-wait=0.05",
    "--heartbeat-interval=0.01",
    "--import-runs=1",
    "--virtual-concepts=tasks",
]


def parse_line(line: str) -> tuple[str, float, str]:
    """A ``name value unit`` line of the bench's output, back into its parts."""
    name, value, unit = line.split()
    return name, float(value), unit


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the whole benchmark once on tiny sizes; keep what it printed and wrote."""
    out = tmp_path_factory.mktemp("bench")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = bench.main([*TINY, f"--json={out / 'results.json'}"])
    return {"status": status, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(), "out": out}


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_every_line_is_name_value_unit(tiny_run: dict[str, Any]) -> None:
    assert tiny_run["status"] == 0
    lines = tiny_run["stdout"].splitlines()
    assert lines
    for line in lines:
        name, value, unit = parse_line(line)
        assert name.isidentifier()
        assert unit
        assert value == value  # not NaN


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_every_required_figure_is_printed(tiny_run: dict[str, Any]) -> None:
    names = [parse_line(line)[0] for line in tiny_run["stdout"].splitlines()]
    required = REQUIRED + (
        ["echo_uvloop_rps", "echo_uvloop_vs_asyncio_ratio"] if HAS_UVLOOP else []
    )
    assert [name for name in required if name not in names] == []
    assert len(names) == len(set(names))


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_the_json_holds_every_printed_figure_and_the_machine(tiny_run: dict[str, Any]) -> None:
    data = json.loads((tiny_run["out"] / "results.json").read_text(encoding="utf-8"))
    printed = {}
    for line in tiny_run["stdout"].splitlines():
        name, value, unit = parse_line(line)
        printed[name] = (value, unit)
    written = {f["name"]: (f["value"], f["unit"]) for f in data["figures"]}
    assert written.keys() == printed.keys()
    for name, (value, unit) in written.items():
        assert unit == printed[name][1]
        if value is not None:  # an infinite ratio is written as null
            assert value == pytest.approx(printed[name][0], rel=1e-5)
    assert all(f["about"] for f in data["figures"])
    assert data["machine"]["cores"] >= 1
    assert data["machine"]["python"].split()[-1].count(".") == 2
    assert data["measured_at"][:2] == "20"
    assert data["command"].startswith("python -m asyncio_primer bench --clients=2,3")
    assert data["parameters"]["clients"] == [2, 3]
    assert data["series"]["echo"]["requests_per_client"] == [3, 2]
    assert data["wall_seconds"] > 0


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_each_figure_records_the_machine_load_and_modes_it_was_measured_under(
    tiny_run: dict[str, Any],
) -> None:
    data = json.loads((tiny_run["out"] / "results.json").read_text(encoding="utf-8"))
    for figure in data["figures"]:
        conditions = figure["conditions"]
        assert conditions["cpu_count"] == data["machine"]["cores"]
        assert len(conditions["load_average"]) == 3
        assert conditions["python"] == data["machine"]["python"]
        # this suite runs in dev mode with asyncio's debug mode on (tox's set_env, conftest)
        assert conditions["asyncio_debug"] == bench.modes()["asyncio_debug"]
        assert conditions["dev_mode"] == bench.modes()["dev_mode"]
    assert len(data["machine"]["load_average_at_end"]) == 3
    assert "--note" not in data["command"]


def test_the_note_is_kept_apart_from_the_command() -> None:
    argv = ["--quick", "--note", "shared machine", "--note=again", "--json=x.json"]
    assert bench._without_note(argv) == ["--quick", "--json=x.json"]


#: The figures the docs publish (docs/measured.rst), committed with the repository.
PUBLISHED = Path(__file__).resolve().parent.parent / "docs/_static/measured/results.json"


def test_the_published_figures_come_from_a_normal_run() -> None:
    """Debug mode and dev mode slow asyncio down: a figure measured with either is not published.

    Rerun the bench in a plain environment (``ASYNCIO_PRIMER_BENCH=quick tox -e docs``, whose
    env switches both off) and commit its results.
    """
    data = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert data["machine"]["asyncio_debug"] is False
    assert data["machine"]["dev_mode"] is False
    assert data["figures"]
    for figure in data["figures"]:
        assert figure["conditions"]["asyncio_debug"] is False, figure
        assert figure["conditions"]["dev_mode"] is False, figure
        assert figure["conditions"]["cpu_count"] >= 1, figure
        assert len(figure["conditions"]["load_average"]) == 3, figure


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_progress_goes_to_stderr(tiny_run: dict[str, Any]) -> None:
    assert "[bench" in tiny_run["stderr"]
    assert "echo: asyncio server, 2 clients x 3 requests" in tiny_run["stderr"]
    assert "[bench" not in tiny_run["stdout"]


@pytest.mark.needs("threads", "sockets", "subprocesses")
@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="needs matplotlib (the bench extra)")
def test_the_chart_is_written(tiny_run: dict[str, Any]) -> None:
    chart: Path = tiny_run["out"] / "results.svg"
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "<svg" in chart.read_text(encoding="utf-8")


def test_a_ratio_with_nothing_below_it_is_infinite_and_written_as_null() -> None:
    results = bench.Results()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        results.add("some_ratio", bench.ratio(1.0, 0.0), "x")
    assert printed.getvalue() == "some_ratio inf x\n"
    assert results.to_json()["figures"][0]["value"] is None


def test_the_file_limit_is_raised_or_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    resource = pytest.importorskip("resource", reason="resource is Unix only (not WebAssembly)")
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (1024, 4096))
    monkeypatch.setattr(resource, "setrlimit", lambda _which, limits: calls.append(limits))
    with contextlib.redirect_stderr(io.StringIO()):
        bench.ensure_file_limit(2000)
    assert calls == [(2000, 4096)]
    with pytest.raises(SystemExit, match=r"needs 10000 open files .* hard limit is 4096"):
        bench.ensure_file_limit(10_000)
    bench.ensure_file_limit(100)  # enough already: nothing to do
    assert calls == [(2000, 4096)]


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_without_json_the_files_go_to_a_new_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for measure in [name for name in vars(bench) if name.startswith("measure_")]:
        monkeypatch.setattr(bench, measure, lambda *args: None)  # where it writes, not what
    monkeypatch.setattr(bench, "write_chart", lambda results, path: False)
    here, temporary = tmp_path / "here", tmp_path / "temporary"
    here.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert bench.main(["--clients=2"]) == 0
    assert list(here.iterdir()) == []
    (written,) = temporary.glob("asyncio-primer-bench-*/results.json")
    assert f"wrote {written}\n" in err.getvalue()  # the user is told where


def test_help_names_the_program_as_it_was_started(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--help"], prog="asyncio-primer bench")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: asyncio-primer bench [-h]")


def test_bad_options_are_refused() -> None:
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exit_info:
        bench.main(["--clients=0"])
    assert exit_info.value.code == 2


@pytest.mark.needs("threads", "sockets", "subprocesses")
def test_the_docs_page_shows_every_figure_and_the_run(tiny_run: dict[str, Any]) -> None:
    pytest.importorskip("sphinx", reason="the docs extension needs Sphinx (the docs extra)")
    docs_ext = Path(__file__).resolve().parent.parent / "docs" / "_ext" / "primer_bench.py"
    spec = importlib.util.spec_from_file_location("primer_bench", docs_ext)
    assert spec is not None
    assert spec.loader is not None
    primer_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(primer_bench)
    data = json.loads((tiny_run["out"] / "results.json").read_text(encoding="utf-8"))
    page = "\n".join(primer_bench.page_lines(data, chart=True))
    for figure in data["figures"]:  # in words, not by its snake_case name
        assert f"* - {figure['about'][:1].upper()}{figure['about'][1:]}" in page
        assert f"``{figure['name']}``" not in page
    assert data["machine"]["python"] in page
    assert data["measured_at"][:10] in page
    assert f"$ {data['command']}" in page
    # what each comparison shows, in a sentence with its figures and units
    for title in (
        "What concurrency costs on top of the longest wait",
        "Responsiveness: awaiting against blocking",
        "Resources: tasks against threads",
        "Scalability: one thread against a thread per connection",
        "The primer's own speed",
    ):
        assert f"{title}\n{'-' * len(title)}" in page
    assert "The load average" in page
    modes = bench.modes()
    assert f"asyncio's debug mode was **{'on' if modes['asyncio_debug'] else 'off'}**" in page
    # figures from a debug or dev mode run, or that do not say, are refused
    refused = primer_bench.mode_problems(data)
    assert bool(refused) == any(modes.values())
    del data["figures"][0]["conditions"]
    assert primer_bench.mode_problems(data)[0].endswith("no recorded mode (rerun the bench)")
    assert f".. figure:: /{primer_bench.CHART}" in page
    assert ".. figure::" not in "\n".join(primer_bench.page_lines(data, chart=False))
    assert primer_bench.format_value(12345.6) == "12,346"
    assert primer_bench.format_value(1.00046) == "1.0005"
    assert primer_bench.format_value(None) == "∞"


def test_only_lessons_that_run_alone_are_timed() -> None:
    """The bench times (and the docs record) a lesson only if it runs without arguments."""

    async def alone(delay: float = 1.0, *more: float, **options: float) -> None:
        pass

    async def needs_a_name(name: str, delay: float = 1.0) -> None:
        pass

    assert runner.runs_with_defaults(alone)
    assert not runner.runs_with_defaults(needs_a_name)
    assert not runner.runs_with_defaults(bench.Figure)  # a class: its callers run it
    assert runner.runs_with_defaults(runner.lessons()["tasks.gather_in_order"])  # checks wrapped
