"""Argument checks shared by the lessons (not a lesson itself).

A lesson calls these before it starts any task, so bad input fails at once with a message that
names the bad value, instead of hanging or failing deep inside :mod:`asyncio`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = [
    "check_bytes",
    "check_choice",
    "check_delay",
    "check_delays",
    "check_int_range",
    "check_line",
    "check_lines",
    "check_positive_int",
    "check_non_empty_bytes",
    "check_timeout",
    "int_between",
    "one_of",
]


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


T = TypeVar("T")


def _check_each(
    items: Sequence[T], name: str, what: str, check: Callable[[T, str], object]
) -> None:
    """Check that *items* is a non-empty sequence (not a string) and *check* each one."""
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(f"{name} must be a sequence of {what}, got {items!r}")
    if not items:
        raise ValueError(f"{name} must not be empty, got {items!r}")
    for index, item in enumerate(items):
        check(item, f"{name}[{index}]")


def check_delays(delays: Sequence[float], name: str = "delays") -> Sequence[float]:
    """Check every delay in *delays* (see :func:`check_delay`) and that there is at least one.

    :raises ValueError: if *delays* is empty or one of them is bad.
    """
    _check_each(delays, name, "numbers", check_delay)
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


def check_choice(value: str, choices: Sequence[str], name: str) -> str:
    """Return *value* if it is one of *choices*, else raise.

    :raises ValueError: if *value* is not one of *choices*.
    """
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_timeout(timeout: float, name: str = "timeout") -> float:
    """Return *timeout* if it is a finite number of seconds > 0, else raise.

    :raises TypeError: if *timeout* is not a real number (``bool`` is refused too).
    :raises ValueError: if *timeout* is zero, negative, NaN or infinite.
    """
    check_delay(timeout, name)
    if timeout == 0:
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {timeout!r}")
    return timeout


def check_int_range(value: int, name: str, low: int, high: int) -> int:
    """Return *value* if it is an ``int`` with ``low <= value <= high``, else raise.

    :raises TypeError: if *value* is not an ``int``.
    :raises ValueError: if *value* is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")
    return value


def check_bytes(value: bytes, name: str, *, allow_empty: bool = True) -> bytes:
    """Return *value* if it is ``bytes`` (not empty unless *allow_empty*), else raise.

    :raises TypeError: if *value* is not ``bytes``.
    :raises ValueError: if *value* is empty and *allow_empty* is false.
    """
    if not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes, got {value!r}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {value!r}")
    return value


def check_line(text: str, name: str = "line") -> str:
    """Return *text* if it is a ``str`` on one line (no line break, no NUL), else raise.

    :raises TypeError: if *text* is not a ``str``.
    :raises ValueError: if *text* holds a line break or a NUL character.
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {text!r}")
    if any(character in text for character in "\r\n\0"):
        raise ValueError(f"{name} must be one line without NUL, got {text!r}")
    return text


def check_lines(lines: Sequence[str], name: str = "lines") -> Sequence[str]:
    """Check that *lines* is a non-empty sequence of one-line strings (see :func:`check_line`).

    :raises TypeError: if *lines* is not a sequence of ``str``.
    :raises ValueError: if *lines* is empty or one of them is not one line.
    """
    _check_each(lines, name, "str", check_line)
    return lines


def one_of(*choices: str) -> Callable[[str, str], str]:
    """A check that a value is one of *choices* (see :func:`check_choice`)."""

    def check(value: str, name: str) -> str:
        return check_choice(value, choices, name)

    return check


def int_between(low: int, high: int) -> Callable[[int, str], int]:
    """A check that a value is an ``int`` from *low* to *high* (see :func:`check_int_range`)."""

    def check(value: int, name: str) -> int:
        return check_int_range(value, name, low, high)

    return check


def check_non_empty_bytes(value: bytes, name: str) -> bytes:
    """Return *value* if it is non-empty ``bytes``, else raise (see :func:`check_bytes`)."""
    return check_bytes(value, name, allow_empty=False)
