"""AdaGrad: per-parameter rates from the sum of squared gradients."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _zeros, _flag

__all__ = ["AdaGrad", "AdaGradState"]


class AdaGradState(NamedTuple):
    count: int
    r: np.ndarray  # accumulated squared gradients, Σ g⊙g


class AdaGrad(Optimizer):
    r"""AdaGrad: each parameter's rate shrinks with the sum of its squared gradients.

    .. math::

        r_t = r_{t-1} + g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\rho_t}{\varepsilon + \sqrt{r_t}} \odot g_t \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    with :math:`\rho_t = \rho / (1 + (t-1)\,\text{lr\_decay})`, and
    :math:`\sqrt{r_t + \varepsilon}` in the denominator when ``eps_inside_sqrt=True``.

    where:
      - ρ (``lr``): global learning rate, default 0.01 (PyTorch).
      - ε (``eps``): keeps the denominator positive, default 1e-10 (PyTorch), outside the root.
      - r (``state.r``): the accumulator; r₀ = ``initial_accumulator_value`` (0, as in
        PyTorch and the paper; Keras and optax start at 0.1).
      - ``lr_decay``: PyTorch's extra 1/t-style decay of ρ, default 0 (off).
      - ``eps_inside_sqrt``: Keras/optax/TF form :math:`g/\sqrt{r + \varepsilon}`.

    Because r only grows, every coordinate's effective rate ρ/(ε + √r) never increases.

    References:
      Duchi, Hazan & Singer, *Adaptive subgradient methods for online learning and stochastic
      optimization*, JMLR 12, 2011. Goodfellow, Bengio & Courville, *Deep Learning*, Alg. 8.4.
    """

    name = "AdaGrad"
    state_type = AdaGradState
    symbols = {"ρ": "lr"}
    accumulates = True
    state_units = {"r": -2}

    def __init__(self, lr=0.01, eps=1e-10, initial_accumulator_value=0.0, lr_decay=0.0,
                 eps_inside_sqrt: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            eps=check.hyperparameter("eps", eps, low_open=True),
            initial_accumulator_value=check.hyperparameter(
                "initial_accumulator_value", initial_accumulator_value),
            lr_decay=check.hyperparameter("lr_decay", lr_decay))
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)

    def _options(self):
        return {"eps_inside_sqrt": True} if self.eps_inside_sqrt else {}

    def init(self, theta) -> AdaGradState:
        r0 = _zeros(theta)
        r0 += self.initial_accumulator_value.astype(r0.dtype)
        return AdaGradState(0, r0)

    def _rate(self, r, lr, eps, lr_decay, count):
        rho = lr / (1 + (count - 1) * lr_decay)
        return rho / (np.sqrt(r + eps) if self.eps_inside_sqrt else eps + np.sqrt(r))

    def step(self, theta, grad, state: AdaGradState):
        theta, g, h = self._arguments(theta, grad, state)
        t = state.count + 1
        # line 5: r ← r + g ⊙ g
        r = state.r + g * g
        # line 6: ΔΘ = −ρ / (ε + √r) ⊙ g
        delta = -self._rate(r, h["lr"], h["eps"], h["lr_decay"], t) * g
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdaGradState(t, r)

    def effective_lr(self, state: AdaGradState) -> np.ndarray:
        h = self._hyper_for(state.r)
        return self._rate(state.r, h["lr"], h["eps"], h["lr_decay"], max(state.count, 1))
