"""RMSProp: per-parameter rates from a decaying average of squared gradients."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _blocks, _flag, _in_place_arguments, _scratch

__all__ = ["RMSProp", "RMSPropState"]


class RMSPropState(NamedTuple):
    count: int
    r: np.ndarray                  # exponential average of g⊙g
    g_avg: np.ndarray | None       # average of g (centered only)
    momentum: np.ndarray | None    # velocity b, ρ outside (momentum > 0, lr_in_momentum=False)
    lr_momentum: np.ndarray | None  # velocity B = ρ b, ρ inside (lr_in_momentum=True)


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with an exponentially decaying average instead of a sum.

    .. math::

        r_t = \alpha\, r_{t-1} + (1-\alpha)\, g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\rho}{\varepsilon + \sqrt{r_t}} \odot g_t \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    Options: ``centered`` (PyTorch) divides by the estimated standard deviation
    :math:`\sqrt{r_t - \bar g_t^2}` with :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`;
    ``eps_inside_sqrt`` uses :math:`\sqrt{r_t + \varepsilon}` (Keras, optax, TensorFlow);
    ``momentum`` μ > 0 accumulates the scaled gradient :math:`u_t = g_t / d_t`, with
    :math:`d_t` the denominator, in one of two places:

    .. math::

        \text{PyTorch (default):}\quad b_t = \mu b_{t-1} + u_t,\ \ \Delta\Theta_t = -\rho_t b_t;
        \qquad
        \text{Keras, optax, TF (}\texttt{lr\_in\_momentum}\text{):}\quad
        B_t = \mu B_{t-1} + \rho_t u_t,\ \ \Delta\Theta_t = -B_t,

    with ρ_t the ``lr`` of the optimizer taking step t. For a constant ρ the two give the
    same updates (B = ρb); they differ when ρ changes between steps (an optimizer rebuilt
    with a new ``lr`` accepts the old one's state): b applies the new ρ to all the velocity,
    B only to the new gradient.

    where:
      - ρ (``lr``): learning rate, default 0.01 (PyTorch).
      - α (``alpha``): decay of the average, in [0, 1], default 0.99 (PyTorch; Hinton and
        Keras use 0.9, where Keras calls it ``rho``). Its window is about 1/(1−α) steps.
        α = 1 is allowed for teaching: r then stays at r₀ and, for r₀ = 0, the step is ρ g/ε.
        1 − α is computed in float64, as PyTorch does.
      - ε (``eps``): default 1e-8, outside the root.
      - r (``state.r``): starts at r₀ = ``initial_accumulator_value`` ≥ 0, a scalar or an array
        broadcasting against θ; default 0 (PyTorch, Keras; optax's ``initial_scale``). With
        r₀ = 0 early averages are biased towards 0 and the first step is ρ/√(1−α) per
        coordinate (10ρ for α = 0.99); TensorFlow 1's ``RMSPropOptimizer`` starts at r₀ = 1
        instead, and Adam's bias correction is the principled fix.
      - μ (``momentum``): in [0, 1), default 0 (off); ``lr_in_momentum`` (default False,
        PyTorch) needs μ > 0.
      - ``name``: display name for legends, labels and ``repr`` (default ``"RMSProp"``).

    References:
      Hinton, Srivastava & Swersky, *Neural networks for machine learning*, lecture 6e, 2012.
      Graves, *Generating sequences with recurrent neural networks*, 2013 (centered form).
      Goodfellow, Bengio & Courville, *Deep Learning*, Alg. 8.5.
    """

    name = "RMSProp"
    state_type = RMSPropState
    symbols = {"ρ": "lr", "α": "alpha", "r₀": "initial_accumulator_value"}
    accumulates, decay_key = True, "alpha"
    state_units = {"r": -2, "g_avg": -1, "momentum": 0, "lr_momentum": 0}
    buffer_options = {"g_avg": "centered=True", "momentum": "momentum > 0",
                      "lr_momentum": "momentum > 0 with lr_in_momentum=True"}
    quiet = ("initial_accumulator_value",)

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered: bool = False,
                 eps_inside_sqrt: bool = False, initial_accumulator_value=0.0,
                 lr_in_momentum: bool = False, *, name: str | None = None):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            alpha=check.hyperparameter("alpha", alpha, high=1.0, high_open=False),
            eps=check.hyperparameter("eps", eps, low_open=True),
            momentum=check.hyperparameter("momentum", momentum, high=1.0),
            initial_accumulator_value=check.hyperparameter(
                "initial_accumulator_value", initial_accumulator_value))
        self.centered = _flag("centered", centered)
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)
        self.lr_in_momentum = _flag("lr_in_momentum", lr_in_momentum)
        if self.lr_in_momentum and not np.any(self.momentum):
            raise ValueError("lr_in_momentum=True says where the learning rate goes in the "
                             "momentum buffer, so it needs momentum > 0; got momentum=0")
        self._set_name(name)

    def _options(self):
        return {k: True for k in ("centered", "eps_inside_sqrt", "lr_in_momentum")
                if getattr(self, k)}

    def _state_fields(self):
        fields = ["r"]
        if self.centered:
            fields.append("g_avg")
        if np.any(self.momentum):
            fields.append("lr_momentum" if self.lr_in_momentum else "momentum")
        return tuple(fields)

    def _initial_values(self, h):
        return {"r": h["initial_accumulator_value"]}

    def _derived(self):
        return {"1-alpha": 1 - self._hyper["alpha"]}

    def _denominator(self, r, g_avg, eps):
        # r − ḡ² ≥ 0 in exact arithmetic; rounding can push it below 0 (e.g. a constant
        # gradient), so clamp it rather than take √ of a negative number (PyTorch gives NaN)
        variance = np.maximum(r - g_avg * g_avg, 0) if g_avg is not None else r
        return np.sqrt(variance + eps) if self.eps_inside_sqrt else eps + np.sqrt(variance)

    def step(self, theta, grad, state: RMSPropState):
        theta, g, h = self._arguments(theta, grad, state)
        alpha, lr = h["alpha"], h["lr"]
        # line 5: r ← α r + (1 − α) g ⊙ g, as ((1 − α) g) g: g ⊙ g alone overflows sooner
        r = alpha * state.r + h["1-alpha"] * g * g
        g_avg = None if state.g_avg is None else alpha * state.g_avg + h["1-alpha"] * g
        # line 6: ΔΘ = −ρ / (ε + √r) ⊙ g, as −ρ u with u = g / (ε + √r)
        u = g / self._denominator(r, g_avg, h["eps"])
        b, big_b = state.momentum, state.lr_momentum
        if b is not None:            # b ← μ b + u, ΔΘ = −ρ b
            b = h["momentum"] * b + u
            delta = -lr * b
        elif big_b is not None:      # B ← μ B + ρ u, ΔΘ = −B
            big_b = h["momentum"] * big_b + lr * u
            delta = -big_b
        else:
            delta = -lr * u
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, RMSPropState(int(state.count) + 1, r, g_avg, b, big_b)

    def effective_lr(self, state: RMSPropState) -> np.ndarray:
        """ρ / (ε + √r): the rate applied to g (with momentum, before it enters the buffer)."""
        h = self._state_hyper(state)
        return h["lr"] / self._denominator(state.r, state.g_avg, h["eps"])

    def step_(self, theta, grad, state: RMSPropState) -> RMSPropState:
        """In place, in cache-sized blocks of the flat arrays, with no full-size temporaries;
        the same operations in the same order as :meth:`step`."""
        theta, g, buffers, hyper = _in_place_arguments(self, theta, grad, state)
        [scratch] = _scratch(theta)
        for block, h in _blocks(theta.size, hyper):
            th, gr, r = theta[block], g[block], buffers["r"][block]
            buf = scratch[:th.size]
            # line 5: r ← α r + (1 − α) g ⊙ g
            np.multiply(h["1-alpha"], gr, out=buf)
            buf *= gr
            r *= h["alpha"]
            r += buf
            # line 6: u = g / d with d = ε + √(r − ḡ²) (or √(r − ḡ² + ε))
            if "g_avg" in buffers:
                ga = buffers["g_avg"][block]
                ga *= h["alpha"]
                np.multiply(h["1-alpha"], gr, out=buf)
                ga += buf
                np.multiply(ga, ga, out=buf)
                np.subtract(r, buf, out=buf)
                np.maximum(buf, 0, out=buf)
                variance = buf
            else:
                variance = r
            if self.eps_inside_sqrt:
                np.add(variance, h["eps"], out=buf)
                np.sqrt(buf, out=buf)
            else:
                np.sqrt(variance, out=buf)
                buf += h["eps"]
            np.divide(gr, buf, out=buf)
            if "momentum" in buffers:       # b ← μ b + u; ΔΘ = −ρ b
                b = buffers["momentum"][block]
                b *= h["momentum"]
                b += buf
                np.multiply(h["lr"], b, out=buf)
            elif "lr_momentum" in buffers:  # B ← μ B + ρ u; ΔΘ = −B
                big_b = buffers["lr_momentum"][block]
                big_b *= h["momentum"]
                buf *= h["lr"]
                big_b += buf
                buf = big_b
            else:
                buf *= h["lr"]
            # line 7: Θ ← Θ + ΔΘ
            th -= buf
        return state._replace(count=int(state.count) + 1)
