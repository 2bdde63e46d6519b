"""tox's inline plugin: the ``pyodide`` runner of the py314 and py315 envs (see tox.ini).

Those envs are named for the Python they test, CPython 3.14 / 3.15 compiled to WebAssembly
(Pyodide, run by Node.js; tests/pyodide/). tox would read ``py314`` as "find a python3.14", and
refuse a ``base_python`` that disagrees with the name. This runner is tox's usual one (tox-uv's,
or virtualenv's) except that it lets the name and ``base_python`` differ: the env's virtual
environment is on the host's Python, which only prepares the wheels and starts Node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tox.plugin import impl

if TYPE_CHECKING:
    from tox.tox_env.register import ToxEnvRegister


@impl
def tox_register_tox_env(register: ToxEnvRegister) -> None:
    try:
        from tox_uv._run import UvVenvRunner as Runner
    except ImportError:  # plain tox
        from tox.tox_env.python.virtual_env.runner import VirtualEnvRunner as Runner

    class PyodideRunner(Runner):  # type: ignore[misc,valid-type]
        @staticmethod
        def id() -> str:
            return "pyodide"

        @classmethod
        def _validate_base_python(
            cls, env_name: str, base_pythons: list[str], ignore_base_python_conflict: bool
        ) -> list[str]:
            # the name says which Pyodide; base_python is the host's Python
            return base_pythons

    register.add_run_env(PyodideRunner)
