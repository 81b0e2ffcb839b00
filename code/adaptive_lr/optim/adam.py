"""Adam (with its AMSGrad and AdamW options): momentum plus RMSProp's scaling, bias-corrected."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _blocks, _flag, _in_place_arguments, _scratch

__all__ = ["Adam", "AdamState"]


class AdamState(NamedTuple):
    count: int
    m: np.ndarray               # first moment, average of g
    v: np.ndarray               # second moment, average of g⊙g (the r of RMSProp)
    v_max: np.ndarray | None    # running max of v (AMSGrad only)


class Adam(Optimizer):
    r"""Adam: momentum on the gradient plus RMSProp's scaling, both bias-corrected.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t \odot g_t \quad\text{(line 5)}

        \Delta\Theta_t = -\rho\,\frac{\hat m_t}{\varepsilon + \sqrt{\hat v_t}}, \quad
        \hat m_t = \frac{m_t}{c_{1,t}}, \quad \hat v_t = \frac{v_t}{c_{2,t}}
        \quad\text{(line 6)}, \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    with the bias corrections :math:`c_{1,t} = 1-\beta_1^t`, :math:`c_{2,t} = 1-\beta_2^t`.
    Line 6 is computed as PyTorch does, :math:`-(\rho/c_1)\, m_t / (\sqrt{v_t}/\sqrt{c_2} +
    \varepsilon)`, with ρ/c₁ and √c₂ in float64: dividing square roots, not v by c₂, keeps
    √v̂ finite when v̂ itself would overflow.

    where:
      - ρ (``lr``): step size, default 1e-3 (paper, PyTorch, Keras).
      - β₁, β₂ (``betas``): decays of the two averages, each in [0, 1), default (0.9, 0.999).
      - ε (``eps``): default 1e-8, outside the root as in the paper's Algorithm 1.
      - ``bias_correction``: True (default, the paper), False, or a pair ``(first, second)``
        switching :math:`c_1` and :math:`c_2` separately (a switched-off correction is 1).
        With β₁ = 0, ``False`` is :class:`RMSProp` with α = β₂ (ε outside the root), and
        ``(False, True)`` is RMSProp with bias correction, which is also what the default
        computes for β₁ = 0 (then c₁ = 1 − 0ᵗ = 1).
      - ``eps_hat``: Keras/TensorFlow's form, the paper's "efficient" rewriting of line 6 with
        ε̂ = ``eps`` added to the *un-corrected* √v:

        .. math::

            \Delta\Theta_t = -\rho_t \frac{m_t}{\hat\varepsilon + \sqrt{v_t}}, \quad
            \rho_t = \rho\,\frac{\sqrt{c_2}}{c_1}, \quad\text{i.e.}\quad
            \Delta\Theta_t = -\rho\,\frac{\hat m_t}{\hat\varepsilon/\sqrt{c_2}
            + \sqrt{\hat v_t}}:

        Algorithm 1 with a time-varying ε_t = ε̂/√c₂, √1000 ≈ 31.6 ε̂ at t = 1 (β₂ = 0.999)
        falling to ε̂. Negligible for ε̂ = 1e-7, not for the large ε some models use. With the
        second correction off (c₂ = 1) it is the default form.
      - ``amsgrad``: divide by a running maximum of the second moment (Reddi et al.).
        ``amsgrad_max="raw"`` (default; PyTorch, Keras, TensorFlow) keeps
        :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` and bias-corrects it,
        :math:`\tilde v_t = v^{\max}_t/c_2`; ``"corrected"`` (optax) keeps the maximum of the
        corrected values, :math:`\tilde v_t = \max(\tilde v_{t-1}, \hat v_t)`, in
        ``state.v_max``. Line 6 then divides by √ṽ instead of √v̂. The two differ when an
        early v̂ is large: the corrected maximum remembers v̂₁ = g₁² for good. With the second
        correction off (c₂ = 1) they coincide.
      - ``weight_decay`` λ: with ``decoupled=False`` it is L2, g ← g + λΘ (PyTorch ``Adam``);
        with ``decoupled=True`` it is AdamW, Θ ← Θ(1 − ρλ) before the update (1 − ρλ in
        float64).
      - ``name``: display name for legends, labels and ``repr`` (default ``"Adam"``, and
        ``"AdamW"`` with ``decoupled=True``).

    References:
      Kingma & Ba, *Adam: a method for stochastic optimization*, ICLR 2015, Algorithm 1.
      Reddi, Kale & Kumar, *On the convergence of Adam and beyond*, ICLR 2018 (AMSGrad).
      Loshchilov & Hutter, *Decoupled weight decay regularization*, ICLR 2019 (AdamW).
    """

    name = "Adam"
    state_type = AdamState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2"}
    accumulates, decay_key = True, "beta2"
    state_units = {"m": -1, "v": -2, "v_max": -2}
    buffer_options = {"v_max": "amsgrad=True"}
    doubles = ("lr", "beta1", "beta2", "eps")

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, amsgrad: bool = False,
                 weight_decay=0.0, decoupled: bool = False, eps_hat: bool = False,
                 amsgrad_max: str = "raw", bias_correction=True, *, name: str | None = None):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=check.hyperparameter("betas[0]", betas[0], high=1.0),
            beta2=check.hyperparameter("betas[1]", betas[1], high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True),
            weight_decay=check.hyperparameter("weight_decay", weight_decay))
        self.amsgrad = _flag("amsgrad", amsgrad)
        self.decoupled = _flag("decoupled", decoupled)
        self.eps_hat = _flag("eps_hat", eps_hat)
        if not isinstance(amsgrad_max, str) or amsgrad_max not in ("raw", "corrected"):
            raise ValueError(f"amsgrad_max must be 'raw' or 'corrected', got {amsgrad_max!r}")
        if amsgrad_max == "corrected" and not self.amsgrad:
            raise ValueError("amsgrad_max='corrected' only applies with amsgrad=True")
        self.amsgrad_max = amsgrad_max
        self.bias_correction = _pair_of_flags("bias_correction", bias_correction)
        self._set_name(name, "AdamW" if self.decoupled else None)

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _options(self):
        options = {k: True for k in ("amsgrad", "decoupled", "eps_hat") if getattr(self, k)}
        if self.amsgrad_max != "raw":
            options["amsgrad_max"] = self.amsgrad_max
        first, second = self.bias_correction
        if not (first and second):
            options["bias_correction"] = first if first == second else self.bias_correction
        return options

    def _state_fields(self):
        return ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _derived(self):
        h = self._hyper
        return {"1-beta1": 1 - h["beta1"], "1-beta2": 1 - h["beta2"],
                "1-lr*wd": 1 - h["lr"] * h["weight_decay"]}

    def _factors(self, h, t: int) -> dict[str, np.ndarray]:
        """Step t's factors, in float64 like PyTorch's Python floats, cast to θ's dtype:
        the step size ρ/c₁, c₂, √c₂, and ε_t (ε̂/√c₂ with ``eps_hat``, else ε)."""
        first, second = self.bias_correction
        c1 = 1 - np.power(h["beta1_64"], t) if first else 1.0
        c2 = 1 - np.power(h["beta2_64"], t) if second else np.float64(1.0)
        sqrt_c2 = np.sqrt(c2)
        factors = {"step_size": h["lr_64"] / c1, "c2": c2, "sqrt_c2": sqrt_c2,
                   "eps": h["eps_64"] / sqrt_c2 if self.eps_hat else h["eps_64"]}
        return {k: np.asarray(v, h["lr"].dtype) for k, v in factors.items()}

    def _denominator(self, v, v_max, f):
        """√ṽ + ε_t, with ṽ = v̂, or AMSGrad's maximum (its bias correction folded in)."""
        if v_max is None:
            return np.sqrt(v) / f["sqrt_c2"] + f["eps"]
        if self.amsgrad_max == "raw":
            return np.sqrt(v_max) / f["sqrt_c2"] + f["eps"]
        return np.sqrt(v_max) + f["eps"]

    def step(self, theta, grad, state: AdamState):
        theta, g, h = self._arguments(theta, grad, state)
        t = int(state.count) + 1
        f = self._factors(h, t)
        if self.decoupled:
            theta = theta * h["1-lr*wd"]             # AdamW: decay Θ itself
        elif np.any(h["weight_decay"]):
            g = g + h["weight_decay"] * theta        # L2: decay enters the gradient
        m = h["beta1"] * state.m + h["1-beta1"] * g
        # line 5: v ← β₂ v + (1 − β₂) g ⊙ g, as ((1 − β₂) g) g: g ⊙ g alone overflows sooner
        v = h["beta2"] * state.v + h["1-beta2"] * g * g
        v_max = state.v_max
        if v_max is not None:  # AMSGrad: the running maximum of v (raw) or of v̂ (corrected)
            v_max = np.maximum(v_max, v if self.amsgrad_max == "raw" else v / f["c2"])
        # line 6: ΔΘ = −ρ m̂ / (ε + √v̂) = −(ρ/c₁) · m / (√v/√c₂ + ε)
        delta = -f["step_size"] * (m / self._denominator(v, v_max, f))
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdamState(t, m, v, v_max)

    def effective_lr(self, state: AdamState) -> np.ndarray:
        """(ρ/c₁) / (√ṽ/√c₂ + ε): the factor that multiplies m in line 6."""
        h = self._state_hyper(state)
        f = self._factors(h, max(int(state.count), 1))
        return f["step_size"] / self._denominator(state.v, state.v_max, f)

    def step_(self, theta, grad, state: AdamState) -> AdamState:
        """In place, in cache-sized blocks of the flat arrays, with no full-size temporaries;
        the same operations in the same order as :meth:`step`."""
        theta, g, buffers, hyper = _in_place_arguments(self, theta, grad, state)
        t = int(state.count) + 1
        scalar_factors = all(hyper[f"{k}_64"].ndim == 0 for k in self.doubles)
        f = self._factors(hyper, t) if scalar_factors else None
        scratch, grad_scratch = _scratch(theta, 2)
        for block, h in _blocks(theta.size, hyper):
            th, gr, m, v = theta[block], g[block], buffers["m"][block], buffers["v"][block]
            buf = scratch[:th.size]
            block_f = f if f is not None else self._factors(h, t)
            if self.decoupled:
                th *= h["1-lr*wd"]
            elif np.any(h["weight_decay"]):
                grad_buf = grad_scratch[:th.size]
                np.multiply(h["weight_decay"], th, out=grad_buf)
                np.add(gr, grad_buf, out=grad_buf)
                gr = grad_buf
            m *= h["beta1"]
            np.multiply(h["1-beta1"], gr, out=buf)
            m += buf
            # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
            np.multiply(h["1-beta2"], gr, out=buf)
            buf *= gr
            v *= h["beta2"]
            v += buf
            # line 6: ΔΘ = −(ρ/c₁) · m / (√ṽ/√c₂ + ε_t)
            if "v_max" not in buffers:
                np.sqrt(v, out=buf)
                buf /= block_f["sqrt_c2"]
            elif self.amsgrad_max == "raw":
                v_max = buffers["v_max"][block]
                np.maximum(v_max, v, out=v_max)
                np.sqrt(v_max, out=buf)
                buf /= block_f["sqrt_c2"]
            else:
                v_max = buffers["v_max"][block]
                np.divide(v, block_f["c2"], out=buf)
                np.maximum(v_max, buf, out=v_max)
                np.sqrt(v_max, out=buf)
            buf += block_f["eps"]
            np.divide(m, buf, out=buf)
            buf *= block_f["step_size"]
            # line 7: Θ ← Θ + ΔΘ
            th -= buf
        return state._replace(count=t)


def _pair_of_flags(name: str, value) -> tuple[bool, bool]:
    """True/False for both, or a pair (first, second) of them."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value), bool(value)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (bool, np.bool_)) for v in value)):
        return bool(value[0]), bool(value[1])
    raise TypeError(f"{name} must be True, False or a pair (first, second) of them, "
                    f"got {value!r}")
