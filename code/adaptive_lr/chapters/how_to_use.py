"""Chapter code for "How to use this book": a fair first comparison of GD and AdaGrad.

The page shows the package on the book's standard bowl, ``ill_conditioned(25)``. Its one
comparison follows the book's rules: each method is tuned on its own grid of learning rates,
a grid shown to bracket its best value (:func:`~adaptive_lr.robustness.best_on_grid`), and
the comparison is repeated under the robustness protocol (:func:`tuned_spread`).

The same ρ would not be a fair comparison: in gradient descent ρ multiplies the gradient, in
AdaGrad it is close to the length of the first step in every coordinate, so the two numbers
do not measure the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import objectives as _objectives
from .. import plots
from ..optim import SGD, AdaGrad
from ..robustness import GridBest, Spread, best_on_grid, stress
from ..runs import Run, minimize
from ..tables import Table
from .one_learning_rate import (PANEL_WIDTH, PROTOCOL, glue,  # noqa: F401 (the page)
                                protocol_table)

__all__ = ["TOLERANCE", "STEPS", "GD_GRID", "ADAGRAD_GRID", "first_step_table", "Tuned",
           "tune", "tuned_pair", "tuning_table", "tuning_numbers", "tuned_spread",
           "spread_numbers", "rate_table", "divergence_table", "divergence_spread",
           "divergence_numbers", "multiple_spread", "multiple_numbers", "figure_runs"]

#: "Converged" on this page: the loss stays below this value to the end of the run.
TOLERANCE = 1e-2
#: Steps of every run on this page.
STEPS = 200
#: The learning rates each method is tuned over (geometric grids, each wide enough to
#: bracket its method's best value; GD's reaches past its ceiling 2/25).
GD_GRID = np.round(np.geomspace(0.001, 0.2, 24), 5)
ADAGRAD_GRID = np.round(np.geomspace(0.01, 100.0, 17), 5)


def first_step_table(theta, grad, theta_next, r) -> Table:
    """One optimizer step, coordinate by coordinate: Θ, g, the step ΔΘ, the new Θ and r."""
    theta, grad, theta_next, r = (np.asarray(a, dtype=np.float64)
                                  for a in (theta, grad, theta_next, r))
    rows = [[f"θ{plots.subscript(k + 1)}", float(theta[k]), float(grad[k]),
             float(theta_next[k] - theta[k]), float(theta_next[k]), float(r[k])]
            for k in range(theta.size)]
    return Table(["coordinate", "Θ", "g", "ΔΘ", "new Θ", "r"], rows, fmt="{:.6g}")


@dataclass(frozen=True)
class Tuned:
    """One method tuned on its grid (:func:`tune`).

    Attributes:
      name: "GD" or "AdaGrad".
      grid: the learning rates tried.
      settle: each rate's settle step (NaN: never settled, diverged, or excluded because
        its loss rose above the start's).
      best: the :class:`~adaptive_lr.robustness.GridBest` (``value`` is the tuned ρ).
      excluded: how many rates were excluded for rising above the start's loss.
    """

    name: str
    grid: np.ndarray
    settle: np.ndarray
    best: GridBest
    excluded: int

    def optimizer(self, lr: float | None = None):
        """The optimizer at the tuned ρ (or at ``lr``), named for the figures."""
        lr = self.best.value if lr is None else lr
        return (SGD(lr=lr, name="GD") if self.name == "GD"
                else AdaGrad(lr=lr, name="AdaGrad"))


def tune(name: str, objective, start=None, *, grid=None, steps: int = STEPS,
         tolerance: float = TOLERANCE) -> Tuned:
    """Tune GD (``name="GD"``) or AdaGrad on its grid: the fewest steps to settle below
    ``tolerance``, over runs whose loss never rises above the start's.

    The condition matters for AdaGrad: on an axis-aligned bowl it has no stability ceiling,
    and its settle step keeps falling as ρ grows (a huge first step overshoots by about ρ in
    every coordinate, and the next one, with r holding that huge gradient, undoes it), so
    speed alone would pick the largest ρ that does not overflow. The same rule applies to
    both methods; for GD it excludes only rates that diverge anyway.
    """
    if name not in ("GD", "AdaGrad"):
        raise ValueError(f"name must be 'GD' or 'AdaGrad', got {name!r}")
    grid = np.asarray((GD_GRID if name == "GD" else ADAGRAD_GRID) if grid is None else grid,
                      dtype=np.float64).reshape(-1)
    start = objective.start if start is None else np.asarray(start, dtype=np.float64)
    opt = SGD(lr=grid[:, None]) if name == "GD" else AdaGrad(lr=grid[:, None])
    run = minimize(opt, objective, np.tile(start, (grid.size, 1)), steps)
    settle = run.settle_step(tolerance).astype(float)
    with np.errstate(invalid="ignore"):
        climbed = ~(np.nanmax(np.where(np.isnan(run.losses), -np.inf, run.losses), axis=0)
                    <= run.losses[0] * (1 + 1e-12)) & ~run.diverged
    settle[(settle < 0) | climbed] = np.nan
    return Tuned(name, grid, settle, best_on_grid(settle, grid), int(climbed.sum()))


def tuned_pair(objective, start=None, **options) -> tuple[Tuned, Tuned]:
    """GD and AdaGrad, each tuned on its own grid (:func:`tune`)."""
    return tune("GD", objective, start, **options), tune("AdaGrad", objective, start, **options)


def tuning_table(*tuned: Tuned) -> Table:
    """Each method's grid, tuned ρ, settle step, and whether its grid brackets the best."""
    rows = [[t.name, f"{t.grid.size} rates, {t.grid[0]:g} … {t.grid[-1]:g}",
             float(t.best.value), int(t.best.score), "yes" if t.best.bracketed else "no",
             t.excluded] for t in tuned]
    return Table(["method", "grid", "tuned ρ", "settles at step", "bracketed",
                  "left out (loss rose)"], rows, fmt="{:.3g}", align="left")


def tuning_numbers(gd: Tuned, adagrad: Tuned, steps: int = STEPS) -> dict:
    """The numbers the page quotes about the tuning, keyed for :func:`~adaptive_lr.tables.glue`."""
    out = {"steps": steps}
    for key, t in (("gd", gd), ("ada", adagrad)):
        out.update({f"{key}-grid-size": t.grid.size, f"{key}-grid-low": float(t.grid[0]),
                    f"{key}-grid-high": float(t.grid[-1]), f"{key}-excluded": t.excluded,
                    f"{key}-rate": t.best.value, f"{key}-steps": int(t.best.score)})
    return out


def spread_numbers(spread: Spread) -> dict:
    """The numbers the page quotes about :func:`tuned_spread`, keyed for :func:`~adaptive_lr.tables.glue`."""
    ratio = spread.values("GD steps / AdaGrad steps")
    noisy = spread.values("GD steps / AdaGrad steps", "noisy")
    bracketed = spread.holds(lambda m: m["GD: bracketed"] == 1 and m["AdaGrad: bracketed"] == 1)
    return {"verdict-faster": spread.verdict(lambda m: m["GD steps / AdaGrad steps"] > 1),
            "ratio-low": float(ratio.min()), "ratio-high": float(ratio.max()),
            "ratio-exact": float(spread.values("GD steps / AdaGrad steps", "exact")[0]),
            "ratio-noisy-low": float(noisy.min()), "ratio-noisy-high": float(noisy.max()),
            "gd-rate-noisy-low": float(spread.values("GD: tuned ρ", "noisy").min()),
            "gd-rate-noisy-high": float(spread.values("GD: tuned ρ", "noisy").max()),
            "ada-rate-noisy-low": float(spread.values("AdaGrad: tuned ρ", "noisy").min()),
            "ada-rate-noisy-high": float(spread.values("AdaGrad: tuned ρ", "noisy").max()),
            "all-bracketed": "yes" if bracketed.all() else "no"}


def tuned_spread(objective=None, **protocol) -> Spread:
    """:func:`tuned_pair` under the protocol: per condition, each method's tuned ρ, its
    settle steps, whether its grid brackets it (1/0), and the ratio of GD's steps to
    AdaGrad's."""
    objective = _objectives.ill_conditioned(25.0) if objective is None else objective

    def experiment(objective, start):
        gd, ada = tuned_pair(objective, start)
        return {"GD: tuned ρ": gd.best.value, "GD: settle steps": gd.best.score,
                "GD: bracketed": float(gd.best.bracketed),
                "AdaGrad: tuned ρ": ada.best.value, "AdaGrad: settle steps": ada.best.score,
                "AdaGrad: bracketed": float(ada.best.bracketed),
                "GD steps / AdaGrad steps": gd.best.score / ada.best.score}

    return stress(experiment, objective, **{**PROTOCOL, **protocol})


def rate_table(runs: dict) -> Table:
    """Each run's effective learning rate per coordinate at its first and its last step."""
    rows, d, last = [], None, None
    for name, run in runs.items():
        d, last = run.lrs.shape[-1], len(run.lrs)
        rows.append([name] + [float(v) for v in run.lrs[0]] + [float(v) for v in run.lrs[-1]])
    headers = ([f"step 1, θ{plots.subscript(k + 1)}" for k in range(d)]
               + [f"step {last}, θ{plots.subscript(k + 1)}" for k in range(d)])
    return Table(["run"] + headers, rows, fmt="{:.3g}")


def divergence_spread(rates, objective=None, steps: int = 300, **protocol) -> Spread:
    """Gradient descent at each rate under the protocol: the step at which the runner flags
    the run as diverged (−1: never) and the final loss (NaN once diverged)."""
    objective = _objectives.ill_conditioned(25.0) if objective is None else objective
    rates = np.asarray(rates, dtype=np.float64).reshape(-1)

    def experiment(objective, start):
        run = minimize(SGD(lr=rates[:, None]), objective, np.tile(start, (rates.size, 1)),
                       steps)
        out = {f"ρ = {r:g}: diverged at": float(run.diverged_at[i])
               for i, r in enumerate(rates)}
        out.update({f"ρ = {r:g}: final loss": float(run.final_loss[i])
                    for i, r in enumerate(rates)})
        return out

    return stress(experiment, objective, **{**PROTOCOL, **protocol})


def divergence_table(run: Run, rates) -> Table:
    """The runner's verdict on each run of a batch, and its final loss."""
    rates = np.asarray(rates, dtype=np.float64).reshape(-1)
    rows = [[float(r), run.message(i), float(run.final_loss[i])] for i, r in enumerate(rates)]
    return Table(["ρ", "runner", "final loss"], rows, fmt="{:.3g}", align="left")


def divergence_numbers(spread: Spread, ceiling: float = 2 / 25) -> dict:
    """Whether the rates above ``ceiling`` diverge and the others do not under every
    condition, and by how many steps the divergence step moves between conditions."""
    keys = [m for m in spread.metrics if m.endswith("diverged at")]
    rates = [float(k.split("=")[1].split(":")[0]) for k in keys]

    def verdict(m):
        return all((m[k] >= 0) == (r > ceiling) for k, r in zip(keys, rates))

    shift = max(float(np.abs(spread.values(k) - spread.values(k, "exact")[0]).max())
                for k, r in zip(keys, rates) if r > ceiling)
    return {"verdict-diverge": spread.verdict(verdict), "diverge-shift": int(shift)}


def multiple_spread(multiples, gd_rate: float, adagrad_rate: float, objective=None,
                    steps: int = 60, **protocol) -> Spread:
    """Each method at multiples of its own tuned rate, under the protocol: for each multiple,
    the step at which GD and AdaGrad diverge (−1: never)."""
    objective = _objectives.ill_conditioned(25.0) if objective is None else objective
    m = np.asarray(multiples, dtype=np.float64).reshape(-1)

    def experiment(objective, start):
        theta0 = np.tile(start, (m.size, 1))
        gd = minimize(SGD(lr=gd_rate * m[:, None]), objective, theta0, steps)
        ada = minimize(AdaGrad(lr=adagrad_rate * m[:, None]), objective, theta0, steps)
        return {"GD diverges at multiples ≥": _first_diverged(m, gd),
                "AdaGrad diverges at multiples ≥": _first_diverged(m, ada)}

    return stress(experiment, objective, **{**PROTOCOL, **protocol})


def multiple_numbers(spread: Spread, multiples) -> dict:
    """The smallest multiple at which GD diverges (the same under every condition, or the
    range), whether AdaGrad never diverges, and the largest multiple shown."""
    gd = spread.values("GD diverges at multiples ≥")
    first = float(gd.min()) if gd.min() == gd.max() else f"{gd.min():g}–{gd.max():g}"
    return {"gd-diverges": first,
            "multiple-max": float(max(multiples)),
            "verdict-multiples": spread.verdict(
                lambda m: m["AdaGrad diverges at multiples ≥"] == -1
                and m["GD diverges at multiples ≥"] > 0)}


def _first_diverged(multiples, run: Run) -> float:
    """The smallest multiple whose run diverged (−1: none did)."""
    hit = run.diverged
    return float(multiples[hit].min()) if hit.any() else -1.0


def figure_runs(quadratic, runs: dict, path_steps: int = 60) -> plots.PanelRow:
    """Left: the first ``path_steps`` steps on the contours. Right: each coordinate's
    effective learning rate over those steps."""
    figs, (ax_path, ax_lr) = plots.panels(2, (PANEL_WIDTH, 3.7))
    plots.contours(ax_path, quadratic)
    for k, (name, run) in enumerate(runs.items()):
        plots.trajectories(ax_path, _first(run, path_steps), [name], start=k == 0, style=k)
    ax_path.set_title(f"the first {path_steps} steps")
    plots.legend_below(ax_path, ncols=2)
    plots.effective_lr(ax_lr, [run.lrs[:path_steps] for run in runs.values()], list(runs))
    ax_lr.set_ylim(1e-2, 1.0)
    ax_lr.set_title("effective learning rate")
    plots.legend_below(ax_lr, ncols=2)
    return plots.PanelRow(figs, ["Paths of tuned GD and tuned AdaGrad on the bowl's contours",
                                 "Effective learning rate of each coordinate against the "
                                 "step, log scale"])


def _first(run: Run, steps: int) -> Run:
    return Run(run.steps[:steps + 1], run.thetas[:steps + 1], run.losses[:steps + 1],
               run.lrs[:steps], run.diverged_at, run.monitor)
