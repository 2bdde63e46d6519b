"""The built primer's intersphinx inventory: what other projects' docs can link to.

Run by ``tox -e browser`` after ``tox -e docs`` (it reads ``docs/_build/html/objects.inv``, or
``$PRIMER_HTML/objects.inv``), with sphobjinv, the inventory reader intersphinx users check
their links with. Here rather than in the Python envs: those do not build the docs (40-60 s).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sphobjinv

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("PRIMER_HTML", ROOT / "docs" / "_build" / "html"))


def _inventory() -> dict[tuple[str, str], str]:
    """``(role, name)`` -> the page and anchor it links to, for the Python objects."""
    path = HTML / "objects.inv"
    assert path.is_file(), f"build the docs first (tox -e docs): no {path}"
    inventory = sphobjinv.Inventory(fname_zlib=str(path))
    return {(o.role, o.name): o.uri_expanded for o in inventory.objects if o.domain == "py"}


def test_the_package_and_concepts_can_be_linked_to() -> None:
    found = _inventory()
    assert found[("module", "asyncio_primer")] == "package.html#module-asyncio_primer"
    assert found[("data", "asyncio_primer.CONCEPTS")] == "package.html#asyncio_primer.CONCEPTS"


def test_every_documented_module_can_be_linked_to() -> None:
    found = _inventory()
    automodule = re.compile(r"^\.\. automodule:: (\S+)$", re.MULTILINE)
    modules = [
        name
        for page in sorted((ROOT / "docs").glob("*.rst"))
        for name in automodule.findall(page.read_text(encoding="utf-8"))
    ]
    assert "asyncio_primer.tasks" in modules
    assert [name for name in modules if ("module", name) not in found] == []
