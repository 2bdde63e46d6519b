"""Sphinx extension: pages generated from the lesson code itself.

``.. python-versions::`` lists the lessons that exist only on newer Pythons, found from the
``if sys.version_info >= (3, X):`` gates in the concept modules, with what each needs (the
"Needs Python 3.X (...)" note of its docstring).

``.. python-changes::`` lists the behaviour changes a reader trips over, each with its Python,
its upstream reference, the test that shows the old and the new behaviour and the lesson that
teaches it: generated from :data:`asyncio_primer._support.changes.CHANGES`.
``.. python-matrix::`` lists the Pythons the primer covers, how each is tested and which reached
its end of life (:data:`~asyncio_primer._support.changes.PYTHONS`).

A lesson for a Python newer than the one building the docs cannot be imported here:
:func:`newer_python_lesson` renders it from its source (signature, docstring, source) and says
where its output comes from. Links to asyncio APIs newer than that Python go to the official
reference through :data:`~asyncio_primer._support.changes.NEWER_APIS`.

``.. api-map::`` lists every :mod:`asyncio` name the lessons use, found in their source
(``asyncio.X`` and ``asyncio.X.y`` attribute chains, names imported from asyncio, and methods
called on an event loop obtained from asyncio), each linked to the official reference and to the
lessons that use it.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import platform
import sys
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

import asyncio_primer
from asyncio_primer._registry import gated
from asyncio_primer._support.changes import CHANGES, NEWER_APIS, PYTHONS
from asyncio_primer._support.lesson_index import (
    NEEDS,
    all_lessons,
    asyncio_names,
    source_without_docstring,
)

HERE = f"{platform.python_implementation()} {platform.python_version()}"
PACKAGE = Path(asyncio_primer.__file__).parent
#: Where the lessons for a newer Python were run, for the note under each.
RECORDED_ON = {
    (3, 14): "the ``py314`` and ``py315`` test envs, CPython 3.14.2 and 3.15.0rc1 on WebAssembly",
    (3, 15): "the ``py315`` test env, CPython 3.15.0rc1 on WebAssembly",
}


#: Deprecated asyncio APIs a lesson shows, which the local inventory lacks: where they are said
#: to be deprecated.
DEPRECATED_APIS = {
    "asyncio.iscoroutinefunction": "https://docs.python.org/3/whatsnew/3.14.html#deprecated",
}


def _definition(qualname: str) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, str] | None:
    """The ``def`` of a lesson in its module's source (on this Python or not), and the source."""
    concept, name = qualname.split(".")
    source = (PACKAGE / f"{concept}.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node, source
    return None


def _docstring(qualname: str) -> str:
    """A lesson's docstring, read from its source (it may not exist on this Python)."""
    found = _definition(qualname)
    return (ast.get_docstring(found[0]) or "") if found else ""


def recorded_by() -> str:
    """The caption under a recorded output: which interpreter produced it."""
    return (
        f"Recorded on {HERE}, on virtual time, when these pages were built; the tests check"
        " it on every Python in the matrix that has the lesson."
    )


def newer_python_lesson(directive: SphinxDirective, qualname: str) -> list[nodes.Node] | None:
    """Document a lesson for a Python newer than this one from its source, or ``None`` if
    *qualname* (``asyncio_primer.concept.name``) is no such lesson.

    Its signature (without annotations, which name types this Python may lack), docstring and
    source, and a note that this build did not run it: its example shows the output, which the
    tests check on the interpreters that have it.
    """
    short = qualname.removeprefix("asyncio_primer.")
    version = gated().get(short)
    found = _definition(short)
    if version is None or found is None or sys.version_info >= version:
        return None
    node, source = found
    concept, name = short.split(".")
    directive.env.note_dependency(str(PACKAGE / f"{concept}.py"))
    arguments = copy.deepcopy(node.args)
    for argument in [*arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
        if argument is not None:
            argument.annotation = None
    code = ast.get_source_segment(source, node) or ""
    code = source_without_docstring(textwrap.dedent(" " * node.col_offset + code))
    doc = ast.get_docstring(node) or ""
    where = RECORDED_ON.get(version, f"CPython {version[0]}.{version[1]}")
    ran = f"{version[0]}.{version[1]}"
    indent = "   "
    text = [
        f".. py:function:: {name}({ast.unparse(arguments)})",
        f"{indent}:module: asyncio_primer.{concept}",
    ]
    if isinstance(node, ast.AsyncFunctionDef):
        text.append(f"{indent}:async:")
    text += ["", *(indent + line if line else "" for line in doc.splitlines())]
    text += ["", f"{indent}.. rubric:: Source", "", f"{indent}.. code-block:: python", ""]
    text += [indent * 2 + line if line else "" for line in code.splitlines()]
    text += ["", f"{indent}.. rubric:: Output", ""]
    record_file = Path(directive.env.srcdir) / "recorded" / f"{short}.json"
    if record_file.is_file():
        directive.env.note_dependency(str(record_file))
        record = json.loads(record_file.read_text(encoding="utf-8"))
        text += [f"{indent}.. code-block:: text", ""]
        text += [indent * 2 + line for line in record["output"]]
        said = (
            f"Recorded on {record['interpreter']}, not when these pages were built: the lesson"
            f" needs Python {ran} and the pages were built on {HERE}. The tests check this"
            f" output on every run there ({where}; ``tests/test_recorded_newer.py``), task ids"
            " and line numbers aside."
        )
    else:
        said = (
            f"Not run when these pages were built: the lesson needs Python {ran} and the"
            f" pages were built on {HERE}. The example above shows its output as recorded on"
            f" {where}, where the tests check it exactly (ids and paths differ from run to run)."
        )
    text += ["", f"{indent}.. rst-class:: lesson-recorded", "", indent + said, ""]
    container = nodes.container(classes=["lesson", "lesson-newer-python"])
    directive.state.nested_parse(
        StringList(text, source=qualname), directive.content_offset, container
    )
    return [container]


def link_newer_apis(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Link asyncio APIs newer than the Python building the docs (:data:`NEWER_APIS`)."""
    target = str(node.get("reftarget", ""))
    if node.get("refdomain") != "py":
        return None
    if target in DEPRECATED_APIS:
        uri = DEPRECATED_APIS[target]
    elif target in NEWER_APIS:
        uri = f"https://docs.python.org/3/library/{NEWER_APIS[target]}.html#{target}"
    else:
        return None
    reference = nodes.reference(
        "", "", internal=False, refuri=uri, reftitle=f"(in Python) {target}"
    )
    reference.append(contnode)
    return reference


def _role(name: str) -> str:
    """A cross-reference role for an asyncio API: the reference resolves it by any object type."""
    return f":py:obj:`{name}`"


class PythonVersionsDirective(SphinxDirective):
    """Table of the lessons gated to a newer Python, generated from the gates (on this Python or
    not: a gated lesson is read from its source)."""

    def run(self) -> list[nodes.Node]:
        rows: dict[tuple[int, int], list[str]] = defaultdict(list)
        for qualname, gate in gated().items():
            concept, name = qualname.split(".")
            self.env.note_dependency(str(PACKAGE / f"{concept}.py"))
            needs = NEEDS.search(_docstring(qualname))
            what = " ".join(needs.group(2).split()) if needs else ""
            rows[gate].append(
                f"     - :doc:`{concept}`\n     - :py:obj:`~asyncio_primer.{concept}.{name}`\n"
                f"     - {what}"
            )
        text = [".. list-table::", "   :header-rows: 1", "", "   * - Python", "     - Concept"]
        text += ["     - Lesson", "     - What it needs", ""]
        for (major, minor), entries in sorted(rows.items()):
            for entry in entries:
                text.append(f"   * - {major}.{minor}")
                text.extend(entry.splitlines())
        return self._parse(text)

    def _parse(self, text: list[str]) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(
            StringList(text, source="generated"), self.content_offset, container
        )
        return list(container.children)


class ApiMapDirective(PythonVersionsDirective):
    """Table of every asyncio API the lessons use, with the lessons that use it."""

    def run(self) -> list[nodes.Node]:
        users: dict[str, list[str]] = defaultdict(list)
        for concept, name, lesson in all_lessons():
            for api in asyncio_names(inspect.getsource(lesson)):
                users[api].append(f":py:obj:`~asyncio_primer.{concept}.{name}`")
        for qualname, gate in gated().items():  # lessons for a newer Python, from their source
            found = _definition(qualname)
            if sys.version_info >= gate or found is None:
                continue
            code = ast.get_source_segment(found[1], found[0]) or ""
            newer = {api for api in NEWER_APIS if api.rsplit(".", 1)[-1] + "(" in code}
            for api in asyncio_names(textwrap.dedent(" " * found[0].col_offset + code)) | newer:
                users[api].append(f":py:obj:`~asyncio_primer.{qualname}`")
        self.env.note_reread()
        text = [
            f"The lessons use **{len(users)}** asyncio APIs.",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 2 5",
            "",
            "   * - asyncio API",
            "     - Lessons that use it",
        ]
        for api in sorted(users, key=str.lower):
            text.append(f"   * - {_role(api)}")
            text.append(f"     - {', '.join(users[api])}")
        return self._parse(text)


class PythonChangesDirective(PythonVersionsDirective):
    """Table of the behaviour changes, generated from :data:`CHANGES`."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(PACKAGE / "_support" / "changes.py"))
        text = [".. list-table::", "   :header-rows: 1", "   :widths: 1 6 2 3", ""]
        text += ["   * - Python", "     - What changed", "     - Upstream", "     - Shown by"]
        for change in CHANGES:
            major, minor = change.python
            shown = f"test ``{change.test}``"
            if change.lesson:
                shown += f"; lesson :py:obj:`~asyncio_primer.{change.lesson}`"
            text += [
                f"   * - {major}.{minor}",
                f"     - {change.title}",
                f"     - `{change.reference} <{change.url}>`__",
                f"     - {shown}",
            ]
        return self._parse(text)


class PythonMatrixDirective(PythonVersionsDirective):
    """Table of the Pythons the primer covers, how each is tested, which reached end of life."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(PACKAGE / "_support" / "changes.py"))
        text = [".. list-table::", "   :header-rows: 1", ""]
        text += ["   * - Python", "     - Tested on", "     - Status"]
        for python in PYTHONS:
            major, minor = python.version
            status = (
                f"**end of life** since {python.end_of_life}: no more fixes upstream"
                if python.end_of_life
                else "supported"
            )
            text += [f"   * - {major}.{minor}", f"     - {python.tested}", f"     - {status}"]
        return self._parse(text)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("python-versions", PythonVersionsDirective)
    app.add_directive("python-changes", PythonChangesDirective)
    app.add_directive("python-matrix", PythonMatrixDirective)
    app.connect("missing-reference", link_newer_apis)
    app.add_directive("api-map", ApiMapDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
