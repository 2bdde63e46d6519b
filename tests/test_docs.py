"""The docs list every lesson, each concept has its page, in teaching order."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

import asyncio_primer
from asyncio_primer._support.runner import concept_modules

DOCS = Path(__file__).resolve().parent.parent / "docs"
LESSON = re.compile(r"^\.\. lesson:: asyncio_primer\.(\w+)\.(\w+)\s*$", re.MULTILINE)


def documented(concept: str) -> list[str]:
    page = (DOCS / f"{concept}.rst").read_text(encoding="utf-8")
    return [name for module, name in LESSON.findall(page) if module == concept]


@pytest.mark.parametrize("module", concept_modules(), ids=lambda m: m.__name__)
def test_every_lesson_is_on_its_concept_page_in_teaching_order(module: ModuleType) -> None:
    concept = module.__name__.rsplit(".", 1)[1]
    names = list(module.__all__)
    on_page = documented(concept)
    # Lessons gated to a newer Python are on the page even where they are absent.
    assert [n for n in on_page if n in names] == names


def test_the_front_page_lists_the_concepts_in_order() -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    positions = [index.find(f"\n   {concept}\n") for concept in asyncio_primer.CONCEPTS]
    assert -1 not in positions, positions
    assert positions == sorted(positions)


#: Pages that are measurements rather than lessons, and end with their findings instead.
NO_SUMMARY = {"benefits"}


@pytest.mark.parametrize("concept", [c for c in asyncio_primer.CONCEPTS if c not in NO_SUMMARY])
def test_every_concept_page_ends_with_what_the_reader_now_knows(concept: str) -> None:
    page = (DOCS / f"{concept}.rst").read_text(encoding="utf-8")
    summary = re.search(r"^What you now know.*\n-{3,}\n", page, re.MULTILINE)
    assert summary, f"{concept}.rst has no 'What you now know' section"
    last_lesson = max(m.start() for m in LESSON.finditer(page))
    assert last_lesson < summary.start(), f"{concept}.rst has lessons after its summary"


def test_the_learner_aids_are_in_the_table_of_contents() -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    for page in ("cheatsheet", "which_api", "wrong_tool", "glossary"):
        assert f"\n   {page}\n" in index, page
        assert (DOCS / f"{page}.rst").exists(), page
