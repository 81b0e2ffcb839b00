"""AdaGrad: per-parameter rates from the sum of squared gradients."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _flag

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
      - r (``state.r``): the accumulator; r₀ = ``initial_accumulator_value`` ≥ 0, a scalar or
        an array broadcasting against θ (0, as in PyTorch and the paper; Keras and optax
        start at 0.1).
      - ``lr_decay``: PyTorch's extra 1/t-style decay of ρ, default 0 (off); ρ_t is computed
        in float64, as PyTorch does.
      - ``eps_inside_sqrt``: Keras/optax/TF form :math:`g/\sqrt{r + \varepsilon}`.
      - ``name``: display name for legends, labels and ``repr`` (default ``"AdaGrad"``).

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
    doubles = ("lr", "lr_decay")

    def __init__(self, lr=0.01, eps=1e-10, initial_accumulator_value=0.0, lr_decay=0.0,
                 eps_inside_sqrt: bool = False, *, name: str | None = None):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            eps=check.hyperparameter("eps", eps, low_open=True),
            initial_accumulator_value=check.hyperparameter(
                "initial_accumulator_value", initial_accumulator_value),
            lr_decay=check.hyperparameter("lr_decay", lr_decay))
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)
        self._set_name(name)

    def _options(self):
        return {"eps_inside_sqrt": True} if self.eps_inside_sqrt else {}

    def _initial_values(self, h):
        return {"r": h["initial_accumulator_value"]}

    def _lr(self, h, t: int) -> np.ndarray:
        """ρ_t = ρ / (1 + (t − 1) lr_decay), in float64 (PyTorch's ``clr``), cast to θ's dtype."""
        return (h["lr_64"] / (1 + (t - 1) * h["lr_decay_64"])).astype(h["lr"].dtype)

    def _denominator(self, r, eps):
        return np.sqrt(r + eps) if self.eps_inside_sqrt else eps + np.sqrt(r)

    def step(self, theta, grad, state: AdaGradState):
        theta, g, h = self._arguments(theta, grad, state)
        t = int(state.count) + 1
        # line 5: r ← r + g ⊙ g
        r = state.r + g * g
        # line 6: ΔΘ = −ρ_t / (ε + √r) ⊙ g, with g / (ε + √r) first as in PyTorch
        delta = -self._lr(h, t) * (g / self._denominator(r, h["eps"]))
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdaGradState(t, r)

    def effective_lr(self, state: AdaGradState) -> np.ndarray:
        """ρ_t / (ε + √r), for the last step's t (the first's before any step)."""
        h = self._state_hyper(state)
        return self._lr(h, max(int(state.count), 1)) / self._denominator(state.r, h["eps"])
