"""The Sphinx extension behind the API page: bars in prose, attribute docstrings, short refs."""
import sys
import textwrap

import pytest

from adaptive_lr.tools.sphinxext import escape_bars, reexport_target


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
    import io
    warnings = io.StringIO()
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
