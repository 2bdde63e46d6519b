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
