"""Facts about the lessons read from their own source: version gates and the asyncio APIs used.

Support code (not a lesson) for the docs' generated pages ("What changed between Python versions",
the API map) and their tests.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from typing import Any

from asyncio_primer._registry import lessons, version_gates

__all__ = [
    "NEEDS",
    "all_lessons",
    "asyncio_names",
    "source_without_docstring",
    "version_gates",
]

NEEDS = re.compile(r"Needs Python (3\.\d+)\s*\(([^)]*)\)")
LOOP_FACTORIES = {"get_running_loop", "get_event_loop", "new_event_loop"}


def all_lessons() -> list[tuple[str, str, Any]]:
    """``(concept, name, object)`` for every lesson on this Python, in teaching order."""
    return [(facts.concept, facts.name, facts.obj) for facts in lessons().values()]


def asyncio_names(source: str) -> set[str]:
    """The asyncio APIs a piece of source uses (see the module docstring)."""
    tree = ast.parse(textwrap.dedent(source))
    imported: dict[str, str] = {}
    loops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "asyncio":
            for alias in node.names:
                imported[alias.asname or alias.name] = f"asyncio.{alias.name}"
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            called = ast.unparse(node.value.func)
            if called.rsplit(".", 1)[-1] in LOOP_FACTORIES and called.startswith("asyncio."):
                loops.update(t.id for t in node.targets if isinstance(t, ast.Name))
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = ast.unparse(node)
            parts = chain.split(".")
            if parts[0] == "asyncio" and len(parts) >= 2 and "(" not in chain:
                used.add(".".join(parts[:3]))
            elif parts[0] in loops and len(parts) == 2:
                used.add(f"asyncio.loop.{parts[1]}")
        elif isinstance(node, ast.Name) and node.id in imported:
            used.add(imported[node.id])
    return {name for name in used if _exists(name)}


def _exists(dotted: str) -> bool:
    """Whether ``asyncio.X[.y]`` is a real attribute chain (``asyncio.loop.*`` are loop methods)."""
    parts = dotted.split(".")
    obj: Any = importlib.import_module("asyncio")
    if parts[1] == "loop":
        obj = importlib.import_module("asyncio").AbstractEventLoop
        parts = parts[1:]
    for part in parts[1:]:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    # Keep APIs (classes, functions, methods, constants), not submodules reached by accident.
    return not inspect.ismodule(obj)


def source_without_docstring(source: str) -> str:
    """*source* of a function or class, its docstring left out (shown beside it already)."""
    tree = ast.parse(source)
    definition = tree.body[0]
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return source
    first = definition.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        return source
    lines = source.splitlines()
    assert first.end_lineno is not None
    del lines[first.lineno - 1 : first.end_lineno]
    return "\n".join(lines) + "\n"
