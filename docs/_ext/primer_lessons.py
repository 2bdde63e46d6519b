"""Sphinx extension: the ``lesson`` directive, and links for asyncio APIs newer than the inventory.

``.. lesson:: asyncio_primer.tasks.run_workers`` renders, for one lesson: its signature with
types and its docstring (autodoc), its source, and what it printed when the docs build ran it on
virtual time (on real time for the lessons its module lists in ``REAL_TIME_LESSONS``), each line
stamped with the loop time at which it was printed. A lesson that runs more than one task also
gets a timeline of that same run: an inline SVG with one bar per task on the same time axis as the
stamps, drawn in ``currentColor`` so that it reads in furo's light and dark modes.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import textwrap
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from asyncio_primer._support.lesson_index import source_without_docstring
from asyncio_primer._support.runner import needs_real_time
from asyncio_primer._support.timeline import output_lines, svg
from asyncio_primer._support.tracer import trace_lesson

INDENT = "   "
TIMELINE_CAPTION = (
    "The same run, task by task: a bar runs from a task's first step to its end, on the loop's "
    "clock in the seconds of the output above; a dot is a line it printed (point at it to read "
    "it). The top line is the lesson's own coroutine."
)


def resolve(qualname: str) -> Any:
    """Import ``package.module.name`` and return the object."""
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def runnable(lesson: Any) -> bool:
    """Whether the docs can run *lesson* as it is: a function whose parameters all have defaults."""
    if not inspect.isfunction(lesson):
        return False
    parameters = inspect.signature(lesson).parameters.values()
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters
    )


def recorded(qualname: str, lesson: Any) -> list[str]:
    """reST for one run of *lesson* with its defaults: its output, and its tasks' timeline.

    The run is on virtual time, unless the lesson's module lists it in ``REAL_TIME_LESSONS``.
    The timeline (inline SVG) is there when the lesson runs more than one task.
    """
    virtual = not needs_real_time(qualname.removeprefix("asyncio_primer."))
    trace = trace_lesson(lesson, virtual=virtual)
    text = [".. rubric:: Output", "", ".. code-block:: text", ""]
    text += [INDENT + line for line in output_lines(trace.run)]
    if trace.concurrent:
        text += ["", ".. rubric:: Timeline", "", TIMELINE_CAPTION, "", ".. raw:: html", ""]
        text += [INDENT + line for line in svg(trace).splitlines()]
    return text


class LessonDirective(SphinxDirective):
    """Document one lesson: autodoc entry, source, recorded output."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        qualname = self.arguments[0]
        try:
            lesson = resolve(qualname)
        except (ImportError, AttributeError) as error:
            raise self.error(f"lesson {qualname!r} not found: {error}") from error
        source_file = inspect.getsourcefile(lesson)
        if source_file:
            self.env.note_dependency(source_file)

        kind = "autoclass" if inspect.isclass(lesson) else "autofunction"
        text = [f".. {kind}:: {qualname}", ""]
        text += [INDENT + line for line in self.content]
        text += ["", f"{INDENT}.. rubric:: Source", "", f"{INDENT}.. code-block:: python", ""]
        source = source_without_docstring(textwrap.dedent(inspect.getsource(lesson)))
        text += [INDENT * 2 + line for line in source.splitlines()]
        if runnable(lesson):
            text += ["", *(INDENT + line if line else "" for line in recorded(qualname, lesson))]
        text.append("")

        container = nodes.container(classes=["lesson"])
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
    app.connect("missing-reference", link_newer_asyncio_apis)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
