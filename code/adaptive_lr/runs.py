"""Running optimizers: on objectives, on minibatches of data, and over hyperparameter grids.

:func:`minimize` runs one optimizer (or a whole batch of them, when ``theta0`` has a leading
batch axis and the hyperparameters are arrays) on an objective and records everything a
chapter plots. :func:`train` is its minibatch counterpart on a real-data
:class:`~adaptive_lr.data.Task`. Both detect divergence with one
:class:`~adaptive_lr.divergence.DivergenceMonitor` and freeze a diverged run the same way
(:meth:`~adaptive_lr.divergence.DivergenceMonitor.freeze`). :func:`hyper_grid` builds the
arrays for a vectorized hyperparameter sweep.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validation as check
from .data import Task
from .divergence import EXPLODE, DivergenceMonitor
from .schedules import optimizer_at

__all__ = ["Run", "minimize", "Training", "train", "hyper_grid", "steps_to", "settle_step",
           "fastest"]


@dataclass(frozen=True)
class Run:
    """The record of :func:`minimize`. ``B`` is the batch shape, ``d`` the parameter shape.

    Attributes:
      steps: ``(K,)`` the step numbers recorded: 0, k, 2k, ... and the last step
        (every step when ``record_every=1``, the default).
      thetas: ``(K, *B, *d)`` parameters at those steps; NaN after divergence.
      losses: ``(K, *B)`` objective values at those steps; NaN after divergence.
      lrs: ``(K - 1, *B, *d)`` effective per-coordinate learning rate of the recorded steps
        after step 0 (the rate the step that produced ``thetas[i + 1]`` applied).
      diverged_at: ``B`` step at which each run diverged, −1 if it did not.
      monitor: the :class:`~adaptive_lr.divergence.DivergenceMonitor` with the reasons.
    """

    steps: np.ndarray
    thetas: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    diverged_at: np.ndarray
    monitor: DivergenceMonitor

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def final_theta(self) -> np.ndarray:
        return self.thetas[-1]

    @property
    def final_loss(self) -> np.ndarray:
        return self.losses[-1]

    def message(self, index=()) -> str:
        """Status of one run of the batch, e.g. ``'diverged at step 7: non-finite loss'``."""
        return self.monitor.message(index)

    def steps_to(self, tolerance: float) -> np.ndarray:
        """First recorded step whose loss is ≤ ``tolerance`` (per run); −1 if none is.

        A visit, not convergence: see :meth:`settle_step`."""
        return steps_to(self.steps, self.losses, tolerance)

    def settle_step(self, tolerance: float) -> np.ndarray:
        """First recorded step from which the loss stays ≤ ``tolerance`` to the end of the
        run (per run); −1 if the last recorded loss is above it or NaN (diverged).

        This is what the book calls converged: a run that dips below the tolerance and is
        thrown out again (RMSProp near a minimum, a moving minimum, noise) does not count
        until it stays."""
        return settle_step(self.steps, self.losses, tolerance)


def minimize(opt, objective, theta0, steps: int, *, explode: float = EXPLODE,
             record_every: int = 1) -> Run:
    """Run ``opt`` on ``objective`` from ``theta0`` for ``steps`` steps; never raises on divergence.

    Args:
      opt: an optimizer from :mod:`adaptive_lr.optim`; array hyperparameters broadcast
        against ``theta0``, so a batch of runs is one call. Or a schedule: one optimizer per
        step sharing one state (:func:`adaptive_lr.schedules.scheduled`).
      objective: anything with ``value(theta, step)`` and ``grad(theta, step)`` vectorized over
        leading axes (see :mod:`adaptive_lr.objectives`).
      theta0: float array ``(*B, d)``: ``(2,)`` for one run, ``(n, 2)`` for ``n`` runs.
      steps: number of optimizer steps (≥ 1).
      explode: a run whose |loss| exceeds ``explode · max(1, |loss₀|)`` counts as diverged.
      record_every: keep every k-th step (and the last); large sweeps that only need the end
        of each run save memory and time with a large value. Divergence is checked every step.

    A run that diverges (non-finite or exploding loss) is frozen: its record is NaN from that
    step on, the other runs carry on, and ``Run.message`` says when and why it stopped.
    """
    steps = check.positive_int("steps", steps)
    step_optimizer = optimizer_at(opt, steps)
    _check_optimizer(step_optimizer(0))
    if not (callable(getattr(objective, "value", None))
            and callable(getattr(objective, "grad", None))):
        raise TypeError(f"objective must have value(theta, step) and grad(theta, step) methods "
                        f"(an adaptive_lr.objectives.Objective), got {type(objective).__name__}")
    record_every = check.positive_int("record_every", record_every)
    theta = check.float_array("theta0", theta0).copy()
    if theta.ndim == 0:
        raise ValueError("theta0 must have at least one axis, the parameters: shape (*B, d)")
    state = step_optimizer(0).init(theta)
    recorded = np.unique(np.r_[np.arange(0, steps + 1, record_every), steps])
    thetas = np.empty((len(recorded),) + theta.shape, theta.dtype)
    losses = np.empty((len(recorded),) + theta.shape[:-1], theta.dtype)
    lrs = np.empty((len(recorded) - 1,) + theta.shape, theta.dtype)
    thetas[0] = theta
    losses[0] = objective.value(theta, 0)
    monitor = DivergenceMonitor(losses[0], explode)
    slot = 1
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            opt_t = step_optimizer(t - 1)
            theta, state = opt_t.step(theta, objective.grad(theta, t - 1), state)
            loss = objective.value(theta, t)
            # NaN is absorbing in every optimizer here, so a run frozen once stays frozen
            if monitor.update(t, theta, loss).any():
                theta, loss = monitor.freeze(theta, loss)
                if monitor.diverged.all():  # nothing left to run: the rest of the record is NaN
                    thetas[slot:], losses[slot:], lrs[slot - 1:] = np.nan, np.nan, np.nan
                    break
            if t == recorded[slot]:
                thetas[slot], losses[slot] = theta, loss
                lrs[slot - 1] = opt_t.effective_lr(state)
                if monitor.any_diverged:
                    lrs[slot - 1][monitor.diverged] = np.nan
                slot += 1
    return Run(recorded, thetas, losses, lrs, monitor.diverged_at.copy(), monitor)



def _check_optimizer(opt, *, rates: bool = True) -> None:
    """TypeError unless ``opt`` is an optimizer instance (``init``, ``step`` and, for
    :func:`minimize`, ``effective_lr``)."""
    if isinstance(opt, type):
        raise TypeError(f"opt must be an optimizer instance, e.g. {opt.__name__}(), "
                        f"not the class {opt.__name__}")
    methods = ("init", "step", "effective_lr") if rates else ("init", "step")
    if not all(callable(getattr(opt, m, None)) for m in methods):
        raise TypeError(f"opt must be an optimizer (with {', '.join(methods)} methods), "
                        f"got {type(opt).__name__}")


def hyper_grid(**axes) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    """Every combination of the given hyperparameter values, shaped for one batched run.

    ``hyper_grid(lr=[0.1, 0.01], alpha=[0.9, 0.99, 0.999])`` returns
    ``({'lr': (6, 1) array, 'alpha': (6, 1) array}, (2, 3))``: pass the arrays to an optimizer,
    tile ``theta0`` to ``(6, d)``, and reshape any per-run result with the grid shape.
    """
    if not axes:
        raise ValueError("hyper_grid needs at least one hyperparameter axis")
    values = {}
    for name, value in axes.items():
        value = check.hyperparameter(name, value, low=-np.inf)  # real, finite, no bools
        if value.ndim != 1 or value.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D sequence of values")
        values[name] = value
    mesh = np.meshgrid(*values.values(), indexing="ij")
    shape = mesh[0].shape
    return {k: m.reshape(-1, 1) for k, m in zip(values, mesh)}, shape


@dataclass(eq=False)
class Training:
    """Result of :func:`train`; every array ends with the batch axes of ``params0``.

    Attributes:
      step_losses: ``(steps, *batch)`` loss of each minibatch before its update; NaN once a
        run has diverged.
      epoch_train_loss: ``(epochs + 1, *batch)`` full training loss at the start and after
        each epoch.
      epoch_test_accuracy: ``(epochs + 1, *batch)`` test accuracy at the same moments.
      params: final parameters ``(*batch, P)``; NaN for a run that diverged.
      diverged_at: ``(*batch)`` number of updates after which the run was found diverged,
        −1 if it never was.
      monitor: the :class:`~adaptive_lr.divergence.DivergenceMonitor` holding the reasons.
    """

    step_losses: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_test_accuracy: np.ndarray
    params: np.ndarray
    diverged_at: np.ndarray
    monitor: DivergenceMonitor = field(repr=False)

    def message(self, index=()) -> str:
        """Status of one run, e.g. ``'diverged at step 12: non-finite loss'``."""
        return self.monitor.message(index)


def train(opt, task: Task, params0, *, epochs: int = 10, batch_size: int = 32, seed: int = 0,
          explode: float = EXPLODE) -> Training:
    """Minibatch training of every run in ``params0`` (shape ``(*batch, P)``) with ``opt``
    (an optimizer, or a schedule of one per update as in :func:`minimize`).

    Each epoch visits the training set once in the order of a permutation drawn from
    ``np.random.default_rng(seed)``, in minibatches of ``batch_size`` (the last may be
    smaller); all runs see the same minibatches. Step t means "after t updates": the
    :class:`DivergenceMonitor` checks the parameters and the minibatch loss at every step
    and the full training loss after each epoch. A run that diverges is frozen as in
    :func:`minimize`: its parameters, later losses and accuracies are NaN, while the others
    continue. Floating-point warnings are silenced: divergence is data, not an error.
    """
    if not isinstance(task, Task):
        raise TypeError(f"task must be a Task (e.g. digits_softmax()), got {type(task).__name__}")
    params = task._params("params0", params0)
    epochs = check.positive_int("epochs", epochs)
    n = task.X_train.shape[0]
    batch_size = check.positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must lie in [1, {n}] (the training set size), "
                         f"got {batch_size}")
    seed = check.positive_int("seed", seed, minimum=0)

    batch = params.shape[:-1]
    steps_per_epoch = -(-n // batch_size)
    step_optimizer = optimizer_at(opt, epochs * steps_per_epoch)
    _check_optimizer(step_optimizer(0), rates=False)
    step_losses = np.full((epochs * steps_per_epoch,) + batch, np.nan)
    train_loss = np.full((epochs + 1,) + batch, np.nan)
    test_accuracy = np.full((epochs + 1,) + batch, np.nan)
    rng = np.random.default_rng(seed)

    def evaluate(epoch, params, loss):
        alive = ~monitor.diverged
        train_loss[epoch] = np.where(alive, loss, np.nan)
        test_accuracy[epoch] = np.where(alive, task.accuracy(params, task.X_test, task.y_test),
                                        np.nan)

    with np.errstate(all="ignore"):
        loss = task.loss(params, task.X_train, task.y_train)
        monitor = DivergenceMonitor(loss, explode)
        evaluate(0, params, loss)
        state = step_optimizer(0).init(params)
        step = 0
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                loss, grad = task.loss_and_grad(params, task.X_train[rows], task.y_train[rows])
                if monitor.update(step, params, loss).any():
                    params, loss = monitor.freeze(params, loss)
                step_losses[step] = loss
                params, state = step_optimizer(step).step(params, grad, state)
                step += 1
            loss = task.loss(params, task.X_train, task.y_train)
            if monitor.update(step, params, loss).any():
                params, loss = monitor.freeze(params, loss)
            evaluate(epoch, params, loss)

    return Training(step_losses, train_loss, test_accuracy, params,
                    monitor.diverged_at.copy(), monitor)


# --------------------------------------------------------------- reading a record


_SIDES = ("below", "above")


def _inside(values, level, side: str) -> np.ndarray:
    """``values ≤ level`` (side "below") or ``values ≥ level`` ("above"); NaN is never inside."""
    if side not in _SIDES:
        raise ValueError(f"side must be 'below' or 'above', got {side!r}")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0 or values.shape[0] == 0:
        raise ValueError(f"values must have shape (K, ...) with K ≥ 1, got {values.shape}")
    with np.errstate(invalid="ignore"):
        return values <= level if side == "below" else values >= level


def _recorded(steps, inside: np.ndarray) -> np.ndarray:
    steps = np.asarray(steps)
    if steps.shape != inside.shape[:1]:
        raise ValueError(f"steps must have shape ({inside.shape[0]},), one per row of values, "
                         f"got {steps.shape}")
    return steps


def steps_to(steps, values, level: float, *, side: str = "below") -> np.ndarray:
    """First of ``steps`` at which ``values`` (shape ``(K, *B)``) reach ``level``: ≤ it
    (``side="below"``, e.g. a loss) or ≥ it (``"above"``, e.g. a step size); −1 where
    they never do. Shape ``B``."""
    inside = _inside(values, level, side)
    steps = _recorded(steps, inside)
    return np.where(inside.any(axis=0), steps[inside.argmax(axis=0)], -1)


def settle_step(steps, values, level: float, *, side: str = "below") -> np.ndarray:
    """First of ``steps`` from which ``values`` (shape ``(K, *B)``) stay on ``side`` of
    ``level`` to the end of the record; −1 where the last value is not (NaN never is).

    Unlike :func:`steps_to`, a visit that is left again does not count.
    """
    inside = _inside(values, level, side)
    steps = _recorded(steps, inside)
    outside = ~inside
    k = outside.shape[0]
    # index just after the last value outside, per run (0 if every value is inside)
    first_inside = np.where(outside.any(axis=0), k - np.argmax(outside[::-1], axis=0), 0)
    return np.where(first_inside < k, steps[np.minimum(first_inside, k - 1)], -1)


def fastest(steps_to, values) -> tuple[np.ndarray, np.ndarray]:
    """The fewest steps along the last axis of a sweep, and the swept value that gave them.

    ``steps_to`` is :meth:`Run.steps_to` or :meth:`Run.settle_step` reshaped to ``(..., n)``
    (−1 = never); ``values`` the n swept values. The result is ``(steps, value)`` of shape
    ``(...)``, with steps −1 and value NaN where no entry reached the tolerance. Ties go to
    the first (smallest) value.
    """
    s = np.asarray(steps_to)
    v = np.broadcast_to(np.asarray(values, dtype=float).reshape(-1), s.shape)
    reached = s >= 0
    best = np.where(reached, s, s.max(initial=0) + 1).argmin(axis=-1)[..., None]
    steps = np.take_along_axis(s, best, -1)[..., 0]
    value = np.take_along_axis(v, best, -1)[..., 0]
    any_reached = reached.any(axis=-1)
    return np.where(any_reached, steps, -1), np.where(any_reached, value, np.nan)
