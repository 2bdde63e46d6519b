"""The recorded output of the lessons for Pythons newer than the one that builds the docs.

The docs are built on CPython 3.13, which cannot run a lesson for 3.14 or 3.15. The page shows
instead the output recorded in ``docs/recorded/<concept>.<name>.json`` by the interpreter that
has the lesson (``tox -e py314`` / ``py315``, CPython on WebAssembly). On those interpreters this
test runs each such lesson with its defaults, as the docs would, and checks that it prints,
returns and takes exactly what the file says (task ids and line numbers aside: they change from
run to run and from version to version). To record them again (the tests write no file: they
print each record, and ``docs/recorded/save.py`` writes them), on each of 3.14 and 3.15::

    ASYNCIO_PRIMER_RECORD=1 tox -e py314 -- tests/test_recorded_newer.py \\
        | python docs/recorded/save.py
"""

from __future__ import annotations

import inspect
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from asyncio_primer._registry import gated, unavailable_reason
from asyncio_primer._support.runner import Run, outside_the_web_loop, run_lesson
from asyncio_primer._support.timeline import output_lines

RECORDED = Path(__file__).resolve().parent.parent / "docs" / "recorded"
#: The Python that builds the docs: lessons gated above it are recorded elsewhere.
DOCS_PYTHON = (3, 13)
NEWER = {q: v for q, v in gated().items() if v > DOCS_PYTHON}
#: How a record starts in the output, in record mode.
RECORD_MARK = "asyncio-primer-record: "
PATH = re.compile(r"File '(?:[^']*/)?((?:asyncio|asyncio_primer)/[^'/]+\.py)'")


def public(line: str) -> str:
    """*line* without this machine's folders: ``File 'asyncio/locks.py'``."""
    return PATH.sub(r"File '\1'", line)


def comparable(line: str) -> str:
    """*line* without what changes from run to run (task ids) or version to version (lines)."""
    return re.sub(r"line \d+", "line …", re.sub(r"0x[0-9a-f]+", "0x…", line))


def interpreter() -> str:
    """``CPython 3.14.2 (Pyodide 314.0.8, WebAssembly)``, say."""
    name = f"{platform.python_implementation()} {platform.python_version()}"
    if sys.platform == "emscripten":
        import pyodide  # type: ignore[import-not-found, unused-ignore]

        name += f" (Pyodide {pyodide.__version__}, WebAssembly)"
    return name


def run_with_defaults(qualname: str) -> Run:
    """Run the lesson as the docs run the others: with its defaults, on virtual time."""
    from asyncio_primer._registry import find

    lesson: Any = find(qualname).obj
    if inspect.iscoroutinefunction(lesson):
        return run_lesson(lesson)
    with outside_the_web_loop():  # a synchronous lesson, as in a program's first lines
        return run_lesson(lesson)


def test_every_lesson_for_a_newer_python_has_its_recorded_output() -> None:
    assert NEWER, "no lesson for a Python newer than the docs'"
    missing = [q for q in NEWER if not (RECORDED / f"{q}.json").is_file()]
    assert missing == []
    for path in RECORDED.glob("*.json"):
        assert path.stem in NEWER, f"{path.name} records no lesson for a newer Python"


@pytest.mark.parametrize(
    "qualname", [pytest.param(q, marks=pytest.mark.lesson(q)) for q in sorted(NEWER)]
)
def test_the_recorded_output_is_what_the_lesson_prints(
    qualname: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_with_defaults(qualname)
    lines = [public(line) for line in output_lines(run)]
    if os.environ.get("ASYNCIO_PRIMER_RECORD") == "1" and sys.version_info[:2] == NEWER[qualname]:
        record = {"lesson": qualname, "interpreter": interpreter(), "output": lines}
        with capsys.disabled():  # for docs/recorded/save.py
            print(f"{RECORD_MARK}{json.dumps(record, ensure_ascii=False)}")
        return
    recorded = json.loads((RECORDED / f"{qualname}.json").read_text(encoding="utf-8"))
    assert recorded["interpreter"].startswith(f"CPython {'.'.join(map(str, NEWER[qualname]))}")
    if run.elapsed is None:  # a plain function: its lines are stamped on the wall clock
        lines, recorded["output"] = (
            [re.sub(r"^\[ *[\d.]+ s\] ", "", line) for line in some]
            for some in (lines, recorded["output"])
        )
    assert [comparable(line) for line in recorded["output"]] == [comparable(x) for x in lines]
    assert unavailable_reason(qualname) is None
