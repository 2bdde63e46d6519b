"""``python -m asyncio_primer``: list, show and run the lessons (see ``--help``)."""

from __future__ import annotations

from asyncio_primer._support.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
