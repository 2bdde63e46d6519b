"""The README's set-up stays two commands, and CI runs the README's test command as written."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Build the primer and run the tests"


def _commands(shell_text: str) -> list[str]:
    """The commands of a shell snippet: its lines without comments, blank lines or `export`s."""
    commands = [" ".join(shlex.split(line, comments=True)) for line in shell_text.splitlines()]
    return [command for command in commands if command and not command.startswith("export ")]


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    first_block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert first_block is not None, f"no ```sh block under {SECTION!r}"
    return _commands(first_block.group(1))


def test_the_readme_builds_and_tests_with_two_commands_through_the_bootstrap() -> None:
    build, test = _readme_commands()
    assert build == ".ci/tox -e docs"
    assert test == ".ci/tox -p auto"
    assert os.access(ROOT / ".ci" / "tox", os.X_OK)


def test_ci_runs_the_readmes_test_command_as_written() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _commands(ci.split("\nfi\n", 1)[1])[-1] == _readme_commands()[1]


def test_the_bootstrap_calls_pip_only_inside_its_own_virtual_environment() -> None:
    """A system Python under PEP 668 refuses `pip install`: .ci/tox must never ask it to."""
    script = (ROOT / ".ci" / "tox").read_text(encoding="utf-8")
    calls = [line.strip() for line in script.splitlines() if re.search(r"\bpip\b", line)]
    calls = [line for line in calls if not line.startswith("#")]
    assert calls  # it does install tox, with pip ...
    assert all(line.startswith('"$venv/bin/python" -m pip install') for line in calls), calls
