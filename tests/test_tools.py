"""The authoring tool that re-executes notebooks, and the benchmarks' smoke runs."""
import ast
import importlib
import json
import pathlib
import re
import sys
import time
import urllib.parse
import zipfile

import nbformat
import pytest

from adaptive_lr.tools import lite, refresh
from adaptive_lr.tools.sphinxext import WIDGET_VIEW

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_toc_notebooks_follow_reading_order():
    notebooks = refresh.toc_notebooks(ROOT)
    assert notebooks, "no notebook in _toc.yml"
    toc = (ROOT / "_toc.yml").read_text()
    positions = [toc.index(p.relative_to(ROOT).with_suffix("").as_posix()) for p in notebooks]
    assert positions == sorted(positions)


def test_book_root_is_found_from_a_subfolder():
    assert refresh.book_root(ROOT / "chapters") == ROOT
    with pytest.raises(FileNotFoundError):
        refresh.book_root(pathlib.Path("/"))


def test_sync_inserts_then_rewrites_the_colab_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")])
    refresh.sync_colab_cell(nb, "https://example.org/a")
    refresh.sync_colab_cell(nb, "https://example.org/b")
    assert len(nb.cells) == 2
    assert "git+https://example.org/b" in nb.cells[0].source
    assert nb.cells[0].metadata["tags"] == ["remove-cell", refresh.COLAB_TAG]


def test_refresh_executes_in_place_and_stores_no_widget_state(tmp_path):
    """Saved widget views would render as dead controls on the static page (issue 11)."""
    path = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tiny"),
        nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(value=3)"),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}
    nbformat.write(nb, path)
    refresh.refresh(path, "https://example.org/repo", timeout=120)
    done = nbformat.read(path, as_version=4)
    assert done.cells[0].metadata["tags"][-1] == refresh.COLAB_TAG
    assert done.cells[1].metadata["tags"][-1] == lite.LITE_TAG   # the browser's install cell
    assert not done.cells[1].outputs, "it does nothing under CPython"
    assert done.cells[4].outputs[0]["text"] == "42\n"
    assert "widgets" not in done.metadata, "state saved before is removed too"


@pytest.mark.parametrize("module", ["bench_sweep", "bench_large_step", "bench_widget"])
def test_benchmarks_run_in_quick_mode(module, capsys):
    bench = importlib.import_module(f"benchmarks.{module}")
    ratios = bench.main(["--quick"])
    assert ratios and all(value > 0 for value in ratios.values())
    assert "goal" in capsys.readouterr().out


# --- live mode (adaptive_lr.tools.lite) -------------------------------------------------------

PANELS = lite.load_panels(ROOT / lite.LITE_DIR)
TOC = refresh.toc_docnames(ROOT)


def _notebook(docname):
    return json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))


def test_the_browser_install_cell_goes_after_the_colab_cell_once():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")])
    refresh.sync_colab_cell(nb, "https://example.org/a")
    assert lite.sync_lite_cell(nb) is True
    assert lite.sync_lite_cell(nb) is False, "idempotent"
    nb.cells[1].source = "old"
    assert lite.sync_lite_cell(nb) is True and len(nb.cells) == 3
    nbformat.validate(nb)
    first, second = nb.cells[:2]
    assert refresh.COLAB_TAG in first.metadata["tags"]
    assert second.metadata["tags"] == ["remove-cell", lite.LITE_TAG]
    assert second.source == lite.lite_source()
    bare = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": []}
    lite.sync_lite_cell(bare)
    assert bare["cells"][0]["metadata"]["tags"][-1] == lite.LITE_TAG and "id" not in bare["cells"][0]


def test_the_install_lines_run_only_in_the_browser():
    """Under CPython the install cell and a panel's install lines are no-ops: IPython turns
    the %pip lines into calls that an `if sys.platform == "emscripten"` never reaches."""
    from IPython.core.inputtransformer2 import TransformerManager

    for source in (lite.lite_source(), lite.PANEL_INSTALL):
        code = TransformerManager().transform_cell(source)
        assert 'if sys.platform == "emscripten":' in code and "run_line_magic('pip'" in code
        exec(compile(code, "<install>", "exec"), {"get_ipython": _no_ipython})
    assert "%pip install --quiet ipywidgets adaptive-lr" in lite.lite_source()
    assert "--no-deps adaptive-lr" in lite.PANEL_INSTALL
    assert "scikit-learn" in lite.panel_install(("scikit-learn",))


def _no_ipython():
    raise AssertionError("an install line ran under CPython")


def test_every_chapter_with_a_live_widget_declares_its_panel():
    """A chapter whose notebook builds an ipywidgets panel gets its live panel on the page
    (lite/panels.yml); every declared panel names a notebook of the book and finds the cell it
    goes after."""
    for docname in TOC:
        path = ROOT / f"{docname}.ipynb"
        if path.exists() and re.search(r"\w_widget\(|interact\(", "".join(
                "".join(c["source"]) for c in _notebook(docname)["cells"]
                if c["cell_type"] == "code")):
            assert docname in PANELS, f"{docname} has a live widget but no panel in lite/panels.yml"
    for docname, panel in PANELS.items():
        assert (ROOT / f"{docname}.ipynb").exists(), f"lite/panels.yml: no notebook {docname}"
        nb = _notebook(docname)
        anchor = lite.insert_panel(nb, panel)
        assert anchor is not None, f"{docname}: no code cell contains any of {panel.after}"
        placed = [k for k, c in enumerate(nb["cells"]) if "alr-live-panel" in
                  c["metadata"].get("tags", [])]
        assert len(placed) == 1 and anchor in "".join(nb["cells"][placed[0] - 1]["source"])


def test_panels_declared_in_full(tmp_path):
    (tmp_path / lite.PANELS_FILE).write_text("panels:\n  chapters/x:\n    code: '1'\n    hue: 2\n")
    with pytest.raises(ValueError, match="needs a title and code"):
        lite.load_panels(tmp_path)
    assert lite.load_panels(ROOT / "no-such-folder") == {}


@pytest.mark.parametrize("docname", sorted(PANELS))
def test_each_panel_runs_and_its_controls_redraw(docname, capsys, monkeypatch):
    """The panel's code (install lines included, as the REPL runs it) builds an ipywidgets
    widget under CPython; moving its first slider redraws it. The time of that redraw here is
    printed: in the browser (WebAssembly) expect a few times more."""
    import ipywidgets
    import matplotlib
    from IPython.core.inputtransformer2 import TransformerManager

    matplotlib.use("Agg")
    panel = PANELS[docname]
    code = TransformerManager().transform_cell(panel.source())
    # what the browser's panel does not install is not importable here either
    blocked = {name for name, package in BIG_PACKAGES.items() if package not in panel.packages}
    monkeypatch.setattr(sys, "meta_path", [_Refuse(blocked), *sys.meta_path])
    for name in list(sys.modules):
        if name.split(".")[0] in blocked:
            monkeypatch.delitem(sys.modules, name)
    tree = ast.parse(code)
    assert isinstance(tree.body[-1], ast.Expr), f"{docname}: the panel must end with the widget"
    namespace = {"get_ipython": _no_ipython}
    exec(compile(ast.Module(tree.body[:-1], []), docname, "exec"), namespace)
    widget = eval(compile(ast.Expression(tree.body[-1].value), docname, "eval"), namespace)
    assert isinstance(widget, ipywidgets.Widget), type(widget)
    sliders = [w for w in _descendants(widget) if isinstance(w, (ipywidgets.FloatSlider,
               ipywidgets.FloatLogSlider, ipywidgets.IntSlider))]
    images = [w for w in _descendants(widget) if isinstance(w, ipywidgets.Image)]
    assert sliders and images, f"{docname}: no slider or no image"
    before = [image.value for image in images]
    slider = sliders[0]
    started = time.perf_counter()
    slider.value = slider.max if slider.value != slider.max else slider.min
    seconds = time.perf_counter() - started
    assert [image.value for image in images] != before, f"{docname}: the move redrew nothing"
    with capsys.disabled():
        print(f"\n{docname}: a slider move redraws in {1000 * seconds:.0f} ms under CPython")
    import matplotlib.pyplot as plt

    plt.close("all")


#: modules of Pyodide's distribution that a panel installs only if it lists their package
BIG_PACKAGES = {"sklearn": "scikit-learn", "scipy": "scipy"}


class _Refuse:
    """A meta-path finder that refuses some top-level modules, as the browser would."""

    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (the panel does not install "
                                      "it: list its package under `packages` in panels.yml)")
        return None


def _descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _descendants(child)


def test_the_repl_address_carries_the_panel_code():
    panel = PANELS[next(iter(PANELS))]
    url = lite.repl_url("../lite", panel.source())
    path, query = url.split("?", 1)
    assert path == "../lite/repl/index.html"
    params = urllib.parse.parse_qs(query)
    assert params["code"] == [panel.source()] and params["execute"] == ["1"]
    assert params["kernel"] == ["python"] and params["hideCodeInput"] == ["1"]
    html = lite.panel_html(panel, "../lite")
    assert 'type="button"' in html and 'role="status"' in html and "&lt;" not in panel.title
    assert html.count('data-src="') == 1 and "&amp;code=" in html
    assert lite._prefix("chapters/adagrad") == "../lite" and lite._prefix("index") == "lite"


def test_the_wheel_builds_from_the_working_tree_and_leaves_it_clean(tmp_path):
    before = set(ROOT.iterdir()) | set((ROOT / "code").iterdir())
    wheel = lite.build_wheel(ROOT, tmp_path)
    assert wheel.name.startswith("adaptive_lr-") and wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    assert {"adaptive_lr/__init__.py", "adaptive_lr/widgets.py",
            "adaptive_lr/optim/__init__.py", "adaptive_lr/tools/lite.py"} <= names
    assert not any("__pycache__" in n for n in names)
    assert "Name: adaptive-lr" in text and "Requires-Dist: numpy" in text
    assert set(ROOT.iterdir()) | set((ROOT / "code").iterdir()) == before, "build left files"


def test_the_app_serves_the_chapters_without_saved_widgets_and_with_the_install_cell(tmp_path):
    docnames = [d for d in TOC if (ROOT / f"{d}.ipynb").exists()][:2]
    written = lite.write_contents(ROOT, docnames + ["chapters/no-such"], tmp_path)
    assert written == [f"{d}.ipynb" for d in docnames]
    nb = json.loads((tmp_path / written[0]).read_text())
    assert "widgets" not in nb["metadata"]
    assert sum(lite.LITE_TAG in c["metadata"].get("tags", []) for c in nb["cells"]) == 1
    assert not any(WIDGET_VIEW in o.get("data", {}) for c in nb["cells"]
                   for o in c.get("outputs", []))


# --- Python 3.14, what the browser runs -------------------------------------------------------

#: Standard-library modules removed by Python 3.12 to 3.14 (PEP 594, PEP 632 and others), and
#: names removed from modules that remain (3.12: unittest's aliases, 3.14: ast's literal
#: classes, pkgutil's loaders, typing.ByteString ...).
REMOVED_MODULES = {"asynchat", "asyncore", "distutils", "imp", "smtpd", "aifc", "audioop",
                   "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis",
                   "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib",
                   "uu", "xdrlib", "lib2to3", "tkinter.tix"}
REMOVED_NAMES = {"ast": {"Num", "Str", "Bytes", "NameConstant", "Ellipsis"},
                 "pkgutil": {"find_loader", "get_loader"},
                 "typing": {"ByteString"}, "collections.abc": {"ByteString"},
                 "importlib.abc": {"ResourceReader", "Traversable", "TraversableResources"},
                 "asyncio": {"get_child_watcher", "set_child_watcher", "AbstractChildWatcher"},
                 "urllib.request": {"URLopener", "FancyURLopener"},
                 "unittest": {"makeSuite", "findTestCases", "getTestCaseNames"},
                 "configparser": {"SafeConfigParser", "readfp"},
                 "locale": {"resetlocale"}, "sys": {"setcheckinterval"}}


def test_the_package_uses_nothing_python_3_14_removed():
    """The browser runs the package on CPython 3.14 (Pyodide). Every module compiles with
    warnings as errors (invalid escapes are SyntaxWarnings there), and none imports a module
    or uses a name that 3.12–3.14 removed. The offline browser test compiles the shipped wheel
    on Pyodide's 3.14 itself (tests/browser/test_live.py)."""
    import warnings

    problems = []
    for path in sorted((ROOT / "code" / "adaptive_lr").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(source, str(path), "exec")
        aliases = {}
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name] = alias.name
                    if alias.name in REMOVED_MODULES or alias.name.split(".")[0] in \
                            REMOVED_MODULES:
                        problems.append(f"{path.name}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                if node.module.split(".")[0] in REMOVED_MODULES:
                    problems.append(f"{path.name}: from {node.module}")
                gone = REMOVED_NAMES.get(node.module, set())
                problems += [f"{path.name}: from {node.module} import {a.name}"
                             for a in node.names if a.name in gone]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                module = aliases.get(node.value.id)
                if module and node.attr in REMOVED_NAMES.get(module, set()):
                    problems.append(f"{path.name}:{node.lineno}: {module}.{node.attr}")
    assert not problems, problems
    requires = re.search(r'requires-python = "([^"]+)"',
                         (ROOT / "pyproject.toml").read_text())[1]
    assert not re.search(r"<\s*3\.1[0-4]", requires), f"requires-python {requires} excludes 3.14"
