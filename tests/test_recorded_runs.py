"""The docs keep the lessons' recorded runs between builds (docs/_ext/primer_cache.py).

A run is read back only under the same key: the same lesson and clock, the same sources, the
same Python and modes. These tests keep runs in the test's temporary directory.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asyncio_primer import tasks
from asyncio_primer._support.timeline import output_lines, svg

DOCS_EXT = Path(__file__).resolve().parent.parent / "docs" / "_ext"
QUALNAME = "asyncio_primer.tasks.run_workers"


@pytest.fixture
def primer_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """The cache, keeping its runs in *tmp_path* (it needs Sphinx: the docs extra)."""
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    monkeypatch.syspath_prepend(str(DOCS_EXT))
    module = importlib.import_module("primer_cache")
    monkeypatch.setattr(module, "cache_dir", tmp_path / "recorded-runs")
    monkeypatch.setattr(module, "STATS", {"read back": 0, "ran": 0})
    monkeypatch.delenv("ASYNCIO_PRIMER_RERUN", raising=False)
    return module


def record(primer_cache: ModuleType, conditions: str = "measured here") -> tuple[Any, str]:
    result: tuple[Any, str] = primer_cache.recorded_run(
        QUALNAME, tasks.run_workers, virtual=True, watch_loop=False, conditions=lambda: conditions
    )
    return result


def test_a_second_build_reads_the_run_back_as_it_was(primer_cache: ModuleType) -> None:
    first, measured = record(primer_cache)
    again, measured_again = record(primer_cache, conditions="another build")
    assert primer_cache.STATS == {"read back": 1, "ran": 1}
    assert (measured, measured_again) == ("measured here", "measured here")  # when it ran
    assert output_lines(again.run) == output_lines(first.run)
    assert svg(again) == svg(first)
    assert output_lines(again.run)[-1] == "took 5 s on the loop's clock (virtual time)"


def test_a_change_to_what_decides_the_run_runs_it_again(
    primer_cache: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(primer_cache)
    monkeypatch.setattr(primer_cache, "_sources_digest", lambda concept: "a lesson changed")
    record(primer_cache)
    monkeypatch.setattr(primer_cache, "_interpreter", lambda: "another Python")
    record(primer_cache)
    assert primer_cache.STATS == {"read back": 0, "ran": 3}
    monkeypatch.setenv("ASYNCIO_PRIMER_RERUN", "1")
    record(primer_cache)
    assert primer_cache.STATS == {"read back": 0, "ran": 4}


def test_the_key_covers_the_lesson_its_clock_and_the_sources(primer_cache: ModuleType) -> None:
    key = primer_cache.key
    keys = {
        key(QUALNAME, virtual=True, watch_loop=False),
        key(QUALNAME, virtual=False, watch_loop=True),
        key("asyncio_primer.tasks.gather_in_order", virtual=True, watch_loop=False),
    }
    assert len(keys) == 3
    # benefits imports tasks: a change to tasks.py is a change to the benefits lessons' runs
    assert "tasks" in primer_cache._concept_imports(primer_cache._package() / "benefits.py")


def test_outside_a_build_nothing_is_kept(
    primer_cache: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(primer_cache, "cache_dir", None)
    record(primer_cache)
    record(primer_cache)
    assert primer_cache.STATS == {"read back": 0, "ran": 2}
    assert not (tmp_path / "recorded-runs").exists()


def test_a_run_that_does_not_read_back_exactly_is_not_kept(
    primer_cache: ModuleType, tmp_path: Path
) -> None:
    async def unpicklable() -> object:
        return lambda: None  # a lambda cannot be pickled

    for _ in range(2):
        primer_cache.recorded_run(
            "asyncio_primer.tasks.unpicklable",
            unpicklable,
            virtual=True,
            watch_loop=False,
            conditions=lambda: "",
        )
    assert primer_cache.STATS == {"read back": 0, "ran": 2}
    assert list((tmp_path / "recorded-runs").glob("*.pickle")) == []
