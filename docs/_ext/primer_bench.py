"""Sphinx extension: the ``bench-results`` directive, the figures of one bench run on a page.

``.. bench-results::`` renders the results file that ``python -m asyncio_primer bench`` wrote —
the machine, its load, the modes, the date and command of the run; what each comparison shows,
in words, with its figures and units; its chart; and a table of every figure — so nothing on the
page is typed in by hand. A figure measured with asyncio's debug mode or Python's dev mode on (or
that does not say) is refused with a warning, an error under ``-W``: those modes slow asyncio
down, and a reader's plain ``python`` runs without them.

The results are committed (``docs/_static/measured/``), produced by a real run, so that a docs
build stays fast. The build reruns the bench only when asked: with ``ASYNCIO_PRIMER_BENCH=quick``
(``bench --quick``, under a minute) or ``ASYNCIO_PRIMER_BENCH=full``, or in quick mode when the
results file is missing.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

#: Where the results and the chart live, relative to the docs' source directory.
RESULTS = "_static/measured/results.json"
CHART = "_static/measured/chart.svg"
INDENT = "   "


def rerun_bench(app: Sphinx) -> None:
    """Rerun the bench if ``ASYNCIO_PRIMER_BENCH`` asks for it or the results are missing."""
    mode = os.environ.get("ASYNCIO_PRIMER_BENCH", "").strip().lower()
    results = Path(app.srcdir, RESULTS)
    if not mode and results.exists():
        return
    if mode not in ("", "quick", "full"):
        raise ExtensionError(f"ASYNCIO_PRIMER_BENCH must be 'quick' or 'full', got {mode!r}")
    command = [sys.executable, "-m", "asyncio_primer._support.bench"]
    command += [] if mode == "full" else ["--quick"]
    command += ["--json", str(results), "--chart", str(Path(app.srcdir, CHART))]
    logger.info("running the bench for the docs: %s", " ".join(command[2:]))
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=1800)


def format_value(value: float | None) -> str:
    """A figure's value for the table: thousands separated, five significant digits below 100."""
    if value is None:
        return "∞"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.5g}"


#: Units as the page spells them.
UNITS = {"x": "\N{MULTIPLICATION SIGN}", "B": "bytes", "s": "s", "ms": "ms", "req/s": "requests/s"}


def _n(value: float | None, digits: int = 3) -> str:
    """A value in a sentence: ``24,859``, ``1.0007``, ``0.1006``."""
    if value is None:
        return "∞"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _times(ratio: float | None) -> str:
    """A ratio in words: ``4.6 times``, ``0.67 times`` (less)."""
    return f"{_n(ratio, 2)} times"


def mode_problems(data: dict[str, Any]) -> list[str]:
    """Figures measured with asyncio's debug mode or Python's dev mode on, or not saying."""
    problems = []
    for figure in data["figures"]:
        conditions = figure.get("conditions")
        if not conditions or "asyncio_debug" not in conditions or "dev_mode" not in conditions:
            problems.append(f"{figure['name']}: no recorded mode (rerun the bench)")
        elif conditions["asyncio_debug"] or conditions["dev_mode"]:
            problems.append(f"{figure['name']}: measured with debug or dev mode on")
    return problems


def conditions_lines(data: dict[str, Any]) -> list[str]:
    """Where, when and under what load the run was made, in words."""
    machine = data["machine"]
    start = (machine.get("load_average_at_start") or [float("nan")])[0]
    end = (machine.get("load_average_at_end") or [start])[0]
    loads = [
        f["conditions"]["load_average"][0] for f in data["figures"] if f.get("conditions")
    ] or [start]
    debug = any(f.get("conditions", {}).get("asyncio_debug") for f in data["figures"])
    dev = any(f.get("conditions", {}).get("dev_mode") for f in data["figures"])
    parameters = data.get("parameters", {})
    kind = "a quick run (``--quick``: smaller sizes)" if parameters.get("quick") else "a full run"
    lines = [
        f"Measured on {data['measured_at'][:10]} at {data['measured_at'][11:16]} UTC, "
        f"{kind} that took {data['wall_seconds']:.0f} s: {machine['python']} on "
        f"{machine['os'].split('-')[0]}, {machine['cores']} CPU cores ({machine['cpu']}), "
        f"{machine['memory_bytes'] / 2**30:.1f} GiB of memory, uvloop "
        f"{machine['uvloop'] or 'not installed'}. asyncio's debug mode was "
        f"**{'on' if debug else 'off'}** and Python's development mode "
        f"**{'on' if dev else 'off'}** for every figure, as in a plain ``python``. The load "
        f"average (the number of processes wanting a CPU, over the last minute) was "
        f"{start:.1f} when the run started and {end:.1f} when it ended; it was between "
        f"{min(loads):.1f} and {max(loads):.1f} as the figures were taken (each figure keeps "
        "its own in the results file). Above the number of cores, processes wait for a turn: "
        "the absolute speeds below are lower than this machine gives when idle.",
        "",
    ]
    if data.get("note"):
        lines += [".. note::", "", f"{INDENT}{data['note']}", ""]
    return lines


def _value(figures: dict[str, dict[str, Any]], name: str) -> float | None:
    figure = figures.get(name)
    return None if figure is None else figure["value"]


def _punctuality(gap: float | None, interval: float) -> str:
    """Whether a heartbeat's largest gap kept to its interval, in words."""
    if gap is None or gap <= interval * 1.2:
        return " — on time"
    return (
        f" — {_n(gap - interval, 2)} s late at worst, with the machine this busy, but still ticking"
    )


def findings(data: dict[str, Any]) -> list[str]:
    """What the run shows, claim by claim: each figure with its unit and its comparison."""
    figures = {f["name"]: f for f in data["figures"]}
    p = data.get("parameters", {})
    v = functools.partial(_value, figures)
    lines: list[str] = []

    def section(title: str, *paragraphs: str) -> None:
        lines.extend([title, "-" * len(title), ""])
        for paragraph in paragraphs:
            lines.extend([paragraph, ""])

    if "workers_elapsed_ratio" in figures:
        delays = p.get("workers", [5.0, 3.0, 1.0])
        longest = max(delays)
        ratio = v("workers_elapsed_ratio") or 0.0
        section(
            "What concurrency costs on top of the longest wait",
            f"Three workers that wait {', '.join(f'{d:g}' for d in delays)} s, run as tasks on "
            f"real time, finished in {_n(ratio * longest, 5)} s: {_n(ratio, 5)} times the longest "
            f"wait ({longest:g} s), where one after the other they would take "
            f"{sum(delays):g} s. The few milliseconds above the ideal are the loop's own work "
            "(scheduling, printing, waking up).",
        )
    if "heartbeat_max_gap_async_s" in figures:
        interval = p.get("heartbeat_interval_s", 0.1)
        wait = p.get("heartbeat_wait_s", 1.0)
        section(
            "Responsiveness: awaiting against blocking",
            f"A heartbeat task ticks every {interval:g} s while another task waits {wait:g} s. "
            f"While that task awaits ``asyncio.sleep({wait:g})``, the largest gap between two "
            f"ticks was {_n(v('heartbeat_max_gap_async_s'), 4)} s"
            + _punctuality(v("heartbeat_max_gap_async_s"), interval)
            + ". While it calls "
            f"``time.sleep({wait:g})`` instead, the largest gap was "
            f"{_n(v('heartbeat_max_gap_blocking_s'), 4)} s, "
            f"{_times(v('heartbeat_blocking_vs_async_ratio'))} as long: one blocking call "
            "stops every task on the loop for its whole duration.",
        )
    if "task_memory_bytes" in figures:
        count = p.get("waits", 0)
        ratio = v("tasks_vs_threads_memory_ratio") or 0.0
        start_ratio = v("tasks_vs_threads_start_ratio") or 0.0
        section(
            "Resources: tasks against threads",
            f"Holding {count:,} waits at once, each task added {_n(v('task_memory_bytes'))} "
            f"bytes of resident memory and each thread {_n(v('thread_memory_bytes'))} bytes: a "
            f"thread cost {_times(ratio)} as much"
            + (" (so here tasks were not cheaper)." if ratio < 1 else ".")
            + f" Starting them all took {_n(v('tasks_start_s'))} s as tasks and "
            f"{_n(v('threads_start_s'))} s as threads ({_times(start_ratio)} as long for "
            "threads). Memory is measured as the growth of the process's resident set, so it "
            "includes the interpreter's own bookkeeping.",
        )
    echo = data.get("series", {}).get("echo")
    if echo:
        servers = [s for s in ("asyncio", "threads", "uvloop") if s in echo]
        clients = echo["clients"]
        words = []
        for i, count in enumerate(clients):
            a, t = echo["asyncio"]["rps"][i], echo["threads"]["rps"][i]
            faster = "asyncio" if a >= t else "the thread-per-connection server"
            words.append(
                f"with {count:,} clients, {faster} served more: {_n(a)} requests/s for asyncio "
                f"against {_n(t)} for threads ({_times(a / t if t else None)})"
            )
        said = "; ".join(words)
        uv = ""
        if "uvloop" in echo:
            r = v("echo_uvloop_vs_asyncio_ratio")
            uv = (
                f" The same asyncio server on uvloop served {_times(r)} as many as on asyncio's "
                f"own loop with {clients[-1]:,} clients."
            )
        section(
            "Scalability: one thread against a thread per connection",
            "An echo server answers short messages from many clients at once (the clients run "
            f"in another process, on the same machine): {said}.{uv} The table adds each "
            "server's latency at the 99th percentile (99 requests in 100 were answered faster). "
            "On a busy machine a single run can be off by a lot: rerun the bench before you "
            "trust one number, and trust the comparisons that hold from run to run.",
        )
        lines += [
            ".. list-table:: Echo servers: requests per second and 99th-percentile latency",
            f"{INDENT}:header-rows: 1",
            f"{INDENT}:class: bench",
            "",
            f"{INDENT}* - clients",
        ]
        lines += [f"{INDENT}  - {server} (requests/s)" for server in servers]
        lines += [f"{INDENT}  - {server} p99 (ms)" for server in servers]
        for i, count in enumerate(clients):
            lines.append(f"{INDENT}* - {count:,}")
            lines += [f"{INDENT}  - {_n(echo[server]['rps'][i])}" for server in servers]
            lines += [f"{INDENT}  - {_n(echo[server]['p99_ms'][i])}" for server in servers]
        lines.append("")
    if "virtual_time_speedup" in figures:
        section(
            "The primer's own speed",
            f"The {_n(v('virtual_time_lessons'))} lessons that run on virtual time script "
            f"{_n(v('virtual_time_scripted_s'))} s of sleeps and timeouts; on the virtual clock "
            f"they all ran in {_n(v('virtual_time_wall_s'))} s of wall time, "
            f"{_times(v('virtual_time_speedup'))} faster — which is how the test suite checks "
            "every lesson's exact timing in seconds. Importing ``asyncio`` took "
            f"{_n(v('import_asyncio_ms'))} ms in a fresh interpreter and ``asyncio_primer`` "
            f"{_n(v('import_asyncio_primer_ms'))} ms more (medians).",
        )
    return lines


def page_lines(data: dict[str, Any], chart: bool) -> list[str]:
    """The reStructuredText for one run: conditions, findings in words, chart, every figure."""
    lines = [*conditions_lines(data)]
    lines += [
        "Reproduce it (from a clone, or after ``pip install 'asyncio-primer[bench]'``):",
        "",
        ".. code-block:: console",
        "",
        f"{INDENT}$ {data['command']}",
        "",
    ]
    lines += findings(data)
    if chart:
        lines += [
            "The chart",
            "---------",
            "",
            f".. figure:: /{CHART}",
            f"{INDENT}:alt: Four charts: the heartbeat's largest gap while another task awaits"
            " and while it blocks; memory per wait as a task and as a thread; echo server"
            " requests per second and 99th-percentile latency against the number of clients.",
            f"{INDENT}:width: 100%",
            "",
            f"{INDENT}The run's chart, drawn by the bench: top left, the heartbeat's largest gap"
            " (lower is better); top right, memory per wait (lower is better); bottom, the echo"
            " servers' throughput (higher is better) and latency (lower is better).",
            "",
        ]
    lines += [
        "Every figure",
        "------------",
        "",
        "The results file (``results.json`` beside the chart) holds each figure with the "
        "conditions it was measured under; the last column is the one-minute load average "
        "at that moment.",
        "",
        ".. list-table::",
        f"{INDENT}:header-rows: 1",
        f"{INDENT}:class: bench",
        f"{INDENT}:widths: 58 16 12 14",
        "",
        f"{INDENT}* - what was measured",
        f"{INDENT}  - value",
        f"{INDENT}  - unit",
        f"{INDENT}  - load",
    ]
    for figure in data["figures"]:
        load = figure.get("conditions", {}).get("load_average", [None])[0]
        lines += [
            f"{INDENT}* - {figure['about'][:1].upper()}{figure['about'][1:]}",
            f"{INDENT}  - {format_value(figure['value'])}",
            f"{INDENT}  - {UNITS.get(figure['unit'], figure['unit'])}",
            f"{INDENT}  - {'' if load is None else f'{load:.1f}'}",
        ]
    return [*lines, ""]


class BenchResultsDirective(SphinxDirective):
    """Render the committed (or just regenerated) bench results."""

    def run(self) -> list[nodes.Node]:
        results = Path(self.env.srcdir, RESULTS)
        self.env.note_dependency(str(results))
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise self.error(f"cannot read the bench results {results}: {error}") from error
        for problem in mode_problems(data):
            logger.warning(
                "bench results %s: %s; only figures from a normal run are published",
                RESULTS,
                problem,
                location=self.get_location(),
            )
        chart = Path(self.env.srcdir, CHART).exists()
        parsed = nodes.section()  # findings come as sections of the page
        text = StringList(page_lines(data, chart), source=str(results))
        nested_parse_with_titles(self.state, text, parsed)
        return list(parsed.children)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("bench-results", BenchResultsDirective)
    app.connect("builder-inited", rerun_bench)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
