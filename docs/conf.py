"""Sphinx configuration for the asyncio primer."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "asyncio primer"
author = "the asyncio_primer developers"
copyright = "2026, the asyncio_primer developers"
release = importlib.metadata.version("asyncio-primer")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx_autodoc_typehints",
    "sphinx_copybutton",
    "primer_lessons",
    # keeps the lessons' recorded runs between builds (docs/_build/recorded-runs)
    "primer_cache",
    "primer_bench",
    "primer_generated",
    # a Run button on each lesson: the lesson in the reader's browser, on Pyodide (#14)
    "primer_run",
]

default_role = "py:obj"
nitpicky = True
exclude_patterns = ["_build"]

# autodoc and sphinx-autodoc-typehints: types come from the annotations, once, in the signature
# and the field list; lessons are documented one by one, in teaching order, by the `lesson`
# directive.
autodoc_member_order = "bysource"
typehints_use_signature = True
typehints_use_signature_return = True
always_use_bars_union = True


def typehints_fixup_module_name(module: str) -> str:
    """Name asyncio's types as asyncio's docs do (``asyncio.X``, not ``asyncio.events.X``)."""
    return "asyncio" if module.startswith("asyncio.") else module


# Offline intersphinx: read the inventory that Debian's python3-doc installs, link to the
# official site. Set PYTHON_INVENTORY to use another local copy.
PYTHON_INVENTORY = os.environ.get("PYTHON_INVENTORY", "/usr/share/doc/python3.11/html/objects.inv")
intersphinx_mapping = {"python": ("https://docs.python.org/3", PYTHON_INVENTORY)}

# sphinx-copybutton: copy examples without their ">>> ", "... " or "$ " prompts.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = False

html_theme = "furo"
html_title = f"asyncio primer {release}"
html_static_path = ["_static"]
# primer.css: code wraps instead of scrolling, signatures wrap on phones, timelines' legend
html_css_files = ["primer.css"]
# A favicon of our own: without one, browsers ask for /favicon.ico and log a 404.
html_favicon = "_static/favicon.svg"
