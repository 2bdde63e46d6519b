"""Sphinx extension: the ``bench-results`` directive, the figures of one bench run on a page.

``.. bench-results::`` renders the results file that ``python -m asyncio_primer bench`` wrote —
the machine, Python version, date and command of the run, its chart, and a table of every
figure — so nothing on the page is typed in by hand.

The results are committed (``docs/_static/measured/``), produced by a real run, so that a docs
build stays fast. The build reruns the bench only when asked: with ``ASYNCIO_PRIMER_BENCH=quick``
(``bench --quick``, under a minute) or ``ASYNCIO_PRIMER_BENCH=full``, or in quick mode when the
results file is missing.
"""

from __future__ import annotations

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


def page_lines(data: dict[str, Any], chart: bool) -> list[str]:
    """The reStructuredText for one run."""
    machine = data["machine"]
    load = machine.get("load_average_at_start") or [0.0]
    lines = [
        f"Measured on **{data['measured_at'][:10]}** ({data['measured_at']}) with"
        f" **{machine['python']}** on {machine['os']}: {machine['cores']} cores,"
        f" {machine['memory_bytes'] / 2**30:.1f} GiB of memory, CPU {machine['cpu']}; load"
        f" average {load[0]:.2f} when the run started; uvloop"
        f" {machine['uvloop'] or 'not installed'}. The run took {data['wall_seconds']:.0f} s.",
        "",
        "Reproduce it (from a clone, or after ``pip install 'asyncio-primer[bench]'``):",
        "",
        ".. code-block:: console",
        "",
        f"{INDENT}$ {data['command']}",
        "",
    ]
    if chart:
        lines += [
            f".. figure:: /{CHART}",
            f"{INDENT}:alt: Charts of the heartbeat gaps, memory per wait, and echo server"
            " throughput and latency against the number of clients.",
            f"{INDENT}:width: 100%",
            "",
            f"{INDENT}The run's chart, drawn by the bench.",
            "",
        ]
    lines += [
        ".. list-table:: Every figure of the run",
        f"{INDENT}:header-rows: 1",
        f"{INDENT}:widths: 35 15 10 40",
        "",
        f"{INDENT}* - figure",
        f"{INDENT}  - value",
        f"{INDENT}  - unit",
        f"{INDENT}  - what it measures",
    ]
    for figure in data["figures"]:
        lines += [
            f"{INDENT}* - ``{figure['name']}``",
            f"{INDENT}  - {format_value(figure['value'])}",
            f"{INDENT}  - {figure['unit']}",
            f"{INDENT}  - {figure['about']}",
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
        chart = Path(self.env.srcdir, CHART).exists()
        container = nodes.container(classes=["bench-results"])
        text = StringList(page_lines(data, chart), source=str(results))
        self.state.nested_parse(text, self.content_offset, container)
        return [container]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("bench-results", BenchResultsDirective)
    app.connect("builder-inited", rerun_bench)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
