"""AdaDelta: RMSProp with a running RMS of past updates in the numerator."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer

__all__ = ["AdaDelta", "AdaDeltaState"]


class AdaDeltaState(NamedTuple):
    count: int
    r: np.ndarray        # E[g²], average of squared gradients
    delta_avg: np.ndarray  # E[Δθ²], average of squared updates


class AdaDelta(Optimizer):
    r"""AdaDelta: RMSProp's sibling whose numerator is a running RMS of past updates.

    .. math::

        r_t = \rho_d\, r_{t-1} + (1-\rho_d)\, g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\sqrt{u_{t-1} + \varepsilon}}{\sqrt{r_t + \varepsilon}} \odot g_t,
        \qquad u_t = \rho_d\, u_{t-1} + (1-\rho_d)\, \Delta\Theta_t \odot \Delta\Theta_t

    and :math:`\Theta_t = \Theta_{t-1} + \text{lr}\cdot\Delta\Theta_t` (line 7). The ratio of
    two RMS values has the units of Θ, so no learning rate is needed: ``lr = 1`` (default,
    PyTorch) is the paper's method; frameworks multiply by ``lr`` afterwards.

    where:
      - ρ_d (``rho``): decay of both averages, in [0, 1), default 0.9 (PyTorch; the paper
        uses 0.95). Not the book's ρ, which is a learning rate.
      - ε (``eps``): default 1e-6; it also sets the size of the very first steps (√ε).
      - ``name``: display name for legends, labels and ``repr`` (default ``"AdaDelta"``).

    1 − ρ_d is computed in float64, as PyTorch does.

    ``effective_lr`` reports lr·√(u_t + ε)/√(r_t + ε), the rate its statistics give now.

    References:
      Zeiler, *ADADELTA: an adaptive learning rate method*, arXiv:1212.5701, 2012.
    """

    name = "AdaDelta"
    state_type = AdaDeltaState
    symbols = {"ρ_d": "rho"}
    accumulates, decay_key = True, "rho"
    update_units = 1
    state_units = {"r": -2, "delta_avg": 2}

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, *, name: str | None = None):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            rho=check.hyperparameter("rho", rho, high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True))
        self._set_name(name)

    def _derived(self):
        return {"1-rho": 1 - self._hyper["rho"]}

    def step(self, theta, grad, state: AdaDeltaState):
        theta, g, h = self._arguments(theta, grad, state)
        rho, eps = h["rho"], h["eps"]
        # line 5: r ← ρ_d r + (1 − ρ_d) g ⊙ g
        r = rho * state.r + h["1-rho"] * g * g
        # line 6: ΔΘ = −√(u + ε) / √(r + ε) ⊙ g, then u ← ρ_d u + (1 − ρ_d) ΔΘ ⊙ ΔΘ
        delta = -np.sqrt(state.delta_avg + eps) / np.sqrt(r + eps) * g
        delta_avg = rho * state.delta_avg + h["1-rho"] * delta * delta
        # line 7: Θ ← Θ + lr · ΔΘ
        return theta + h["lr"] * delta, AdaDeltaState(int(state.count) + 1, r, delta_avg)

    def effective_lr(self, state: AdaDeltaState) -> np.ndarray:
        h = self._state_hyper(state)
        return h["lr"] * np.sqrt(state.delta_avg + h["eps"]) / np.sqrt(state.r + h["eps"])
