"""Argument checks shared by the lessons (not a lesson itself).

A lesson calls these before it starts any task, so bad input fails at once with a message that
names the bad value, instead of hanging or failing deep inside :mod:`asyncio`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["check_delay", "check_delays", "check_positive_int"]


def check_delay(delay: float, name: str = "delay") -> float:
    """Return *delay* if it is a finite number of seconds >= 0, else raise.

    :raises TypeError: if *delay* is not a real number (``bool`` is refused too).
    :raises ValueError: if *delay* is negative, NaN or infinite.
    """
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {delay!r}")
    if not math.isfinite(delay) or delay < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0, got {delay!r}")
    return delay


def check_delays(delays: Sequence[float], name: str = "delays") -> Sequence[float]:
    """Check every delay in *delays* (see :func:`check_delay`) and that there is at least one.

    :raises ValueError: if *delays* is empty or one of them is bad.
    """
    if isinstance(delays, (str, bytes)) or not isinstance(delays, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, got {delays!r}")
    if not delays:
        raise ValueError(f"{name} must not be empty, got {delays!r}")
    for index, delay in enumerate(delays):
        check_delay(delay, f"{name}[{index}]")
    return delays


def check_positive_int(value: int, name: str) -> int:
    """Return *value* if it is an ``int`` >= 1, else raise.

    :raises TypeError: if *value* is not an ``int``.
    :raises ValueError: if *value* is smaller than 1.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return value
