"""The command line: ``python -m asyncio_primer`` or ``asyncio-primer``.

Support code, not a lesson. ``list`` shows the lessons in teaching order, ``run`` runs one and
draws its tasks on a timeline, ``show`` prints its docstring and source, ``bench`` runs the
benchmarks. Colour and layout come from :mod:`rich`; output that is not a terminal, or any output
when ``NO_COLOR`` is set, is plain text.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import inspect
import os
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

import asyncio_primer
from asyncio_primer._registry import find, gated
from asyncio_primer._support import timeline
from asyncio_primer._support.lesson_index import source_without_docstring
from asyncio_primer._support.runner import (
    Printed,
    Run,
    concept_modules,
    lessons,
    needs_real_time,
)
from asyncio_primer._support.tracer import MAIN, Trace, Tracer, trace_lesson

__all__ = ["main"]

#: The name of the installed script; ``python -m asyncio_primer`` when started that way.
PROG = "asyncio-primer"
STYLES = {
    "main": "dim",
    "done": "blue",
    "failed": "red",
    "cancelled": "yellow",
    "pending": "magenta",
}


class UsageError(Exception):
    """Bad arguments or an unknown lesson: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def program() -> str:
    """How the command line was started: ``python -m asyncio_primer``, else :data:`PROG`.

    The name its usage lines, errors and hints show, so that they can be typed as shown.
    """
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    started_with_m = getattr(spec, "name", None) == "asyncio_primer.__main__"
    return "python -m asyncio_primer" if started_with_m else PROG


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=program(),
        description="Run the asyncio primer's lessons and watch their tasks on a timeline.",
    )
    parser.add_argument("--version", action="version", version=asyncio_primer.__version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("list", help="the lessons, in teaching order, with their summaries")
    run = commands.add_parser(
        "run",
        help="run a lesson: its printed lines, then a timeline of its tasks",
        description="Run LESSON (tasks.run_workers, or a unique bare name such as run_workers) "
        "with its default arguments, or with ARGs (Python literals; anything else is a string).",
    )
    run.add_argument("lesson", metavar="LESSON")
    run.add_argument("args", metavar="ARG", nargs="*", help="arguments for the lesson")
    run.add_argument(
        "--fast",
        action="store_true",
        help="virtual time: the loop's clock jumps to the next timer (lessons that wait on real "
        "I/O still run on real time)",
    )
    show = commands.add_parser("show", help="a lesson's docstring and highlighted source")
    show.add_argument("lesson", metavar="LESSON")
    commands.add_parser("bench", help="benchmarks (see: bench --help)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = _console(sys.stdout)
    try:
        if args[:1] == ["bench"]:
            return _bench(args[1:])
        options = _parser().parse_args(args)
        if options.command == "list":
            return list_lessons(out)
        qualname, lesson = find_lesson(options.lesson)
        if options.command == "show":
            return show_lesson(out, qualname, lesson)
        reason = find(qualname).unavailable_reason()  # e.g. it needs threads, on WebAssembly
        if reason is not None:
            raise UsageError(f"{qualname} {reason}")
        return run(out, qualname, lesson, [_literal(a) for a in options.args], options.fast)
    except UsageError as error:
        print(f"{program()}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{program()}: interrupted", file=sys.stderr)
        return 130


def _bench(args: list[str]) -> int:
    """Hand ``bench ...`` to the benchmarks' own command line (imported only when asked for)."""
    bench = importlib.import_module("asyncio_primer._support.bench")
    return int(bench.main(args, prog=f"{program()} bench"))


def _console(file: Any) -> Console:
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        color_system=None if plain else "auto",
        highlight=False,
        emoji=False,
        markup=False,
    )


# --- finding lessons ----------------------------------------------------------------------------


def find_lesson(name: str) -> tuple[str, Callable[..., Any]]:
    """The lesson *name* names: ``tasks.run_workers``, its full module path, or a bare name.

    :raises UsageError: naming the closest lessons, if there is none or more than one; saying
        which Python it needs, for a lesson this Python is too old for.
    """
    found = lessons()
    key = name.removeprefix("asyncio_primer.")
    if key in found:
        return key, found[key]
    bare = [q for q in found if q.rsplit(".", 1)[1] == key]
    if len(bare) == 1:
        return bare[0], found[bare[0]]
    if len(bare) > 1:
        raise UsageError(f"lesson {name!r} is ambiguous: {', '.join(bare)}")
    for qualname in gated():  # a lesson in the source that this Python is too old for
        if key in (qualname, qualname.rsplit(".", 1)[1]):
            try:
                find(qualname)
            except LookupError as error:  # "tasks.task_group_results needs Python 3.11; ..."
                raise UsageError(str(error)) from None
    candidates = list(found) + [q.rsplit(".", 1)[1] for q in found]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.5)
    names = list(dict.fromkeys(q if q in found else _qualify(q, found) for q in close))
    hint = f"; did you mean {' or '.join(names)}?" if names else f"; try `{program()} list`"
    raise UsageError(f"no lesson {name!r}{hint}")


def _qualify(bare: str, found: dict[str, Any]) -> str:
    return next(q for q in found if q.rsplit(".", 1)[1] == bare)


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


_ROLE = re.compile(r":[\w:]+:`(~?)([^`<]*?)\s*(?:<([^>]+)>)?`")


def summary(obj: Any) -> str:
    """The first sentence block of *obj*'s docstring, reST roles turned into plain names."""
    first = (inspect.getdoc(obj) or "").strip().split("\n\n", 1)[0].replace("\n", " ")

    def plain(match: re.Match[str]) -> str:
        tilde, text, target = match.groups()
        if target is not None:
            return text
        return text.rsplit(".", 1)[-1] if tilde else text

    return _ROLE.sub(plain, first).replace("``", "")


# --- list -----------------------------------------------------------------------------------------


def list_lessons(out: Console) -> int:
    """Print the concepts and their lessons in teaching order."""
    found = lessons()
    for module in concept_modules():
        concept = module.__name__.rsplit(".", 1)[1]
        out.print(Text(f"{concept}: {summary(module)}", style="bold"))
        table = Table(box=None, show_header=False, padding=(0, 1, 0, 2), expand=False)
        table.add_column(style="cyan", no_wrap=True)
        table.add_column()
        for name in module.__all__:
            qualname = f"{concept}.{name}"
            note = " (real time)" if needs_real_time(qualname) else ""
            table.add_row(qualname, summary(found[qualname]) + note)
        for qualname, (major, minor) in gated().items():  # too new for this Python (#12)
            if qualname.startswith(f"{concept}.") and qualname not in found:
                table.add_row(qualname, f"(needs Python {major}.{minor})", style="dim")
        out.print(table)
        out.print()
    prog = program()
    out.print(f"Run one with `{prog} run LESSON [--fast]`; read one with `{prog} show LESSON`.")
    return 0


# --- show -----------------------------------------------------------------------------------------


def show_lesson(out: Console, qualname: str, lesson: Callable[..., Any]) -> int:
    """Print the lesson's signature and docstring, then its source (without the docstring)."""
    source = textwrap.dedent(inspect.getsource(lesson))
    path = Path(inspect.getsourcefile(lesson) or "?")
    root = Path(asyncio_primer.__file__).parent.parent
    where = path.relative_to(root) if root in path.parents else path
    line = inspect.getsourcelines(lesson)[1]
    signature = re.sub(r"(: |-> )'([^']*)'", r"\1\2", str(inspect.signature(lesson)))
    out.print(Text(f"{qualname}{signature}", style="bold cyan"))
    out.print(Text(f"{where.as_posix()}:{line}", style="dim"))
    out.print()
    out.print(Text(inspect.getdoc(lesson) or "(no docstring)"))
    out.print()
    out.rule("source", style="dim")
    code = source_without_docstring(source).rstrip("\n")
    if out.is_terminal:  # highlighted; a line wider than the terminal goes on below, not cut
        out.print(
            Syntax(code, "python", theme="ansi_dark", background_color="default", word_wrap=True)
        )
    else:  # to a pipe or a file: every line whole, as in the source
        out.print(Text(code), soft_wrap=True)
    return 0


# --- run ------------------------------------------------------------------------------------------


def run(
    out: Console, qualname: str, lesson: Callable[..., Any], args: list[Any], fast: bool
) -> int:
    """Run the lesson, echoing its lines as it prints them, then chart its tasks."""
    try:
        inspect.signature(lesson).bind(*args)
    except TypeError as error:
        raise UsageError(f"{qualname}: {error} (give its arguments after the name)") from None
    is_async = inspect.iscoroutinefunction(lesson)
    virtual = fast and is_async and not needs_real_time(qualname)
    out.print(Text(f"{qualname}: {summary(lesson)}", style="bold"))
    if not is_async:
        out.print(
            Text("It calls asyncio.run itself: real time, and its tasks are not traced.", "dim")
        )
    elif fast and not virtual:
        out.print(Text("It waits on real I/O, so it runs on real time even with --fast.", "dim"))
    elif virtual:
        out.print(Text("On virtual time: the loop's clock jumps to each next timer.", "dim"))
    out.print()

    tracer = Tracer()
    live = _live_chart(out, qualname, tracer) if is_async and not virtual else None

    def echo(printed: Printed) -> None:  # called just after the tracer noted who printed it
        out.print(_line(printed.at, printed.text, tracer.lines[-1].task if tracer.lines else MAIN))

    if virtual:  # over at once: print the lines afterwards, each with the task that printed it
        trace = trace_lesson(lesson, *args, virtual=True, tracer=tracer)
        for line in trace.lines:
            out.print(_line(line.at, line.text, line.task))
    elif live is not None:
        with live:
            trace = trace_lesson(lesson, *args, virtual=False, on_line=echo, tracer=tracer)
    else:
        trace = trace_lesson(lesson, *args, virtual=False, on_line=echo, tracer=tracer)
    if not trace.run.printed:
        out.print(Text("(prints nothing)", style="dim"))
    for text in timeline.output_lines(trace.run)[len(trace.run.printed) :]:
        if text != "(prints nothing)":
            out.print(Text(text, style="bold red" if text.startswith("raised") else "bold"))
    if is_async:
        out.print()
        out.print(chart(trace, out.width, plain=not _fancy(out)))
    return 1 if trace.run.error is not None else 0


def _line(at: float, text: str, who: int) -> Text:
    tag = "main" if who == MAIN else f"#{who}"
    line = Text(f"[{at:7.3f} s] ", style="dim")
    line.append(f"{tag:<5}", style="cyan")
    line.append(text)
    return line


def _fancy(out: Console) -> bool:
    return (out.encoding or "").lower().startswith("utf")


def _live_chart(out: Console, qualname: str, tracer: Tracer) -> Live | None:
    """A chart that redraws as the lesson runs, on a terminal that can show colour."""
    if not out.is_terminal or out.color_system is None:
        return None

    def current() -> RenderableType:
        if not tracer.installed:
            return Text("")
        now = tracer.now()
        trace = Trace(qualname, Run(elapsed=now), list(tracer.tasks), list(tracer.lines))
        return chart(trace, out.width, plain=not _fancy(out), now=now)

    return Live(console=out, get_renderable=current, refresh_per_second=12, transient=True)


def chart(trace: Trace, width: int, plain: bool = False, now: float | None = None) -> Group:
    """The tasks of *trace* as one bar each on a time axis, *width* characters wide."""
    rows = timeline.rows(trace, now)
    total = max(row.ended for row in rows)
    scale = timeline.ticks(total)
    total = total or 1.0
    label_width = min(max(len(row.label) for row in rows), 36, width // 3)
    note_width = min(max(len(row.note) for row in rows), 30)
    bar_width = max(20, width - label_width - note_width - 3)
    note_width = max(0, min(note_width, width - label_width - bar_width - 3))
    glyph = {"waiting": "-", "running": "#", "idle": " "} if plain else {}
    glyph = glyph or {"waiting": "┄", "running": "█", "idle": " "}
    main_glyph = "=" if plain else "─"
    lines: list[Text] = []
    for row in rows:
        line = Text(timeline.clip(row.label, label_width).ljust(label_width) + " ", no_wrap=True)
        for kind, count in timeline.bar_cells(row, total, bar_width):
            char = main_glyph if row.outcome == "main" and kind == "running" else glyph[kind]
            style = STYLES.get(row.outcome, "") if kind == "running" else "dim"
            line.append(char * count, style=style)
        line.append(" " + timeline.clip(row.note, note_width), style=STYLES.get(row.outcome, ""))
        lines.append(line)
    lines += _axis(scale, total, label_width + 1, bar_width, plain)  # ticks up to *total*
    return Group(*lines)


def _axis(scale: list[float], total: float, indent: int, width: int, plain: bool) -> list[Text]:
    marks = [" "] * (width + 1)
    labels = [" "] * (width + 8)
    for t in scale:
        col = min(width, round(t / total * width))  # the left edge of the cell where t starts
        marks[col] = "|" if plain else "╵"
        text = f"{t:g}" + (" s" if t == scale[-1] else "")
        start = max(0, min(col - len(text) // 2, width + 8 - len(text)))
        if all(c == " " for c in labels[max(0, start - 1) : start + len(text) + 1]):
            labels[start : start + len(text)] = text
    pad = " " * indent
    return [Text(pad + "".join(marks).rstrip(), style="dim"), Text(pad + "".join(labels).rstrip())]
