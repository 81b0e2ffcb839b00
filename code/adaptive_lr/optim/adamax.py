"""Adamax: Adam with the root mean square of the gradients replaced by a decaying maximum."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _blocks, _in_place_arguments, _scratch

__all__ = ["Adamax", "AdamaxState"]


class AdamaxState(NamedTuple):
    count: int
    m: np.ndarray   # first moment, average of g
    u: np.ndarray   # decaying maximum of |g| (+ ε): the ∞-norm in place of Adam's √v


class Adamax(Optimizer):
    r"""Adamax: Adam whose denominator is a decaying maximum of |g| instead of √v.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        u_t = \max\bigl(\beta_2\, u_{t-1},\ |g_t| + \varepsilon\bigr) \quad\text{(line 5)}

        \Delta\Theta_t = -\frac{\rho}{1-\beta_1^t}\,\frac{m_t}{u_t} \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    Adam divides by the root of an average of :math:`g^2`, an :math:`L^2` norm of the past
    gradients with decaying weights. Kingma & Ba generalize it to the :math:`L^p` norm,
    :math:`v_t^{1/p}` with :math:`v_t = \beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p`, and take
    :math:`p \to \infty`: the limit is :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)`, the largest
    recent gradient, each older one discounted by β₂ per step. u needs no bias correction
    (a maximum is not pulled towards its zero start the way an average is), and it has the
    units of g, not of g², so nothing is squared: no overflow of g ⊙ g, no square root.

    where:
      - ρ (``lr``): step size, default 0.002 (the paper's §7.1 and PyTorch).
      - β₁, β₂ (``betas``): decays of the average of g and of the maximum, each in [0, 1),
        default (0.9, 0.999) (paper, PyTorch).
      - ε (``eps``): default 1e-8. The paper has none; PyTorch adds it to |g| inside the
        maximum, so u ≥ ε > 0 and a zero gradient never divides 0 by 0.
      - ``weight_decay`` λ: L2, g ← g + λΘ before line 5 (PyTorch's ``weight_decay``),
        default 0.
      - ``name``: display name for legends, labels and ``repr`` (default ``"Adamax"``).

    The step follows PyTorch's ``_single_tensor_adamax``: the step size ρ/(1 − β₁ᵗ) is a
    float64 factor (a Python float in PyTorch), cast to θ's dtype, and the update is
    (−ρ/(1 − β₁ᵗ)) · m / u, multiplied before it is divided, as PyTorch's ``addcdiv``.
    ``accumulates`` is True with decay β₂: u weights the gradient of age k by β₂ᵏ, inside a
    maximum rather than a sum. ``effective_lr`` is (ρ/(1 − β₁ᵗ))/u, the factor that multiplies
    m in line 6 (before the first step u = 0, and the rate is taken as (ρ/(1 − β₁))/ε).

    References:
      Kingma & Ba, *Adam: a method for stochastic optimization*, ICLR 2015, §7.1 and
      Algorithm 2 (AdaMax).
    """

    name = "Adamax"
    state_type = AdamaxState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2"}
    accumulates, decay_key = True, "beta2"
    state_units = {"m": -1, "u": -1}
    doubles = ("lr", "beta1")

    def __init__(self, lr=0.002, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
                 name: str | None = None):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=check.hyperparameter("betas[0]", betas[0], high=1.0),
            beta2=check.hyperparameter("betas[1]", betas[1], high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True),
            weight_decay=check.hyperparameter("weight_decay", weight_decay))
        self._set_name(name)

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _derived(self):
        return {"1-beta1": 1 - self._hyper["beta1"]}

    def _step_size(self, h, t: int) -> np.ndarray:
        """ρ/(1 − β₁ᵗ), in float64 (PyTorch's ``clr``), cast to θ's dtype."""
        return np.asarray(h["lr_64"] / (1 - np.power(h["beta1_64"], t)), h["lr"].dtype)

    def step(self, theta, grad, state: AdamaxState):
        theta, g, h = self._arguments(theta, grad, state)
        t = int(state.count) + 1
        if np.any(h["weight_decay"]):
            g = g + h["weight_decay"] * theta        # L2: decay enters the gradient
        # line 5: m ← β₁ m + (1 − β₁) g,  u ← max(β₂ u, |g| + ε)
        m = h["beta1"] * state.m + h["1-beta1"] * g
        u = np.maximum(h["beta2"] * state.u, np.abs(g) + h["eps"])
        # line 6: ΔΘ = −(ρ / (1 − β₁ᵗ)) · m / u
        delta = -self._step_size(h, t) * m / u
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdamaxState(t, m, u)

    def effective_lr(self, state: AdamaxState) -> np.ndarray:
        """(ρ/(1 − β₁ᵗ)) / u: the factor that multiplies m in line 6."""
        h = self._state_hyper(state)
        step_size = self._step_size(h, max(int(state.count), 1))
        return step_size / np.maximum(state.u, h["eps"])

    def step_(self, theta, grad, state: AdamaxState) -> AdamaxState:
        """In place, in cache-sized blocks of the flat arrays, with no full-size temporaries;
        the same operations in the same order as :meth:`step`."""
        theta, g, buffers, hyper = _in_place_arguments(self, theta, grad, state)
        t = int(state.count) + 1
        scalar = all(hyper[f"{k}_64"].ndim == 0 for k in self.doubles)
        step_size = self._step_size(hyper, t) if scalar else None
        scratch, grad_scratch = _scratch(theta, 2)
        for block, h in _blocks(theta.size, hyper):
            th, gr, m, u = theta[block], g[block], buffers["m"][block], buffers["u"][block]
            buf = scratch[:th.size]
            size = step_size if scalar else self._step_size(h, t)
            if np.any(h["weight_decay"]):
                grad_buf = grad_scratch[:th.size]
                np.multiply(h["weight_decay"], th, out=grad_buf)
                np.add(gr, grad_buf, out=grad_buf)
                gr = grad_buf
            # line 5: m ← β₁ m + (1 − β₁) g,  u ← max(β₂ u, |g| + ε)
            m *= h["beta1"]
            np.multiply(h["1-beta1"], gr, out=buf)
            m += buf
            u *= h["beta2"]
            np.abs(gr, out=buf)
            buf += h["eps"]
            np.maximum(u, buf, out=u)
            # line 6: ΔΘ = −(ρ / (1 − β₁ᵗ)) · m / u
            np.multiply(-size, m, out=buf)
            buf /= u
            # line 7: Θ ← Θ + ΔΘ
            th += buf
        return state._replace(count=t)
