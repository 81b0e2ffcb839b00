"""Live mode: the chapters and their panels run in the reader's browser, with no server.

The built site holds a JupyterLite app (``_build/html/lite/``, built by ``jupyterlite-sphinx``
from the folder ``lite/``) whose Python kernel is Pyodide (CPython 3.14 compiled to
WebAssembly). This module is the book's side of it, wired into Sphinx by
:mod:`adaptive_lr.tools.sphinxext`:

* **the package ships with the site**: at build time :func:`build_wheel` builds the package's
  wheel from the working tree and the app's ``pypi/`` index serves it, beside the wheels
  committed in ``lite/pypi/`` (ipywidgets, jupyterlab_widgets and comm, which Pyodide's own
  distribution lacks), so ``%pip install adaptive-lr`` installs from the site itself;
* **every chapter opens in JupyterLite** from the launch menu ("JupyterLite"): the app's
  contents are copies of the book's notebooks (:func:`write_contents`) with the install cell
  (:func:`lite_source`) and without saved widgets;
* **every chapter's panel is live on its page**: the panels declared in ``lite/panels.yml``
  (:func:`load_panels`) are placed after the chapter's own widget cell (:func:`insert_panel`,
  at ``source-read``, so the notebooks stay as they are) as a ``live-panel`` directive: a
  button that embeds JupyterLite's REPL running the panel's code (:func:`repl_url`), with a
  status line that tells the reader what is loading and for how long
  (``static/live-panel.js``);
* **no "Select Kernel" dialog**: ``lite/overrides.json`` starts the default kernel.

The install lines run only where ``sys.platform == "emscripten"`` (in the browser), so nbval,
Binder, Colab and local runs are untouched. The chapter notebooks keep the same cell in their
sources: ``python -m adaptive_lr.tools.refresh`` maintains it (:func:`sync_lite_cell`) as it
maintains the Colab cell, and the build adds it to the app's copies in any case.
"""
from __future__ import annotations

import copy
import dataclasses
import html
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

#: the JupyterLite folder of the book (``jupyterlite_dir``) and the panels declared in it
LITE_DIR = "lite"
PANELS_FILE = "panels.yml"
#: the tag of the chapter notebooks' browser-only install cell (after the Colab cell)
LITE_TAG = "lite-install"
COLAB_TAG = "colab-install"
#: the Python package's name on the app's index (``pyproject.toml``'s ``project.name``)
DISTRIBUTION = "adaptive-lr"

#: What every panel installs in the browser: what Pyodide's own distribution lacks
#: (ipywidgets, from the site) and the numerical stack the widgets need (from Pyodide's
#: distribution); then the package itself without its declared dependencies, so that a panel
#: does not fetch SciPy and scikit-learn (large WebAssembly builds), which only the chapters'
#: real-data tasks use: a panel that needs them lists them under ``packages``.
PANEL_PACKAGES = ("ipywidgets", "numpy", "matplotlib", "pillow", "threadpoolctl")


def panel_install(packages=()) -> str:
    """A panel's first lines: the browser-only installs (see :data:`PANEL_PACKAGES`)."""
    return (
        "import sys\n"
        "\n"
        'if sys.platform == "emscripten":  # in the browser: install what Pyodide lacks\n'
        f"    %pip install --quiet {' '.join([*PANEL_PACKAGES, *packages])}\n"
        f"    %pip install --quiet --no-deps {DISTRIBUTION}\n")


PANEL_INSTALL = panel_install()


def lite_source() -> str:
    """The chapter notebooks' install cell for the browser (JupyterLite): ipywidgets and this
    book's package, with all of the package's dependencies, from the site and from Pyodide's
    distribution. A no-op under CPython."""
    return (
        "# In the browser (JupyterLite, the book's live mode), install ipywidgets and this book's\n"
        "# package, both shipped with the site. Everywhere else this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if sys.platform == "emscripten":\n'
        f"    %pip install --quiet ipywidgets {DISTRIBUTION}")


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def sync_lite_cell(nb: dict) -> bool:
    """Make the notebook's install cell for the browser current: rewritten in place if there
    is one (tagged ``lite-install``), inserted otherwise, after the Colab cell if the notebook
    starts with one, else first. ``nb`` is nbformat 4 JSON (a dict or a NotebookNode).
    Returns True if the notebook changed."""
    cells = nb.setdefault("cells", [])
    source = lite_source()
    for cell in cells:
        if LITE_TAG in _tags(cell):
            changed = "".join(cell.get("source", "")) != source
            cell["source"] = source
            return changed
    cell = {"cell_type": "code", "execution_count": None,
            "metadata": {"tags": ["remove-cell", LITE_TAG]}, "outputs": [], "source": source}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):  # cells have ids
        ids = {c.get("id") for c in cells}
        cell["id"] = next(f"{LITE_TAG}-{k}" if k else LITE_TAG for k in range(len(cells) + 1)
                          if (f"{LITE_TAG}-{k}" if k else LITE_TAG) not in ids)
    if type(nb) is not dict:  # an nbformat.NotebookNode: its cells are NotebookNodes too
        import nbformat

        cell = nbformat.from_dict(cell)
    at = 1 if cells and COLAB_TAG in _tags(cells[0]) else 0
    cells.insert(at, cell)
    return True


# --- panels ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Panel:
    """One chapter's live panel, as declared in ``lite/panels.yml``."""
    docname: str
    title: str
    code: str
    after: tuple[str, ...] = ("widgets.comparison_widget(",)
    height: str = "720px"
    packages: tuple[str, ...] = ()   # installed beyond PANEL_PACKAGES (e.g. scikit-learn)

    @property
    def name(self) -> str:
        return self.docname.rsplit("/", 1)[-1]

    def source(self) -> str:
        """What the REPL runs: the browser-only install lines, then the panel."""
        return panel_install(self.packages) + "\n" + self.code.rstrip() + "\n"


def load_panels(lite_dir: pathlib.Path) -> dict[str, Panel]:
    """The declared panels, by the docname of their chapter."""
    path = pathlib.Path(lite_dir) / PANELS_FILE
    if not path.exists():
        return {}
    declared = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    panels = {}
    for docname, entry in (declared.get("panels") or {}).items():
        unknown = set(entry) - {"title", "code", "after", "height", "packages"}
        if unknown or not entry.get("code") or not entry.get("title"):
            raise ValueError(f"{path}: panel {docname!r} needs a title and code "
                             f"(and knows only after, height and packages; got {sorted(entry)})")
        after = entry.get("after", Panel.after)
        packages = entry.get("packages", ())
        panels[docname] = Panel(docname, entry["title"], entry["code"],
                                (after,) if isinstance(after, str) else tuple(after),
                                entry.get("height", Panel.height),
                                (packages,) if isinstance(packages, str) else tuple(packages))
    return panels


def repl_url(prefix: str, code: str) -> str:
    """The address of JupyterLite's REPL (``prefix`` is the app's folder relative to the page)
    that starts the Python kernel and runs ``code`` at once, showing outputs, not the code."""
    query = urllib.parse.urlencode({
        "kernel": "python", "toolbar": "1", "execute": "1", "showBanner": "0",
        "hideCodeInput": "1", "promptCellPosition": "bottom", "code": code,
    }, quote_via=urllib.parse.quote)
    return f"{prefix.rstrip('/')}/repl/index.html?{query}"


def notebook_url(prefix: str, path: str) -> str:
    """The address of the Notebook interface of the app, opening ``path`` (in its contents)."""
    return (f"{prefix.rstrip('/')}/notebooks/index.html?"
            + urllib.parse.urlencode({"path": path}, quote_via=urllib.parse.quote))


def panel_cell(panel: Panel) -> dict:
    """The Markdown cell that puts the panel on the page."""
    return {"cell_type": "markdown", "metadata": {"tags": ["alr-live-panel"]},
            "source": f"```{{live-panel}} {panel.docname}\n```\n"}


def insert_panel(nb: dict, panel: Panel) -> str | None:
    """Insert the panel's cell after the first code cell containing one of ``panel.after``
    (tried in order). Returns the string it was placed after, or None if none was found (then
    the panel goes at the end of the notebook)."""
    cells = nb.setdefault("cells", [])
    for anchor in panel.after:
        for k, cell in enumerate(cells):
            if cell.get("cell_type") == "code" and anchor in "".join(cell.get("source", "")):
                cells.insert(k + 1, panel_cell(panel))
                return anchor
    cells.append(panel_cell(panel))
    return None


def panel_html(panel: Panel, prefix: str) -> str:
    """The panel on the static page: a button that embeds the REPL, and a status line that
    says what starting it costs and, once pressed, how it is going (``live-panel.js``)."""
    src = repl_url(prefix, panel.source())
    notebook = notebook_url(prefix, f"{panel.docname}.ipynb")
    title = html.escape(panel.title)
    return (
        f'<div class="alr-live" id="alr-live-{html.escape(panel.name)}" '
        f'data-src="{html.escape(src)}" data-height="{html.escape(panel.height)}" '
        f'data-title="Live panel: {title}">\n'
        f'<p class="alr-live-lead"><strong>Live:</strong> {title}. Python runs in your browser '
        f'(<a href="{html.escape(notebook)}">JupyterLite</a>), with this book\'s package: the '
        f'first start downloads about {LIVE_DOWNLOAD} and takes about {LIVE_START}; later '
        f'starts come from your browser\'s cache.</p>\n'
        '<button type="button" class="alr-live-start btn btn-sm btn-primary">'
        '<i class="fa-solid fa-play" aria-hidden="true"></i> Run this panel live</button>\n'
        '<span class="alr-live-status" role="status" aria-live="polite"></span>\n'
        '<noscript><p>The live panel needs JavaScript.</p></noscript>\n'
        '</div>\n')


#: what the first start costs a reader, as measured (README, "Live mode"): shown beside the
#: button before it is pressed
LIVE_DOWNLOAD = "40 MB"
LIVE_START = "20 to 40 s"


# --- build ----------------------------------------------------------------------------------

def build_wheel(root: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """The package's wheel, built from the working tree into ``dest`` (a pure-Python wheel,
    ``py3-none-any``). The sources are copied to a temporary folder first, so the build
    leaves nothing in the working tree (setuptools writes ``build/`` and ``*.egg-info``)."""
    root, dest = pathlib.Path(root), pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.whl"):
        old.unlink()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")
    with tempfile.TemporaryDirectory(prefix="alr-wheel-") as tmp:
        tree = pathlib.Path(tmp, "src")
        tree.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, tree / name)
        shutil.copytree(root / "code", tree / "code", ignore=ignore)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--no-index", "--wheel-dir", str(dest),
                        str(tree)], check=True, cwd=tmp)
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1 or not wheels[0].name.endswith("-py3-none-any.whl"):
        raise RuntimeError(f"expected one pure-Python wheel in {dest}, got {wheels}")
    return wheels[0]


def app_notebook(notebook: dict) -> dict:
    """A chapter notebook as the app serves it: its install cell current, no saved widgets."""
    from .sphinxext import without_widgets

    nb = without_widgets(copy.deepcopy(notebook))
    sync_lite_cell(nb)
    return nb


def write_contents(root: pathlib.Path, docnames: list[str], dest: pathlib.Path) -> list[str]:
    """Copy the book's notebooks (``docnames`` without suffix) into ``dest`` under the same
    paths, as the app serves them (:func:`app_notebook`). Returns the paths written."""
    dest = pathlib.Path(dest)
    written = []
    for docname in docnames:
        source = pathlib.Path(root, f"{docname}.ipynb")
        if not source.exists():
            continue
        target = dest / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = app_notebook(json.loads(source.read_text(encoding="utf-8")))
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(f"{docname}.ipynb")
    return written


# --- Sphinx ---------------------------------------------------------------------------------

STATIC = pathlib.Path(__file__).with_name("static")


def _build_dir(app) -> pathlib.Path:
    """Where the build keeps the app's inputs: beside the HTML output (``_build/``), never in
    the sources."""
    return pathlib.Path(app.outdir).parent


def _configure(app, config) -> None:
    """``config-inited``, before jupyterlite-sphinx's own handler (priority 500)."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    if "jupyterlite_sphinx" not in app.extensions:
        return
    build = _build_dir(app)
    # jupyterlite-sphinx empties and fills this folder; outside the sources, per build
    config.jupyterlite_content_dir = str(build / "lite-contents")
    options = dict(config.jupyterlite_build_command_options or {})
    options["piplite-wheels"] = str(build / "lite-wheels")
    config.jupyterlite_build_command_options = options


def _lite_dir(app) -> pathlib.Path:
    return pathlib.Path(app.srcdir, getattr(app.config, "jupyterlite_dir", None) or LITE_DIR)


def _panels(app) -> dict[str, Panel]:
    if not hasattr(app, "_alr_panels"):
        app._alr_panels = load_panels(_lite_dir(app))
    return app._alr_panels


def _insert_panel(app, docname, source) -> None:
    """``source-read``: put the chapter's declared panel on its page."""
    panel = _panels(app).get(docname)
    if panel is None or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    nb = json.loads(source[0])
    if insert_panel(nb, panel) is None:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "lite/panels.yml: no code cell of %s contains any of %s; its live panel is placed "
            "at the end of the page", docname, list(panel.after), location=docname)
    source[0] = json.dumps(nb)


def _prefix(docname: str) -> str:
    """The app's folder relative to the page of ``docname``."""
    depth = docname.count("/")
    return "/".join([".."] * depth + [LITE_DIR])


def _live_panel_directive():
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class LivePanel(SphinxDirective):
        """``live-panel`` DOCNAME: the live panel declared for DOCNAME in lite/panels.yml."""
        required_arguments = 1
        has_content = False

        def run(self):
            panel = _panels(self.env.app).get(self.arguments[0])
            if panel is None:
                raise self.error(f"no panel {self.arguments[0]!r} in lite/panels.yml")
            return [nodes.raw("", panel_html(panel, _prefix(self.env.docname)), format="html")]

    return LivePanel


def _is_app_notebook(app, pagename: str) -> bool:
    return str(app.env.doc2path(pagename, base=True)).endswith(".ipynb") and \
        pagename in app.env.found_docs


def _launch_button(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``, after sphinx-book-theme's launch menu (priority 501): a
    "JupyterLite" item that opens the chapter in the site's own JupyterLite."""
    if "jupyterlite_sphinx" not in app.extensions or not _is_app_notebook(app, pagename):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"].append({
                "type": "link", "text": "JupyterLite",
                "tooltip": "Run this chapter in your browser (JupyterLite)",
                "icon": "fas fa-laptop-code", "label": "launch-jupyterlite",
                "url": notebook_url(_prefix(pagename), f"{pagename}.ipynb"),
            })


def _local_styles_only(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: no style sheet from another host (jupyterlite-sphinx adds a
    Google Fonts one for its own prompt button), and jupyterlite-sphinx's own script and style
    sheet only on pages that use its directives (this book's panels do not)."""
    uses_directives = any(mark in context.get("body", "") for mark in
                          ("jupyterlite_sphinx", "try_examples"))

    def keep(asset) -> bool:
        name = str(getattr(asset, "filename", asset) or "")
        if name.startswith(("http:", "https:")):
            return False
        return uses_directives or not name.endswith(("jupyterlite_sphinx.js",
                                                     "jupyterlite_sphinx.css"))

    for key in ("css_files", "script_files"):
        if context.get(key):
            context[key][:] = [asset for asset in context[key] if keep(asset)]


def _prepare_app(app, exception) -> None:
    """``build-finished``, before jupyterlite-sphinx runs ``jupyter lite build`` (priority
    500): the package's wheel and the app's contents."""
    if exception is not None or app.builder.format != "html" or \
            "jupyterlite_sphinx" not in app.extensions:
        return
    import os

    build = _build_dir(app)
    build_wheel(pathlib.Path(app.srcdir), build / "lite-wheels")
    notebooks = sorted(d for d in app.env.found_docs
                       if str(app.env.doc2path(d, base=True)).endswith(".ipynb"))
    write_contents(pathlib.Path(app.srcdir), notebooks,
                   pathlib.Path(app.srcdir, app.config.jupyterlite_content_dir))
    # jupyter lite build's cache (default: lite/.cache in the sources), per build
    os.environ["JUPYTERLITE_CACHE_DIR"] = str(build / "lite-cache")


def setup(app) -> None:
    """Wire live mode into Sphinx (called by :mod:`adaptive_lr.tools.sphinxext`)."""
    app.connect("config-inited", _configure, priority=400)
    app.connect("source-read", _insert_panel)
    app.add_directive("live-panel", _live_panel_directive())
    app.add_js_file("live-panel.js", defer="defer")
    app.add_css_file("live-panel.css")
    app.connect("html-page-context", _launch_button, priority=502)
    app.connect("html-page-context", _local_styles_only, priority=900)
    app.connect("build-finished", _prepare_app, priority=400)
