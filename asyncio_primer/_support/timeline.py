"""Draw a traced run: its output as text, its tasks as a timeline (text cells or SVG).

Support code for the command line and the docs — not a lesson. Nothing here imports a terminal
library: the command line colours the cells that :func:`bar_cells` computes, the docs inline the
SVG that :func:`svg` writes. Both put the tasks on the same axis as the printed lines' stamps:
seconds on the loop's clock since the lesson started.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from asyncio_primer._support.runner import Run
from asyncio_primer._support.tracer import MAIN, TaskRecord, Trace, _short

__all__ = ["Row", "bar_cells", "output_lines", "rows", "svg", "ticks"]


def output_lines(run: Run) -> list[str]:
    """The run as text: each printed line stamped with its loop time, then the outcome."""
    lines = [f"[{p.at:7.3f} s] {p.text}" for p in run.printed]
    if run.error is not None:
        lines.append(f"raised {run.error!r}")
    elif run.result is not None:
        lines.append(f"returned {run.result!r}")
    if run.elapsed is not None:
        clock = "virtual time" if run.virtual else "real time"
        lines.append(f"took {seconds(run.elapsed)} s on the loop's clock ({clock})")
    return lines or ["(prints nothing)"]


def seconds(t: float) -> str:
    """*t* to the millisecond, without trailing zeros: ``5``, ``0.5``, ``1.003``."""
    return f"{t:.3f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Row:
    """One line of a timeline: the lesson's own coroutine (id :data:`MAIN`) or a task."""

    id: int
    label: str
    created: float
    started: float
    #: When it ended, or the chart's "now" for a task still running.
    ended: float
    #: ``"main"``, ``"done"``, ``"failed"``, ``"cancelled"`` or ``"pending"``.
    outcome: str
    note: str
    printed: tuple[tuple[float, str], ...] = ()


def rows(trace: Trace, now: float | None = None) -> list[Row]:
    """The lesson's row, then one row per task, in creation order; *now* ends unfinished bars."""
    end = trace.elapsed if now is None else now
    said: dict[int, list[tuple[float, str]]] = {}
    for line in trace.lines:
        said.setdefault(line.task, []).append((line.at, line.text))
    name = trace.lesson.rsplit(".", 1)[-1]
    run = trace.run
    outcome = f"raised {run.error!r}" if run.error is not None else _returned(run.result)
    note = f"{outcome} at {seconds(end)} s" if now is None and run.elapsed is not None else ""
    result = [Row(MAIN, f"main {name}()", 0.0, 0.0, end, "main", note, _said(said, MAIN))]
    for task in list(trace.tasks):
        result.append(_row(task, end, _said(said, task.id)))
    return result


def _returned(result: object) -> str:
    return "done" if result is None else f"returned {_short.repr(result)}"


def _said(said: dict[int, list[tuple[float, str]]], task: int) -> tuple[tuple[float, str], ...]:
    return tuple(said.get(task, ()))


def _row(task: TaskRecord, now: float, printed: tuple[tuple[float, str], ...]) -> Row:
    started = task.started if task.started is not None else now
    ended = task.ended if task.ended is not None else max(now, started)
    if task.ended is None:
        note = "running" if task.started is not None else "scheduled"
    else:
        note = f"{task.outcome_text} at {seconds(task.ended)} s"
    label = f"#{task.id} {task.label}"
    return Row(task.id, label, task.created, started, ended, task.outcome, note, printed)


def ticks(total: float, most: int = 8) -> list[float]:
    """Round times from 0 up to *total* for an axis: at most *most* + 1 of them.

    >>> ticks(5.0), ticks(5.03), ticks(0.5)
    ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    """
    if total <= 0:
        return [0.0]
    raw = total / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.floor(total / step + 1e-9)
    return [round(i * step, 9) for i in range(count + 1)]


def bar_cells(row: Row, total: float, width: int) -> list[tuple[str, int]]:
    """Cut *row* into runs of text cells: ``("idle" | "waiting" | "running", length)``.

    Cell *i* stands for the time from ``i * total / width`` on. A task that exists at all fills
    at least one cell, so a task that starts and ends at the same instant is still seen.
    """
    if total <= 0:
        total = 1.0

    def cell(t: float) -> int:
        return min(width - 1, max(0, int(t / total * width + 1e-9)))

    first, start = cell(row.created), cell(row.started)
    last = max(start, math.ceil(row.ended / total * width - 1e-9) - 1)
    last = min(width - 1, last)
    runs = [("idle", first), ("waiting", start - first), ("running", last - start + 1)]
    runs.append(("idle", width - last - 1))
    return [(kind, n) for kind, n in runs if n > 0]


# --- SVG ---------------------------------------------------------------------------------------

#: Fill colours that read on furo's light and dark backgrounds; text and axes use currentColor.
COLOURS = {
    "done": "#3b82f6",
    "failed": "#ef4444",
    "cancelled": "#f59e0b",
    "pending": "#a855f7",
}
LABEL_WIDTH = 230
PLOT_WIDTH = 360
NOTE_WIDTH = 170
ROW_HEIGHT = 24
BAR_HEIGHT = 12
TOP = 8


def svg(trace: Trace) -> str:
    """The trace as an inline SVG timeline: one bar per task, printed lines as dots on it."""
    chart = rows(trace)
    scale = ticks(trace.elapsed)
    total = trace.elapsed or 1.0
    x0 = LABEL_WIDTH
    width = LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH
    axis_y = TOP + ROW_HEIGHT * len(chart) + 4
    height = axis_y + 28

    def x(t: float) -> float:
        return round(x0 + t / total * PLOT_WIDTH, 2)

    title = f"Timeline of {trace.lesson}: {len(trace.tasks)} tasks over {trace.elapsed:g} s"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lesson-timeline" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width: {width}px" '
        f'font-family="inherit" font-size="13" fill="currentColor">',
        f"<title>{escape(title)}</title>",
    ]
    for t in scale:  # grid and axis labels
        out.append(
            f'<line x1="{x(t)}" y1="{TOP}" x2="{x(t)}" y2="{axis_y}" stroke="currentColor" '
            f'stroke-opacity="0.15"/>'
        )
        anchor = "start" if t == 0 else "middle"
        out.append(f'<text x="{x(t)}" y="{axis_y + 16}" text-anchor="{anchor}">{t:g} s</text>')
    out.append(
        f'<line x1="{x0}" y1="{axis_y}" x2="{x0 + PLOT_WIDTH}" y2="{axis_y}" '
        f'stroke="currentColor" stroke-opacity="0.6"/>'
    )
    for i, row in enumerate(chart):
        mid = TOP + ROW_HEIGHT * i + ROW_HEIGHT / 2
        out.append(
            f'<text x="{x0 - 8}" y="{mid + 4}" text-anchor="end">{escape(_clip(row.label, 32))}'
            f"</text>"
        )
        if row.outcome == "main":
            out.append(
                f'<line x1="{x(0)}" y1="{mid}" x2="{max(x(row.ended), x(0) + 2)}" y2="{mid}" '
                f'stroke="currentColor" stroke-opacity="0.5" stroke-width="2"/>'
            )
        else:
            if row.started > row.created:
                out.append(
                    f'<line x1="{x(row.created)}" y1="{mid}" x2="{x(row.started)}" y2="{mid}" '
                    f'stroke="currentColor" stroke-opacity="0.5" stroke-dasharray="3 3"/>'
                )
            left, right = x(row.started), max(x(row.ended), x(row.started) + 2)
            out.append(
                f'<rect x="{left}" y="{mid - BAR_HEIGHT / 2}" width="{round(right - left, 2)}" '
                f'height="{BAR_HEIGHT}" rx="2" fill="{COLOURS.get(row.outcome, "#888")}">'
                f"<title>{escape(row.label)}: {escape(row.note)}</title></rect>"
            )
            out.append(
                f'<text x="{x0 + PLOT_WIDTH + 8}" y="{mid + 4}">{escape(_clip(row.note, 24))}'
                f"<title>{escape(row.note)}</title></text>"
            )
        for at, text in row.printed:
            out.append(
                f'<circle cx="{x(at)}" cy="{mid}" r="3.5" fill="currentColor" '
                f'stroke="{COLOURS["done"]}" stroke-opacity="0.4">'
                f"<title>[{at:g} s] {escape(text)}</title></circle>"
            )
    out.append("</svg>")
    return "\n".join(out)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
