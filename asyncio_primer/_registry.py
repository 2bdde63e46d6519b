"""The lesson registry: every lesson declares its facts once, where it is defined (not a lesson).

A concept module marks each public lesson with :func:`lesson`, in teaching order, and ends with
``__all__ = exported(__name__)``::

    @lesson(delay=check_delay)
    async def delayed_greet(delay: float = 2.0) -> None: ...

    @lesson(real_time=True, needs={"sockets"}, timeout=check_timeout)
    async def echo_over_tcp(...) -> list[str]: ...

Everything else reads the facts from here: the modules' ``__all__``, the command line's list, the
docs (which lessons get a recorded run, on which clock, and a Run button), the versions page and the
API map, and the tests' skips. The Python version a lesson needs is not declared a second time: it
is read from the ``if sys.version_info >= (3, X):`` block that defines the lesson (the block is
what lets mypy check each version's code), so the registry knows a gated lesson even on a Python
where it does not exist, and can say "needs Python 3.11" instead of "no such lesson".
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "NEEDS",
    "ON_WEBASSEMBLY",
    "Check",
    "Lesson",
    "exported",
    "find",
    "gated",
    "lesson",
    "lessons",
    "missing_features",
    "unavailable_reason",
    "version_gates",
]

#: What a lesson may need from the platform, beyond a running event loop.
NEEDS = frozenset({"threads", "processes", "subprocesses", "sockets", "signals"})

#: CPython on WebAssembly (Pyodide: the py314/py315 test envs and the docs' Run buttons) has none
#: of :data:`NEEDS`: no threads, no child processes, no real sockets, no signal handlers.
ON_WEBASSEMBLY = sys.platform == "emscripten"
_MISSING_HERE: frozenset[str] = NEEDS if ON_WEBASSEMBLY else frozenset()
if sys.platform == "win32":  # pragma: no cover - the matrix runs on Linux
    _MISSING_HERE = frozenset({"signals"})  # loop.add_signal_handler is Unix only

#: An argument check: ``check(value, name)`` raises :exc:`TypeError` or :exc:`ValueError` whose
#: message starts with *name* and shows the bad value (see :mod:`asyncio_primer._validate`).
Check = Callable[[Any, str], object]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Lesson:
    """The facts of one lesson."""

    concept: str
    name: str
    #: The function or class, as its concept module exports it.
    obj: Any
    #: It waits on real I/O (a socket, a child process, a thread that sleeps) while a timer is
    #: pending, so it cannot run on a virtual clock, which would jump straight to the timer.
    real_time: bool = False
    #: What it needs from the platform: a subset of :data:`NEEDS`.
    needs: frozenset[str] = frozenset()
    #: Its argument checks, by parameter name, run before its body.
    checks: Mapping[str, Check] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        """``concept.name``, as the command line and the tests name it."""
        return f"{self.concept}.{self.name}"

    @property
    def python(self) -> tuple[int, int]:
        """The oldest Python that has this lesson (from its version gate; 3.9 without one)."""
        return _gates(self.concept).get(self.name, (3, 9))

    @property
    def runs_in_browser(self) -> bool:
        """Whether it can run on CPython for WebAssembly (Pyodide), e.g. in a web page."""
        return not self.needs

    def unavailable_reason(self) -> str | None:
        """Why this lesson cannot run on this platform, or ``None`` if it can."""
        return missing_features(self.needs)


_REGISTERED: dict[str, dict[str, Lesson]] = {}


def lesson(
    *,
    real_time: bool = False,
    needs: Collection[str] = (),
    concept: str | None = None,
    **checks: Check,
) -> Callable[[F], F]:
    """Register the decorated function or class as a lesson of its concept module.

    :param real_time: it waits on real I/O while a timer is pending (see :attr:`Lesson.real_time`).
    :param needs: what it needs from the platform, from :data:`NEEDS`.
    :param concept: its concept, for a lesson defined outside its concept module.
    :param checks: ``parameter=check``: checks run on the arguments the caller passed before the
        lesson's body runs (for a coroutine function, when it is awaited, as its own first lines
        would), so that bad input fails at once with a message naming it.
    """
    missing_features(needs)  # refuses anything not in NEEDS

    def register(obj: F) -> F:
        module = obj.__module__.rsplit(".", 1)[-1]
        name = obj.__name__
        if any(obj is facts.obj for facts in _REGISTERED.get(concept or module, {}).values()):
            raise TypeError(f"{obj.__qualname__} has @lesson twice: declare its facts once")
        registered = _with_checks(obj, checks) if checks else obj
        facts = Lesson(concept or module, name, registered, real_time, frozenset(needs), checks)
        _REGISTERED.setdefault(facts.concept, {})[name] = facts
        return registered

    return register


def _with_checks(function: F, checks: Mapping[str, Check]) -> F:
    """*function*, wrapped to run *checks* on the arguments it is given before its body."""
    signature = inspect.signature(function)
    unknown = set(checks) - set(signature.parameters)
    if unknown:
        raise TypeError(f"{function.__qualname__} has no parameter {sorted(unknown)}")

    def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        for name, value in signature.bind(*args, **kwargs).arguments.items():
            if name in checks:
                checks[name](value, name)

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def checked_coroutine(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            return await function(*args, **kwargs)

        return checked_coroutine  # type: ignore[return-value]

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(args, kwargs)
        return function(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _concepts() -> tuple[str, ...]:
    from asyncio_primer import CONCEPTS

    return CONCEPTS


def _import(concept: str) -> None:
    importlib.import_module(f"asyncio_primer.{concept}")


@functools.cache
def _source_order(concept: str) -> dict[str, int]:
    """Where each name is bound in the concept module's source (lessons imported from elsewhere
    take the place of their import)."""
    module = sys.modules[f"asyncio_primer.{concept}"]
    order: dict[str, int] = {}
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            order.setdefault(node.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                order.setdefault(alias.asname or alias.name, node.lineno)
    return order


def exported(module_name: str) -> list[str]:
    """The names of a concept module's lessons, in teaching order: its ``__all__``."""
    concept = module_name.rsplit(".", 1)[-1]
    module = sys.modules[module_name]
    order = _source_order(concept)
    names = [n for n in _REGISTERED.get(concept, {}) if n in vars(module)]
    return sorted(names, key=lambda n: order.get(n, 0))


def lessons(concept: str | None = None) -> dict[str, Lesson]:
    """The lessons on this Python, keyed ``concept.name``, in teaching order."""
    return dict(_lessons(concept))  # a copy: the caller may change it


@functools.cache
def _lessons(concept: str | None) -> dict[str, Lesson]:
    # Computed once per concept: every lesson registers when its module is imported, which
    # this does first, and a suite asks for the lessons about 1,500 times.
    found: dict[str, Lesson] = {}
    for name in _concepts() if concept is None else (concept,):
        _import(name)
        registered = _REGISTERED.get(name, {})
        for lesson_name in exported(f"asyncio_primer.{name}"):
            found[f"{name}.{lesson_name}"] = registered[lesson_name]
    return found


def version_gates(module_source: str) -> dict[str, tuple[int, int]]:
    """Map each name bound inside an ``if sys.version_info >= (3, X):`` block to ``(3, X)``."""
    gates: dict[str, tuple[int, int]] = {}
    for node in ast.walk(ast.parse(module_source)):
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if not (
            isinstance(test, ast.Compare)
            and ast.unparse(test.left) == "sys.version_info"
            and isinstance(test.ops[0], ast.GtE)
            and isinstance(test.comparators[0], ast.Tuple)
        ):
            continue
        major, minor = (ast.literal_eval(e) for e in test.comparators[0].elts[:2])
        for name in _bound_names(node.body):
            gates[name] = (major, minor)
    return gates


def _bound_names(statements: list[ast.stmt]) -> Iterator[str]:
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield statement.name
        elif isinstance(statement, ast.ImportFrom):
            yield from (alias.asname or alias.name for alias in statement.names)


@functools.cache
def _gates(concept: str) -> dict[str, tuple[int, int]]:
    _import(concept)
    return version_gates(inspect.getsource(sys.modules[f"asyncio_primer.{concept}"]))


def gated() -> dict[str, tuple[int, int]]:
    """Every version-gated lesson, ``concept.name`` -> ``(3, X)``, on this Python or not."""
    found: dict[str, tuple[int, int]] = {}
    for concept in _concepts():
        for name, version in _gates(concept).items():
            if not name.startswith("_"):
                found[f"{concept}.{name}"] = version
    return found


def missing_features(needs: Collection[str]) -> str | None:
    """What of *needs* (from :data:`NEEDS`) this platform lacks, as a sentence, or ``None``."""
    unknown = set(needs) - NEEDS
    if unknown:
        raise ValueError(f"needs must be a subset of {sorted(NEEDS)}, got {sorted(unknown)}")
    missing = set(needs) & _MISSING_HERE
    if not missing:
        return None
    where = "WebAssembly (Pyodide)" if ON_WEBASSEMBLY else sys.platform
    return f"needs {' and '.join(sorted(missing))}, which {where} does not have"


def find(qualname: str) -> Lesson:
    """The lesson ``concept.name``.

    :raises LookupError: saying "needs Python 3.X" for a lesson this Python is too old for, or
        that there is no such lesson.
    """
    found = lessons().get(qualname)
    if found is not None:
        return found
    version = gated().get(qualname)
    if version is not None:
        raise LookupError(
            f"{qualname} needs Python {version[0]}.{version[1]}; this is Python "
            f"{sys.version_info[0]}.{sys.version_info[1]}"
        )
    raise LookupError(f"no lesson named {qualname!r} (asyncio-primer list shows them all)")


def unavailable_reason(qualname: str) -> str | None:
    """Why the lesson ``concept.name`` cannot run here (Python version or platform), or ``None``."""
    try:
        return find(qualname).unavailable_reason()
    except LookupError as error:
        return str(error)
