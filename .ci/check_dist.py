"""Build the sdist and the wheel, check them, and run the tests from the unpacked sdist.

Run by ``tox -e dist`` as ``python .ci/check_dist.py WORKDIR [PYTEST ARGS...]``, in an env that
has build, twine, check-wheel-contents, pyroma, setuptools and uv installed. Steps, each of which
fails the run:

1. ``python -m build`` makes the sdist from this tree, then the wheel from that sdist; the build
   must not print a deprecation warning (setuptools warns about old license metadata, say).
2. ``twine check --strict`` on both; ``check-wheel-contents`` on the wheel.
3. ``pyroma`` on the sdist, at 10/10 on every check but ``AuthorEmail`` and ``Url``: the project
   has no e-mail address and no public host yet, and made-up ones would be false metadata (add
   ``author_email`` and ``project_urls`` to setup.cfg once they exist, and drop the skip).
4. The sdist is unpacked, installed from that directory (extras test and bench, as the test
   envs have), and pytest runs there against the installed package: the sdist's tests, conftest
   and data are complete. The pytest arguments default to ``-x -q`` (the whole suite, stopping
   at the first failure).
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit("usage: check_dist.py WORKDIR [PYTEST ARGS...]")
    work = Path(argv[0]).resolve()
    pytest_args = argv[1:] or ["-x", "-q"]
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

    with tarfile.open(sdist) as archive:
        if sys.version_info >= (3, 12):
            archive.extractall(work, filter="data")
        else:
            archive.extractall(work)  # our own archive, just built
    unpacked = work / sdist.name.removesuffix(".tar.gz")
    step(
        "install the unpacked sdist",
        sys.executable,
        "-m",
        "uv",
        "pip",
        "install",
        "--python",
        sys.executable,
        "--reinstall-package",
        "asyncio-primer",
        f"{unpacked}[test,bench]",
    )
    # The pytest script, not `python -m pytest`: that would put the unpacked source on sys.path,
    # and the tests must import the installed package (conftest checks it under tox).
    command = [str(BIN / "pytest"), *pytest_args]
    print(f"\n== the sdist's tests, in {unpacked}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=unpacked, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
