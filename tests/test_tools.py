"""The authoring tool that re-executes notebooks, and the benchmarks' smoke runs."""
import importlib
import pathlib

import nbformat
import pytest

from adaptive_lr.tools import refresh

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
    assert done.cells[3].outputs[0]["text"] == "42\n"
    assert "widgets" not in done.metadata, "state saved before is removed too"


@pytest.mark.parametrize("module", ["bench_sweep", "bench_large_step", "bench_widget"])
def test_benchmarks_run_in_quick_mode(module, capsys):
    bench = importlib.import_module(f"benchmarks.{module}")
    ratios = bench.main(["--quick"])
    assert ratios and all(value > 0 for value in ratios.values())
    assert "goal" in capsys.readouterr().out
