"""Interactive panels for the chapters.

:class:`ComparisonPanel` draws contours with one trajectory per optimizer and, beside them,
their effective learning rates. Each panel is its own half-column figure
(:func:`adaptive_lr.plots.panels`), so a page shows them side by side, or stacked on a phone.
It updates in place: a new hyperparameter recomputes the runs and moves the lines with
``set_data``; contours are recomputed only when the objective changes. The key numbers (each
run's final loss, or where it diverged) are text, the panel's ``messages``, shown beside the
controls rather than inside the image. With ``weights=True`` a third panel shows how much each
optimizer's accumulator r weights the squared gradient of every past step (AdaGrad: all
equally; RMSProp: decaying as α^age), and the messages give each one's window and half-life.

:func:`comparison_widget` wires ipywidgets controls to a panel and shows its PNGs in a
wrapping row of images (:func:`image_row` and :func:`show_pngs`, for any live figure);
:func:`static_scrubber` precomputes frames of the same panel for readers without a kernel.

Nothing raises inside a widget: a run that diverges, an invalid setting or any other error
is reported in its status line.
"""
from __future__ import annotations

import html
import math
from typing import Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from PIL import Image

from . import memory, plots
from .objectives import Objective
from .runs import Run, minimize

OptimizerFactory = Callable[..., Sequence]

#: Width of each control, explicit so that a row of controls wraps instead of squeezing the
#: sliders to nothing; two fit the book's column, with a track of about 150 px each.
CONTROL_WIDTH = "330px"


class ComparisonPanel:
    """Trajectories of several optimizers on one objective, and their effective rates.

    Each panel (in ``figures``) is drawn by blitting, for speed: its *background* (contours,
    axes, ticks, legend) is rendered only when it changes, and the *moving* lines are drawn
    over a copy of it on every update. The effective-rate axis snaps to whole decades so that
    a slider move rarely changes its ticks. Hyperparameter values go to :attr:`messages`
    rather than the legend, which keeps the legend, and so the background, fixed while a
    slider moves.

    Args:
      objective: a 2-D :class:`~adaptive_lr.objectives.Objective` with a plot window.
      optimizers: the optimizers to compare (at least one).
      steps: steps per run.
      start: start point (default: the objective's ``start``).
      coordinates: which coordinates' effective rates to draw (0, 1 or both).
      weights: add a third panel with each optimizer's accumulator weights over the past
        steps (:func:`adaptive_lr.memory.relative_weights`).
    """

    def __init__(self, objective, optimizers: Sequence, steps: int = 100, start=None,
                 coordinates: Sequence[int] = (0, 1), weights: bool = False):
        _check_objective(objective)
        self.coordinates = _coordinates(coordinates)
        with mpl.rc_context(plots.BOOK_STYLE):
            self.figures, axes = plots.panels(3 if weights else 2)
            self.ax_path, self.ax_lr = axes[:2]
            self.ax_weights = axes[2] if weights else None
            self._style_axes()
        self.objective, self.optimizers, self.steps, self.start = None, [], None, None
        self.runs: list[Run] = []
        self.messages: list[str] = []
        self.path_lines, self.lr_lines, self.weight_lines = [], [], []
        self.start_marker = None
        self._legends = [None] * len(self.figures)
        self._backgrounds = [None] * len(self.figures)
        self._keys = [None] * len(self.figures)
        self.update(objective=objective, optimizers=optimizers, steps=steps, start=start)

    def _style_axes(self) -> None:
        ax = self.ax_lr
        ax.set_yscale("log")  # before any limits are set, so none is ever ≤ 0
        ax.set_ylim(1e-3, 1.0)
        ax.set_xlabel("step t")
        ax.set_title("effective learning rate")
        for k in self.coordinates:  # legend entries for the coordinates' line styles
            ax.plot([], [], color="0.3", linestyle=plots.LINESTYLES[k % 4],
                    label=f"θ{plots.subscript(k + 1)}")
        if self.ax_weights is not None:
            ax = self.ax_weights
            ax.set_xscale("log")
            ax.set_xlim(1, 10)
            ax.set_ylim(0, 1.05)
            ax.set_xlabel("age of the gradient + 1 (steps)")
            ax.set_ylabel("its weight in r (newest = 1)")

    def update(self, objective=None, optimizers=None, steps=None, start=None) -> list[Run]:
        """Recompute the runs with whatever changed and move the artists; return the runs.

        Every run is computed before anything is drawn, so if one raises (an invalid
        hyperparameter) the panel is left as it was.
        """
        new_landscape = objective is not None and objective is not self.objective
        if new_landscape:
            _check_objective(objective)
        objective = self.objective if objective is None else objective
        if start is None:
            start = objective.start if new_landscape else self.start
        start = _start(start)
        optimizers = self.optimizers if optimizers is None else _optimizers(optimizers)
        steps = self.steps if steps is None else steps
        runs = [minimize(opt, objective, start, steps) for opt in optimizers]
        self.optimizers, self.steps, self.start, self.runs = optimizers, int(steps), start, runs
        if new_landscape:
            with mpl.rc_context(plots.BOOK_STYLE):  # the new artists take the book's sizes
                self._draw_landscape(objective)
        self._draw_runs()
        summaries = ([f"; memory: {memory.memory_summary(opt)}" for opt in optimizers]
                     if self.ax_weights is not None else [""] * len(optimizers))
        self.messages = [f"{opt.label}: {_status(run, objective)}{summary}"
                         for opt, run, summary in zip(optimizers, runs, summaries)]
        return runs

    def _draw_landscape(self, objective) -> None:
        self.objective = objective
        self.ax_path.clear()  # the paths go with it: _draw_runs makes them anew
        plots.contours(self.ax_path, objective)
        self.ax_path.set_title(objective.name)
        self.start_marker = self.ax_path.plot([], [], marker="o", color="0.15", markersize=5,
                                              linestyle="none", label="start",
                                              animated=True)[0]
        self.path_lines = []

    def _names(self) -> list[str]:
        names = [opt.legend_name for opt in self.optimizers]
        return names if len(set(names)) == len(names) else [o.label for o in self.optimizers]

    def _make_lines(self) -> None:
        """One path, one rate line per coordinate and one weight line per run."""
        for line in self.path_lines + self.lr_lines + self.weight_lines:
            line.remove()
        n = len(self.runs)
        self.path_lines = [
            self.ax_path.plot([], [], color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                              marker=".", markersize=3, linewidth=1.3, animated=True)[0]
            for i in range(n)]
        self.lr_lines = [
            self.ax_lr.plot([], [], color=plots.color(i), linestyle=plots.LINESTYLES[k % 4],
                            animated=True)[0]
            for i in range(n) for k in self.coordinates]
        if self.ax_weights is not None:
            self.weight_lines = [
                self.ax_weights.plot([], [], color=plots.color(i),
                                     linestyle=plots.LINESTYLES[i % 4], animated=True)[0]
                for i in range(n)]

    def _draw_runs(self) -> None:
        if len(self.path_lines) != len(self.runs):
            self._make_lines()
        for i, (run, line, name) in enumerate(zip(self.runs, self.path_lines, self._names())):
            line.set_data(run.thetas[:, 0], run.thetas[:, 1])
            line.set_label(name)
            for j, k in enumerate(self.coordinates):
                self.lr_lines[i * len(self.coordinates) + j].set_data(run.steps[1:],
                                                                       run.lrs[:, k])
        self.start_marker.set_data([self.start[0]], [self.start[1]])
        self.ax_lr.set_xlim(0, self.steps)
        self.ax_lr.set_ylim(*_decades(np.concatenate([r.lrs[:, list(self.coordinates)].ravel()
                                                      for r in self.runs]),
                                      current=self.ax_lr.get_ylim()))
        if self.ax_weights is not None:
            self._draw_weights()

    def _draw_weights(self) -> None:
        """Each optimizer's weight of a past g² in r after the last step, relative to the
        newest, against the gradient's age + 1 (log scale: 1 is the newest gradient)."""
        age = np.arange(1, self.steps + 1)
        for opt, line, name in zip(self.optimizers, self.weight_lines, self._names()):
            weights = memory.relative_weights(opt, self.steps)
            line.set_data(age, weights[::-1] if weights is not None
                          else np.full(age.shape, np.nan))
            line.set_label(name)
        self.ax_weights.set_xlim(1, max(self.steps, 2))
        self.ax_weights.title.set_text(f"memory of r after step {self.steps}")  # style kept

    def _moving(self) -> list[list]:
        """The animated artists of each figure."""
        moving = [self.path_lines + [self.start_marker], self.lr_lines]
        return moving + ([self.weight_lines] if self.ax_weights is not None else [])

    def _background_keys(self) -> list[tuple]:
        """What each figure's background shows; it is re-rendered when its key changes."""
        labels = tuple(line.get_label() for line in self.path_lines)
        keys = [(id(self.objective), labels), (self.steps, self.ax_lr.get_ylim())]
        return keys + ([(self.steps, labels)] if self.ax_weights is not None else [])

    def _render_background(self, k: int, key: tuple) -> None:
        fig = self.figures[k]
        with mpl.rc_context(plots.BOOK_STYLE):
            if self._legends[k] is not None:
                self._legends[k].remove()
            self._legends[k] = plots.legend_below(fig.axes[0])  # off the moving lines
            fig.canvas.draw()  # lays the figure out; blitting then keeps the axes fixed
        self._backgrounds[k] = fig.canvas.copy_from_bbox(fig.bbox)
        self._keys[k] = key

    def pngs(self) -> list[bytes]:
        """Each panel as PNG bytes: its cached background with the moving lines over it."""
        images = []
        for k, (fig, key, artists) in enumerate(zip(self.figures, self._background_keys(),
                                                     self._moving())):
            if key != self._keys[k]:
                self._render_background(k, key)
            canvas = fig.canvas
            canvas.restore_region(self._backgrounds[k])
            for artist in artists:
                artist.axes.draw_artist(artist)
            images.append(_png(canvas))
        return images

    def alts(self) -> list[str]:
        """A short alternative text for each panel."""
        names = ", ".join(self._names())
        alts = [f"Paths of {names} on the {self.objective.name} from the start point",
                f"Effective learning rates of {names} against the step"]
        return alts + ([f"Weights the accumulators of {names} give past squared gradients"]
                       if self.ax_weights is not None else [])

    def status_html(self) -> str:
        return "<br/>".join(html.escape(m) for m in self.messages)


def _png(canvas) -> bytes:
    """What the canvas shows now as PNG bytes, without drawing it again."""
    width, height = canvas.get_width_height(physical=True)
    return plots.encode_png(Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(),
                                             "raw", "RGBA", 0, 1))


def _check_objective(objective) -> None:
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an adaptive_lr Objective, e.g. "
                        f"objectives.Rosenbrock(), got {type(objective).__name__}")
    if objective.dim != 2 or objective.xlim is None or objective.ylim is None:
        raise ValueError(f"objective must be 2-D with a plot window (xlim, ylim) to draw its "
                         f"contours, got {objective.name} with dim={objective.dim}")


def _start(start) -> np.ndarray:
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError):  # not numbers, or ragged
        point = None
    if point is None or point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"start must be a point (θ₁, θ₂) of two finite numbers, got {start!r}")
    return point


def _optimizers(optimizers) -> list:
    if isinstance(optimizers, (str, bytes)) or not isinstance(optimizers, Sequence):
        raise TypeError(f"optimizers must be a list of optimizers, e.g. [alr.SGD(lr=0.01)], "
                        f"got {type(optimizers).__name__}")
    if not optimizers:
        raise ValueError("optimizers must hold at least one optimizer, e.g. [alr.SGD(lr=0.01)]")
    return list(optimizers)


def _coordinates(coordinates) -> tuple[int, ...]:
    chosen = tuple(coordinates) if isinstance(coordinates, Sequence) else None
    if (not chosen or len(set(chosen)) != len(chosen)
            or not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                       and 0 <= k < 2 for k in chosen)):
        raise ValueError(f"coordinates must name distinct coordinates of θ = (θ₁, θ₂) by "
                         f"index, 0 or 1, e.g. (0, 1), got {coordinates!r}")
    return tuple(int(k) for k in chosen)


def _decades(values: np.ndarray, current=None) -> tuple[float, float]:
    """Whole-decade log-axis limits around the positive finite values.

    The current limits are kept while they hold the values with at most two spare decades on
    either side, so that small slider moves do not re-render the axis. With no positive
    finite value (every run diverged at once, or a zero rate) the current limits stay.
    """
    valid = current is not None and current[0] > 0
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return tuple(current) if valid else (1e-3, 1.0)
    low, high = np.log10(values.min()), np.log10(values.max())
    if valid:
        now_low, now_high = np.log10(current)
        if now_low <= low <= now_low + 2 and now_high - 2 <= high <= now_high:
            return tuple(current)
    low, high = np.floor(low), np.ceil(high)
    return 10.0 ** low, 10.0 ** max(high, low + 1)


def _status(run: Run, objective) -> str:
    if run.diverged.any():
        return run.message()
    text = f"loss {float(run.final_loss):.4g} after {len(run.lrs)} steps"
    if getattr(objective, "minimizer", None) is not None:
        text += f", distance to minimum {float(objective.distance_to_minimum(run.final_theta)):.3g}"
    return text


def _error_html(error: Exception) -> str:
    """What the status line says when a setting cannot be run."""
    kind = "invalid setting" if isinstance(error, (ValueError, TypeError)) else \
        type(error).__name__
    return f"<b>{kind}:</b> {html.escape(str(error))}"


def _grid_through_value(control) -> None:
    """Shift a slider's grid, by moving its ``min`` up less than one step, onto its value.

    The front end shows the value snapped to ``min + k·step`` (in exponents for a log
    slider) while Python keeps the value it was given, so a value off the grid would show one
    number beside the slider and run another.
    """
    import ipywidgets as w

    if isinstance(control, w.FloatLogSlider):
        position = math.log(control.value, control.base)
    elif isinstance(control, (w.FloatSlider, w.IntSlider)):
        position = control.value
    else:
        return  # not a slider: nothing is snapped
    if control.step:  # a step of None lets the front end show any value
        steps = (position - control.min) / control.step
        if abs(steps - round(steps)) > 1e-9:
            control.min = position - math.floor(steps) * control.step


def comparison_widget(objectives: Mapping[str, object] | Callable[..., object],
                      make_optimizers: OptimizerFactory,
                      controls: Mapping[str, object], steps: int = 100, start=None,
                      weights: bool = False):
    """A live panel: the controls, a status line, and the panels of the comparison.

    Args:
      objectives: name → objective; a dropdown picks one (no dropdown for a single one).
        Or a function called, like ``make_optimizers``, with the value of every control, that
        returns the objective: a control can then reshape the landscape (e.g. a slider for
        the condition number). It should return the same object for the same values (cache
        it, e.g. with ``functools.lru_cache``) so the contours are redrawn only when needed.
      make_optimizers: called with the current value of every control in ``controls`` as a
        keyword argument; returns the optimizers to compare.
      controls: name → ipywidgets control (sliders for ρ, α, ε, ...). A slider's grid is
        moved onto its initial value (its ``min`` rises by less than one step), so the number
        shown beside it is the one that runs; a control without a width gets
        :data:`CONTROL_WIDTH`.
      steps: initial number of steps (a slider is added); ``start`` the initial start point
        (two sliders for θ₁, θ₂ are added, within the objective's window).
      weights: show the accumulator-weight panel (see :class:`ComparisonPanel`).

    Any error, from building the objective or the optimizers to running them, initial values
    included, is shown in the status line: the panels then keep their last frame.

    Returns the ``ipywidgets.VBox`` of the controls, the status line and the panels; its
    ``panel`` attribute is the :class:`ComparisonPanel` (``None`` until a setting runs).
    """
    import ipywidgets as w

    make_objective = None
    if callable(objectives) and not isinstance(objectives, Mapping):
        make_objective = objectives
    elif not isinstance(objectives, Mapping) or not objectives:
        raise ValueError(f"objectives must map names to objectives (at least one), or be a "
                         f"function of the controls that returns one, got {objectives!r}")
    start = None if start is None else _start(start)
    names = [] if make_objective else list(objectives)
    chooser = w.Dropdown(options=names, value=names[0], description="objective") \
        if len(names) > 1 else None
    steps_slider = w.IntSlider(value=steps, min=10, max=500, step=10, description="steps")
    x0 = w.FloatSlider(step=0.05, description="θ₁ start")
    y0 = w.FloatSlider(step=0.05, description="θ₂ start")
    inputs = ([chooser] if chooser else []) + list(controls.values()) + [steps_slider, x0, y0]
    for control in inputs:
        _grid_through_value(control)
        if control.layout.width is None:
            control.layout.width = CONTROL_WIDTH
    status = w.HTML()
    images = image_row()
    box = w.VBox([w.HBox(inputs, layout=w.Layout(flex_flow="row wrap")), status, images])
    box.panel = None
    fitted = False   # the start sliders span an objective's window
    running = False  # a refresh is moving the start sliders: their observers wait

    def fit_start_sliders(objective, point):
        nonlocal fitted
        for slider, (low, high), value in zip((x0, y0), (objective.xlim, objective.ylim), point):
            slider.min, slider.max = -1e9, 1e9  # widen first so the new limits never cross
            slider.min, slider.max = low, high
            slider.value = float(value)
            _grid_through_value(slider)
        fitted = True

    def run(change):
        values = _values(controls)
        objective = make_objective(**values) if make_objective else \
            objectives[chooser.value if chooser else names[0]]
        _check_objective(objective)
        if not fitted:
            fit_start_sliders(objective, objective.start if start is None else start)
        elif change is not None and change["owner"] is chooser:
            fit_start_sliders(objective, objective.start)
        optimizers = make_optimizers(**values)
        if box.panel is None:
            box.panel = ComparisonPanel(objective, optimizers, steps_slider.value,
                                        (x0.value, y0.value), weights=weights)
        else:
            box.panel.update(objective=objective, optimizers=optimizers,
                             steps=steps_slider.value, start=(x0.value, y0.value))
        show_pngs(images, box.panel.pngs())
        status.value = box.panel.status_html()

    def refresh(change=None):
        nonlocal running
        if running:
            return
        running = True
        try:
            run(change)
        except Exception as error:  # noqa: BLE001 (a widget shows every error, never raises)
            status.value = _error_html(error)
        finally:
            running = False

    for control in inputs:
        control.observe(refresh, names="value")
    refresh()
    return box


def image_row():
    """An empty ``ipywidgets.HBox`` for panel images that wraps: side by side where there is
    room, stacked where there is not. :func:`show_pngs` fills it."""
    import ipywidgets as w

    return w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))


def show_pngs(row, pngs: Sequence[bytes]) -> None:
    """Show ``pngs`` in ``row`` (:func:`image_row`): one ``Image`` each, at its CSS size
    (:func:`adaptive_lr.plots.css_size`), narrower where the row is narrower."""
    import ipywidgets as w

    if len(row.children) != len(pngs):
        row.children = [w.Image(format="png", layout=w.Layout(max_width="100%"))
                        for _ in pngs]
    for image, png in zip(row.children, pngs):
        image.value = png
        image.width = plots.css_size(png)[0]


def _values(controls: Mapping[str, object]) -> dict:
    return {name: control.value for name, control in controls.items()}


def static_scrubber(objective, make_optimizers: Callable[[object], Sequence], values: Sequence,
                    *, name: str, label: str, steps: int = 100, start=None,
                    fmt: str = "{:g}", initial: int = 0, weights: bool = False
                    ) -> plots.Scrubber:
    """The comparison panel precomputed over one hyperparameter, as a kernel-free slider.

    ``make_optimizers(value)`` returns the optimizers for one slider position. Each frame's
    status lines (final losses, divergences) are its readout, text beside the slider.
    ``weights=True`` adds the accumulator-weight panel (see :class:`ComparisonPanel`).
    """
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one value of the hyperparameter to scrub")
    panel = ComparisonPanel(objective, make_optimizers(values[0]), steps, start,
                            weights=weights)
    frames, readouts = [], []
    for value in values:
        panel.update(optimizers=make_optimizers(value))
        frames.append(panel.pngs())
        readouts.append(panel.messages)
    return plots.Scrubber(frames, values, name=name, label=label, alt=panel.alts(), fmt=fmt,
                          initial=initial, readouts=readouts)
