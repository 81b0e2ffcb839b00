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
        """First recorded step whose loss is ≤ ``tolerance`` (per run); −1 if none is."""
        with np.errstate(invalid="ignore"):
            hit = self.losses <= tolerance
        first = self.steps[hit.argmax(axis=0)]
        return np.where(hit.any(axis=0), first, -1)


def minimize(opt, objective, theta0, steps: int, *, explode: float = 1e6,
             record_every: int = 1) -> Run:
    """Run ``opt`` on ``objective`` from ``theta0`` for ``steps`` steps; never raises on divergence.

    Args:
      opt: an optimizer from :mod:`adaptive_lr.optimizers`; array hyperparameters broadcast
        against ``theta0``, so a batch of runs is one call.
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
    record_every = check.positive_int("record_every", record_every)
    theta = check.float_array("theta0", theta0).copy()
    state = opt.init(theta)
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
            theta, state = opt.step(theta, objective.grad(theta, t - 1), state)
            loss = objective.value(theta, t)
            # NaN is absorbing in every optimizer here, so a run frozen once stays frozen
            if monitor.update(t, theta, loss).any():
                theta, loss = _freeze(theta, loss, monitor.diverged)
                if monitor.diverged.all():  # nothing left to run: the rest of the record is NaN
                    thetas[slot:], losses[slot:], lrs[slot - 1:] = np.nan, np.nan, np.nan
                    break
            if t == recorded[slot]:
                thetas[slot], losses[slot] = theta, loss
                lrs[slot - 1] = opt.effective_lr(state)
                slot += 1
    return Run(recorded, thetas, losses, lrs, monitor.diverged_at.copy(), monitor)


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
