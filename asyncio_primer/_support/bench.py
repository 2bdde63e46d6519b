"""``python -m asyncio_primer bench``: measure what asyncio buys you, side by side.

Support code, not a lesson. It runs the lessons of :mod:`asyncio_primer.benefits` on real time
(and the primer's own speed: virtual time, import cost), prints one line per figure —
``name value unit`` — on standard output, progress on standard error, then writes every figure
as JSON and, where matplotlib is installed, a chart for the docs. Every figure comes from a
measurement in this run; each ratio from its two sides measured back to back. ``--quick``
trims the sizes so that a run takes well under a minute on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import importlib.metadata
import importlib.util
import inspect
import io
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncio_primer
from asyncio_primer import benefits
from asyncio_primer._support import echo, runner

__all__ = ["Figure", "Results", "main"]

T = TypeVar("T")

#: What each headline figure measures (per-size echo figures are described by their pattern).
ABOUT = {
    "workers_elapsed_ratio": "three workers waiting 5, 3 and 1 s, on real time: elapsed / longest",
    "heartbeat_max_gap_async_s": "largest gap of a 0.1 s heartbeat while another task awaits",
    "heartbeat_max_gap_blocking_s": "largest gap of the heartbeat while another task blocks",
    "heartbeat_blocking_vs_async_ratio": "blocking gap / awaiting gap",
    "task_memory_bytes": "resident memory per task holding a wait",
    "thread_memory_bytes": "resident memory per thread holding a wait",
    "tasks_vs_threads_memory_ratio": "memory per thread / memory per task",
    "tasks_start_s": "seconds until all tasks were waiting",
    "threads_start_s": "seconds until all threads were waiting",
    "tasks_vs_threads_start_ratio": "threads' start-up time / tasks' start-up time",
    "echo_asyncio_rps": "asyncio echo server, most clients: requests per second",
    "echo_threads_rps": "thread-per-connection echo server, most clients: requests per second",
    "echo_uvloop_rps": "asyncio echo server on uvloop, most clients: requests per second",
    "echo_asyncio_vs_threads_ratio": "asyncio requests/s / threads requests/s, most clients",
    "echo_uvloop_vs_asyncio_ratio": "uvloop requests/s / asyncio requests/s, most clients",
    "virtual_time_speedup": "every lesson on virtual time: scripted seconds / wall seconds",
    "virtual_time_scripted_s": "seconds the lessons sleep and wait, on the loop's clock",
    "virtual_time_wall_s": "wall seconds to run them on virtual time",
    "virtual_time_lessons": "lessons run on virtual time",
    "import_asyncio_ms": "python -X importtime: import asyncio (cumulative, median)",
    "import_asyncio_primer_ms": "import asyncio_primer after asyncio (cumulative, median)",
    "import_asyncio_primer_vs_asyncio_ratio": "import asyncio_primer / import asyncio",
}


@dataclass(frozen=True)
class Figure:
    """One measured figure, and the conditions it was measured under (see :func:`conditions`)."""

    name: str
    value: float
    unit: str
    about: str = ""
    conditions: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """The figure as one ``name value unit`` line."""
        return f"{self.name} {self.value:.6g} {self.unit}"


@dataclass
class Results:
    """Everything a run measured, and where and how."""

    figures: list[Figure] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    command: str = ""
    #: What else the machine was doing, in the words of whoever ran the bench.
    note: str = ""
    measured_at: str = ""
    wall_seconds: float = 0.0

    def add(self, name: str, value: float, unit: str, about: str = "") -> None:
        figure = Figure(name, float(value), unit, about or ABOUT.get(name, ""), conditions())
        self.figures.append(figure)
        print(figure.line(), flush=True)

    def value(self, name: str) -> float:
        return next(f.value for f in self.figures if f.name == name)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for figure in data["figures"]:  # JSON has no inf or nan
            if not math.isfinite(figure["value"]):
                figure["value"] = None
        return data


def ratio(numerator: float, denominator: float) -> float:
    """*numerator* / *denominator*, or infinity when the denominator is 0."""
    return numerator / denominator if denominator > 0 else math.inf


_started = time.perf_counter()


def progress(message: str) -> None:
    """Say what the bench is doing, on standard error."""
    print(f"[bench {time.perf_counter() - _started:6.1f} s] {message}", file=sys.stderr, flush=True)


def run_quietly(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a lesson on real time with :func:`asyncio.run`, keeping what it prints off stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        return asyncio.run(coroutine)


# -- machine ----------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def modes() -> dict[str, bool]:
    """Whether Python's development mode and asyncio's debug mode are on in this process.

    Both slow asyncio down (debug mode checks every step's duration and keeps a traceback for
    every handle and task), so a figure measured with either on is not what a plain ``python``
    gives: the docs refuse to publish such figures. The debug flag is what a new event loop gets
    here, which is what every loop of the bench gets (``PYTHONASYNCIODEBUG`` or ``-X dev``).
    """
    loop = asyncio.new_event_loop()
    try:
        debug = loop.get_debug()
    finally:
        loop.close()
    return {"asyncio_debug": debug, "dev_mode": bool(sys.flags.dev_mode)}


def conditions() -> dict[str, Any]:
    """What a figure was measured under: cores, load average right now, Python, the two modes.

    The load average is read again for each figure: on a shared machine it moves during a run.
    """
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        **modes(),
    }


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, OS, Python, load and modes, as this run saw them."""
    cpu = platform.processor() or platform.machine()
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) * 1024
    try:
        uvloop_version: str | None = importlib.metadata.version("uvloop")
    except importlib.metadata.PackageNotFoundError:
        uvloop_version = None
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "cpu": cpu,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "uvloop": uvloop_version,
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
        **modes(),
    }


def ensure_file_limit(needed: int) -> None:
    """Raise the soft limit on open files to *needed*, or refuse clearly."""
    import resource  # Unix only: not on Windows or WebAssembly

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(
            f"bench: the echo benchmark needs {needed} open files (two sockets per client),"
            f" but the hard limit is {hard}: raise it, or pass fewer --clients"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    progress(f"raised the soft limit on open files from {soft} to {needed}")


# -- the measurements -------------------------------------------------------------------------


def measure_workers(results: Results, delays: Sequence[float]) -> None:
    progress(f"three workers waiting {tuple(delays)} s, on real time")
    results.add("workers_elapsed_ratio", run_quietly(benefits.workers_on_real_time(delays)), "x")


def measure_heartbeat(results: Results, wait: float, interval: float) -> None:
    progress(f"heartbeat every {interval} s while another task waits {wait} s, then blocks")
    gaps = run_quietly(benefits.heartbeat_gaps(wait, interval))
    results.add("heartbeat_max_gap_async_s", gaps["asyncio.sleep"], "s")
    results.add("heartbeat_max_gap_blocking_s", gaps["time.sleep"], "s")
    results.add(
        "heartbeat_blocking_vs_async_ratio", ratio(gaps["time.sleep"], gaps["asyncio.sleep"]), "x"
    )
    results.series["heartbeat"] = {"wait_s": wait, "interval_s": interval, **gaps}


def measure_resources(results: Results, count: int) -> None:
    progress(f"{count} concurrent waits as tasks, then as threads")
    costs = run_quietly(benefits.tasks_vs_threads(count))
    results.add("task_memory_bytes", costs["task_bytes"], "B")
    results.add("thread_memory_bytes", costs["thread_bytes"], "B")
    results.add(
        "tasks_vs_threads_memory_ratio", ratio(costs["thread_bytes"], costs["task_bytes"]), "x"
    )
    results.add("tasks_start_s", costs["task_seconds"], "s")
    results.add("threads_start_s", costs["thread_seconds"], "s")
    results.add(
        "tasks_vs_threads_start_ratio", ratio(costs["thread_seconds"], costs["task_seconds"]), "x"
    )
    results.series["resources"] = {"count": count, **costs}


def measure_echo(
    results: Results, clients: Sequence[int], total_requests: int, servers: Sequence[str]
) -> None:
    series: dict[str, Any] = {"clients": list(clients), "requests_per_client": []}
    for server in servers:
        series[server] = {"rps": [], "p50_ms": [], "p90_ms": [], "p99_ms": []}
    for count in clients:
        requests = max(2, math.ceil(total_requests / count))
        series["requests_per_client"].append(requests)
        for server in servers:  # the servers back to back, for each number of clients
            progress(f"echo: {server} server, {count} clients x {requests} requests")
            stats = run_quietly(benefits.echo_load(server, count, requests))
            for key in ("rps", "p50_ms", "p90_ms", "p99_ms"):
                series[server][key].append(stats["requests_per_second" if key == "rps" else key])
            about = f"{server} echo server, {count} clients"
            results.add(
                f"echo_{server}_rps_c{count}",
                stats["requests_per_second"],
                "req/s",
                about + ": requests per second",
            )
            for key in ("p50_ms", "p99_ms"):
                results.add(
                    f"echo_{server}_{key}_c{count}",
                    stats[key],
                    "ms",
                    about + f": latency {key[:3]}",
                )
    results.series["echo"] = series
    last = -1
    for server in servers:
        results.add(f"echo_{server}_rps", series[server]["rps"][last], "req/s")
        for key in ("p50_ms", "p90_ms", "p99_ms"):
            results.add(
                f"echo_{server}_{key}",
                series[server][key][last],
                "ms",
                f"{server} echo server, most clients: latency {key[:3]}",
            )
    results.add(
        "echo_asyncio_vs_threads_ratio",
        ratio(series["asyncio"]["rps"][last], series["threads"]["rps"][last]),
        "x",
    )
    if "uvloop" in servers:
        results.add(
            "echo_uvloop_vs_asyncio_ratio",
            ratio(series["uvloop"]["rps"][last], series["asyncio"]["rps"][last]),
            "x",
        )


def measure_virtual_time(results: Results, concepts: Sequence[str] | None = None) -> None:
    """Run each lesson that runs with its defaults on virtual time; compare the two clocks.

    *concepts* limits the lessons to those concept modules (default: all of them).
    """
    progress(f"lessons of {', '.join(concepts) if concepts else 'every concept'} on virtual time")
    scripted = wall = 0.0
    count = 0
    for qualname, lesson in runner.lessons().items():
        if concepts and qualname.split(".")[0] not in concepts:
            continue
        if runner.needs_real_time(qualname) or not inspect.iscoroutinefunction(lesson):
            continue
        if not runner.runs_with_defaults(lesson):
            continue
        start = time.perf_counter()
        run = runner.run_lesson(lesson)
        wall += time.perf_counter() - start
        if run.virtual and run.elapsed is not None:
            scripted += run.elapsed
            count += 1
    results.add("virtual_time_speedup", ratio(scripted, wall), "x")
    results.add("virtual_time_scripted_s", scripted, "s")
    results.add("virtual_time_wall_s", wall, "s")
    results.add("virtual_time_lessons", count, "lessons")


def import_time_ms(statement: str, module: str) -> float:
    """*module*'s cumulative import time, in ms, in a fresh ``python -X importtime``."""
    quiet = {"PYTHONDEVMODE", "PYTHONASYNCIODEBUG", "PYTHONTRACEMALLOC", "PYTHONWARNINGS"}
    env = {k: v for k, v in os.environ.items() if k not in quiet}  # no dev-mode overhead
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    for line in completed.stderr.splitlines():
        # "import time:       self [us] |  cumulative | imported package"
        parts = line.split("|")
        if len(parts) == 3 and parts[2].rstrip() == f" {module}":
            return int(parts[1]) / 1000
    raise RuntimeError(f"{module} not in the -X importtime output of {statement!r}")


def measure_imports(results: Results, runs: int) -> None:
    progress(f"import cost, {runs} fresh interpreters each")
    asyncio_ms = sorted(import_time_ms("import asyncio", "asyncio") for _ in range(runs))
    primer_ms = sorted(
        import_time_ms("import asyncio; import asyncio_primer", "asyncio_primer")
        for _ in range(runs)
    )
    median_asyncio = asyncio_ms[runs // 2]
    median_primer = primer_ms[runs // 2]
    results.add("import_asyncio_ms", median_asyncio, "ms")
    results.add("import_asyncio_primer_ms", median_primer, "ms")
    results.add("import_asyncio_primer_vs_asyncio_ratio", ratio(median_primer, median_asyncio), "x")


# -- the chart --------------------------------------------------------------------------------


def write_chart(results: Results, path: Path) -> bool:
    """Draw the chart with matplotlib; return False (and say so) if it is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        progress("matplotlib is not installed: no chart (pip install asyncio-primer[bench])")
        return False
    # matplotlib 3.9 (the last for Python 3.9) calls pyparsing APIs that pyparsing 3.3 deprecates:
    # not ours to fix, and harmless, so keep those warnings out of the bench's way.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="matplotlib")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyparsing")
        warnings.filterwarnings("ignore", message=".*deprecated - use", category=DeprecationWarning)
        _draw_chart(results, path)
    return True


def _draw_chart(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "asyncio-primer"  # stable ids: a diff shows real change
    from matplotlib import pyplot

    figure, ((gaps, memory), (rps, latency)) = pyplot.subplots(2, 2, figsize=(11, 8))
    beat = results.series["heartbeat"]
    gaps.bar(["await asyncio.sleep", "time.sleep"], [beat["asyncio.sleep"], beat["time.sleep"]])
    gaps.axhline(beat["interval_s"], linestyle="--", color="grey", label="heartbeat interval")
    gaps.set_title(f"Responsiveness: heartbeat while another task waits {beat['wait_s']:g} s")
    gaps.set_ylabel("largest gap between heartbeats (s)")
    gaps.legend()

    held = results.series["resources"]
    memory.bar(["task", "thread"], [held["task_bytes"] / 1024, held["thread_bytes"] / 1024])
    memory.set_title(f"Resources: {held['count']:,} concurrent waits")
    memory.set_ylabel("resident memory per wait (KiB)")

    echo = results.series["echo"]
    for server in ("asyncio", "threads", "uvloop"):
        if server in echo:
            rps.plot(echo["clients"], echo[server]["rps"], marker="o", label=server)
            latency.plot(echo["clients"], echo[server]["p99_ms"], marker="o", label=server)
    for axes, what in ((rps, "requests per second"), (latency, "latency p99 (ms)")):
        axes.set_xscale("log")
        axes.set_xlabel("concurrent clients")
        axes.set_ylabel(what)
        axes.legend()
    rps.set_title("Scalability: echo server throughput")
    latency.set_title("Scalability: echo server latency")
    latency.set_yscale("log")

    figure.suptitle(
        f"asyncio primer bench — {results.machine['python']}, {results.machine['cores']} cores,"
        f" {results.measured_at[:10]}"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    pyplot.close(figure)


# -- the command ------------------------------------------------------------------------------


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def _counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected counts >= 1, got {text!r}")
    return counts


def parser(prog: str = "python -m asyncio_primer bench") -> argparse.ArgumentParser:
    """The bench's options; *prog* is how the user started it (``asyncio-primer bench``...)."""
    p = argparse.ArgumentParser(
        prog=prog,
        description="Measure what asyncio buys you against the alternatives, side by side.",
    )
    p.add_argument("--quick", action="store_true", help="smaller sizes: well under a minute")
    p.add_argument(
        "--json",
        type=Path,
        help="results file (default: results.json in a new temporary directory, named at the end)",
    )
    p.add_argument("--chart", type=Path, help="chart file (.svg or .png; default: beside --json)")
    p.add_argument("--clients", type=_counts, help="echo clients (default 100,1000,5000)")
    p.add_argument(
        "--total-requests", type=int, help="echo requests per run, shared by the clients"
    )
    p.add_argument("--waits", type=int, help="concurrent waits as tasks and threads (10000)")
    p.add_argument("--workers", type=_numbers, default=[5.0, 3.0, 1.0], help="worker delays")
    p.add_argument("--heartbeat-wait", type=float, default=1.0, help="seconds the task waits")
    p.add_argument("--heartbeat-interval", type=float, default=0.1, help="heartbeat period")
    p.add_argument("--import-runs", type=int, help="fresh interpreters per import timing")
    p.add_argument(
        "--note",
        default="",
        help="what else the machine was doing, in words (kept in the results, shown in the docs)",
    )
    p.add_argument(
        "--virtual-concepts",
        type=lambda text: [part for part in text.split(",") if part],
        help="time only these concepts' lessons on virtual time (default: all)",
    )
    return p


def _without_note(argv: Sequence[str] | None) -> list[str]:
    """The command's arguments for the record, without ``--note`` (kept in a field of its own)."""
    given = list(sys.argv[1:] if argv is None else argv)
    kept: list[str] = []
    skip = False
    for argument in given:
        if skip:
            skip = False
        elif argument == "--note":
            skip = True
        elif not argument.startswith("--note="):
            kept.append(argument)
    return kept


def main(argv: Sequence[str] | None = None, prog: str = "python -m asyncio_primer bench") -> int:
    """Run the benchmarks; print one ``name value unit`` line per figure; write JSON and chart.

    Without ``--json``, the files go to a new temporary directory, never the current one.
    """
    global _started
    args = parser(prog).parse_args(list(sys.argv[1:] if argv is None else argv))
    _started = time.perf_counter()
    clients: list[int] = args.clients or ([100, 1000] if args.quick else [100, 1000, 5000])
    total_requests: int = args.total_requests or (5000 if args.quick else 50_000)
    waits: int = args.waits or (2000 if args.quick else 10_000)
    import_runs: int = args.import_runs or (3 if args.quick else 7)
    servers = ["asyncio", "threads"]
    if importlib.util.find_spec("uvloop") is not None:
        servers.append("uvloop")
    else:
        progress("uvloop is not installed: no echo_uvloop figures (pip install uvloop)")
    ensure_file_limit(2 * max(clients) + 2 * echo.FD_RESERVE)
    mode = modes()
    if any(mode.values()):
        progress(
            f"warning: {', '.join(k for k, on in mode.items() if on)} on: these figures are not"
            " what a plain python gives, and the docs refuse to publish them"
        )

    results = Results(
        machine=machine(),
        parameters={
            "quick": args.quick,
            "clients": clients,
            "total_requests": total_requests,
            "waits": waits,
            "workers": args.workers,
            "heartbeat_wait_s": args.heartbeat_wait,
            "heartbeat_interval_s": args.heartbeat_interval,
            "import_runs": import_runs,
            "servers": servers,
            "virtual_concepts": args.virtual_concepts or list(asyncio_primer.CONCEPTS),
        },
        command=" ".join(["python -m asyncio_primer bench", *_without_note(argv)]),
        note=args.note,
        measured_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )
    measure_workers(results, args.workers)
    measure_heartbeat(results, args.heartbeat_wait, args.heartbeat_interval)
    measure_resources(results, waits)
    measure_echo(results, clients, total_requests, servers)
    measure_virtual_time(results, args.virtual_concepts)
    measure_imports(results, import_runs)
    results.wall_seconds = round(time.perf_counter() - _started, 3)
    results.machine["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]

    if args.json is None:
        args.json = Path(tempfile.mkdtemp(prefix="asyncio-primer-bench-")) / "results.json"
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results.to_json(), indent=2) + "\n", encoding="utf-8")
    progress(f"wrote {args.json}")
    chart: Path = args.chart or args.json.with_suffix(".svg")
    if write_chart(results, chart):
        progress(f"wrote {chart}")
    total = time.perf_counter() - _started
    progress(f"done: measured in {results.wall_seconds:.1f} s, {total:.1f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
