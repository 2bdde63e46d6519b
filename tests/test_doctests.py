"""Run every lesson's docstring examples, on every interpreter, against the installed package."""

from __future__ import annotations

import doctest
import importlib
from typing import Any

import pytest

from asyncio_primer._support.runner import lessons

LESSONS = lessons()


@pytest.mark.parametrize("qualname", list(LESSONS))
def test_docstring_examples(qualname: str) -> None:
    concept = qualname.split(".")[0]
    module = importlib.import_module(f"asyncio_primer.{concept}")
    lesson: Any = LESSONS[qualname]
    finder = doctest.DocTestFinder(recurse=False)
    examples = finder.find(lesson, qualname, globs=dict(vars(module)))
    assert examples, f"{qualname} has no docstring"
    assert examples[0].examples, f"{qualname} has no docstring example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for example in examples:
        runner.run(example)
    assert runner.summarize(verbose=False).failed == 0
