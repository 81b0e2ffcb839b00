r"""Closed forms and small experiments behind the Adam chapter: Adam, AdaDelta, AMSGrad, AdamW.

Adam keeps two exponentially weighted averages started at zero, the *first moment*
:math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` and the *second moment*
:math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t \odot g_t` (RMSProp's :math:`r`). Both are
biased towards zero: for a constant gradient :math:`g`, :math:`m_t = (1-\beta_1^t)\,g` and
:math:`v_t = (1-\beta_2^t)\,g^2`, so dividing by :math:`1-\beta^t` (bias correction) gives back
:math:`g` and :math:`g^2` exactly. This module holds

* the bias-correction closed forms (:func:`bias_correction`, :func:`average_of_constant`) and
  the step sizes they imply (:func:`first_step`, :func:`constant_gradient_step`);
* :func:`step_after_drop` / :func:`recovery_steps` (how long a remembered large gradient
  keeps the steps small after the gradient shrinks);
* Zeiler's units argument for AdaDelta (the optimizers' ``update_units`` and ``state_units``,
  :class:`~adaptive_lr.objectives.Rescaled`,
  :func:`rescaled_state`, :func:`unit_ratio`) and AdaDelta's slow start
  (:func:`adadelta_first_step`, :func:`adadelta_constant_gradient_steps`);
* Reddi et al.'s online counter-example for Adam (:class:`OnlineCounterexample`,
  :func:`run_online`, :func:`max_rate_increase`);
* weight decay in Adam, as L2 or decoupled (:func:`decay_per_step`, on the
  :class:`~adaptive_lr.objectives.Alternating` objective).

Notation: ρ is the learning rate, β₁ and β₂ the decays of the two averages, ε the constant
against division by zero (outside the root, as in the paper and PyTorch), t counts from 1.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check
from ..objectives import Objective, Rescaled
from ..trace import trace

__all__ = [
    "bias_correction", "average_of_constant", "first_step", "constant_gradient_step",
    "step_after_drop", "recovery_steps",
    "rescaled_state", "predicted_unit_ratio",
    "unit_ratio",
    "adadelta_first_step", "adadelta_constant_gradient_steps",
    "OnlineCounterexample", "OnlineRun", "run_online", "max_rate_increase",
    "decay_per_step",
]


def _beta(name: str, value) -> np.ndarray:
    return check.hyperparameter(name, value, high=1.0)


def _steps(t) -> np.ndarray:
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"t must be integers ≥ 0, got {t!r}")
    return t


# ----------------------------------------------------------------- bias correction


def bias_correction(beta, t) -> np.ndarray:
    r""":math:`1-\beta^t`, the total weight an average started at 0 gives its first t inputs.

    Adam divides :math:`m_t` by :math:`1-\beta_1^t` and :math:`v_t` by :math:`1-\beta_2^t`.
    It is 0 at t = 0, :math:`1-\beta` at t = 1 and tends to 1; vectorized over both arguments.
    """
    return 1 - _beta("beta", beta) ** _steps(t)


def average_of_constant(beta, t, g=1.0) -> np.ndarray:
    r"""The average :math:`a_t = \beta a_{t-1} + (1-\beta) g`, from :math:`a_0 = 0`, after t steps.

    :math:`a_t = (1-\beta)\sum_{k=1}^t \beta^{t-k} g = (1-\beta^t)\, g`: the average is short
    of :math:`g` by the factor :func:`bias_correction`, which is why dividing by it is exact
    for a constant input (and unbiased for inputs with a constant mean).
    """
    return bias_correction(beta, t) * np.asarray(g, dtype=float)


def first_step(grad, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
               corrected: bool = True) -> np.ndarray:
    r"""Adam's first update :math:`\Delta\Theta_1`, from :math:`m_0 = v_0 = 0`.

    With bias correction :math:`\hat m_1 = g` and :math:`\hat v_1 = g^2`, so
    :math:`\Delta\Theta_1 = -\rho\, g/(\varepsilon + |g|) \approx -\rho\,\mathrm{sign}(g)`.
    Without it (``corrected=False``), :math:`m_1 = (1-\beta_1) g` and
    :math:`v_1 = (1-\beta_2) g^2` give
    :math:`-\rho (1-\beta_1) g / (\varepsilon + \sqrt{1-\beta_2}\,|g|)`: about 3.16ρ for the
    defaults, and RMSProp's :math:`\rho/\sqrt{1-\alpha}` when :math:`\beta_1 = 0`.
    """
    g = np.asarray(grad, dtype=float)
    rho = check.hyperparameter("lr", lr)
    b1, b2 = _betas(betas)
    e = check.hyperparameter("eps", eps)
    if corrected:
        return -rho * g / (e + np.abs(g))
    return -rho * (1 - b1) * g / (e + np.sqrt(1 - b2) * np.abs(g))


def constant_gradient_step(t, lr=1e-3, betas=(0.9, 0.999), eps=0.0, grad=1.0,
                           corrected: bool = True) -> np.ndarray:
    r"""Size :math:`|\Delta\Theta_t|` of step t when every gradient equals ``grad``.

    :math:`m_t = (1-\beta_1^t) g` and :math:`v_t = (1-\beta_2^t) g^2`, so with bias correction
    the step is :math:`\rho|g|/(\varepsilon + |g|)` at every t, and without it
    :math:`\rho (1-\beta_1^t)|g| / (\varepsilon + \sqrt{1-\beta_2^t}\,|g|)`. With
    :math:`\beta_1 = 0` and no correction this is RMSProp (α = β₂):
    :math:`\rho/\sqrt{1-\alpha^t}` for ε = 0, which starts at :math:`\rho/\sqrt{1-\alpha}` and
    falls to ρ. Vectorized over ``t`` (integers ≥ 1) and the other arguments.
    """
    t = _steps(t)
    if np.any(t < 1):
        raise ValueError("t counts steps from 1")
    rho = check.hyperparameter("lr", lr)
    b1, b2 = _betas(betas)
    e = check.hyperparameter("eps", eps)
    g = np.abs(np.asarray(grad, dtype=float))
    if corrected:
        return rho * g / (e + g) * np.ones(t.shape)
    return rho * (1 - b1 ** t) * g / (e + np.sqrt(1 - b2 ** t) * g)


def _betas(betas) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return _beta("betas[0]", betas[0]), _beta("betas[1]", betas[1])


def step_after_drop(n, decay, drop) -> np.ndarray:
    r"""Step size, in units of ρ, n steps after a coordinate's gradient shrinks by ``drop``.

    Model: the average of squared gradients has long settled at :math:`G^2` (bias correction
    no longer matters), then every gradient is :math:`g = G/D` with D = ``drop``; no momentum
    (β₁ = 0) and ε = 0. After n small gradients
    :math:`v_n = \beta^n G^2 + (1-\beta^n) g^2`, so the step is

    .. math:: \frac{|\Delta\Theta_n|}{\rho} = \frac{g}{\sqrt{v_n}}
              = \frac{1}{\sqrt{\beta^n D^2 + 1 - \beta^n}},

    :math:`1/D` at first and back to 1 (RMSProp's and Adam's normalized step) once
    :math:`\beta^n D^2 \ll 1`. ``decay`` is RMSProp's α or Adam's β₂.
    """
    n = _steps(n)
    b = _beta("decay", decay)
    d = check.hyperparameter("drop", drop, low=1.0)
    return 1 / np.sqrt(b ** n * d ** 2 + 1 - b ** n)


def recovery_steps(decay, drop, fraction=0.5) -> np.ndarray:
    r"""Steps after the drop until :func:`step_after_drop` is at least ``fraction`` (of ρ).

    Solving :math:`\beta^n (D^2 - 1) \le 1/f^2 - 1` for the smallest integer n ≥ 1:
    :math:`n = \lceil \ln\frac{1/f^2 - 1}{D^2 - 1} / \ln\beta \rceil`. About
    :math:`2\ln D/\ln(1/\beta)`, i.e. proportional to the window :math:`1/(1-\beta)`: for a
    drop of 1000 and f = 1/2, 121 steps for β = 0.9 and about 12 700 for β = 0.999.
    """
    b = check.hyperparameter("decay", decay, low=0.0, low_open=True, high=1.0)
    d = check.hyperparameter("drop", drop, low=1.0)
    f = check.hyperparameter("fraction", fraction, low=0.0, low_open=True, high=1.0)
    with np.errstate(divide="ignore"):
        x = np.log((1 / f ** 2 - 1) / np.where(d > 1, d ** 2 - 1, 1.0)) / np.log(b)
    n = np.where((d > 1) & (1 / d < f), np.ceil(x), 1.0)
    return np.maximum(n, 1.0).astype(np.int64)


# ------------------------------------------------------------------ sweeps


# ------------------------------------------------------------ units (AdaDelta)

# Each optimizer class states the units of its update and state (``update_units``,
# ``state_units``: powers of [Θ], the parameters' unit, with a unitless loss, so g has units
# 1/[Θ]): ρ g has 1/[Θ], g/√r is unitless, AdaDelta's RMS[ΔΘ]/RMS[g]·g has [Θ]. Only the last
# is consistent ("the update has the units of the parameter").


def rescaled_state(opt, state, c: float):
    """``state`` expressed in a unit c times smaller: each array field × c**power, with the
    powers of the optimizer's ``state_units``."""
    c = float(check.hyperparameter("c", c, low_open=True))
    if not isinstance(state, opt.state_type):
        raise TypeError(f"state must be the {opt.state_type.__name__} of {type(opt).__name__}, "
                        f"got {type(state).__name__}")
    return state._replace(**{field: value * c ** opt.state_units[field]
                             for field, value in zip(state._fields, state)
                             if isinstance(value, np.ndarray)})


def predicted_unit_ratio(opt, c) -> np.ndarray:
    r""":math:`c^{k-1}` with k the optimizer's ``update_units``: the predicted
    :math:`\Delta\Phi / (c\,\Delta\Theta)`, 1 only for an update with the units of Θ."""
    return np.asarray(c, dtype=float) ** (opt.update_units - 1)


def unit_ratio(opt, objective: Objective, c, warmup: int = 100) -> np.ndarray:
    r""":math:`\Delta\Phi / (c\,\Delta\Theta)` per coordinate: does the update follow the units?

    Runs ``opt`` ``warmup`` steps on ``objective`` from its start (:func:`~adaptive_lr.trace.trace`), then
    takes the next step twice: in the original units, and in units c times smaller
    (:class:`Rescaled` objective, parameters cΘ, state converted by :func:`rescaled_state`).
    ``c`` may be a sequence; the result has shape ``(len(c), d)`` then, ``(d,)`` for a
    scalar. An update with the units of Θ gives 1, up to ε, which carries no units and so
    matters only where the averages it is added to are not much larger than it; compare
    :func:`predicted_unit_ratio`. NaN where the original step is exactly 0.
    """
    warm = trace(opt, objective, objective.start, check.positive_int("warmup", warmup, minimum=0))
    theta, state = warm.thetas[-1], warm.state
    new, _ = opt.step(theta, objective.grad(theta, warmup), state)
    cs = np.asarray(c, dtype=float)
    out = []
    for value in cs.reshape(-1):
        scaled = Rescaled(objective, value)
        phi = scaled.c * theta
        new_phi, _ = opt.step(phi, scaled.grad(phi, warmup),
                              rescaled_state(opt, state, scaled.c))
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((new_phi - phi) / (scaled.c * (new - theta)))
    return np.array(out).reshape(cs.shape + theta.shape)


def adadelta_first_step(grad, rho=0.9, eps=1e-6) -> np.ndarray:
    r"""AdaDelta's first update, :math:`-\sqrt{\varepsilon}\,g/\sqrt{(1-\rho_d)g^2+\varepsilon}`.

    Its numerator :math:`\sqrt{u_0 + \varepsilon}` is :math:`\sqrt\varepsilon` (no updates yet),
    so the step is about :math:`\sqrt{\varepsilon/(1-\rho_d)}` whatever the gradient and
    whatever the units of Θ: 3.2e-3 for the PyTorch defaults (ρ_d = 0.9, ε = 1e-6).
    """
    g = np.asarray(grad, dtype=float)
    r = check.hyperparameter("rho", rho, high=1.0)
    e = check.hyperparameter("eps", eps, low_open=True)
    return -np.sqrt(e) * g / np.sqrt((1 - r) * g * g + e)


def adadelta_constant_gradient_steps(steps: int, rho=0.9, eps=1e-6, grad=1.0) -> np.ndarray:
    r"""Sizes :math:`|\Delta\Theta_1|, \dots, |\Delta\Theta_T|` of AdaDelta's steps on a constant
    gradient, by the recursion (vectorized over ``rho``, ``eps``, ``grad``; shape ``(T, ...)``).

    With :math:`g^2 \gg \varepsilon` the squared update average grows by about
    :math:`(1-\rho_d)\varepsilon` per step, so the step grows only like
    :math:`\sqrt{\varepsilon\,(1 + (1-\rho_d)\,t)}`: AdaDelta's slow start.
    """
    steps = check.positive_int("steps", steps)
    r = check.hyperparameter("rho", rho, high=1.0)
    e = check.hyperparameter("eps", eps, low_open=True)
    g = np.abs(np.asarray(grad, dtype=float))
    shape = np.broadcast_shapes(r.shape, e.shape, g.shape)
    acc_g, acc_u = np.zeros(shape), np.zeros(shape)
    out = np.empty((steps,) + shape)
    for t in range(steps):
        acc_g = r * acc_g + (1 - r) * g * g
        delta = np.sqrt(acc_u + e) / np.sqrt(acc_g + e) * g
        acc_u = r * acc_u + (1 - r) * delta * delta
        out[t] = delta
    return out


# -------------------------------------------------------------- AMSGrad


class OnlineCounterexample:
    r"""Reddi, Kale & Kumar's online problem on which Adam converges to the worst point.

    Losses :math:`f_t(x) = C x` when :math:`t \bmod 3 = 1` and :math:`f_t(x) = -x` otherwise
    (t = 1, 2, ...), on :math:`x \in [-1, 1]`, with C > 2. Over each period the sum is
    :math:`(C-2)x`, minimal at :math:`x^* = -1`. The large gradient C comes once in three
    steps; Adam with a short memory (their Theorem 1: β₁ = 0, β₂ = 1/(1+C²)) forgets it
    between occurrences, its effective rate grows on the two small gradients, and it drifts
    to +1.
    """

    def __init__(self, C: float = 3.0):
        self.C = float(check.hyperparameter("C", C, low=2.0, low_open=True))
        self.bounds = (-1.0, 1.0)
        self.best = -1.0

    def grad(self, t: int) -> float:
        """:math:`f_t'(x)`, the same for every x: C or −1."""
        t = check.positive_int("t", t)
        return self.C if t % 3 == 1 else -1.0

    def loss(self, x, t: int):
        return self.grad(t) * np.asarray(x, dtype=float)

    def average_regret(self, xs) -> float:
        r""":math:`\frac1T\sum_t f_t(x_t) - f_t(x^*)` for the points ``xs`` played at t = 1..T."""
        xs = np.asarray(xs, dtype=float).reshape(-1)
        g = np.array([self.grad(t) for t in range(1, len(xs) + 1)])
        return float(np.mean(g * (xs - self.best)))


class OnlineRun(NamedTuple):
    xs: np.ndarray      # (T,) the point played at step t (before its update)
    rates: np.ndarray   # (T,) the effective rate of the update at step t
    final: float        # the point after the last update


def run_online(opt, problem: OnlineCounterexample, steps: int, x0: float = 0.0) -> OnlineRun:
    """Projected online optimization: play x_t, receive f_t'(x_t), step, clip to the bounds.

    ``opt`` is any optimizer of the package (one parameter); the projection onto
    [−1, 1] is the clipping of Reddi et al.'s one-dimensional example.
    """
    steps = check.positive_int("steps", steps)
    x = np.array([float(x0)])
    state = opt.init(x)
    xs, rates = np.empty(steps), np.empty(steps)
    low, high = problem.bounds
    for t in range(1, steps + 1):
        xs[t - 1] = x[0]
        x, state = opt.step(x, np.array([problem.grad(t)]), state)
        x = np.clip(x, low, high)
        rates[t - 1] = float(np.asarray(opt.effective_lr(state)).reshape(-1)[0])
    return OnlineRun(xs, rates, float(x[0]))


def max_rate_increase(rates, start: int = 0) -> float:
    r"""The largest :math:`\text{rate}_{t}/\text{rate}_{t-1}` over steps t > ``start``
    (0-based); ≤ 1 means the effective rate never increased there."""
    r = np.asarray(rates, dtype=float)[start:]
    if r.size < 2:
        raise ValueError("need at least two rates after start")
    return float(np.max(r[1:] / r[:-1]))


# ------------------------------------------------------------- weight decay


def decay_per_step(lr, weight_decay, v_hat=None, eps=1e-8, decoupled: bool = False
                   ) -> np.ndarray:
    r"""Fraction of Θ that weight decay λ removes per step in Adam.

    Decoupled (AdamW): :math:`\Theta \leftarrow \Theta(1-\rho\lambda)`, so :math:`\rho\lambda`
    for every coordinate. As L2 in the gradient (PyTorch ``Adam(weight_decay=λ)``), the term
    :math:`\lambda\Theta` is divided by :math:`\varepsilon + \sqrt{\hat v}` like the rest of the
    gradient: :math:`\rho\lambda/(\varepsilon + \sqrt{\hat v})` when the loss gradient
    dominates :math:`\hat v` and its own average is 0. Coordinates with large gradients are
    decayed less. ``v_hat`` is needed (and used) only for L2.
    """
    rho = check.hyperparameter("lr", lr)
    lam = check.hyperparameter("weight_decay", weight_decay)
    if decoupled:
        return rho * lam * (np.ones(np.shape(v_hat)) if v_hat is not None else 1.0)
    if v_hat is None:
        raise ValueError("L2 weight decay needs v_hat, the second-moment estimate")
    v = check.hyperparameter("v_hat", v_hat)
    return rho * lam / (check.hyperparameter("eps", eps) + np.sqrt(v))
