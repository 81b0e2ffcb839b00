"""The browser tests' plumbing: the table of contents, the local server, offline pages.

Shared by ``conftest.py`` and the tests (a plain module: two ``conftest`` modules would clash).
"""
from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import pathlib
import re
import threading

from adaptive_lr.tools import refresh

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = pathlib.Path(os.environ.get("ADAPTIVE_LR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic", "--disable-dev-shm-usage"]  # /dev/shm is small in containers
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def toc_docnames(root: pathlib.Path = ROOT) -> list[str]:
    """Every document in ``_toc.yml``, in reading order (the root first)."""
    return refresh.toc_docnames(root)


def source_of(docname: str) -> pathlib.Path | None:
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{docname}{suffix}").exists():
            return ROOT / f"{docname}{suffix}"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the base class's signature)
        pass


class Server:
    """The built site on http://127.0.0.1:<free port>/, served by a thread of this process."""

    def __init__(self, html: pathlib.Path):
        handler = functools.partial(_QuietHandler, directory=str(html))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def launch(playwright):
    """Debian's Chromium, headless, with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                      headless=True)


@dataclasses.dataclass
class Visit:
    """One page in a fresh browser context, with what went wrong while it loaded."""
    page: object
    context: object
    url: str
    errors: list = dataclasses.field(default_factory=list)          # uncaught exceptions
    console_errors: list = dataclasses.field(default_factory=list)  # (text, url)
    blocked: list = dataclasses.field(default_factory=list)         # requests to outside hosts
    requests: list = dataclasses.field(default_factory=list)        # every URL requested

    def js_errors(self) -> list[str]:
        """Uncaught exceptions and console errors, except the failed loads of the requests to
        outside hosts that the test itself blocked (reported separately, as ``blocked``)."""
        return self.errors + [f"{text} ({url})" for text, url in self.console_errors
                              if not (text.startswith("Failed to load resource")
                                      and url in self.blocked)]

    def close(self):
        self.context.close()


def _block(blocked: list, route):
    """No request leaves the machine: the site must be self-contained."""
    blocked.append(route.request.url)
    return route.abort("blockedbyclient")


def open_page(browser, server: str, path: str, mode: str = "light", viewport: dict = DESKTOP,
              wait: bool = True, touch: bool = False) -> Visit:
    """Open ``server + path`` offline, as a first-time visitor whose system prefers ``mode``
    (light or dark): a new context, so nothing is remembered from another visit. ``touch``:
    a phone's browser (touch events, the page's mobile viewport)."""
    context = browser.new_context(viewport=viewport, color_scheme=mode, has_touch=touch,
                                  is_mobile=touch)
    page = context.new_page()
    visit = Visit(page, context, server + path)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(
        (message.text, message.location.get("url", ""))))
    page.on("request", lambda request: visit.requests.append(request.url))
    # Only requests that leave the local server are intercepted (a regex the driver evaluates):
    # routing every request through Python would cost seconds a page.
    page.route(re.compile("^(?!" + re.escape(server) + ")"),
               functools.partial(_block, visit.blocked))
    page.goto(visit.url, wait_until="load")
    if wait:
        settle(page)
    return visit


SETTLE_JS = """async () => {
    const images = [...document.images];
    images.forEach(image => { if (image.loading === 'lazy') image.loading = 'eager'; });
    await Promise.all(images.map(image => image.complete ? null : new Promise(done => {
        image.addEventListener('load', done); image.addEventListener('error', done); })));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    await document.fonts.ready;
    return true;
}"""


def settle(page) -> None:
    """Wait until images are loaded and MathJax has typeset the page."""
    page.evaluate(SETTLE_JS)


def set_mode(page, mode: str) -> None:
    """Switch the theme's colour mode in place, as its switch button does (no reload)."""
    page.evaluate("""(mode) => {
        localStorage.setItem('mode', mode); localStorage.setItem('theme', mode);
        document.documentElement.dataset.mode = mode;
        document.documentElement.dataset.theme = mode;
    }""", mode)


def screenshot(page, docname: str, mode: str) -> pathlib.Path:
    """A full-page screenshot in test-artifacts/screenshots/, named by page, width and mode
    (JPEG: PNG takes twice as long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    path = SCREENSHOTS / f"{docname.replace('/', '-')}-{width}-{mode}.jpg"
    page.screenshot(path=str(path), full_page=True, type="jpeg", quality=85)
    return path
