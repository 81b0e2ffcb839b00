r"""Closed forms and small experiments behind the AdaGrad chapter.

Closed forms of AdaGrad's update (PyTorch's form: :math:`\varepsilon` outside the root,
:math:`r_0` = ``initial_accumulator_value``, no ``lr_decay``):

* :func:`first_step` -- :math:`\Delta\Theta_1 = -\rho\, g / (\varepsilon + \sqrt{r_0 + g^2})`,
  about :math:`-\rho\,\mathrm{sign}(g)` when :math:`r_0 = 0`, whatever the scale of g;
* :func:`constant_gradient_rate` -- the effective rate after t steps of a constant gradient,
  :math:`\rho / (\varepsilon + \sqrt{r_0 + t g^2})`, which falls like :math:`1/\sqrt t`;
* :func:`travel_bound` and :func:`min_steps_to_travel` -- how far a coordinate can move in t
  steps when its gradient's size never grows, :math:`\rho \sum_{s \le t} s^{-1/2} < 2\rho\sqrt t`:
  the reason AdaGrad stalls.

Experiments: :func:`best_rate` tunes the learning rate of any optimizer on an objective (one
batched run over a grid of rates); :func:`errors_by_epoch` follows a
:class:`~adaptive_lr.data.SparseLogisticTask`'s weight errors epoch by epoch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import _validation as check
from ..runs import Run, minimize

__all__ = ["first_step", "constant_gradient_rate", "travel_bound", "min_steps_to_travel",
           "BestRate", "best_rate", "errors_by_epoch"]


def first_step(grad, lr=0.01, eps=1e-10, initial_accumulator_value=0.0) -> np.ndarray:
    r"""AdaGrad's first update :math:`\Delta\Theta_1 = -\rho\,g/(\varepsilon + \sqrt{r_0 + g\odot g})`.

    Vectorized over ``grad`` and the hyperparameters. With :math:`r_0 = 0` and
    :math:`|g| \gg \varepsilon` it is :math:`-\rho\,\mathrm{sign}(g)`: the first step has size
    :math:`\rho` whatever the gradient's scale.
    """
    g = check.float_array("grad", np.asarray(grad, dtype=float))
    lr = check.hyperparameter("lr", lr)
    eps = check.hyperparameter("eps", eps, low_open=True)
    r0 = check.hyperparameter("initial_accumulator_value", initial_accumulator_value)
    return -lr * g / (eps + np.sqrt(r0 + g * g))


def constant_gradient_rate(grad, steps, lr=0.01, eps=1e-10,
                           initial_accumulator_value=0.0) -> np.ndarray:
    r"""The effective rate :math:`\rho/(\varepsilon + \sqrt{r_0 + t\,g^2})` after ``steps``
    steps of the same gradient ``grad``; vectorized over all arguments.

    For :math:`r_0 = 0` it equals :math:`\rho/(|g|\sqrt t)` up to ε: the rate falls like
    :math:`1/\sqrt t` and :math:`\text{rate}\cdot\sqrt t = \rho/|g|` stays constant.
    """
    g = np.asarray(grad, dtype=float)
    t = np.asarray(steps)
    if t.dtype.kind not in "iu" or np.any(t < 1):
        raise ValueError(f"steps must be integers ≥ 1, got {steps!r}")
    lr = check.hyperparameter("lr", lr)
    eps = check.hyperparameter("eps", eps, low_open=True)
    r0 = check.hyperparameter("initial_accumulator_value", initial_accumulator_value)
    return lr / (eps + np.sqrt(r0 + t * g * g))


#: Largest step count the exact sums below handle (an 80 MB cumulative sum).
MAX_STEPS = 10_000_000


def _half_harmonic(t_max: int) -> np.ndarray:
    """:math:`S(t) = \\sum_{s=1}^{t} s^{-1/2}` for t = 0, 1, ..., ``t_max``."""
    if t_max > MAX_STEPS:
        raise ValueError(f"step counts above {MAX_STEPS:_} are not supported, got {t_max:_}")
    return np.concatenate([[0.0], np.cumsum(1 / np.sqrt(np.arange(1, t_max + 1)))])


def travel_bound(steps, lr) -> np.ndarray:
    r"""Upper bound :math:`\rho \sum_{s=1}^{t} s^{-1/2}` on the distance one coordinate moves.

    Holds for AdaGrad with :math:`r_0 = 0` (any ε ≥ 0) on a coordinate whose gradient's size
    never grows, :math:`|g_1| \ge |g_2| \ge \dots`: then :math:`r_s \ge s\,g_s^2`, so every
    step has :math:`|\Delta\Theta_s| \le \rho/\sqrt s`. The sum lies between
    :math:`2\sqrt{t+1} - 2` and :math:`2\sqrt t - 1`, so the bound grows only like
    :math:`2\rho\sqrt t`. ``steps`` (integers ≥ 0) and ``lr`` broadcast together.
    """
    t = np.asarray(steps)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"steps must be integers ≥ 0, got {steps!r}")
    lr = check.hyperparameter("lr", lr)
    return lr * _half_harmonic(int(t.max()) if t.size else 0)[t]


def min_steps_to_travel(distance, lr) -> np.ndarray:
    r"""The fewest steps t with :func:`travel_bound` ``(t, lr) ≥ distance``.

    A coordinate that starts ``distance`` from its minimum, with a gradient whose size never
    grows, needs at least this many steps to get there: about :math:`(\text{distance}/2\rho)^2`.
    Vectorized over ``distance`` and ``lr``; returns int64.
    """
    need = check.hyperparameter("distance", distance) / check.hyperparameter("lr", lr,
                                                                              low_open=True)
    # S(t) ≥ 2√(t+1) − 2, so S reaches `need` by t = ((need + 2)/2)² − 1 at the latest
    t_max = int(np.ceil(((float(need.max()) + 2) / 2) ** 2))
    sums = _half_harmonic(t_max)
    return np.searchsorted(sums, need, side="left").astype(np.int64)


@dataclass(frozen=True)
class BestRate:
    """The result of :func:`best_rate`.

    Attributes:
      rate: the learning rate with the lowest final loss.
      final_loss: that run's final loss.
      rates: every rate tried, shape ``(n,)``.
      final_losses: their final losses, NaN for runs that diverged.
      run: the batched :class:`~adaptive_lr.runs.Run` of all rates (batch axis = rates).
      index: position of ``rate`` in ``rates``.
    """

    rate: float
    final_loss: float
    rates: np.ndarray
    final_losses: np.ndarray
    run: Run
    index: int


def best_rate(make_optimizer: Callable[[np.ndarray], object], objective, rates: Sequence[float],
              steps: int, start=None) -> BestRate:
    """Tune the learning rate: run ``make_optimizer(rate)`` for every rate, keep the best.

    All rates run as one batch (``make_optimizer`` receives the rates as an ``(n, 1)``
    array). The best rate is the one with the lowest final loss; diverged runs never win.
    Ties go to the smallest rate.
    """
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError("rates must be a non-empty 1-D sequence")
    start = objective.start if start is None else np.asarray(start, dtype=float)
    run = minimize(make_optimizer(rates[:, None]), objective, np.tile(start, (rates.size, 1)),
                   steps)
    final = np.asarray(run.final_loss, dtype=float)
    if not np.isfinite(final).any():
        raise ValueError("every run diverged; try smaller rates")
    i = int(np.argmin(np.where(np.isfinite(final), final, np.inf)))
    return BestRate(float(rates[i]), float(final[i]), rates, final, run, i)


def errors_by_epoch(opt, task, params0, epochs: int, *, which: Sequence[str] = ("rare", "common"),
                    batch_size: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """A sparse task's :meth:`weight_error` after 0, 1, ..., ``epochs`` epochs of training.

    Returns ``{which: array of shape (epochs + 1, *batch)}``. :func:`~adaptive_lr.runs.train`
    draws its minibatch order from ``seed`` epoch by epoch, so training for ``e`` epochs
    reproduces the first ``e`` epochs of a longer run exactly; this function trains once per
    epoch count (cost grows like ``epochs²``: meant for short runs).
    """
    from ..runs import train

    epochs = check.positive_int("epochs", epochs)
    errors = {w: [task.weight_error(params0, which=w)] for w in which}
    for e in range(1, epochs + 1):
        params = train(opt, task, params0, epochs=e, batch_size=batch_size, seed=seed).params
        for w in which:
            errors[w].append(task.weight_error(params, which=w))
    return {w: np.asarray(v) for w, v in errors.items()}
