"""Synchronous lessons that start an event loop of their own, called where one runs (not a lesson).

A few lessons are plain functions that call :func:`asyncio.run` (or drive a loop by hand) the way
the top of a program does. Where a loop already runs in the caller's thread — ``python -m
asyncio``, IPython, a Jupyter notebook, a coroutine — asyncio refuses to start a second one there
("cannot be called from a running event loop"), after the lesson had made its coroutine, which is
then never awaited. Marked with :func:`starts_its_own_loop`, such a lesson runs instead in a worker
thread of its own (where no loop runs), and the caller waits for it, as for any synchronous call:
the caller's loop is blocked meanwhile, which is what a synchronous call in a coroutine does. On
WebAssembly (Pyodide) there are no threads: there it refuses at once with a :exc:`RuntimeError`
that says how to call it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from asyncio_primer._registry import ON_WEBASSEMBLY

__all__ = ["MARKED", "THREAD_NAME", "loop_runs_here", "starts_its_own_loop"]

F = TypeVar("F", bound=Callable[..., Any])

#: The lessons marked with :func:`starts_its_own_loop`, as ``module.name``.
MARKED: set[str] = set()

#: The name of the worker thread a lesson runs in when a loop already runs in the caller's.
THREAD_NAME = "asyncio-primer-own-loop"


def loop_runs_here() -> bool:
    """Whether an event loop is running in this thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def starts_its_own_loop(function: F) -> F:
    """Let the synchronous lesson *function*, which starts its own loop, be called where a loop
    runs: it then runs in a worker thread (or, on WebAssembly, refuses at once)."""
    MARKED.add(f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}")

    @functools.wraps(function)
    def wherever_called(*args: Any, **kwargs: Any) -> Any:
        if not loop_runs_here():
            return function(*args, **kwargs)
        if ON_WEBASSEMBLY:
            raise RuntimeError(
                f"{function.__name__}() starts an event loop of its own, but one already runs in"
                " this thread and WebAssembly has no other thread to run it in: call it from"
                " synchronous code where no loop runs (a plain script, not a coroutine or the"
                " asyncio REPL)"
            )
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=THREAD_NAME) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wherever_called  # type: ignore[return-value]
