"""Sphinx extension: the ``lesson`` directive, and links for asyncio APIs newer than the inventory.

``.. lesson:: asyncio_primer.tasks.run_workers`` renders, for one lesson: its signature with
types and its docstring (autodoc), its source, and what it printed when the docs build ran it on
virtual time, each line stamped with the loop time at which it was printed.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from asyncio_primer._support.runner import Run, run_lesson

INDENT = "   "


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


def output_lines(run: Run) -> list[str]:
    """The run as text: stamped printed lines, then the outcome."""
    lines = [f"[{p.at:7.3f} s] {p.text}" for p in run.printed]
    if run.error is not None:
        lines.append(f"raised {run.error!r}")
    elif run.result is not None:
        lines.append(f"returned {run.result!r}")
    if run.elapsed is not None:
        clock = "virtual time" if run.virtual else "real time"
        lines.append(f"took {run.elapsed:g} s on the loop's clock ({clock})")
    return lines or ["(prints nothing)"]


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
        text += [INDENT * 2 + line for line in inspect.getsource(lesson).splitlines()]
        if runnable(lesson):
            run = run_lesson(lesson)
            text += ["", f"{INDENT}.. rubric:: Output", "", f"{INDENT}.. code-block:: text", ""]
            text += [INDENT * 2 + line for line in output_lines(run)]
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
    module = getattr(getattr(asyncio, parts[0]), "__module__", "")
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
