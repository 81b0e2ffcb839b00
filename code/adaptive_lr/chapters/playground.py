r"""A reproducible race: every optimizer on every test function, with stated settings.

The well-known animations that race optimizers on a test surface rarely say where the runs
start, which learning rates were used or how they were chosen; a different choice reverses
the ranking. Here every setting is explicit and printed:

* each optimizer of a **lineup** has fixed, stated hyperparameters except its learning
  rate ρ, which is picked per objective from a stated grid (:data:`LR_GRID`) by the
  median loss gap f − f_min over the last ``window`` steps (diverged runs excluded);
* every run starts at the objective's ``start`` and runs the same number of steps;
* each (objective, optimizer) :class:`Heat` is one vectorized :func:`~adaptive_lr.minimize`
  call over the whole grid, so the robustness of an optimizer (how many ρ of the grid
  diverge, how many reach the tolerance) comes for free.

:func:`tune` does the same on a real-data task (:mod:`adaptive_lr.data`): one vectorized
:func:`~adaptive_lr.runs.train` call over the grid, the ρ with the lowest final training
loss wins, and its test accuracy is reported. :func:`seed_spread` repeats a setting over
seeds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from .. import _validation as check
from ..optim import SGD, AdaDelta, AdaGrad, Adam, RMSProp
from ..runs import Run, minimize, settle_step
from ..tables import Table

__all__ = ["LR_GRID", "lineup", "settings_table", "Heat", "Race", "race",
           "single_threaded", "Tuning", "tune", "tuning_table", "seed_spread", "draw"]

#: Learning rates tried for every optimizer: 10⁻⁴ … 10² in half decades (13 values).
LR_GRID = 10.0 ** np.arange(-4.0, 2.01, 0.5)

Factory = Callable[[object], object]


def lineup() -> dict[str, Factory]:
    """The six optimizers of the race, each a function of the learning rate ρ.

    Fixed settings (the frameworks' usual values): momentum μ = 0.9; AdaGrad ε = 1e-10,
    r₀ = 0; RMSProp α = 0.9 (Hinton's value), ε = 1e-8; AdaDelta ρ_d = 0.9, ε = 1e-6, with
    ρ multiplying its step (1 is the paper's method); Adam β = (0.9, 0.999), ε = 1e-8.
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


def settings_table(optimizers: Mapping[str, Factory], lrs: Sequence[float] = LR_GRID) -> Table:
    """One row per optimizer: its class, its fixed hyperparameters, the ρ grid searched."""
    lrs = np.asarray(lrs, dtype=float)
    grid = f"{lrs.min():g} … {lrs.max():g} ({len(lrs)} values)"
    rows = []
    for name, make in optimizers.items():
        opt = make(1.0)
        rows.append([name, type(opt).__name__, _fixed(opt) or "—", grid])
    return Table(["optimizer", "class", "fixed hyperparameters", "ρ searched"], rows)


@dataclass(frozen=True)
class Heat:
    """One optimizer on one objective over the whole ρ grid.

    Attributes:
      objective: the objective's key in the race.
      optimizer: the optimizer's key in the lineup.
      lrs: ``(n,)`` the ρ grid.
      run: the batched :class:`~adaptive_lr.runs.Run` (batch ``(n,)``).
      scores: ``(n,)`` median loss gap over the last ``window`` steps; inf if diverged.
      settle: ``(n,)`` :func:`settle_step` at the race's tolerance.
    """

    objective: str
    optimizer: str
    lrs: np.ndarray
    run: Run
    scores: np.ndarray
    settle: np.ndarray

    @property
    def best(self) -> int:
        """Index of the winning ρ (the first of any ties, i.e. the smallest ρ)."""
        return int(np.argmin(self.scores))

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
    def n_diverged(self) -> int:
        return int(self.run.diverged.sum())

    @property
    def n_settled(self) -> int:
        """How many ρ of the grid settle within the tolerance: the width of the good range."""
        return int((self.settle >= 0).sum())


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

    def heat(self, objective: str, optimizer: str) -> Heat:
        return self.heats[objective, optimizer]

    def winner(self, objective: str) -> str:
        """The optimizer whose best run settles first (then: lowest score); ties go to the
        one listed first."""
        def key(name):
            h = self.heat(objective, name)
            return (h.best_settle < 0, h.best_settle if h.best_settle >= 0 else 0, h.best_score)
        return min(self.optimizers, key=key)

    def start_table(self) -> Table:
        """Where each objective's runs start, its minimizer and f_min."""
        rows = []
        for key, obj in self.objectives.items():
            minimizer = getattr(obj, "minimizer", None)
            rows.append([key, obj.name, _point(obj.start),
                         "—" if minimizer is None else _point(minimizer), obj.f_min])
        return Table(["key", "objective", "start", "minimizer", "f_min"], rows,
                     fmt="{:.4g}")

    def results_table(self, objective: str) -> Table:
        """Per optimizer: chosen ρ, its final gap and settle step; grid robustness."""
        rows = []
        for name in self.optimizers:
            h = self.heat(objective, name)
            final = float(h.run.final_loss[h.best] - self.objectives[objective].f_min)
            rows.append([name, f"{h.best_lr:.3g}", f"{max(final, 0.0):.2e}",
                         f"{h.best_score:.2e}",
                         h.best_settle if h.best_settle >= 0 else "—",
                         f"{h.n_settled}/{len(self.lrs)}", f"{h.n_diverged}/{len(self.lrs)}"])
        return Table(["optimizer", "best ρ", "final gap", "score", "settled at",
                      "ρ settling", "ρ diverging"], rows)

    def summary_table(self) -> Table:
        """One row per objective: each optimizer's settle step at its best ρ (— if none),
        and the winner."""
        rows = []
        for key in self.objectives:
            cells = []
            for name in self.optimizers:
                h = self.heat(key, name)
                cells.append(h.best_settle if h.best_settle >= 0 else f"— ({h.best_score:.0e})")
            rows.append([key] + cells + [self.winner(key)])
        return Table(["objective"] + list(self.optimizers) + ["winner"], rows)

    def robustness_table(self) -> Table:
        """Totals over all objectives: ρ values of the grid that settle, and that diverge."""
        n = len(self.lrs) * len(self.objectives)
        rows = []
        for name in self.optimizers:
            heats = [self.heat(key, name) for key in self.objectives]
            wins = sum(self.winner(key) == name for key in self.objectives)
            rows.append([name, f"{sum(h.n_settled for h in heats)}/{n}",
                         f"{sum(h.n_diverged for h in heats)}/{n}", wins])
        return Table(["optimizer", "ρ settling", "ρ diverging", "wins"], rows)


def _point(p) -> str:
    return "(" + ", ".join(f"{float(x):.4g}" for x in np.asarray(p)) + ")"


def race(objectives: Mapping[str, object], optimizers: Mapping[str, Factory], *,
         lrs: Sequence[float] = LR_GRID, steps: int = 300, tolerance: float = 1e-3,
         window: int = 10) -> Race:
    """Run every optimizer on every objective over the ρ grid; see the module docstring.

    Args:
      objectives: key → objective (e.g. :func:`adaptive_lr.objectives.gallery`).
      optimizers: key → factory of ρ (e.g. :func:`lineup`); called once with an ``(n, 1)``
        array of learning rates.
      lrs: the ρ grid, positive.
      steps: steps per run.
      tolerance: a run has *settled* once f − f_min stays ≤ ``tolerance``.
      window: the score is the median gap over the last ``window`` steps (robust to noise).
    """
    lrs = check.hyperparameter("lrs", lrs, low_open=True)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError("lrs must be a non-empty 1-D sequence of learning rates")
    steps = check.positive_int("steps", steps)
    window = check.positive_int("window", window)
    if window > steps:
        raise ValueError(f"window must be at most steps={steps}, got {window}")
    tolerance = float(check.hyperparameter("tolerance", tolerance, low_open=True))
    heats = {}
    for key, obj in objectives.items():
        theta0 = np.tile(obj.start, (len(lrs), 1))
        for name, make in optimizers.items():
            run = minimize(make(lrs[:, None]), obj, theta0, steps)
            gaps = run.losses - obj.f_min
            with np.errstate(invalid="ignore"):
                tail = np.where(np.isnan(gaps[-window:]), np.inf, gaps[-window:])
            scores = np.where(run.diverged, np.inf, np.median(np.maximum(tail, 0.0), axis=0))
            heats[key, name] = Heat(key, name, lrs, run, scores,
                                    settle_step(run.steps, gaps, tolerance))
    return Race(dict(objectives), dict(optimizers), lrs, steps, tolerance, window, heats)


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


# --------------------------------------------------------------------- real-data tasks


def single_threaded():
    """A context in which BLAS uses one thread.

    The tasks' matrices are small, so extra threads only contend (on a busy two-core
    machine a batched forward pass ran ten times slower with them), and one thread also
    fixes the summation order, so printed results do not depend on the machine's core count.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class Tuning:
    """An optimizer trained on a task at its default ρ and over a ρ grid.

    Attributes:
      name: the optimizer's key.
      lrs: ``(n,)`` the grid.
      training: the :class:`~adaptive_lr.runs.Training` of the grid (batch ``(n,)``), one
        vectorized call.
      default_lr: the default ρ.
      default: the :class:`~adaptive_lr.runs.Training` at the default ρ.
    """

    name: str
    lrs: np.ndarray
    training: object
    default_lr: float
    default: object

    @property
    def final_loss(self) -> np.ndarray:
        return self.training.epoch_train_loss[-1]

    @property
    def final_accuracy(self) -> np.ndarray:
        return self.training.epoch_test_accuracy[-1]

    @property
    def best(self) -> int:
        """Index of the ρ with the lowest final training loss (diverged runs excluded)."""
        loss = np.where(np.isfinite(self.final_loss), self.final_loss, np.inf)
        return int(np.argmin(loss))

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])

    def curves(self, which: str = "tuned") -> tuple[np.ndarray, np.ndarray]:
        """Per-epoch training loss and test accuracy of the tuned or the default run."""
        if which == "tuned":
            t = self.training
            return t.epoch_train_loss[:, self.best], t.epoch_test_accuracy[:, self.best]
        if which == "default":
            return self.default.epoch_train_loss, self.default.epoch_test_accuracy
        raise ValueError(f"which must be 'tuned' or 'default', got {which!r}")


def tune(name: str, make: Factory, task, *, default_lr: float, lrs: Sequence[float],
         epochs: int, batch_size: int = 32, seed: int = 0) -> Tuning:
    """Train ``make(ρ)`` on ``task`` at ``default_lr`` and, in one vectorized call, at every
    ρ of ``lrs``.

    All runs start from ``task.init(seed)`` and see the same minibatches (``seed``). The
    selection uses the training loss only; the test accuracy is reported, never tuned on.
    BLAS runs single-threaded (:func:`single_threaded`).
    """
    from ..runs import train

    lrs = check.hyperparameter("lrs", lrs, low_open=True)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError("lrs must be a non-empty 1-D sequence of learning rates")
    default_lr = float(check.hyperparameter("default_lr", default_lr, low_open=True))
    with single_threaded():
        params0 = task.init(seed, batch_shape=(len(lrs),))
        training = train(make(lrs[:, None]), task, params0, epochs=epochs,
                         batch_size=batch_size, seed=seed)
        default = train(make(default_lr), task, task.init(seed), epochs=epochs,
                        batch_size=batch_size, seed=seed)
    return Tuning(name, lrs, training, default_lr, default)


def tuning_table(tunings: Sequence[Tuning]) -> Table:
    """Default against tuned ρ per optimizer: final training loss and test accuracy."""
    rows = []
    for t in tunings:
        rows.append([t.name, f"{t.default_lr:g}", float(t.default.epoch_train_loss[-1]),
                     float(t.default.epoch_test_accuracy[-1]), f"{t.best_lr:.3g}",
                     float(t.final_loss[t.best]), float(t.final_accuracy[t.best]),
                     int((t.training.diverged_at >= 0).sum())])
    return Table(["optimizer", "default ρ", "loss", "test acc", "tuned ρ", "loss",
                  "test acc", "ρ diverging"], rows, fmt="{:.4f}")


def seed_spread(make: Factory, lr: float, task, *, seeds: Sequence[int], epochs: int,
                batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Final training loss and test accuracy of ``make(lr)`` for each seed (which sets both
    the initial parameters and the minibatch order); two arrays of shape ``(len(seeds),)``."""
    from ..runs import train

    losses, accuracies = [], []
    with single_threaded():
        for seed in seeds:
            seed = check.positive_int("seed", seed, minimum=0)
            t = train(make(lr), task, task.init(seed), epochs=epochs, batch_size=batch_size,
                      seed=seed)
            losses.append(float(t.epoch_train_loss[-1]))
            accuracies.append(float(t.epoch_test_accuracy[-1]))
    return np.array(losses), np.array(accuracies)
