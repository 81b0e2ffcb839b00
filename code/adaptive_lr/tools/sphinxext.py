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

Enabled in ``_config.yml`` as ``sphinx.extra_extensions: [..., adaptive_lr.tools.sphinxext]``.
"""
from __future__ import annotations

import importlib
import re

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


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    # before napoleon (priority 500) reads the docstring, and after it has
    app.connect("autodoc-process-docstring", _escape_docstring, priority=400)
    app.connect("autodoc-process-docstring", _restore_attribute_docstring, priority=600)
    app.connect("missing-reference", resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
