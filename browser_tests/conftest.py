"""What the browser tests share: the built HTML served on 127.0.0.1, and headless Chromium.

The pages are served as a plain static host would serve them (``.mjs`` as ``text/javascript``,
``.wasm`` as ``application/wasm``, which Pyodide's loader needs). Chromium is Debian's, started with
a new empty profile and the flags that keep it off the network (it must never download anything).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HTML = Path(
    os.environ.get("PRIMER_HTML", Path(__file__).resolve().parent.parent / "docs/_build/html")
)
CHROMIUM = os.environ.get("PRIMER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PRIMER_CHROMEDRIVER", "/usr/bin/chromedriver")


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the class attribute SimpleHTTPRequestHandler reads
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The built HTML, served on 127.0.0.1 with a free port."""
    assert (HTML / "index.html").is_file(), f"build the docs first (tox -e docs): no {HTML}"
    handler = functools.partial(_StaticHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium, with a new empty profile, that never talks to the network."""
    profile = tempfile.mkdtemp(prefix="primer-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
