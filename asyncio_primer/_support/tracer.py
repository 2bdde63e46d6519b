"""Trace a lesson's tasks on the loop's clock: when each is created, starts and ends, and how.

Support code for the command line and the docs' timeline figures — not a lesson. The tracer
watches a run through asyncio's public hooks: a task factory (chained to whatever factory the loop
had), a ``call_soon`` recorder that runs right after each task's first step (or the creation time,
for a task that an eager task factory started at once), and a done callback. Two things go past
the public API, so that tracing changes nothing: while tracing, the loop's ``set_task_factory`` /
``get_task_factory`` are shadowed on the loop object, so that a lesson that installs its own
factory gets it installed *under* the tracer's; and a failed task's exception is read from its
``_exception`` attribute, because :meth:`asyncio.Task.exception` would mark it retrieved and
silence the "Task exception was never retrieved" report some lessons are about. Tasks are held
weakly, for the same reason. A traced lesson prints, returns and fails exactly as it does untraced.

>>> from asyncio_primer.tasks import run_workers
>>> trace = trace_lesson(run_workers)
>>> [(task.label, task.ended) for task in trace.tasks]
[("worker('Task 1', 5.0)", 5.0), ("worker('Task 2', 3.0)", 3.0), ("worker('Task 3', 1.0)", 1.0)]
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import reprlib
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from asyncio_primer._support.runner import Printed, Run, run_lesson

__all__ = ["MAIN", "TaskRecord", "Trace", "Tracer", "TracedLine", "trace_lesson"]

#: The id of the lesson's own coroutine (the task :func:`asyncio.run` runs it in).
MAIN = 0

# "None" too: Python 3.13.0 names a task that way when a task factory made it.
_DEFAULT_NAME = re.compile(r"Task-\d+|None")


class _Short(reprlib.Repr):
    """Short reprs for labels; a function shows as its name, not ``<function ... at 0x...>``."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 24

    def repr_function(self, x: Any, level: int) -> str:
        return str(getattr(x, "__name__", x))

    repr_builtin_function_or_method = repr_method = repr_function


_short = _Short()


@dataclass
class TaskRecord:
    """One task the lesson created, with times in seconds since the lesson started."""

    id: int
    #: ``worker('Task 1', 5.0)``: the coroutine and the arguments it was called with.
    call: str
    name: str
    parent: int | None
    created: float
    started: float | None = None
    ended: float | None = None
    #: ``"pending"`` until it ends, then ``"done"``, ``"failed"`` or ``"cancelled"``.
    outcome: str = "pending"
    #: The result (``"done"``) or the exception (``"failed"``).
    value: Any = None

    @property
    def label(self) -> str:
        """How a chart names the task: its call, after its name when the lesson named it."""
        if _DEFAULT_NAME.fullmatch(self.name):
            return self.call
        return f"{self.name}: {self.call}"

    @property
    def outcome_text(self) -> str:
        """The outcome in words: ``returned 'done'``, ``raised ValueError('x')``, ``cancelled``."""
        if self.outcome == "done":
            return "done" if self.value is None else f"returned {_short.repr(self.value)}"
        if self.outcome == "failed":
            return f"raised {self.value!r}"
        if self.outcome == "cancelled":
            return "cancelled"
        return "still pending when the lesson returned"


@dataclass(frozen=True)
class TracedLine:
    """A printed line, and which task printed it (:data:`MAIN` for the lesson's own coroutine)."""

    at: float
    text: str
    task: int


@dataclass
class Trace:
    """A traced run of a lesson: the run itself, its tasks and who printed what."""

    lesson: str
    run: Run
    tasks: list[TaskRecord] = field(default_factory=list)
    lines: list[TracedLine] = field(default_factory=list)
    #: Periods ``(start, end)`` in which the loop ran nothing else: a blocking call (only
    #: watched on real time, with ``trace_lesson(..., watch_loop=True)``).
    blocked: list[tuple[float, float]] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        """How long the lesson took on the loop's clock (0 for a plain function)."""
        if self.run.elapsed is not None:
            return self.run.elapsed
        return max([p.at for p in self.run.printed], default=0.0)

    @property
    def concurrent(self) -> bool:
        """Whether more than one task ran: the lesson's own, and at least one it created."""
        return bool(self.tasks)


if sys.version_info[:2] == (3, 13):

    class _Task(asyncio.Task):  # type: ignore[type-arg]
        """Python 3.13.0 names a factory-made task ``"None"``; keep its default name instead."""

        def set_name(self, value: object) -> None:
            if value is not None:
                super().set_name(value)

    _Task.__name__ = _Task.__qualname__ = "Task"  # same repr as a plain task
else:
    _Task = asyncio.Task


def _call_text(coro: object) -> str:
    """``worker('Task 1', 5.0)`` for a coroutine that has not run, else its name."""
    name = getattr(coro, "__name__", None) or type(coro).__name__
    frame = getattr(coro, "cr_frame", None)
    if frame is None:
        return f"{name}()"
    info = inspect.getargvalues(frame)
    values = [_short.repr(info.locals[arg]) for arg in info.args if arg in info.locals]
    if info.varargs and info.varargs in info.locals:
        values += [_short.repr(v) for v in info.locals[info.varargs]]
    if info.keywords and info.keywords in info.locals:
        values += [f"{k}={_short.repr(v)}" for k, v in info.locals[info.keywords].items()]
    return f"{name}({', '.join(values)})"


#: How often the loop watcher checks in, and the gap that counts as blocked: asyncio's own
#: threshold for a slow step (``loop.slow_callback_duration``, 0.1 s).
WATCH_INTERVAL = 0.01
BLOCKED_AFTER = 0.1


class Tracer:
    """Record every task created on one event loop while it is :meth:`installed <install>`.

    Times are loop times minus *origin* (the loop time at which the lesson started). With
    *watch_loop* (for real time only: a virtual clock does not move while a call blocks), a
    callback that reschedules itself every :data:`WATCH_INTERVAL` s notes each period of at least
    :data:`BLOCKED_AFTER` s in which it could not run: the loop was busy with one step.
    """

    def __init__(
        self, on_change: Callable[[], None] | None = None, *, watch_loop: bool = False
    ) -> None:
        self.tasks: list[TaskRecord] = []
        self.lines: list[TracedLine] = []
        self.blocked: list[tuple[float, float]] = []
        self._watch = watch_loop
        self._last_check: float | None = None
        self._check_handle: asyncio.TimerHandle | None = None
        self.origin = 0.0
        # Weak: holding a task would keep it alive and change when (and whether) Python reports
        # "Task exception was never retrieved", which some lessons are about.
        self._records: weakref.WeakKeyDictionary[asyncio.Future[Any], TaskRecord]
        self._records = weakref.WeakKeyDictionary()
        # Lines printed by an eager task's first step, before its factory returned it.
        self._unclaimed: list[tuple[int, weakref.ref[asyncio.Future[Any]]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_change = on_change
        self._lock = threading.Lock()
        self._active = False
        self._thread: int | None = None

    @property
    def installed(self) -> bool:
        """Whether the tracer is recording (inside :meth:`install`)."""
        return self._active

    def now(self) -> float:
        """Seconds since the lesson started, on the loop's clock."""
        assert self._loop is not None
        return round(self._loop.time() - self.origin, 6)

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    @contextlib.contextmanager
    def install(self, loop: asyncio.AbstractEventLoop) -> Iterator[Tracer]:
        """Trace tasks created on *loop* inside the ``with`` block (a ``run_lesson`` *setup*).

        The loop's task factory is wrapped, not replaced: tasks are still made by the factory
        that was installed, and a lesson that calls ``loop.set_task_factory`` (say with
        :func:`asyncio.eager_task_factory`) installs it underneath the tracer, sees it from
        ``loop.get_task_factory()``, and keeps it after the block.
        """
        self._loop = loop
        self._thread = threading.get_ident()
        self.origin = loop.time()
        inner: list[Any] = [loop.get_task_factory()]

        def factory(
            loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
        ) -> asyncio.Future[Any]:
            call = _call_text(coro)
            made = inner[0]
            task: asyncio.Future[Any] = (
                _Task(coro, loop=loop, **kwargs) if made is None else made(loop, coro, **kwargs)
            )
            if self._active:
                self._created(task, coro, call)
            return task

        # The lesson's own calls go to the factory underneath; ours stays outermost.
        patched = {
            "set_task_factory": lambda f: inner.__setitem__(0, f),
            "get_task_factory": lambda: inner[0],
        }
        loop.set_task_factory(factory)
        vars(loop).update(patched)
        self._active = True
        if self._watch:
            self._check_in()
        try:
            yield self
        finally:
            self._active = False
            if self._check_handle is not None:
                self._check_handle.cancel()
                self._check_handle = None
            for name in patched:
                vars(loop).pop(name, None)
            loop.set_task_factory(inner[0])

    def _check_in(self) -> None:
        """The loop watcher: note a gap since the last check-in, then check in again soon."""
        if not self._active or self._loop is None:
            return
        now = self.now()
        last = self._last_check
        if last is not None and now - last - WATCH_INTERVAL >= BLOCKED_AFTER:
            self.blocked.append((last, now))
            self._changed()
        self._last_check = now
        self._check_handle = self._loop.call_later(WATCH_INTERVAL, self._check_in)

    def _created(self, task: asyncio.Future[Any], coro: Any, call: str) -> None:
        creator = asyncio.current_task()  # None in a plain callback
        parent = self._records.get(creator) if creator is not None else None
        record = TaskRecord(
            id=len(self.tasks) + 1,
            call=call,
            name=task.get_name() if isinstance(task, asyncio.Task) else type(task).__name__,
            parent=parent.id if parent is not None else MAIN,
            created=self.now(),
        )
        with self._lock:
            self.tasks.append(record)
            self._records[task] = record
        for index, ref in self._unclaimed:
            if ref() is task:
                line = self.lines[index]
                self.lines[index] = TracedLine(line.at, line.text, record.id)
        self._unclaimed = [(i, ref) for i, ref in self._unclaimed if ref() not in (None, task)]
        assert self._loop is not None
        if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) != "CORO_CREATED":
            record.started = record.created  # an eager task runs its first step at creation
        else:
            # The task scheduled its first step just now; this runs right after it.
            self._loop.call_soon(self._started, record)
        if task.done():  # an eager task that finished without ever suspending
            self._ended(task)
        else:
            task.add_done_callback(self._ended)
        self._changed()

    def _started(self, record: TaskRecord) -> None:
        if self._active and record.started is None:
            record.started = self.now()
            self._changed()

    def _ended(self, task: asyncio.Future[Any]) -> None:
        record = self._records.get(task)
        if not self._active or record is None or record.ended is not None:
            return
        if isinstance(task, asyncio.Task):
            record.name = task.get_name()
        record.ended = self.now()
        if record.started is None:
            record.started = record.ended
        if task.cancelled():
            record.outcome = "cancelled"  # (its message is not kept once the task has ended)
        else:
            # Read the exception without *retrieving* it: task.exception() would silence the
            # "Task exception was never retrieved" report that some lessons are about.
            error = getattr(task, "_exception", None)
            if error is not None:
                record.outcome, record.value = "failed", error
            else:
                record.outcome, record.value = "done", task.result()
        self._changed()

    def on_line(self, printed: Printed) -> None:
        """Note which task printed *printed* (give it to ``run_lesson(on_line=...)``)."""
        task: asyncio.Future[Any] | None = None
        in_loop_thread = threading.get_ident() == self._thread
        if self._loop is not None and self._loop.is_running() and in_loop_thread:
            with contextlib.suppress(RuntimeError):
                task = asyncio.current_task(self._loop)
        record = self._records.get(task) if task is not None else None
        if task is not None and record is None and self._active:
            self._unclaimed.append((len(self.lines), weakref.ref(task)))
        self.lines.append(TracedLine(printed.at, printed.text, record.id if record else MAIN))
        self._changed()


def trace_lesson(
    lesson: Callable[..., Any],
    *args: Any,
    virtual: bool = True,
    on_line: Callable[[Printed], None] | None = None,
    on_change: Callable[[], None] | None = None,
    tracer: Tracer | None = None,
    watch_loop: bool = False,
    **kwargs: Any,
) -> Trace:
    """Run *lesson* like :func:`~asyncio_primer._support.runner.run_lesson` and trace its tasks.

    *on_line* is called with each printed line as it is printed, *on_change* whenever the trace
    changes (a task created, started or ended, a line printed). A plain-function lesson (one that
    calls :func:`asyncio.run` itself) is run but not traced: its trace has no tasks. *watch_loop*
    notes the periods in which the loop was blocked (see :class:`Tracer`; real time only).
    """
    tracer = tracer or Tracer(on_change, watch_loop=watch_loop and not virtual)

    def record_line(printed: Printed) -> None:
        tracer.on_line(printed)
        if on_line is not None:
            on_line(printed)

    run = run_lesson(
        lesson, *args, virtual=virtual, on_line=record_line, setup=tracer.install, **kwargs
    )
    qualname = f"{lesson.__module__.rsplit('.', 1)[-1]}.{lesson.__qualname__}"
    return Trace(qualname, run, tracer.tasks, tracer.lines, tracer.blocked)
