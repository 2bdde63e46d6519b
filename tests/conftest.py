"""Shared test helpers: every lesson runs through the primer's own runner, on virtual time."""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
import tempfile
import time
from collections.abc import Generator, Iterator

import pytest
from leak_guard import NOT_WATCHED, LeakGuard, install_audit_hook

import asyncio_primer
from asyncio_primer._registry import missing_features, unavailable_reason

pytest_plugins = ["pytester"]

# Two modes (ASYNCIO_PRIMER_MODE; tox runs both, see tox.ini):
# - "debug" (the default): as strict as `tox -e py3X` (which sets PYTHONDEVMODE=1 and
#   PYTHONASYNCIODEBUG=1) for a bare `pytest` too: -X dev cannot be turned on after start, but
#   what it adds that matters here can be — asyncio's debug mode (read when a loop is created;
#   the leak guard also sets it on every loop) and faulthandler. Child interpreters the tests
#   start get real dev mode.
# - "plain": as a reader's plain `python` runs the lessons: no dev mode, no asyncio debug mode,
#   here or in child interpreters. The leak guard still checks everything it checks in debug mode.
# Warnings are errors in both, through `filterwarnings = error` in setup.cfg. For where a leaked
# object was allocated, run with PYTHONTRACEMALLOC=20 (not on by default: it slows debug-mode
# loops down threefold).
MODE = os.environ.get("ASYNCIO_PRIMER_MODE", "debug")
if MODE == "debug":
    os.environ["PYTHONASYNCIODEBUG"] = "1"
    os.environ["PYTHONDEVMODE"] = "1"
elif MODE == "plain":
    if sys.flags.dev_mode or os.environ.get("PYTHONASYNCIODEBUG"):
        raise pytest.UsageError(
            "ASYNCIO_PRIMER_MODE=plain, but this Python started in dev mode (-X dev,"
            " PYTHONDEVMODE) or asyncio debug mode (PYTHONASYNCIODEBUG): unset them"
        )
    os.environ.pop("PYTHONASYNCIODEBUG", None)
    os.environ.pop("PYTHONDEVMODE", None)
else:
    raise pytest.UsageError(f"ASYNCIO_PRIMER_MODE must be 'debug' or 'plain', got {MODE!r}")
faulthandler.enable()
install_audit_hook()

try:
    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir
except ImportError:  # pragma: no cover - the test extra installs it
    pass
else:  # modest example counts keep the suite fast; hypothesis's files go to the temp directory
    settings.register_profile("primer", max_examples=25, deadline=None, database=None)
    settings.load_profile("primer")
    set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "asyncio-primer-hypothesis"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "lesson(*qualnames): the test runs these lessons ('concept.name'); it is skipped, with the"
        " registry's reason, where one of them cannot run (too old a Python, a missing platform"
        " feature such as threads on WebAssembly)",
    )
    config.addinivalue_line(
        "markers",
        "needs(*features): the test itself needs these platform features (from"
        " asyncio_primer._registry.NEEDS); skipped where they are missing",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip each test whose lessons (``lesson`` mark) or features (``needs`` mark) are missing."""
    reasons: dict[str, str | None] = {}  # each lesson asked about once (hundreds of marks)
    for item in items:
        for mark in item.iter_markers("lesson"):
            for qualname in mark.args:
                if qualname not in reasons:
                    reasons[qualname] = unavailable_reason(qualname)
                reason = reasons[qualname]
                if reason is not None:
                    item.add_marker(pytest.mark.skip(reason=reason))
        for mark in item.iter_markers("needs"):
            reason = missing_features(mark.args)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_collection_finish() -> None:
    """Freeze what collection built (modules, parameters): each test's ``gc.collect()`` then
    only walks what that test allocated, which keeps the leak guard fast."""
    gc.collect()
    gc.freeze()


_SESSION_STARTED: list[float] = []


def pytest_sessionstart() -> None:
    _SESSION_STARTED.append(time.monotonic())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How much sleeping the lessons scripted, against the wall time the session took."""
    from asyncio_primer._support.runner import SCRIPTED

    wall = time.monotonic() - _SESSION_STARTED[0]
    seconds, runs = SCRIPTED["seconds"], int(SCRIPTED["runs"])
    terminalreporter.write_line(
        f"virtual time: {runs} lesson runs scripted {seconds:.1f} s of loop time; "
        f"the session took {wall:.1f} s of wall time"
    )


def pytest_report_header() -> list[str]:
    return [
        f"asyncio_primer {asyncio_primer.__version__} from {asyncio_primer.__file__}",
        f"mode: {MODE} (ASYNCIO_PRIMER_MODE); dev mode: {bool(sys.flags.dev_mode)}; asyncio"
        f" debug mode: {'on' if MODE == 'debug' else 'off'}; faulthandler: on; leak guard around"
        " every test (tests/leak_guard.py)",
        *([NOT_WATCHED] if NOT_WATCHED else []),
    ]


#: On each test: whether its leak guard collects everything (see LeakGuard.stop), not only what
#: was made since the last test: the session's last test does, and so does the first test after
#: a fixture wider than one test (test_bench's module-scoped run) was torn down, since what that
#: fixture held was alive, hence frozen, at the end of every test that used it.
_COLLECT_EVERYTHING = pytest.StashKey[bool]()
_WIDER_FIXTURE_ENDED: list[bool] = [False]


def pytest_fixture_post_finalizer(fixturedef: pytest.FixtureDef[object]) -> None:
    if fixturedef.scope != "function":
        _WIDER_FIXTURE_ENDED[0] = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    item.stash[_COLLECT_EVERYTHING] = nextitem is None or _WIDER_FIXTURE_ENDED[0]
    _WIDER_FIXTURE_ENDED[0] = False
    return (yield)


@pytest.fixture(autouse=True)
def _leak_guard(request: pytest.FixtureRequest) -> Iterator[LeakGuard]:
    """Fail the test if it leaves a task, thread, fd, process or unretrieved error behind."""
    guard = LeakGuard(debug=MODE == "debug")
    guard.start()
    yield guard
    # Each test's collection walks only what was made since the last test (LeakGuard.stop freezes
    # the rest), but now and then everything (_COLLECT_EVERYTHING).
    guard.check(everything=request.node.stash.get(_COLLECT_EVERYTHING, True))


@pytest.fixture(scope="session", autouse=True)
def _tested_package_is_the_installed_one() -> None:
    """Under tox the tests must exercise the built wheel, not the source tree."""
    if os.environ.get("ASYNCIO_PRIMER_EXPECT_INSTALLED") == "1":
        assert "site-packages" in asyncio_primer.__file__, asyncio_primer.__file__
