"""Safety, read from the lessons' source (``ast``): loopback only, port 0, no shell injection.

At run time the leak guard (``leak_guard.py``) enforces the same around every test through an
audit hook: a bind to anything but loopback port 0 (or a unix path in the temporary directory),
a connection or name lookup that is not loopback, or a file opened for writing outside the
temporary directory fails the lesson and the test (see ``test_leak_guard.py``).
"""

from __future__ import annotations

import ast
import ipaddress
import sys
from pathlib import Path

import pytest

import asyncio_primer

PACKAGE = Path(asyncio_primer.__file__).parent
SOURCES = [
    pytest.param(
        path,
        id=path.name,
        marks=pytest.mark.skipif(  # `except*` is a syntax error for ast.parse before 3.11
            path.name.startswith("_py311") and sys.version_info < (3, 11),
            reason="needs Python 3.11 to parse",
        ),
    )
    # _support too: the echo benchmark's servers and clients (_support/echo.py) live there
    for path in sorted(PACKAGE.rglob("*.py"))
]
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
#: Calls that listen or connect, and the positions of their host and port arguments.
NETWORK_CALLS = {
    "start_server": (1, 2),
    "create_server": (1, 2),
    "open_connection": (0, 1),
    "create_connection": (1, 2),
    "create_datagram_endpoint": (None, None),
}
SHELL_CALLS = {"create_subprocess_shell", "subprocess_shell", "system", "popen", "getoutput"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(), str(path))) if isinstance(n, ast.Call)]


def _is_shlex(func: ast.expr, name: str) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == name
        and isinstance(func.value, ast.Name)
        and func.value.id == "shlex"
    )


def _is_quoted(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> bool:
    """A shell command built only from literals and shlex.quote()/shlex.join() results.

    *assigned* maps the enclosing function's local names to the values assigned to them.
    """
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        values = assigned.get(node.id, [])
        return bool(values) and all(_is_quoted(v, assigned) for v in values)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant)
            or (isinstance(v, ast.FormattedValue) and _is_quoted(v.value, assigned))
            for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_quoted(node.left, assigned) and _is_quoted(node.right, assigned)
    if isinstance(node, ast.Call):
        if _is_shlex(node.func, "quote") or _is_shlex(node.func, "join"):
            return True
        if (  # " ".join(shlex.quote(part) for part in parts)
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant)
            and len(node.args) == 1
        ):
            parts = node.args[0]
            if isinstance(parts, (ast.GeneratorExp, ast.ListComp)):
                return _is_quoted(parts.elt, assigned)
            if isinstance(parts, (ast.List, ast.Tuple)):
                return all(_is_quoted(e, assigned) for e in parts.elts)
    return False


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and node.value and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.value)
    return assigned


def _host_ok(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in LOOPBACK
    return True  # a variable: the run-time guard checks what it holds


def _port_ok(node: ast.expr) -> bool:
    return not (isinstance(node, ast.Constant) and node.value != 0)


@pytest.mark.parametrize("path", SOURCES)
def test_servers_and_clients_use_loopback_and_port_0(path: Path) -> None:
    for call in _calls(path):
        if _name(call.func) not in NETWORK_CALLS:
            continue
        host_at, port_at = NETWORK_CALLS[_name(call.func)]
        keywords = {k.arg: k.value for k in call.keywords}
        host = keywords.get(
            "host", call.args[host_at] if host_at is not None and len(call.args) > host_at else None
        )
        port = keywords.get(
            "port", call.args[port_at] if port_at is not None and len(call.args) > port_at else None
        )
        where = f"{path.name}:{call.lineno}"
        assert host is None or _host_ok(host), f"{where}: listens or connects off loopback"
        assert port is None or _port_ok(port), f"{where}: a fixed port; use port 0"
        for address in ("local_addr", "remote_addr"):
            if isinstance(keywords.get(address), ast.Tuple):
                host_node = keywords[address].elts[0]  # type: ignore[attr-defined]
                assert _host_ok(host_node), f"{where}: {address} off loopback"


@pytest.mark.parametrize("path", SOURCES)
def test_every_address_literal_is_loopback(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                address = ipaddress.ip_address(node.value)
            except ValueError:
                continue
            assert address.is_loopback, f"{path.name}:{node.lineno}: address {node.value!r}"


@pytest.mark.parametrize("path", SOURCES)
def test_no_untrusted_string_reaches_a_shell(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    functions = [
        f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for function in [tree, *functions]:
        _check_shell_calls(path, function)


def _check_shell_calls(path: Path, function: ast.AST) -> None:
    assigned = _assignments(function)
    for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
        where = f"{path.name}:{call.lineno}"
        shell = any(
            k.arg == "shell" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in call.keywords
        )
        if _name(call.func) in SHELL_CALLS or shell:
            assert call.args, f"{where}: a shell command passed by keyword"
            assert _is_quoted(call.args[0], assigned), (
                f"{where}: the shell command is built from something not passed through "
                "shlex.quote() (or shlex.join())"
            )


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import asyncio, os\n"
        "async def f(user):\n"
        "    await asyncio.start_server(None, '0.0.0.0', 8080)\n"
        "    await asyncio.create_subprocess_shell(f'echo {user}')\n"
        "    command = ' '.join(['echo', user])\n"
        "    os.system(command)\n"
    )
    for check in (
        test_servers_and_clients_use_loopback_and_port_0,
        test_every_address_literal_is_loopback,
        test_no_untrusted_string_reaches_a_shell,
    ):
        with pytest.raises(AssertionError):
            check(bad)
    good = tmp_path / "good.py"
    good.write_text(
        "import asyncio, shlex\n"
        "async def f(user):\n"
        "    await asyncio.start_server(None, '127.0.0.1', 0)\n"
        "    await asyncio.create_subprocess_shell(f'echo {shlex.quote(user)}')\n"
        "    command = ' '.join(shlex.quote(p) for p in ('echo', user))\n"
        "    await asyncio.create_subprocess_shell(command)\n"
    )
    test_servers_and_clients_use_loopback_and_port_0(good)
    test_every_address_literal_is_loopback(good)
    test_no_untrusted_string_reaches_a_shell(good)


def test_the_sources_were_found() -> None:
    assert len(SOURCES) >= 5
