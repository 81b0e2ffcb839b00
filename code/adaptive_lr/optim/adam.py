"""Adam (with its AMSGrad and AdamW options): momentum plus RMSProp's scaling, bias-corrected."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _zeros, _in_place_arguments, _blocks, _block_size, _flag

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
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}
        \quad\text{(line 6)}, \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    where:
      - ρ (``lr``): step size, default 1e-3 (paper, PyTorch, Keras).
      - β₁, β₂ (``betas``): decays of the two averages, each in [0, 1), default (0.9, 0.999).
      - ε (``eps``): default 1e-8, outside the root as in the paper's Algorithm 1.
      - ``eps_hat``: Keras/TensorFlow's form, the paper's "efficient" rewriting of line 6 with
        ε̂ = ``eps`` added to the *un-corrected* √v:

        .. math::

            \Delta\Theta_t = -\rho_t \frac{m_t}{\hat\varepsilon + \sqrt{v_t}}, \quad
            \rho_t = \rho\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \quad\text{i.e.}\quad
            \Delta\Theta_t = -\rho\,\frac{\hat m_t}{\hat\varepsilon/\sqrt{1-\beta_2^t}
            + \sqrt{\hat v_t}}:

        Algorithm 1 with a time-varying ε_t = ε̂/√(1−β₂ᵗ), √1000 ≈ 31.6 ε̂ at t = 1 (β₂ =
        0.999) falling to ε̂. Negligible for ε̂ = 1e-7, not for the large ε some models use.
      - ``amsgrad``: divide by a running maximum of the second moment (Reddi et al.).
        ``amsgrad_max="raw"`` (default; PyTorch, Keras, TensorFlow) keeps
        :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` and bias-corrects it,
        :math:`\tilde v_t = v^{\max}_t/(1-\beta_2^t)`; ``"corrected"`` (optax) keeps the
        maximum of the corrected values, :math:`\tilde v_t = \max(\tilde v_{t-1}, \hat v_t)`,
        in ``state.v_max``. Line 6 then divides by √ṽ instead of √v̂. The two differ when an
        early v̂ is large: the corrected maximum remembers v̂₁ = g₁² for good.
      - ``weight_decay`` λ: with ``decoupled=False`` it is L2, g ← g + λΘ (PyTorch ``Adam``);
        with ``decoupled=True`` it is AdamW, Θ ← Θ(1 − ρλ) before the update.

    With β₁ = 0 Adam is RMSProp with decay β₂, bias correction and ε outside the root.

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

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, amsgrad: bool = False,
                 weight_decay=0.0, decoupled: bool = False, eps_hat: bool = False,
                 amsgrad_max: str = "raw"):
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
        if self.decoupled:
            self.name = "AdamW"

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _options(self):
        options = {k: True for k in ("amsgrad", "decoupled", "eps_hat") if getattr(self, k)}
        if self.amsgrad_max != "raw":
            options["amsgrad_max"] = self.amsgrad_max
        return options

    def init(self, theta) -> AdamState:
        return AdamState(0, _zeros(theta), _zeros(theta), _zeros(theta) if self.amsgrad else None)

    def _second_moment(self, v, v_max, beta2, t):
        """ṽ, the bias-corrected second moment line 6 divides by: v̂, or AMSGrad's maximum."""
        if v_max is None:
            return v / (1 - beta2 ** t)
        return v_max / (1 - beta2 ** t) if self.amsgrad_max == "raw" else v_max

    def _rate(self, v_tilde, lr, beta1, beta2, eps, t):
        """ρ/(1 − β₁ᵗ) / (ε + √ṽ): the factor that multiplies m in line 6
        (with ``eps_hat``, ε is ε̂/√(1 − β₂ᵗ))."""
        if self.eps_hat:
            eps = eps / np.sqrt(1 - beta2 ** t)
        return lr / (1 - beta1 ** t) / (eps + np.sqrt(v_tilde))

    def step(self, theta, grad, state: AdamState):
        theta, g, h = self._arguments(theta, grad, state)
        b1, b2, wd = h["beta1"], h["beta2"], h["weight_decay"]
        t = state.count + 1
        if self.decoupled:
            theta = theta * (1 - h["lr"] * wd)      # AdamW: decay Θ itself
        elif np.any(wd):
            g = g + wd * theta                       # L2: decay enters the gradient
        m = b1 * state.m + (1 - b1) * g
        # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
        v = b2 * state.v + (1 - b2) * g * g
        v_max = state.v_max
        if v_max is not None:  # AMSGrad: the running maximum of v (raw) or of v̂ (corrected)
            v_max = np.maximum(v_max, v if self.amsgrad_max == "raw" else v / (1 - b2 ** t))
        # line 6: ΔΘ = −ρ m̂ / (ε + √v̂)
        rate = self._rate(self._second_moment(v, v_max, b2, t), h["lr"], b1, b2, h["eps"], t)
        delta = -rate * m
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdamState(t, m, v, v_max)

    def effective_lr(self, state: AdamState) -> np.ndarray:
        h, t = self._hyper_for(state.v), max(state.count, 1)
        v_tilde = self._second_moment(state.v, state.v_max, h["beta2"], t)
        return self._rate(v_tilde, h["lr"], h["beta1"], h["beta2"], h["eps"], t)

    def step_(self, theta, grad, state: AdamState) -> AdamState:
        """In place, in cache-sized blocks, with no full-size temporaries; equals :meth:`step`."""
        theta, g, hyper = _in_place_arguments(self, theta, grad, state)
        t = state.count + 1
        scratch = np.empty((2, _block_size(theta)), theta.dtype)
        for rows, h in _blocks(theta, hyper):
            th, gr, m, v = theta[rows], g[rows], state.m[rows], state.v[rows]
            buf, grad_buf = (s[:th.size].reshape(th.shape) for s in scratch)
            wd = h["weight_decay"]
            if self.decoupled:
                th *= 1 - h["lr"] * wd
            elif np.any(wd):
                np.multiply(th, wd, out=grad_buf)
                grad_buf += gr
                gr = grad_buf
            m *= h["beta1"]
            np.multiply(gr, 1 - h["beta1"], out=buf)
            m += buf
            # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
            np.multiply(gr, gr, out=buf)
            buf *= 1 - h["beta2"]
            v *= h["beta2"]
            v += buf
            # line 6: ΔΘ = −ρ/(1 − β₁ᵗ) · m / (ε + √ṽ), ṽ = v/(1 − β₂ᵗ) or AMSGrad's maximum
            correction = 1 / (1 - h["beta2"] ** t)
            if state.v_max is None:
                np.multiply(v, correction, out=buf)
            elif self.amsgrad_max == "raw":
                v_max = state.v_max[rows]
                np.maximum(v_max, v, out=v_max)
                np.multiply(v_max, correction, out=buf)
            else:
                v_max = state.v_max[rows]
                np.multiply(v, correction, out=buf)
                np.maximum(v_max, buf, out=v_max)
                buf[...] = v_max
            np.sqrt(buf, out=buf)
            buf += h["eps"] * np.sqrt(correction) if self.eps_hat else h["eps"]
            np.divide(m, buf, out=buf)
            buf *= h["lr"] / (1 - h["beta1"] ** t)
            # line 7: Θ ← Θ + ΔΘ
            th -= buf
        return state._replace(count=t)
