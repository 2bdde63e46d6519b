"""Sphinx extension: the ``lesson`` directive, and links for asyncio APIs newer than the inventory.

``.. lesson:: asyncio_primer.tasks.run_workers`` renders, for one lesson: its signature with
types and its docstring (autodoc), a sentence saying which arguments it checks (from the lesson
registry), its source (without the registry's ``@lesson(...)`` line, docstring or pragmas), the
module's private helpers it calls (transitively; each shown once per page), and what it printed
when the docs build ran it on virtual time (on real time for a ``real_time`` lesson), each line
stamped with the loop time at which it was printed. A lesson that runs more than one task also
gets a timeline of that same run: an inline SVG with one bar per task on the same time axis as
the stamps (a histogram for a run of many tasks), its printed lines as dots numbered like the
output's lines, drawn in ``currentColor`` so that it reads in furo's light and dark modes. The
first timeline of a page carries the legend; a pitfall's symptom and fix are marked as such.

The build runs the lessons as a reader's plain ``python`` would: it refuses (a warning, an error
under ``-W``) to run with Python's development mode or asyncio's debug mode on, and no path of the
machine that built the pages is published (``asyncio_primer/event_loop.py:343``, not the
absolute path).
"""

from __future__ import annotations

import ast
import asyncio
import functools
import importlib
import inspect
import io
import os
import platform
import pprint
import re
import sys
import textwrap
import tokenize
from collections.abc import Callable, Mapping
from typing import Any, cast

from docutils import nodes
from docutils.statemachine import StringList
from primer_cache import recorded_run
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from asyncio_primer._support.lesson_index import source_without_docstring
from asyncio_primer._support.runner import runs_with_defaults
from asyncio_primer._support.timeline import output_lines, seconds, svg
from asyncio_primer._support.tracer import trace_lesson

logger = logging.getLogger(__name__)

INDENT = "   "

#: Said once per page, with the first timeline; the later ones point back to it.
TIMELINE_EXPLAINED = (
    "How to read a timeline: it draws the run whose output is just above, task by task, on the "
    "loop's clock (the seconds of the output's stamps). The top line is the lesson's own "
    "coroutine; below it, one row per task it started, in the order they were created."
)
LEGEND = [
    ("bar", "#3b82f6", "a task, from its first step to its end (blue: it returned)"),
    ("bar", "#ef4444", "a task that raised an exception"),
    ("bar", "#f59e0b", "a task that was cancelled"),
    ("bar", "#a855f7", "a task still pending when the lesson returned"),
    ("dash", "", "created, waiting for its first step"),
    ("dot", "", "a printed line; its number is the line's number in the output above"),
    ("band", "#ef4444", "the loop was blocked: no task ran (real time only)"),
]
HELPERS_NOTE = (
    "Private helpers of the module, not part of the primer's API: shown so that you see all "
    "the code the lesson runs."
)


def resolve(qualname: str) -> Any:
    """Import ``package.module.name`` and return the object."""
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


# -- the registry (tolerant of lessons that do not use it yet) ------------------------------------


@functools.lru_cache(maxsize=1)
def registry_facts() -> dict[int, Any]:
    """``id(lesson object) -> Lesson`` from :mod:`asyncio_primer._registry`, if it is there."""
    try:
        registry = importlib.import_module("asyncio_primer._registry")
        return {id(facts.obj): facts for facts in registry.lessons().values()}
    except (ImportError, AttributeError):
        return {}


def needs_real_time(qualname: str, lesson: Any) -> bool:
    """Whether the docs must run the lesson ``asyncio_primer.concept.name`` on real time."""
    facts = registry_facts().get(id(lesson))
    if facts is not None:
        return bool(facts.real_time)
    from asyncio_primer._support import runner

    try:
        return bool(runner.needs_real_time(qualname.removeprefix("asyncio_primer.")))
    except LookupError:  # a lesson the registry does not know (yet): the virtual clock
        return False


#: What each argument check of :mod:`asyncio_primer._validate` asks of a value.
CHECKED = {
    "check_delay": "a finite number of seconds ≥ 0",
    "check_timeout": "a finite number of seconds > 0",
    "check_delays": "a non-empty sequence of finite numbers of seconds ≥ 0",
    "check_positive_int": "an ``int`` ≥ 1",
    "check_line": "a ``str`` on one line",
    "check_lines": "a non-empty sequence of one-line strings",
    "check_non_empty_bytes": "non-empty ``bytes``",
    "check_bytes": "``bytes``",
}


def describe_check(check: Callable[..., Any]) -> str:
    """What *check* asks of a value, in words (``a finite number of seconds ≥ 0``)."""
    name = getattr(check, "__name__", "")
    if name in CHECKED:
        return CHECKED[name]
    qualname = getattr(check, "__qualname__", "")
    values: Mapping[str, Any] = {}
    if inspect.isfunction(check):
        values = inspect.getclosurevars(check).nonlocals
    if qualname.startswith("one_of.") and "choices" in values:
        return "one of " + ", ".join(f"``{c!r}``" for c in values["choices"])
    if qualname.startswith("int_between.") and {"low", "high"} <= values.keys():
        return f"an ``int`` from {values['low']} to {values['high']}"
    doc = inspect.getdoc(check) or ""
    found = re.search(r"if it is (.+?), else raise", doc.replace("\n", " "))
    if found:
        return found.group(1).replace("*", "")
    return f"accepted by ``{name or qualname}``"


def checks_sentence(checks: Mapping[str, Callable[..., Any]]) -> str:
    """One sentence saying which arguments a lesson checks, and how it refuses a bad one."""
    parts = [f"*{name}* must be {describe_check(check)}" for name, check in checks.items()]
    listed = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
    return (
        f"Checks its arguments first — {listed} — and otherwise raises :exc:`TypeError` or "
        ":exc:`ValueError` with a message that starts with the argument's name."
    )


def add_checks_sentence(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """``autodoc-process-docstring``: the checks sentence, under a checked lesson's signature."""
    if what not in ("function", "class"):
        return
    facts = registry_facts().get(id(obj))
    checks = getattr(facts, "checks", None)
    if checks:
        lines[:0] = [".. rst-class:: lesson-checks", "", checks_sentence(checks), ""]


# -- the source, as the reader should see it -------------------------------------------------------

#: Comments for tools, not for the reader: coverage, mutation testing, linters, the formatter.
TOOL_COMMENT = re.compile(r"#\s*(?:pragma\b|noqa\b|fmt:|type:\s*ignore)")


def without_tool_comments(source: str) -> str:
    """*source* without ``# pragma: ...``, ``# noqa ...``, ``# fmt: ...`` or ``# type: ignore``.

    Only those comments go: in ``x()  # noqa: ASYNC251  # the bug`` the reader keeps
    ``# the bug``; a line that held nothing but such a comment is left out.
    """
    try:
        comments = [
            token
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    lines = source.splitlines()
    drop: set[int] = set()
    for token in reversed(comments):
        row, column = token.start
        pieces = [p.strip() for p in re.split(r"(?=#)", token.string) if p.strip()]
        kept = [p for p in pieces if not TOOL_COMMENT.match(p)]
        if len(kept) == len(pieces):
            continue
        line = lines[row - 1]
        code = line[:column].rstrip()
        if not code and not kept:
            drop.add(row - 1)
        else:
            lines[row - 1] = (code + "  " if code else line[:column]) + "  ".join(kept)
            lines[row - 1] = lines[row - 1].rstrip()
    return "\n".join(line for i, line in enumerate(lines) if i not in drop) + "\n"


def _is_lesson_decorator(decorator: ast.expr) -> bool:
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(called).rsplit(".", 1)[-1] == "lesson"


def without_lesson_decorator(source: str) -> str:
    """*source* of a definition without its ``@lesson(...)`` registry decorator (its checks are
    said in words under the signature instead)."""
    tree = ast.parse(source)
    definition = tree.body[0]
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return source
    lines = source.splitlines()
    for decorator in reversed(definition.decorator_list):
        if _is_lesson_decorator(decorator):
            assert decorator.end_lineno is not None
            del lines[decorator.lineno - 1 : decorator.end_lineno]
    return "\n".join(lines) + "\n"


def shown_source(lesson: Any) -> str:
    """The lesson's source as the page shows it: no registry decorator, docstring or pragmas."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(lesson)))
    return without_tool_comments(source_without_docstring(without_lesson_decorator(source)))


def module_helpers(module_source: str) -> dict[str, tuple[int, str]]:
    """The module's private functions and classes (``_name``), top level or version-gated:
    name -> (line, source)."""
    lines = module_source.splitlines()
    found: dict[str, tuple[int, str]] = {}

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name.startswith("_") and not node.name.startswith("__"):
                    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                    assert node.end_lineno is not None
                    text = textwrap.dedent("\n".join(lines[first - 1 : node.end_lineno]))
                    found.setdefault(node.name, (first, text + "\n"))
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(ast.parse(module_source).body)
    return found


def _names(source: str) -> set[str]:
    tree = ast.parse(textwrap.dedent(source))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


#: Private modules whose code a lesson's reader does not need to see: the registry (its checks
#: are said in words) and the argument checks themselves.
NOT_SHOWN = ("asyncio_primer._registry", "asyncio_primer._validate")


def support_imports(module_source: str) -> dict[str, str]:
    """Names the module imports from the primer's private modules (``asyncio_primer._support``
    and the like, but not :data:`NOT_SHOWN`): name -> module."""
    found: dict[str, str] = {}
    for node in ast.parse(module_source).body:
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("asyncio_primer._")
            and node.module not in NOT_SHOWN
        ):
            for alias in node.names:
                found[alias.asname or alias.name] = str(node.module)
    return found


def helpers_called(lesson: Any) -> list[tuple[str, str, str]]:
    """The code *lesson* calls that the page would not show otherwise, in source order:
    ``(name, shown source, where)``. *where* is ``""`` for a private helper of its own module
    (found through the helpers that call each other, transitively), else the private module a
    function or class it uses is imported from (``asyncio_primer._support.memory``: that code is
    shown, not what it calls in turn)."""
    function = inspect.unwrap(lesson)
    module = sys.modules[function.__module__]
    module_source = inspect.getsource(module)
    helpers = module_helpers(module_source)
    imported = support_imports(module_source)
    wanted: set[str] = set()
    support: set[str] = set()
    todo = [textwrap.dedent(inspect.getsource(function))]
    while todo:
        used = _names(todo.pop())
        for name in used & helpers.keys():
            if name not in wanted and name != function.__name__:
                wanted.add(name)
                todo.append(helpers[name][1])
        support |= used & imported.keys()
    ordered = sorted(wanted, key=lambda name: helpers[name][0])
    found = [(name, without_tool_comments(helpers[name][1]), "") for name in ordered]
    for name in sorted(support):
        obj = getattr(module, name, None)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            code = textwrap.dedent(inspect.getsource(inspect.unwrap(obj)))
            found.append((name, without_tool_comments(code), imported[name]))
    return found


# -- what the build publishes ----------------------------------------------------------------------


def _public_path_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Paths of the machine that builds the docs, and what the page says instead."""
    path = r"(?:[A-Za-z]:)?(?:[/\\][^\s/\\:'\"<>()]+)+?"
    return [
        # .../site-packages/asyncio_primer/x.py, or the source tree: asyncio_primer/x.py
        (re.compile(path + r"[/\\](asyncio_primer[/\\])"), r"\1"),
        # the standard library and other installed packages: .../lib/python3.13/asyncio/x.py
        (re.compile(path + r"[/\\]lib[/\\]python3\.\d+[/\\](?:site-packages[/\\])?"), ""),
        # anything else under a home, work or temporary directory
        (re.compile(r"(?<![\w.])/(?:root|home|work|tmp|Users)(?:/[^\s/:'\"<>()]+)+"), "…"),
    ]


PUBLIC_PATHS = _public_path_patterns()


def public(text: str) -> str:
    """*text* with the build machine's paths taken out (``asyncio_primer/event_loop.py:343``)."""
    for pattern, replacement in PUBLIC_PATHS:
        text = pattern.sub(replacement, text)
    return text


def modes() -> dict[str, bool]:
    """Whether asyncio's debug mode (as a new loop gets it) and Python's dev mode are on, by name
    (the bench's own check, :func:`asyncio_primer._support.bench.modes`, which its figures record).
    """
    from asyncio_primer._support.bench import modes as bench_modes  # late: bench is heavier

    labels = {"asyncio_debug": "asyncio debug mode", "dev_mode": "Python development mode"}
    return {labels[name]: on for name, on in bench_modes().items()}


def refuse_debug_modes(app: Sphinx) -> None:
    """``builder-inited``: the pages must show what a plain ``python`` prints and measures."""
    on = [name for name, value in modes().items() if value]
    if on:
        logger.warning(
            "the docs run the lessons with %s on: their output and figures would not be what a "
            "reader's plain python gives (unset PYTHONDEVMODE and PYTHONASYNCIODEBUG; tox -e docs "
            "does)",
            " and ".join(on),
        )


def conditions_line() -> str:
    """The machine and its load, for a lesson measured on real time while the pages were built."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    on = [name for name, value in modes().items() if value]
    said = " and ".join(on) + " on." if on else "asyncio debug mode and Python dev mode off."
    return (
        f"Measured on real time while these pages were built: "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU cores, load average {load:.2f} "
        "(the machine is shared, so timings vary from build to build), " + said
    )


#: Output lines longer than this are laid out over several lines where that keeps them exact.
WIDE = 92


def readable(lines: list[str], run: Any) -> list[str]:
    """*lines* of a run's output, with a long ``returned ...`` value pretty-printed over lines.

    The lines the lesson printed are left as they are (the CSS wraps the rare long one).
    """
    result = []
    for line in lines:
        if len(line) > WIDE and run.result is not None and line == f"returned {run.result!r}":
            pretty = pprint.pformat(run.result, width=WIDE - 9, sort_dicts=False)
            first, *rest = pretty.splitlines()
            result += ["returned " + first, *(" " * 9 + more for more in rest)]
        else:
            result.append(line)
    return result


def _key(lesson_name: str) -> tuple[str, str]:
    """``("swallowed_cancel", "symptom")`` for a pitfall's lesson, else ``(name, "")``."""
    for kind in ("symptom", "fix"):
        if lesson_name.endswith("_" + kind):
            return lesson_name[: -len(kind) - 1], kind
    return lesson_name, ""


def recorded(
    qualname: str, lesson: Any, page: dict[str, Any] | None = None, kind: str = ""
) -> list[str]:
    """reST for one run of *lesson* with its defaults: its output, and its tasks' timeline.

    The run is on virtual time, unless the lesson is a ``real_time`` one. The timeline (inline
    SVG) is there when the lesson runs more than one task. *page* holds what this page has
    said already (the timeline's legend is given once per page).
    """
    page = {} if page is None else page
    topic = _key(qualname.rsplit(".", 1)[-1])[0]
    real = needs_real_time(qualname, lesson)
    # read back from an earlier build if nothing that decides the run changed (primer_cache)
    trace, measured_under = recorded_run(
        qualname,
        lesson,
        virtual=not real,
        watch_loop=real,
        conditions=conditions_line,
        trace=trace_lesson,
    )
    concurrent = trace.concurrent
    text = [".. rubric:: Output", "", ".. code-block:: text"]
    text += ["   :linenos:", ""] if concurrent and trace.lines else [""]
    text += [INDENT + public(line) for line in readable(output_lines(trace.run), trace.run)]
    if real:
        text += ["", ".. rst-class:: lesson-conditions", "", measured_under]
    else:  # which interpreter produced this output (#12)
        from primer_generated import recorded_by

        text += ["", ".. rst-class:: lesson-recorded", "", recorded_by()]
    if concurrent:
        heading = {"symptom": "Timeline of the symptom", "fix": "Timeline of the fix"}
        text += ["", f".. rubric:: {heading.get(kind, 'Timeline')}", ""]
        if not page.get("timeline explained"):
            page["timeline explained"] = True
            text += [TIMELINE_EXPLAINED, "", ".. raw:: html", "", INDENT + legend_html(), ""]
        else:
            text += [
                ".. raw:: html",
                "",
                INDENT + '<p class="timeline-pointer">Read it as the first timeline on this page'
                ' (<a href="#timeline-legend">legend</a>): bars are tasks, numbered dots are'
                " the output's lines.</p>",
                "",
            ]
        axis = None
        symptom = page.get("symptom runs", {}).get(topic)
        if kind == "symptom":
            page.setdefault("symptom runs", {})[topic] = trace.elapsed
        elif kind == "fix" and symptom is not None and symptom > 0 and trace.elapsed > 0:
            axis = max(symptom, trace.elapsed)
            if abs(symptom - trace.elapsed) < 1e-9:
                compared = "as long as"
            elif abs(symptom - trace.elapsed) <= 0.05 * axis:
                compared = "about as long as"
            else:
                compared = f"{'longer' if trace.elapsed > symptom else 'shorter'} than"
            text += [
                f"Drawn on the same time scale as the symptom's timeline above: the fix took "
                f"{seconds(trace.elapsed)} s, {compared} the symptom's {seconds(symptom)} s.",
                "",
            ]
        if trace.blocked:
            held = sum(end - start for start, end in trace.blocked)
            longest = max(end - start for start, end in trace.blocked)
            many = len(trace.blocked) > 1
            text += [
                (
                    f"Shaded: {len(trace.blocked)} periods, {held:.2f} s in all (the longest "
                    f"{longest:.2f} s), in which"
                    if many
                    else f"Shaded: for {longest:.2f} s"
                )
                + " the loop ran nothing else — no task, no callback — because one step held "
                "it (a blocking call, or on a busy machine a wait for a CPU).",
                "",
            ]
        text += [".. raw:: html", ""]
        text += [INDENT + public(line) for line in svg(trace, axis).splitlines()]
    return text


def legend_html() -> str:
    """The timelines' legend, as one line of HTML."""
    items = []
    for shape, colour, words in LEGEND:
        if shape == "bar":
            mark = f'<rect x="1" y="4" width="26" height="10" rx="2" fill="{colour}"/>'
        elif shape == "dash":
            mark = (
                '<line x1="1" y1="9" x2="27" y2="9" stroke="currentColor" stroke-opacity="0.5" '
                'stroke-dasharray="3 3"/>'
            )
        elif shape == "dot":
            mark = (
                '<circle cx="14" cy="13" r="3.5" fill="currentColor"/><text x="14" y="7" '
                'font-size="8" font-weight="bold" text-anchor="middle">1</text>'
            )
        else:
            mark = (
                f'<rect x="1" y="1" width="26" height="16" fill="{colour}" fill-opacity="0.18" '
                f'stroke="{colour}" stroke-dasharray="4 3"/>'
            )
        icon = (
            '<svg width="28" height="18" viewBox="0 0 28 18" fill="currentColor" '
            f'aria-hidden="true">{mark}</svg>'
        )
        items.append(f"<li>{icon} {words}</li>")
    return (
        '<ul class="timeline-legend" id="timeline-legend" aria-label="How to read a timeline">'
        + "".join(items)
        + "</ul>"
    )


class LessonDirective(SphinxDirective):
    """Document one lesson: autodoc entry, source, the helpers it calls, recorded output."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        qualname = self.arguments[0]
        try:
            lesson = resolve(qualname)
        except (ImportError, AttributeError) as error:
            from primer_generated import newer_python_lesson  # a lesson for a newer Python (#12)

            newer = newer_python_lesson(self, qualname)
            if newer is not None:
                return newer
            raise self.error(f"lesson {qualname!r} not found: {error}") from error
        source_file = inspect.getsourcefile(inspect.unwrap(lesson))
        if source_file:
            self.env.note_dependency(source_file)
        # what this page has shown already (Sphinx clears temp_data for each document)
        page = cast("dict[str, Any]", self.env.temp_data.setdefault("primer_lessons", {}))
        shown: dict[str, str] = page.setdefault("helpers shown", {})

        name = qualname.rsplit(".", 1)[-1]
        _, kind = _key(name)
        kind_class = [f"lesson-{kind}"] if kind else []

        directive = "autoclass" if inspect.isclass(lesson) else "autofunction"
        text = [f".. {directive}:: {qualname}", ""]
        text += [INDENT + line for line in self.content]
        text += ["", f"{INDENT}.. rubric:: Source", "", f"{INDENT}.. code-block:: python", ""]
        text += [INDENT * 2 + line for line in shown_source(lesson).splitlines()]

        helpers = helpers_called(lesson)
        new = [(helper, code, where) for helper, code, where in helpers if helper not in shown]
        earlier = [helper for helper, _, _ in helpers if helper in shown]
        own = [(helper, code) for helper, code, where in new if not where]
        if own:
            text += ["", f"{INDENT}.. rubric:: Helpers it calls", "", INDENT + HELPERS_NOTE]
            text += ["", f"{INDENT}.. code-block:: python", ""]
            for i, (_, code) in enumerate(own):
                text += [""] * (i > 0) * 2
                text += [INDENT * 2 + line for line in code.splitlines()]
        for where in sorted({where for _, _, where in new if where}):
            names = ", ".join(f"``{helper}``" for helper, _, w in new if w == where)
            text += [
                "",
                f"{INDENT}.. rubric:: Support code it calls",
                "",
                f"{INDENT}{names}, from ``{where}``: plumbing of the primer's own, not part of "
                "its API and not a lesson — shown so that nothing the lesson runs is hidden.",
                "",
                f"{INDENT}.. code-block:: python",
                "",
            ]
            codes = [code for _, code, w in new if w == where]
            for i, code in enumerate(codes):
                text += [""] * (i > 0) * 2
                text += [INDENT * 2 + line for line in code.splitlines()]
        for helper, _, _ in new:
            shown[helper] = name
        if earlier:
            said = ", ".join(f"``{helper}`` (with ``{shown[helper]}``)" for helper in earlier)
            text += ["", f"{INDENT}It also calls helpers shown above on this page: {said}."]
        page["helpers counted"] = page.get("helpers counted", 0) + len(new)

        if runs_with_defaults(lesson):
            run = recorded(qualname, lesson, page, kind)
            text += ["", *(INDENT + line if line else "" for line in run)]
        text.append("")

        container = nodes.container(classes=["lesson", *kind_class])
        self.state.nested_parse(StringList(text, source=qualname), self.content_offset, container)
        return [container]


#: The official page of each asyncio submodule, for APIs newer than the local inventory.
ASYNCIO_PAGES = {
    "asyncio.base_events": "asyncio-eventloop",
    "asyncio.events": "asyncio-eventloop",
    "asyncio.exceptions": "asyncio-exceptions",
    "asyncio.futures": "asyncio-future",
    "asyncio.locks": "asyncio-sync",
    "asyncio.queues": "asyncio-queue",
    "asyncio.runners": "asyncio-runner",
    "asyncio.streams": "asyncio-stream",
    "asyncio.subprocess": "asyncio-subprocess",
    "asyncio.taskgroups": "asyncio-task",
    "asyncio.tasks": "asyncio-task",
    "asyncio.timeouts": "asyncio-task",
}


def link_newer_asyncio_apis(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Resolve ``asyncio.X`` (or ``asyncio.X.y``) that the inventory lacks but asyncio has.

    The local inventory is Python 3.11's; newer APIs (``asyncio.Queue.shutdown``, ...) exist in the
    Python that builds the docs. Only names that really exist are linked; anything else still
    fails the nitpicky build.
    """
    target = str(node.get("reftarget", ""))
    if node.get("refdomain") != "py" or not target.startswith("asyncio."):
        return None
    parts = target.split(".")[1:]
    obj: Any = asyncio
    for part in parts:
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    first = getattr(asyncio, parts[0])
    module = getattr(first, "__module__", "") if callable(first) else ""
    if not module and not inspect.ismodule(first):  # a constant: asyncio.FIRST_COMPLETED
        module = next((m for m in ASYNCIO_PAGES if hasattr(sys.modules.get(m), parts[0])), "")
    page = ASYNCIO_PAGES.get(module)
    if page is None:
        return None
    uri = f"https://docs.python.org/3/library/{page}.html#{target}"
    reference = nodes.reference(
        "", "", internal=False, refuri=uri, reftitle=f"(in Python) {target}"
    )
    reference.append(contnode)
    return reference


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("lesson", LessonDirective)
    app.connect("builder-inited", refuse_debug_modes)
    app.connect("autodoc-process-docstring", add_checks_sentence)
    app.connect("missing-reference", link_newer_asyncio_apis)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
