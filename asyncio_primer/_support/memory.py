"""How much memory this process holds, for :func:`asyncio_primer.benefits.tasks_vs_threads`.

Not a lesson. Platform-only modules are imported only where they are used, so that the lessons
import everywhere (Windows and WebAssembly have no :mod:`resource` module).
"""

from __future__ import annotations

import os
import sys

__all__ = ["resident_memory"]


def resident_memory() -> int:
    """The process's resident set size (RSS) in bytes: ``/proc/self/statm`` on Linux.

    Elsewhere on Unix (macOS) it falls back to the *peak* RSS (:func:`resource.getrusage`),
    which only ever grows, so a difference of two readings is then a lower bound.

    :raises NotImplementedError: where neither exists (Windows, WebAssembly).
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        return _peak_resident_memory()


def _peak_resident_memory() -> int:  # pragma: no cover - not Linux
    """The *peak* RSS in bytes, from :func:`resource.getrusage` (Unix only)."""
    try:
        import resource
    except ImportError:
        raise NotImplementedError(
            f"cannot read this process's resident memory on {sys.platform}"
            " (no /proc/self/statm, no resource module)"
        ) from None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux, bytes on macOS
