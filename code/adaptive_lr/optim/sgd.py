"""Gradient descent with one learning rate, optionally with (Nesterov) momentum."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _zeros

__all__ = ["SGD", "SGDState"]


class SGDState(NamedTuple):
    count: int
    momentum: np.ndarray | None  # b, the velocity; None without momentum


class SGD(Optimizer):
    r"""Gradient descent with one learning rate for every parameter, optionally with momentum.

    .. math::

        b_t = \mu\, b_{t-1} + g_t, \qquad
        d_t = \begin{cases} g_t + \mu\, b_t & \text{Nesterov} \\ b_t & \text{otherwise}\end{cases},
        \qquad \Theta_t = \Theta_{t-1} - \rho\, d_t

    where:
      - ρ (``lr``): the learning rate, the same for every parameter; required.
      - μ (``momentum``): velocity decay in [0, 1); 0 (default) is plain gradient descent.
      - ``nesterov``: Sutskever et al.'s look-ahead form; needs ``momentum > 0``.

    This is PyTorch's ``torch.optim.SGD`` (dampening 0). Its effective learning rate is ρ for
    every coordinate: this is the baseline the adaptive methods improve on.

    References:
      Polyak, *Some methods of speeding up the convergence of iteration methods*, 1964.
      Sutskever et al., *On the importance of initialization and momentum*, ICML 2013.
    """

    name = "SGD"
    state_type = SGDState
    symbols = {"ρ": "lr", "μ": "momentum"}
    update_units = -1
    state_units = {"momentum": -1}

    def __init__(self, lr, momentum=0.0, nesterov: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            momentum=check.hyperparameter("momentum", momentum, high=1.0))
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and np.any(self.momentum == 0):
            raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0")
        self.nesterov = nesterov

    def _options(self):
        return {"nesterov": self.nesterov} if self.nesterov else {}

    @property
    def label(self) -> str:
        if self.momentum.ndim == 0 and self.momentum == 0:
            return f"GD (ρ={float(self.lr):g})" if self.lr.ndim == 0 else "GD"
        return super().label

    def init(self, theta) -> SGDState:
        return SGDState(0, _zeros(theta) if np.any(self.momentum) else None)

    def step(self, theta, grad, state: SGDState):
        theta, g, h = self._arguments(theta, grad, state)
        direction, buffer = g, state.momentum
        if buffer is not None:
            # momentum: b ← μ b + g, and Nesterov looks ahead along it
            buffer = h["momentum"] * buffer + g
            direction = g + h["momentum"] * buffer if self.nesterov else buffer
        # line 6: ΔΘ = −ρ d ; line 7: Θ ← Θ + ΔΘ
        delta = -h["lr"] * direction
        return theta + delta, SGDState(state.count + 1, buffer)

    def effective_lr(self, state: SGDState) -> np.ndarray:
        """ρ itself (a scalar or the hyperparameter's shape), broadcastable against θ."""
        return self.lr
