"""NAdam: Adam with Nesterov's look-ahead momentum and a warming momentum schedule."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from .base import Optimizer, _blocks, _flag, _in_place_arguments, _scratch

__all__ = ["NAdam", "NAdamState"]


class NAdamState(NamedTuple):
    count: int
    m: np.ndarray            # first moment, average of g (decay β₁)
    v: np.ndarray            # second moment, average of g⊙g (the r of RMSProp)
    mu_product: np.ndarray   # Π μ_i over the steps taken, float64: 0-d, or θ's shape when
                             # β₁ or ψ vary over θ (PyTorch keeps it as a 0-d tensor)


class NAdam(Optimizer):
    r"""NAdam: Adam whose momentum looks one step ahead, as Nesterov's does.

    .. math::

        \mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \qquad
        \Pi_t = \Pi_{t-1}\,\mu_t \ (\Pi_0 = 1) \quad\text{(line 4)}

        m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t \odot g_t \quad\text{(line 5)}

        \Delta\Theta_t = -\frac{\rho}{\varepsilon + \sqrt{\hat v_t}} \odot \bar m_t, \qquad
        \bar m_t = \frac{\mu_{t+1}\, m_t}{1 - \Pi_t\,\mu_{t+1}}
                 + \frac{(1-\mu_t)\, g_t}{1 - \Pi_t}, \qquad
        \hat v_t = \frac{v_t}{1-\beta_2^t} \quad\text{(line 6)}

    and :math:`\Theta_t = \Theta_{t-1} + \Delta\Theta_t` (line 7). Adam steps along its
    corrected average m̂ₜ, in which the momentum of the past weighs β₁. Nesterov's momentum
    first moves along the momentum and then takes the gradient step; Dozat folds that
    look-ahead into Adam by stepping along the momentum of the *next* step, μₜ₊₁ mₜ, plus
    the part (1 − μₜ) gₜ the new gradient contributes now, each with its own bias correction
    (the products Πₜ₊₁ = Πₜ μₜ₊₁ and Πₜ of the schedule). With a constant μ and the
    corrections left out, m̄ = μ m + (1 − μ) g: one more momentum step than Adam's m.

    The schedule μₜ is Dozat's momentum warm-up (after Sutskever et al.): it starts near
    β₁/2 and rises towards β₁ with a half-life of ln 2/(ψ ln(1/0.96)) ≈ 4245 steps for the
    default ψ = 0.004 = 1/250. ψ = 0 keeps μₜ = β₁/2 for good. m itself is averaged with the
    fixed β₁, as PyTorch and Keras do; μₜ enters only line 6.

    where:
      - ρ (``lr``): step size, default 0.002 (PyTorch, Keras).
      - β₁, β₂ (``betas``): decays of the two averages, each in [0, 1), default (0.9, 0.999).
      - ε (``eps``): default 1e-8, outside the root of the corrected v̂.
      - ψ (``momentum_decay``): speed of the momentum schedule, ≥ 0, default 0.004.
      - ``weight_decay`` λ: with ``decoupled=False`` (default) it is L2, g ← g + λΘ; with
        ``decoupled=True`` (PyTorch's ``decoupled_weight_decay``) Θ ← Θ(1 − ρλ) before the
        update, "NAdamW" (1 − ρλ in float64).
      - ``name``: display name for legends, labels and ``repr`` (default ``"NAdam"``, and
        ``"NAdamW"`` with ``decoupled=True``).

    The step follows PyTorch's ``_single_tensor_nadam``: μₜ, μₜ₊₁, 1 − β₂ᵗ and the two step
    sizes −ρ(1 − μₜ)/(1 − Πₜ) and −ρμₜ₊₁/(1 − Πₜμₜ₊₁) are float64 (Python floats in
    PyTorch) and then cast to θ's dtype; the denominator is √(v/(1 − β₂ᵗ)) + ε (v divided
    before the root, unlike Adam's √v/√(1 − β₂ᵗ)); Θ gets the gradient term and then the
    momentum term, each multiplied before it is divided, as PyTorch's two ``addcdiv`` calls.
    The product Πₜ is kept in ``state.mu_product`` in float64 whatever θ's dtype: PyTorch
    keeps it as a 0-d tensor of its default dtype, float32 unless
    ``torch.set_default_dtype(torch.float64)``, so a float64 PyTorch run agrees with this
    one to 1e-10 only under that setting (otherwise Πₜ carries float32 rounding, ~1e-7).
    ``effective_lr`` is ρ/(ε + √v̂), the factor that multiplies m̄ in line 6.

    References:
      Dozat, *Incorporating Nesterov momentum into Adam*, ICLR 2016 workshop track.
      Sutskever, Martens, Dahl & Hinton, *On the importance of initialization and momentum in
      deep learning*, ICML 2013 (the momentum schedule).
    """

    name = "NAdam"
    state_type = NAdamState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2", "ψ": "momentum_decay"}
    accumulates, decay_key = True, "beta2"
    state_units = {"m": -1, "v": -2, "mu_product": 0}
    doubles = ("lr", "beta1", "beta2", "momentum_decay")

    def __init__(self, lr=0.002, betas=(0.9, 0.999), eps=1e-8, momentum_decay=0.004,
                 weight_decay=0.0, decoupled: bool = False, *, name: str | None = None):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=check.hyperparameter("betas[0]", betas[0], high=1.0),
            beta2=check.hyperparameter("betas[1]", betas[1], high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True),
            momentum_decay=check.hyperparameter("momentum_decay", momentum_decay),
            weight_decay=check.hyperparameter("weight_decay", weight_decay))
        self.decoupled = _flag("decoupled", decoupled)
        self._set_name(name, "NAdamW" if self.decoupled else None)

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _options(self):
        return {"decoupled": True} if self.decoupled else {}

    def _derived(self):
        h = self._hyper
        return {"1-beta1": 1 - h["beta1"], "1-beta2": 1 - h["beta2"],
                "1-lr*wd": 1 - h["lr"] * h["weight_decay"]}

    # ------------------------------------------------------------- the momentum product

    def _state_fields(self):
        return ("m", "v")   # θ-shaped buffers; mu_product is checked on its own

    def _product_shape(self, h) -> tuple[int, ...]:
        """Shape of Πₜ: () when β₁ and ψ are single values, else θ's (they are spread)."""
        return np.broadcast_shapes(h["beta1_64"].shape, h["momentum_decay_64"].shape)

    def init(self, theta) -> NAdamState:
        """Count 0, zero moments of θ's shape and dtype, and Π₀ = 1 in float64."""
        state = super().init(theta)
        h = self._hyper_for(state.m)
        return state._replace(mu_product=np.ones(self._product_shape(h), np.float64))

    def _check_state(self, state, theta=None) -> None:
        super()._check_state(state._replace(mu_product=None)
                             if isinstance(state, NAdamState) else state, theta)
        product = state.mu_product
        reference = state.m if theta is None else theta
        expected = self._product_shape(self._hyper_for(np.asarray(reference)))
        if not isinstance(product, np.ndarray):
            raise ValueError(f"state.mu_product must be the float64 array of {self.name}.init "
                             f"(the product of the momentum schedule), got "
                             f"{type(product).__name__}; call this optimizer's init")
        if product.dtype != np.float64:
            raise TypeError(f"state.mu_product has dtype {product.dtype} but must be float64 "
                            f"(the schedule's product is kept in double precision); call init")
        if product.shape != expected:
            raise ValueError(f"state.mu_product has shape {product.shape} but this "
                             f"optimizer's schedule has shape {expected} (() unless beta1 or "
                             f"momentum_decay vary over theta); call this optimizer's init")

    # ------------------------------------------------------------------------ the steps

    @staticmethod
    def _mu(h, t: int) -> np.ndarray:
        """The schedule μₜ = β₁(1 − ½·0.96^{tψ}), in float64."""
        return h["beta1_64"] * (1.0 - 0.5 * np.power(0.96, t * h["momentum_decay_64"]))

    def _factors(self, h, t: int, mu_product) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Step t's factors in float64 (PyTorch's Python floats), cast to θ's dtype: 1 − β₂ᵗ,
        the gradient's and the momentum's step sizes; and the new product Πₜ (float64)."""
        mu, mu_next = self._mu(h, t), self._mu(h, t + 1)
        product = np.asarray(mu_product * mu)   # stays an array (0-d for one schedule)
        lr = h["lr_64"]
        factors = {"c2": 1 - np.power(h["beta2_64"], t),
                   "grad_size": (-lr * (1.0 - mu)) / (1.0 - product),
                   "momentum_size": (-lr * mu_next) / (1.0 - product * mu_next)}
        return {k: np.asarray(v, h["lr"].dtype) for k, v in factors.items()}, product

    def step(self, theta, grad, state: NAdamState):
        theta, g, h = self._arguments(theta, grad, state)
        t = int(state.count) + 1
        # line 4: the schedule μₜ = β₁(1 − ½·0.96^{tψ}), μₜ₊₁, and Πₜ = Πₜ₋₁ μₜ
        f, mu_product = self._factors(h, t, state.mu_product)
        if self.decoupled:
            theta = theta * h["1-lr*wd"]             # NAdamW: decay Θ itself
        elif np.any(h["weight_decay"]):
            g = g + h["weight_decay"] * theta        # L2: decay enters the gradient
        # line 5: m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g ⊙ g
        m = h["beta1"] * state.m + h["1-beta1"] * g
        v = h["beta2"] * state.v + h["1-beta2"] * g * g
        # line 6: ΔΘ = −ρ m̄ / (ε + √v̂), m̄ = μₜ₊₁ m/(1 − Πₜμₜ₊₁) + (1 − μₜ) g/(1 − Πₜ);
        # applied as PyTorch does, the gradient's term first, then the momentum's
        denominator = np.sqrt(v / f["c2"]) + h["eps"]
        theta = theta + f["grad_size"] * g / denominator
        # line 7: Θ ← Θ + ΔΘ (its second term)
        theta = theta + f["momentum_size"] * m / denominator
        return theta, NAdamState(t, m, v, mu_product)

    def effective_lr(self, state: NAdamState) -> np.ndarray:
        """ρ / (ε + √v̂): the factor that multiplies m̄ in line 6."""
        h = self._state_hyper(state)
        c2 = np.asarray(1 - np.power(h["beta2_64"], max(int(state.count), 1)), h["lr"].dtype)
        return h["lr"] / (np.sqrt(state.v / c2) + h["eps"])

    def step_(self, theta, grad, state: NAdamState) -> NAdamState:
        """In place, in cache-sized blocks of the flat arrays, with no full-size temporaries;
        the same operations in the same order as :meth:`step`."""
        theta, g, buffers, hyper = _in_place_arguments(self, theta, grad, state)
        t = int(state.count) + 1
        product = buffers.pop("mu_product")           # flat view of state.mu_product
        one_schedule = state.mu_product.ndim == 0     # β₁ and ψ single values
        scalar = all(hyper[f"{k}_64"].ndim == 0 for k in self.doubles)
        f = self._factors(hyper, t, state.mu_product)[0] if scalar else None
        scratch, grad_scratch = _scratch(theta, 2)
        denominator_scratch = _scratch(theta)[0]
        for block, h in _blocks(theta.size, hyper):
            th, gr = theta[block], g[block]
            m, v = buffers["m"][block], buffers["v"][block]
            buf, den = scratch[:th.size], denominator_scratch[:th.size]
            if scalar:
                block_f = f
            elif one_schedule:   # ρ or β₂ vary over θ, the schedule does not
                block_f = self._factors(h, t, state.mu_product)[0]
            else:   # the schedule varies over θ: this block's factors and products
                block_f, product[block] = self._factors(h, t, product[block])
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
            # line 6: the denominator √(v/(1 − β₂ᵗ)) + ε, then the gradient's term
            np.divide(v, block_f["c2"], out=den)
            np.sqrt(den, out=den)
            den += h["eps"]
            np.multiply(block_f["grad_size"], gr, out=buf)
            buf /= den
            th += buf
            # line 7: and the momentum's term
            np.multiply(block_f["momentum_size"], m, out=buf)
            buf /= den
            th += buf
        if one_schedule:     # Πₜ = Πₜ₋₁ μₜ, once, after every block has used Πₜ₋₁
            product[...] = state.mu_product * self._mu(hyper, t)
        return state._replace(count=t)
