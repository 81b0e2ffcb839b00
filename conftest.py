"""pytest start-up for the whole suite.

matplotlib prints "Matplotlib is building the font cache" to stderr the first time it runs
on a machine; nbval compares stderr, so build the cache here, before any notebook kernel
starts. The Agg backend keeps the package tests headless.

nbval does not compare PNG outputs, so the figures are checked here instead: while nbval
re-executes each notebook cell (``pytest --nbval``), the hook below compares every PNG the cell
produced (``image/png`` outputs and the ``data:image/png`` frames of HTML outputs such as the
kernel-free scrubbers) with the committed one, pixel by pixel, within an RMS tolerance. No cell
runs twice: the hook reads the outputs nbval has just collected. Cells whose outputs nbval
does not check (tagged ``nbval-ignore-output`` or ``nbval-skip``) are not checked either.
"""
import base64
import io
import pathlib
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.font_manager  # noqa: E402,F401  (builds the font cache once)
import numpy as np  # noqa: E402
import pytest  # noqa: E402

#: Default for the ini option ``figure_rms_tolerance``: root-mean-square difference of the
#: RGBA channels on the 0-255 scale. Anti-aliasing noise stays well below 1; a line or a
#: marker that moved by a few pixels gives 5-20 or more.
FIGURE_RMS_TOLERANCE = 2.0

_DATA_URI_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def pytest_addoption(parser):
    parser.addini("figure_rms_tolerance",
                  "RMS tolerance (0-255 scale) for re-rendered notebook figures against the "
                  f"committed ones (default {FIGURE_RMS_TOLERANCE})",
                  default=str(FIGURE_RMS_TOLERANCE))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval ran and checked a cell, compare the figures it drew with the committed ones."""
    result = yield
    _check_figures(item)
    return result


def _pngs(outputs):
    """Every PNG in a cell's outputs, in order, as bytes."""
    pngs = []
    for output in outputs:
        data = output.get("data", {})
        if "image/png" in data:
            pngs.append(base64.b64decode(data["image/png"]))
        html = data.get("text/html", "")
        html = "".join(html) if isinstance(html, list) else html
        pngs.extend(base64.b64decode(m) for m in _DATA_URI_PNG.findall(html))
    return pngs


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=np.float64)


def figure_rms(expected: bytes, actual: bytes) -> float:
    """RMS difference of two PNGs (0-255 scale); ``inf`` if their sizes differ."""
    a, b = _pixels(expected), _pixels(actual)
    if a.shape != b.shape:
        return float("inf")
    return float(np.sqrt(np.mean((a - b) ** 2)))


def _save_artifacts(stem: str, expected: bytes, actual: bytes) -> pathlib.Path:
    from PIL import Image

    folder = pathlib.Path(__file__).resolve().parent / "test-artifacts" / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}-expected.png").write_bytes(expected)
    (folder / f"{stem}-actual.png").write_bytes(actual)
    a, b = _pixels(expected), _pixels(actual)
    if a.shape == b.shape:
        diff = np.clip(np.abs(a - b)[..., :3].max(axis=-1) * 4, 0, 255).astype(np.uint8)
        Image.fromarray(255 - diff).save(folder / f"{stem}-diff.png")
    return folder


def _check_figures(item):
    try:
        from nbval.plugin import IPyNbCell, NbCellError
    except ImportError:  # nbval not installed: nothing to hook
        return
    if not isinstance(item, IPyNbCell) or item.test_outputs is None:
        return
    if not item.options["check"] or item.cell.execution_count is None:
        return  # nbval does not check this cell's outputs, so neither do we
    tolerance = float(item.config.getini("figure_rms_tolerance"))
    expected, actual = _pngs(item.cell.outputs), _pngs(item.test_outputs)
    try:
        notebook = item.path.relative_to(item.config.rootpath).as_posix()
    except ValueError:
        notebook = str(item.path)
    index = next(i for i, cell in enumerate(item.parent.nb.cells) if cell is item.cell)
    where = f"{notebook}, code cell {item.cell_num} (cell {index} of the notebook)"
    if len(expected) != len(actual):
        raise NbCellError(item.cell_num, f"Figures differ: {where} drew {len(actual)} PNG "
                          f"image(s), the committed notebook has {len(expected)}.",
                          item.cell.source)
    failures = []
    for k, (want, got) in enumerate(zip(expected, actual), start=1):
        rms = figure_rms(want, got)
        if rms > tolerance:
            folder = _save_artifacts(f"{item.path.stem}-cell{index}-png{k}", want, got)
            shapes = f" (sizes {_pixels(want).shape[1::-1]} vs {_pixels(got).shape[1::-1]})"
            failures.append(f"image {k} of {len(expected)}: RMS difference "
                            f"{rms:.3g} > tolerance {tolerance:g}"
                            f"{shapes if rms == float('inf') else ''}; expected/actual/diff "
                            f"saved in {folder}")
    if failures:
        raise NbCellError(
            item.cell_num,
            f"Figures differ from the committed ones: {where}. Re-run "
            f"`python -m adaptive_lr.tools.refresh {notebook}` if the change is "
            "intended.", item.cell.source, "\n".join(failures))
