"""The book's Sphinx extension: for the API page, bars in prose, attribute docstrings and short
refs; for the site, inline scripts once, no saved widgets, MathJax served locally and
bibliography labels that read like the citations."""
import io
import json
import re
import sys
import textwrap

import pytest
from pybtex.database import Entry, Person

from adaptive_lr.tools.sphinxext import (WIDGET_VIEW, author_year_label, escape_bars,
                                         reexport_target, without_widgets)


def test_bars_in_prose_are_escaped():
    assert escape_bars(["a run whose |loss| exceeds it"]) == [r"a run whose \|loss\| exceeds it"]
    assert escape_bars(["|∂J/∂w_l| for each layer"]) == [r"\|∂J/∂w_l\| for each layer"]


def test_bars_in_literals_roles_and_links_are_kept():
    line = "keep ``max(1, |x|)`` and :math:`|g|` and `a|b <https://x>`_ but not |y|"
    assert escape_bars([line]) == [
        r"keep ``max(1, |x|)`` and :math:`|g|` and `a|b <https://x>`_ but not \|y\|"]


def test_bars_in_blocks_are_kept():
    lines = textwrap.dedent("""\
        Summary with |a|.

        .. math::

           |1 - \\rho\\lambda| < 1

        Example::

            print(|b|)

        >>> abs(-1)  # |c|
        1

        | a line block
        +---+---+
        back to |prose|.""").splitlines()
    out = escape_bars(lines)
    assert out[0] == r"Summary with \|a\|."
    assert out[4] == lines[4] and out[8] == lines[8] and out[10] == lines[10]
    assert out[13] == lines[13] and out[14] == lines[14]
    assert out[15] == r"back to \|prose\|."


def test_reexports_resolve_to_their_defining_module():
    assert reexport_target("adaptive_lr.minimize") == "adaptive_lr.runs.minimize"
    assert reexport_target("adaptive_lr.Adam.step") == "adaptive_lr.optim.adam.Adam.step"
    assert reexport_target("adaptive_lr.runs.Run.steps_to") is None     # already at home
    assert reexport_target("numpy.ndarray") is None                      # not this package
    assert reexport_target("Run.steps_to") is None


@pytest.fixture
def tiny_package(tmp_path, monkeypatch):
    pkg = tmp_path / "tinypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""Tiny."""\nfrom .core import run\n')
    (pkg / "core.py").write_text(textwrap.dedent('''\
        """Core with |bars| in prose."""


        class Record:
            """A record.

            Attributes:
              steps: the steps.
            """

            @property
            def mask(self):
                """Boolean mask over the batch: True where it diverged."""
                return None

            def steps_to(self, tolerance):
                """First step with |loss| ≤ ``tolerance``."""


        def run(x):
            """Run it; see :meth:`Record.steps_to` and :func:`tinypkg.run`.

            Args:
              x: a value; its size |x| matters.

            where:
              - ρ (``lr``): the learning rate.
            """
        '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("tinypkg")]:
        del sys.modules[name]


def test_a_nitpicky_build_has_no_warnings(tiny_package):
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src, out = tiny_package / "docs", tiny_package / "out"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent("""\
        extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon",
                      "adaptive_lr.tools.sphinxext"]
        napoleon_custom_sections = ["where"]
        napoleon_attr_annotations = False
        autodoc_typehints = "none"
        """))
    (src / "index.rst").write_text(textwrap.dedent("""\
        API
        ===

        .. automodule:: tinypkg

        .. automodule:: tinypkg.core
           :members:
        """))
    warnings = io.StringIO()
    with docutils_namespace():  # each Sphinx in this process gets its own docutils registry
        app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html",
                     status=None, warning=warnings, freshenv=True, warningiserror=False,
                     confoverrides={"nitpicky": True})
        app.build()
    assert warnings.getvalue() == ""
    page = (out / "index.html").read_text()
    assert "Boolean mask over the batch: True where it diverged." in page
    assert "|loss|" in page and "|bars|" in page
    assert 'href="#tinypkg.core.Record.steps_to"' in page
    assert 'href="#tinypkg.core.run"' in page


# --- the rendered site: scripts once, no saved widgets, local MathJax, author-year labels -----

def test_without_widgets_drops_saved_state_and_views_only():
    view = {"output_type": "display_data",
            "data": {WIDGET_VIEW: {"model_id": "m"}, "text/plain": "VBox(...)"}}
    text = {"output_type": "stream", "name": "stdout", "text": "42\n"}
    notebook = {"metadata": {"widgets": {"state": {}}, "kernelspec": {"name": "python3"}},
                "cells": [{"cell_type": "code", "outputs": [view, text]},
                          {"cell_type": "markdown", "source": "# Title"}]}
    clean = without_widgets(notebook)
    assert clean["metadata"] == {"kernelspec": {"name": "python3"}}
    assert clean["cells"][0]["outputs"] == [text]
    assert clean["cells"][1] == {"cell_type": "markdown", "source": "# Title"}


def test_author_year_labels_read_like_the_citations():
    def entry(year, *authors):
        return Entry("misc", fields={"year": year},
                     persons={"author": [Person(name) for name in authors]})

    assert author_year_label(entry("2012", "Zeiler, Matthew D.")) == "Zeiler, 2012"
    assert author_year_label(entry("2015", "Kingma, Diederik P.", "Ba, Jimmy")) == \
        "Kingma and Ba, 2015"
    assert author_year_label(entry("2011", "Duchi, John", "Hazan, Elad", "Singer, Yoram")) == \
        "Duchi et al., 2011"
    assert author_year_label(entry("2024", "{PyTorch contributors}")) == \
        "PyTorch contributors, 2024"


TINY_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"},
                 "widgets": {"application/vnd.jupyter.widget-state+json": {
                     "state": {"m": {"model_name": "IntSliderModel", "state": {}}},
                     "version_major": 2, "version_minor": 0}}},
    "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {},
         "source": "# A notebook\n\nAs {cite}`one`, {cite}`two` and {cite}`three` show, $x^2$."},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1,
         "source": "slider", "outputs": [{
             "output_type": "display_data", "metadata": {},
             "data": {WIDGET_VIEW: {"model_id": "m", "version_major": 2, "version_minor": 0},
                      "text/plain": "IntSlider(value=3)"}}]},
    ],
}

TINY_BIB = """\
@misc{one, title = {{Adam}: one}, author = {Zeiler, Matthew D.}, year = {2012},
       url = {https://example.org/one}}
@misc{two, title = {Two}, author = {Kingma, Diederik P. and Ba, Jimmy}, year = {2015}}
@misc{three, title = {Three}, author = {Duchi, John and Hazan, Elad and Singer, Yoram},
       year = {2011}, doi = {10.1000/three}}
"""


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory):
    """A notebook with saved widgets, citations and maths, built by Sphinx with myst-nb,
    sphinx-thebe (whose inline script Sphinx 7.4 wrote twice), bibtex and this extension."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path_factory.mktemp("tiny_book")
    (src / "conf.py").write_text(textwrap.dedent("""\
        extensions = ["myst_nb", "sphinx_thebe", "sphinxcontrib.bibtex",
                      "adaptive_lr.tools.sphinxext"]
        myst_enable_extensions = ["dollarmath"]
        nb_execution_mode = "off"
        bibtex_bibfiles = ["refs.bib"]
        bibtex_reference_style = "author_year"
        bibtex_default_style = "author_year"
        mathjax_path = "mathjax/tex-mml-chtml.js"
        """))
    (src / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   nb\n   refs\n")
    (src / "refs.rst").write_text("Refs\n====\n\n.. bibliography::\n")
    (src / "refs.bib").write_text(TINY_BIB)
    (src / "nb.ipynb").write_text(json.dumps(TINY_NOTEBOOK))
    out = src / "_build"
    warnings = io.StringIO()
    with docutils_namespace():  # each Sphinx in this process gets its own docutils registry
        app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html", status=None,
                     warning=warnings, freshenv=True)
        app.build()
    return out, warnings.getvalue()


def test_the_tiny_book_builds_without_warnings(tiny_book):
    assert tiny_book[1] == ""


def test_inline_scripts_are_written_once(tiny_book):
    page = (tiny_book[0] / "nb.html").read_text()
    assert page.count("const THEBE_JS_URL") == 1


def test_saved_widgets_are_not_embedded(tiny_book):
    page = (tiny_book[0] / "nb.html").read_text()
    assert "application/vnd.jupyter.widget" not in page
    assert "html-manager" not in page and "require.js" not in page
    assert "IntSlider(value=3)" not in page, "nor their text fallback"


def test_mathjax_is_served_by_the_site(tiny_book):
    out = tiny_book[0]
    page = (out / "nb.html").read_text()
    assert 'src="_static/mathjax/tex-mml-chtml.js"' in page
    assert (out / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (out / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_bibliography_labels_match_the_citations(tiny_book):
    refs = (tiny_book[0] / "refs.html").read_text()
    labels = [re.sub(r"<[^>]+>", "", label) for label in
              re.findall(r'<span class="label">(.*?)</span></span>', refs)]
    assert labels == ["[Duchi et al., 2011]", "[Kingma and Ba, 2015]", "[Zeiler, 2012]"]
    assert "Adam: one" in refs, "braced capitals are kept"
    assert 'href="https://example.org/one"' in refs and 'href="https://doi.org/10.1000/three"' \
        in refs
    page = (tiny_book[0] / "nb.html").read_text()
    assert "Kingma and Ba, 2015" in re.sub(r"<[^>]+>", "", page)


def test_live_mode_adds_jupyterlite_to_the_launch_menu_and_keeps_styles_local():
    """The launch menu of a notebook page gets a JupyterLite item relative to the page; a style
    sheet from another host (jupyterlite-sphinx's Google Fonts) is dropped."""
    import types

    from adaptive_lr.tools import lite

    env = types.SimpleNamespace(found_docs={"chapters/adagrad", "chapters/notes"},
                                doc2path=lambda name, base=True: f"/book/{name}" + (
                                    ".ipynb" if name == "chapters/adagrad" else ".md"))
    app = types.SimpleNamespace(env=env, extensions={"jupyterlite_sphinx": None})
    for page, expected in (("chapters/adagrad", 1), ("chapters/notes", 0)):
        group = {"label": "launch-buttons", "buttons": []}
        lite._launch_button(app, page, "page.html", {"header_buttons": [group]}, None)
        assert len(group["buttons"]) == expected
    item = lite.notebook_url(lite._prefix("chapters/adagrad"), "chapters/adagrad.ipynb")
    assert item == "../lite/notebooks/index.html?path=chapters%2Fadagrad.ipynb"
    def assets():
        return {"css_files": ["_static/book.css",
                              types.SimpleNamespace(filename="https://fonts.example/x.css"),
                              types.SimpleNamespace(filename="_static/jupyterlite_sphinx.css"),
                              types.SimpleNamespace(filename="_static/live-panel.css")],
                "script_files": [types.SimpleNamespace(filename="_static/jupyterlite_sphinx.js")]}

    context = {**assets(), "body": "<p>no directive</p>"}
    lite._local_styles_only(app, "x", "page.html", context, None)
    assert [getattr(s, "filename", s) for s in context["css_files"]] == [
        "_static/book.css", "_static/live-panel.css"]
    assert context["script_files"] == []
    context = {**assets(), "body": '<div class="jupyterlite_sphinx_iframe_container">'}
    lite._local_styles_only(app, "x", "page.html", context, None)
    assert len(context["css_files"]) == 3 and len(context["script_files"]) == 1
