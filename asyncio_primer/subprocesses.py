"""Subprocesses: run other programs without blocking the loop.

**The problem.** :func:`subprocess.run` blocks until the child exits: in a coroutine it would
freeze every other task for as long as the child runs.

**The idea.** :func:`asyncio.create_subprocess_exec` starts a program and returns an
:class:`asyncio.subprocess.Process` at once; while the child runs, the loop runs your other
tasks. With ``stdout=asyncio.subprocess.PIPE`` (or ``stdin``, ``stderr``) the process gets stream
objects like those of :mod:`asyncio_primer.streams`.
:meth:`~asyncio.subprocess.Process.communicate` sends the input, reads all the output and waits
for the child to exit; :meth:`~asyncio.subprocess.Process.wait` only waits;
:attr:`~asyncio.subprocess.Process.returncode` is then the exit status.

A child you started is yours to finish: wait for it even after you kill it (``kill()`` only
sends the signal: until :meth:`~asyncio.subprocess.Process.wait` returns, the child may still be
running and :attr:`~asyncio.subprocess.Process.returncode` is ``None``), and put a timeout on
anything that waits for another program.
Prefer ``create_subprocess_exec``, which passes each argument to the program as it is;
:func:`asyncio.create_subprocess_shell` hands one command line to the shell, so any text you put
into it must be quoted with :func:`shlex.quote`.

The lessons start the running Python (:data:`sys.executable`) with ``-c``, so they work wherever the
primer does. They wait on real child processes under a timeout, so they run on :term:`real time`.

Read next: :mod:`asyncio_primer.pitfalls` (what blocks the loop, what leaks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
import sys

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_line, check_timeout, int_between


@lesson(
    real_time=True, needs={"subprocesses"}, exit_code=int_between(0, 255), timeout=check_timeout
)
async def run_a_child(exit_code: int = 0, timeout: float = 10.0) -> tuple[int, str]:
    """Run a Python child with :func:`asyncio.create_subprocess_exec` and read what it prints.

    >>> asyncio.run(run_a_child(3))
    the child printed: 'hello from the child'
    the child exited with 3
    (3, 'hello from the child')

    The arguments are the program and its arguments, one string each — no shell is involved.
    ``stdout=PIPE`` connects the child's standard output to the loop;
    :meth:`~asyncio.subprocess.Process.communicate` reads it to the end and waits for the child to
    exit, and :attr:`~asyncio.subprocess.Process.returncode` is its exit status (0 means
    success). ``communicate`` runs under :func:`asyncio.wait_for`; if the child takes too long,
    the lesson kills it and still waits for it (see :func:`kill_after_timeout`) before it raises.

    :param exit_code: the status the child exits with, 0 to 255.
    :param timeout: seconds the child may take.
    :returns: the exit status and what the child printed.
    :raises asyncio.TimeoutError: if the child takes longer than *timeout* (it is killed).
    """
    code = "import sys; print('hello from the child'); sys.exit(int(sys.argv[1]))"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(exit_code), stdout=asyncio.subprocess.PIPE
    )
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it may have exited meanwhile
            process.kill()
        await process.communicate()  # read what is left and reap the killed child
        raise
    printed = stdout.decode().strip()
    print(f"the child printed: {printed!r}")
    print(f"the child exited with {process.returncode}")
    assert process.returncode is not None  # communicate() waited for the exit
    return process.returncode, printed


@lesson(real_time=True, needs={"subprocesses"}, runtime=check_delay, timeout=check_timeout)
async def kill_after_timeout(runtime: float = 10.0, timeout: float = 1.0) -> int:
    """Give a child *timeout* seconds to finish; if it runs longer, kill it and wait for it.

    >>> asyncio.run(kill_after_timeout(runtime=5.0, timeout=0.1))
    the child is still running after 0.1 s: killing it
    the child ended with returncode -9
    -9

    :meth:`~asyncio.subprocess.Process.wait` under :func:`asyncio.wait_for` waits at most
    *timeout* seconds; on :exc:`asyncio.TimeoutError` (the built-in :exc:`TimeoutError` since
    Python 3.11) the wait is cancelled, but the child is not: it keeps running until you stop it.
    :meth:`~asyncio.subprocess.Process.kill` sends it ``SIGKILL`` (``terminate`` would send
    ``SIGTERM``, which a program may catch to clean up), and the second ``await process.wait()``
    reaps it. On POSIX a negative returncode is the signal that ended the child: -9 is
    ``SIGKILL`` (on Windows, ``kill`` makes the exit status 1). A child that finishes in time
    returns 0.

    :param runtime: seconds the child would sleep if left alone.
    :param timeout: seconds to wait before killing it.
    :returns: the child's returncode.
    """
    code = "import sys, time; time.sleep(float(sys.argv[1]))"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code, str(runtime))
    try:
        await asyncio.wait_for(process.wait(), timeout)
        print("the child finished in time")
    except asyncio.TimeoutError:
        print(f"the child is still running after {timeout} s: killing it")
        with contextlib.suppress(ProcessLookupError):  # it may have exited meanwhile
            process.kill()
        await process.wait()
        print(f"the child ended with returncode {process.returncode}")
    assert process.returncode is not None  # wait() returned
    return process.returncode


@lesson(real_time=True, needs={"subprocesses"}, argument=check_line, timeout=check_timeout)
async def shell_with_quoting(
    argument: str = "two words; echo injected", timeout: float = 10.0
) -> list[str]:
    """Pass text through a shell safely with :func:`shlex.quote`, in a shell command line.

    >>> asyncio.run(shell_with_quoting("one; echo two"))
    the child got 1 argument(s): ['one; echo two']
    ['one; echo two']

    :func:`asyncio.create_subprocess_shell` runs one command line through the shell
    (``/bin/sh -c`` on POSIX), which splits it at spaces, runs each ``;``-separated command,
    expands ``$VARIABLES`` and ``*`` patterns. Put unquoted text into that line and the text
    can run commands of its own: the default *argument* would run ``echo injected`` as a second
    command. :func:`shlex.quote` wraps each value so that the shell passes it to the program as
    exactly one argument, untouched. The child here prints the arguments it got, as JSON.

    Needing no pipes, redirections or other shell features, this command would be better run
    with :func:`asyncio.create_subprocess_exec`, which takes the arguments as a list and starts
    no shell at all: nothing to quote, nothing to inject. :func:`shlex.quote` quotes for POSIX
    shells; ``cmd.exe`` on Windows has other rules.

    :param argument: text to pass to the child as one argument.
    :param timeout: seconds the command may take.
    :returns: the arguments the child received: ``[argument]``.
    :raises asyncio.TimeoutError: if the command takes longer than *timeout* (it is killed).
    """
    code = "import json, sys; print(json.dumps(sys.argv[1:]))"
    command = " ".join(shlex.quote(part) for part in (sys.executable, "-c", code, argument))
    process = await asyncio.create_subprocess_shell(command, stdout=asyncio.subprocess.PIPE)
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it may have exited meanwhile
            process.kill()
        await process.communicate()
        raise
    received: list[str] = json.loads(stdout)
    print(f"the child got {len(received)} argument(s): {received!r}")
    return received


__all__ = exported(__name__)
