"""Helpers for the tests (importable because ``pythonpath = tests`` in setup.cfg)."""

from __future__ import annotations

import sys

import pytest


def needs_python(major: int, minor: int, what: str) -> pytest.MarkDecorator:
    """Skip a test below Python *major.minor*, saying which feature needs it."""
    return pytest.mark.skipif(
        sys.version_info < (major, minor),
        reason=f"needs Python {major}.{minor} ({what})",
    )
