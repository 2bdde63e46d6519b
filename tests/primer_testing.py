"""Helpers for the tests (importable because ``pythonpath = tests`` in setup.cfg)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from asyncio_primer._support.runner import Run, run_lesson


def needs_python(major: int, minor: int, what: str) -> pytest.MarkDecorator:
    """Skip a test below Python *major.minor*, saying which feature needs it."""
    return pytest.mark.skipif(
        sys.version_info < (major, minor),
        reason=f"needs Python {major}.{minor} ({what})",
    )


def case_ids(cases: list[tuple[Any, ...]]) -> list[str]:
    """Test ids for (lesson, kwargs, ...) cases, in plain ASCII: ``echo_over_tcp-lines-1``.

    A repr of the bad value (``'two\\nlines'``) would make an id that some tools cannot pass
    back to pytest (mutmut selects tests by id): name the lesson and the parameter instead.
    """
    return [f"{case[0].__name__}-{'-'.join(case[1])}-{index}" for index, case in enumerate(cases)]


def names_parameter_first(error: BaseException | None, parameter: str) -> bool:
    """Whether *error*'s message starts with *parameter*: ``delay must ...``, ``delays[1] ...``."""
    return re.match(rf"{re.escape(parameter)}\b", str(error)) is not None


def assert_refused(
    run: Run, error: type[Exception], shown: str, parameter: str | None = None
) -> None:
    """Assert that *run*'s lesson refused its input before doing anything.

    It raised exactly *error*, whose message holds *shown* (the bad value, say) and starts with
    the *parameter*'s name if one is given, printed nothing and, on virtual time, took no time.
    """
    assert type(run.error) is error, repr(run.error)
    assert shown in str(run.error)
    if parameter is not None:
        assert names_parameter_first(run.error, parameter), repr(run.error)
    assert run.printed == []
    if run.virtual:
        assert run.elapsed == 0.0


#: A bad-input case: (lesson, {parameter: bad value}, the error it raises, what its message shows).
RefusalCase = tuple[Callable[..., Any], dict[str, Any], type[Exception], str]


def refusal_test(cases: list[RefusalCase]) -> Callable[..., None]:
    """One test over *cases*: each lesson, given its one bad argument, refuses it at once.

    Run on real time (no socket, child or thread may start before the check), it raises the
    case's error, naming the parameter first and showing the bad value (:func:`assert_refused`).
    Assign the result to a ``test_...`` name in a concept's test module; ids from :func:`case_ids`.
    """

    def test(
        lesson: Callable[..., Any], kwargs: dict[str, Any], error: type[Exception], shown: str
    ) -> None:
        run = run_lesson(lesson, virtual=False, **kwargs)
        (parameter,) = kwargs
        assert_refused(run, error, shown, parameter)

    parametrize = pytest.mark.parametrize(
        ("lesson", "kwargs", "error", "shown"), cases, ids=case_ids(cases)
    )
    parametrized: Callable[..., None] = parametrize(test)
    return parametrized


@contextlib.contextmanager
def expect_handler_restored(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Check that a lesson with its own exception handler puts back the one it found.

    Use it as ``run_lesson(lesson, setup=expect_handler_restored)``: it installs a handler that
    records what reaches it, and after the lesson checks that the lesson restored that handler and
    that nothing reached it; then it puts back the handler that was there before (the leak guard's).
    """
    outer = loop.get_exception_handler()
    seen: list[dict[str, Any]] = []

    def previous(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        seen.append(context)

    loop.set_exception_handler(previous)
    try:
        yield
    finally:
        restored = loop.get_exception_handler() is previous
        loop.set_exception_handler(outer)
    assert restored, "the lesson did not restore the previous exception handler"
    assert seen == [], f"the lesson's error reached the previous handler: {seen}"
