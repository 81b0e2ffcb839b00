"""Gradient descent with one learning rate, optionally with (Nesterov) momentum."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _flag

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
      - ``name``: display name for legends, labels and ``repr`` (default ``"SGD"``; the
        label says "GD" for plain gradient descent).

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
    buffer_options = {"momentum": "momentum > 0"}

    def __init__(self, lr, momentum=0.0, nesterov: bool = False, *, name: str | None = None):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            momentum=check.hyperparameter("momentum", momentum, high=1.0))
        self.nesterov = _flag("nesterov", nesterov)
        if nesterov and np.any(self.momentum == 0):
            raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0")
        self._set_name(name)

    def _options(self):
        return {"nesterov": self.nesterov} if self.nesterov else {}

    def _state_fields(self):
        return ("momentum",) if np.any(self.momentum) else ()

    @property
    def legend_name(self) -> str:
        """"GD" for plain gradient descent under the default name, as the text calls it."""
        plain = self.momentum.ndim == 0 and self.momentum == 0
        return "GD" if plain and self.name == SGD.name else self.name

    @property
    def label(self) -> str:
        if self.momentum.ndim == 0 and self.momentum == 0:
            name = self.legend_name
            return f"{name} (ρ={float(self.lr):g})" if self.lr.ndim == 0 else name
        return super().label

    def step(self, theta, grad, state: SGDState):
        theta, g, h = self._arguments(theta, grad, state)
        direction, buffer = g, state.momentum
        if buffer is not None:
            # momentum: b ← μ b + g, and Nesterov looks ahead along it
            buffer = h["momentum"] * buffer + g
            direction = g + h["momentum"] * buffer if self.nesterov else buffer
        # line 6: ΔΘ = −ρ d ; line 7: Θ ← Θ + ΔΘ
        delta = -h["lr"] * direction
        return theta + delta, SGDState(int(state.count) + 1, buffer)

    def effective_lr(self, state: SGDState) -> np.ndarray:
        """ρ, a new array: cast to the state's dtype and spread to θ's shape like ``step``'s
        when the state holds a buffer (momentum), else the float64 hyperparameter."""
        if state.momentum is None:
            self._check_state(state)
            return self.lr.copy()
        return self._state_hyper(state)["lr"].copy()
