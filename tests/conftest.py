"""Shared test helpers: every lesson runs through the primer's own runner, on virtual time."""

from __future__ import annotations

import os

import pytest

import asyncio_primer


def pytest_report_header() -> list[str]:
    return [f"asyncio_primer {asyncio_primer.__version__} from {asyncio_primer.__file__}"]


@pytest.fixture(scope="session", autouse=True)
def _tested_package_is_the_installed_one() -> None:
    """Under tox the tests must exercise the built wheel, not the source tree."""
    if os.environ.get("ASYNCIO_PRIMER_EXPECT_INSTALLED") == "1":
        assert "site-packages" in asyncio_primer.__file__, asyncio_primer.__file__
