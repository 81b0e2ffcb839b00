"""RMSProp: per-parameter rates from a decaying average of squared gradients."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _zeros, _in_place_arguments, _blocks, _block_size, _flag

__all__ = ["RMSProp", "RMSPropState"]


class RMSPropState(NamedTuple):
    count: int
    r: np.ndarray                  # exponential average of g⊙g
    g_avg: np.ndarray | None       # average of g (centered only)
    momentum: np.ndarray | None    # velocity (momentum > 0 only)


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with an exponentially decaying average instead of a sum.

    .. math::

        r_t = \alpha\, r_{t-1} + (1-\alpha)\, g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\rho}{\varepsilon + \sqrt{r_t}} \odot g_t \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    Options, as in PyTorch: ``centered`` divides by the estimated standard deviation
    :math:`\sqrt{r_t - \bar g_t^2}` with :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`;
    ``momentum`` μ > 0 accumulates :math:`b_t = \mu b_{t-1} + g_t / (\varepsilon + \sqrt{r_t})`
    and steps :math:`-\rho\, b_t`. ``eps_inside_sqrt`` uses :math:`\sqrt{r_t + \varepsilon}`
    (Keras, optax, TensorFlow).

    where:
      - ρ (``lr``): learning rate, default 0.01 (PyTorch).
      - α (``alpha``): decay of the average, in [0, 1], default 0.99 (PyTorch; Hinton and
        Keras use 0.9, where Keras calls it ``rho``). Its window is about 1/(1−α) steps.
        α = 1 is allowed for teaching: r then stays at r₀ = 0 and the step is ρ g/ε.
      - ε (``eps``): default 1e-8, outside the root.
      - r (``state.r``): starts at 0, so early averages are biased towards 0 and the first
        step is ρ/√(1−α) per coordinate (10ρ for α = 0.99); Adam's bias correction fixes this.

    References:
      Hinton, Srivastava & Swersky, *Neural networks for machine learning*, lecture 6e, 2012.
      Graves, *Generating sequences with recurrent neural networks*, 2013 (centered form).
      Goodfellow, Bengio & Courville, *Deep Learning*, Alg. 8.5.
    """

    name = "RMSProp"
    state_type = RMSPropState
    symbols = {"ρ": "lr", "α": "alpha"}
    accumulates, decay_key = True, "alpha"
    state_units = {"r": -2, "g_avg": -1, "momentum": 0}

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered: bool = False,
                 eps_inside_sqrt: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            alpha=check.hyperparameter("alpha", alpha, high=1.0, high_open=False),
            eps=check.hyperparameter("eps", eps, low_open=True),
            momentum=check.hyperparameter("momentum", momentum, high=1.0))
        self.centered = _flag("centered", centered)
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)

    def _options(self):
        return {k: True for k in ("centered", "eps_inside_sqrt") if getattr(self, k)}

    def init(self, theta) -> RMSPropState:
        return RMSPropState(0, _zeros(theta), _zeros(theta) if self.centered else None,
                            _zeros(theta) if np.any(self.momentum) else None)

    def _denominator(self, r, g_avg, eps):
        # r − ḡ² ≥ 0 in exact arithmetic; rounding can push it below 0 (e.g. a constant
        # gradient), so clamp it rather than take √ of a negative number (PyTorch gives NaN)
        variance = np.maximum(r - g_avg * g_avg, 0) if g_avg is not None else r
        return np.sqrt(variance + eps) if self.eps_inside_sqrt else eps + np.sqrt(variance)

    def step(self, theta, grad, state: RMSPropState):
        theta, g, h = self._arguments(theta, grad, state)
        alpha = h["alpha"]
        # line 5: r ← α r + (1 − α) g ⊙ g
        r = alpha * state.r + (1 - alpha) * g * g
        g_avg = None if state.g_avg is None else alpha * state.g_avg + (1 - alpha) * g
        # line 6: ΔΘ = −ρ / (ε + √r) ⊙ g   (with momentum: b ← μ b + g / (ε + √r), ΔΘ = −ρ b)
        scaled = g / self._denominator(r, g_avg, h["eps"])
        buffer = state.momentum
        if buffer is not None:
            buffer = h["momentum"] * buffer + scaled
            scaled = buffer
        delta = -h["lr"] * scaled
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, RMSPropState(state.count + 1, r, g_avg, buffer)

    def effective_lr(self, state: RMSPropState) -> np.ndarray:
        """ρ / (ε + √r): the rate applied to g (with momentum, before it enters the buffer)."""
        h = self._hyper_for(state.r)
        return h["lr"] / self._denominator(state.r, state.g_avg, h["eps"])

    def step_(self, theta, grad, state: RMSPropState) -> RMSPropState:
        """In place, in cache-sized blocks, with no full-size temporaries; equals :meth:`step`."""
        theta, g, hyper = _in_place_arguments(self, theta, grad, state)
        scratch = np.empty(_block_size(theta), theta.dtype)
        for rows, h in _blocks(theta, hyper):
            th, gr, r = theta[rows], g[rows], state.r[rows]
            buf = scratch[:th.size].reshape(th.shape)
            # line 5: r ← α r + (1 − α) g ⊙ g
            np.multiply(gr, gr, out=buf)
            buf *= 1 - h["alpha"]
            r *= h["alpha"]
            r += buf
            # line 6: the denominator ε + √(r − ḡ²) (or √(r − ḡ² + ε)), then g / it
            if state.g_avg is not None:
                ga = state.g_avg[rows]
                ga *= h["alpha"]
                np.multiply(gr, 1 - h["alpha"], out=buf)
                ga += buf
                np.multiply(ga, ga, out=buf)
                np.subtract(r, buf, out=buf)
                np.maximum(buf, 0, out=buf)
            else:
                buf[...] = r
            if self.eps_inside_sqrt:
                buf += h["eps"]
                np.sqrt(buf, out=buf)
            else:
                np.sqrt(buf, out=buf)
                buf += h["eps"]
            np.divide(gr, buf, out=buf)
            if state.momentum is not None:
                b = state.momentum[rows]
                b *= h["momentum"]
                b += buf
                np.multiply(b, h["lr"], out=buf)
            else:
                buf *= h["lr"]
            # line 7: Θ ← Θ − ρ · (g / denominator)
            th -= buf
        return state._replace(count=state.count + 1)
