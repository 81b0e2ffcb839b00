r"""A Sphinx extension that lets the API page render the package's docstrings as written.

The docstrings are written for readers of the source first: Google style (read by
``sphinx.ext.napoleon``), with absolute values such as ``|g|`` in plain prose, attribute
docstrings that are sentences, and short cross-references such as :func:`adaptive_lr.minimize`
(a re-export) or ``:meth:`Run.steps_to``` (a class imported from another module). Under the
nitpicky, warnings-as-errors build three things would fail, and this extension handles each:

* ``|text|`` is reST's substitution syntax, so ``|g|`` is an "undefined substitution";
  :func:`escape_bars` escapes the bars in prose (not in literals, roles, math or code blocks)
  before napoleon reads the docstring;
* napoleon reads the first line of an attribute's or property's docstring as
  ``type: description``, turning "Boolean mask over the batch: ..." into a bogus type; the
  docstrings of attributes, data and properties are restored as written after napoleon;
* a Python cross-reference that does not resolve as written is retried (:func:`resolve`) as the
  object the package re-exports (``adaptive_lr.minimize`` → ``adaptive_lr.runs.minimize``),
  then by a unique suffix match (``Run.steps_to`` → ``adaptive_lr.runs.Run.steps_to``); a
  name that matches nothing, or more than one object, still warns.

The rendered site itself needs five more things, also handled here:

* every inline script once: sphinx-thebe and sphinx-togglebutton add theirs with
  ``app.add_js_file(None, body=...)`` after the builder has started; Sphinx 7.4 keeps such a
  script with filename ``None`` and re-adds it from the registry with filename ``''``, the two
  don't compare equal, and the second ``const THEBE_JS_URL`` throws. ``dedupe_scripts``
  drops the copies from each page;
* no saved widgets: a widget needs a kernel, so on a static page its saved view would be
  controls that move and change nothing, plus 4.4 MB of widget manager from a CDN.
  ``without_widgets`` drops the saved state and the widget views before myst-nb reads a
  notebook (the refresh tool no longer stores them either);
* MathJax from the site itself (``mathjax_path: mathjax/...``), copied from the pinned PyPI
  package ``django-static-mathjax`` (``mathjax_source``), so pages work offline and
  behind filters;
* bibliography labels that read like the text's author-year citations ("Duchi et al., 2011",
  not "[DHS11]"): the pybtex style ``author_year`` (``bibtex_default_style``), sorted by
  author and year.

* live mode (``adaptive_lr.tools.lite``, with ``jupyterlite_sphinx``): the JupyterLite
  app gets the package's wheel and the book's notebooks at build time, every notebook page
  gets "JupyterLite" in its launch menu, every chapter declared in ``lite/panels.yml`` gets
  its live panel, and no page loads a style sheet from another host.

Enabled in ``_config.yml`` as ``sphinx.extra_extensions: [..., adaptive_lr.tools.sphinxext]``.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import pathlib
import re

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle

#: Inline markup whose content must be left alone: ``literals``, :role:`content`,
#: `interpreted text` and `hyperlinks <...>`_.
_INLINE = re.compile(r"(``.+?``|:[\w:.+-]+:`[^`]*`|`[^`]*`_{0,2})")
_ATTRIBUTE_LIKE = ("attribute", "data", "property")


def escape_bars(lines: list[str]) -> list[str]:
    """``lines`` with every ``|`` of running text escaped as ``\\|``.

    Left unchanged: inline literals, roles (``:math:`|x|```), interpreted text, indented blocks
    after a line ending in ``::`` (literal blocks and directives such as ``.. math::``),
    doctest blocks (from ``>>>`` to the next blank line) and the lines of line blocks (``| ``)
    and grid tables (``+--``).
    """
    out: list[str] = []
    block_indent: int | None = None     # indentation of the line that opened a :: block
    opened = False                      # the previous non-blank line ended with ::
    in_doctest = False
    last_indent = 0
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if not stripped:
            in_doctest = False
            out.append(line)
            continue
        if block_indent is not None and indent > block_indent:
            out.append(line)            # inside a literal block or directive body
            continue
        block_indent = None
        if opened:
            opened = False
            if indent > last_indent:
                block_indent = last_indent
                out.append(line)
                continue
        if stripped.startswith(">>>"):
            in_doctest = True
        if in_doctest or stripped == "|" or stripped.startswith(("| ", "+-", "+=")):
            out.append(line)
        else:
            out.append("".join(part if i % 2 else part.replace("|", r"\|")
                               for i, part in enumerate(_INLINE.split(line))))
        if stripped.endswith("::"):
            opened, last_indent = True, indent
    return out


def _escape_docstring(app, what, name, obj, options, lines) -> None:
    lines[:] = escape_bars(lines)
    if what in _ATTRIBUTE_LIKE:
        app.env.temp_data.setdefault("alr_attribute_docstrings", {})[name] = list(lines)


def _restore_attribute_docstring(app, what, name, obj, options, lines) -> None:
    if what in _ATTRIBUTE_LIKE:
        kept = app.env.temp_data.get("alr_attribute_docstrings", {}).pop(name, None)
        if kept is not None:
            lines[:] = kept


def reexport_target(target: str) -> str | None:
    """``'adaptive_lr.minimize'`` → ``'adaptive_lr.runs.minimize'``: where a name the package
    re-exports at its top level (or any package's ``__init__``) is defined; None otherwise."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        obj = getattr(module, parts[cut], None)
        home = getattr(obj, "__module__", None)
        if home is None or home == module.__name__ or not home.startswith(parts[0]):
            return None
        return ".".join([home, *parts[cut:]])
    return None


def resolve(app, env, node, contnode):
    """``missing-reference`` handler: retry a Python reference as a re-export, then by suffix."""
    if node.get("refdomain") != "py":
        return None
    from sphinx.util.nodes import make_refnode

    domain = env.get_domain("py")
    target, role = node["reftarget"].lstrip(".~"), node["reftype"]
    moved = reexport_target(target)
    if moved is not None:
        found = domain.find_obj(env, None, None, moved, role, 1)
    else:
        found = domain.find_obj(env, node.get("py:module"), node.get("py:class"), target,
                                role, 1)
    if len(found) != 1:
        return None
    name, entry = found[0]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                        name)


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context`` handler: each script once, the first copy kept (see the module)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the builder's own list, which later handlers append to


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_widgets(notebook: dict) -> dict:
    """``notebook`` (nbformat 4 JSON) without saved widget state and without widget outputs."""
    notebook.get("metadata", {}).pop("widgets", None)
    for cell in notebook.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = [output for output in cell["outputs"]
                               if WIDGET_VIEW not in output.get("data", {})]
    return notebook


def _strip_widgets(app, docname, source) -> None:
    if "application/vnd.jupyter.widget" in source[0] and \
            str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = json.dumps(without_widgets(json.loads(source[0])))


#: ``mathjax_path`` values under this folder are served from the site's ``_static``.
LOCAL_MATHJAX = "mathjax/"


def mathjax_source() -> pathlib.Path:
    """MathJax 3's browser build (``es5/``) in the installed ``django-static-mathjax``."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("MathJax is not installed: pip install -r requirements.txt "
                                  "(django-static-mathjax)")
    return pathlib.Path(spec.submodule_search_locations[0], "static", "mathjax", "es5")


def _check_mathjax(app, config) -> None:
    if config.mathjax_path.startswith(LOCAL_MATHJAX):
        mathjax_source()  # fail at start-up, not after the whole build


def _copy_mathjax(app, exception) -> None:
    if exception is None and app.builder.format == "html" and \
            app.config.mathjax_path.startswith(LOCAL_MATHJAX):
        from sphinx.util.fileutil import copy_asset

        copy_asset(mathjax_source(), pathlib.Path(app.outdir, "_static", LOCAL_MATHJAX))


def author_year_label(entry) -> str:
    """"Duchi et al., 2011", "Kingma and Ba, 2015": the label sphinxcontrib-bibtex's
    ``author_year`` citations show in the text."""
    names = [Text.from_latex(" ".join(person.last_names)).render_as("text")
             for person in entry.persons.get("author", [])]
    if len(names) > 2:
        authors = f"{names[0]} et al."
    else:
        authors = " and ".join(names)
    return f"{authors}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year_label(entry)


class AuthorYearSortingStyle(BaseSortingStyle):
    """In the order of the labels, so that a reader finds "PyTorch contributors, 2024" under P
    (pybtex's own author sorting puts the braced names of organizations last)."""
    def sorting_key(self, entry):
        return author_year_label(entry).lower(), entry.fields.get("title", "").lower()


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries (with their URL and DOI links), labelled and sorted by author
    and year."""
    default_label_style = "author_year"
    default_sorting_style = "author_year"


for _group, _style in [("labels", AuthorYearLabelStyle), ("sorting", AuthorYearSortingStyle),
                       ("formatting", AuthorYearStyle)]:
    register_plugin(f"pybtex.style.{_group}", "author_year", _style)


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    # before napoleon (priority 500) reads the docstring, and after it has
    app.connect("autodoc-process-docstring", _escape_docstring, priority=400)
    app.connect("autodoc-process-docstring", _restore_attribute_docstring, priority=600)
    app.connect("missing-reference", resolve)
    app.connect("source-read", _strip_widgets)
    # late, after the handlers that add a page's own scripts (MathJax, myst-nb)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("config-inited", _check_mathjax)
    app.connect("build-finished", _copy_mathjax)
    # live mode: the JupyterLite app's wheel and contents, launch button, live panels
    from . import lite

    lite.setup(app)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
