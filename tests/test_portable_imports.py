"""The lessons import where POSIX-only modules do not exist (Windows), and still work.

A child interpreter is told that the POSIX-only modules the package uses cannot be imported
(``sys.modules[name] = None`` makes ``import name`` raise :exc:`ImportError`, as on Windows),
then imports every concept module and runs lessons, among them the benefits lessons that read the
file limit and the resident memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from asyncio_primer import CONCEPTS
from asyncio_primer._registry import lessons

#: Unix-only modules of the standard library (none of them exists on Windows); the package imports
#: only ``resource``, and only inside the functions that need it.
POSIX_ONLY = ("resource", "fcntl", "termios", "pwd", "grp", "pty", "tty", "syslog")

CHILD = textwrap.dedent(
    """
    import asyncio, importlib, json, sys
    for name in sys.argv[1].split(","):
        sys.modules[name] = None  # `import name` now raises ImportError
    from asyncio_primer import CONCEPTS
    from asyncio_primer._registry import lessons
    from asyncio_primer._support import echo, memory
    from asyncio_primer._support.runner import run_lesson

    for concept in CONCEPTS:
        importlib.import_module(f"asyncio_primer.{concept}")
    from asyncio_primer import benefits, tasks

    workers = run_lesson(tasks.run_workers)
    on_real_time = run_lesson(benefits.workers_on_real_time)
    load = run_lesson(benefits.echo_load, "asyncio", 2, 2, 8, virtual=False)
    costs = run_lesson(benefits.tasks_vs_threads, 10, virtual=False)
    print(json.dumps({
        "concepts": sorted(
            concept for concept in CONCEPTS if f"asyncio_primer.{concept}" in sys.modules
        ),
        "lessons": len(lessons()),
        "workers": [workers.elapsed, repr(workers.error)],
        "ratio": [on_real_time.result, repr(on_real_time.error)],
        "requests": [load.result and load.result["requests"], repr(load.error)],
        "costs": [sorted(costs.result or {}), repr(costs.error)],
        "file_limit": echo.open_file_limit(),
        "memory": memory.resident_memory() > 0,
    }))
    """
)


@pytest.mark.needs("subprocesses")
def test_every_concept_imports_and_runs_without_posix_only_modules() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(POSIX_ONLY)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout.splitlines()[-1])
    assert seen["concepts"] == sorted(CONCEPTS)
    assert seen["lessons"] == len(lessons())  # every lesson this Python has registered
    assert seen["workers"] == [5.0, "None"]
    assert seen["ratio"] == [1.0, "None"]
    assert seen["requests"] == [4.0, "None"]  # echo_load skips the file limit it cannot read
    assert seen["costs"] == [
        ["task_bytes", "task_seconds", "thread_bytes", "thread_seconds"],
        "None",
    ]
    assert seen["file_limit"] is None
    assert seen["memory"] is True  # /proc/self/statm needs no resource module
