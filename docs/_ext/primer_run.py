"""Sphinx extension: a Run button on every lesson, running it in the reader's browser (Pyodide).

Under the source of each ``.. lesson::`` (the ``lesson`` containers that ``primer_lessons``
renders) it adds an editable call, prefilled with the lesson's call at its defaults
(``await run_workers()``), and a Run button; ``_static/run/run.js`` runs the call on Pyodide
(CPython 3.14 compiled to WebAssembly), printing live, with the real elapsed time and the live
timeline drawn by the project's own tracer and timeline code (``_static/run/driver.py``). A lesson
that needs what WebAssembly lacks (its ``needs`` in the lesson registry: threads, processes,
subprocesses, sockets, signals; ``Lesson.runs_in_browser`` is false) gets a one-line reason
instead of the button.

Self-contained and lazy: the build installs the pinned npm package (``npm ci`` in
``tests/pyodide`` when ``node_modules`` is missing or does not match ``package-lock.json``) and
copies only the files Pyodide loads, with the project's own wheel, into ``_static/pyodide/``.
Nothing is fetched from the network when a page is read, and nothing of Pyodide's until the first
press. The wheel is tox's package (``$TOX_PACKAGE``) or ``$PRIMER_WHEEL``, else built here, offline
(:func:`find_wheel`).
"""

from __future__ import annotations

import ast
import base64
import functools
import hashlib
import html
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from asyncio_primer._registry import find, gated, lessons

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
#: The npm project that pins Pyodide (shared with the py314/py315 test envs).
NPM_DIR = ROOT / "tests" / "pyodide"
NPM_PACKAGE = "pyodide-314"
#: The files Pyodide loads for a plain ``loadPyodide()`` (no packages from its repository).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
#: The files that Pyodide loads at the first press, besides these: the driver (and the wheel).
DRIVER = Path(__file__).resolve().parent.parent / "_static" / "run" / "driver.py"

#: What each of the registry's needs is, in the reason shown instead of the button.
NEED_WORDS = {
    "threads": "threads",
    "processes": "worker processes",
    "subprocesses": "child processes",
    "sockets": "network sockets",
    "signals": "signal handlers",
}


def reason(lacking: frozenset[str]) -> str:
    """``needs threads, which the browser's Python (WebAssembly) does not have``."""
    words = [NEED_WORDS.get(n, n) for n in sorted(lacking)]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"needs {listed}, which the browser's Python (WebAssembly) does not have"


def default_call(obj: Any, name: str) -> str:
    """The call the Run box starts with: ``await run_workers()`` (the lesson at its defaults).

    A lesson with a parameter that has no default (or a class) starts with its docstring's first
    ``asyncio.run(...)`` example instead; a plain function, which calls :func:`asyncio.run`
    itself, is called without ``await``.
    """
    if inspect.isfunction(obj):
        parameters = inspect.signature(obj).parameters.values()
        if all(
            p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            for p in parameters
        ):
            return f"await {name}()" if inspect.iscoroutinefunction(obj) else f"{name}()"
    return _example_call(inspect.getdoc(obj) or "", name)


class _AwaitInsteadOfRun(ast.NodeTransformer):
    """``asyncio.run(x)`` -> ``await x``: what a doctest does, as the Run box's code."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "run"
            and isinstance(function.value, ast.Name)
            and function.value.id == "asyncio"
            and len(node.args) == 1
            and not node.keywords
        ):
            return ast.Await(node.args[0])
        return node


def _example_call(docstring: str, name: str) -> str:
    """The docstring's first example as one line of code for the Run box, ``asyncio.run(x)``
    as ``await x`` (``await name()`` if there is none that fits on a line)."""
    statements: list[str] = []
    for line in docstring.splitlines():
        text = line.strip()
        if text.startswith(">>> "):
            statements.append(text[4:])
        elif text.startswith("... ") and statements:
            statements[-1] += "\n" + text[4:]
        elif statements and not text:
            break  # the end of the first example
    try:
        parts = [ast.unparse(_AwaitInsteadOfRun().visit(ast.parse(s))) for s in statements]
        code = "; ".join(parts)
        compile(code, "<run>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:
        code = ""
    if not code or "\n" in code:
        return f"await {name}()"
    return code


#: The Python that runs in the browser: Pyodide 314 is CPython 3.14 (:data:`NPM_PACKAGE`).
BROWSER_PYTHON = (3, 14)


def newer_python_lesson(qualname: str) -> str | None:
    """The Run widget (or the reason there is none) for a lesson this Python is too old for.

    The docs build on an older Python than the browser's: a lesson gated on Python 3.14 is not
    defined here, but the browser can run it. Its facts are read from its source: the
    ``needs=`` of its ``@lesson(...)`` and its parameters. ``None`` if it is no such lesson.
    """
    version = gated().get(qualname)
    if version is None:
        return None
    if version > BROWSER_PYTHON:
        wanted, here = ".".join(map(str, version)), ".".join(map(str, BROWSER_PYTHON))
        return unavailable(f"needs Python {wanted}, and the browser's Python is {here}")
    concept, name = qualname.split(".")
    module = importlib.import_module(f"asyncio_primer.{concept}")
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            break
    else:
        return None
    needs: frozenset[str] = frozenset()
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "lesson":
            for keyword in decorator.keywords:
                if keyword.arg == "needs":
                    needs = frozenset(ast.literal_eval(keyword.value))
    if needs:
        return unavailable(reason(needs))
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    required = len(positional) - len(arguments.defaults)
    required += sum(default is None for default in arguments.kw_defaults)
    if required:
        call = _example_call(ast.get_docstring(node) or "", name)
    else:
        call = f"await {name}()" if isinstance(node, ast.AsyncFunctionDef) else f"{name}()"
    return widget(qualname, module.__name__, call)


# --- the widgets -------------------------------------------------------------------------------


def wheel_name() -> str:
    """The file name of the project's wheel (it is pure Python)."""
    version = importlib.metadata.version("asyncio-primer")
    return f"asyncio_primer-{version}-py3-none-any.whl"


@functools.lru_cache(maxsize=1)
def first_run_bytes() -> int:
    """How many bytes the first press fetches: Pyodide's files, the wheel, the driver."""
    package = NPM_DIR / "node_modules" / NPM_PACKAGE
    sizes = [(package / name).stat().st_size for name in PYODIDE_FILES if (package / name).exists()]
    return sum(sizes) + DRIVER.stat().st_size + 120_000  # the wheel is about 110 kB


_NOT_REPORTED = (
    "this lesson's report does not reach its handler during the run here (Pyodide's event loop "
    "holds on to tasks and reports differently), so its output differs from the recorded one"
)
_SLEEP_DOES_NOT_BLOCK = (
    "Pyodide makes time.sleep() wait without blocking (WebAssembly stack switching), so the "
    "loop is not frozen here as it is on a standard Python"
)

#: Lessons that run in the browser but whose point rests on the standard event loop, which
#: Pyodide's (``WebLoop``) does not reproduce: seen by running every lesson with Run in headless
#: Chromium. Shown under the button, so the reader knows what differs. A name here that is no
#: lesson fails the build (:func:`check_setup`).
BROWSER_CAVEATS = {
    "benefits.heartbeat_gaps": _SLEEP_DOES_NOT_BLOCK,
    "pitfalls.blocking_call_symptom": _SLEEP_DOES_NOT_BLOCK,
    "pitfalls.nested_run_symptom": (
        "Pyodide's asyncio.run() inside its running loop waits on that loop instead of raising "
        "RuntimeError, so the symptom does not show here"
    ),
    "event_loop.debug_slow_callback": (
        "Pyodide's event loop has no slow-callback report (no slow_callback_duration), so the "
        "lesson raises AttributeError here"
    ),
    "pitfalls.get_event_loop_symptom": (
        "Pyodide's event loop is always running and always the current loop, so "
        "get_event_loop() finds it and the symptom does not show here"
    ),
    "errors.task_exception_never_retrieved": _NOT_REPORTED,
    "pitfalls.lost_task_reference_symptom": _NOT_REPORTED,
    "pitfalls.destroyed_pending_task_symptom": _NOT_REPORTED,
}


def widget(qualname: str, module: str, call: str) -> str:
    attrs = {
        "class": "primer-run",
        "data-module": module,
        "data-lesson": qualname,
        "data-wheel": wheel_name(),
    }
    megabytes = first_run_bytes() / 1e6
    caveat = BROWSER_CAVEATS.get(qualname)
    return (
        "<div "
        + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())
        + '><div class="primer-run-bar">'
        '<button type="button" class="primer-run-button">Run</button>'
        f'<input type="text" class="primer-run-call" value="{html.escape(call)}" '
        'aria-label="the Python code that Run runs" spellcheck="false" autocomplete="off">'
        "</div>"
        '<p class="primer-run-note">Runs in your browser on Python 3.14 (Pyodide, WebAssembly), '
        f"on real time; edit the call to try other arguments. The first press loads "
        f"{megabytes:.0f} MB, once per page.</p>"
        + (
            f'<p class="primer-run-caveat">In the browser: {html.escape(caveat)}.</p>'
            if caveat
            else ""
        )
        + '<div class="primer-run-status" role="status" aria-live="polite"></div>'
        '<pre class="primer-run-output" hidden></pre>'
        '<div class="primer-run-timeline" hidden></div></div>'
    )


def unavailable(reason_text: str) -> str:
    text = f"Not runnable in the browser: {html.escape(reason_text)}."
    return f'<p class="primer-run-unavailable">{text}</p>'


def _lesson_signature(container: nodes.Element) -> tuple[str, str] | None:
    """(module, name) of the lesson that a ``lesson`` container documents."""
    from sphinx import addnodes

    for signature in container.findall(addnodes.desc_signature):
        module, fullname = signature.get("module"), signature.get("fullname")
        if module and fullname:
            return str(module), str(fullname)
    return None


def add_run_widgets(app: Sphinx, doctree: nodes.document) -> None:
    """Put a Run widget (or the reason there is none) under each lesson's source."""
    if app.builder.format != "html":
        return
    start = time.monotonic()
    try:
        _add_run_widgets(doctree)
    finally:
        SPENT["widgets"] += time.monotonic() - start


#: Seconds this extension spent in this build (reported at its end).
SPENT = {"setup": 0.0, "widgets": 0.0}


def _add_run_widgets(doctree: nodes.document) -> None:
    for container in list(doctree.findall(nodes.container)):
        if "lesson" not in container["classes"]:
            continue
        found = _lesson_signature(container)
        if found is None:
            continue
        module_name, name = found
        qualname = f"{module_name.rsplit('.', 1)[-1]}.{name}"
        try:
            facts = find(qualname)  # the lesson registry
        except LookupError:  # a lesson for a newer Python, or not a lesson (a helper class)
            newer = newer_python_lesson(qualname)
            if newer is None:
                continue
            text = newer
        else:
            if facts.runs_in_browser:
                text = widget(qualname, module_name, default_call(facts.obj, name))
            else:
                text = unavailable(reason(facts.needs))
        raw = nodes.raw("", text, format="html")
        target = None
        for rubric in container.findall(nodes.rubric):
            if rubric.astext() == "Source":
                following = rubric.parent.index(rubric) + 1
                if following < len(rubric.parent) and isinstance(
                    rubric.parent[following], nodes.literal_block
                ):
                    target = rubric.parent[following]
                break
        if target is not None:
            target.parent.insert(target.parent.index(target) + 1, raw)
        else:
            container.append(raw)


# --- the runtime and the wheel -----------------------------------------------------------------


def ensure_npm_package() -> Path:
    """Install the pinned Pyodide (``npm ci``) unless ``node_modules`` matches the lock file.

    The py314/py315 test envs do the same before they start Node (``tests/pyodide/prepare.py``),
    and under ``tox -p`` they may start with the docs: both use that script's ``npm_ci``, which
    holds a file lock, so one installs and the others find it done.
    """
    spec = importlib.util.spec_from_file_location("primer_pyodide_prepare", NPM_DIR / "prepare.py")
    assert spec is not None
    assert spec.loader is not None
    prepare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prepare)
    if shutil.which("npm") is None:
        raise ExtensionError("primer_run: npm is needed to install Pyodide (tests/pyodide)")
    start = time.monotonic()
    prepare.npm_ci()
    logger.info("primer_run: Pyodide's npm package checked in %.1f s", time.monotonic() - start)
    package = NPM_DIR / "node_modules" / NPM_PACKAGE
    missing = [name for name in PYODIDE_FILES if not (package / name).is_file()]
    if missing:
        raise ExtensionError(f"primer_run: {package} lacks {', '.join(missing)} after npm ci")
    return package


def find_wheel(workdir: Path) -> Path:
    """The project's wheel: ``$PRIMER_WHEEL``, tox's package, or one made now in *workdir*.

    Made now: ``pip wheel --no-deps --no-build-isolation`` where pip and setuptools are
    installed, else a wheel of the package being documented written here (pure Python: its
    modules, ``py.typed`` and its metadata). Neither touches the network.
    """
    for candidate in [
        os.environ.get("PRIMER_WHEEL", ""),
        *os.environ.get("TOX_PACKAGE", "").split(os.pathsep),
    ]:
        if candidate.endswith(".whl") and Path(candidate).is_file():
            return Path(candidate)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    command += ["-w", str(workdir), str(ROOT)]
    if subprocess.run(command, check=False, capture_output=True).returncode == 0:
        built = sorted(workdir.glob("asyncio_primer-*.whl"))
        if built:
            return built[-1]
    return _write_wheel(workdir)


def _write_wheel(workdir: Path) -> Path:
    """A wheel of the installed (documented) ``asyncio_primer``, written without a build backend."""
    import asyncio_primer

    package = Path(asyncio_primer.__file__).parent
    version = importlib.metadata.version("asyncio-primer")
    info = f"asyncio_primer-{version}.dist-info"
    try:
        metadata = importlib.metadata.distribution("asyncio-primer").read_text("METADATA")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - conf.py needs it too
        metadata = None
    files = {
        f"asyncio_primer/{path.relative_to(package).as_posix()}": path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix in (".py", ".typed")
    }
    files[f"{info}/METADATA"] = (
        metadata or f"Metadata-Version: 2.1\nName: asyncio-primer\nVersion: {version}\n"
    ).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: primer_run\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    wheel = workdir / wheel_name()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    logger.info("primer_run: wrote %s from %s (no pip/setuptools here)", wheel.name, package)
    return wheel


def _copy(source: Path, target: Path) -> None:
    """Copy unless *target* already has the same size and time."""
    if target.is_file():
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime):
            return
    shutil.copy2(source, target)


def copy_runtime(app: Sphinx, exception: Exception | None) -> None:
    """Ship Pyodide's files and the project's wheel in ``_static/pyodide/`` of the HTML."""
    if exception is not None or app.builder.format != "html":
        return
    start = time.monotonic()
    package = ensure_npm_package()
    target = Path(app.outdir) / "_static" / "pyodide"
    target.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        _copy(package / name, target / name)
    with tempfile.TemporaryDirectory(prefix="primer-run-wheel-") as workdir:
        wheel = find_wheel(Path(workdir))
        shutil.copyfile(wheel, target / wheel_name())
    total = sum(f.stat().st_size for f in target.iterdir()) + DRIVER.stat().st_size
    logger.info(
        "primer_run: Pyodide and %s in _static/pyodide/ (%.1f MB for a first Run) in %.2f s;"
        " set-up (npm check) %.2f s, widgets added in %.2f s (in this process)",
        wheel.name,
        total / 1e6,
        time.monotonic() - start,
        SPENT["setup"],
        SPENT["widgets"],
    )


def check_setup(app: Sphinx) -> None:
    """Install Pyodide if needed; refuse a caveat for a lesson that does not exist."""
    start = time.monotonic()
    known = set(lessons()) | set(gated())
    for qualname in sorted(set(BROWSER_CAVEATS) - known):
        logger.warning("primer_run: BROWSER_CAVEATS names no lesson: %s", qualname)
    if app.builder.format == "html":
        ensure_npm_package()
    SPENT["setup"] = time.monotonic() - start


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", check_setup)
    app.connect("doctree-read", add_run_widgets)
    app.connect("build-finished", copy_runtime)
    app.add_js_file("run/run.js", defer="defer")
    app.add_css_file("run/run.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
