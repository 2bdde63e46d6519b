"""asyncio_primer: learn Python's asyncio from small, typed, tested examples.

Each concept is a module; each module's lessons are listed, in teaching order, in its
``__all__``. Read them in the order of :data:`CONCEPTS`, or import one and await it in
``python -m asyncio``::

    >>> from asyncio_primer.tasks import run_workers
    >>> await run_workers()
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["CONCEPTS", "__version__"]

#: The concept modules, in teaching order.
CONCEPTS: tuple[str, ...] = (
    "coroutines",
    "tasks",
    "awaitables",
    "cancellation",
    "event_loop",
    "async_iteration",
    "errors",
    "context",
    "synchronization",
    "queues",
    "streams",
    "protocols",
    "subprocesses",
    "pitfalls",
    "capstone",
    "benefits",
)

try:
    __version__ = version("asyncio-primer")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0+unknown"
