"""The built primer, in a real browser: headless Chromium (Debian's) through every page.

Run by ``tox -e browser`` after ``tox -e docs``: serves the HTML (``docs/_build/html``, or
``$PRIMER_HTML``) on 127.0.0.1 with a free port and checks, with Selenium and chromedriver, that
every page loads without console errors, every internal link and anchor resolves, the search
page finds a lesson by name, the copy button copies an example without its prompts, dark mode
shows code legibly; and that the pages read at every width: at 1400 px no code block needs a
horizontal scroll bar, at 400 px no signature is wider than the screen, no page weighs over
600 KB, and no page shows a path of the machine that built it. Screenshots (the index in light and
dark mode; the index, a concept page and the benefits page at 1400 px; a concept page at 400 px),
the page weights and a summary of what was checked are saved in ``docs/_build/browser/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("PRIMER_HTML", ROOT / "docs" / "_build" / "html"))
OUT = Path(os.environ.get("PRIMER_BROWSER_OUT", ROOT / "docs" / "_build" / "browser"))
#: WCAG AA: normal text needs 4.5:1 against its background.
MIN_CONTRAST = 4.5


def _severe_console_messages(driver: webdriver.Chrome) -> list[str]:
    log = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [e["message"] for e in log if e["level"] == "SEVERE"]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # our own loopback server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_every_page_loads_cleanly_and_every_internal_link_resolves(
    site: str, browser: webdriver.Chrome
) -> None:
    pages = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html"))
    pages = [p for p in pages if not p.startswith(("_static/", "_sources/"))]
    ids: dict[str, set[str]] = {}
    links: dict[str, set[str]] = {}  # target url (with fragment) -> pages linking to it
    errors: list[str] = []
    for page in pages:
        url = urljoin(site, page)
        browser.get(url)
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        errors += [f"{page}: {m}" for m in _severe_console_messages(browser)]
        ids[url] = set(
            browser.execute_script(
                "return [...document.querySelectorAll('[id]')].map(e => e.id)"
                ".concat([...document.querySelectorAll('a[name]')].map(e => e.name))"
            )
        )
        hrefs = browser.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
        )
        for href in hrefs:
            if urlparse(href).netloc == urlparse(site).netloc:
                links.setdefault(href, set()).add(page)
    assert errors == [], "console errors:\n" + "\n".join(errors)

    broken: list[str] = []
    for href, sources in sorted(links.items()):
        target, fragment = urldefrag(href)
        where = ", ".join(sorted(sources))
        if target not in ids:  # not a page we visited: a file (_sources, _static, objects.inv)
            if _status(target) != 200:
                broken.append(f"{href} (from {where}): HTTP {_status(target)}")
            continue
        if fragment and fragment not in ids[target]:
            broken.append(f"{href} (from {where}): no element with id {fragment!r}")
    anchors = sum(1 for href in links if urldefrag(href)[1])
    OUT.mkdir(parents=True, exist_ok=True)
    summary = (
        f"{len(pages)} pages loaded without console errors; {len(links)} distinct internal "
        f"links checked ({anchors} with an anchor), {len(broken)} broken\n"
    )
    (OUT / "summary.txt").write_text(summary)
    print(summary)
    assert broken == [], "broken links:\n" + "\n".join(broken)
    assert len(pages) >= 5
    assert anchors > 0


def test_search_finds_a_lesson_by_name(site: str, browser: webdriver.Chrome) -> None:
    browser.get(urljoin(site, "search.html?q=run_workers"))
    results = WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a")
    )
    hrefs = [a.get_attribute("href") or "" for a in results]
    assert any("tasks.html#asyncio_primer.tasks.run_workers" in h for h in hrefs), hrefs


def test_the_copy_button_copies_an_example_without_prompts(
    site: str, browser: webdriver.Chrome
) -> None:
    browser.get(urljoin(site, "tasks.html"))
    browser.execute_script(
        """
        window.copied = [];
        const keep = (text) => { window.copied.push(String(text)); return Promise.resolve(); };
        if (navigator.clipboard) { navigator.clipboard.writeText = keep; }
        const execCommand = document.execCommand.bind(document);
        document.execCommand = (command, ...rest) => {
            if (command === 'copy') {
                const el = document.activeElement;
                keep(el && 'value' in el
                    ? el.value.slice(el.selectionStart, el.selectionEnd)
                    : String(document.getSelection()));
            }
            return execCommand(command, ...rest);
        };
        """
    )
    # The first example on the page that has prompts: run_workers' doctest.
    block = browser.find_element(
        By.XPATH, "//div[contains(@class,'highlight')][.//pre[contains(., '>>> asyncio.run')]]"
    )
    shown = block.find_element(By.TAG_NAME, "pre").text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", block)
    button = block.find_element(By.CSS_SELECTOR, "button.copybtn")
    browser.execute_script("arguments[0].click();", button)  # it only shows on hover
    copied = WebDriverWait(browser, 5).until(lambda d: d.execute_script("return window.copied"))
    text = copied[-1]
    assert ">>> " in shown
    assert text.startswith("asyncio.run("), text
    assert ">>> " not in text, text
    assert "... " not in text, text
    assert "Task 1 started" in text  # the expected output comes along, as documented


def _contrast(rgb1: list[float], rgb2: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        def channel(c: float) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(rgb1), luminance(rgb2)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_CODE_COLOURS = """
const parse = (c) => c.match(/[\\d.]+/g).map(Number);
const background = (el) => {  // the first ancestor with a background that is not transparent
    for (; el; el = el.parentElement) {
        const c = parse(getComputedStyle(el).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
};
return [...document.querySelectorAll('div.highlight pre')].flatMap(pre =>
    [pre, ...pre.querySelectorAll('span')]
        .filter(el => el.textContent.trim())
        .map(el => [el.textContent.slice(0, 30), parse(getComputedStyle(el).color),
                    background(el)]));
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_is_legible_and_the_index_is_photographed(
    site: str, browser: webdriver.Chrome, scheme: str
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    try:
        browser.get(urljoin(site, "tasks.html"))
        body = browser.find_element(By.TAG_NAME, "body")
        page_background = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor", body
        )
        samples = browser.execute_script(_CODE_COLOURS)
        assert samples, "no code on the page"
        worst = min(samples, key=lambda s: _contrast(s[1], s[2]))
        contrast = _contrast(worst[1], worst[2])
        print(f"{scheme}: {len(samples)} code tokens, lowest contrast {contrast:.2f}:1 {worst}")
        assert contrast >= MIN_CONTRAST, (scheme, page_background, worst)
        is_dark = _contrast([0, 0, 0], samples[0][2]) < _contrast([255, 255, 255], samples[0][2])
        assert is_dark == (scheme == "dark"), f"code background {samples[0][2]} in {scheme} mode"
        browser.get(site)
        time.sleep(0.2)  # let web fonts settle before the picture
        OUT.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(OUT / f"index-{scheme}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


# -- Readable at every width, light pages, nothing of the build machine ----------------------------

#: No page may weigh more than this (its HTML, inline SVG timelines included).
MOST_BYTES = 600 * 1024
#: Paths that would tell the reader about the machine that built the pages.
MACHINE_PATHS = re.compile(
    "|".join(
        re.escape(p)
        for p in {str(ROOT), sys.prefix, sys.base_prefix, str(Path.home()), tempfile.gettempdir()}
        if len(p) > 1
    )
    + r"|(?<![\w.])/(?:root|home|work|tmp|Users)/[\w.-]+"
)


def _pages() -> list[str]:
    pages = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html"))
    return [p for p in pages if not p.startswith(("_static/", "_sources/"))]


@contextlib.contextmanager
def _viewport(driver: webdriver.Chrome, width: int, height: int = 900) -> Iterator[None]:
    """Give the page exactly *width* x *height* CSS pixels (as a screen that size would)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _load(driver: webdriver.Chrome, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


_OVERFLOWING_PRE = """
return [...document.querySelectorAll('pre')]
    .filter(pre => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => [pre.scrollWidth, pre.clientWidth, pre.textContent.split('\\n')
        .reduce((a, b) => a.length >= b.length ? a : b, '').slice(0, 120)]);
"""

_WRAPPED_PRE = """
const lineHeight = (pre) => parseFloat(getComputedStyle(pre).lineHeight) || 16;
return [...document.querySelectorAll('div.highlight pre')].filter(pre => {
    const lines = pre.textContent.replace(/\\n$/, '').split('\\n').length;
    return pre.offsetParent !== null
        && pre.getBoundingClientRect().height > (lines + 1.5) * lineHeight(pre) + 24;
}).length;
"""


def test_no_code_block_needs_a_horizontal_scroll_bar_at_1400px(
    site: str, browser: webdriver.Chrome
) -> None:
    overflowing: list[str] = []
    blocks = wrapped = 0
    with _viewport(browser, 1400):
        for page in _pages():
            _load(browser, urljoin(site, page))
            assert browser.execute_script("return window.innerWidth") == 1400
            overflowing += [
                f"{page}: {s}px in {c}px: {line!r}"
                for s, c, line in browser.execute_script(_OVERFLOWING_PRE)
            ]
            blocks += browser.execute_script("return document.querySelectorAll('pre').length")
            wrapped += browser.execute_script(_WRAPPED_PRE)
    OUT.mkdir(parents=True, exist_ok=True)
    summary = (
        f"at 1400 px: {blocks} code blocks, {len(overflowing)} need a horizontal scroll bar, "
        f"{wrapped} wrap a line that is too long\n"
    )
    with (OUT / "summary.txt").open("a") as out:
        out.write(summary)
    print(summary)
    assert overflowing == [], "code blocks that scroll sideways:\n" + "\n".join(overflowing)


_OVERFLOWING_SIGNATURES = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('dt.sig')]
    .filter(dt => dt.offsetParent !== null)
    .filter(dt => dt.scrollWidth > dt.clientWidth + 1
        || dt.getBoundingClientRect().right > width + 1
        || dt.getBoundingClientRect().left < -1)
    .map(dt => [dt.id, dt.scrollWidth, dt.clientWidth, dt.getBoundingClientRect().right]);
"""


def test_signatures_wrap_within_a_400px_screen(site: str, browser: webdriver.Chrome) -> None:
    overflowing: list[str] = []
    signatures = 0
    with _viewport(browser, 400, 800):
        for page in _pages():
            _load(browser, urljoin(site, page))
            signatures += browser.execute_script(
                "return document.querySelectorAll('dt.sig').length"
            )
            overflowing += [
                f"{page}#{id}: {scroll}px of content in {client}px, right edge at {right:.0f}px"
                for id, scroll, client, right in browser.execute_script(_OVERFLOWING_SIGNATURES)
            ]
            page_width = browser.execute_script("return document.documentElement.scrollWidth")
            if page_width > 401:
                overflowing.append(f"{page}: the page is {page_width}px wide")
        _load(browser, urljoin(site, "tasks.html#asyncio_primer.tasks.run_workers"))
        time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(OUT / "tasks-400px.png"))
    assert signatures > 50
    assert overflowing == [], "signatures wider than the screen:\n" + "\n".join(overflowing)


def test_every_page_weighs_under_600_kb() -> None:
    weights = {page: (HTML / page).stat().st_size for page in _pages()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "page-weights.txt").write_text(
        "".join(f"{size:>9,} B  {page}\n" for page, size in sorted(weights.items()))
    )
    heavy = {page: size for page, size in weights.items() if size > MOST_BYTES}
    assert heavy == {}, f"pages over {MOST_BYTES:,} bytes: {heavy}"


def test_no_page_shows_a_path_of_the_machine_that_built_it() -> None:
    files = [HTML / page for page in _pages()] + sorted(HTML.glob("*.js"))
    found: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in MACHINE_PATHS.finditer(text):
            context = text[max(0, match.start() - 60) : match.end() + 40].replace("\n", " ")
            found.append(f"{path.relative_to(HTML)}: {match.group()!r} in ...{context}...")
    assert found == [], "build-machine paths in the pages:\n" + "\n".join(found[:20])


@pytest.mark.parametrize(
    ("page", "name", "scroll_to"),
    [
        ("index.html", "index-1400px.png", None),
        ("tasks.html", "tasks-1400px.png", "asyncio_primer.tasks.run_workers"),
        ("benefits.html", "benefits-1400px.png", "asyncio_primer.benefits.tasks_vs_threads"),
    ],
)
def test_photograph_pages_at_1400px(
    site: str, browser: webdriver.Chrome, page: str, name: str, scroll_to: str | None
) -> None:
    with _viewport(browser, 1400, 1000):
        _load(browser, urljoin(site, page))
        if scroll_to:
            # the lesson's timeline, the part of the page that is drawn rather than written
            browser.execute_script(
                "const lesson = document.getElementById(arguments[0]).closest('div.lesson');"
                "const svg = lesson && lesson.querySelector('svg.lesson-timeline');"
                "(svg || document.getElementById(arguments[0]))"
                ".scrollIntoView({block: 'center', behavior: 'instant'});",
                scroll_to,
            )
        time.sleep(1.0)  # web fonts, and the paint after the jump
        OUT.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(OUT / name))
