"""Draw a traced run: its output as text, its tasks as a timeline (text cells or SVG).

Support code for the command line and the docs — not a lesson. Nothing here imports a terminal
library: the command line colours the cells that :func:`bar_cells` computes, the docs inline the
SVG that :func:`svg` writes. Both put the tasks on the same axis as the printed lines' stamps:
seconds on the loop's clock since the lesson started.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from asyncio_primer._support.runner import Run
from asyncio_primer._support.tracer import MAIN, TaskRecord, Trace, _short

__all__ = [
    "Row",
    "bar_cells",
    "clip",
    "numbered",
    "output_lines",
    "public_label",
    "rows",
    "svg",
    "ticks",
]


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
#: The colour of a period in which the loop ran nothing (a blocking call).
BLOCKED_COLOUR = "#ef4444"
LABEL_WIDTH = 230
PLOT_WIDTH = 360
NOTE_WIDTH = 170
ROW_HEIGHT = 24
BAR_HEIGHT = 12
TOP = 20
#: More tasks than this are drawn as a histogram of how many ran when, not one bar each.
MOST_BARS = 40
#: Bins of that histogram, and its height in pixels.
BINS = 60
HISTOGRAM_HEIGHT = 96
#: Dots closer than this (in pixels) on one row share one number label.
NEAR = 14


def public_label(label: str) -> str:
    """*label* without the module's private names: ``#3 _stubborn(3.0)`` -> ``#3 helper(3.0)``.

    The page names what the reader can call; the helpers themselves are shown beside the lesson.
    """
    return re.sub(r"(?<![\w.])_[A-Za-z]\w*(?=\()", "helper", label)


def numbered(trace: Trace) -> dict[int, list[tuple[float, int, str]]]:
    """The printed lines by task: ``(time, number, text)``; number 1 is the first line printed.

    The numbers are the line numbers of the run's output (:func:`output_lines` lists the printed
    lines first, in order), so that a dot on the timeline names its line of output.
    """
    found: dict[int, list[tuple[float, int, str]]] = {}
    for number, line in enumerate(trace.lines, 1):
        found.setdefault(line.task, []).append((line.at, number, line.text))
    return found


def _span_text(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3,5``."""
    parts: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if n is not None:
            start = previous = n
    return ",".join(parts)


def merged_blocks(
    blocked: list[tuple[float, float]], total: float
) -> list[tuple[float, float, float]]:
    """Blocked periods closer than 2 % of the run merged into one band: ``(start, end, blocked)``,
    *blocked* being the time the loop was blocked within the band.

    >>> merged_blocks([(1.0, 1.5), (1.55, 2.0), (4.0, 5.0)], 10.0)
    [(1.0, 2.0, 0.95), (4.0, 5.0, 1.0)]
    """
    bands: list[tuple[float, float, float]] = []
    for start, end in sorted(blocked):
        if bands and start - bands[-1][1] < total * 0.02:
            first, _, held = bands[-1]
            bands[-1] = (first, end, round(held + end - start, 6))
        else:
            bands.append((start, end, round(end - start, 6)))
    return bands


def svg(trace: Trace, axis: float | None = None) -> str:
    """The trace as an inline SVG timeline: one bar per task, printed lines as numbered dots.

    A run of more than :data:`MOST_BARS` tasks is drawn as a histogram of how many tasks were
    running when instead. A period in which the loop ran nothing (``trace.blocked``) is shaded.
    *axis* draws the time axis to at least that many seconds: the same scale as another run's
    (a pitfall's fix on its symptom's scale).
    """
    chart = rows(trace)
    many = len(chart) - 1 > MOST_BARS
    shown = chart[:1] if many else chart
    total = max(trace.elapsed, axis or 0.0) or 1.0
    scale = ticks(total)
    x0 = LABEL_WIDTH
    width = LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH
    bottom = TOP + ROW_HEIGHT * len(shown) + (HISTOGRAM_HEIGHT + 8 if many else 0)
    axis_y = bottom + 4
    height = axis_y + 28
    said = numbered(trace)

    def x(t: float) -> float:
        return round(x0 + min(max(t, 0.0), total) / total * PLOT_WIDTH, 2)

    count = len(trace.tasks)
    title = (
        f"Timeline of {trace.lesson}: {count:,} task{'s' * (count != 1)} over {seconds(total)} s"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lesson-timeline" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width: {width}px" '
        f'font-family="inherit" font-size="13" fill="currentColor">',
        f"<title>{escape(title)}</title>",
    ]
    for start, end, blocked in merged_blocks(trace.blocked, total):  # behind everything else
        left, right = x(start), max(x(end), x(start) + 2)
        what = f"the loop ran nothing else for {seconds(blocked)} s"
        if blocked < end - start - 1e-9:
            what += f" in all between {seconds(start)} s and {seconds(end)} s"
        else:
            what += f", from {seconds(start)} s to {seconds(end)} s"
        out.append(
            f'<rect class="blocked" x="{left}" y="{TOP - 4}" width="{round(right - left, 2)}" '
            f'height="{axis_y - TOP + 4}" fill="{BLOCKED_COLOUR}" fill-opacity="0.18" '
            f'stroke="{BLOCKED_COLOUR}" stroke-dasharray="4 3"><title>{what}</title></rect>'
        )
        if right - left >= 64:  # room for its label
            out.append(
                f'<text x="{round((left + right) / 2, 2)}" y="{TOP - 7}" text-anchor="middle" '
                f'font-size="11" fill="{BLOCKED_COLOUR}">loop blocked {seconds(blocked)} s</text>'
            )
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
    for i, row in enumerate(shown):
        mid = TOP + ROW_HEIGHT * i + ROW_HEIGHT / 2
        label = public_label(row.label)
        out.append(
            f'<text x="{x0 - 8}" y="{mid + 4}" text-anchor="end">{escape(clip(label, 32))}'
            f"<title>{escape(label)}</title></text>"
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
                f"<title>{escape(label)}: {escape(row.note)}</title></rect>"
            )
            out.append(
                f'<text x="{x0 + PLOT_WIDTH + 8}" y="{mid + 4}">{escape(clip(row.note, 24))}'
                f"<title>{escape(row.note)}</title></text>"
            )
        out += _dots(said.get(row.id, []), mid, x)
    if many:
        out += _histogram(trace, TOP + ROW_HEIGHT * len(shown) + 4, x, total)
    out.append("</svg>")
    return "\n".join(out)


def _dots(
    printed: list[tuple[float, int, str]], mid: float, x: Callable[[float], float]
) -> list[str]:
    """A dot per printed line; the line numbers above them (one label for dots that touch)."""
    out: list[str] = []
    groups: list[list[tuple[float, int, str]]] = []
    for line in printed:
        if groups and x(line[0]) - x(groups[-1][0][0]) < NEAR:
            groups[-1].append(line)
        else:
            groups.append([line])
    for group in groups:
        for at, number, text in group:
            out.append(
                f'<circle cx="{x(at)}" cy="{mid}" r="3.5" fill="currentColor" '
                f'stroke="{COLOURS["done"]}" stroke-opacity="0.4">'
                f"<title>line {number}, at {at:g} s: {escape(text)}</title></circle>"
            )
        label = _span_text([number for _, number, _ in group])
        out.append(
            f'<text class="line-number" x="{x(group[0][0])}" y="{mid - 8}" text-anchor="middle" '
            f'font-size="10" font-weight="bold">{label}</text>'
        )
    return out


def _histogram(trace: Trace, top: float, x: Callable[[float], float], total: float) -> list[str]:
    """How many tasks were running in each of :data:`BINS` slices of the run, as bars."""
    width = total / BINS
    running = [0] * BINS
    for task in trace.tasks:
        started = task.started if task.started is not None else task.created
        ended = task.ended if task.ended is not None else total
        first = min(BINS - 1, int(started / width))
        last = min(BINS - 1, max(first, math.ceil(ended / width) - 1))
        for b in range(first, last + 1):
            running[b] += 1
    most = max(running) or 1
    base = top + HISTOGRAM_HEIGHT
    outcomes: dict[str, int] = {}
    for task in trace.tasks:
        outcomes[task.outcome] = outcomes.get(task.outcome, 0) + 1
    summary = ", ".join(f"{n:,} {outcome}" for outcome, n in sorted(outcomes.items()))
    count = len(trace.tasks)
    out = [
        f'<text x="{LABEL_WIDTH - 8}" y="{top + 14}" text-anchor="end">{count:,} tasks,</text>',
        f'<text x="{LABEL_WIDTH - 8}" y="{top + 30}" text-anchor="end">too many for a bar each:'
        "</text>",
        f'<text x="{LABEL_WIDTH - 8}" y="{top + 46}" text-anchor="end">how many were running'
        "</text>",
        f'<text x="{LABEL_WIDTH - 8}" y="{top + 62}" text-anchor="end">at each moment</text>',
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{top + 14}">up to {most:,} at once</text>',
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 8}" y="{top + 30}">'
        f"{escape(clip(summary, 24))}<title>{escape(summary)}</title></text>",
        f'<line x1="{LABEL_WIDTH}" y1="{top}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y2="{top}" '
        f'stroke="currentColor" stroke-opacity="0.3" stroke-dasharray="2 3"/>',
    ]
    for b, n in enumerate(running):
        if not n:
            continue
        h = round(n / most * (HISTOGRAM_HEIGHT - 4), 2)
        left, right = x(b * width), x((b + 1) * width)
        out.append(
            f'<rect class="density" x="{left}" y="{round(base - h, 2)}" '
            f'width="{round(max(right - left - 0.5, 0.5), 2)}" height="{h}" '
            f'fill="{COLOURS["done"]}"><title>{n:,} tasks running between '
            f"{seconds(b * width)} s and {seconds((b + 1) * width)} s</title></rect>"
        )
    return out


def clip(text: str, size: int) -> str:
    """*text* cut to at most *size* characters, its last one "…" if anything was cut."""
    if len(text) <= size:
        return text
    return text[: size - 1] + "…" if size > 0 else ""
