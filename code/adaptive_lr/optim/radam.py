"""RAdam: Adam whose adaptive rate is switched on only once its variance is finite, and then
rectified towards its long-run variance."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _blocks, _flag, _in_place_arguments, _scratch

__all__ = ["RAdam", "RAdamState"]

#: RAdam rectifies (uses the adaptive rate) only when the average's length exceeds this.
THRESHOLD = 5.0


class RAdamState(NamedTuple):
    count: int
    m: np.ndarray   # first moment, average of g
    v: np.ndarray   # second moment, average of g⊙g (the r of RMSProp)


class RAdam(Optimizer):
    r"""RAdam: Adam with a rectified adaptive rate, and momentum SGD while v is too young.

    .. math::

        n_\infty = \frac{2}{1-\beta_2} - 1, \qquad
        n_t = n_\infty - \frac{2t\,\beta_2^t}{1-\beta_2^t} \quad\text{(line 4)}

        m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t \odot g_t \quad\text{(line 5)}

        \Delta\Theta_t = \begin{cases}
          -\rho\, q_t\, \dfrac{\sqrt{1-\beta_2^t}}{\varepsilon + \sqrt{v_t}} \odot \hat m_t,
          & n_t > 5, \\[1ex]
          -\rho\, \hat m_t, & \text{otherwise,} \end{cases}
        \qquad q_t = \sqrt{\frac{(n_t-4)(n_t-2)\,n_\infty}{(n_\infty-4)(n_\infty-2)\,n_t}}
        \quad\text{(line 6)}

    with :math:`\hat m_t = m_t/(1-\beta_1^t)` and :math:`\Theta_t = \Theta_{t-1} +
    \Delta\Theta_t` (line 7). The paper and PyTorch call the length :math:`n_t` ρₜ (``rho_t``)
    and the rectification :math:`q_t` rₜ; the book keeps ρ for the learning rate and r for the
    accumulator.

    Why: Adam's adaptive rate :math:`1/\sqrt{\hat v_t}` is a random variable, and early on
    it averages only a few squared gradients. Liu et al. approximate the exponential average
    by a simple average of :math:`n_t` of them (:math:`n_t` grows from 1 towards
    :math:`n_\infty`, 1999 for β₂ = 0.999); for gradients with a normal distribution the
    square of the rate then follows a scaled inverse χ² law with :math:`n_t` degrees of
    freedom, whose variance is infinite (undefined) for :math:`n_t \le 4`. So RAdam takes
    momentum-SGD steps −ρ m̂ until :math:`n_t > 5` (that is, for the first five steps with
    β₂ = 0.999: n₅ ≈ 4.99, n₆ ≈ 5.99), and afterwards multiplies the adaptive rate by
    :math:`q_t < 1`, the ratio of the rate's standard deviation at :math:`n_\infty` to the
    one at :math:`n_t` (to first order), so that its variance is the long-run one from the
    start. :math:`q_t` rises to 1: it acts as a warm-up of the rate, built from β₂ alone.

    where:
      - ρ (``lr``): step size, default 0.001 (PyTorch, the paper).
      - β₁, β₂ (``betas``): decays of the two averages, each in [0, 1), default (0.9, 0.999).
        For β₂ ≤ 2/3, :math:`n_\infty \le 5`: RAdam is momentum SGD with bias correction
        for good.
      - ε (``eps``): default 1e-8, added to the *uncorrected* √v (PyTorch and the authors'
        code; Adam adds it to √v̂).
      - ``weight_decay`` λ: with ``decoupled=False`` (default) it is L2, g ← g + λΘ; with
        ``decoupled=True`` (PyTorch's ``decoupled_weight_decay``, the authors' code) Θ ←
        Θ(1 − ρλ) before the update, "RAdamW" (1 − ρλ in float64).
      - ``name``: display name for legends, labels and ``repr`` (default ``"RAdam"``, and
        ``"RAdamW"`` with ``decoupled=True``).

    The step follows PyTorch's ``_single_tensor_radam``: 1 − β₁ᵗ, 1 − β₂ᵗ, nₜ and qₜ are
    float64 (Python floats in PyTorch), cast to θ's dtype, and the rectified update is
    computed as ((m̂ · ρ) · √(1 − β₂ᵗ)/(√v + ε)) · qₜ, in that order. The formula for nₜ is
    PyTorch's: for β₂ within about 1e-12 of 1 its two large terms cancel and nₜ loses
    digits, as in PyTorch. ``effective_lr`` is the factor that multiplies m in line 6:
    (ρ/(1 − β₁ᵗ)) qₜ √(1 − β₂ᵗ)/(√v + ε) once rectified, else ρ/(1 − β₁ᵗ).

    References:
      Liu, Jiang, He, Chen, Liu, Gao & Han, *On the variance of the adaptive learning rate
      and beyond*, ICLR 2020.
    """

    name = "RAdam"
    state_type = RAdamState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2"}
    accumulates, decay_key = True, "beta2"
    state_units = {"m": -1, "v": -2}
    doubles = ("lr", "beta1", "beta2")

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled: bool = False, *, name: str | None = None):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=check.hyperparameter("betas[0]", betas[0], high=1.0),
            beta2=check.hyperparameter("betas[1]", betas[1], high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True),
            weight_decay=check.hyperparameter("weight_decay", weight_decay))
        self.decoupled = _flag("decoupled", decoupled)
        self._set_name(name, "RAdamW" if self.decoupled else None)

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _options(self):
        return {"decoupled": True} if self.decoupled else {}

    def _derived(self):
        h = self._hyper
        return {"1-beta1": 1 - h["beta1"], "1-beta2": 1 - h["beta2"],
                "1-lr*wd": 1 - h["lr"] * h["weight_decay"]}

    def _factors(self, h, t: int) -> dict[str, np.ndarray]:
        """Step t's factors, in float64 like PyTorch's Python floats, cast to θ's dtype:
        1 − β₁ᵗ, √(1 − β₂ᵗ), the rectification qₜ (0 where nₜ ≤ 5) and the mask nₜ > 5."""
        b2 = h["beta2_64"]
        c1 = 1 - np.power(h["beta1_64"], t)
        c2 = 1 - np.power(b2, t)
        n_inf = 2 / (1 - b2) - 1
        n_t = n_inf - 2 * t * np.power(b2, t) / c2
        rectified = n_t > THRESHOLD
        # q is computed only where it is used: for nₜ ≤ 5 (and n∞ ≤ 5) it may be undefined
        safe_t, safe_inf = np.where(rectified, n_t, 6.0), np.where(rectified, n_inf, 6.0)
        q = np.where(rectified, ((safe_t - 4) * (safe_t - 2) * safe_inf
                                 / ((safe_inf - 4) * (safe_inf - 2) * safe_t)) ** 0.5, 0.0)
        dtype = h["lr"].dtype
        return {"c1": np.asarray(c1, dtype), "sqrt_c2": np.asarray(c2 ** 0.5, dtype),
                "q": np.asarray(q, dtype), "rectified": rectified}

    def _update(self, m, v, h, f):
        """Line 6 without the sign: the rectified step where nₜ > 5, momentum SGD's elsewhere."""
        m_hat = m / f["c1"]
        if not np.any(f["rectified"]):
            return m_hat * h["lr"]
        adaptive = f["sqrt_c2"] / (np.sqrt(v) + h["eps"])
        rectified = m_hat * h["lr"] * adaptive * f["q"]
        return rectified if np.all(f["rectified"]) else \
            np.where(f["rectified"], rectified, m_hat * h["lr"])

    def step(self, theta, grad, state: RAdamState):
        theta, g, h = self._arguments(theta, grad, state)
        t = int(state.count) + 1
        # line 4: the average's length nₜ = n∞ − 2tβ₂ᵗ/(1 − β₂ᵗ), and qₜ where nₜ > 5
        f = self._factors(h, t)
        if self.decoupled:
            theta = theta * h["1-lr*wd"]             # RAdamW: decay Θ itself
        elif np.any(h["weight_decay"]):
            g = g + h["weight_decay"] * theta        # L2: decay enters the gradient
        # line 5: m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g ⊙ g
        m = h["beta1"] * state.m + h["1-beta1"] * g
        v = h["beta2"] * state.v + h["1-beta2"] * g * g
        # line 6: ΔΘ = −ρ qₜ √(1 − β₂ᵗ)/(ε + √v) ⊙ m̂ if nₜ > 5, else −ρ m̂
        delta = -self._update(m, v, h, f)
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, RAdamState(t, m, v)

    def effective_lr(self, state: RAdamState) -> np.ndarray:
        """(ρ/(1 − β₁ᵗ)) qₜ √(1 − β₂ᵗ)/(ε + √v) where nₜ > 5, ρ/(1 − β₁ᵗ) elsewhere: the
        factor that multiplies m in line 6."""
        h = self._state_hyper(state)
        f = self._factors(h, max(int(state.count), 1))
        plain = h["lr"] / f["c1"] * np.ones_like(state.v)
        if not np.any(f["rectified"]):
            return plain
        rectified = plain * f["sqrt_c2"] / (np.sqrt(state.v) + h["eps"]) * f["q"]
        return np.where(f["rectified"], rectified, plain)

    def step_(self, theta, grad, state: RAdamState) -> RAdamState:
        """In place, in cache-sized blocks of the flat arrays, with no full-size temporaries;
        the same operations in the same order as :meth:`step`."""
        theta, g, buffers, hyper = _in_place_arguments(self, theta, grad, state)
        t = int(state.count) + 1
        scalar = all(hyper[f"{k}_64"].ndim == 0 for k in self.doubles)
        f = self._factors(hyper, t) if scalar else None
        scratch, grad_scratch, work_scratch = _scratch(theta, 3)
        for block, h in _blocks(theta.size, hyper):
            th, gr = theta[block], g[block]
            m, v = buffers["m"][block], buffers["v"][block]
            buf, work = scratch[:th.size], work_scratch[:th.size]
            block_f = f if scalar else self._factors(h, t)
            if self.decoupled:
                th *= h["1-lr*wd"]
            elif np.any(h["weight_decay"]):
                grad_buf = grad_scratch[:th.size]
                np.multiply(h["weight_decay"], th, out=grad_buf)
                np.add(gr, grad_buf, out=grad_buf)
                gr = grad_buf
            # line 5: m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g ⊙ g
            m *= h["beta1"]
            np.multiply(h["1-beta1"], gr, out=buf)
            m += buf
            np.multiply(h["1-beta2"], gr, out=buf)
            buf *= gr
            v *= h["beta2"]
            v += buf
            # line 6: (m̂ ρ) · √(1 − β₂ᵗ)/(√v + ε) · qₜ where nₜ > 5, else m̂ ρ
            np.divide(m, block_f["c1"], out=buf)
            buf *= h["lr"]
            rectified = block_f["rectified"]
            if np.any(rectified):
                np.sqrt(v, out=work)
                work += h["eps"]
                np.divide(block_f["sqrt_c2"], work, out=work)
                if np.all(rectified):
                    buf *= work
                    buf *= block_f["q"]
                else:
                    np.multiply(buf, work, out=work)
                    work *= block_f["q"]
                    np.copyto(buf, work, where=rectified)
            # line 7: Θ ← Θ + ΔΘ = Θ − (line 6)
            th -= buf
        return state._replace(count=t)
