"""Sphinx extension: pages generated from the lesson code itself.

``.. python-versions::`` lists the lessons that exist only on newer Pythons, found from the
``if sys.version_info >= (3, X):`` gates in the concept modules, with what each needs (the
"Needs Python 3.X (...)" note of its docstring).

``.. api-map::`` lists every :mod:`asyncio` name the lessons use, found in their source
(``asyncio.X`` and ``asyncio.X.y`` attribute chains, names imported from asyncio, and methods
called on an event loop obtained from asyncio), each linked to the official reference and to the
lessons that use it.
"""

from __future__ import annotations

import importlib
import inspect
from collections import defaultdict
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from asyncio_primer._support.lesson_index import NEEDS, all_lessons, asyncio_names, version_gates


def _role(name: str) -> str:
    """A cross-reference role for an asyncio API: the reference resolves it by any object type."""
    return f":py:obj:`{name}`"


class PythonVersionsDirective(SphinxDirective):
    """Table of the lessons gated to a newer Python, generated from the gates."""

    def run(self) -> list[nodes.Node]:
        rows: dict[tuple[int, int], list[str]] = defaultdict(list)
        for concept, name, lesson in all_lessons():
            module = importlib.import_module(f"asyncio_primer.{concept}")
            self.env.note_dependency(inspect.getsourcefile(module) or "")
            gate = version_gates(inspect.getsource(module)).get(name)
            if gate is None:
                continue
            needs = NEEDS.search(inspect.getdoc(lesson) or "")
            what = needs.group(2) if needs else ""
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("python-versions", PythonVersionsDirective)
    app.add_directive("api-map", ApiMapDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
