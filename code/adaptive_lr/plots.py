"""Figures for the chapters: contours with trajectories, effective rates, losses, sweeps.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common forms
of colour blindness; line styles differ too, so figures survive grey-scale printing.
:func:`scrubber` turns any figure that can be updated in place into a kernel-free HTML
slider over precomputed frames, for the static book.
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
from matplotlib.colors import LogNorm

#: Okabe & Ito (2008), "Color universal design": safe for deuteranopia and protanopia.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":"]


def color(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def use_book_style() -> None:
    """Set the book's matplotlib defaults: palette, sizes, a crisp but small PNG."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "figure.figsize": (8.0, 3.6),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "axes.titlesize": 10,
        "legend.fontsize": 8,
        "legend.framealpha": 0.85,
    })


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
                              label=f"{label}, θ{_subscript(k + 1)}")
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
    plt.colorbar(image, ax=ax, label="final loss (hatched: diverged)")
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


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def png_bytes(fig, dpi: float = None) -> bytes:
    """The figure rendered as PNG bytes (what a widget's Image shows)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Scrubber:
    """Kernel-free slider over precomputed frames, for the static book page.

    Rendered as HTML: an ``<input type="range">`` whose inline handler shows one ``<img>`` at
    a time, so it works in the rendered page without a kernel or any script file. Element ids
    derive from ``name``, so the output is deterministic (nbval compares it; the PNG payloads
    are sanitized away in the comparison).
    """

    def __init__(self, frames: Sequence[bytes], values: Sequence, *, name: str, label: str,
                 alt: str, fmt: str = "{:g}", initial: int = 0):
        if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
            raise ValueError(f"name must be lowercase letters, digits and '-', got {name!r}")
        if len(frames) != len(values) or not frames:
            raise ValueError("frames and values must be non-empty and of equal length")
        if not 0 <= initial < len(frames):
            raise ValueError(f"initial must index a frame (0..{len(frames) - 1}), got {initial}")
        self.frames, self.values = list(frames), list(values)
        self.name, self.label, self.alt, self.fmt, self.initial = name, label, alt, fmt, initial

    def _repr_html_(self) -> str:
        texts = [self.fmt.format(v) for v in self.values]
        images = "".join(
            f'<img class="alr-frame" data-frame="{i}" alt="{html.escape(self.alt)} '
            f'({html.escape(self.label)} = {html.escape(t)})" style="max-width:100%;'
            f'display:{"block" if i == self.initial else "none"}" '
            f'src="data:image/png;base64,{base64.b64encode(f).decode()}"/>'
            for i, (f, t) in enumerate(zip(self.frames, texts)))
        handler = ("var b=document.getElementById('alr-{n}');"
                   "b.querySelectorAll('img.alr-frame').forEach(function(m){{"
                   "m.style.display=m.dataset.frame==this.value?'block':'none';}},this);"
                   "document.getElementById('alr-{n}-value').textContent="
                   "JSON.parse(b.dataset.labels)[this.value];").format(n=self.name)
        return (
            f'<div class="alr-scrubber" id="alr-{self.name}" '
            f"data-labels='{html.escape(json.dumps(texts))}'>"
            f'<label for="alr-{self.name}-slider">{html.escape(self.label)} = '
            f'<output id="alr-{self.name}-value">{html.escape(texts[self.initial])}</output>'
            f'</label><br/><input type="range" id="alr-{self.name}-slider" min="0" '
            f'max="{len(self.frames) - 1}" step="1" value="{self.initial}" '
            f'style="width:60%" oninput="{html.escape(handler)}"/>{images}</div>')

    def __repr__(self) -> str:
        return (f"Scrubber({self.name!r}: {len(self.frames)} frames, {self.label} from "
                f"{self.fmt.format(self.values[0])} to {self.fmt.format(self.values[-1])})")


def scrubber(fig, update: Callable[[object], object], values: Sequence, *, name: str,
             label: str, alt: str, fmt: str = "{:g}", initial: int = 0) -> Scrubber:
    """Precompute one frame per value by calling ``update(value)`` on ``fig``, then close it.

    ``update`` changes the figure in place (``set_data`` on its artists); the same update a
    widget uses, so the static page and the live widget show the same thing.
    """
    frames = []
    for value in values:
        update(value)
        frames.append(png_bytes(fig))
    plt.close(fig)
    return Scrubber(frames, values, name=name, label=label, alt=alt, fmt=fmt, initial=initial)
