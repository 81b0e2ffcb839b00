"""Live mode in a real browser: the site's JupyterLite app, its Pyodide kernel, the package's
wheel, the widgets, the launch button and the chapters' live panels.

Offline (always): Pyodide's CDN is answered from a local Pyodide (``local_pyodide.py``: the
npm core of the kernel's exact version, the kernel's pure-Python wheels from PyPI, the lock
rewritten), every other request that leaves the local server is blocked and fails the test.
Checked: the app loads with no console error, the kernel starts on Python 3.14 without a
"Select Kernel" dialog, the package's wheel installs from the site and every module of it
compiles on Python 3.14 with warnings as errors (and the standard-library names it imports
exist there), an ipywidgets slider round-trips to Python and back, the launch button opens the
chapter in JupyterLite with its kernel started, and a chapter's live panel starts with one
click and tells the reader what is happening (offline it ends in an error, numpy being
unavailable, and says so).

Online (only where Pyodide's CDN answers; otherwise skipped, saying why): a chapter's live
panel runs end to end with numpy and matplotlib from the CDN, and a slider move redraws it.

Without the local Pyodide (``python tests/browser/local_pyodide.py``; CI runs it) the offline
tests are skipped with that advice, except under CI (``CI`` set), where they fail.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import time
import urllib.parse
import urllib.request

import pytest

from book_site import DESKTOP, ROOT, toc_docnames

import local_pyodide
from adaptive_lr.tools import lite

DOCNAMES = toc_docnames()
NOTEBOOKS = [d for d in DOCNAMES if (ROOT / f"{d}.ipynb").exists()]
PANELS = lite.load_panels(ROOT / lite.LITE_DIR)
START = 300_000  # ms: a kernel's cold start on a busy 2-core machine (about 40 s when idle)


def _cdn() -> str:
    """The URL prefix the kernel loads Pyodide from (its default ``pyodideUrl``'s folder)."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_CDN_URL

    return PYODIDE_CDN_URL.rstrip("/") + "/"


CDN = _cdn()
TYPES = {"mjs": "text/javascript", "js": "text/javascript", "wasm": "application/wasm",
         "json": "application/json", "zip": "application/zip"}


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def app(site) -> pathlib.Path:
    """The built JupyterLite app (``lite/`` in the site)."""
    folder = site.html / "lite"
    assert (folder / "jupyter-lite.json").exists(), "the site has no JupyterLite app (lite/)"
    return folder


@pytest.fixture(scope="session")
def pyodide_dist(sync_api) -> pathlib.Path:
    try:
        return local_pyodide.assemble()
    except Exception as error:  # noqa: BLE001  (npm or PyPI unavailable, no node_modules)
        message = (f"no local Pyodide for the offline live-mode tests ({error!r}); run "
                   "`python tests/browser/local_pyodide.py` (needs npm and PyPI once)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Live:
    """A browser context in which Pyodide's CDN is the local Pyodide, and nothing else leaves
    the machine; what went wrong is recorded."""

    def __init__(self, browser, server: str, dist: pathlib.Path | None):
        self.server = server
        self.errors: list[str] = []      # uncaught exceptions and console errors, every frame
        self.blocked: list[str] = []     # requests to other hosts
        self.missing: list[str] = []     # CDN files the local Pyodide does not have
        self.context = browser.new_context(viewport=DESKTOP)
        if dist is not None:
            self.context.route(CDN + "**", lambda route: self._cdn(route, dist))
        allowed = re.escape(server) + ("|" + re.escape(CDN) if dist is not None else "")
        self.context.route(re.compile(f"^(?!{allowed})"), self._block)

    def _cdn(self, route, dist: pathlib.Path):
        name = urllib.parse.urlparse(route.request.url).path.rsplit("/", 1)[-1]
        path = dist / name
        if not path.is_file():
            self.missing.append(name)
            return route.fulfill(status=404, body="not in the local Pyodide")
        return route.fulfill(status=200, body=path.read_bytes(), headers={
            "content-type": TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"),
            "access-control-allow-origin": "*"})

    def _block(self, route):
        self.blocked.append(route.request.url)
        return route.abort("blockedbyclient")

    def page(self, path: str):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{message.text} ({message.location.get('url', '')})"))
        page.goto(self.server + path, wait_until="load")
        return page

    def unexpected_errors(self) -> list[str]:
        """Errors, except the failed loads of CDN files the local Pyodide lacks (reported as
        ``missing``) and JupyterLite's own probes of its contents: the kernel's file system
        asks the app's contents index (``lite/api/contents/<folder>/all.json``) about
        folders it does not hold, such as an imported package's, and the static site answers
        404, which the app expects (it logs "don't worry ... nothing's broken")."""
        return [e for e in self.errors
                if not (e.startswith("Failed to load resource")
                        and (CDN in e or re.search(r"/lite/api/contents/\S*all\.json\)$", e)))]

    def close(self):
        self.context.close()


@pytest.fixture
def live(browser, server, pyodide_dist):
    contexts = []

    def open_(path: str):
        contexts.append(Live(browser, server, pyodide_dist))
        return contexts[-1], contexts[-1].page(path)

    yield open_
    for context in contexts:
        context.close()


OUTPUTS_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
    .map(e => e.innerText).join('\\n')"""


def _wait_for_output(page, pattern: str, timeout: int = START) -> str:
    """The REPL's or notebook's outputs once they match ``pattern`` (a regex)."""
    page.wait_for_function("""(pattern) => new RegExp(pattern).test(
        [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText)
            .join('\\n'))""", arg=pattern, timeout=timeout, polling=500)
    return page.evaluate(OUTPUTS_JS)


def _marked(text: str, marker: str):
    match = re.search(rf"{marker} (\{{.*\}})", text)
    assert match, f"no {marker} line in the outputs:\n{text[-3000:]}"
    return json.loads(match[1])


def _built(site) -> list[str]:
    """The notebooks of the table of contents that have a page (the others are reported by
    test_rendered_book's test_page_renders)."""
    return [d for d in NOTEBOOKS if site.page(d).exists()]


# --- the built app ----------------------------------------------------------------------------

def test_the_app_ships_the_wheels_and_the_chapters(app, site):
    """The app's index serves the package's wheel (built from the working tree) and the wheels
    Pyodide lacks; its contents are the book's notebooks, each with the browser's install cell
    and without saved widgets; the kernel starts without asking."""
    index = json.loads((app / "pypi" / "all.json").read_text())
    assert {"adaptive-lr", "ipywidgets", "jupyterlab-widgets", "comm"} <= set(index), index.keys()
    version = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"][
        "version"]
    assert version in index["adaptive-lr"]["releases"]
    wheel = index["adaptive-lr"]["releases"][version][0]["filename"]
    assert (app / "pypi" / wheel).is_file() and wheel.endswith("-py3-none-any.whl")
    requirements = (ROOT / "requirements.txt").read_text()
    assert f"ipywidgets=={list(index['ipywidgets']['releases'])[0]}" in requirements, \
        "lite/pypi's ipywidgets is the version requirements.txt pins"
    for docname in _built(site):
        nb = json.loads((app / "files" / f"{docname}.ipynb").read_text())
        tagged = [c for c in nb["cells"] if lite.LITE_TAG in c["metadata"].get("tags", [])]
        assert len(tagged) == 1 and "".join(tagged[0]["source"]) == lite.lite_source(), docname
        assert "widgets" not in nb["metadata"], docname
    overrides = json.loads((app / "overrides.json").read_text())
    assert overrides["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True


def test_every_chapter_page_has_the_launch_button_and_its_panel(site):
    """Every notebook page's launch menu opens it in the site's JupyterLite (a link to a file
    the site has); every declared panel is on its chapter's page, once, and its REPL runs the
    panel's code after the browser-only install lines."""
    assert _built(site)
    for docname in _built(site):
        page = site.page(docname)
        html = page.read_text(encoding="utf-8")
        links = re.findall(r'href="([^"]*lite/notebooks/index\.html\?path=[^"]*)"', html)
        assert links, f"{docname}: no JupyterLite item in the launch menu"
        target = urllib.parse.urlparse(links[0].replace("&amp;", "&"))
        assert (page.parent / target.path).resolve().is_file(), f"{docname}: dead link"
        path = urllib.parse.parse_qs(target.query)["path"][0]
        assert path == f"{docname}.ipynb" and (site.html / "lite" / "files" / path).is_file()
    for docname, panel in PANELS.items():
        if docname not in _built(site):
            continue  # declared for a chapter not (yet) in the table of contents
        html = site.page(docname).read_text(encoding="utf-8")
        srcs = re.findall(r'class="alr-live"[^>]*data-src="([^"]+)"', html)
        assert len(srcs) == 1, f"{docname}: {len(srcs)} live panels"
        src = urllib.parse.urlparse(srcs[0].replace("&amp;", "&"))
        assert (site.page(docname).parent / src.path).resolve().is_file(), docname
        query = urllib.parse.parse_qs(src.query)
        assert query["code"] == [panel.source()] and query["kernel"] == ["python"], docname
        assert "sys.platform == \"emscripten\"" in query["code"][0]


def test_pyodide_has_every_dependency_of_the_package(pyodide_dist, app):
    """What ``%pip install adaptive-lr`` resolves in the browser: each of the package's
    dependencies is in Pyodide's distribution (its lock) at a version the package accepts, or
    among the wheels the site serves."""
    from packaging.requirements import Requirement

    lock = json.loads((local_pyodide.NPM_CORE / "pyodide-lock.json").read_text())["packages"]
    available = {local_pyodide.normalize(e["name"]): e["version"] for e in lock.values()}
    index = json.loads((app / "pypi" / "all.json").read_text())
    available.update({local_pyodide.normalize(name): next(iter(entry["releases"]))
                      for name, entry in index.items()})
    project = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]
    problems = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        version = available.get(local_pyodide.normalize(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{line}: the browser has {version or 'nothing'}")
    assert not problems, problems


# --- the kernel, offline ----------------------------------------------------------------------

#: What the REPL runs for the kernel, wheel and widget tests (one kernel start for all three):
#: the Python version, the package's wheel from the site (without its dependencies: numpy is
#: not available offline), every module of it compiled on this Python with warnings as errors,
#: the standard-library names it imports, then a slider whose moves Python answers.
PROBE = r'''
import sys, json
print("ALR-PYTHON " + json.dumps({"version": list(sys.version_info[:3]),
                                   "platform": sys.platform}))
%pip install --no-deps adaptive-lr
%pip install ipywidgets
import ast, importlib, importlib.metadata, pathlib, warnings

dist = importlib.metadata.distribution("adaptive-lr")
problems, stdlib = [], set()
modules = [f for f in dist.files if f.suffix == ".py"]
for file in modules:
    source = pathlib.Path(file.locate()).read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            compile(source, str(file), "exec")
        except (SyntaxError, Warning) as error:
            problems.append(f"{file}: {error!r}")
            continue
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            stdlib |= {(a.name, None) for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            stdlib |= {(node.module, a.name) for a in node.names}
stdlib = {(m, a) for m, a in stdlib if m.split(".")[0] in sys.stdlib_module_names}
for module, name in sorted(stdlib, key=str):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            imported = importlib.import_module(module)
            if name and not hasattr(imported, name):
                importlib.import_module(f"{module}.{name}")
        except Exception as error:
            problems.append(f"{module} {name or ''}: {error!r}")
print("ALR-WHEEL " + json.dumps({"version": dist.version, "modules": len(modules),
                                  "stdlib": len(stdlib), "problems": problems}))
import ipywidgets
slider = ipywidgets.IntSlider(value=3, min=0, max=10, description="n")
answer = ipywidgets.Label("n² = 9")
slider.observe(lambda change: setattr(answer, "value", f"n² = {change.new ** 2}"), "value")
ipywidgets.VBox([slider, answer])
'''


@pytest.fixture(scope="module")
def probe(browser, server, pyodide_dist, app):
    """The REPL running PROBE, offline, and how long it took."""
    context = Live(browser, server, pyodide_dist)
    started = time.monotonic()
    page = context.page(lite.repl_url("lite", PROBE).replace("hideCodeInput=1", "hideCodeInput=0"))
    try:
        page.wait_for_selector(".jp-OutputArea-output .widget-slider", timeout=START)
        outputs = page.evaluate(OUTPUTS_JS)
        yield {"page": page, "context": context, "outputs": outputs,
               "seconds": time.monotonic() - started}
    finally:
        context.close()


def test_the_kernel_starts_offline_on_python_3_14(probe):
    context, outputs = probe["context"], probe["outputs"]
    python = _marked(outputs, "ALR-PYTHON")
    assert python["platform"] == "emscripten" and python["version"][:2] == [3, 14], python
    assert not context.blocked, f"requests to other hosts: {sorted(set(context.blocked))}"
    assert not context.missing, f"asked Pyodide's CDN for what a start needs not: " \
                                f"{context.missing}"
    assert not context.unexpected_errors(), context.unexpected_errors()
    print(f"kernel started and the probe ran in {probe['seconds']:.1f} s")


def test_the_package_wheel_installs_and_compiles_on_python_3_14(probe):
    """The wheel from the site installs; every module compiles on Pyodide's CPython 3.14 with
    warnings as errors, and every standard-library module and name it imports exists there
    (what can be checked without numpy, which the offline Pyodide lacks)."""
    wheel = _marked(probe["outputs"], "ALR-WHEEL")
    version = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"][
        "version"]
    assert wheel["version"] == version
    assert wheel["modules"] >= 20 and wheel["stdlib"] >= 5, wheel
    assert not wheel["problems"], "\n".join(wheel["problems"])


def test_a_widget_round_trips_through_python(probe):
    """A slider moved with the keyboard reaches Python, whose answer comes back to the page;
    the time from key press to answer is printed."""
    page = probe["page"]
    handle = page.locator(".jp-OutputArea-output .widget-slider .noUi-handle").first
    handle.focus()
    latencies = []
    for expected in (16, 25, 36):
        pressed = time.monotonic()
        handle.press("ArrowRight")
        page.wait_for_function("(text) => [...document.querySelectorAll('.widget-label')]"
                               ".some(e => e.textContent === text)", arg=f"n² = {expected}",
                               timeout=10_000, polling="raf")
        latencies.append(time.monotonic() - pressed)
    print("widget round trips (key press to Python's answer shown): "
          + ", ".join(f"{1000 * s:.0f} ms" for s in latencies))
    assert not probe["context"].unexpected_errors(), probe["context"].unexpected_errors()


# --- the reader's way in ----------------------------------------------------------------------

def _chapter() -> str:
    for docname in ("chapters/adagrad", *PANELS):
        if docname in PANELS and docname in NOTEBOOKS:
            return docname
    pytest.skip("no chapter with a live panel in the table of contents")


def test_the_launch_button_opens_the_chapter_with_its_kernel_started(live):
    """The launch menu's JupyterLite item opens the chapter in the app's Notebook interface;
    the kernel starts by itself (no "Select Kernel" dialog) and answers a new cell."""
    docname = NOTEBOOKS[0] if "chapters/adagrad" not in NOTEBOOKS else "chapters/adagrad"
    context, page = live(f"{docname}.html")
    menu = page.locator(".dropdown-launch-buttons")
    menu.locator("button.dropdown-toggle").click()
    item = menu.locator(".dropdown-menu a", has_text="JupyterLite")
    item.wait_for(state="visible", timeout=3000)
    href = item.get_attribute("href")
    page.goto(urllib.parse.urljoin(page.url, href), wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function("""() => [...document.querySelectorAll(
        '.jp-Notebook-ExecutionIndicator, .jp-KernelStatus, [data-status]')]
        .some(e => /idle/i.test(e.getAttribute('data-status') || e.textContent || ''))""",
                           timeout=START, polling=1000)
    assert not page.locator(".jp-Dialog").count(), \
        f"a dialog opened: {page.locator('.jp-Dialog').first.inner_text()[:200]}"
    title = page.locator(".jp-Notebook .jp-MarkdownOutput h1").first.inner_text()
    assert title.strip(), "the chapter's title is not shown"
    assert not context.blocked, sorted(set(context.blocked))
    assert not context.unexpected_errors(), context.unexpected_errors()


def test_a_chapter_panel_starts_with_one_click_and_says_what_happens(live):
    """One press on "Run this panel live" embeds the REPL; the status line says it is loading,
    then that Python is starting, then (offline, where Pyodide's numpy is unavailable) that the
    panel stopped with an error, which the frame shows. Nothing pretends to be live."""
    docname = _chapter()
    context, page = live(f"{docname}.html")
    panel = page.locator(".alr-live").first
    status = panel.locator(".alr-live-status")
    assert not panel.locator("iframe").count(), "the REPL loads before a press"
    panel.locator("button.alr-live-start").click()
    frame = panel.locator("iframe.alr-live-frame")
    frame.wait_for(timeout=5000)
    assert frame.get_attribute("title").startswith("Live panel:")
    page.wait_for_function("(e) => /Loading JupyterLite|Starting Python/.test(e.textContent)",
                           arg=status.element_handle(), timeout=5000)
    states = set()
    deadline = time.monotonic() + START / 1000
    while time.monotonic() < deadline:
        state = panel.get_attribute("data-state")
        states.add((state, re.sub(r"\d+ s", "N s", status.inner_text())[:60]))
        if state in ("error", "live"):
            break
        time.sleep(0.5)
    assert panel.get_attribute("data-state") == "error", states
    assert "stopped with an error" in status.inner_text()
    assert any("Starting Python" in text for _, text in states), states
    error = page.frame_locator("iframe.alr-live-frame").locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').last
    assert re.search(r"numpy|matplotlib|pillow|Can't fetch|ValueError|404", error.inner_text()), \
        error.inner_text()[:500]
    assert context.missing and all(re.match(r"(numpy|matplotlib|pillow|contourpy|kiwisolver|"
                                            r"fonttools|cycler|pyparsing|python_dateutil|"
                                            r"pytz|threadpoolctl)", name)
                                   for name in context.missing), context.missing
    assert not context.blocked, sorted(set(context.blocked))
    # Pyodide reports each package it could not fetch (the test's own 404s) on the console,
    # and the app looks up the files of the traceback's frames (lite/api/resolvePath or
    # lite/api/drive), which a static site answers with 404: consequences of the error
    refused = re.compile(r"The following error occurred while loading (numpy|matplotlib|Pillow|"
                         r"contourpy|kiwisolver|fonttools|cycler|pyparsing|python-dateutil|"
                         r"pytz|threadpoolctl):|Failed to fetch|Failed to load resource: .*404"
                         r".*/lite/api/(resolvePath|drive)\?path=%2Flib%2Fpython3\.14%2F")
    errors = [e for e in context.unexpected_errors() if not refused.match(e)]
    assert not errors, "\n".join(errors)


# --- online -----------------------------------------------------------------------------------

def _cdn_reachable() -> str | None:
    """None if Pyodide's CDN answers, else why not."""
    try:
        with urllib.request.urlopen(CDN + "pyodide-lock.json", timeout=5) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except Exception as error:  # noqa: BLE001
        return repr(error)


def test_a_chapter_panel_runs_end_to_end_online(browser, server):
    """Where Pyodide's CDN is reachable: a chapter's panel goes live with numpy and matplotlib
    from the CDN, and a slider move redraws its figure; the cold start and the redraw time
    are printed. Requests to hosts other than the site, the CDN and PyPI fail the test."""
    why = _cdn_reachable()
    if why is not None:
        pytest.skip(f"Pyodide's CDN ({CDN}) is not reachable from here ({why}): the online "
                    "end-to-end test needs numpy and matplotlib from it")
    docname = _chapter()
    context = browser.new_context(viewport=DESKTOP)
    downloaded = {}
    context.on("requestfinished", lambda request: downloaded.__setitem__(
        request.url, request.sizes()["responseBodySize"]))
    elsewhere = []
    context.route(re.compile("^(?!" + "|".join(re.escape(u) for u in (
        server, CDN, "https://pypi.org/", "https://files.pythonhosted.org/")) + ")"),
        lambda route: (elsewhere.append(route.request.url), route.abort())[1])
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server}{docname}.html", wait_until="load")
        panel = page.locator(".alr-live").first
        started = time.monotonic()
        panel.locator("button.alr-live-start").click()
        page.wait_for_function("(e) => ['live', 'error'].includes(e.dataset.state)",
                               arg=panel.element_handle(), timeout=600_000, polling=500)
        cold = time.monotonic() - started
        assert panel.get_attribute("data-state") == "live", panel.inner_text()
        frame = page.frame_locator("iframe.alr-live-frame")
        image = frame.locator(".jp-OutputArea-output img").first
        before = image.get_attribute("src")
        handle = frame.locator(".widget-slider .noUi-handle").first
        handle.focus()
        pressed = time.monotonic()
        handle.press("ArrowRight")
        frame.locator(".jp-OutputArea-output img").first.evaluate(
            "(img, before) => new Promise(done => { const check = () => img.src !== before ? "
            "done() : requestAnimationFrame(check); check(); })", before)
        cdn = sum(size for url, size in downloaded.items() if url.startswith(CDN))
        site = sum(size for url, size in downloaded.items() if url.startswith(server))
        print(f"{docname}: live in {cold:.1f} s, {cdn / 1e6:.1f} MB from Pyodide's CDN and "
              f"{site / 1e6:.1f} MB from the site (as sent); a slider move redrawn in "
              f"{1000 * (time.monotonic() - pressed):.0f} ms")
        assert not elsewhere, sorted(set(elsewhere))
        assert not errors, errors
    finally:
        context.close()
