"""The lessons' recorded runs, kept between docs builds (``docs/_build/recorded-runs/``).

Every ``.. lesson::`` shows a run of the lesson (``primer_lessons.recorded``): on virtual time it
takes milliseconds, but the lessons on real time wait for real (``benefits.workers_on_real_time``
alone sleeps 5 s), and a build runs about a hundred lessons. A rebuild in which no lesson changed
reads each run back instead of running it again.

A run is kept (in ``recorded-runs`` beside the build's output directory) under a key made of
everything that decides it: the lesson and the clock it runs on; the source of its concept
module, of the concept modules that module imports (transitively) and of the package's support
code (every private module: the runner, the tracer, the registry, the checks); the Python that
runs it (its full version and build), the platform and its number of cores; asyncio's debug mode
and Python's development mode; the versions of aiotools (the virtual clock) and uvloop (the echo
clients). Change any of them and the lesson runs again.
``ASYNCIO_PRIMER_RERUN=1`` runs every lesson again; so does deleting the directory.

A run on real time is kept with the conditions it was measured under (the machine's load when it
ran), which the page prints under it. A run is kept only if it reads back exactly: its output and
its timeline from the copy read back must equal those of the run itself (a run whose result
cannot be pickled, or whose repr changes, runs at every build).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

import asyncio_primer
from asyncio_primer._support.timeline import output_lines, svg
from asyncio_primer._support.tracer import Trace, trace_lesson

#: Where the runs are kept: ``recorded-runs`` beside the output directory (``docs/_build``), so
#: that removing the build removes them; set when a Sphinx build starts. ``None`` (outside a
#: build, e.g. in the tests): every run is made afresh and nothing is written.
cache_dir: Path | None = None
#: Bump when what is kept changes shape.
FORMAT = 1

logger = logging.getLogger(__name__)


def _package() -> Path:
    return Path(inspect.getsourcefile(asyncio_primer) or asyncio_primer.__file__ or "").parent


def _concept_imports(path: Path) -> set[str]:
    """The concept modules that the module at *path* imports from the package."""
    concepts = set(asyncio_primer.CONCEPTS)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "asyncio_primer":
                found |= {alias.name for alias in node.names} & concepts
            elif node.module.startswith("asyncio_primer."):
                found |= {node.module.split(".")[1]} & concepts
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("asyncio_primer.")
            } & concepts
    return found


@functools.cache
def _sources_digest(concept: str) -> str:
    """A digest of the sources that decide a run of a lesson of *concept* (see the module)."""
    package = _package()
    files = {p for p in package.rglob("*.py") if p.name.startswith("_") or "_support" in p.parts}
    todo = [concept]
    while todo:
        name = todo.pop()
        path = package / f"{name}.py"
        if path in files or not path.exists():
            continue
        files.add(path)
        todo += sorted(_concept_imports(path))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "-"


@functools.lru_cache(maxsize=1)
def _interpreter() -> str:
    """The Python, the platform and the modes that run the lessons, as one line."""
    return "|".join(
        [
            sys.version,
            sys.platform,
            platform.machine(),
            str(os.cpu_count()),
            f"dev_mode={sys.flags.dev_mode}",
            f"PYTHONASYNCIODEBUG={os.environ.get('PYTHONASYNCIODEBUG', '')}",
            f"aiotools={_version('aiotools')}",
            f"uvloop={_version('uvloop')}",
        ]
    )


def key(qualname: str, *, virtual: bool, watch_loop: bool) -> str:
    """The key of a run of the lesson ``asyncio_primer.concept.name`` (see the module)."""
    concept = qualname.split(".")[1]
    parts = [
        str(FORMAT),
        qualname,
        f"virtual={virtual}",
        f"watch_loop={watch_loop}",
        _sources_digest(concept),
        _interpreter(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _rendered(trace: Trace) -> tuple[list[str], str]:
    return output_lines(trace.run), svg(trace)


def _read(path: Path) -> tuple[Trace, str] | None:
    try:
        with path.open("rb") as file:
            kept = pickle.load(file)  # our own build directory's file
    except FileNotFoundError:
        return None
    except Exception:  # a file from another version, half written, ...: run the lesson again
        return None
    if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], Trace)):
        return None
    return kept[0], str(kept[1])


def _write(path: Path, trace: Trace, conditions: str) -> bool:
    """Keep *trace* if it reads back exactly (see the module); whether it was kept."""
    try:
        data = pickle.dumps((trace, conditions), protocol=pickle.HIGHEST_PROTOCOL)
        copy = pickle.loads(data)[0]
        if _rendered(copy) != _rendered(trace):
            return False
    except Exception:  # the result, or something it holds, cannot be pickled: not kept
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as file:
        file.write(data)
    os.replace(file.name, path)  # whole or not at all, even with parallel readers
    return True


#: What this build did: lessons read back, and lessons run (for the build's summary line).
STATS = {"read back": 0, "ran": 0}


def recorded_run(
    qualname: str,
    lesson: Callable[..., Any],
    *,
    virtual: bool,
    watch_loop: bool,
    conditions: Callable[[], str],
    trace: Callable[..., Trace] = trace_lesson,
) -> tuple[Trace, str]:
    """The trace of a run of *lesson*, and the conditions it was measured under.

    Read back if a run with the same key is kept, else run (``trace(lesson, virtual=...,
    watch_loop=...)``) and kept. *conditions* says what the run was measured under, called right
    after a run.
    """
    path = None
    if cache_dir is not None:
        path = cache_dir / f"{key(qualname, virtual=virtual, watch_loop=watch_loop)}.pickle"
    if path is not None and os.environ.get("ASYNCIO_PRIMER_RERUN") != "1":
        kept = _read(path)
        if kept is not None:
            STATS["read back"] += 1
            return kept
    made = trace(lesson, virtual=virtual, watch_loop=watch_loop)
    measured = conditions()
    STATS["ran"] += 1
    if path is not None:
        _write(path, made, measured)
    return made, measured


def _start(app: Sphinx) -> None:
    global cache_dir
    cache_dir = Path(app.outdir).resolve().parent / "recorded-runs"


def _summary(app: Sphinx, exception: BaseException | None) -> None:
    if STATS["read back"] or STATS["ran"]:
        logger.info(
            "recorded runs: %d read back from %s, %d ran",
            STATS["read back"],
            cache_dir,
            STATS["ran"],
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _start)
    app.connect("build-finished", _summary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
