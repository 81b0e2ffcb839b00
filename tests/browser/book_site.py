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
HERE = pathlib.Path(__file__).resolve().parent
CHROMIUM = pathlib.Path(os.environ.get("ADAPTIVE_LR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX_LOCAL = HERE / "node_modules" / "mathjax"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
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
    blocked: list = dataclasses.field(default_factory=list)         # external requests refused

    def unexpected_console_errors(self) -> list[str]:
        """Console errors other than the failed loads of the external requests we blocked."""
        return [f"{text} ({url})" for text, url in self.console_errors
                if not (text.startswith("Failed to load resource") and
                        (url in self.blocked or not url.startswith("http://127.0.0.1")))]

    def close(self):
        self.context.close()


def _route(blocked: list, route):
    """Answer MathJax's CDN address from the local npm package; refuse everything else."""
    url = route.request.url
    if url.startswith(MATHJAX_CDN):
        local = MATHJAX_LOCAL / url[len(MATHJAX_CDN):].split("?")[0].split("#")[0]
        if local.is_file():
            return route.fulfill(path=str(local))
    blocked.append(url)
    return route.abort("blockedbyclient")


def open_page(browser, server: str, path: str, mode: str = "light", wait: bool = True) -> Visit:
    """Open ``server + path`` offline in a new context, in the theme's ``mode`` (light/dark)."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=mode)
    # the theme's colour mode (sphinx-book-theme / pydata-sphinx-theme keep it here)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}');"
                            f"localStorage.setItem('theme', '{mode}');")
    page = context.new_page()
    visit = Visit(page, context, server + path)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(
        (message.text, message.location.get("url", ""))))
    # Only requests that leave the local server are intercepted (a regex the driver evaluates):
    # routing every request through Python would cost seconds a page.
    page.route(re.compile("^(?!" + re.escape(server) + ")"),
               functools.partial(_route, visit.blocked))
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
    """A full-page screenshot in test-artifacts/screenshots/ (JPEG: PNG takes twice as long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{docname.replace('/', '-')}-{mode}.jpg"
    page.screenshot(path=str(path), full_page=True, type="jpeg", quality=85)
    return path
