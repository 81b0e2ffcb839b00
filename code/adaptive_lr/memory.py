r"""How long an optimizer remembers a gradient: the weights of its squared-gradient average.

RMSProp's line 5, :math:`r_t = \alpha\, r_{t-1} + (1-\alpha)\, g_t \odot g_t`, unrolls to

.. math::

   r_t = \alpha^t r_0 + (1-\alpha) \sum_{k=1}^{t} \alpha^{t-k}\, g_k \odot g_k ,

an exponentially weighted moving average whose weights :math:`(1-\alpha)\alpha^{t-k}` sum to
:math:`1 - \alpha^t`. This module computes those weights and their summaries (effective
window, half-life) for a decay α, or for any optimizer through its
:attr:`~adaptive_lr.optim.Optimizer.accumulator_decay` (RMSProp's α, Adam's β₂, AdaDelta's
ρ_d; 1 for AdaGrad's sum). Everything accepts arrays and broadcasts.

Conventions: α is the decay (PyTorch ``alpha``, Keras ``rho``), steps count from 1, and
:math:`k` indexes the gradient :math:`g_k` of step :math:`k`.
"""
from __future__ import annotations

import numpy as np

from . import _validation as check

__all__ = ["ema_weights", "ema_weight_sum", "effective_window", "half_life", "steps_to_fade",
           "decay_of", "relative_weights", "memory_summary"]


def _alpha(alpha) -> np.ndarray:
    return check.hyperparameter("alpha", alpha, high=1.0, high_open=False)


def ema_weights(alpha, t: int) -> np.ndarray:
    r"""Weights :math:`(1-\alpha)\alpha^{t-k}` of :math:`g_1^2, \dots, g_t^2` in :math:`r_t`.

    Returns shape ``(*alpha.shape, t)``; entry ``k - 1`` is the weight of step ``k``'s squared
    gradient, so the last entry (the newest gradient) is :math:`1-\alpha`, the largest.
    """
    a = _alpha(alpha)[..., None]
    t = check.positive_int("t", t)
    age = t - np.arange(1, t + 1)
    return (1 - a) * a ** age


def ema_weight_sum(alpha, t) -> np.ndarray:
    r""":math:`\sum_{k=1}^t (1-\alpha)\alpha^{t-k} = 1 - \alpha^t`, the mass of :math:`r_t`.

    Below 1 for every finite ``t`` (if α > 0): the missing :math:`\alpha^t` is the weight of
    :math:`r_0`, which is 0, so early values of r are biased towards 0.
    """
    t = np.asarray(t)
    if np.any(t < 0):
        raise ValueError(f"t must be ≥ 0, got {t!r}")
    return 1 - _alpha(alpha) ** t


def effective_window(alpha) -> np.ndarray:
    r""":math:`1/(1-\alpha)`, the average age plus one of a gradient in :math:`r` (∞ at α = 1).

    It is also the number of equal weights :math:`1-\alpha` with total mass 1, hence the
    usual reading "r averages over the last :math:`1/(1-\alpha)` steps".
    """
    a = _alpha(alpha)
    with np.errstate(divide="ignore"):
        return np.where(a < 1, 1 / np.where(a < 1, 1 - a, 1.0), np.inf)


def half_life(alpha) -> np.ndarray:
    r""":math:`\ln 2 / \ln(1/\alpha)`: steps after which a gradient's weight has halved.

    0 for α = 0 (only the newest gradient counts), ∞ for α = 1 (nothing fades). For α near 1
    it is about :math:`\ln 2 \cdot 1/(1-\alpha) \approx 0.69` windows.
    """
    return steps_to_fade(alpha, 0.5)


def steps_to_fade(alpha, fraction) -> np.ndarray:
    r"""Steps :math:`n` with :math:`\alpha^n` = ``fraction``, i.e.
    :math:`n = \ln(\text{fraction})/\ln\alpha`.

    The age at which a gradient's weight has fallen to ``fraction`` of the newest one's.
    """
    a = _alpha(alpha)
    f = check.hyperparameter("fraction", fraction, low=0.0, low_open=True, high=1.0)
    with np.errstate(divide="ignore"):
        log_a = np.log(np.where(a > 0, a, 1.0))
        n = np.log(f) / np.where(a < 1, log_a, -1.0)
    return np.where(a == 0, 0.0, np.where(a == 1, np.inf, n))


def decay_of(opt) -> float | None:
    """The decay of an optimizer's squared-gradient accumulator, as a float.

    RMSProp's α, Adam's β₂, AdaDelta's ρ_d; 1.0 for AdaGrad (a sum forgets nothing); ``None``
    for optimizers without an accumulator (SGD) or with an array (batched) decay. Read from
    the optimizer's class (:attr:`~adaptive_lr.optim.Optimizer.accumulator_decay`), never
    from its display name.
    """
    decay = opt.accumulator_decay
    return float(decay) if decay is not None and np.ndim(decay) == 0 else None


def relative_weights(opt, t: int) -> np.ndarray | None:
    r"""Weight of :math:`g_k^2` in the accumulator after step ``t``, relative to :math:`g_t^2`.

    :math:`\alpha^{t-k}` for k = 1..t (shape ``(t,)``): all ones for AdaGrad, decaying into
    the past for RMSProp (α), Adam (β₂) and AdaDelta. An average with decay 1 takes in no
    gradient at all (its weights 1 − α are 0), so it gives zeros. ``None`` when
    :func:`decay_of` is.
    """
    t = check.positive_int("t", t)
    decay = decay_of(opt)
    if decay is None:
        return None
    if opt.decay_key is None:  # a sum
        return np.ones(t)
    if decay == 1.0:
        return np.zeros(t)
    return decay ** (t - np.arange(1.0, t + 1))


def memory_summary(opt) -> str:
    """One line on how long the accumulator remembers: window and half-life, in steps."""
    decay = decay_of(opt)
    if decay is None:
        return "decay varies across the batch" if opt.accumulates else "no accumulator"
    if opt.decay_key is None:
        return "sums every gradient, forgets none"
    if decay == 1.0:  # infinite memory of r₀: no gradient ever enters the average
        r0 = opt.hyperparameters.get("initial_accumulator_value", np.float64(0.0))
        start = f"{float(r0):g}" if np.ndim(r0) == 0 else "its start"
        return f"decay 1: r stays at r₀ = {start} forever, no gradient enters"
    return (f"window {float(effective_window(decay)):.4g}, "
            f"half-life {float(half_life(decay)):.3g} steps")
