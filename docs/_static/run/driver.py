"""Run one lesson call in the reader's browser (Pyodide), traced, printing live.

Loaded by ``run.js`` into Pyodide after the project's wheel is installed; not part of the
package. :func:`start` runs the reader's call (``await run_workers()``, edited or not) as a task
on Pyodide's browser event loop, on real time: every printed line goes to JavaScript as it is
printed, the tasks are traced with the project's own :class:`~asyncio_primer._support.tracer.Tracer`
and drawn with :func:`~asyncio_primer._support.timeline.svg`, as the static timelines are, and
:meth:`Session.cancel` cancels the run (the Stop button).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import importlib
import inspect
import io
import json
import linecache
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from asyncio_primer._support.runner import Printed, Run
from asyncio_primer._support.timeline import svg
from asyncio_primer._support.tracer import Trace, Tracer

#: The file name the reader's code runs under (tracebacks show its lines from linecache).
FILENAME = "<run>"
_RESULT = "_primer_run_result_"


class _Lines(io.TextIOBase):
    """A text stream that hands each complete line to *emit*, stamped with *clock*."""

    def __init__(self, clock: Callable[[], float], emit: Callable[[str, float], None]) -> None:
        self._clock = clock
        self._emit = emit
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self._emit(line, round(self._clock(), 6))
        return len(text)

    def flush_partial(self) -> None:
        if self._partial:
            self.write("\n")


def _compile(source: str) -> Any:
    """Compile the reader's code; the value of a last expression is kept, as in a REPL."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(source, FILENAME, "exec", flags=flags)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        target = ast.Name(id=_RESULT, ctx=ast.Store())
        tree.body[-1] = ast.copy_location(ast.Assign(targets=[target], value=last.value), last)
        ast.fix_missing_locations(tree)
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    return compile(tree, FILENAME, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def _format(error: BaseException) -> str:
    """The exception as Python prints it, from the reader's code down (not this driver)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


class Session:
    """One run of the reader's code: its task, its trace, its printed lines."""

    def __init__(self, module: str, lesson: str, source: str, js: Any) -> None:
        self.js = js
        self.lesson = lesson
        self.loop = asyncio.get_event_loop()
        try:  # watch_loop: shade the periods in which a blocking call held the loop
            self.tracer = Tracer(watch_loop=True)  # type: ignore[call-arg, unused-ignore]
        except TypeError:  # a tracer without the loop watcher
            self.tracer = Tracer()
        self.printed: list[Printed] = []
        self.origin = self.loop.time()
        self.elapsed: float | None = None
        self.result: dict[str, Any] | None = None
        self.namespace = dict(vars(importlib.import_module(module)))
        self.namespace.update(__name__="__main__", asyncio=asyncio)
        self.namespace.pop(_RESULT, None)
        try:
            code = _compile(source)
        except SyntaxError as error:
            self.task: asyncio.Task[None] | None = None
            self._finish("raised", _format(error), 0.0)
            self._done(None)
            return
        #: Plain code (``forget_to_await()``, no ``await``) runs as a plain call, through
        #: :meth:`run_plain`; code that awaits runs as a task on the page's loop, traced.
        self.plain = not code.co_flags & inspect.CO_COROUTINE
        self.code = code
        if self.plain:
            self.task = None
            return
        # Made before the tracer is installed: the lesson's own coroutine is not a traced task.
        self.task = self.loop.create_task(self._main(code))
        self.task.add_done_callback(self._done)

    def now(self) -> float:
        return round(self.loop.time() - self.origin, 6)

    def _line(self, stream: str) -> Callable[[str, float], None]:
        def emit(text: str, at: float) -> None:
            if stream == "stdout":
                printed = Printed(at, text)
                self.printed.append(printed)
                self.tracer.on_line(printed)
            self.js.line(text, at, stream)

        return emit

    async def _main(self, code: Any) -> None:
        out = _Lines(self.now, self._line("stdout"))
        err = _Lines(self.now, self._line("stderr"))
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.tracer.install(self.loop))
            self.origin = self.tracer.origin
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            stack.callback(err.flush_partial)
            stack.callback(out.flush_partial)
            try:
                value = eval(code, self.namespace)  # the reader's own code, in their browser
                if asyncio.iscoroutine(value):
                    await value
            except asyncio.CancelledError as error:
                self._finish("cancelled", _format(error), self.now())
                raise
            except BaseException as error:  # shown to the reader, as Python would
                self._finish("raised", _format(error), self.now())
                return
            self._finish("returned", repr(self.namespace.pop(_RESULT, None)), self.now())

    def run_plain(self) -> None:
        """Run plain code: a lesson that is a plain function calling :func:`asyncio.run` itself.

        JavaScript calls this with ``callPromising()``, so that :func:`asyncio.run` inside can
        wait on the browser (WebAssembly stack switching); the page's loop is not the running loop
        meanwhile, as in a plain Python program. It cannot be stopped (no task to cancel).
        """
        page_loop = asyncio.events._get_running_loop()
        start = time.monotonic()

        def clock() -> float:
            return time.monotonic() - start

        out = _Lines(clock, self._line("stdout"))
        err = _Lines(clock, self._line("stderr"))
        # A real loop stops being the running loop when run_until_complete returns; a WebLoop
        # stays installed (its callbacks install it), so asyncio.Runner's second run() would
        # refuse ("cannot be called from a running event loop"). Restore that, for this call.
        web_loop = type(page_loop)
        run_until_complete = web_loop.run_until_complete

        def run_then_leave(loop: Any, future: Any) -> Any:
            try:
                return run_until_complete(loop, future)
            finally:
                asyncio.events._set_running_loop(None)

        setattr(web_loop, "run_until_complete", run_then_leave)  # noqa: B010
        asyncio.events._set_running_loop(None)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    exec(self.code, self.namespace)  # the reader's own code, in their browser
                finally:
                    out.flush_partial()
                    err.flush_partial()
        except BaseException as error:  # shown to the reader, as Python would
            self._finish("raised", _format(error), round(clock(), 6))
        else:
            result = repr(self.namespace.pop(_RESULT, None))
            self._finish("returned", result, round(clock(), 6))
        finally:
            setattr(web_loop, "run_until_complete", run_until_complete)  # noqa: B010
            asyncio.events._set_running_loop(page_loop)
        self._done(None)

    def _finish(self, outcome: str, text: str, elapsed: float) -> None:
        if self.result is None:
            self.elapsed = elapsed
            self.result = {"outcome": outcome, "text": text, "elapsed": elapsed}

    def _done(self, task: asyncio.Task[None] | None) -> None:
        if self.result is None:  # cancelled before its first step
            self._finish("cancelled", "asyncio.exceptions.CancelledError", self.now())
        assert self.result is not None
        self.result["svg"] = self.svg()
        self.result["tasks"] = len(self.tracer.tasks)
        self.js.done(json.dumps(self.result))

    def cancel(self) -> bool:
        """Cancel the run (the Stop button): the lesson sees :exc:`asyncio.CancelledError`."""
        return self.task is not None and self.task.cancel()

    def svg(self) -> str:
        """The timeline so far ("" while the lesson has made no task), as the docs draw it."""
        if not self.tracer.tasks:
            return ""
        now = self.elapsed if self.elapsed is not None else self.now()
        run = Run(printed=list(self.printed), elapsed=now, virtual=False)
        trace = Trace(self.lesson, run, list(self.tracer.tasks), list(self.tracer.lines))
        if hasattr(trace, "blocked"):
            trace.blocked = list(getattr(self.tracer, "blocked", []))
        return svg(trace)


def start(module: str, lesson: str, source: str, js: Any) -> Session:
    """Start running *source* in the namespace of *module*; *js* gets ``line`` and ``done``."""
    return Session(module, lesson, source, js)


def python_version() -> str:
    return sys.version.split()[0]
