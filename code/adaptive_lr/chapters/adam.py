r"""Closed forms and small experiments behind the Adam chapter: Adam, AdaDelta, AMSGrad, AdamW.

Adam keeps two exponentially weighted averages started at zero, the *first moment*
:math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` and the *second moment*
:math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t \odot g_t` (RMSProp's :math:`r`). Both are
biased towards zero: for a constant gradient :math:`g`, :math:`m_t = (1-\beta_1^t)\,g` and
:math:`v_t = (1-\beta_2^t)\,g^2`, so dividing by :math:`1-\beta^t` (bias correction) gives back
:math:`g` and :math:`g^2` exactly. This module holds

* the bias-correction closed forms (:func:`bias_correction`, :func:`average_of_constant`) and
  the step sizes they imply (:func:`first_step`, :func:`constant_gradient_step`);
* :class:`MomentMethod`, Adam with each bias correction switchable: with :math:`\beta_1 = 0`
  and no correction it is RMSProp, with :math:`\beta_1 = 0` and the second correction it is
  "RMSProp with bias correction", which is what Adam with :math:`\beta_1 = 0` computes;
* :func:`updates` (feed a fixed gradient sequence to any optimizer), and
  :func:`step_after_drop` / :func:`recovery_steps` (how long a remembered large gradient
  keeps the steps small after the gradient shrinks);
* :class:`ObjectiveStack` (several objectives in one batched :func:`~adaptive_lr.minimize`
  call), :func:`settle_step` (when a run's loss stays below a tolerance) and
  :func:`fastest` (the best entry of a sweep);
* Zeiler's units argument for AdaDelta (:data:`UPDATE_UNITS`, :class:`Rescaled`,
  :func:`rescaled_state`, :func:`unit_ratio`) and AdaDelta's slow start
  (:func:`adadelta_first_step`, :func:`adadelta_constant_gradient_steps`);
* Reddi et al.'s online counter-example for Adam (:class:`OnlineCounterexample`,
  :func:`run_online`, :func:`max_rate_increase`);
* weight decay in Adam, as L2 or decoupled (:class:`Alternating`, :func:`decay_per_step`).

Notation: ρ is the learning rate, β₁ and β₂ the decays of the two averages, ε the constant
against division by zero (outside the root, as in the paper and PyTorch), t counts from 1.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .. import _validation as check
from ..objectives import Objective
from ..optim import Optimizer

__all__ = [
    "bias_correction", "average_of_constant", "first_step", "constant_gradient_step",
    "MomentMethod", "MomentState", "updates", "step_after_drop", "recovery_steps",
    "ObjectiveStack", "settle_step", "fastest",
    "UPDATE_UNITS", "STATE_UNITS", "Rescaled", "rescaled_state", "predicted_unit_ratio",
    "warm_state", "unit_ratio", "steps_until", "steps_until_stays",
    "adadelta_first_step", "adadelta_constant_gradient_steps",
    "OnlineCounterexample", "OnlineRun", "run_online", "max_rate_increase",
    "Alternating", "decay_per_step",
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


class MomentState(NamedTuple):
    count: int
    m: np.ndarray  # first moment, average of g
    v: np.ndarray  # second moment, average of g⊙g (RMSProp's r)


class MomentMethod(Optimizer):
    r"""Adam with each bias correction switchable, to take it apart.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t \odot g_t \quad\text{(line 5)}

        \Delta\Theta_t = -\rho\, \frac{m_t / c_1}{\varepsilon + \sqrt{v_t / c_2}}
        \quad\text{(line 6)}, \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t
        \quad\text{(line 7)}

    with :math:`c_1 = 1-\beta_1^t` if ``correct_first`` else 1, and :math:`c_2 = 1-\beta_2^t`
    if ``correct_second`` else 1. Both corrections on: :class:`~adaptive_lr.Adam`.
    :math:`\beta_1 = 0` and both off: :class:`~adaptive_lr.RMSProp` with α = β₂.
    :math:`\beta_1 = 0` with the second correction: RMSProp with bias correction, which is what
    Adam computes when :math:`\beta_1 = 0`. The package's optimizers are the reference; this
    class exists so the chapter can switch the corrections off.

    ``name`` sets the legend name (default: says which corrections are on).
    """

    state_type = MomentState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2"}

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, correct_first: bool = True,
                 correct_second: bool = True, name: str | None = None):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=_beta("beta1", beta1),
            beta2=_beta("beta2", beta2),
            eps=check.hyperparameter("eps", eps, low_open=True))
        for flag, value in [("correct_first", correct_first), ("correct_second", correct_second)]:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{flag} must be True or False, got {value!r}")
        self.correct_first, self.correct_second = bool(correct_first), bool(correct_second)
        if name is None:
            which = {(True, True): "both corrections", (False, False): "no bias correction",
                     (True, False): "m corrected only", (False, True): "v corrected only"}
            name = f"moments, {which[self.correct_first, self.correct_second]}"
        self.name = name

    def _options(self):
        return {"correct_first": self.correct_first, "correct_second": self.correct_second}

    def init(self, theta) -> MomentState:
        zeros = np.zeros_like(check.float_array("theta", theta))
        return MomentState(0, zeros, zeros.copy())

    def _rate(self, v, lr, beta1, beta2, eps, t):
        c1 = 1 - beta1 ** t if self.correct_first else 1.0
        c2 = 1 - beta2 ** t if self.correct_second else 1.0
        return lr / c1 / (eps + np.sqrt(v / c2))

    def step(self, theta, grad, state: MomentState):
        theta, g, h = self._arguments(theta, grad, state)
        t = state.count + 1
        m = h["beta1"] * state.m + (1 - h["beta1"]) * g
        # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
        v = h["beta2"] * state.v + (1 - h["beta2"]) * g * g
        # line 6: ΔΘ = −ρ (m / c₁) / (ε + √(v / c₂))
        delta = -self._rate(v, h["lr"], h["beta1"], h["beta2"], h["eps"], t) * m
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, MomentState(t, m, v)

    def effective_lr(self, state: MomentState) -> np.ndarray:
        """The factor that multiplies m in line 6 (as for :class:`~adaptive_lr.Adam`)."""
        return self._rate(state.v, self.lr, self.beta1, self.beta2, self.eps,
                          max(state.count, 1))


def updates(opt, grads, theta0=None) -> np.ndarray:
    r"""The updates :math:`\Delta\Theta_1, \dots, \Delta\Theta_T` that ``opt`` makes when fed
    the gradients ``grads`` (shape ``(T, *d)``) one by one, whatever the parameters become.

    Gradients that do not depend on the parameters isolate what an optimizer does with a
    given gradient history (a constant gradient, a sudden drop, ...). Returns ``(T, *d)``.
    """
    g = check.float_array("grads", grads)
    if g.ndim == 0 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, ...) with T ≥ 1, got {g.shape}")
    theta = np.zeros(g.shape[1:], g.dtype) if theta0 is None else \
        check.float_array("theta0", theta0).copy()
    state = opt.init(theta)
    out = np.empty(g.shape, g.dtype)
    for t, gradient in enumerate(g):
        new, state = opt.step(theta, gradient, state)
        out[t], theta = new - theta, new
    return out


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


class ObjectiveStack(Objective):
    r"""Several two-parameter objectives run side by side in one batched call.

    ``theta`` has shape ``(k, ..., 2)``: entry ``i`` of the leading axis is evaluated by
    ``objectives[i]``. The value is each objective's gap to its minimum,
    :math:`f_i(\theta) - f_i^*`, so one tolerance means the same for every member (the
    objectives must know ``f_min``). With a learning-rate array of shape ``(n, 1)`` and
    ``theta0 = stack.start_batch(n)`` of shape ``(k, n, 2)``, :func:`~adaptive_lr.minimize`
    sweeps n rates on k objectives at once.
    """

    def __init__(self, objectives: Sequence[Objective]):
        objectives = list(objectives)
        if not objectives or not all(isinstance(o, Objective) and o.dim == 2
                                     for o in objectives):
            raise TypeError("objectives must be a non-empty sequence of 2-D Objectives")
        self.objectives = objectives
        self.name = " | ".join(o.name for o in objectives)
        self.minimizer = None
        self.f_min = 0.0
        self.start = np.stack([o.start for o in objectives])
        self.start.setflags(write=False)
        self.xlim, self.ylim = objectives[0].xlim, objectives[0].ylim

    def __len__(self) -> int:
        return len(self.objectives)

    def start_batch(self, n: int) -> np.ndarray:
        """Start points of shape ``(k, n, 2)``: n copies of each objective's start."""
        n = check.positive_int("n", n)
        return np.repeat(self.start[:, None, :], n, axis=1)

    def _check(self, theta):
        if theta.ndim < 2 or theta.shape[0] != len(self.objectives):
            raise ValueError(f"theta must have shape ({len(self.objectives)}, ..., 2), "
                             f"got {theta.shape}")

    def _value(self, theta, step):
        self._check(theta)
        return np.stack([o.value(th, step) - np.asarray(o.f_min, theta.dtype)
                         for o, th in zip(self.objectives, theta)])

    def _grad(self, theta, step):
        self._check(theta)
        return np.stack([o.grad(th, step) for o, th in zip(self.objectives, theta)])


def settle_step(run, tolerance: float) -> np.ndarray:
    """First recorded step from which a run's loss stays ≤ ``tolerance`` to the end (per run).

    Stricter than :meth:`Run.steps_to`, which counts the first visit below the tolerance: a
    run that dips below and is thrown out again (RMSProp near a minimum, where its
    normalized steps stay large) does not count until it stays. −1 if the last recorded
    loss is above the tolerance or NaN (diverged).
    """
    with np.errstate(invalid="ignore"):
        bad = ~(np.asarray(run.losses) <= tolerance)
    steps = np.asarray(run.steps)
    last_bad = bad.shape[0] - 1 - bad[::-1].argmax(axis=0)
    first_good = np.where(bad.any(axis=0), last_bad + 1, 0)
    return np.where(bad[-1], -1, steps[np.minimum(first_good, bad.shape[0] - 1)])


def fastest(steps_to, values) -> tuple[np.ndarray, np.ndarray]:
    """The fewest steps along the last axis of a sweep, and the swept value that gave them.

    ``steps_to`` is :meth:`Run.steps_to` reshaped to ``(..., n)`` (−1 = never reached); the
    result is ``(steps, value)`` of shape ``(...)``, with steps −1 and value NaN where no
    entry reached the tolerance. Ties go to the first (smallest) value.
    """
    s = np.asarray(steps_to)
    v = np.broadcast_to(np.asarray(values, dtype=float).reshape(-1), s.shape)
    masked = np.where(s >= 0, s, np.iinfo(np.int64).max)
    best = masked.argmin(axis=-1)
    steps = np.take_along_axis(s, best[..., None], -1)[..., 0]
    value = np.take_along_axis(v, best[..., None], -1)[..., 0]
    reached = (s >= 0).any(axis=-1)
    return np.where(reached, steps, -1), np.where(reached, value, np.nan)


# ------------------------------------------------------------ units (AdaDelta)

#: Power of [Θ] (the parameters' unit) in each optimizer's update ΔΘ, with a unitless loss:
#: g has units 1/[Θ], so ρ g has 1/[Θ]; g/√r is unitless; AdaDelta's RMS[ΔΘ]/RMS[g]·g has
#: [Θ]. Only the last is consistent ("the update has the units of the parameter").
UPDATE_UNITS = {"SGD": -1, "AdaGrad": 0, "RMSProp": 0, "Adam": 0, "AdamW": 0, "AdaDelta": 1}

#: Power of [Θ] in each state field: g-like fields −1, g²-like fields −2, ΔΘ² fields +2,
#: RMSProp's momentum buffer (a sum of g/√r) 0.
STATE_UNITS = {
    "SGD": {"momentum": -1},
    "AdaGrad": {"r": -2},
    "RMSProp": {"r": -2, "g_avg": -1, "momentum": 0},
    "AdaDelta": {"r": -2, "delta_avg": 2},
    "Adam": {"m": -1, "v": -2, "v_max": -2},
    "AdamW": {"m": -1, "v": -2, "v_max": -2},
}


class Rescaled(Objective):
    r"""The same objective with its parameters measured in a unit c times smaller.

    :math:`\tilde f(\Phi) = f(\Phi / c)`, so :math:`\Phi = c\,\Theta` describes the same point,
    :math:`\nabla \tilde f(\Phi) = \nabla f(\Phi/c)/c`, and start, minimizer and plot window
    are multiplied by c. An optimizer whose updates have the units of Θ follows
    :math:`\Phi_t = c\,\Theta_t`.
    """

    def __init__(self, objective: Objective, c: float):
        if not isinstance(objective, Objective):
            raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
        self.objective = objective
        self.c = float(check.hyperparameter("c", c, low_open=True))
        self.dim = objective.dim
        self.name = f"{objective.name} (units ×{self.c:g})"
        self.minimizer = None if objective.minimizer is None else objective.minimizer * self.c
        self.f_min = objective.f_min
        self.start = objective.start * self.c
        self.xlim = tuple(self.c * x for x in objective.xlim)
        self.ylim = tuple(self.c * y for y in objective.ylim)

    def _value(self, theta, step):
        return self.objective.value(theta / self.c, step)

    def _grad(self, theta, step):
        return self.objective.grad(theta / self.c, step) / self.c


def _units(opt) -> dict[str, int]:
    if opt.name not in STATE_UNITS:
        raise ValueError(f"no unit table for {opt.name}; known: {sorted(STATE_UNITS)}")
    return STATE_UNITS[opt.name]


def rescaled_state(opt, state, c: float):
    """``state`` expressed in a unit c times smaller: each array field × c**power
    (:data:`STATE_UNITS`)."""
    powers = _units(opt)
    c = float(check.hyperparameter("c", c, low_open=True))
    return state._replace(**{field: value * c ** powers[field]
                             for field, value in zip(state._fields, state)
                             if isinstance(value, np.ndarray)})


def predicted_unit_ratio(opt, c) -> np.ndarray:
    r""":math:`c^{k-1}` with k = :data:`UPDATE_UNITS`: the predicted
    :math:`\Delta\Phi / (c\,\Delta\Theta)`, 1 only for an update with the units of Θ."""
    if opt.name not in UPDATE_UNITS:
        raise ValueError(f"no unit for {opt.name}; known: {sorted(UPDATE_UNITS)}")
    return np.asarray(c, dtype=float) ** (UPDATE_UNITS[opt.name] - 1)


def warm_state(opt, objective: Objective, steps: int):
    """Run ``opt`` ``steps`` steps on ``objective`` from its start; return ``(theta, state)``."""
    steps = check.positive_int("steps", steps, minimum=0)
    theta = np.array(objective.start, dtype=float)
    state = opt.init(theta)
    for t in range(steps):
        theta, state = opt.step(theta, objective.grad(theta, t), state)
    return theta, state


def unit_ratio(opt, objective: Objective, c, warmup: int = 100) -> np.ndarray:
    r""":math:`\Delta\Phi / (c\,\Delta\Theta)` per coordinate: does the update follow the units?

    Runs ``opt`` ``warmup`` steps on ``objective`` from its start (:func:`warm_state`), then
    takes the next step twice: in the original units, and in units c times smaller
    (:class:`Rescaled` objective, parameters cΘ, state converted by :func:`rescaled_state`).
    ``c`` may be a sequence; the result has shape ``(len(c), d)`` then, ``(d,)`` for a
    scalar. An update with the units of Θ gives 1, up to ε, which carries no units and so
    matters only where the averages it is added to are not much larger than it; compare
    :func:`predicted_unit_ratio`. NaN where the original step is exactly 0.
    """
    theta, state = warm_state(opt, objective, warmup)
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


def steps_until(sizes, level) -> np.ndarray:
    """First step (1-based) at which ``sizes`` (shape ``(T, ...)``) reaches ``level``.

    −1 where it never does."""
    s = np.asarray(sizes, dtype=float)
    hit = s >= level
    return np.where(hit.any(axis=0), hit.argmax(axis=0) + 1, -1)


def steps_until_stays(sizes, level) -> np.ndarray:
    """First step (1-based) from which ``sizes`` (shape ``(T, ...)``) stays ≥ ``level`` to the
    end; −1 if the last entry is below it. Unlike :func:`steps_until`, a few early large
    steps (momentum carried over from before a change) do not count."""
    s = np.asarray(sizes, dtype=float)
    below = s < level
    T = s.shape[0]
    last_below = T - 1 - below[::-1].argmax(axis=0)
    return np.where(~below.any(axis=0), 1, np.where(below[-1], -1, last_below + 2))


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


class Alternating(Objective):
    r"""Gradients :math:`(-1)^t a` that ignore the parameters; value :math:`\tfrac12\|\Theta\|^2`.

    A model of coordinates whose loss gradients are large or small but average to zero, so
    that over many steps only weight decay moves the parameters. ``amplitudes`` gives each
    coordinate's :math:`a_i` (its dimension is their number); step 0 gets :math:`+a`.
    """

    def __init__(self, amplitudes):
        a = check.hyperparameter("amplitudes", amplitudes)
        if a.ndim != 1 or a.size == 0:
            raise ValueError("amplitudes must be a non-empty 1-D sequence")
        a.setflags(write=False)
        self.amplitudes = a
        self.dim = a.size
        self.name = "alternating gradients"
        self.minimizer = np.zeros(a.size)
        self.f_min = 0.0
        self.start = np.ones(a.size)
        self.xlim = self.ylim = (-1.5, 1.5)

    def _value(self, theta, step):
        return 0.5 * np.sum(theta * theta, axis=-1)

    def _grad(self, theta, step):
        sign = 1.0 if step % 2 == 0 else -1.0
        return np.broadcast_to(sign * self.amplitudes.astype(theta.dtype), theta.shape).copy()


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
