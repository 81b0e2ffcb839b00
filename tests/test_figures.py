"""The figure check that rides on nbval (the hook in the root ``conftest.py``) really fails.

nbval skips ``image/png`` outputs; the root conftest compares them with the committed ones while
nbval re-executes each cell. Here a small notebook is executed, one committed figure is then
altered, and pytest with nbval must fail on exactly that cell, naming the notebook and the cell,
while an unchanged figure passes and an altered figure in an ``nbval-ignore-output`` cell is
left alone.
"""
import base64
import io
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]

SETUP = "import matplotlib.pyplot as plt\nimport numpy as np\nx = np.linspace(0, 1, 50)"
PLOT = "fig, ax = plt.subplots(figsize=(3, 2), dpi=60)\nax.plot(x, x ** {p})\nplt.show()"


def _blot(png_b64: str) -> str:
    """The same PNG with a black rectangle drawn on it."""
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(base64.b64decode(png_b64))).convert("RGBA")
    ImageDraw.Draw(image).rectangle((20, 20, 70, 60), fill=(0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _png_output(cell):
    return next(o for o in cell.outputs if "image/png" in o.get("data", {}))


@pytest.fixture(scope="module")
def altered_notebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figure-check")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP),
                nbformat.v4.new_code_cell(PLOT.format(p=1)),
                nbformat.v4.new_code_cell(PLOT.format(p=2)),
                nbformat.v4.new_code_cell(PLOT.format(p=3),
                                          metadata={"tags": ["nbval-ignore-output"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    for index in (2, 3):  # alter a checked figure and an ignored one
        output = _png_output(nb.cells[index])
        output.data["image/png"] = _blot(output.data["image/png"])
    nbformat.write(nb, folder / "figures.ipynb")
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return folder


def test_an_altered_figure_fails_and_names_notebook_and_cell(altered_notebook):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "figures.ipynb"],
        cwd=altered_notebook, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert "1 failed, 3 passed" in report, report
    assert "figures.ipynb::Cell 2" in report, report
    assert "Figures differ from the committed ones: figures.ipynb, code cell 2" in report, report
    assert "RMS difference" in report, report
    artifacts = altered_notebook / "test-artifacts" / "figures"
    assert {p.name for p in artifacts.iterdir()} == {
        "figures-cell2-png1-expected.png", "figures-cell2-png1-actual.png",
        "figures-cell2-png1-diff.png"}
