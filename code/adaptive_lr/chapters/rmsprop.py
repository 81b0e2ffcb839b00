r"""Closed forms behind RMSProp's accumulator, for checking the optimizers against.

RMSProp's line 5, :math:`r_t = \alpha\, r_{t-1} + (1-\alpha)\, g_t \odot g_t`, unrolls to

.. math::

   r_t = \alpha^t r_0 + (1-\alpha) \sum_{k=1}^{t} \alpha^{t-k}\, g_k \odot g_k ,

an exponentially weighted moving average whose weights :math:`(1-\alpha)\alpha^{t-k}` sum to
:math:`1 - \alpha^t`. This module computes those weights and their summaries (effective
window, half-life), the explicit sum itself, the size of the first step that the missing
weight :math:`\alpha^t` causes when :math:`r_0 = 0`, and the approximate conversion between
ε inside and outside the square root. Everything accepts arrays and broadcasts.

Conventions: α is the decay (PyTorch ``alpha``, Keras ``rho``), ρ the learning rate, steps
count from 1, and :math:`k` indexes the gradient :math:`g_k` of step :math:`k`.
"""
from __future__ import annotations

import numpy as np

from .. import _validation as check
from ..memory import ema_weight_sum, ema_weights

__all__ = [
    "explicit_accumulator", "constant_gradient_accumulator",
    "first_step", "denominator", "eps_outside_from_inside", "eps_inside_from_outside",
    "denominator_ratio",
]


def explicit_accumulator(grads, alpha, r0=0.0) -> np.ndarray:
    r""":math:`r_t = \alpha^t r_0 + (1-\alpha)\sum_{k\le t}\alpha^{t-k} g_k^2` for every ``t``.

    Args:
      grads: gradients :math:`g_1, \dots, g_T`, shape ``(T, *d)``.
      alpha: the decay, a scalar.
      r0: the starting value (0 in PyTorch, Keras and optax; 1 in TensorFlow 1).

    Returns ``(T, *d)``: row ``t - 1`` is :math:`r_t`, computed as the weighted sum (not by the
    recursion), so it can check an optimizer's line 5.
    """
    g = check.float_array("grads", grads)
    if g.ndim == 0 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, ...) with T ≥ 1, got {g.shape}")
    a = float(check.hyperparameter("alpha", alpha, high=1.0, high_open=False))
    out = np.empty(g.shape, dtype=np.float64)
    square = g.astype(np.float64) ** 2
    for t in range(1, g.shape[0] + 1):
        w = ema_weights(a, t).reshape((t,) + (1,) * (g.ndim - 1))
        out[t - 1] = a ** t * np.asarray(r0, dtype=np.float64) + np.sum(w * square[:t], axis=0)
    return out


def constant_gradient_accumulator(alpha, t, g=1.0) -> np.ndarray:
    r""":math:`r_t = (1-\alpha^t)\, g^2` for a gradient that is :math:`g` at every step (r₀ = 0).

    Its square root :math:`\sqrt{1-\alpha^t}\,|g|` underestimates the gradient's RMS :math:`|g|`;
    Adam divides by :math:`1-\alpha^t` to remove exactly this bias.
    """
    return ema_weight_sum(alpha, t) * np.asarray(g, dtype=float) ** 2


def first_step(lr, alpha, grad=None, eps=0.0, eps_inside_sqrt: bool = False) -> np.ndarray:
    r"""Size of RMSProp's first update, :math:`|\Delta\Theta_1|`, with :math:`r_0 = 0`.

    Then :math:`r_1 = (1-\alpha) g^2`, so
    :math:`|\Delta\Theta_1| = \rho|g| / (\varepsilon + \sqrt{1-\alpha}\,|g|)`, which is
    :math:`\rho/\sqrt{1-\alpha}` whatever the gradient when :math:`\varepsilon \ll |g|`
    (the default ``grad=None``, ``eps=0``): 10ρ for α = 0.99, about 31.6ρ for α = 0.999.
    At α = 1 the accumulator never moves from 0 and the step is
    :math:`\rho |g| / \varepsilon` (or :math:`\rho|g|/\sqrt{\varepsilon}` with ε inside
    the root).
    """
    rho = check.hyperparameter("lr", lr)
    a = check.hyperparameter("alpha", alpha, high=1.0, high_open=False)
    e = check.hyperparameter("eps", eps)
    if grad is None:
        if np.any(e > 0):
            raise ValueError("first_step with eps > 0 needs the gradient: pass grad")
        with np.errstate(divide="ignore"):
            return np.where(a < 1, rho / np.sqrt(np.where(a < 1, 1 - a, 1.0)), np.inf)
    g = np.abs(np.asarray(grad, dtype=float))
    r1 = (1 - a) * g ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return rho * g / denominator(r1, e, eps_inside_sqrt)


def denominator(r, eps, eps_inside_sqrt: bool = False) -> np.ndarray:
    r"""RMSProp's divisor: :math:`\varepsilon + \sqrt r` (PyTorch) or :math:`\sqrt{r + \varepsilon}`
    (Keras, optax, TensorFlow, the Deep Learning book)."""
    r = np.asarray(r, dtype=float)
    e = np.asarray(eps, dtype=float)
    return np.sqrt(r + e) if eps_inside_sqrt else e + np.sqrt(r)


def eps_outside_from_inside(eps_inside) -> np.ndarray:
    r"""The ε outside the root that matches a given ε inside it: :math:`\sqrt{\varepsilon_{in}}`.

    Both divisors then equal :math:`\sqrt{\varepsilon_{in}}` at r = 0 and :math:`\sqrt r` for
    r ≫ ε; in between they differ by at most a factor √2 (see :func:`denominator_ratio`).
    Keras' default 1e-7 inside corresponds to about 3.2e-4 outside, not to PyTorch's 1e-8.
    """
    return np.sqrt(check.hyperparameter("eps_inside", eps_inside))


def eps_inside_from_outside(eps_outside) -> np.ndarray:
    r"""The inverse of :func:`eps_outside_from_inside`: :math:`\varepsilon_{out}^2`."""
    return check.hyperparameter("eps_outside", eps_outside) ** 2


def denominator_ratio(r, eps_outside) -> np.ndarray:
    r"""(ε + √r) / √(r + ε²): the outside divisor over the matched inside one.

    Always in [1, √2]; 1 at r = 0 and as r → ∞, √2 exactly at √r = ε. So after the
    conversion the two conventions give steps within a factor √2 of each other.
    """
    e = check.hyperparameter("eps_outside", eps_outside, low_open=True)
    r = np.asarray(r, dtype=float)
    return denominator(r, e) / denominator(r, e ** 2, eps_inside_sqrt=True)


def layer_steps(run, depth: int) -> np.ndarray:
    r"""Mean :math:`|\Delta w_l|` per step of a :func:`~adaptive_lr.minimize` run, per layer:
    shape ``(*B, L)``.

    The average is over the recorded steps (use ``record_every=1``); diverged steps are skipped.
    """
    w = run.thetas[..., :depth]
    return np.nanmean(np.abs(np.diff(w, axis=0)), axis=0)
