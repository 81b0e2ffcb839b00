"""Figures for the chapters: contours with trajectories, effective rates, losses, sweeps.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common forms
of colour blindness; line styles differ too, so figures survive grey-scale printing.

Figures are drawn for the book's text column: :data:`COLUMN_WIDTH` inches is shown at about
690 CSS px on a 1280 px window, so the book style's 9–10 pt text renders at 12–14 CSS px, and
they are saved at :data:`DPI`, twice the pixels they are shown at, to stay sharp on 2× screens.
On a phone the column is about 360 px: a figure of several panels stays legible when each panel
is its own half-column figure (:func:`panels`), shown in a row that wraps
(:class:`PanelRow`, and every :class:`Scrubber`), side by side on a wide page and stacked on a
narrow one. :func:`scrubber` turns figures that can be updated in place into a kernel-free HTML
slider over precomputed frames, with the frame's key numbers as text beside the slider.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Callable, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from . import _validation as check
from .tables import subscript  # noqa: F401  (legends use it; re-exported for chapters)

#: Okabe & Ito (2008), "Color universal design": safe for deuteranopia and protanopia.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":"]

#: Width in inches of a figure that fills the book's column (shown at ~690 CSS px).
COLUMN_WIDTH = 7.0
#: PNG pixels per CSS pixel: figures are stored at twice the density they are shown at.
DENSITY = 2
#: Dots per inch of saved figures: 100 CSS px per inch, times :data:`DENSITY`.
DPI = 100 * DENSITY
#: One panel of a row: two fit a cell output side by side (2 × 330 CSS px + the 8 px gap in
#: the 672 px a cell gets at 1280 px), one fits a phone.
PANEL_SIZE = (3.3, 3.2)

#: The book's matplotlib defaults (:func:`use_book_style`): sized for the column, at 2×
#: density, legends framed and placed where they hide the least data.
BOOK_STYLE = {
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "figure.figsize": (COLUMN_WIDTH, 3.2),
    "figure.dpi": DPI,          # the inline backend renders at figure.dpi, files at savefig.dpi
    "savefig.dpi": DPI,
    "figure.facecolor": "white",  # opaque, so figures stay readable in the dark theme
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "figure.titlesize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.loc": "best",
    "legend.frameon": True,
    "legend.framealpha": 0.9,
}


def color(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def use_book_style() -> None:
    """Set the book's matplotlib defaults (:data:`BOOK_STYLE`)."""
    mpl.rcParams.update(BOOK_STYLE)


def panels(n: int, size: tuple[float, float] = PANEL_SIZE) -> tuple[list[Figure], list]:
    """``n`` separate figures of one axes each, the panels of a row (:class:`PanelRow`,
    :func:`scrubber`): side by side in the column, stacked on a phone.

    They are not pyplot figures, so Jupyter never shows them by themselves. Returns the
    figures and their axes.
    """
    n = check.positive_int("n", n)
    figures = [Figure(figsize=size, dpi=DPI, layout="constrained") for _ in range(n)]
    for fig in figures:
        FigureCanvasAgg(fig)
    return figures, [fig.subplots() for fig in figures]


def legend_below(where, ncols: int = None, **kwargs):
    """One framed legend under the figure, clear of the data, and return it.

    ``where`` is an Axes (its entries) or a Figure (the entries of all its axes, each label
    once). The figure's constrained layout makes room for it. ``ncols`` defaults to the most
    columns that fit the figure's width; other keywords go to ``Figure.legend``.
    """
    if not isinstance(where, (Figure, Axes)):
        raise TypeError(f"where must be an Axes or a Figure, got {type(where).__name__}")
    fig = where if isinstance(where, Figure) else where.figure
    entries = {}
    for ax in fig.axes if where is fig else [where]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    if not entries:
        raise ValueError("legend_below needs labelled artists (plot(..., label=...)), found none")
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.set_layout_engine("constrained")  # "outside" places only under constrained layout
    for columns in range(ncols or len(entries), 0, -1):
        legend = fig.legend(list(entries.values()), list(entries), loc="outside lower center",
                            ncols=columns, **kwargs)
        if ncols or columns == 1 or legend.get_window_extent().width <= fig.bbox.width:
            return legend
        legend.remove()


def contour_levels(objective, z: np.ndarray, n: int = 18) -> np.ndarray:
    """Log-spaced levels between the minimum and a high quantile: valleys stay visible."""
    f_min = getattr(objective, "f_min", None)
    low = float(np.nanmin(z)) if f_min is None else f_min
    height = np.nanquantile(z, 0.95) - low
    return low + np.geomspace(height * 1e-3, height, n)


def contours(ax, objective, n: int = 160, step: int = 0, levels: int = 18):
    """Draw the objective's contours on ``ax`` over its plot window; mark its minimizer."""
    from .objectives import contour_grid

    x, y, z = contour_grid(objective, n=n, step=step)
    cs = ax.contour(x, y, z, levels=contour_levels(objective, z, levels), colors="0.55",
                    linewidths=0.6)
    minimizer = getattr(objective, "minimizer", None)
    if minimizer is not None:
        ax.plot(*minimizer, marker="*", markersize=11, color="0.15", linestyle="none",
                label="minimum")
    ax.set_xlim(objective.xlim)
    ax.set_ylim(objective.ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return cs


def trajectories(ax, run, labels: Sequence[str], index: Sequence = None, start: bool = True,
                 style: int = 0):
    """Draw one path per run of a batch; ``index`` picks which batch entries (default all).

    Paths take colours and line styles from ``style`` on, so several calls can share an axes.
    Returns the ``Line2D`` objects so a widget can update them with ``set_data``.
    """
    thetas = run.thetas.reshape(run.thetas.shape[0], -1, run.thetas.shape[-1])
    index = range(thetas.shape[1]) if index is None else index
    lines = []
    for k, (i, label) in enumerate(zip(index, labels), start=style):
        (line,) = ax.plot(thetas[:, i, 0], thetas[:, i, 1], color=color(k),
                          linestyle=LINESTYLES[k % len(LINESTYLES)], marker=".",
                          markersize=3, linewidth=1.3, label=label)
        lines.append(line)
    if start:
        ax.plot(*thetas[0, 0], marker="o", color="0.15", markersize=5, linestyle="none",
                label="start")
    return lines


def effective_lr(ax, lrs: Sequence[np.ndarray], labels: Sequence[str],
                 coordinates: Sequence[int] = (0, 1)):
    """Per-coordinate effective learning rate against steps (log scale), one colour per run.

    ``lrs`` holds one ``(steps, d)`` array per run; coordinate k is drawn in style k.
    """
    lines = []
    for i, (lr, label) in enumerate(zip(lrs, labels)):
        for k in coordinates:
            (line,) = ax.plot(np.arange(1, len(lr) + 1), lr[:, k], color=color(i),
                              linestyle=LINESTYLES[k % len(LINESTYLES)],
                              label=f"{label}, θ{subscript(k + 1)}")
            lines.append(line)
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("effective learning rate")
    return lines


def loss_curves(ax, losses: Sequence[np.ndarray], labels: Sequence[str], f_min: float = 0.0,
                xlabel: str = "step t"):
    """Loss above its minimum against steps (log scale), one line per run."""
    lines = []
    for i, (loss, label) in enumerate(zip(losses, labels)):
        gap = np.maximum(np.asarray(loss, dtype=float) - f_min, 1e-16)
        (line,) = ax.plot(gap, color=color(i), linestyle=LINESTYLES[i % len(LINESTYLES)],
                          label=label)
        lines.append(line)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss − minimum" if f_min else "loss")
    return lines


def sweep_heatmap(ax, values: np.ndarray, rows: np.ndarray, cols: np.ndarray, *,
                  row_label: str, col_label: str, log_rows: bool = True,
                  log_cols: bool = False, vmin: float = None, vmax: float = None,
                  title: str = None):
    """Heatmap of a sweep's final losses; NaN cells (diverged runs) are hatched grey.

    ``values`` has shape ``(len(rows), len(cols))`` as from :func:`~adaptive_lr.hyper_grid`.
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    low = vmin if vmin is not None else (finite.min() if finite.size else 1e-12)
    high = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    ax.set_facecolor("0.8")
    image = ax.pcolormesh(_edges(cols, log_cols), _edges(rows, log_rows),
                          np.ma.masked_invalid(np.clip(values, low, high)),
                          norm=LogNorm(low, max(high, low * 10)), cmap="viridis",
                          shading="flat")
    ax.add_patch(mpl.patches.Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                                       hatch="//", edgecolor="0.6", linewidth=0, zorder=0))
    ax.set_xscale("log" if log_cols else "linear")
    ax.set_yscale("log" if log_rows else "linear")
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    ax.grid(False)
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label="final loss (hatched: diverged)")
    return image


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around grid centres, for pcolormesh."""
    c = np.log(centres) if log else np.asarray(centres, dtype=float)
    if len(c) == 1:
        edges = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = (c[1:] + c[:-1]) / 2
        edges = np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def png_bytes(fig, dpi: float = DPI) -> bytes:
    """The figure rendered as compact PNG bytes (what a widget's Image and a scrubber show)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return encode_png(Image.open(buffer))


def encode_png(image) -> bytes:
    """A PIL image as PNG bytes, small and fast: a 256-colour palette, the fastest zlib level.

    Line figures have few colours (the palette, greys and their anti-aliased blends), so 256
    change nothing the eye can tell apart and make the file about three times smaller, which
    matters for a page that embeds every frame of its scrubbers; the encoder then has a
    quarter of the bytes to compress, so it is faster too (a widget encodes on every move).
    """
    from PIL import Image

    palette = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def css_size(png: bytes) -> tuple[int, int]:
    """The CSS size a PNG is shown at: its pixels (from the IHDR chunk) over :data:`DENSITY`."""
    if not isinstance(png, bytes) or png[:8] != _PNG_SIGNATURE or len(png) < 24:
        raise TypeError(f"a frame or panel must be PNG bytes (e.g. from png_bytes), "
                        f"got {type(png).__name__} {repr(png)[:30]}")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return max(1, width // DENSITY), max(1, height // DENSITY)


def _row_html(pngs: Sequence[bytes], alts: Sequence[str], attributes: str = "",
              shown: bool = True) -> str:
    """Panel images in a row that wraps, each at its CSS size or narrower to fit the column."""
    images = "".join(
        f'<img class="alr-panel" alt="{html.escape(alt)}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}"/>'
        for png, alt, (width, height) in zip(pngs, alts, map(css_size, pngs)))
    return (f'<div{attributes} style="display:{"flex" if shown else "none"};flex-wrap:wrap;'
            f'gap:8px;align-items:flex-start">{images}</div>')


def _texts(name: str, value, n: int) -> list[str]:
    """``value`` as ``n`` strings: one string for all, or a sequence of ``n``."""
    texts = [value] * n if isinstance(value, str) else value
    if not isinstance(texts, Sequence) or len(texts) != n \
            or not all(isinstance(t, str) for t in texts):
        raise ValueError(f"{name} must be a string or a sequence of {n} strings, got {value!r}")
    return list(texts)


def _readout(lines) -> str:
    """A readout given as a string or as lines, as one string (lines joined by newlines)."""
    if isinstance(lines, str):
        return lines
    if isinstance(lines, Sequence) and all(isinstance(line, str) for line in lines):
        return "\n".join(lines)
    raise TypeError(f"a readout must be a string or a sequence of strings, got {lines!r}")


def _frames(frames: list) -> list[list[bytes]]:
    """Each frame as its list of panel PNGs, checked: PNG bytes, as many panels in each."""
    panels = [[f] if isinstance(f, bytes) else list(f) if isinstance(f, Sequence) else [f]
              for f in frames]
    for png in (png for frame in panels for png in frame):
        css_size(png)
    if len({len(frame) for frame in panels}) != 1:
        raise ValueError("every frame must have the same number of panels")
    return panels


def _formatted(fmt: str, values: list) -> list[str]:
    try:
        return [fmt.format(v) for v in values]
    except (AttributeError, ValueError, TypeError, IndexError, KeyError) as error:
        raise ValueError(f"fmt {fmt!r} cannot format the values {values!r}: {error}") from None


def _figures(figures) -> list[Figure]:
    figures = [figures] if isinstance(figures, Figure) else \
        list(figures) if isinstance(figures, Sequence) else []
    if not figures or not all(isinstance(f, Figure) for f in figures):
        raise TypeError(f"figures must be a Figure or a non-empty sequence of them, "
                        f"got {figures!r}")
    return figures


class PanelRow:
    """Figures shown side by side where the column is wide enough and stacked on a phone.

    For a figure of several panels drawn as separate figures (:func:`panels`). Each figure is
    rendered to PNG here and closed, so Jupyter does not show it a second time. ``alt`` is one
    text for every panel or one per panel.
    """

    def __init__(self, figures, alt):
        figures = _figures(figures)
        self.pngs = [png_bytes(fig) for fig in figures]
        self.alts = _texts("alt", alt, len(figures))
        for fig in figures:
            plt.close(fig)

    def _repr_html_(self) -> str:
        return _row_html(self.pngs, self.alts, ' class="alr-panels"')


class Scrubber:
    """Kernel-free slider over precomputed frames, for the static book page.

    Rendered as HTML: an ``<input type="range">`` whose inline handler shows one frame at a
    time, so it works in the rendered page without a kernel or any script file. A frame is one
    PNG or several panels, shown in a row that wraps (side by side, or stacked on a phone);
    ``alt`` is one text for every panel or one per panel. ``readouts`` holds each frame's key
    numbers (a string, or lines), shown as text beside the slider in a live region that screen
    readers announce. Element ids derive from ``name``, so the output is deterministic (nbval
    compares it; the PNG payloads are sanitized away in the comparison).
    """

    def __init__(self, frames: Sequence, values: Sequence, *, name: str, label: str,
                 alt, fmt: str = "{:g}", initial: int = 0,
                 readouts: Sequence[str | Sequence[str]] = None):
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", name):
            raise ValueError(f"name must be lowercase letters, digits and '-', got {name!r}")
        if not isinstance(label, str):
            raise TypeError(f"label must be a string (the slider's name), got {label!r}")
        try:
            frames, values = list(frames), list(values)
        except TypeError:
            raise TypeError("frames and values must be sequences, one frame per value") from None
        if len(frames) != len(values) or not frames:
            raise ValueError(f"frames and values must be non-empty and of equal length, got "
                             f"{len(frames)} frames and {len(values)} values")
        initial = check.positive_int("initial", initial, minimum=0)
        if initial >= len(frames):
            raise ValueError(f"initial must index a frame (0..{len(frames) - 1}), got {initial}")
        self.frames = _frames(frames)
        self.texts = _formatted(fmt, values)
        if readouts is None:
            readouts = [""] * len(frames)
        if not isinstance(readouts, Sequence) or len(readouts) != len(frames):
            raise ValueError(f"readouts must hold one entry per frame ({len(frames)}), "
                             f"got {readouts!r}")
        self.readouts = [_readout(r) for r in readouts]
        self.values, self.alts = values, _texts("alt", alt, len(self.frames[0]))
        self.name, self.label, self.fmt, self.initial = name, label, fmt, initial

    def _repr_html_(self) -> str:
        n = self.name
        frames = "".join(
            _row_html(pngs, [f"{alt} ({self.label} = {text})" for alt in self.alts],
                      f' class="alr-frame" data-frame="{i}"', shown=i == self.initial)
            for i, (pngs, text) in enumerate(zip(self.frames, self.texts)))
        # The handler: show frame i, its value and its readout (the data attributes hold them).
        handler = (f"var s=document.getElementById('alr-{n}'),i=this.value,"
                   "t=JSON.parse(s.dataset.labels)[i];"
                   "s.querySelectorAll('.alr-frame').forEach(function(f){"
                   "f.style.display=f.dataset.frame==i?'flex':'none';});"
                   f"document.getElementById('alr-{n}-value').textContent=t;"
                   "this.setAttribute('aria-valuetext',t);"
                   f"document.getElementById('alr-{n}-readout').textContent="
                   "JSON.parse(s.dataset.readouts)[i];")
        text = html.escape(self.texts[self.initial])
        return (
            f'<div class="alr-scrubber" id="alr-{n}" '
            f'data-labels="{html.escape(json.dumps(self.texts, ensure_ascii=False))}" '
            f'data-readouts="{html.escape(json.dumps(self.readouts, ensure_ascii=False))}">'
            '<div style="display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px">'
            f'<label for="alr-{n}-slider">{html.escape(self.label)} = '
            f'<output id="alr-{n}-value" for="alr-{n}-slider">{text}</output></label>'
            f'<input type="range" id="alr-{n}-slider" min="0" max="{len(self.frames) - 1}" '
            f'step="1" value="{self.initial}" aria-valuetext="{text}" '
            f'style="flex:1 1 12em;max-width:28em" oninput="{html.escape(handler)}"/></div>'
            f'<div class="alr-readout" id="alr-{n}-readout" aria-live="polite" '
            f'style="white-space:pre-line;margin:4px 0;font-size:0.9em">'
            f'{html.escape(self.readouts[self.initial])}</div>{frames}</div>')

    def __repr__(self) -> str:
        return (f"Scrubber({self.name!r}: {len(self.frames)} frames, {self.label} from "
                f"{self.texts[0]} to {self.texts[-1]})")


def scrubber(figures, update: Callable[[object], object], values: Sequence, *, name: str,
             label: str, alt, fmt: str = "{:g}", initial: int = 0) -> Scrubber:
    """Precompute one frame per value by calling ``update(value)``, then close the figures.

    ``figures`` is one figure or the panels of a row (:func:`panels`); each frame holds one
    PNG of each. ``update`` changes them in place (``set_data`` on their artists), the same
    update a widget uses, so the static page and the live widget show the same thing. What
    it returns, a string or lines (or ``None``), is the frame's readout: the key numbers,
    shown as text beside the slider rather than inside the image.
    """
    figures = _figures(figures)
    frames, readouts = [], []
    for value in values:
        readout = update(value)
        readouts.append("" if readout is None else readout)
        frames.append([png_bytes(fig) for fig in figures])
    for fig in figures:
        plt.close(fig)
    return Scrubber(frames, values, name=name, label=label, alt=alt, fmt=fmt, initial=initial,
                    readouts=readouts)
