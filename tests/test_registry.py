"""The lesson registry: every public lesson is registered once, and everything derives from it."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import sys
from typing import Any

import pytest

import asyncio_primer
from asyncio_primer import _registry
from asyncio_primer._registry import NEEDS, find, gated, lesson, lessons, missing_features
from asyncio_primer._support.runner import run_lesson
from asyncio_primer._validate import check_delay


def _public_definitions(concept: str) -> list[str]:
    """Public functions and classes a concept module defines (or imports from a private module),
    at the top level or inside a version gate, read from its source."""
    module = sys.modules[f"asyncio_primer.{concept}"]
    names = []
    for node in ast.parse(inspect.getsource(module)).body:
        body = node.body if isinstance(node, ast.If) else [node]
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(statement.name)
            elif isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith(
                "asyncio_primer._py"
            ):
                names.extend(alias.asname or alias.name for alias in statement.names)
    return [name for name in names if not name.startswith("_")]


@pytest.mark.parametrize("concept", asyncio_primer.CONCEPTS)
def test_every_public_lesson_is_registered_and_all_is_the_registry(concept: str) -> None:
    module = importlib.import_module(f"asyncio_primer.{concept}")
    here = [name for name in _public_definitions(concept) if hasattr(module, name)]
    registered = [facts.name for facts in lessons(concept).values()]
    assert registered == here, "a public function or class without @lesson, or out of order"
    assert list(module.__all__) == registered


def test_every_lesson_belongs_to_its_concept_and_is_the_exported_object() -> None:
    for qualname, facts in lessons().items():
        module = sys.modules[f"asyncio_primer.{facts.concept}"]
        assert qualname == facts.qualname
        assert getattr(module, facts.name) is facts.obj
        assert facts.needs <= NEEDS


def test_checks_name_real_parameters_and_the_defaults_pass_them() -> None:
    checked = 0
    for facts in lessons().values():
        if not facts.checks:
            continue
        parameters = inspect.signature(facts.obj).parameters
        for name, check in facts.checks.items():
            default = parameters[name].default
            if default is not inspect.Parameter.empty:
                check(default, name)  # a default a lesson would refuse is a bug
                checked += 1
    assert checked > 80


def test_a_checked_lesson_keeps_its_name_signature_docstring_and_kind() -> None:
    from asyncio_primer.tasks import run_workers, worker

    assert inspect.iscoroutinefunction(worker)
    assert worker.__name__ == "worker"
    assert str(inspect.signature(worker)) == "(name: 'str', delay: 'float') -> 'None'"
    assert (worker.__doc__ or "").startswith("Announce *name*")
    assert "@lesson" in inspect.getsource(run_workers)  # the source shown is the lesson's own


def test_checks_run_before_the_body_and_only_on_what_the_caller_passed() -> None:
    body_ran: list[float] = []

    @lesson(concept="test", delay=check_delay)
    async def sleeper(delay: float = 1.0) -> float:
        body_ran.append(delay)
        await asyncio.sleep(0)
        return delay

    try:
        refused = run_lesson(sleeper, -1.0)
        assert isinstance(refused.error, ValueError)
        assert str(refused.error).startswith("delay must be")
        assert body_ran == []
        assert run_lesson(sleeper).result == 1.0
        assert run_lesson(sleeper, delay=2.0).result == 2.0
        assert body_ran == [1.0, 2.0]
    finally:
        del _registry._REGISTERED["test"]


def test_a_check_for_a_parameter_that_does_not_exist_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match=r"has no parameter \['dealy'\]"):

        @lesson(concept="test", dealy=check_delay)
        async def typo(delay: float = 1.0) -> None: ...

    assert "test" not in _registry._REGISTERED


def test_a_lesson_is_declared_once() -> None:
    with pytest.raises(TypeError, match="has @lesson twice"):

        @lesson(concept="test")
        @lesson(concept="test")
        async def twice() -> None: ...

    del _registry._REGISTERED["test"]


def test_needs_must_come_from_the_known_features() -> None:
    with pytest.raises(ValueError, match="needs must be a subset of"):
        lesson(needs={"gpu"})
    with pytest.raises(ValueError, match="subset"):
        missing_features("threads")  # a string is not a collection of features


@pytest.mark.parametrize("qualname", sorted(gated()))
def test_a_gated_lesson_exists_exactly_from_its_python(qualname: str) -> None:
    version = gated()[qualname]
    if sys.version_info >= version:
        assert find(qualname).python == version
    else:
        with pytest.raises(LookupError, match=rf"needs Python {version[0]}\.{version[1]}"):
            find(qualname)


def test_the_gates_are_read_from_the_source_including_imports() -> None:
    assert gated()["errors.task_group_except_star"] == (3, 11)
    assert gated()["tasks.eager_tasks"] == (3, 12)
    assert gated()["queues.queue_shutdown"] == (3, 13)
    assert find("coroutines.greet").python == (3, 9)


def test_an_unknown_lesson_is_named_in_the_error() -> None:
    with pytest.raises(LookupError, match=r"no lesson named 'tasks\.nope'"):
        find("tasks.nope")


def test_what_the_platform_lacks_decides_where_a_lesson_runs() -> None:
    socket_lesson = find("streams.echo_over_tcp")
    assert socket_lesson.needs == {"sockets"}
    assert not socket_lesson.runs_in_browser
    assert find("coroutines.greet").runs_in_browser
    if _registry.ON_WEBASSEMBLY:
        assert socket_lesson.unavailable_reason() == (
            "needs sockets, which WebAssembly (Pyodide) does not have"
        )
    elif sys.platform == "linux":
        assert socket_lesson.unavailable_reason() is None
    counts: dict[str, Any] = dict.fromkeys(sorted(NEEDS), 0)
    for facts in lessons().values():
        for need in facts.needs:
            counts[need] += 1
    assert all(counts.values()), counts  # every feature is needed by some lesson
