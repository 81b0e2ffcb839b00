r"""A reproducible race: every optimizer on every test function, with stated settings.

The well-known animations that race optimizers on a test surface rarely say where the runs
start, which learning rates were used or how they were chosen; a different choice reverses
the ranking. Here every setting is explicit and shown:

* each optimizer of a **lineup** has fixed, stated hyperparameters except its learning
  rate ρ, which is tuned per objective on a stated grid (:data:`LR_GRID`) by the race's own
  measure, the **cost** of a run (:func:`costs`): its settle step if it settles within the
  tolerance, else the number of steps plus its median loss gap f − f_min over the last
  ``window`` steps (diverged runs never win). :attr:`Heat.grid_best` says whether the grid
  brackets the chosen ρ (:func:`~adaptive_lr.robustness.best_on_grid`);
* every run starts at the objective's ``start`` (or a given one) and runs the same number of
  steps; a run whose gradient becomes exactly 0 (it landed on a stationary point in floating
  point) is flagged (:meth:`Heat.exact_zero_step`): that is an event, not a success;
* each (objective, optimizer) :class:`Heat` is one vectorized :func:`~adaptive_lr.minimize`
  call over the whole grid, so the robustness of an optimizer (how many ρ of the grid
  diverge, how many settle) comes for free.

:func:`stress_race` re-runs the race, tuning included, under the book's robustness protocol
(:func:`adaptive_lr.robustness.stress`: a tiny gradient perturbation, minibatch-like noise,
other start points) and says for every landscape whether its winner holds or flips.
:func:`floor_study` is the experiment behind the RMSProp-floor exercise: which part of Adam
removes RMSProp's limit cycle (the long memory of β₂, not momentum), and for how long.

:func:`tune_seeds` does the tuning on a real-data task (:mod:`adaptive_lr.data`): one
vectorized :func:`~adaptive_lr.runs.train` call over the grid per seed, the ρ with the lowest
mean final training loss over the seeds wins (on a grid shown to bracket it), and the test
accuracy is reported over the seeds, never tuned on. :func:`glue_values` pastes numbers into
the chapter's prose.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from .. import _validation as check
from ..objectives import Noisy
from ..optim import SGD, AdaDelta, AdaGrad, Adam, RMSProp
from ..robustness import PERTURBATION, GridBest, Spread, best_on_grid, stress
from ..runs import Run, minimize, settle_step
from .. import tables
from ..tables import Table, span

__all__ = ["LR_GRID", "DIGIT_LRS", "lineup", "settings_table", "costs", "Heat", "Race",
           "race", "draw", "StressedRace", "stress_race", "FLOOR_VARIANTS", "FloorStudy",
           "floor_study", "single_threaded", "SeedTuning", "tune_seeds", "tuning_table",
           "seed_table", "top_by_seed", "glue_values", "race_figure",
           "digits_figure", "task_table", "SHARED", "same_rate", "shared_rate_table",
           "race_numbers", "stress_numbers", "digits_numbers", "floor_numbers",
           "task_numbers", "rotation_table"]

#: Learning rates tried for every optimizer on the gallery: 10⁻⁴ … 10⁴ in half decades (17
#: values). It reaches far up because AdaGrad's best ρ on the axis-aligned quadratic is 10³.
LR_GRID = 10.0 ** np.arange(-4.0, 4.01, 0.5)

#: Learning rates tried on the digits tasks: 10⁻³ … 10^2.5 in half decades (12 values).
DIGIT_LRS = 10.0 ** np.arange(-3.0, 2.51, 0.5)

Factory = Callable[[object], object]


def lineup() -> dict[str, Factory]:
    """The six optimizers of the race, each a function of the learning rate ρ.

    Fixed settings: momentum μ = 0.9; AdaGrad ε = 1e-10, r₀ = 0 (PyTorch's); RMSProp
    α = 0.9 (Hinton's value, and the default of Keras and optax; PyTorch's default is
    0.99), ε = 1e-8; AdaDelta ρ_d = 0.9, ε = 1e-6 (PyTorch's), with ρ multiplying its step
    (1 is the paper's method); Adam β = (0.9, 0.999), ε = 1e-8 (the paper's and PyTorch's).
    The two ``SGD`` instances are named ``"GD"`` and ``"momentum"`` (``opt.name``), so a
    figure's legend can tell them apart.
    """
    return {
        "GD": lambda lr: SGD(lr=lr, name="GD"),
        "momentum": lambda lr: SGD(lr=lr, momentum=0.9, name="momentum"),
        "AdaGrad": lambda lr: AdaGrad(lr=lr, eps=1e-10),
        "RMSProp": lambda lr: RMSProp(lr=lr, alpha=0.9, eps=1e-8),
        "AdaDelta": lambda lr: AdaDelta(lr=lr, rho=0.9, eps=1e-6),
        "Adam": lambda lr: Adam(lr=lr, betas=(0.9, 0.999), eps=1e-8),
    }


def _fixed(opt) -> str:
    """The hyperparameters other than ρ, and the options, of an optimizer, as text."""
    parts = [f"{k}={float(v):g}" for k, v in opt.hyperparameters.items()
             if k != "lr" and v.ndim == 0]
    parts += [f"{k}={v}" for k, v in opt._options().items()]
    return ", ".join(parts)


def settings_table(optimizers: Mapping[str, Factory]) -> Table:
    """One row per optimizer: its class and its fixed hyperparameters."""
    rows = []
    for name, make in optimizers.items():
        opt = make(1.0)
        rows.append([name, type(opt).__name__, _fixed(opt) or "—"])
    return Table(["optimizer", "class", "fixed hyperparameters"], rows, align="left")


def costs(settle: np.ndarray, scores: np.ndarray, steps: int) -> np.ndarray:
    """The race's measure of a run, lower is better: its settle step if it settled (≥ 0),
    else ``steps`` plus its score (the median final gap), so every run that settles beats
    every run that does not; NaN for a diverged run (an infinite score)."""
    settle = np.asarray(settle)
    scores = np.asarray(scores, dtype=float)
    with np.errstate(invalid="ignore"):
        cost = np.where(settle >= 0, settle.astype(float), steps + scores)
    return np.where(np.isfinite(scores), cost, np.nan)


@dataclass(frozen=True)
class Heat:
    """One optimizer on one objective over the whole ρ grid.

    Attributes:
      objective: the objective's key in the race.
      optimizer: the optimizer's key in the lineup.
      lrs: ``(n,)`` the ρ grid.
      run: the batched :class:`~adaptive_lr.runs.Run` (batch ``(n,)``).
      scores: ``(n,)`` median loss gap over the last ``window`` steps; inf if diverged.
      settle: ``(n,)`` :func:`settle_step` at the race's tolerance (−1: never settled).
      cost: ``(n,)`` the race's measure (:func:`costs`); NaN if diverged.
    """

    objective: str
    optimizer: str
    lrs: np.ndarray
    run: Run
    scores: np.ndarray
    settle: np.ndarray
    cost: np.ndarray

    @property
    def grid_best(self) -> GridBest:
        """The ρ of lowest cost, and whether the grid brackets it."""
        return best_on_grid(self.cost, self.lrs)

    @property
    def best(self) -> int:
        """Index of the winning ρ (the first of any ties, i.e. the smallest ρ)."""
        return self.grid_best.index

    @property
    def bracketed(self) -> bool:
        return self.grid_best.bracketed

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])

    @property
    def best_score(self) -> float:
        return float(self.scores[self.best])

    @property
    def best_settle(self) -> int:
        return int(self.settle[self.best])

    @property
    def best_cost(self) -> float:
        return float(self.cost[self.best])

    @property
    def n_diverged(self) -> int:
        return int(self.run.diverged.sum())

    @property
    def n_settled(self) -> int:
        """How many ρ of the grid settle within the tolerance: the width of the good range."""
        return int((self.settle >= 0).sum())

    def exact_zero_step(self, objective) -> int:
        """First step at which the best run's gradient on ``objective`` is exactly 0 in every
        coordinate (the iterate sits on a stationary point in floating point), −1 if never.

        Such a run stops moving for good with most optimizers, so whatever it "settled" at
        is an accident of rounding; the robustness protocol's tiny perturbation removes it.
        """
        thetas = self.run.thetas[:, self.best]
        for step, theta in zip(self.run.steps, thetas):
            if np.all(np.isfinite(theta)) and not np.any(objective.grad(theta, int(step))):
                return int(step)
        return -1


@dataclass(frozen=True)
class Race:
    """All heats of a race, keyed by ``(objective, optimizer)``, and its settings."""

    objectives: Mapping[str, object]
    optimizers: Mapping[str, Factory]
    lrs: np.ndarray
    steps: int
    tolerance: float
    window: int
    heats: dict = field(repr=False)
    starts: Mapping[str, np.ndarray] = field(default=None, repr=False)

    def heat(self, objective: str, optimizer: str) -> Heat:
        return self.heats[objective, optimizer]

    def winner(self, objective: str) -> str:
        """The optimizer whose best run has the lowest cost: it settles first, or, when no
        one settles, ends lowest. Ties go to the one listed first."""
        return min(self.optimizers, key=lambda name: self.heat(objective, name).best_cost)

    def final_gap(self, objective: str, optimizer: str) -> float:
        """f − f_min at the end of the best run (0 if it ends below f_min by rounding)."""
        h = self.heat(objective, optimizer)
        return max(float(h.run.final_loss[h.best] - self.objectives[objective].f_min), 0.0)

    def start_table(self) -> Table:
        """Where each objective's runs start, its minimizer and f_min."""
        rows = []
        for key, obj in self.objectives.items():
            minimizer = getattr(obj, "minimizer", None)
            rows.append([key, obj.name, _point(self.starts[key]),
                         "—" if minimizer is None else _point(minimizer), obj.f_min])
        return Table(["key", "objective", "start", "minimizer", "f_min"], rows,
                     fmt="{:.4g}", align="left")

    def results_table(self, objective: str) -> Table:
        """Per optimizer: the chosen ρ (and whether the grid brackets it), the settle step,
        the median gap over the last ``window`` steps, how many ρ of the grid settle and diverge, and the first step at which
        the best run's gradient is exactly 0 (— if never)."""
        n = len(self.lrs)
        rows = []
        obj = self.objectives[objective]
        for name in self.optimizers:
            h = self.heat(objective, name)
            zero = h.exact_zero_step(obj)
            rows.append([name, f"{h.best_lr:.3g}", "yes" if h.bracketed else "no",
                         h.best_settle if h.best_settle >= 0 else "—",
                         f"{h.best_score:.1e}",
                         f"{h.n_settled}/{n}", f"{h.n_diverged}/{n}",
                         zero if zero >= 0 else "—"])
        return Table(["optimizer", "tuned ρ", "bracketed", "settled at", "median gap",
                      "ρ settling", "ρ diverging", "g = 0 at"], rows,
                     caption=self.objectives[objective].name)

    def ranking(self, objective: str) -> list[str]:
        """The optimizers from first to last on ``objective`` (by the cost of their best
        run; ties in the lineup's order)."""
        names = list(self.optimizers)
        return sorted(names, key=lambda n: (self.heat(objective, n).best_cost,
                                            names.index(n)))

    def summary_table(self) -> Table:
        """One row per landscape: the optimizers from first to last, each with the step at
        which its best run settles, or — and its median final gap if it does not settle."""
        rows = []
        for key in self.objectives:
            cells = []
            for name in self.ranking(key):
                h = self.heat(key, name)
                cells.append(f"{name} {h.best_settle}" if h.best_settle >= 0
                             else f"{name} — ({h.best_score:.0e})")
            rows.append([key, ", ".join(cells)])
        return Table(["landscape", "from first to last: settle step, or — (median gap)"],
                     rows, align="left")

    def robustness_table(self) -> Table:
        """Totals over all objectives: ρ values of the grid that settle, that diverge, and
        the landscapes won."""
        n = len(self.lrs) * len(self.objectives)
        rows = []
        for name in self.optimizers:
            heats = [self.heat(key, name) for key in self.objectives]
            wins = sum(self.winner(key) == name for key in self.objectives)
            rows.append([name, f"{sum(h.n_settled for h in heats)}/{n}",
                         f"{sum(h.n_diverged for h in heats)}/{n}", wins])
        return Table(["optimizer", "ρ settling", "ρ diverging", "wins"], rows)

    def totals(self, optimizer: str) -> tuple[int, int]:
        """ρ values of the grid, summed over the objectives, that settle and that diverge."""
        heats = [self.heat(key, optimizer) for key in self.objectives]
        return sum(h.n_settled for h in heats), sum(h.n_diverged for h in heats)


def _point(p) -> str:
    return "(" + ", ".join(f"{float(x):.4g}" for x in np.asarray(p)) + ")"


def race(objectives: Mapping[str, object], optimizers: Mapping[str, Factory], *,
         lrs: Sequence[float] = LR_GRID, steps: int = 300, tolerance: float = 1e-3,
         window: int = 10, starts: Mapping[str, object] | None = None) -> Race:
    """Run every optimizer on every objective over the ρ grid; see the module docstring.

    Args:
      objectives: key → objective (e.g. :func:`adaptive_lr.objectives.gallery`).
      optimizers: key → factory of ρ (e.g. :func:`lineup`); called once with an ``(n, 1)``
        array of learning rates.
      lrs: the ρ grid, positive, at least 3 values (so that it can bracket an optimum).
      steps: steps per run.
      tolerance: a run has *settled* at the first step from which f − f_min stays ≤
        ``tolerance`` to the end, provided that is at least ``window`` steps before the end
        (a run that dips inside only at its last steps has not settled).
      window: the score is the median gap over the last ``window`` steps (robust to noise).
      starts: key → start point, for the objectives that do not start at their ``start``.
    """
    lrs = check.hyperparameter("lrs", lrs, low_open=True)
    if lrs.ndim != 1 or lrs.size < 3:
        raise ValueError("lrs must be a 1-D sequence of at least 3 learning rates")
    steps = check.positive_int("steps", steps)
    window = check.positive_int("window", window)
    if window > steps:
        raise ValueError(f"window must be at most steps={steps}, got {window}")
    tolerance = float(check.hyperparameter("tolerance", tolerance, low_open=True))
    starts = dict(starts or {})
    unknown = set(starts) - set(objectives)
    if unknown:
        raise ValueError(f"starts names objectives the race does not have: {sorted(unknown)}")
    heats, used = {}, {}
    for key, obj in objectives.items():
        used[key] = np.asarray(starts.get(key, obj.start), dtype=np.float64)
        theta0 = np.tile(used[key], (len(lrs), 1))
        for name, make in optimizers.items():
            run = minimize(make(lrs[:, None]), obj, theta0, steps)
            gaps = run.losses - obj.f_min
            with np.errstate(invalid="ignore"):
                tail = np.where(np.isnan(gaps[-window:]), np.inf, gaps[-window:])
            scores = np.where(run.diverged, np.inf, np.median(np.maximum(tail, 0.0), axis=0))
            settle = settle_step(run.steps, gaps, tolerance)
            settle = np.where(settle > steps - window, -1, settle)  # inside for < window
            heats[key, name] = Heat(key, name, lrs, run, scores, settle,
                                    costs(settle, scores, steps))
    return Race(dict(objectives), dict(optimizers), lrs, steps, tolerance, window, heats,
                used)


def draw(ax, race_: Race, objective: str, *, legend: bool = False):
    """Contours of ``objective`` with every optimizer's best trajectory (final landscape
    for a time-varying objective)."""
    from .. import plots

    obj = race_.objectives[objective]
    plots.contours(ax, obj, step=race_.steps)
    for i, name in enumerate(race_.optimizers):
        h = race_.heat(objective, name)
        plots.trajectories(ax, h.run, [name], index=[h.best], start=(i == 0), style=i)
    ax.set_title(obj.name)
    if legend:
        ax.legend(loc="best")
    return ax


# ------------------------------------------------------------------- the protocol


def _metrics(race_: Race, key: str) -> dict[str, float]:
    """What one landscape's race reports, per optimizer, and its winner's index."""
    out = {}
    names = list(race_.optimizers)
    for name in names:
        h = race_.heat(key, name)
        out[f"{name} settle"] = h.best_settle
        out[f"{name} cost"] = h.best_cost
        out[f"{name} gap"] = race_.final_gap(key, name)
        out[f"{name} lr"] = h.best_lr
        out[f"{name} bracketed"] = float(h.bracketed)
        out[f"{name} settling"] = h.n_settled
        out[f"{name} diverging"] = h.n_diverged
    out["winner"] = names.index(race_.winner(key))
    return out


@dataclass(frozen=True)
class StressedRace:
    """The race of every landscape re-run, tuning included, under every condition of the
    robustness protocol.

    Attributes:
      optimizers: the optimizers' names, in the lineup's order.
      spreads: objective key → :class:`~adaptive_lr.robustness.Spread` of the metrics of
        :func:`stress_race` (per optimizer: ``settle``, ``cost``, ``gap`` (the median gap
        over the race's last window), ``lr``, ``bracketed``, ``settling``, ``diverging``;
        and ``winner``, an index).
    """

    optimizers: tuple[str, ...]
    spreads: Mapping[str, Spread]

    def winners(self, objective: str, kind: str | None = None) -> list[str]:
        """The winner under every condition (of one kind, if given)."""
        return [self.optimizers[int(i)]
                for i in self.spreads[objective].values("winner", kind)]

    def verdict(self, objective: str, optimizer: str,
                kinds: Sequence[str] | None = None) -> str:
        """Whether "``optimizer`` wins on ``objective``" holds, fails or flips, under every
        condition or under those of the given ``kinds`` only."""
        i = self.optimizers.index(optimizer)
        spread = self.spreads[objective]
        wins = np.array([r["winner"] == i for c, r in zip(spread.conditions, spread.results)
                         if kinds is None or c.kind in kinds])
        return "holds" if wins.all() else "fails" if not wins.any() else "flips"

    def values(self, objective: str, optimizer: str, metric: str,
               kind: str | None = None) -> np.ndarray:
        return self.spreads[objective].values(f"{optimizer} {metric}", kind)

    @property
    def kinds(self) -> list[str]:
        spread = next(iter(self.spreads.values()))
        return list(dict.fromkeys(c.kind for c in spread.conditions))

    def winners_table(self) -> Table:
        """Per landscape: the winner without changes, how often each optimizer wins under
        every kind of condition, and whether the exact winner's win holds or flips."""
        rows = []
        for key in self.spreads:
            exact = self.winners(key, "exact")[0]
            row = [key, exact]
            for kind in self.kinds[1:]:
                row.append(_counts(self.winners(key, kind)))
            row.append(self.verdict(key, exact, [k for k in self.kinds if k != "noisy"]))
            row.append(self.verdict(key, exact))
            rows.append(row)
        return Table(["landscape", "winner"] + self.kinds[1:]
                     + ["its win without noise", "with noise"], rows, align="left")

    def settle_table(self, objective: str) -> Table:
        """Per optimizer, under each kind of condition: the settle step at its tuned ρ, or
        its final gap in brackets when it does not settle (min … max over the seeds)."""
        rows = []
        for name in self.optimizers:
            row = [name]
            for kind in self.kinds:
                settle = self.values(objective, name, "settle", kind)
                gap = self.values(objective, name, "gap", kind)
                row.append(_settle_cell(settle, gap))
            rows.append(row)
        return Table(["optimizer"] + self.kinds, rows,
                     caption=f"{objective}: settle step, or — (median final gap)")

    def bracketed_count(self) -> tuple[int, int]:
        """How many (condition, landscape, optimizer) tunings the grid brackets, of all."""
        flags = np.concatenate([self.values(key, name, "bracketed")
                                for key in self.spreads for name in self.optimizers])
        return int(flags.sum()), int(flags.size)

    def unbracketed(self) -> list[tuple[str, str, str]]:
        """The (landscape, optimizer, condition) tunings whose best ρ sits at a grid end."""
        out = []
        for key, spread in self.spreads.items():
            for name in self.optimizers:
                for c, r in zip(spread.conditions, spread.results):
                    if not r[f"{name} bracketed"]:
                        out.append((key, name, c.name))
        return out

    def totals(self, optimizer: str, metric: str, kind: str | None = None) -> np.ndarray:
        """``settling`` or ``diverging`` summed over the landscapes, per condition."""
        return sum(self.values(key, optimizer, metric, kind) for key in self.spreads)

    def totals_table(self, metric: str = "settling") -> Table:
        """Per optimizer and kind of condition: ρ values (summed over the landscapes) that
        settle (``metric="settling"``) or diverge (``"diverging"``), min … max over the
        seeds."""
        if metric not in ("settling", "diverging"):
            raise ValueError(f"metric must be 'settling' or 'diverging', got {metric!r}")
        rows = [[name] + [span(self.totals(name, metric, kind), "{:.0f}")
                          for kind in self.kinds] for name in self.optimizers]
        return Table(["optimizer"] + self.kinds, rows,
                     caption=f"(landscape, ρ) pairs {metric}")


def _counts(names: Sequence[str]) -> str:
    counts = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} {n}" for name, n in sorted(counts.items(),
                                                         key=lambda kv: -kv[1]))


def _settle_cell(settle: np.ndarray, gap: np.ndarray) -> str:
    if np.all(settle >= 0):
        return span(settle, "{:.0f}")
    if np.all(settle < 0):
        return f"— ({span(gap, '{:.0e}')})"
    return f"{span(settle[settle >= 0], '{:.0f}')}; — in {int((settle < 0).sum())}"


def stress_race(objectives: Mapping[str, object], optimizers: Mapping[str, Factory], *,
                seeds: Sequence[int] = (0, 1, 2), noise: float | None = 0.1,
                starts: float = 0.5, perturbation: float = PERTURBATION,
                **race_options) -> StressedRace:
    """The race of each objective, tuning included, under every condition of
    :func:`adaptive_lr.robustness.conditions` (options ``seeds``, ``noise``, ``starts``,
    ``perturbation``); ``race_options`` go to :func:`race`."""

    def experiment(key):
        def run(objective, start):
            return _metrics(race({key: objective}, optimizers, starts={key: start},
                                 **race_options), key)
        return run

    spreads = {key: stress(experiment(key), obj, seeds=seeds, noise=noise, starts=starts,
                           perturbation=perturbation)
               for key, obj in objectives.items()}
    return StressedRace(tuple(optimizers), spreads)


# ------------------------------------------------------------ RMSProp's floor, and Adam


#: The variants of the floor study: what differs is the memory of the squared gradients
#: (α or β₂) and momentum (β₁), one at a time.
FLOOR_VARIANTS: dict[str, Factory] = {
    "RMSProp α = 0.9": lambda lr: RMSProp(lr=lr, alpha=0.9, eps=1e-8),
    "RMSProp α = 0.999": lambda lr: RMSProp(lr=lr, alpha=0.999, eps=1e-8),
    "Adam β₁ = 0": lambda lr: Adam(lr=lr, betas=(0.0, 0.999), eps=1e-8),
    "Adam β₂ = 0.9": lambda lr: Adam(lr=lr, betas=(0.9, 0.9), eps=1e-8),
    "Adam": lambda lr: Adam(lr=lr, betas=(0.9, 0.999), eps=1e-8),
}


@dataclass(frozen=True)
class FloorStudy:
    """The floor study on one objective (:func:`floor_study`).

    Attributes:
      race: the short race of the variants (each tuned on the grid).
      long_steps: the length of the long runs.
      tail: ``{variant: (n_seeds,)}`` the largest gap over the last tenth of the long runs,
        at the variant's tuned ρ, under the tiny perturbation (one entry per seed).
      tail_median: ``{variant: (n_seeds,)}`` the median gap over the same steps: far below
        ``tail`` for a run that is mostly inside and thrown out now and then.
      tail_settle: ``{variant: (n_seeds,)}`` the settle step of the long runs (−1: none).
      scaling: ``(ρ, ρ/10)`` gaps of the first variant's long-run floor: the floor's
        dependence on ρ.
      scaling_lrs: the two learning rates of ``scaling``.
    """

    race: Race
    long_steps: int
    tail: Mapping[str, np.ndarray]
    tail_median: Mapping[str, np.ndarray]
    tail_settle: Mapping[str, np.ndarray]
    scaling: tuple[float, float]
    scaling_lrs: tuple[float, float]

    def table(self) -> Table:
        """Per variant: tuned ρ, the short race's settle step and final gap, and the long,
        perturbed runs' largest gap in their last tenth (min … max over the seeds)."""
        key = next(iter(self.race.objectives))
        rows = []
        for name in self.race.optimizers:
            h = self.race.heat(key, name)
            rows.append([name, f"{h.best_lr:.3g}",
                         h.best_settle if h.best_settle >= 0 else "—",
                         f"{self.race.final_gap(key, name):.1e}",
                         span(self.tail[name], "{:.1e}")])
        return Table(["variant", "tuned ρ", f"settled at (of {self.race.steps})",
                      "final gap", f"largest gap, last tenth of {self.long_steps} steps"],
                     rows)


def _tail_max(gaps: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """The largest gap over the last ``fraction`` of a record (NaN if the run diverged)."""
    k = max(1, int(round(len(gaps) * fraction)))
    return np.max(gaps[-k:], axis=0)


def floor_study(objective, *, variants: Mapping[str, Factory] = None,
                lrs: Sequence[float] = LR_GRID, steps: int = 300, long_steps: int = 10000,
                seeds: Sequence[int] = (0, 1), tolerance: float = 1e-3) -> FloorStudy:
    """Which part of Adam removes RMSProp's floor, and for how long.

    Each variant (default :data:`FLOOR_VARIANTS`) is tuned on ``lrs`` in a race of
    ``steps`` steps; then it runs ``long_steps`` steps at that ρ under the protocol's tiny
    gradient perturbation (one independent draw per seed), and the largest gap over the
    last tenth of the run is its floor. The first variant also runs at a tenth of its ρ, to
    show how the floor scales with ρ. ``objective`` needs ``f_min`` (gaps are f − f_min).
    """
    from ..robustness import _gradient_scale

    variants = dict(FLOOR_VARIANTS if variants is None else variants)
    long_steps = check.positive_int("long_steps", long_steps)
    seeds = [check.positive_int("seeds entries", s, minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    short = race({"objective": objective}, variants, lrs=lrs, steps=steps,
                 tolerance=tolerance)
    size = PERTURBATION * _gradient_scale(objective)
    perturbed = Noisy(objective, size, seeds[0])  # one independent draw per batch entry
    theta0 = np.tile(objective.start, (len(seeds), 1))
    every = max(1, long_steps // 1000)
    tail, tail_median, tail_settle = {}, {}, {}
    for name, make in variants.items():
        lr = short.heat("objective", name).best_lr
        run = minimize(make(lr), perturbed, theta0, long_steps, record_every=every)
        gaps = run.losses - objective.f_min
        tail[name] = _tail_max(gaps)
        tail_median[name] = np.median(gaps[-max(1, int(round(len(gaps) * 0.1))):], axis=0)
        tail_settle[name] = settle_step(run.steps, gaps, tolerance)
    first, make = next(iter(variants.items()))
    lr = short.heat("objective", first).best_lr
    scaling = []
    for rate in (lr, lr / 10):
        run = minimize(make(rate), perturbed, objective.start, long_steps, record_every=every)
        scaling.append(float(_tail_max(run.losses - objective.f_min)))
    return FloorStudy(short, long_steps, tail, tail_median, tail_settle, tuple(scaling),
                      (lr, lr / 10))


# --------------------------------------------------------------------- real-data tasks


def single_threaded():
    """A context in which BLAS uses one thread.

    The tasks' matrices are small, so extra threads only contend (on a busy two-core
    machine a batched forward pass ran ten times slower with them), and one thread also
    fixes the summation order, so results do not depend on the machine's core count.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class SeedTuning:
    """An optimizer trained on a task over a ρ grid and at a default ρ, for several seeds.

    A seed sets the initial parameters and the minibatch order. Arrays are indexed
    ``[seed, epoch, ρ]`` (``epoch`` 0 is before training).

    Attributes:
      name: the optimizer's key.
      lrs: ``(n,)`` the grid.
      seeds: the seeds.
      default_lr: the default ρ.
      train_loss, test_accuracy: ``(S, E + 1, n)`` per epoch, over the grid; NaN after a
        run diverged.
      default_loss, default_accuracy: ``(S, E + 1)`` the same at the default ρ.
    """

    name: str
    lrs: np.ndarray
    seeds: tuple[int, ...]
    default_lr: float
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    default_loss: np.ndarray
    default_accuracy: np.ndarray

    @property
    def mean_final_loss(self) -> np.ndarray:
        """``(n,)`` final training loss averaged over the seeds; NaN if any seed diverged."""
        return self.train_loss[:, -1].mean(axis=0)

    @property
    def grid_best(self) -> GridBest:
        """The ρ of lowest mean final training loss, and whether the grid brackets it."""
        return best_on_grid(self.mean_final_loss, self.lrs)

    @property
    def best(self) -> int:
        return self.grid_best.index

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])

    @property
    def n_diverged(self) -> int:
        """ρ values of the grid at which at least one seed diverged."""
        return int(np.isnan(self.train_loss[:, -1]).any(axis=0).sum())

    def final(self, which: str = "tuned", metric: str = "loss") -> np.ndarray:
        """``(S,)`` the final training loss or test accuracy, tuned or at the default."""
        if which not in ("tuned", "default"):
            raise ValueError(f"which must be 'tuned' or 'default', got {which!r}")
        if metric not in ("loss", "accuracy"):
            raise ValueError(f"metric must be 'loss' or 'accuracy', got {metric!r}")
        if which == "tuned":
            data = self.train_loss if metric == "loss" else self.test_accuracy
            return data[:, -1, self.best]
        data = self.default_loss if metric == "loss" else self.default_accuracy
        return data[:, -1]

    def best_for_seed(self, k: int = 0) -> GridBest:
        """The ρ a tuning on the ``k``-th seed alone would choose."""
        return best_on_grid(self.train_loss[k, -1], self.lrs)

    def final_at(self, index: int, metric: str = "loss") -> np.ndarray:
        """``(S,)`` the final training loss or test accuracy at grid entry ``index``."""
        if metric not in ("loss", "accuracy"):
            raise ValueError(f"metric must be 'loss' or 'accuracy', got {metric!r}")
        data = self.train_loss if metric == "loss" else self.test_accuracy
        return data[:, -1, index]

    def curves(self, which: str = "tuned") -> tuple[np.ndarray, np.ndarray]:
        """``(S, E + 1)`` training loss and test accuracy per epoch, tuned or default."""
        if which == "tuned":
            return self.train_loss[:, :, self.best], self.test_accuracy[:, :, self.best]
        if which == "default":
            return self.default_loss, self.default_accuracy
        raise ValueError(f"which must be 'tuned' or 'default', got {which!r}")


def tune_seeds(name: str, make: Factory, task, *, default_lr: float,
               lrs: Sequence[float] = DIGIT_LRS, epochs: int = 5, batch_size: int = 32,
               seeds: Sequence[int] = (0, 1, 2, 3, 4)) -> SeedTuning:
    """Train ``make(ρ)`` on ``task`` over the grid ``lrs`` (one vectorized call per seed)
    and at ``default_lr``, for every seed.

    For one seed every run starts from ``task.init(seed)`` and sees the same minibatches.
    The tuning uses the training loss only; the test accuracy is reported, never tuned on.
    BLAS runs single-threaded (:func:`single_threaded`).
    """
    from ..runs import train

    lrs = check.hyperparameter("lrs", lrs, low_open=True)
    if lrs.ndim != 1 or lrs.size < 3:
        raise ValueError("lrs must be a 1-D sequence of at least 3 learning rates")
    default_lr = float(check.hyperparameter("default_lr", default_lr, low_open=True))
    seeds = tuple(check.positive_int("seeds entries", s, minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    grids, defaults = [], []
    with single_threaded():
        for seed in seeds:
            grids.append(train(make(lrs[:, None]), task,
                               task.init(seed, batch_shape=(len(lrs),)), epochs=epochs,
                               batch_size=batch_size, seed=seed))
            defaults.append(train(make(default_lr), task, task.init(seed), epochs=epochs,
                                  batch_size=batch_size, seed=seed))
    return SeedTuning(name, lrs, seeds, default_lr,
                      np.stack([t.epoch_train_loss for t in grids]),
                      np.stack([t.epoch_test_accuracy for t in grids]),
                      np.stack([t.epoch_train_loss for t in defaults]),
                      np.stack([t.epoch_test_accuracy for t in defaults]))


def tuning_table(tunings: Sequence[SeedTuning]) -> Table:
    """Default against tuned ρ per optimizer: final training loss and test accuracy, as
    mean (min … max over the seeds). A tuned ρ the grid does not bracket is marked ``*``, and
    a ρ of the grid at which some seed diverged counts in the caption."""
    rows = []
    for t in tunings:
        mark = "" if t.grid_best.bracketed else "*"
        rows.append([t.name, f"{t.default_lr:g}",
                     _mean_range(t.final("default", "loss")),
                     _mean_range(t.final("default", "accuracy")),
                     f"{t.best_lr:.3g}{mark}",
                     _mean_range(t.final("tuned", "loss")),
                     _mean_range(t.final("tuned", "accuracy"))])
    diverging = sum(t.n_diverged for t in tunings)
    unbracketed = sum(not t.grid_best.bracketed for t in tunings)
    caption = (f"{diverging} learning rates of the grids with a diverging seed; "
               + (f"{unbracketed} tuned ρ at the end of the grid (*)" if unbracketed
                  else "every tuned ρ inside its grid"))
    return Table(["optimizer", "default ρ", "loss at default", "accuracy at default",
                  "tuned ρ", "loss tuned", "accuracy tuned"], rows, caption=caption)


def _mean_range(values, fmt: str = "{:.3f}") -> str:
    values = np.asarray(values, dtype=float)
    return f"{fmt.format(values.mean())} ({span(values, fmt)})"


def seed_table(tunings: Sequence[SeedTuning], which: str = "tuned",
               metric: str = "accuracy") -> Table:
    """One row per optimizer, one column per seed: the final test accuracy (or training
    loss) at the tuned (or default) ρ, and each seed's best optimizer in a last row."""
    seeds = tunings[0].seeds
    values = np.array([t.final(which, metric) for t in tunings])
    rows = [[t.name] + [float(v) for v in row] for t, row in zip(tunings, values)]
    tops = top_by_seed(tunings, which, metric)
    rows.append(["best"] + tops)
    return Table(["optimizer"] + [f"seed {s}" for s in seeds], rows, fmt="{:.4f}")


def top_by_seed(tunings: Sequence[SeedTuning], which: str = "tuned",
                metric: str = "accuracy") -> list[str]:
    """For each seed, the optimizer with the highest test accuracy (or lowest training
    loss); ties go to the one listed first."""
    values = np.array([t.final(which, metric) for t in tunings])
    pick = np.nanargmax(values, axis=0) if metric == "accuracy" else \
        np.nanargmin(values, axis=0)
    return [tunings[int(i)].name for i in pick]


# ------------------------------------------------------------------------- glue


def glue_values(values: Mapping[str, object]) -> None:
    """Glue every ``key: value`` for the prose (``{glue:text}`key:.3g```), not displayed:
    :func:`adaptive_lr.tables.glue`, returning nothing so that a glue cell shows nothing."""
    tables.glue(values)


# ------------------------------------------------------------------ figures and tables


def race_figure(race_: Race, size: tuple[float, float] | None = None):
    """One half-column panel per landscape, with every optimizer's path at its tuned ρ, and
    a last panel with the legend; a :class:`~adaptive_lr.plots.PanelRow` (side by side on a
    wide page, stacked on a phone)."""
    from .. import plots

    keys = list(race_.objectives)
    figures, axes = plots.panels(len(keys) + 1, size=size or (plots.PANEL_SIZE[0], 3.0))
    for ax, key in zip(axes, keys):
        draw(ax, race_, key)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[-1].axis("off")
    axes[-1].legend(handles, labels, loc="center", title="each at its tuned ρ")
    alts = [f"{race_.objectives[key].name}: contours and the six paths" for key in keys]
    return plots.PanelRow(figures, alts + ["legend: line style and colour per optimizer"])


def digits_figure(tunings: Mapping[str, Sequence[SeedTuning]],
                  size: tuple[float, float] | None = None):
    """Training loss and test accuracy per epoch for each task: the mean over the seeds at
    the tuned ρ (solid, with the min–max band) and at the default ρ (dotted); a last panel
    holds the legend. A :class:`~adaptive_lr.plots.PanelRow`."""
    from .. import plots

    figures, axes = plots.panels(2 * len(tunings) + 1,
                                 size=size or (plots.PANEL_SIZE[0], 2.9))
    for k, (task_name, rows) in enumerate(tunings.items()):
        ax_loss, ax_acc = axes[2 * k], axes[2 * k + 1]
        for i, t in enumerate(rows):
            for ax, values, default in zip((ax_loss, ax_acc), t.curves("tuned"),
                                           t.curves("default")):
                epochs = np.arange(values.shape[1])
                ax.fill_between(epochs, values.min(axis=0), values.max(axis=0),
                                color=plots.color(i), alpha=0.2, linewidth=0)
                ax.plot(epochs, values.mean(axis=0), color=plots.color(i), marker="o",
                        markersize=3, label=t.name)
                ax.plot(epochs, default.mean(axis=0), color=plots.color(i), linestyle=":")
        ax_loss.set(yscale="log", ylabel="training loss", xlabel="epoch", title=task_name)
        ax_acc.set(ylim=(0.0, 1.0), ylabel="test accuracy", xlabel="epoch", title=task_name)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[-1].axis("off")
    from matplotlib.lines import Line2D
    handles += [Line2D([], [], color="0.3"), Line2D([], [], color="0.3", linestyle=":")]
    labels += ["tuned ρ (mean, band: min–max)", "default ρ (mean)"]
    axes[-1].legend(handles, labels, loc="center")
    alts = [f"{name}: {what} per epoch, one colour per optimizer"
            for name in tunings for what in ("training loss", "test accuracy")]
    return plots.PanelRow(figures, alts + ["legend of the digits curves"])


def task_table(tasks: Sequence) -> Table:
    """The size of each task: training and test images, parameters."""
    return Table(["task", "training images", "test images", "parameters"],
                 [[t.name, int(t.X_train.shape[0]), int(t.X_test.shape[0]), int(t.n_params)]
                  for t in tasks], align="left")


#: The optimizers the shared-ρ widget and scrubber run at one common ρ.
SHARED = ("GD", "momentum", "AdaGrad", "RMSProp", "Adam")


def same_rate(rho) -> list:
    """The lineup at one shared ρ, and AdaDelta at ρ = 1 (the paper's method, which has no
    learning rate), for the widget and the scrubber."""
    fixed = lineup()
    return [fixed[name](rho) for name in SHARED] + [fixed["AdaDelta"](1.0)]


def shared_rate_table(objective, rhos: Sequence[float], steps: int = 200) -> Table:
    """Final loss after ``steps`` steps at each shared ρ (or the step at which the run
    diverged), one column per optimizer of :data:`SHARED`, and AdaDelta at ρ = 1."""
    rhos = np.asarray(rhos, dtype=float)
    starts = np.tile(objective.start, (len(rhos), 1))
    fixed = lineup()
    columns = []
    for name in SHARED:
        run = minimize(fixed[name](rhos[:, None]), objective, starts, steps)
        columns.append([f"diverged at {int(run.diverged_at[i])}" if run.diverged[i]
                        else f"{float(run.final_loss[i]):.1e}" for i in range(len(rhos))])
    adadelta = minimize(fixed["AdaDelta"](1.0), objective, objective.start, steps)
    rows = [[f"{rho:g}"] + [col[i] for col in columns] for i, rho in enumerate(rhos)]
    rows.append(["AdaDelta, ρ = 1", f"{float(adadelta.final_loss):.1e}"] + [""] * (len(SHARED) - 1))
    return Table(["shared ρ"] + list(SHARED), rows)


# ------------------------------------------------------------------ numbers for the prose


def race_numbers(race_: Race, prefix: str = "race") -> dict[str, object]:
    """The race's numbers by name, for :func:`glue_values`: per landscape and optimizer
    ``{prefix}-{landscape}-{optimizer}-{settle|lr|gap|score|settling|diverging|zero}``
    (``zero``: the first step with an exactly zero gradient, −1 if none), each landscape's
    ``-winner``, per optimizer the totals ``{prefix}-total-{optimizer}-{settling|
    diverging|wins}``, and the race's settings."""
    out = {f"{prefix}-steps": race_.steps, f"{prefix}-tolerance": race_.tolerance,
           f"{prefix}-window": race_.window, f"{prefix}-n-lrs": len(race_.lrs),
           f"{prefix}-lr-min": float(race_.lrs.min()), f"{prefix}-lr-max": float(race_.lrs.max()),
           f"{prefix}-n-objectives": len(race_.objectives),
           f"{prefix}-n-pairs": len(race_.lrs) * len(race_.objectives),
           f"{prefix}-n-bracketed": sum(h.bracketed for h in race_.heats.values()),
           f"{prefix}-n-heats": len(race_.heats)}
    for key, obj in race_.objectives.items():
        out[f"{prefix}-{key}-winner"] = race_.winner(key)
        for name in race_.optimizers:
            h = race_.heat(key, name)
            base = f"{prefix}-{key}-{name}"
            out.update({f"{base}-settle": h.best_settle, f"{base}-lr": h.best_lr,
                        f"{base}-gap": race_.final_gap(key, name), f"{base}-score": h.best_score,
                        f"{base}-settling": h.n_settled, f"{base}-diverging": h.n_diverged,
                        f"{base}-zero": h.exact_zero_step(obj)})
    for name in race_.optimizers:
        settling, diverging = race_.totals(name)
        out[f"{prefix}-total-{name}-settling"] = settling
        out[f"{prefix}-total-{name}-diverging"] = diverging
        out[f"{prefix}-total-{name}-wins"] = sum(race_.winner(k) == name
                                                  for k in race_.objectives)
        lrs = [race_.heat(k, name).best_lr for k in race_.objectives]
        out[f"{prefix}-{name}-lr-lo"], out[f"{prefix}-{name}-lr-hi"] = min(lrs), max(lrs)
    return out


def stress_numbers(stressed: StressedRace, prefix: str = "stress") -> dict[str, object]:
    """The protocol's numbers by name: per landscape, optimizer and kind of condition the
    settle cell of :meth:`StressedRace.settle_table` (``-settle-{kind}``, a string) and the
    tuned ρ range (``-lr-{kind}``); per landscape and kind the winners (``-winners-{kind}``)
    and the verdicts of the exact winner's win (``-verdict`` with noise, ``-verdict-clean``
    without); per optimizer and kind the totals (``-total-{optimizer}-{metric}-{kind}``)."""
    out = {}
    kinds = stressed.kinds
    clean = [k for k in kinds if k != "noisy"]
    n = {kind: len(stressed.winners(next(iter(stressed.spreads)), kind)) for kind in kinds}
    out.update({f"{prefix}-n-{kind}": n[kind] for kind in kinds})
    out[f"{prefix}-n-conditions"] = sum(n.values())
    bracketed, total = stressed.bracketed_count()
    out[f"{prefix}-n-bracketed"], out[f"{prefix}-n-tunings"] = bracketed, total
    for key in stressed.spreads:
        exact = stressed.winners(key, "exact")[0]
        out[f"{prefix}-{key}-verdict"] = stressed.verdict(key, exact)
        out[f"{prefix}-{key}-verdict-clean"] = stressed.verdict(key, exact, clean)
        for kind in kinds:
            out[f"{prefix}-{key}-winners-{kind}"] = _counts(stressed.winners(key, kind))
        for name in stressed.optimizers:
            for kind in kinds:
                out[f"{prefix}-{key}-{name}-settle-{kind}"] = _settle_cell(
                    stressed.values(key, name, "settle", kind),
                    stressed.values(key, name, "gap", kind))
                out[f"{prefix}-{key}-{name}-lr-{kind}"] = span(
                    stressed.values(key, name, "lr", kind), "{:.3g}")
    for name in stressed.optimizers:
        for metric in ("settling", "diverging"):
            for kind in kinds:
                out[f"{prefix}-total-{name}-{metric}-{kind}"] = span(
                    stressed.totals(name, metric, kind), "{:.0f}")
    return out


def digits_numbers(tunings: Mapping[str, Sequence[SeedTuning]],
                   prefix: str = "digits") -> dict[str, object]:
    """The digits numbers by name: per task (``softmax``, ``mlp``: the first word after
    "digits" in lower case) and optimizer (spaces as ``-``), ``{default|tuned}-{loss|acc}``
    with ``-mean``, ``-min``, ``-max`` and ``-range`` (a string), the tuned ρ (``-lr``) and
    whether the grid brackets it (``-bracketed``), the ρ a tuning on seed 0 alone picks
    (``-seed0-lr``) and the loss range there (``-seed0-loss-range``); per task the number
    of diverging ρ over all optimizers, the best optimizer per seed (``-top-acc``, counts)
    and the range of tuned mean accuracies (``-tuned-acc-lo``, ``-hi``)."""
    out = {}
    for task_name, rows in tunings.items():
        task = _task_key(task_name)
        means = []
        for t in rows:
            base = f"{prefix}-{task}-{_key(t.name)}"
            for which in ("default", "tuned"):
                for metric, short in (("loss", "loss"), ("accuracy", "acc")):
                    values = t.final(which, metric)
                    key = f"{base}-{which}-{short}"
                    out.update({f"{key}-mean": float(values.mean()),
                                f"{key}-min": float(values.min()),
                                f"{key}-max": float(values.max()),
                                f"{key}-range": span(values, "{:.3f}")})
            out[f"{base}-default-lr"] = t.default_lr
            out[f"{base}-lr"] = t.best_lr
            out[f"{base}-bracketed"] = "yes" if t.grid_best.bracketed else "no"
            seed0 = t.best_for_seed(0)
            out[f"{base}-seed0-lr"] = seed0.value
            out[f"{base}-seed0-loss-range"] = span(t.final_at(seed0.index, "loss"),
                                                        "{:.3f}")
            out[f"{base}-seed0-acc-range"] = span(t.final_at(seed0.index, "accuracy"),
                                                       "{:.3f}")
            means.append(float(t.final("tuned", "accuracy").mean()))
        out[f"{prefix}-{task}-diverging"] = sum(t.n_diverged for t in rows)
        out[f"{prefix}-{task}-top-acc"] = _counts(top_by_seed(rows, "tuned", "accuracy"))
        out[f"{prefix}-{task}-top-loss"] = _counts(top_by_seed(rows, "tuned", "loss"))
        out[f"{prefix}-{task}-tuned-acc-lo"] = min(means)
        out[f"{prefix}-{task}-tuned-acc-hi"] = max(means)
        out[f"{prefix}-{task}-bracketed"] = sum(t.grid_best.bracketed for t in rows)
        out[f"{prefix}-{task}-n"] = len(rows)
    first = next(iter(tunings.values()))[0]
    out.update({f"{prefix}-n-seeds": len(first.seeds), f"{prefix}-n-lrs": len(first.lrs),
                f"{prefix}-lr-min": float(first.lrs.min()),
                f"{prefix}-lr-max": float(first.lrs.max()),
                f"{prefix}-epochs": first.train_loss.shape[1] - 1})
    return out


def _key(name: str) -> str:
    """A name as a glue key: runs of anything but letters, digits and dots become ``-``
    (``"RMSProp α = 0.99"`` → ``"RMSProp-0.99"``)."""
    import re

    return re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-")


def _task_key(name: str) -> str:
    """``"digits softmax"`` → ``"softmax"``, ``"digits MLP (16 tanh)"`` → ``"mlp"``."""
    words = name.split()
    return (words[1] if len(words) > 1 else words[0]).lower()


def floor_numbers(study: FloorStudy, prefix: str = "floor") -> dict[str, object]:
    """The floor study's numbers by name: per variant (``v0``, ``v1``, … in the order of
    the study) the tuned ``-lr``, ``-settle`` and ``-gap`` of the short race, the long runs'
    ``-tail`` range (string) and ``-tail-max``, and ``-ratio``, the long-run floor over ρ²;
    the scaling of the first variant's floor with ρ (``-scale-hi``, ``-scale-lo``, their
    ``-scale-ratio`` and the two ρ)."""
    key = next(iter(study.race.objectives))
    out = {f"{prefix}-steps": study.race.steps, f"{prefix}-long-steps": study.long_steps}
    for i, name in enumerate(study.race.optimizers):
        h = study.race.heat(key, name)
        base = f"{prefix}-v{i}"
        tail = study.tail[name]
        out.update({f"{base}-name": name, f"{base}-lr": h.best_lr, f"{base}-settle": h.best_settle,
                    f"{base}-gap": study.race.final_gap(key, name),
                    f"{base}-tail": span(tail, "{:.1e}"),
                    f"{base}-tail-max": float(np.max(tail)),
                    f"{base}-tail-median": float(np.max(study.tail_median[name])),
                    f"{base}-ratio": float(np.max(tail)) / h.best_lr ** 2,
                    f"{base}-long-settled": int((study.tail_settle[name] >= 0).sum())})
    hi, lo = study.scaling
    out.update({f"{prefix}-scale-hi": hi, f"{prefix}-scale-lo": lo,
                f"{prefix}-scale-ratio": hi / lo, f"{prefix}-scale-lr-hi": study.scaling_lrs[0],
                f"{prefix}-scale-lr-lo": study.scaling_lrs[1], f"{prefix}-n-seeds":
                len(next(iter(study.tail.values())))})
    return out


def task_numbers(tasks: Sequence, prefix: str = "task") -> dict[str, object]:
    """Sizes of the tasks by name: per task (``softmax``, ``mlp``) ``-train``, ``-test``,
    ``-params``; and, from the first, ``-images`` (training plus test), ``-features``,
    ``-classes`` and ``-test-percent``."""
    out = {}
    for t in tasks:
        key = f"{prefix}-{_task_key(t.name)}"
        out.update({f"{key}-train": int(t.X_train.shape[0]), f"{key}-test": int(t.X_test.shape[0]),
                    f"{key}-params": int(t.n_params)})
    first = tasks[0]
    n_train, n_test = first.X_train.shape[0], first.X_test.shape[0]
    out.update({f"{prefix}-images": int(n_train + n_test), f"{prefix}-features": first.n_features,
                f"{prefix}-classes": int(first.n_classes),
                f"{prefix}-test-percent": round(100 * n_test / (n_train + n_test))})
    return out


def rotation_table(race_: Race, optimizers: Sequence[str], keys=("quadratic", "rotated")
                   ) -> Table:
    """For each optimizer: its settle step on the two landscapes and the largest difference
    of their loss curves at the tuned ρ (0 when the optimizer is rotation-invariant and the
    second landscape is the first one rotated)."""
    rows = []
    for name in optimizers:
        a, b = (race_.heat(key, name) for key in keys)
        gap = np.abs(a.run.losses[:, a.best] - b.run.losses[:, b.best])
        rows.append([name, a.best_settle, b.best_settle, f"{np.nanmax(gap):.1e}"])
    return Table(["optimizer", f"settles on {keys[0]}", f"on {keys[1]}",
                  "largest loss difference"], rows)
