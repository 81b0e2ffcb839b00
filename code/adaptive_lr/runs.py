"""Running optimizers on objectives: trajectories, losses, effective rates, divergence.

:func:`minimize` runs one optimizer (or a whole batch of them, when ``theta0`` has a leading
batch axis and the hyperparameters are arrays) and records everything a chapter plots.
:func:`hyper_grid` builds the arrays for a vectorized hyperparameter sweep.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validation as check
from .divergence import DivergenceMonitor


@dataclass(frozen=True)
class Run:
    """The record of :func:`minimize`. ``B`` is the batch shape, ``d`` the parameter shape.

    Attributes:
      thetas: ``(steps + 1, *B, *d)`` parameters, starting with ``theta0``; NaN after divergence.
      losses: ``(steps + 1, *B)`` objective values; NaN after divergence.
      lrs: ``(steps, *B, *d)`` effective per-coordinate learning rate of each step.
      diverged_at: ``B`` step at which each run diverged, −1 if it did not.
      monitor: the :class:`~adaptive_lr.divergence.DivergenceMonitor` with the reasons.
    """

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
        """First step whose loss is ≤ ``tolerance`` (per run); −1 where it never gets there."""
        with np.errstate(invalid="ignore"):
            hit = self.losses <= tolerance
        return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def minimize(opt, objective, theta0, steps: int, *, explode: float = 1e6) -> Run:
    """Run ``opt`` on ``objective`` from ``theta0`` for ``steps`` steps; never raises on divergence.

    Args:
      opt: an optimizer from :mod:`adaptive_lr.optimizers`; array hyperparameters broadcast
        against ``theta0``, so a batch of runs is one call.
      objective: anything with ``value(theta, step)`` and ``grad(theta, step)`` vectorized over
        leading axes (see :mod:`adaptive_lr.objectives`).
      theta0: float array ``(*B, d)``: ``(2,)`` for one run, ``(n, 2)`` for ``n`` runs.
      steps: number of optimizer steps (≥ 1).
      explode: a run whose loss exceeds ``explode · max(1, |loss₀|)`` counts as diverged.

    A run that diverges (non-finite parameters or loss, or an exploding loss) is frozen: its
    record is NaN from that step on, the other runs carry on, and ``Run.message`` says when
    and why it stopped.
    """
    steps = check.positive_int("steps", steps)
    theta = check.float_array("theta0", theta0).copy()
    state = opt.init(theta)
    batch = theta.shape[:-1]
    thetas = np.empty((steps + 1,) + theta.shape, theta.dtype)
    losses = np.empty((steps + 1,) + batch, theta.dtype)
    lrs = np.empty((steps,) + theta.shape, theta.dtype)
    thetas[0] = theta
    losses[0] = objective.value(theta, 0)
    monitor = DivergenceMonitor(losses[0], explode)
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta, state = opt.step(theta, objective.grad(theta, t), state)
            loss = objective.value(theta, t + 1)
            lrs[t] = opt.effective_lr(state)
            if monitor.update(t + 1, theta, loss).any() or monitor.diverged.any():
                theta, loss = _freeze(theta, loss, monitor.diverged)
            thetas[t + 1] = theta
            losses[t + 1] = loss
    return Run(thetas, losses, lrs, monitor.diverged_at.copy(), monitor)


def _freeze(theta, loss, diverged):
    """NaN out diverged runs so they stop drawing and cannot overflow again."""
    theta = np.where(diverged[..., None], np.nan, theta)
    loss = np.where(diverged, np.nan, loss)
    return theta, loss


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
        value = np.asarray(value, dtype=np.float64)
        if value.ndim != 1 or value.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D sequence of values")
        values[name] = value
    mesh = np.meshgrid(*values.values(), indexing="ij")
    shape = mesh[0].shape
    return {k: m.reshape(-1, 1) for k, m in zip(values, mesh)}, shape
