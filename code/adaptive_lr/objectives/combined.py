"""Objectives built from others: several side by side, or one in other units."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import _validation as check

from .base import Objective


class ObjectiveStack(Objective):
    r"""Several two-parameter objectives run side by side in one batched call.

    ``theta`` has shape ``(k, ..., 2)``: entry ``i`` of the leading axis is evaluated by
    ``objectives[i]``. The value is each objective's gap to its minimum,
    :math:`f_i(\theta) - f_i^*`, so one tolerance means the same for every member (the
    objectives must know ``f_min``). With a learning-rate array of shape ``(n, 1)`` and
    ``theta0 = stack.start_batch(n)`` of shape ``(k, n, 2)``, :func:`~adaptive_lr.minimize`
    sweeps n rates on k objectives at once.
    """

    def __init__(self, objectives: Sequence[Objective]):
        objectives = list(objectives)
        if not objectives or not all(isinstance(o, Objective) and o.dim == 2
                                     for o in objectives):
            raise TypeError("objectives must be a non-empty sequence of 2-D Objectives")
        self.objectives = objectives
        self.name = " | ".join(o.name for o in objectives)
        self.minimizer = None
        self.f_min = 0.0
        self.start = np.stack([o.start for o in objectives])
        self.start.setflags(write=False)
        self.xlim, self.ylim = objectives[0].xlim, objectives[0].ylim

    def __len__(self) -> int:
        return len(self.objectives)

    def start_batch(self, n: int) -> np.ndarray:
        """Start points of shape ``(k, n, 2)``: n copies of each objective's start."""
        n = check.positive_int("n", n)
        return np.repeat(self.start[:, None, :], n, axis=1)

    def _check(self, theta):
        if theta.ndim < 2 or theta.shape[0] != len(self.objectives):
            raise ValueError(f"theta must have shape ({len(self.objectives)}, ..., 2), "
                             f"got {theta.shape}")

    def _value(self, theta, step):
        self._check(theta)
        return np.stack([o.value(th, step) - np.asarray(o.f_min, theta.dtype)
                         for o, th in zip(self.objectives, theta)])

    def _grad(self, theta, step):
        self._check(theta)
        return np.stack([o.grad(th, step) for o, th in zip(self.objectives, theta)])


class Rescaled(Objective):
    r"""The same objective with its parameters measured in a unit c times smaller.

    :math:`\tilde f(\Phi) = f(\Phi / c)`, so :math:`\Phi = c\,\Theta` describes the same point,
    :math:`\nabla \tilde f(\Phi) = \nabla f(\Phi/c)/c`, and start, minimizer and plot window
    are multiplied by c. An optimizer whose updates have the units of Θ follows
    :math:`\Phi_t = c\,\Theta_t`.
    """

    def __init__(self, objective: Objective, c: float):
        if not isinstance(objective, Objective):
            raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
        self.objective = objective
        self.c = float(check.hyperparameter("c", c, low_open=True))
        self.dim = objective.dim
        self.name = f"{objective.name} (units ×{self.c:g})"
        self.minimizer = None if objective.minimizer is None else objective.minimizer * self.c
        self.f_min = objective.f_min
        self.start = objective.start * self.c
        self.xlim = tuple(self.c * x for x in objective.xlim)
        self.ylim = tuple(self.c * y for y in objective.ylim)

    def _value(self, theta, step):
        return self.objective.value(theta / self.c, step)

    def _grad(self, theta, step):
        return self.objective.grad(theta / self.c, step) / self.c
