"""Fixtures for the browser tests: build the book once, serve it on 127.0.0.1, drive Chromium.

The book is built from the working tree with the command CI uses
(``jupyter-book build . -W -n --keep-going``) into a temporary folder, so the tests see the
pages a reader would. ``--keep-going`` writes every page even when a warning fails the build;
the warnings themselves fail ``test_the_book_builds_without_warnings``.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright for Python. The tests run
offline, and the site needs nothing else: it serves its own MathJax, and every request that
leaves the local server is blocked and reported. Without Chromium or the ``playwright``
package the browser tests are skipped, saying so.

Environment variables, for working on the tests:

``ADAPTIVE_LR_SITE``
    a folder with an already built site (``_build/html``): the tests use it instead of
    building; the build-warnings test is then skipped.
``ADAPTIVE_LR_CHROMIUM``
    another Chromium executable than ``/usr/bin/chromium``.
``ADAPTIVE_LR_BROWSERS``
    how many Chromium instances visit the pages in parallel (default 2).
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from book_site import ANSI, CHROMIUM, ROOT, Server, launch, open_page


@dataclasses.dataclass
class Site:
    html: pathlib.Path
    returncode: int | None = None  # None: a prebuilt site from ADAPTIVE_LR_SITE
    log: str = ""

    def page(self, docname: str) -> pathlib.Path:
        return self.html / f"{docname}.html"

    def warnings(self) -> list[str]:
        return [line for line in ANSI.sub("", self.log).splitlines()
                if "WARNING" in line or "ERROR" in line]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The book, built once per session like CI builds it (or a prebuilt one, see above)."""
    prebuilt = os.environ.get("ADAPTIVE_LR_SITE")
    if prebuilt:
        html = pathlib.Path(prebuilt)
        html = html / "_build" / "html" if (html / "_build" / "html").is_dir() else html
        assert (html / "index.html").exists(), f"ADAPTIVE_LR_SITE={prebuilt}: no index.html"
        return Site(html)
    out = tmp_path_factory.mktemp("site")
    executable = pathlib.Path(sys.executable).with_name("jupyter-book")
    command = [str(executable) if executable.exists() else shutil.which("jupyter-book"),
               "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    site = Site(out / "_build" / "html", result.returncode, result.stdout + result.stderr)
    assert (site.html / "index.html").exists(), f"the book did not build:\n{site.log[-5000:]}"
    return site


@pytest.fixture(scope="session")
def sync_api():
    """Playwright's sync API, and Chromium present: otherwise the browser tests are skipped."""
    api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install -r requirements.txt); "
               "browser tests skipped")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium); "
                    "browser tests skipped")
    return api


@pytest.fixture(scope="session")
def server(sync_api, site):
    """The built site's address on 127.0.0.1."""
    httpd = Server(site.html)
    yield httpd.url
    httpd.close()


@pytest.fixture(scope="session")
def browser(sync_api, server):
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser, server):
    """``visit(path, mode="light", viewport=DESKTOP)`` opens a page of the book in its own
    context, offline, as a first-time visitor."""
    visits = []

    def open_(path: str, mode: str = "light", **options):
        visits.append(open_page(browser, server, path, mode, **options))
        return visits[-1]

    yield open_
    for v in visits:
        v.close()
