"""The Run buttons of the built primer, in headless Chromium (Debian's): lessons run on Pyodide.

Run by ``tox -e browser`` after ``tox -e docs``. Serves the HTML on 127.0.0.1 (``.mjs`` as
``text/javascript``, ``.wasm`` as ``application/wasm``, as a plain static host would) and checks,
with Selenium: a page whose Run button is never pressed fetches no Pyodide file; Run on ``greet``
prints ``Hello, asyncio!``; ``run_workers`` takes about 5 s of real time in the browser (not 9)
and draws its timeline live; an edited call runs with its own arguments; a call that raises shows
the traceback; Stop cancels a running lesson; a plain-function lesson that calls
:func:`asyncio.run` itself runs too; a lesson that needs threads shows why it has no button.
Writes what it measured (lessons with and without Run, bytes of the first Run, time to first
output) to ``docs/_build/browser/run_summary.txt``, and a picture of run_workers after its run to
``run_workers.png`` there.
"""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("PRIMER_HTML", ROOT / "docs" / "_build" / "html"))
OUT = Path(os.environ.get("PRIMER_BROWSER_OUT", ROOT / "docs" / "_build" / "browser"))
#: Seconds a run may take, loading Pyodide included, on a busy machine.
RUN_TIMEOUT = 180

#: What the tests measured, written to run_summary.txt at the end of the module.
MEASURED: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _pyodide_is_built() -> None:
    assert (HTML / "_static" / "pyodide" / "pyodide.asm.wasm").is_file(), "no Pyodide in the build"


def _open(browser: webdriver.Chrome, site: str, page: str, *, fresh: bool = True) -> None:
    """Load *page*; or, not *fresh*, stay on it if the browser shows it already.

    A test that only needs a page's Python to run something (not its first load) passes
    ``fresh=False``: it reuses the page, with Pyodide loaded, that the test before it left, as
    a reader does who presses Run again (a new page loads Pyodide again: 2 to 3 s each). Pressing
    Run clears the widget's last outcome and output first, so no test reads another's.
    """
    url = urljoin(site, page)
    running = "return document.querySelector('.primer-run-running') !== null"
    if not fresh and browser.current_url == url and not browser.execute_script(running):
        return  # (a lesson still running, left by a test that failed, would ignore a press)
    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _widget(browser: webdriver.Chrome, lesson: str) -> WebElement:
    widget = browser.find_element(By.CSS_SELECTOR, f'.primer-run[data-lesson="{lesson}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", widget)
    return widget


def _click(browser: webdriver.Chrome, button: WebElement) -> None:
    browser.execute_script("arguments[0].click()", button)


def _fetched(browser: webdriver.Chrome) -> list[dict[str, Any]]:
    """The page's resource entries: name and bytes of every file it fetched."""
    entries: list[dict[str, Any]] = browser.execute_script(
        "return performance.getEntriesByType('resource')"
        ".map(e => ({name: e.name, bytes: e.encodedBodySize}))"
    )
    return entries


def _runtime_files(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if "/_static/pyodide/" in e["name"] or "run/driver.py" in e["name"]]


def _run(
    browser: webdriver.Chrome, lesson: str, call: str | None = None, *, stop_on: str | None = None
) -> dict[str, Any]:
    """Press Run on *lesson* (after typing *call*), optionally Stop once *stop_on* is printed."""
    widget = _widget(browser, lesson)
    box = widget.find_element(By.CSS_SELECTOR, ".primer-run-call")
    if call is not None:
        box.clear()
        box.send_keys(call)
    button = widget.find_element(By.CSS_SELECTOR, ".primer-run-button")
    _click(browser, button)
    status_at_press = widget.find_element(By.CSS_SELECTOR, ".primer-run-status").text
    output = widget.find_element(By.CSS_SELECTOR, ".primer-run-output")
    if stop_on is not None:
        WebDriverWait(browser, RUN_TIMEOUT).until(lambda _: stop_on in output.text)
        assert button.text == "Stop"
        _click(browser, button)
    WebDriverWait(browser, RUN_TIMEOUT, poll_frequency=0.1).until(
        lambda _: widget.get_attribute("data-outcome")
    )
    elapsed = widget.find_element(By.CSS_SELECTOR, ".primer-run-elapsed")
    return {
        "outcome": widget.get_attribute("data-outcome"),
        "output": output.text,
        "elapsed": float(elapsed.get_attribute("data-seconds") or "nan"),
        "first_output_ms": widget.get_attribute("data-first-output-ms"),
        "load_seconds": widget.get_attribute("data-load-seconds"),
        "timeline": widget.find_element(By.CSS_SELECTOR, ".primer-run-timeline"),
        "button": button.text,
        "status_at_press": status_at_press,
    }


def test_lessons_have_a_run_button_or_a_reason() -> None:
    """Every lesson has either the Run widget or a one-line reason it cannot run in a browser."""
    with_button = 0
    reasons: dict[str, int] = {}
    for page in sorted(HTML.glob("*.html")):
        text = page.read_text()
        with_button += text.count('<div class="primer-run"')
        for reason in re.findall(r'class="primer-run-unavailable">([^<]*)<', text):
            reasons[html.unescape(reason)] = reasons.get(html.unescape(reason), 0) + 1
    without = sum(reasons.values())
    assert with_button > 0
    assert all("WebAssembly" in r or "needs Python 3.15" in r for r in reasons), reasons
    MEASURED["lessons with a Run button"] = str(with_button)
    MEASURED["lessons without (and why)"] = f"{without}: " + "; ".join(
        f"{n} {r.removeprefix('Not runnable in the browser: ').rstrip('.')}"
        for r, n in sorted(reasons.items())
    )


def test_a_page_without_a_press_fetches_no_pyodide(site: str, browser: webdriver.Chrome) -> None:
    pages = sorted(p.name for p in HTML.glob("*.html") if 'class="primer-run' in p.read_text())
    assert "tasks.html" in pages
    for page in pages:
        _open(browser, site, page)
        time.sleep(0.5)  # anything a deferred script would start fetching has started by now
        fetched = _fetched(browser)
        assert any(e["name"].split("?")[0].endswith("/run/run.js") for e in fetched), page
        assert _runtime_files(fetched) == [], page
    MEASURED["pages with lessons, opened without a press"] = (
        f"{len(pages)}, none fetched a Pyodide file"
    )


def test_greet_prints_hello(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "coroutines.html")
    started = time.monotonic()
    run = _run(browser, "coroutines.greet")
    wall = time.monotonic() - started
    assert run["outcome"] == "returned"
    assert "Hello, asyncio!" in run["output"]
    assert "returned None" in run["output"]
    assert run["button"] == "Run"
    assert "Loading Python (Pyodide" in run["status_at_press"]  # the progress, at the first press
    files = _runtime_files(_fetched(browser))
    names = sorted(e["name"].rsplit("/", 1)[-1] for e in files)
    assert "pyodide.asm.wasm" in names
    assert all(e["name"].startswith(site) for e in _fetched(browser)), "fetched off the site"
    total = sum(int(e["bytes"]) for e in files)
    MEASURED["first Run downloads"] = f"{total:,} bytes in {len(files)} files ({', '.join(names)})"
    MEASURED["first Run: Pyodide loaded in"] = f"{run['load_seconds']} s"
    MEASURED["first Run: press to first output"] = (
        f"{run['first_output_ms']} ms (whole first run seen by Selenium: {wall:.1f} s)"
    )


def test_an_edited_call_runs_with_its_arguments(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "coroutines.html", fresh=False)
    run = _run(browser, "coroutines.add_later", "await add_later(40, 2, delay=0.5)")
    assert run["outcome"] == "returned"
    assert "returned 42" in run["output"]
    assert 0.5 <= run["elapsed"] < 3.0
    # the page's Python is loaded once: a second run does not load it again
    again = _run(browser, "coroutines.delayed_greet", "await delayed_greet(0.2)")
    assert again["outcome"] == "returned"
    assert again["load_seconds"] is None
    MEASURED["second Run on the same page: press to first output"] = (
        f"{again['first_output_ms']} ms"
    )


def test_an_exception_shows_its_traceback(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "coroutines.html", fresh=False)
    run = _run(browser, "coroutines.delayed_greet", "await delayed_greet(-1)")
    assert run["outcome"] == "raised"
    assert run["output"].startswith("Traceback (most recent call last):")
    assert 'File "<run>", line 1, in <module>' in run["output"]
    assert "ValueError: delay must be" in run["output"]


def test_run_workers_takes_about_five_seconds_with_a_live_timeline(
    site: str, browser: webdriver.Chrome
) -> None:
    _open(browser, site, "tasks.html")
    widget = _widget(browser, "tasks.run_workers")
    _click(browser, widget.find_element(By.CSS_SELECTOR, ".primer-run-button"))
    timeline = widget.find_element(By.CSS_SELECTOR, ".primer-run-timeline")
    # drawn while the workers still run: three bars, still "running"
    WebDriverWait(browser, RUN_TIMEOUT, poll_frequency=0.1).until(
        lambda _: "running" in (timeline.get_attribute("innerHTML") or "")
    )
    assert not widget.get_attribute("data-outcome")
    WebDriverWait(browser, RUN_TIMEOUT).until(lambda _: widget.get_attribute("data-outcome"))
    output = widget.find_element(By.CSS_SELECTOR, ".primer-run-output").text
    elapsed = float(
        widget.find_element(By.CSS_SELECTOR, ".primer-run-elapsed").get_attribute("data-seconds")
        or "nan"
    )
    assert widget.get_attribute("data-outcome") == "returned"
    lines = [re.sub(r"^\[\s*[\d.]+ s\] ", "", line) for line in output.splitlines()]
    assert lines[:6] == [
        "Task 1 started",
        "Task 2 started",
        "Task 3 started",
        "Task 3 finished",
        "Task 2 finished",
        "Task 1 finished",
    ]
    assert 4.5 <= elapsed <= 8.0, f"three workers of 5, 3 and 1 s took {elapsed} s, not about 5"
    svg = timeline.find_element(By.TAG_NAME, "svg")
    bars = svg.find_elements(By.TAG_NAME, "rect")
    assert sum(1 for bar in bars if "worker" in (bar.get_attribute("innerHTML") or "")) == 3
    OUT.mkdir(parents=True, exist_ok=True)
    widget.screenshot(str(OUT / "run_workers.png"))
    MEASURED["run_workers in the browser took"] = f"{elapsed} s of real time (expected about 5)"


def test_stop_cancels_the_running_lesson(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "tasks.html", fresh=False)
    run = _run(browser, "tasks.run_workers", stop_on="Task 3 finished")
    assert run["outcome"] == "cancelled"
    assert "CancelledError" in run["output"]
    assert "cancelled (Stop)" in run["output"]
    assert "Task 1 finished" not in run["output"]
    assert 1.0 <= run["elapsed"] < 4.5
    assert run["button"] == "Run"


def test_a_plain_function_that_calls_asyncio_run(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "tasks.html", fresh=False)
    run = _run(browser, "tasks.runner_shares_one_loop")
    assert run["outcome"] == "returned", run["output"]


def test_a_lesson_for_python_3_14_runs_in_the_browser(site: str, browser: webdriver.Chrome) -> None:
    """The docs are built on 3.13, which lacks this lesson; the browser's Python is 3.14."""
    _open(browser, site, "tasks.html", fresh=False)
    run = _run(browser, "tasks.what_a_stuck_task_awaits")
    assert run["outcome"] == "returned", run["output"]
    assert "Awaited by:" in run["output"]
    assert "'what_a_stuck_task_awaits.<locals>.load_config'" in run["output"]


def test_a_lesson_that_needs_threads_says_why(site: str, browser: webdriver.Chrome) -> None:
    _open(browser, site, "event_loop.html")
    notes = browser.find_elements(By.CSS_SELECTOR, ".primer-run-unavailable")
    assert any(
        "needs threads, which the browser's Python (WebAssembly) does not have" in note.text
        for note in notes
    )


def test_a_lesson_whose_point_the_browser_does_not_reproduce_says_so(
    site: str, browser: webdriver.Chrome
) -> None:
    _open(browser, site, "pitfalls.html")
    caveat = _widget(browser, "pitfalls.blocking_call_symptom").find_element(
        By.CSS_SELECTOR, ".primer-run-caveat"
    )
    assert "time.sleep() wait without blocking" in caveat.text


def test_a_class_starts_with_its_docstring_example(site: str, browser: webdriver.Chrome) -> None:
    """A lesson without defaults to call gets its example, ``asyncio.run(x)`` as ``await x``."""
    _open(browser, site, "capstone.html")
    run = _run(browser, "capstone.SimulatedServer")
    assert run["outcome"] == "returned", run["output"]
    assert "returned ({'/': 2, '/x': 1}, 1)" in run["output"]
