"""Find lessons and run them, on real or virtual time, recording what they print.

Support code for the tests, the docs and the command line — not a lesson. Virtual time comes from
:class:`aiotools.VirtualClock`: the loop's clock jumps straight to the next timer instead of
waiting, so a lesson that sleeps 5 s finishes at once, and its elapsed loop time is exactly 5.0.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import io
import math
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

import asyncio_primer
from asyncio_primer._registry import find
from asyncio_primer._registry import lessons as registered_lessons

__all__ = [
    "SCRIPTED",
    "Printed",
    "Run",
    "concept_modules",
    "lessons",
    "needs_real_time",
    "outside_the_web_loop",
    "run_lesson",
    "run_on_virtual_time",
    "runs_with_defaults",
    "virtual_time",
]


T = TypeVar("T")


@dataclass(frozen=True)
class Printed:
    """One line a lesson printed, and when, in seconds since the lesson started."""

    at: float
    text: str


@dataclass
class Run:
    """What running a lesson gave."""

    printed: list[Printed] = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None
    #: Seconds on the loop's clock (``None`` for a lesson that is a plain function).
    elapsed: float | None = None
    virtual: bool = False

    @property
    def lines(self) -> list[str]:
        """The printed lines' text."""
        return [p.text for p in self.printed]


def concept_modules() -> list[ModuleType]:
    """The concept modules, in teaching order."""
    return [importlib.import_module(f"asyncio_primer.{name}") for name in asyncio_primer.CONCEPTS]


def needs_real_time(qualname: str) -> bool:
    """Whether the lesson ``concept.name`` must run on real time (its ``@lesson(real_time=True)``).

    A lesson that waits on real I/O (sockets, subprocesses, sleeping threads) while a timer is
    pending cannot run on a virtual clock: the clock would jump to the timer (a timeout, say) at
    once, before the I/O completes.
    """
    return find(qualname).real_time


def lessons() -> dict[str, Any]:
    """Every lesson on this Python, keyed ``concept.name``, in teaching order (the registry)."""
    return {qualname: facts.obj for qualname, facts in registered_lessons().items()}


def runs_with_defaults(lesson: Any) -> bool:
    """Whether *lesson* can run as it is: a function whose parameters all have defaults.

    (A class, or a function that needs an argument, is run by its callers; the docs record and
    the bench times only lessons that run alone.)
    """
    if not inspect.isfunction(lesson):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in inspect.signature(lesson).parameters.values()
    )


class _LineRecorder(io.TextIOBase):
    """A text stream that splits what is written into lines stamped with *clock*."""

    def __init__(self, clock: Callable[[], float], on_line: Callable[[Printed], None] | None):
        self._clock = clock
        self._on_line = on_line
        self._partial = ""
        self.printed: list[Printed] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            printed = Printed(round(self._clock(), 6), line)
            self.printed.append(printed)
            if self._on_line is not None:
                self._on_line(printed)
        return len(text)

    def flush_partial(self) -> None:
        if self._partial:
            self.write("\n")


@contextlib.contextmanager
def virtual_time() -> Iterator[None]:
    """Put the running loop on virtual time for the duration of the ``with`` block."""
    from aiotools import VirtualClock  # imported late: `import asyncio_primer` stays light

    if not hasattr(asyncio.get_running_loop(), "_selector"):
        raise RuntimeError(
            f"virtual_time() needs a loop with a selector, not {asyncio.get_running_loop()!r}:"
            " on WebAssembly, run the coroutine with run_on_virtual_time()"
        )
    # The virtual clock starts at 0.0, so that differences of loop times are exact (5.0, not
    # 4.999999999999545 as they would be from a large start).
    loop = asyncio.get_running_loop()

    class PatientClock(VirtualClock):  # type: ignore[misc]  # aiotools is not type-checked
        # aiotools polls with a zero timeout even when no timer is due (timeout None): a loop that
        # waits only for a file (a worker process's result, a thread's wake-up, a child's pipe)
        # then spins a core until it comes (100,000 loop steps for one process-pool lesson).
        # With no timer due, the virtual clock has nothing to jump to: wait for the file for real.
        def _virtual_select(self, orig_select: Any, timeout: float | None) -> Any:
            if timeout is None:
                return orig_select(None)
            return super()._virtual_select(orig_select, timeout)

    try:
        with PatientClock().patch_loop():
            yield
    finally:
        # In debug mode asyncio times each loop step and logs one slower than the loop's
        # slow_callback_duration. The step that leaves this block starts on the virtual clock
        # and ends on the real one: it would be logged as "Executing <Task ...> took 5174
        # seconds". No step counts as slow until the next one, which restores the limit. (A
        # loop that is closed, or not running, times no step.)
        if loop.is_running():
            limit = loop.slow_callback_duration
            loop.slow_callback_duration = math.inf
            loop.call_soon(setattr, loop, "slow_callback_duration", limit)


#: CPython on WebAssembly (Pyodide): its event loop, a ``WebLoop`` on the browser's (or Node's)
#: timers, counts as running all the time, and has no selector for the virtual clock to drive.
ON_WEBASSEMBLY = sys.platform == "emscripten"

if sys.version_info >= (3, 12):  # Pyodide's Pythons are newer (3.14, 3.15)
    import selectors

    if sys.version_info >= (3, 14):  # the policy system is deprecated: its quiet names
        from asyncio.events import _BaseDefaultEventLoopPolicy as _BasePolicy
        from asyncio.events import _get_event_loop_policy as _get_policy
        from asyncio.events import _set_event_loop_policy as _set_policy
    else:
        from asyncio import DefaultEventLoopPolicy as _BasePolicy
        from asyncio import get_event_loop_policy as _get_policy
        from asyncio import set_event_loop_policy as _set_policy

    class _WaitingSelector(selectors.SelectSelector):
        """A selector that, with no file to watch, simply waits out the timeout.

        On WebAssembly nothing else can wake a loop: there are no threads, signals or sockets.
        """

        def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
            if self.get_map():
                return super().select(timeout)
            if timeout is None:
                raise RuntimeError("the event loop would wait forever: nothing is scheduled")
            if timeout > 0:
                time.sleep(timeout)
            return []

    class _WebAssemblyLoop(asyncio.SelectorEventLoop):
        """asyncio's own selector loop, for WebAssembly: no self-pipe (a socketpair, which it
        cannot make; it only wakes the loop from another thread or a signal handler), and a
        selector that waits out its timeout. The virtual clock can drive it like any other."""

        def __init__(self) -> None:
            super().__init__(_WaitingSelector())

        def _make_self_pipe(self) -> None:
            self._ssock = self._csock = None

        def _close_self_pipe(self) -> None:
            pass

        def _write_to_self(self) -> None:
            pass

    class _WebAssemblyPolicy(_BasePolicy):
        _loop_factory = _WebAssemblyLoop


_OUTSIDE: list[bool] = []


@contextlib.contextmanager
def outside_the_web_loop() -> Iterator[None]:
    """Inside the block, asyncio makes and runs its loops as on any other platform.

    It does nothing except on WebAssembly (Pyodide), where the block unsets Pyodide's
    always-running ``WebLoop`` and its loop policy, and puts them back after. There,
    :func:`asyncio.run` (and :func:`asyncio.new_event_loop`, :class:`asyncio.Runner`) would
    otherwise run everything on that one loop, never closed, with none of the clean-up that
    ``asyncio.run`` does (cancelling leftover tasks, closing async generators); inside, they make
    a fresh :class:`asyncio.SelectorEventLoop` (as on Linux) and close it after.
    """
    if sys.version_info >= (3, 12) and ON_WEBASSEMBLY and not _OUTSIDE:
        web_loop = asyncio.events._get_running_loop()
        web_policy = _get_policy()
        asyncio.events._set_running_loop(None)
        _set_policy(_WebAssemblyPolicy())
        _OUTSIDE.append(True)
        try:
            yield
        finally:
            _OUTSIDE.pop()
            _set_policy(web_policy)
            asyncio.events._set_running_loop(web_loop)
    else:
        yield


def _run(main: Coroutine[Any, Any, T], *, debug: bool | None = None) -> T:
    """:func:`asyncio.run`, on a fresh loop that the virtual clock can drive, everywhere."""
    with outside_the_web_loop():
        return asyncio.run(main, debug=debug)


#: Seconds of loop time that lessons scripted in this process, run on virtual time, and how many
#: runs that was; the test suite reports them against its wall time.
SCRIPTED = {"seconds": 0.0, "runs": 0}


def _count_scripted(seconds: float) -> None:
    SCRIPTED["seconds"] += seconds
    SCRIPTED["runs"] += 1


def run_on_virtual_time(main: Coroutine[Any, Any, T], *, debug: bool | None = None) -> T:
    """Like :func:`asyncio.run`, but the loop runs on virtual time (see :func:`virtual_time`)."""

    async def on_virtual_time() -> T:
        with virtual_time():
            loop = asyncio.get_running_loop()
            start = loop.time()
            try:
                return await main
            finally:
                _count_scripted(loop.time() - start)

    return _run(on_virtual_time(), debug=debug)


def run_lesson(
    lesson: Callable[..., Any],
    *args: Any,
    virtual: bool = True,
    on_line: Callable[[Printed], None] | None = None,
    setup: Callable[[asyncio.AbstractEventLoop], contextlib.AbstractContextManager[Any]]
    | None = None,
    **kwargs: Any,
) -> Run:
    """Run *lesson* with *args* in a fresh event loop and record what it prints.

    A coroutine function runs under :func:`asyncio.run`, on virtual time unless *virtual* is
    false; a plain function (one that calls :func:`asyncio.run` itself) is simply called. An
    exception the lesson raises is recorded in :attr:`Run.error`, not raised. *setup*, given the
    running loop, returns a context manager that wraps the lesson's run (the tracer uses it).
    """
    run = Run(virtual=virtual and inspect.iscoroutinefunction(lesson))

    if not inspect.iscoroutinefunction(lesson):
        start = time.monotonic()
        recorder = _LineRecorder(lambda: time.monotonic() - start, on_line)
        with contextlib.redirect_stdout(recorder), outside_the_web_loop():
            try:
                run.result = lesson(*args, **kwargs)
            except Exception as error:
                run.error = error
            recorder.flush_partial()
        run.printed = recorder.printed
        return run

    async def main() -> None:
        loop = asyncio.get_running_loop()
        with contextlib.ExitStack() as stack:
            if run.virtual:
                stack.enter_context(virtual_time())
            if setup is not None:
                stack.enter_context(setup(loop))
            start = loop.time()
            recorder = _LineRecorder(lambda: loop.time() - start, on_line)
            stack.enter_context(contextlib.redirect_stdout(recorder))
            coroutine: Awaitable[Any] = lesson(*args, **kwargs)
            try:
                run.result = await coroutine
            except Exception as error:
                run.error = error
            run.elapsed = round(loop.time() - start, 6)
            if run.virtual:
                _count_scripted(run.elapsed)
            recorder.flush_partial()
            run.printed = recorder.printed

    _run(main())
    return run
