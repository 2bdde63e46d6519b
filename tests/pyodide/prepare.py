"""Get ready to run the tests in Pyodide: Node's packages, and a folder of unpacked wheels.

Run on the host by tox (``tox -e py314`` / ``py315``) before ``run.mjs``::

    python tests/pyodide/prepare.py --python 3.14 --dir .tox/py314/pyodide [--wheel PATH]

1. ``npm ci`` in ``tests/pyodide`` unless ``node_modules`` already holds exactly what
   ``package-lock.json`` pins (then nothing is installed).
2. ``pip download`` the project's runtime dependencies and its ``test`` extra as pure-Python wheels
   for that Python (``--only-binary=:all: --platform any``: Pyodide cannot build or load anything
   else, and fetches nothing at test time), into ``DIR/wheels``. A later run whose requirements are
   unchanged downloads nothing.
3. Unpack them, and the project's wheel (``--wheel``, or the one tox built: ``$TOX_PACKAGE``), into
   ``DIR/site-packages``, the folder ``run.mjs`` mounts in Pyodide and puts on ``sys.path``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The extra whose requirements the tests need, besides the runtime ones.
EXTRA = "test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, choices=["3.14", "3.15"])
    parser.add_argument("--dir", required=True, type=Path, help="where wheels and site go")
    parser.add_argument("--wheel", type=Path, help="the project's wheel (default: $TOX_PACKAGE)")
    args = parser.parse_args(argv)

    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"prepare.py: {tool} is not on PATH; the py314/py315 envs need Node.js"
            )
    npm_ci()
    wheel = args.wheel or tox_wheel()
    wheels = download(wheel, args.python, args.dir / "wheels")
    unpack(wheel, wheels, args.dir / "site-packages")
    return 0


def tox_wheel() -> Path:
    found = [Path(p) for p in os.environ.get("TOX_PACKAGE", "").split(os.pathsep) if p]
    found = [p for p in found if p.suffix == ".whl"]
    if len(found) != 1:
        raise SystemExit(
            f"prepare.py: expected one wheel in $TOX_PACKAGE, got {found}; pass --wheel PATH"
        )
    return found[0]


# -- Node ------------------------------------------------------------------------------------
def npm_ci() -> None:
    """``npm ci`` unless node_modules matches the lock file (several envs may ask at once)."""
    with _locked(Path(tempfile.gettempdir()) / f"asyncio-primer-npm-{_digest(str(HERE))}.lock"):
        stale = _stale_node_modules()
        if stale:
            print(f"prepare.py: npm ci ({stale})", flush=True)
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=HERE, check=True
            )
            stale = _stale_node_modules()
            if stale:
                raise SystemExit(f"prepare.py: after npm ci, node_modules still differs: {stale}")


def _stale_node_modules() -> str | None:
    """Why node_modules does not match package-lock.json, or None if it does."""
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    for where, pinned in lock["packages"].items():
        if not where:
            continue  # the project itself
        manifest = HERE / where / "package.json"
        try:
            installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            return f"{where} is missing"
        if installed != pinned["version"]:
            return f"{where} is {installed}, the lock pins {pinned['version']}"
    return None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the envs run one at a time there
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- wheels ----------------------------------------------------------------------------------
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _requirements(wheel: Path) -> list[str]:
    """The Requires-Dist lines of *wheel*'s metadata."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    return sorted(
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    )


def download(wheel: Path, python: str, folder: Path) -> list[Path]:
    """The dependencies' wheels, downloaded into *folder* unless the same set is there already."""
    key = json.dumps({"python": python, "extra": EXTRA, "requires": _requirements(wheel)})
    stamp = folder / "requirements.json"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        wheels = sorted(folder.glob("*.whl"))
        print(f"prepare.py: {len(wheels)} wheels for Python {python} already in {folder}")
        return wheels
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        # pip resolves the project's requirements (and the test extra's) from its wheel; the
        # project's own wheel it copies into scratch, which is thrown away.
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--platform", "any", "--implementation", "py", "--abi", "none",
            "--python-version", python, "--dest", scratch, f"{wheel.resolve()}[{EXTRA}]",
        ]  # fmt: skip
        print("prepare.py:", " ".join(command[2:]), flush=True)
        # pip on the host needs none of the tests' strictness (tox sets it for the tests)
        quiet = {
            k: v for k, v in os.environ.items() if k not in ("PYTHONDEVMODE", "PYTHONWARNINGS")
        }
        subprocess.run(command, check=True, env=quiet)
        own = _dist_name(wheel)
        for path in Path(scratch).glob("*.whl"):
            if _dist_name(path) != own:
                shutil.move(str(path), folder / path.name)
    wheels = sorted(folder.glob("*.whl"))
    stamp.write_text(key, encoding="utf-8")
    print(f"prepare.py: downloaded {len(wheels)} wheels: {', '.join(p.name for p in wheels)}")
    return wheels


def _dist_name(wheel: Path) -> str:
    return wheel.name.split("-", 1)[0].lower().replace(".", "_")


def unpack(project: Path, wheels: list[Path], site: Path) -> None:
    """Unpack *wheels* into *site* (when they changed) and *project*'s wheel (every time)."""
    key = "\n".join(p.name for p in wheels)
    stamp = site / ".wheels"
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8") == key):
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
        for path in wheels:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(site)
        stamp.write_text(key, encoding="utf-8")
    # the project's files from the last run go first: a module removed since must not linger
    with zipfile.ZipFile(project) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        tops |= {p.name for p in site.glob(f"{_dist_name(project)}-*.dist-info")}
        for top in tops:
            shutil.rmtree(site / top, ignore_errors=True)
        archive.extractall(site)
    print(f"prepare.py: {project.name} and {len(wheels)} dependencies unpacked in {site}")


if __name__ == "__main__":
    sys.exit(main())
