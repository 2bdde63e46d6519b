"""Build the sdist and the wheel and check them; or run the tests from an unpacked sdist.

Two commands, one per tox env:

``python .ci/check_dist.py build WORKDIR`` (``tox -e dist``), in an env that has build, twine,
check-wheel-contents, pyroma, setuptools and uv installed. Steps, each of which fails the run:

1. ``python -m build`` makes the sdist from this tree, then the wheel from that sdist; the build
   must not print a deprecation warning (setuptools warns about old license metadata, say).
2. ``twine check --strict`` on both; ``check-wheel-contents`` on the wheel.
3. ``pyroma`` on the sdist, at 10/10 on every check but ``AuthorEmail`` and ``Url``: the project
   has no e-mail address and no public host yet, and made-up ones would be false metadata (add
   ``author_email`` and ``project_urls`` to setup.cfg once they exist, and drop the skip).

``python .ci/check_dist.py tests WORKDIR [PYTEST ARGS...]`` (``tox -e py313-plain``, whose
package is the sdist: tox builds it, and installs it, with the test and bench extras): unpack
that sdist (``$TOX_PACKAGE``) into WORKDIR and run pytest there, against the installed package,
with the env's settings. The whole suite passing from there shows that the sdist's tests,
conftest and data are complete. That env's run is one of the matrix's suite runs anyway, so the
check costs an unpack, not a suite run of its own (#15: the warm matrix's time).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYROMA_SKIPPED = "AuthorEmail,Url"


def step(title: str, *command: str | Path, cwd: Path = ROOT) -> str:
    """Run *command*, echo its output, fail the run if it fails; return the output."""
    print(f"\n== {title}: {' '.join(map(str, command))}", flush=True)
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stdout)
        raise SystemExit(f"check_dist: {title} failed (exit status {done.returncode})")
    return done.stdout


def build(work: Path) -> int:
    """Build the sdist and the wheel into *work*/dist and check both."""
    shutil.rmtree(work, ignore_errors=True)
    dist = work / "dist"

    # uv makes build's isolated environment (seconds, from its cache, instead of pip's minute)
    output = step(
        "build", sys.executable, "-m", "build", "--installer", "uv", "--outdir", dist, ROOT
    )
    print(output.strip().splitlines()[-1])
    deprecations = [
        line
        for line in output.splitlines()
        if re.search(r"deprecationwarning|\bdeprecat(ed|ion)\b", line, re.I)
    ]
    if deprecations:
        print("\n".join(deprecations))
        raise SystemExit("check_dist: the build printed deprecation warnings")
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")

    print(step("twine", BIN / "twine", "check", "--strict", sdist, wheel).strip())
    print(step("check-wheel-contents", BIN / "check-wheel-contents", wheel).strip())
    rating = step(
        "pyroma",
        BIN / "pyroma",
        "--min=10",
        f"--skip-tests={PYROMA_SKIPPED}",
        "--file",
        sdist,
    )
    print("\n".join(line for line in rating.splitlines() if "rating" in line or "Your" in line))
    print(f"(skipped: {PYROMA_SKIPPED} — see this script's docstring)")
    return 0


def tests(work: Path, pytest_args: list[str]) -> int:
    """Unpack the sdist tox installed ($TOX_PACKAGE) into *work*; run its tests there."""
    packages = [Path(p) for p in os.environ.get("TOX_PACKAGE", "").split(os.pathsep) if p]
    sdists = [p for p in packages if p.name.endswith(".tar.gz")]
    if len(sdists) != 1:
        raise SystemExit(f"check_dist: expected one sdist in $TOX_PACKAGE, got {packages}")
    (sdist,) = sdists
    shutil.rmtree(work, ignore_errors=True)
    with tarfile.open(sdist) as archive:
        if sys.version_info >= (3, 12):
            archive.extractall(work, filter="data")
        else:
            archive.extractall(work)  # our own archive, just built
    unpacked = work / sdist.name.removesuffix(".tar.gz")
    # The pytest script, not `python -m pytest`: that would put the unpacked source on sys.path,
    # and the tests must import the installed package (conftest checks it under tox).
    command = [str(BIN / "pytest"), *pytest_args]
    print(f"the sdist's tests, in {unpacked}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=unpacked, check=False).returncode


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"build", "tests"}:
        raise SystemExit(
            "usage: check_dist.py build WORKDIR | check_dist.py tests WORKDIR [PYTEST ARGS...]"
        )
    command, work = argv[0], Path(argv[1]).resolve()
    if command == "build":
        if argv[2:]:
            raise SystemExit(f"check_dist: build takes no other arguments, got {argv[2:]}")
        return build(work)
    return tests(work, argv[2:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
