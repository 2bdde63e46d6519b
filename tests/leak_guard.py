"""The leak guard: what a test must not leave behind (used by ``conftest.py`` around every test).

After a test, :class:`LeakGuard` reports, by name, every

- task still pending when :func:`asyncio.run` finished its main coroutine, or when a loop closed;
- context that reached a loop's exception handler (e.g. "Task exception was never retrieved");
- event loop created during the test and never closed;
- thread started during the test and still alive;
- file descriptor (socket, pipe, file) opened during the test and still open;
- child process started during the test and still running or not waited for (a zombie);
- :exc:`ResourceWarning` or "never awaited" :exc:`RuntimeWarning` that garbage collection raises;
- network or file-system access outside the sandbox: a socket bound to anything but loopback
  with port 0 or a unix path under the temporary directory, a connection or name lookup that is
  not loopback, a file opened for writing outside the temporary directory.

Loops are instrumented through an event loop policy, so every loop made by ``asyncio.run``,
``asyncio.new_event_loop`` or the primer's runner gets the guard's exception handler and (unless
the guard is made with ``debug=False``, for the tests' plain mode) debug mode. Every check works in
both modes: the reports above do not depend on debug mode. A lesson that *demonstrates* one of
these symptoms captures it (its own ``loop.set_exception_handler``, ``warnings.catch_warnings``)
and so does not trip the guard.

On WebAssembly (Pyodide: the py314/py315 envs), where one ``WebLoop`` is always running, each
test runs inside :func:`~asyncio_primer._support.runner.outside_the_web_loop`, so that asyncio
makes and closes its loops there as anywhere else, and the guard watches them the same way. There
are no threads, processes or /proc there: the guard cannot count file descriptors or child
processes (:data:`NOT_WATCHED` says so in pytest's header).
"""

from __future__ import annotations

import asyncio
import asyncio.runners
import contextlib
import gc
import os
import socket
import sys
import tempfile
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

__all__ = ["NOT_WATCHED", "LeakError", "LeakGuard", "install_audit_hook"]

ON_WEBASSEMBLY = sys.platform == "emscripten"
#: What the guard cannot check on this platform, and why ("" where it checks everything).
NOT_WATCHED = (
    "on WebAssembly the leak guard does not count file descriptors or child processes"
    " (no /proc there, and no processes)"
    if ON_WEBASSEMBLY
    else ""
)

#: Hosts a lesson may bind to, connect to or look up.
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "", None})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: asyncio.run's clean-up of leftover tasks, before any guard wraps it (guards may nest).
#:
#: The one private hook the guard needs. Everything else goes through public APIs: an event loop
#: policy sees each new loop, ``loop.set_exception_handler`` gets what would be logged,
#: ``asyncio.all_tasks(loop)`` lists pending tasks when a loop closes. But "a task still pending
#: when asyncio.run's main coroutine returned" has no public moment to look: asyncio.run (and
#: asyncio.Runner.close) cancels the leftovers and runs them to their end, all inside one call,
#: before it closes the loop, so by ``loop.close()`` none is pending any more. Looking after the
#: loop's first ``run_until_complete`` instead would also accuse code that drives a loop by hand
#: and leaves a task behind on purpose (pitfalls.destroyed_pending_task_symptom shows what follows).
_CANCEL_ALL_TASKS: Callable[[Any], None] = asyncio.runners._cancel_all_tasks  # type: ignore[attr-defined]


class LeakError(AssertionError):
    """A test left something behind; the message lists every leak."""


def _describe_task(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    name = getattr(coro, "__qualname__", repr(coro))
    return f"task {task.get_name()!r} running {name} is still pending"


def _describe_context(context: dict[str, Any]) -> str:
    message = context.get("message", "")
    exception = context.get("exception")
    return f"loop exception handler got: {message}" + (f" ({exception!r})" if exception else "")


def _open_fds() -> dict[int, str]:
    fds: dict[int, str] = {}
    if ON_WEBASSEMBLY:  # no /proc/self/fd to read (see NOT_WATCHED)
        return fds
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:  # pragma: no cover - not Linux: no fd check
        return fds
    for name in names:
        with contextlib.suppress(OSError):  # the directory's own fd is closed by now
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
    return fds


def _child_pids() -> list[int]:
    """Candidate pids of this process's children, zombies included.

    Each thread's ``/proc/self/task/TID/children`` (Linux with CONFIG_PROC_CHILDREN): a few small
    reads, where scanning ``/proc`` reads one file for every process on the machine (about 15 ms
    per test on a busy shared machine, twice per test). Without it, every pid in ``/proc``.
    """
    if not _HAS_CHILDREN_FILES:  # pragma: no cover - a kernel without CONFIG_PROC_CHILDREN
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    pids: list[int] = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children", "rb") as f:
                pids += [int(pid) for pid in f.read().split()]
        except OSError:  # the thread ended (its children pass to another thread of ours)
            continue
    return pids


_HAS_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _children() -> dict[int, str]:
    """Child processes of this process: pid -> "state command"."""
    me = os.getpid()
    found: dict[int, str] = {}
    if ON_WEBASSEMBLY:  # no processes (see NOT_WATCHED)
        return found
    try:
        pids = _child_pids()
    except OSError:  # pragma: no cover - not Linux
        return found
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        command, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        state, ppid = rest.split()[:2]
        if int(ppid) == me:
            found[pid] = f"{command} (state {state})"
    return found


def _process_wide_helpers() -> tuple[set[int], set[int]]:
    """Fds and pids of multiprocessing's long-lived helpers (resource tracker, forkserver).

    They start on first use of a ``spawn``/``forkserver`` process pool and live as long as the
    interpreter, by design: not a lesson's leak.
    """
    fds: set[int] = set()
    pids: set[int] = set()
    tracker_module = sys.modules.get("multiprocessing.resource_tracker")
    tracker = getattr(tracker_module, "_resource_tracker", None)
    if tracker is not None:
        fds.add(getattr(tracker, "_fd", None) or -1)
        pids.add(getattr(tracker, "_pid", None) or -1)
    forkserver_module = sys.modules.get("multiprocessing.forkserver")
    forkserver = getattr(forkserver_module, "_forkserver", None)
    if forkserver is not None:
        fds.add(getattr(forkserver, "_forkserver_alive_fd", None) or -1)
        pids.add(getattr(forkserver, "_forkserver_pid", None) or -1)
    return fds, pids


class _Sandbox:
    """State read by the process-wide audit hook: checks on only while a guard is active."""

    active: ClassVar[list[LeakGuard]] = []
    installed: ClassVar[bool] = False

    @classmethod
    def violation(cls, message: str) -> None:
        guard = cls.active[-1]
        guard.problems.append(message)
        raise PermissionError(f"leak guard: {message}")


def _under_tmp(path: str) -> bool:
    real = os.path.realpath(path)
    tmp = os.path.realpath(tempfile.gettempdir())
    return real == os.devnull or os.path.commonpath([real, tmp]) == tmp


def _check_address(event: str, family: int | None, address: Any) -> None:
    if isinstance(address, (str, bytes)):  # AF_UNIX path (or abstract name)
        path = os.fsdecode(address)
        if path and not path.startswith("\0") and not _under_tmp(path):
            _Sandbox.violation(f"{event} to unix path {path!r} outside {tempfile.gettempdir()}")
        return
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if host not in LOOPBACK:
            _Sandbox.violation(f"{event} to non-loopback address {address!r}")
        if event == "socket.bind" and port != 0:
            _Sandbox.violation(f"{event} to fixed port {address!r}: bind port 0")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _Sandbox.active or _Sandbox.active[-1].sandbox_paused:
        return
    if event in ("socket.bind", "socket.connect"):
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            _check_address(event, sock.family, address)
    elif event == "socket.getaddrinfo":
        if args[0] not in LOOPBACK and args[0] not in (b"localhost", b"127.0.0.1", b"::1"):
            _Sandbox.violation(f"name lookup of {args[0]!r}: only loopback is allowed")
    elif event == "open":
        path, mode, flags = args
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # an fd being wrapped
        writes = any(c in (mode or "") for c in "wax+") if mode else bool(flags & _WRITE_FLAGS)
        path = os.fsdecode(path)
        if writes and "__pycache__" not in path and not _under_tmp(path):
            _Sandbox.violation(f"opened {path!r} for writing outside {tempfile.gettempdir()}")


def install_audit_hook() -> None:
    """Install (once per process: audit hooks cannot be removed) the sandbox's audit hook."""
    if not _Sandbox.installed:
        sys.addaudithook(_audit)
        _Sandbox.installed = True


if sys.version_info >= (3, 14):
    # The policy system is deprecated (removal in 3.16) and its public names warn: use the names
    # asyncio keeps for itself. (The guard needs a policy to see every new loop.)
    from asyncio.events import _get_event_loop_policy as _get_policy
    from asyncio.events import _set_event_loop_policy as _set_policy

    if sys.platform == "win32":
        from asyncio.windows_events import _DefaultEventLoopPolicy as _DefaultPolicy
    else:
        from asyncio.unix_events import _DefaultEventLoopPolicy as _DefaultPolicy
else:
    _get_policy = asyncio.get_event_loop_policy
    _set_policy = asyncio.set_event_loop_policy
    _DefaultPolicy = asyncio.DefaultEventLoopPolicy


class _GuardPolicy(_DefaultPolicy):
    """The default policy, plus: every new loop reports to the guard."""

    def __init__(self, guard: LeakGuard) -> None:
        super().__init__()
        self._guard = guard
        if ON_WEBASSEMBLY:  # the loop class that outside_the_web_loop() chose for WebAssembly
            self._loop_factory = guard._policy._loop_factory  # type: ignore[attr-defined]

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop = super().new_event_loop()
        self._guard.watch_loop(loop)
        return loop


class LeakGuard:
    """Snapshot the process before a test; :meth:`stop` lists what the test leaked."""

    def __init__(self, *, debug: bool = True) -> None:
        #: Whether every new loop is put in asyncio's debug mode (the tests' "debug" mode); the
        #: checks are the same without it (the tests' "plain" mode, as a reader's `python`).
        self.debug = debug
        self.problems: list[str] = []
        self.sandbox_paused = False
        self._loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self._loop_names: dict[int, str] = {}
        self._closed: set[int] = set()
        self._outside_the_web_loop = contextlib.ExitStack()

    # -- loops -------------------------------------------------------------------------------
    def watch_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give *loop* the guard's exception handler (and debug mode, if :attr:`debug`); check
        tasks at close."""
        if self.debug:
            loop.set_debug(True)
        loop.set_exception_handler(self._record_context)
        self._loops.add(loop)
        self._loop_names[id(loop)] = repr(loop)
        original_close = loop.close

        def close() -> None:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            self.problems.extend(f"{_describe_task(t)} when its loop closed" for t in pending)
            self._closed.add(id(loop))
            original_close()

        loop.close = close  # type: ignore[method-assign]

    def _record_context(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.problems.append(_describe_context(context))

    def _cancel_all_tasks(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        self.problems.extend(
            f"{_describe_task(t)} after asyncio.run's main coroutine returned" for t in pending
        )
        _CANCEL_ALL_TASKS(loop)

    # -- start / stop ------------------------------------------------------------------------
    def start(self) -> None:
        """Take the snapshot and start watching new loops and the sandbox."""
        self._threads = set(threading.enumerate())
        self._fds = _open_fds()
        self._children = _children()
        if ON_WEBASSEMBLY:
            from asyncio_primer._support.runner import outside_the_web_loop

            self._outside_the_web_loop.enter_context(outside_the_web_loop())
        self._policy = _get_policy()
        _set_policy(_GuardPolicy(self))
        self._previous_cancel_all_tasks = asyncio.runners._cancel_all_tasks  # type: ignore[attr-defined]
        asyncio.runners._cancel_all_tasks = self._cancel_all_tasks  # type: ignore[attr-defined]
        _Sandbox.active.append(self)

    @contextlib.contextmanager
    def paused_sandbox(self) -> Iterator[None]:
        """Let the guard itself (or a test's own set-up) open files freely."""
        self.sandbox_paused, was = True, self.sandbox_paused
        try:
            yield
        finally:
            self.sandbox_paused = was

    def stop(self, grace: float = 2.0, *, everything: bool = False) -> list[str]:
        """Stop watching and return every leak, one message each (empty: nothing leaked).

        The outermost guard ends with :func:`gc.freeze`: what is alive then is left out of later
        collections, so the next test's :func:`gc.collect` walks only what was made after it
        (without that, a collection walked every object that matplotlib, hypothesis, rich and
        the lessons ever made: about 0.1 s a test, most of the suite's time). *everything*
        unfreezes first, so that garbage made of older objects is collected and reported too:
        ``conftest.py`` passes it for the session's last test, and for the first test after a
        fixture wider than one test ended (what such a fixture held was frozen while it lived).
        Garbage of objects that outlived their test is then reported there, not by the test
        that dropped them (before, by the next test).
        """
        _Sandbox.active.remove(self)
        asyncio.runners._cancel_all_tasks = self._previous_cancel_all_tasks  # type: ignore[attr-defined]
        _set_policy(self._policy)
        problems = self.problems

        # Collect garbage with warnings recorded: a ResourceWarning from a __del__, a coroutine
        # never awaited, a task whose exception was never retrieved (reaches the handler above).
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            unraisable: list[str] = []
            previous_hook = sys.unraisablehook
            sys.unraisablehook = lambda u: unraisable.append(f"{u.exc_value!r} in {u.object!r}")
            try:
                if everything:
                    gc.unfreeze()
                if gc.collect():  # found garbage: its finalizers may have made more
                    gc.collect()
            finally:
                sys.unraisablehook = previous_hook
                if not _Sandbox.active:  # the outermost guard (guards nest: test_properties)
                    gc.freeze()
        for warning in caught:
            if issubclass(warning.category, (ResourceWarning, RuntimeWarning)):
                problems.append(f"{warning.category.__name__}: {warning.message}")
        problems.extend(f"unraisable exception: {u}" for u in unraisable)
        self._outside_the_web_loop.close()  # WebAssembly: Pyodide's own loop and policy are back

        for loop in list(self._loops):
            if id(loop) not in self._closed and not loop.is_closed():
                problems.append(f"event loop {self._loop_names[id(loop)]} was never closed")
                loop.close()

        helper_fds, helper_pids = _process_wide_helpers()
        deadline = time.monotonic() + grace
        while True:  # threads and processes that are finishing get a moment to end
            threads = [t for t in threading.enumerate() if t not in self._threads and t.is_alive()]
            children = {
                pid: what
                for pid, what in _children().items()
                if pid not in self._children and pid not in helper_pids
            }
            if not (threads or children) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        problems.extend(f"thread {t.name!r} ({t!r}) is still running" for t in threads)
        problems.extend(
            f"child process {pid} {what} was not waited for" for pid, what in children.items()
        )
        now = _open_fds()
        problems.extend(
            f"file descriptor {fd} -> {target} is still open"
            for fd, target in sorted(now.items())
            if self._fds.get(fd) != target and fd not in helper_fds
        )
        return problems

    def check(self, *, everything: bool = False) -> None:
        """:meth:`stop`, and raise :exc:`LeakError` naming every leak if there is one."""
        problems = self.stop(everything=everything)
        if problems:
            raise LeakError(
                "the test leaked:\n" + "\n".join(f"  - {problem}" for problem in problems)
            )
