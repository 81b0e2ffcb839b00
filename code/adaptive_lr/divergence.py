"""Detecting runs that diverge, without raising.

A batch of runs shares one array of parameters; one bad hyperparameter must not stop the
others. :class:`DivergenceMonitor` records, per run, the first step at which it blew up and
why, so a runner can freeze that run and a widget can print the reason.
"""
from __future__ import annotations

import numpy as np

#: Default blow-up factor: a run whose |loss| exceeds ``EXPLODE · max(1, |loss₀|)`` diverged.
EXPLODE = 1e6


class DivergenceMonitor:
    """Track which runs of a batch have diverged.

    A run diverges at the first step where a parameter or its loss is not finite, or where the
    absolute loss exceeds ``explode`` times ``max(1, |loss at step 0|)``.

    Args:
      initial_loss: loss of every run at step 0, shape = batch shape.
      explode: blow-up factor (default :data:`EXPLODE`).

    Both runners (:func:`~adaptive_lr.runs.minimize` and :func:`~adaptive_lr.runs.train`)
    freeze a diverged run the same way, with :meth:`freeze`.
    """

    def __init__(self, initial_loss, explode: float = EXPLODE):
        initial_loss = np.asarray(initial_loss, dtype=np.float64)
        if not explode > 1:
            raise ValueError(f"explode must be > 1, got {explode!r}")
        with np.errstate(over="ignore"):  # a huge (or infinite) initial loss: limit = inf,
            self.limit = explode * np.maximum(1.0, np.abs(np.nan_to_num(initial_loss)))
        # capped at the largest float, so that an infinite loss still fails |loss| ≤ limit
        self.limit = np.minimum(self.limit, np.finfo(np.float64).max)
        self.diverged_at = np.full(initial_loss.shape, -1, dtype=np.int64)
        self.reasons = np.full(initial_loss.shape, "", dtype=object)
        self.any_diverged = False  # a plain bool, so runners skip the mask on healthy steps
        self.update(0, None, initial_loss)

    @property
    def diverged(self) -> np.ndarray:
        """Boolean mask over the batch: True where the run has diverged."""
        return self.diverged_at >= 0

    def update(self, step: int, theta, loss) -> np.ndarray:
        """Check the runs after ``step``; return the mask of runs that diverged just now.

        ``theta`` has shape ``batch + param_shape`` (or is None), ``loss`` the batch shape.
        """
        loss = np.asarray(loss, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            healthy = (np.abs(loss) <= self.limit).all()  # False for NaN and ±inf
        if healthy and (theta is None or np.isfinite(np.sum(theta))):
            return np.zeros(loss.shape, dtype=bool)  # the usual case, in a few numpy calls
        checks = []
        if theta is not None:
            theta = np.asarray(theta)
            extra = tuple(range(loss.ndim, theta.ndim))
            checks.append((~np.all(np.isfinite(theta), axis=extra), "non-finite parameters"))
        checks.append((~np.isfinite(loss), "non-finite loss"))
        with np.errstate(invalid="ignore"):
            checks.append((np.abs(loss) > self.limit, "|loss| exploded above "))
        alive = ~self.diverged
        if not any((bad & alive).any() for bad, _ in checks):
            return np.zeros(loss.shape, dtype=bool)  # only runs that diverged before are bad
        new = np.zeros(loss.shape, dtype=bool)
        for bad, reason in checks:
            hit = bad & alive & ~new
            if np.any(hit):
                self.diverged_at[hit] = step
                if reason.endswith(" "):
                    self.reasons[hit] = [f"{reason}{lim:.3g}" for lim in self.limit[hit]]
                else:
                    self.reasons[hit] = reason
                new |= hit
        self.any_diverged = self.any_diverged or bool(new.any())
        return new

    def freeze(self, params, loss):
        """``params`` (batch + one parameter axis) and ``loss`` with every diverged run set to
        NaN: it stops drawing, cannot overflow again, and stays frozen, since NaN is absorbing
        in every optimizer of the package."""
        params = np.where(self.diverged[..., None], np.nan, params)
        loss = np.where(self.diverged, np.nan, loss)
        return params, loss

    def message(self, index=()) -> str:
        """Human-readable status of one run, e.g. ``'diverged at step 12: non-finite loss'``."""
        step = int(self.diverged_at[index])
        if step < 0:
            return "no divergence detected"
        return f"diverged at step {step}: {self.reasons[index]}"
