r"""Does a conclusion survive? Re-run an experiment under small changes and report the spread.

The book draws no verdict from a single run. Before a conclusion that compares methods or
claims convergence is written, the experiment behind it runs again

* under a **tiny gradient perturbation**: Gaussian noise of relative size 1e-12 (of the
  gradient's size at the start), which changes nothing a real computation would notice but
  breaks floating-point accidents such as an iterate landing exactly on the minimum, where
  the gradient is exactly 0;
* under **realistic minibatch noise** (:class:`~adaptive_lr.objectives.Noisy`, the setting
  adaptive methods were made for);
* from **several start points** around the standard one;

each over several seeds. :func:`stress` returns a :class:`Spread` of every metric the
experiment reports, per condition; :meth:`Spread.verdict` says whether a predicate on those
metrics holds everywhere, nowhere, or **flips**, which the book then reports as flipping.

Tuning comes first: each method is compared at its own best setting on a grid that is shown
to bracket the optimum (:func:`best_on_grid`, whose ``bracketed`` is False when the best
value sits at an end of the grid, so the grid must grow).

>>> import numpy as np, adaptive_lr as alr
>>> bowl = alr.objectives.ill_conditioned()
>>> def experiment(objective, start):
...     run = alr.minimize(alr.SGD(lr=0.07), objective, start, 300)
...     return {"settled": float(run.settle_step(1e-6)), "final": float(run.final_loss)}
>>> spread = stress(experiment, bowl, seeds=(0, 1), noise=None, starts=0)
>>> spread.verdict(lambda m: m["settled"] >= 0)
'holds'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from . import _validation as check
from .objectives import Noisy, Objective
from .tables import Table, span

__all__ = ["PERTURBATION", "Condition", "Spread", "conditions", "stress", "GridBest",
           "best_on_grid"]

#: Relative size of the tiny gradient perturbation.
PERTURBATION = 1e-12

_KINDS = ("exact", "perturbed", "noisy", "start")


@dataclass(frozen=True)
class Condition:
    """One way of re-running an experiment.

    Attributes:
      kind: ``"exact"`` (as given), ``"perturbed"`` (tiny gradient noise), ``"noisy"``
        (minibatch-like noise) or ``"start"`` (another start point).
      seed: the seed of the noise or of the start point (0 for ``"exact"``).
      objective: the objective to run on.
      start: the start point.
    """

    kind: str
    seed: int
    objective: Objective
    start: np.ndarray

    @property
    def name(self) -> str:
        return self.kind if self.kind == "exact" else f"{self.kind} (seed {self.seed})"


def _gradient_scale(objective: Objective) -> float:
    """RMS of the gradient at the start: the size a relative perturbation is measured by."""
    g = np.asarray(objective.grad(np.asarray(objective.start, dtype=np.float64)), dtype=float)
    scale = float(np.sqrt(np.mean(g * g)))
    return scale if scale > 0 else 1.0


def conditions(objective: Objective, *, seeds: Sequence[int] = (0, 1, 2, 3, 4),
               perturbation: float = PERTURBATION, noise: float | None = 0.1,
               starts: float = 0.5) -> list[Condition]:
    """The conditions of the book's robustness protocol for one objective.

    Args:
      objective: the objective the experiment runs on; its ``start`` is the standard start.
      seeds: the seeds of every randomized condition.
      perturbation: relative size of the tiny gradient noise (0 leaves it out).
      noise: relative size of the minibatch-like gradient noise (``None`` leaves it out).
      starts: radius of the other start points, relative to the distance from the start to
        the minimizer (or 1 if there is none); 0 leaves them out.

    Noise sizes are relative to the RMS gradient at the start, so one setting means the same
    on a gentle and on a steep objective. The first condition is always ``"exact"``.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    seeds = [check.positive_int("seeds entries", s, minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    perturbation = float(check.hyperparameter("perturbation", perturbation))
    starts = float(check.hyperparameter("starts", starts))
    start = np.asarray(objective.start, dtype=np.float64)
    out = [Condition("exact", 0, objective, start)]
    scale = _gradient_scale(objective)
    if perturbation > 0:
        out += [Condition("perturbed", s, Noisy(objective, perturbation * scale, s), start)
                for s in seeds]
    if noise is not None:
        noise = float(check.hyperparameter("noise", noise, low_open=True))
        out += [Condition("noisy", s, Noisy(objective, noise * scale, s), start) for s in seeds]
    if starts > 0:
        reach = (1.0 if objective.minimizer is None
                 else float(np.linalg.norm(start - objective.minimizer)) or 1.0)
        for s in seeds:
            offset = np.random.default_rng([s, 1]).standard_normal(start.shape)
            offset *= starts * reach / np.linalg.norm(offset)
            out.append(Condition("start", s, objective, start + offset))
    return out


@dataclass(frozen=True)
class Spread:
    """The metrics of one experiment under every condition of :func:`conditions`.

    Attributes:
      conditions: the conditions, the first one ``"exact"``.
      results: one ``{metric: value}`` per condition.
    """

    conditions: tuple[Condition, ...]
    results: tuple[Mapping[str, float], ...]

    @property
    def metrics(self) -> list[str]:
        return list(self.results[0])

    def values(self, metric: str, kind: str | None = None) -> np.ndarray:
        """The metric under every condition (of one ``kind``, if given)."""
        if metric not in self.results[0]:
            raise ValueError(f"metric must be one of {self.metrics}, got {metric!r}")
        if kind is not None and kind not in _KINDS:
            raise ValueError(f"kind must be one of {list(_KINDS)}, got {kind!r}")
        return np.array([float(r[metric]) for c, r in zip(self.conditions, self.results)
                         if kind is None or c.kind == kind])

    def holds(self, predicate: Callable[[Mapping[str, float]], bool]) -> np.ndarray:
        """Whether ``predicate(metrics)`` is true, per condition."""
        return np.array([bool(predicate(r)) for r in self.results])

    def verdict(self, predicate: Callable[[Mapping[str, float]], bool]) -> str:
        """``"holds"`` if the predicate is true under every condition, ``"fails"`` if under
        none, ``"flips"`` otherwise."""
        holds = self.holds(predicate)
        return "holds" if holds.all() else "fails" if not holds.any() else "flips"

    def table(self, fmt: str = "{:.3g}") -> Table:
        """Per kind of condition, each metric's value (exact) or min … max over the seeds."""
        rows = []
        for kind in _KINDS:
            if not any(c.kind == kind for c in self.conditions):
                continue
            rows.append([kind] + [span(self.values(metric, kind), fmt) for metric in self.metrics])
        return Table(["condition"] + self.metrics, rows)


def stress(experiment: Callable[[Objective, np.ndarray], Mapping[str, float] | float],
           objective: Objective, **options) -> Spread:
    """Run ``experiment(objective, start)`` under every condition of :func:`conditions`.

    ``experiment`` returns a number or a ``{metric: number}`` mapping (a number is the
    metric ``"value"``); ``options`` are those of :func:`conditions`.
    """
    if not callable(experiment):
        raise TypeError(f"experiment must be a function of (objective, start), "
                        f"got {type(experiment).__name__}")
    cases = conditions(objective, **options)
    results = []
    for case in cases:
        result = experiment(case.objective, case.start.copy())
        result = dict(result) if isinstance(result, Mapping) else {"value": result}
        if results and set(result) != set(results[0]):
            raise ValueError(f"experiment returned metrics {sorted(result)} under "
                             f"{case.name} but {sorted(results[0])} before")
        results.append({k: float(v) for k, v in result.items()})
    return Spread(tuple(cases), tuple(results))


@dataclass(frozen=True)
class GridBest:
    """The best entry of a one-dimensional sweep (:func:`best_on_grid`).

    Attributes:
      index: position of the best value on the grid.
      value: the grid value there (e.g. the best learning rate).
      score: its score.
      bracketed: True if the best is strictly inside the grid (not at either end), so the
        grid is known to contain the optimum; False means: extend the grid and tune again.
    """

    index: int
    value: float
    score: float
    bracketed: bool


def best_on_grid(scores, grid, *, lower_is_better: bool = True) -> GridBest:
    """The grid value with the best score; NaN scores (diverged runs) never win.

    Ties go to the first (smallest) grid value. ``scores`` and ``grid`` are 1-D of equal
    length, at least 3 (a grid of 2 cannot bracket anything).
    """
    s = np.asarray(scores, dtype=float)
    g = check.hyperparameter("grid", grid, low=-np.inf)
    if s.ndim != 1 or g.ndim != 1 or s.shape != g.shape or s.size < 3:
        raise ValueError(f"scores and grid must be 1-D of equal length ≥ 3, got shapes "
                         f"{s.shape} and {g.shape}")
    if np.isnan(s).all():
        raise ValueError("every score is NaN (every run diverged): try another grid")
    ranked = np.where(np.isnan(s), np.inf, s if lower_is_better else -s)
    i = int(np.argmin(ranked))
    return GridBest(i, float(g[i]), float(s[i]), 0 < i < s.size - 1)
