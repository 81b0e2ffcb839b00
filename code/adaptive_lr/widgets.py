"""Interactive panels for the chapters.

:class:`ComparisonPanel` is a matplotlib figure (contours with one trajectory per optimizer,
beside their effective learning rates) that updates in place: a new hyperparameter recomputes
the runs and moves the lines with ``set_data``; contours are recomputed only when the
objective changes. :func:`comparison_widget` wires ipywidgets controls to a panel and shows
the figure as an ``Image`` widget, whose PNG is stored in the notebook's widget state, so the
static page shows the last frame. :func:`static_scrubber` precomputes frames of the same panel
for readers without a kernel. With ``weights=True`` a third axes shows how much each
optimizer's accumulator r weights the squared gradient of every past step (AdaGrad: all
equally; RMSProp: decaying as α^age), with each one's window and half-life.

A run that diverges is reported in the panel's status line (step and reason); an invalid
hyperparameter shows its error message there instead of raising.
"""
from __future__ import annotations

import html
import io
from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import memory, plots
from .runs import Run, minimize

OptimizerFactory = Callable[..., Sequence]


class ComparisonPanel:
    """Trajectories of several optimizers on one objective, and their effective rates.

    Drawing is split for speed: a *background* (contours, axes, ticks, legends), rendered only
    when it changes, and the *moving* lines, drawn over a copy of it on every update
    (blitting). The effective-rate axis snaps to whole decades so that a slider move rarely
    changes its ticks. The hyperparameter values go to :attr:`messages` rather than the legend,
    which keeps the legend, and so the background, fixed while a slider moves.

    Args:
      objective: the landscape (see :mod:`adaptive_lr.objectives`).
      optimizers: the optimizers to compare.
      steps: steps per run.
      start: start point (default: the objective's ``start``).
      coordinates: which coordinates' effective rates to draw.
      weights: add a third axes with each optimizer's accumulator weights over the past
        steps (:func:`adaptive_lr.memory.relative_weights`) and its window and half-life.
      figsize: default (9, 4.2), or (12.5, 4.2) with ``weights``.
    """

    def __init__(self, objective, optimizers: Sequence, steps: int = 100, start=None,
                 coordinates: Sequence[int] = (0, 1), figsize=None, weights: bool = False):
        # An Agg figure outside pyplot: the inline backend never shows it by itself, and
        # blitting has a canvas to copy from.
        if figsize is None:
            figsize = (12.5, 4.2) if weights else (9.0, 4.2)
        self.fig = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(self.fig)
        if weights:
            self.ax_path, self.ax_lr, self.ax_weights = self.fig.subplots(
                1, 3, gridspec_kw={"width_ratios": [1.1, 1, 0.9]})
            self.weight_text = self.ax_weights.text(
                0.03, 0.03, "", transform=self.ax_weights.transAxes, fontsize=7,
                va="bottom", ha="left", animated=True,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
        else:
            self.ax_path, self.ax_lr = self.fig.subplots(
                1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
            self.ax_weights, self.weight_text = None, None
        self.weight_lines = []
        self.coordinates = tuple(coordinates)
        self.objective, self._legend = None, None
        self.path_lines, self.lr_lines = [], []
        self.start_marker = None
        self.runs: list[Run] = []
        self.messages: list[str] = []
        self.title = self.fig.suptitle("", fontsize=8)
        self._background, self._background_key = None, None
        self.update(objective=objective, optimizers=optimizers, steps=steps, start=start)

    def update(self, objective=None, optimizers=None, steps=None, start=None) -> list[Run]:
        """Recompute the runs with whatever changed and move the artists; return the runs."""
        if objective is not None and objective is not self.objective:
            self._draw_landscape(objective)
            start = objective.start if start is None else start
        if optimizers is not None:
            self.optimizers = list(optimizers)
        self.steps = self.steps if steps is None else steps
        if start is not None:
            self.start = np.asarray(start, dtype=float)
        self.runs = [minimize(opt, self.objective, self.start, self.steps)
                     for opt in self.optimizers]
        self._draw_runs()
        self.messages = [f"{opt.label}: {_status(run, self.objective)}"
                         for opt, run in zip(self.optimizers, self.runs)]
        return self.runs

    def _draw_landscape(self, objective) -> None:
        self.objective = objective
        self.ax_path.clear()
        plots.contours(self.ax_path, objective)
        self.ax_path.set_title(objective.name)
        self.path_lines = []
        self.start_marker = self.ax_path.plot([], [], marker="o", color="0.15", markersize=5,
                                              linestyle="none", label="start",
                                              animated=True)[0]

    def _names(self) -> list[str]:
        names = [opt.name for opt in self.optimizers]
        return names if len(set(names)) == len(names) else [o.label for o in self.optimizers]

    def _draw_runs(self) -> None:
        if len(self.path_lines) != len(self.runs):
            for line in self.path_lines + self.lr_lines + self.weight_lines:
                line.remove()
            self.path_lines = [
                self.ax_path.plot([], [], color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                                  marker=".", markersize=3, linewidth=1.3, animated=True)[0]
                for i in range(len(self.runs))]
            self.lr_lines = [
                self.ax_lr.plot([], [], color=plots.color(i), linestyle=plots.LINESTYLES[k % 4],
                                animated=True)[0]
                for i in range(len(self.runs)) for k in self.coordinates]
            if self.ax_weights is not None:
                self.weight_lines = [
                    self.ax_weights.plot([], [], color=plots.color(i),
                                         linestyle=plots.LINESTYLES[i % 4], animated=True)[0]
                    for i in range(len(self.runs))]
        if self.ax_weights is not None:
            self._draw_weights()
        for i, (run, line, name) in enumerate(zip(self.runs, self.path_lines, self._names())):
            line.set_data(run.thetas[:, 0], run.thetas[:, 1])
            line.set_label(name)
            for j, k in enumerate(self.coordinates):
                lr_line = self.lr_lines[i * len(self.coordinates) + j]
                lr_line.set_data(run.steps[1:], run.lrs[:, k])
        self.start_marker.set_data([self.start[0]], [self.start[1]])
        self.ax_lr.set_xlim(0, self.steps)
        self.ax_lr.set_ylim(*_decades(np.concatenate([r.lrs[:, list(self.coordinates)].ravel()
                                                      for r in self.runs]),
                                      current=self.ax_lr.get_ylim()))

    def _draw_weights(self) -> None:
        """Each optimizer's weight of a past g² in r after the last step, relative to the
        newest, against the gradient's age + 1 (log scale: 1 is the newest gradient)."""
        age = np.arange(1, self.steps + 1)
        lines = []
        for opt, line in zip(self.optimizers, self.weight_lines):
            weights = memory.relative_weights(opt, self.steps)
            line.set_data(age, weights[::-1] if weights is not None
                          else np.full(age.shape, np.nan))
            lines.append(f"{opt.label}: {memory.memory_summary(opt)}")
        self.weight_text.set_text("\n".join(lines))
        self.ax_weights.set_xlim(1, max(self.steps, 2))
        self.ax_weights.set_ylim(0, 1.05)

    def _background_state(self) -> tuple:
        return (id(self.objective), self.steps, self.ax_lr.get_ylim(), self.title.get_text(),
                tuple(line.get_label() for line in self.path_lines))

    def _render_background(self) -> None:
        ax = self.ax_lr
        ax.set_yscale("log")
        ax.set_xlabel("step t")
        ax.set_ylabel("effective learning rate")
        ax.set_title("effective rate (θ₁ solid, θ₂ dashed)")
        if self.ax_weights is not None:
            self.ax_weights.set_xscale("log")
            self.ax_weights.set_xlabel("age of the gradient + 1 (steps)")
            self.ax_weights.set_ylabel("its weight in r (newest = 1)")
            self.ax_weights.set_title(f"memory of r after step {self.steps}")
        # one legend, outside the axes, so the moving lines never cross it
        if self._legend is not None:
            self._legend.remove()
        self._legend = self.fig.legend(handles=self.path_lines + [self.start_marker],
                                       loc="outside lower center",
                                       ncols=len(self.path_lines) + 1)
        if self._background is None or self._background_key[0] != id(self.objective):
            self.fig.set_layout_engine("constrained")  # lay out once per landscape; frozen
        self.fig.canvas.draw()                         # after, as blitting needs fixed axes
        self.fig.set_layout_engine("none")
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._background_key = self._background_state()

    def png(self) -> bytes:
        """The current figure as PNG bytes: the cached background plus the moving lines."""
        from PIL import Image

        if self._background_state() != self._background_key:
            self._render_background()
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for line in self.path_lines + [self.start_marker]:
            self.ax_path.draw_artist(line)
        for line in self.lr_lines:
            self.ax_lr.draw_artist(line)
        if self.ax_weights is not None:
            for line in self.weight_lines:
                self.ax_weights.draw_artist(line)
            self.ax_weights.draw_artist(self.weight_text)
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def status_html(self) -> str:
        return "<br/>".join(html.escape(m) for m in self.messages)


def _decades(values: np.ndarray, current=None) -> tuple[float, float]:
    """Whole-decade log-axis limits around the positive finite values.

    The current limits are kept while they hold the values with at most two spare decades on
    either side, so that small slider moves do not re-render the axis.
    """
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return (1e-3, 1.0) if current is None else current
    low, high = np.log10(values.min()), np.log10(values.max())
    if current is not None and current[0] > 0:
        now_low, now_high = np.log10(current)
        if now_low <= low <= now_low + 2 and now_high - 2 <= high <= now_high:
            return current
    low, high = np.floor(low), np.ceil(high)
    return 10.0 ** low, 10.0 ** max(high, low + 1)


def _status(run: Run, objective) -> str:
    if run.diverged.any():
        return run.message()
    text = f"loss {float(run.final_loss):.4g} after {len(run.lrs)} steps"
    if getattr(objective, "minimizer", None) is not None:
        text += f", distance to minimum {float(objective.distance_to_minimum(run.final_theta)):.3g}"
    return text


def comparison_widget(objectives: Mapping[str, object] | Callable[..., object],
                      make_optimizers: OptimizerFactory,
                      controls: Mapping[str, object], steps: int = 100, start=None,
                      weights: bool = False):
    """A live panel: controls above, the comparison figure and a status line below.

    Args:
      objectives: name → objective; a dropdown picks one (no dropdown for a single one).
        Or a function called, like ``make_optimizers``, with the value of every control, that
        returns the objective: a control can then reshape the landscape (e.g. a slider for
        the condition number). It should return the same object for the same values (cache
        it, e.g. with ``functools.lru_cache``) so the contours are redrawn only when needed.
      make_optimizers: called with the current value of every control in ``controls`` as a
        keyword argument; returns the optimizers to compare. An error it raises (an invalid
        hyperparameter) is shown in the status line.
      controls: name → ipywidgets control (sliders for ρ, α, ε, ...).
      steps: initial number of steps (a slider is added); ``start`` the initial start point
        (two sliders for θ₁, θ₂ are added, within the objective's window).
      weights: show the accumulator-weight panel (see :class:`ComparisonPanel`).

    Returns the ``ipywidgets.VBox``; its ``panel`` attribute is the :class:`ComparisonPanel`.
    """
    import ipywidgets as w

    make_objective = None
    if callable(objectives) and not isinstance(objectives, Mapping):
        make_objective = objectives
        objectives = {"objective": make_objective(**_values(controls))}
    names = list(objectives)
    first = objectives[names[0]]
    start = first.start if start is None else np.asarray(start, dtype=float)
    chooser = w.Dropdown(options=names, value=names[0], description="objective")
    steps_slider = w.IntSlider(value=steps, min=10, max=500, step=10, description="steps")
    x0 = w.FloatSlider(value=float(start[0]), min=first.xlim[0], max=first.xlim[1],
                       step=0.05, description="θ₁ start")
    y0 = w.FloatSlider(value=float(start[1]), min=first.ylim[0], max=first.ylim[1],
                       step=0.05, description="θ₂ start")
    panel = ComparisonPanel(first, make_optimizers(**_values(controls)), steps, start,
                            weights=weights)
    image = w.Image(value=panel.png(), format="png", layout=w.Layout(max_width="100%"))
    status = w.HTML(value=panel.status_html())

    def refresh(change=None):
        objective = objectives[chooser.value]
        if make_objective is not None:
            try:
                objective = make_objective(**_values(controls))
            except (ValueError, TypeError) as error:
                status.value = f"<b>invalid setting:</b> {html.escape(str(error))}"
                return
        if change is not None and change["owner"] is chooser:
            x0.min, x0.max = -1e9, 1e9  # widen first so the new limits never cross
            y0.min, y0.max = -1e9, 1e9
            x0.min, x0.max = objective.xlim
            y0.min, y0.max = objective.ylim
            x0.value, y0.value = map(float, objective.start)
        try:
            optimizers = make_optimizers(**_values(controls))
        except (ValueError, TypeError) as error:
            status.value = f"<b>invalid setting:</b> {html.escape(str(error))}"
            return
        panel.update(objective=objective, optimizers=optimizers, steps=steps_slider.value,
                     start=(x0.value, y0.value))
        image.value = panel.png()
        status.value = panel.status_html()

    widgets = [chooser] if len(names) > 1 else []
    widgets += list(controls.values()) + [steps_slider, x0, y0]
    for control in widgets:
        control.observe(refresh, names="value")
    box = w.VBox([w.HBox(widgets[: (len(widgets) + 1) // 2]),
                  w.HBox(widgets[(len(widgets) + 1) // 2:]), image, status])
    box.panel = panel
    return box


def _values(controls: Mapping[str, object]) -> dict:
    return {name: control.value for name, control in controls.items()}


def static_scrubber(objective, make_optimizers: Callable[[object], Sequence], values: Sequence,
                    *, name: str, label: str, steps: int = 100, start=None,
                    fmt: str = "{:g}", initial: int = 0, weights: bool = False
                    ) -> plots.Scrubber:
    """The comparison panel precomputed over one hyperparameter, as a kernel-free slider.

    ``make_optimizers(value)`` returns the optimizers for one slider position. Each frame's
    status line is printed under the figure's title so the diverged runs stay visible.
    ``weights=True`` adds the accumulator-weight axes (see :class:`ComparisonPanel`).
    """
    panel = ComparisonPanel(objective, make_optimizers(values[0]), steps, start,
                            weights=weights)
    frames = []
    for value in values:
        panel.update(optimizers=make_optimizers(value))
        panel.title.set_text("\n".join(panel.messages))
        frames.append(panel.png())
    alt = (f"Trajectories of {', '.join(o.name for o in panel.optimizers)} on the "
           f"{objective.name} and their effective learning rates"
           + (", with the weights their accumulators give past gradients" if weights else ""))
    return plots.Scrubber(frames, values, name=name, label=label, alt=alt, fmt=fmt,
                          initial=initial)
