r"""Closed forms and experiments behind the Adam chapter.

Adam keeps two exponentially weighted averages started at zero, the *first moment*
:math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` and the *second moment*
:math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t \odot g_t` (RMSProp's :math:`r`). Unrolled
(the chapter's expanded equations),

.. math::

   m_t = (1-\beta_1)\sum_{k=1}^{t} \beta_1^{t-k} g_k, \qquad
   v_t = (1-\beta_2)\sum_{k=1}^{t} \beta_2^{t-k}\, g_k \odot g_k ,

weighted sums whose weights add up to :math:`1-\beta^t`, so dividing by it (bias correction)
turns them into weighted *averages*. This module holds

* the unrolled moments and the rate that multiplies them (:func:`explicit_moments`,
  :func:`effective_rate`), the bias-correction closed forms (:func:`bias_correction`,
  :func:`average_of_constant`) and the step sizes they imply (:func:`first_step`,
  :func:`constant_gradient_step`);
* RMSProp's three problems, asked of Adam: how many learning rates settle on each objective
  (:func:`sensitivity`); the race down a diagonal valley with the mechanism measured, that
  is how the steep and the shallow direction evolve (:func:`valley_race`,
  :func:`race_spread`, :func:`long_horizon`); how long a remembered large gradient keeps the
  steps small after the gradient shrinks (:func:`step_after_drop`, :func:`recovery_steps`,
  :func:`drop_experiment`).

AdaDelta, AMSGrad and AdamW have their own chapter and module,
:mod:`adaptive_lr.chapters.adam_variants`.

Notation: ρ is the learning rate, β₁ and β₂ the decays of the two averages, ε the constant
against division by zero (outside the root, as in the paper and PyTorch), t counts from 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

import numpy as np

from .. import _validation as check
from .. import robustness
from ..memory import ema_weights
from ..objectives import Noisy, Objective, Quadratic
from ..optim import SGD, Adam, AdaGrad, RMSProp
from ..runs import minimize, settle_step
from ..tables import Table, glue, span  # noqa: F401  (the notebook calls chapter.glue, .span)
from ..trace import trace
from . import momentum as _momentum
from .one_learning_rate import spectrum

__all__ = [
    "bias_correction", "average_of_constant", "Moments", "explicit_moments",
    "effective_rate", "expansion_check", "first_step", "constant_gradient_step",
    "first_step_table", "constant_gradient_curves", "beta1_zero_check",
    "Sensitivity", "sensitivity",
    "Contender", "valley_contenders", "RaceEntry", "eigen_components", "sign_changes",
    "valley_race", "race_table", "race_spread", "spread_by_method", "momentum_gain",
    "Horizon", "long_horizon",
    "steady_step_table", "step_after_drop", "recovery_steps", "Drop", "drop_experiment", "verdict", "figure_constant_gradient", "figure_sensitivity", "figure_race",
    "figure_drop"
]


def _beta(name: str, value) -> np.ndarray:
    return check.hyperparameter(name, value, high=1.0)


def _steps(t) -> np.ndarray:
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"t must be integers ≥ 0, got {t!r}")
    return t


def _betas(betas) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return _beta("betas[0]", betas[0]), _beta("betas[1]", betas[1])


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


class Moments(NamedTuple):
    """Adam's moments computed as the weighted sums of the expanded equations, each
    ``(T, *d)``: row ``t - 1`` belongs to step t."""

    m: np.ndarray
    v: np.ndarray
    m_hat: np.ndarray
    v_hat: np.ndarray


def explicit_moments(grads, betas=(0.9, 0.999)) -> Moments:
    r"""Adam's lines 5 and 6 unrolled: the sums, not the recursion, for every step t.

    :math:`m_t = \sum_k w_{1,k} g_k` and :math:`v_t = \sum_k w_{2,k} g_k^2` with the weights
    :math:`w_{i,k} = (1-\beta_i)\beta_i^{t-k}` (:func:`~adaptive_lr.memory.ema_weights`),
    and :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`. The
    gradients ``grads`` have shape ``(T, *d)``; the betas are scalars.
    """
    g = check.float_array("grads", grads).astype(np.float64)
    if g.ndim == 0 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, ...) with T ≥ 1, got {g.shape}")
    b1, b2 = (float(b) for b in _betas(betas))
    out = {k: np.empty(g.shape) for k in Moments._fields}
    for t in range(1, g.shape[0] + 1):
        shape = (t,) + (1,) * (g.ndim - 1)
        w1, w2 = ema_weights(b1, t).reshape(shape), ema_weights(b2, t).reshape(shape)
        out["m"][t - 1] = np.sum(w1 * g[:t], axis=0)
        out["v"][t - 1] = np.sum(w2 * g[:t] ** 2, axis=0)
        out["m_hat"][t - 1] = out["m"][t - 1] / (1 - b1 ** t)
        out["v_hat"][t - 1] = out["v"][t - 1] / (1 - b2 ** t)
    return Moments(**out)


def effective_rate(v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8) -> np.ndarray:
    r"""The factor that multiplies :math:`m_t` in line 6,
    :math:`\dfrac{\rho}{1-\beta_1^t}\cdot\dfrac{1}{\varepsilon + \sqrt{v_t/(1-\beta_2^t)}}`.

    It is :math:`\rho/(\varepsilon+\sqrt{\hat v_t})` times the first correction: per
    coordinate, and what ``Adam.effective_lr`` reports. ``v`` is the raw second moment,
    ``t`` ≥ 1 the step (both broadcast).
    """
    t = _steps(t)
    if np.any(t < 1):
        raise ValueError("t counts steps from 1")
    b1, b2 = _betas(betas)
    rho = check.hyperparameter("lr", lr)
    e = check.hyperparameter("eps", eps)
    v = check.hyperparameter("v", v)
    return rho / (1 - b1 ** t) / (e + np.sqrt(v / (1 - b2 ** t)))


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


def first_step_table(grad: float = 3.0, decays: Sequence[float] = (0.9, 0.99, 0.999),
                     beta1: float = 0.9) -> Table:
    r"""First-step sizes, in units of ρ, of RMSProp (α = β₂) and of Adam with and without
    bias correction, each from one real step of the optimizer and from its closed form.

    Raises if an optimizer and its closed form disagree by more than 1e-12 (relative).
    """
    from .rmsprop import first_step as rmsprop_first_step

    rows = []
    g = np.array([[float(grad)]])
    for decay in decays:
        measured = {
            "RMSProp": trace(RMSProp(lr=1.0, alpha=decay, eps=1e-12), g).deltas[0, 0],
            "Adam": trace(Adam(lr=1.0, betas=(beta1, decay), eps=1e-12), g).deltas[0, 0],
            "uncorrected": trace(Adam(lr=1.0, betas=(beta1, decay), eps=1e-12,
                                      bias_correction=False), g).deltas[0, 0]}
        closed = {"RMSProp": float(rmsprop_first_step(1.0, decay)),
                  "Adam": float(-first_step(grad, 1.0, (beta1, decay), eps=1e-12)),
                  "uncorrected": float(-first_step(grad, 1.0, (beta1, decay), eps=1e-12,
                                                   corrected=False))}
        for key in measured:
            if not np.isclose(abs(measured[key]), closed[key], rtol=1e-10, atol=0):
                raise AssertionError(f"{key} at decay {decay}: step {measured[key]} but "
                                     f"closed form {closed[key]}")
        rows.append([decay, closed["RMSProp"], closed["Adam"], closed["uncorrected"]])
    return Table(["α = β₂", "RMSProp / ρ", "Adam / ρ", "Adam without correction / ρ"], rows)


def expansion_check(grads, lr: float = 0.01, betas=(0.9, 0.999), eps: float = 1e-12) -> Table:
    """The expanded equations against the optimizer: the largest relative difference, over
    every step and coordinate, between :func:`explicit_moments` (the sums) and the state
    and updates of ``Adam`` replayed on ``grads`` by :func:`~adaptive_lr.trace.trace`."""
    sums = explicit_moments(grads, betas)
    opt = Adam(lr=lr, betas=tuple(float(b) for b in betas), eps=eps)
    theta = np.zeros(np.shape(grads)[1:])
    state, ms, vs, deltas = opt.init(theta), [], [], []
    for g in np.asarray(grads, dtype=float):
        new, state = opt.step(theta, g, state)
        ms.append(state.m)
        vs.append(state.v)
        deltas.append(new - theta)
        theta = new
    line6 = -lr * sums.m_hat / (eps + np.sqrt(sums.v_hat))
    rows = [["m (line 5)", _relative(sums.m, np.array(ms))],
            ["v (line 5)", _relative(sums.v, np.array(vs))],
            ["ΔΘ (line 6)", _relative(line6, np.array(deltas))]]
    return Table(["quantity", "largest relative difference"], rows, fmt="{:.1e}")


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nanmax(np.where(scale > 0, np.abs(a - b) / scale, 0.0)))


def constant_gradient_curves(steps: int = 3000) -> tuple[np.ndarray, dict, float]:
    """Step sizes (units of ρ) on a constant gradient for RMSProp (α = 0.99, 0.999), Adam
    without and with bias correction, from :func:`constant_gradient_step`; and the largest
    relative difference between those closed forms and the optimizers' real steps."""
    steps = check.positive_int("steps", steps)
    t = np.arange(1, steps + 1)
    ones = np.ones((steps, 1))
    curves = {  # name: (optimizer, betas of the closed form, bias-corrected?)
        "RMSProp (α=0.99)": (RMSProp(lr=1.0, alpha=0.99, eps=1e-12), (0.0, 0.99), False),
        "RMSProp (α=0.999)": (RMSProp(lr=1.0, alpha=0.999, eps=1e-12), (0.0, 0.999), False),
        "Adam without correction": (Adam(lr=1.0, eps=1e-12, bias_correction=False),
                                    (0.9, 0.999), False),
        "Adam": (Adam(lr=1.0, eps=1e-12), (0.9, 0.999), True),
    }
    sizes, worst = {}, 0.0
    for name, (opt, betas, corrected) in curves.items():
        closed = constant_gradient_step(t, 1.0, betas, eps=1e-12, corrected=corrected)
        simulated = np.abs(trace(opt, ones).deltas[:, 0])
        sizes[name] = closed
        worst = max(worst, float(np.max(np.abs(simulated / closed - 1))))
    return t, sizes, worst


def beta1_zero_check(grads, beta2: float = 0.99, lr: float = 0.01,
                     at: Sequence[int] = (1, 10, 100, 200)) -> tuple[float, float, Table]:
    r"""Adam with β₁ = 0 against RMSProp, on the gradients ``grads`` (ε = 1e-12).

    Returns the largest relative difference between Adam(β₁ = 0) and Adam with only the
    second correction (``bias_correction=(False, True)``, "RMSProp with bias correction"),
    the same between uncorrected Adam(β₁ = 0) and RMSProp, and a table of the ratio
    Adam(β₁ = 0)/RMSProp per coordinate at the steps ``at``, beside
    :math:`\sqrt{1-\beta_2^t}`.
    """
    grads = np.asarray(grads, dtype=float)
    run = {name: trace(opt, grads).deltas for name, opt in {
        "adam": Adam(lr=lr, betas=(0.0, beta2), eps=1e-12),
        "corrected": Adam(lr=lr, betas=(0.0, beta2), eps=1e-12, bias_correction=(False, True)),
        "plain": Adam(lr=lr, betas=(0.0, beta2), eps=1e-12, bias_correction=False),
        "rmsprop": RMSProp(lr=lr, alpha=beta2, eps=1e-12)}.items()}
    ratio = run["adam"] / run["rmsprop"]
    rows = [[k] + [float(x) for x in ratio[k - 1]] + [float(np.sqrt(1 - beta2 ** k))]
            for k in at]
    headers = ["t"] + [f"ratio θ{i + 1}" for i in range(grads.shape[1])] + ["√(1−β₂ᵗ)"]
    return (_relative(run["adam"], run["corrected"]), _relative(run["plain"], run["rmsprop"]),
            Table(headers, rows))


# ------------------------------------------------------- problem 1: sensitivity


@dataclass(frozen=True)
class Sensitivity:
    """Which learning rates settle, per method, objective and condition (:func:`sensitivity`).

    Attributes:
      rhos: the learning-rate grid, ``(n,)``.
      methods, objectives: names, in order.
      kinds: the kind of each condition (``"exact"``, ``"perturbed"``, ``"noisy"``,
        ``"start"``), the same list for every objective.
      settles: ``(methods, objectives, conditions, n)`` booleans: the run at that ρ settles
        (stays within the tolerance from some step to the end).
      final_gap: ``(methods, objectives, n)`` final loss gap of the exact runs.
    """

    rhos: np.ndarray
    methods: list[str]
    objectives: list[str]
    kinds: list[str]
    settles: np.ndarray
    final_gap: np.ndarray

    def counts(self) -> np.ndarray:
        """``(methods, objectives, conditions)``: how many rates settle."""
        return self.settles.sum(axis=-1)

    def common(self) -> np.ndarray:
        """``(methods, conditions)``: how many rates settle on every objective at once."""
        return self.settles.all(axis=1).sum(axis=-1)

    def bracketed(self) -> np.ndarray:
        """``(methods, objectives, conditions)``: the settling band lies inside the grid (the
        first and last rate do not settle), so widening the grid would add nothing."""
        return ~self.settles[..., 0] & ~self.settles[..., -1]

    def spread(self, method: str, kind: str | None = None) -> np.ndarray:
        """Counts of one method, ``(objectives, conditions of that kind)``."""
        i = self.methods.index(method)
        pick = [k for k, name in enumerate(self.kinds) if kind is None or name == kind]
        return self.counts()[i][:, pick]

    def table(self) -> Table:
        """Per method and objective: rates that settle, exact and min … max per kind of
        condition; the last column, the rates that settle on every objective at once."""
        kinds = list(dict.fromkeys(self.kinds))
        rows = []
        counts, common = self.counts(), self.common()
        for i, method in enumerate(self.methods):
            for j, name in enumerate(self.objectives + ["all at once"]):
                values = counts[i, j] if j < len(self.objectives) else common[i]
                row = [method if j == 0 else "", name]
                for kind in kinds:
                    v = values[[k for k, c in enumerate(self.kinds) if c == kind]]
                    row.append(str(v.min()) if v.min() == v.max() else f"{v.min()} … {v.max()}")
                rows.append(row)
        return Table(["method", "objective"] + kinds, rows)


def sensitivity(methods: dict[str, Callable], objectives: dict[str, Objective], rhos, *,
                steps: int = 1000, tol: float = 1e-3, **protocol) -> Sensitivity:
    """For each method (name → function of an ``(n, 1)`` lr array returning an optimizer)
    and each objective, which rates of the grid ``rhos`` give a run that settles within
    ``tol`` of the minimum (:meth:`~adaptive_lr.runs.Run.settle_step`) by step ``steps``,
    under every condition of :func:`~adaptive_lr.robustness.conditions` (``protocol`` are
    its options). One batched run per method, objective and condition.
    """
    rhos = check.hyperparameter("rhos", rhos, low_open=True)
    if rhos.ndim != 1 or rhos.size < 3:
        raise ValueError("rhos must be a 1-D grid of at least 3 learning rates")
    steps = check.positive_int("steps", steps)
    settles, gaps, kinds = [], [], None
    for make in methods.values():
        per_objective, gap = [], []
        for objective in objectives.values():
            cases = robustness.conditions(objective, **protocol)
            names = [c.kind for c in cases]
            if kinds is not None and names != kinds:
                raise ValueError("the objectives must get the same conditions")
            kinds = names
            rows = []
            for case in cases:
                run = minimize(make(rhos[:, None]), case.objective,
                               np.tile(case.start, (rhos.size, 1)), steps)
                rows.append(run.settle_step(tol) >= 0)
                if case.kind == "exact":
                    gap.append(run.final_loss - objective.f_min)
            per_objective.append(rows)
        settles.append(per_objective)
        gaps.append(gap)
    return Sensitivity(rhos, list(methods), list(objectives), kinds, np.array(settles),
                       np.array(gaps))


# --------------------------------------------------- problem 2: the diagonal valley


@dataclass(frozen=True)
class Contender:
    """One method of the valley race.

    Attributes:
      name: its label.
      make: function of an ``(n, 1)`` array of learning rates returning the optimizer.
      grid: the learning rates it is tuned over.
      step_scale: what turns its effective rate into the step size h of heavy ball
        :math:`\\Theta_{t+1} = \\Theta_t - h g_t + \\mu(\\Theta_t - \\Theta_{t-1})`:
        1 for SGD and RMSProp, :math:`1-\\beta_1` for Adam, whose m averages the gradients.
      momentum: μ of that heavy ball (0 for none).
    """

    name: str
    make: Callable
    grid: np.ndarray
    step_scale: float
    momentum: float


def valley_contenders(alpha: float = 0.999, mu: float = 0.9) -> list[Contender]:
    """Gradient descent, heavy ball, RMSProp with and without momentum, Adam with β₁ = 0
    and Adam, all with the same memory α = β₂ = ``alpha`` and momentum μ = β₁ = ``mu``, so
    that momentum is the only difference within each pair."""
    slow = np.geomspace(1e-4, 1e-1, 31)   # plain gradient steps: ρ g
    fast = np.geomspace(1e-4, 1.0, 41)    # normalized steps: about ρ per coordinate
    return [
        Contender("GD", lambda lr: SGD(lr=lr), slow, 1.0, 0.0),
        Contender(f"heavy ball μ={mu:g}", lambda lr: SGD(lr=lr, momentum=mu), slow, 1.0, mu),
        Contender("RMSProp", lambda lr: RMSProp(lr=lr, alpha=alpha), fast, 1.0, 0.0),
        Contender(f"RMSProp + momentum {mu:g}",
                  lambda lr: RMSProp(lr=lr, alpha=alpha, momentum=mu), fast, 1.0, mu),
        Contender("Adam, β₁ = 0", lambda lr: Adam(lr=lr, betas=(0.0, alpha)), fast, 1.0, 0.0),
        Contender("Adam", lambda lr: Adam(lr=lr, betas=(mu, alpha)), fast, 1.0 - mu, mu),
    ]


@dataclass(frozen=True)
class RaceEntry:
    """One method's result in :func:`valley_race`.

    Attributes:
      name: the contender's name.
      best: its :class:`~adaptive_lr.robustness.GridBest` (score: steps to settle), or
        ``None`` if no rate of its grid settles.
      settled: steps to settle at every rate of its grid (−1: never).
      thetas, losses, lrs: the best run's record (every step).
      flips: sign changes of the steep-direction component in the first ``flip_window``
        steps.
      rate_ratio: effective rate of θ₁ over that of θ₂ at step ``flip_window``: 1 means the
        per-coordinate scaling is isotropic.
      h_lmax: the heavy-ball step h times the steepest curvature, averaged over the first
        ``window`` steps (gradient descent is stable for h λ_max < 2, heavy ball for
        h λ_max < 2(1 + μ); below 1 the steep direction never overshoots without momentum).
      measured: the shallow component's shrink factor per step over the first ``window``
        steps, :math:`|s_w / s_0|^{1/w}`.
      predicted: the factor the linear model predicts for that mean h and μ
        (:func:`adaptive_lr.chapters.momentum.convergence_rate`).
    """

    name: str
    best: robustness.GridBest | None
    settled: np.ndarray
    thetas: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    flips: int
    rate_ratio: float
    h_lmax: float
    measured: float
    predicted: float


def _quadratic(objective) -> Quadratic:
    """The quadratic under a noisy wrapper."""
    inner = objective
    while isinstance(inner, Noisy):
        inner = inner.objective
    if not isinstance(inner, Quadratic):
        raise TypeError(f"the valley race needs a Quadratic (possibly Noisy), got {objective!r}")
    return inner


def eigen_components(objective, thetas) -> np.ndarray:
    """Offsets from the minimizer in the quadratic's eigenbasis, ``(..., 2)``: column 0 along
    the shallow direction (smallest curvature), column 1 along the steep one."""
    quad = _quadratic(objective)
    _, vectors = spectrum(quad)
    return (np.asarray(thetas, dtype=float) - quad.minimizer) @ vectors


def sign_changes(values) -> int:
    """How often consecutive entries of a 1-D sequence have opposite signs."""
    s = np.sign(np.asarray(values, dtype=float))
    return int(np.sum(s[1:] * s[:-1] < 0))


def valley_race(objective, contenders: Sequence[Contender], *, steps: int = 3000,
                tol: float = 1e-6, window: int = 150, flip_window: int = 60,
                start=None) -> dict[str, RaceEntry]:
    """Tune every contender on its own grid (the fewest steps to settle within ``tol``,
    :func:`~adaptive_lr.robustness.best_on_grid`), then measure on its best run how the two
    eigen-directions of the quadratic evolve (see :class:`RaceEntry`).

    ``objective`` is a 2-D :class:`~adaptive_lr.objectives.Quadratic`, or a
    :class:`~adaptive_lr.objectives.Noisy` one.
    """
    quad = _quadratic(objective)
    eigenvalues, _ = spectrum(quad)
    start = np.asarray(objective.start if start is None else start, dtype=float)
    steps = check.positive_int("steps", steps)
    window = check.positive_int("window", window)
    flip_window = check.positive_int("flip_window", flip_window)
    if max(window, flip_window) > steps:
        raise ValueError("window and flip_window must not exceed steps")
    out = {}
    for c in contenders:
        grid = np.asarray(c.grid, dtype=float)
        sweep = minimize(c.make(grid[:, None]), objective, np.tile(start, (grid.size, 1)),
                         steps)
        settled = sweep.settle_step(tol)
        scores = np.where(settled >= 0, settled, np.nan).astype(float)
        best = None if np.isnan(scores).all() else robustness.best_on_grid(scores, grid)
        k = best.index if best is not None else int(np.nanargmin(sweep.final_loss))
        thetas, losses, lrs = sweep.thetas[:, k], sweep.losses[:, k], sweep.lrs[:, k]
        eig = eigen_components(quad, thetas)
        h = np.mean(lrs, axis=-1) * c.step_scale
        h_mean = float(np.mean(h[:window]))
        with np.errstate(divide="ignore", invalid="ignore"):
            measured = float(np.abs(eig[window, 0] / eig[0, 0]) ** (1 / window))
        out[c.name] = RaceEntry(
            c.name, best, settled, thetas, losses, lrs,
            flips=sign_changes(eig[:flip_window + 1, 1]),
            rate_ratio=float(lrs[flip_window - 1, 0] / lrs[flip_window - 1, 1]),
            h_lmax=h_mean * float(eigenvalues.max()), measured=measured,
            predicted=float(_momentum.convergence_rate(h_mean, c.momentum, eigenvalues)))
    return out


def race_table(entries: dict[str, RaceEntry], kappa: float | None = None) -> Table:
    """The race and its mechanism, one row per method (see :class:`RaceEntry`)."""
    rows = []
    for e in entries.values():
        settle = "never" if e.best is None else int(e.best.score)
        rows.append([e.name, "—" if e.best is None else e.best.value,
                     "—" if e.best is None else ("yes" if e.best.bracketed else "no"),
                     settle, e.flips, e.rate_ratio, e.h_lmax, e.measured, e.predicted])
    return Table(["method", "best ρ", "bracketed", "steps to settle", "steep sign changes",
                  "rate θ₁/θ₂", "h·λ_max", "shallow factor", "predicted"], rows,
                 fmt="{:.3g}")


def race_spread(objective, contenders: Sequence[Contender], *, steps: int = 3000,
                tol: float = 1e-6, flip_window: int = 60, **protocol) -> robustness.Spread:
    """:func:`valley_race` under the robustness protocol (``protocol``: the options of
    :func:`~adaptive_lr.robustness.conditions`). Metrics per contender: ``"<name> settles"``
    (the tuned steps to settle, NaN if no rate settles), ``"<name> bracketed"`` (1 or 0)
    and ``"<name> flips"`` (steep-direction sign changes in the first ``flip_window``
    steps of the tuned run)."""

    def experiment(case_objective, start):
        entries = valley_race(case_objective, contenders, steps=steps, tol=tol,
                              window=flip_window, flip_window=flip_window, start=start)
        metrics = {}
        for name, e in entries.items():
            metrics[f"{name} settles"] = np.nan if e.best is None else e.best.score
            metrics[f"{name} bracketed"] = float(e.best is not None and e.best.bracketed)
            metrics[f"{name} flips"] = e.flips
        return metrics

    return robustness.stress(experiment, objective, **protocol)


def spread_by_method(spread: robustness.Spread, names: Sequence[str], metric: str,
                     fmt: str = "{:.3g}") -> Table:
    """One row per method, one column per kind of condition: the metric
    ``"<name> <metric>"`` of a :func:`race_spread`, exact or min … max over the seeds."""
    kinds = list(dict.fromkeys(c.kind for c in spread.conditions))
    rows = [[name] + [span(spread.values(f"{name} {metric}", kind), fmt) for kind in kinds]
            for name in names]
    return Table(["method"] + kinds, rows)


def momentum_gain(spread: robustness.Spread, without: str, with_: str) -> np.ndarray:
    """Steps to settle without momentum over steps with it, per condition (NaN where either
    never settles)."""
    return spread.values(f"{without} settles") / spread.values(f"{with_} settles")


class Horizon(NamedTuple):
    """:func:`long_horizon`'s result, per method name: ``settled`` (the step it settled at
    within the race), ``left`` (the first later step above the tolerance, −1 if none),
    ``tail_max`` (the largest loss over the last steps) and ``h_max`` (the largest
    heavy-ball step h·λ_max it reached)."""

    best: dict[str, float]
    settled: dict[str, int]
    left: dict[str, int]
    tail_max: dict[str, float]
    h_max: dict[str, float]
    steps: int
    tail: int

    def table(self) -> Table:
        rows = [[name, self.best[name], self.settled[name],
                 "stays" if self.left[name] < 0 else self.left[name], self.tail_max[name],
                 self.h_max[name]] for name in self.best]
        return Table(["method", "best ρ", "settled at", "above the tolerance again at",
                      f"largest loss, last {self.tail} steps", "largest h·λ_max"], rows,
                     fmt="{:.3g}")


def long_horizon(objective, entries: dict[str, RaceEntry], contenders: Sequence[Contender],
                 steps: int = 20_000, tol: float = 1e-6, tail: int = 1000) -> Horizon:
    """Each tuned run of :func:`valley_race` continued to ``steps``: does it stay within
    ``tol``? (See :class:`Horizon`.)"""
    quad = _quadratic(objective)
    lmax = float(spectrum(quad)[0].max())
    out = Horizon({}, {}, {}, {}, {}, check.positive_int("steps", steps),
                  check.positive_int("tail", tail))
    for c in contenders:
        e = entries[c.name]
        if e.best is None:
            continue
        run = minimize(c.make(e.best.value), objective, objective.start, steps)
        settled = int(e.best.score)
        above = np.flatnonzero(~(run.losses[settled:] <= tol))
        h = np.mean(run.lrs, axis=-1) * c.step_scale * lmax
        out.best[c.name] = e.best.value
        out.settled[c.name] = settled
        out.left[c.name] = -1 if above.size == 0 else settled + int(above[0])
        out.tail_max[c.name] = float(np.max(run.losses[-tail:]))
        out.h_max[c.name] = float(np.nanmax(h))
    return out


# ------------------------------------------------- problem 3: after the gradient drops


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


def steady_step_table(scales=(1.0, 1e-3, 1e-6, 1e-8, 1e-10), eps: float = 1e-8) -> Table:
    """Once the average has caught up: the step (units of ρ) of gradient descent, |g|, and of
    RMSProp and Adam, ρ|g|/(ε + |g|) (:func:`constant_gradient_step` at t = 10 000)."""
    rows = [[g, g, float(constant_gradient_step(10_000, 1.0, (0.9, 0.999), eps=eps, grad=g))]
            for g in scales]
    return Table(["|g|", "gradient descent / ρ", "RMSProp and Adam / ρ"], rows, fmt="{:.4g}")


class Drop(NamedTuple):
    """:func:`drop_experiment`'s result: per optimizer, its step sizes after the drop (in
    units of ρ), the step from which they stay ≥ ρ/2 (−1: never), the closed form's
    recovery (``None`` where there is none) and its decay; and the drop factor D."""

    n: np.ndarray
    sizes: dict[str, np.ndarray]
    back: dict[str, int]
    closed: dict[str, int | None]
    decays: dict[str, float | None]
    drop: float

    def table(self, at: Sequence[int] = (100, 1000, 10_000)) -> Table:
        rows = [[name, "never" if self.back[name] < 0 else self.back[name],
                 "—" if self.closed[name] is None else self.closed[name]]
                + [float(self.sizes[name][k - 1]) for k in at] for name in self.sizes]
        return Table(["optimizer", "back to ρ/2 after", "closed form"]
                     + [f"step / ρ at n = {k}" for k in at], rows, fmt="{:.2g}")


def drop_experiment(history: int = 10_000, after: int = 15_000, drop: float = 1000.0) -> Drop:
    """A coordinate sees ``history`` gradients of 1, then ``after`` gradients of 1/``drop``:
    the steps of RMSProp (α = 0.9, 0.99), Adam (β₁ = 0 and 0.9, β₂ = 0.999) and AdaGrad,
    all with ρ = 1 and ε = 1e-12, replayed by :func:`~adaptive_lr.trace.trace`."""
    history = check.positive_int("history", history)
    after = check.positive_int("after", after)
    drop = float(check.hyperparameter("drop", drop, low=1.0))
    grads = np.r_[np.ones(history), np.full(after, 1 / drop)][:, None]
    n = np.arange(1, after + 1)
    batches = [  # one batched replay per optimizer class, a coordinate per setting
        (RMSProp(lr=1.0, alpha=np.array([0.9, 0.99]), eps=1e-12),
         ["RMSProp (α=0.9)", "RMSProp (α=0.99)"], [0.9, 0.99]),
        (Adam(lr=1.0, betas=(np.array([0.0, 0.9]), 0.999), eps=1e-12),
         ["Adam (β₁=0, β₂=0.999)", "Adam (β₁=0.9, β₂=0.999)"], [0.999, 0.999]),
        (AdaGrad(lr=1.0, eps=1e-12), ["AdaGrad"], [None]),
    ]
    sizes, back, closed, decays = {}, {}, {}, {}
    for opt, labels, batch_decays in batches:
        steps = np.abs(trace(opt, np.repeat(grads, len(labels), axis=1)).deltas[history:])
        for name, decay, size in zip(labels, batch_decays, steps.T):
            sizes[name] = size
            back[name] = int(settle_step(n, size, 0.5, side="above"))
            closed[name] = None if decay is None else int(recovery_steps(decay, drop))
            decays[name] = decay
    return Drop(n, sizes, back, closed, decays, drop)


# ---------------------------------------------------------------- the page


def verdict(holds) -> str:
    """``"holds"`` if every entry of ``holds`` (one per condition) is true, ``"fails"`` if
    none is, ``"flips"`` otherwise: :meth:`~adaptive_lr.robustness.Spread.verdict` for a
    predicate already evaluated per condition."""
    h = np.asarray(holds, dtype=bool).reshape(-1)
    if h.size == 0:
        raise ValueError("verdict needs at least one condition")
    return "holds" if h.all() else "fails" if not h.any() else "flips"


#: A figure as wide as two panels side by side: the width of a cell's output.
_WIDE = (6.68, 3.0)


def figure_constant_gradient(t, sizes: dict):
    """One column-wide panel: the step size of step t (in units of ρ) on a constant gradient,
    one line per entry of ``sizes`` (name → sizes over ``t``), log–log."""
    import matplotlib as mpl

    from .. import plots

    with mpl.rc_context(plots.BOOK_STYLE):
        (fig,), (ax,) = plots.panels(1, _WIDE)
        for i, (name, size) in enumerate(sizes.items()):
            ax.plot(t, size, color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                    label=name)
        ax.set(xscale="log", yscale="log", xlabel="step t",
               ylabel="step size / ρ")
        plots.legend_below(ax)
    return plots.PanelRow(fig, "Step size against step on log-log axes for four optimizers "
                               "fed the same gradient at every step")


def figure_sensitivity(result: Sensitivity, tol: float):
    """One panel per objective: final gap after the sweep's horizon against ρ, per method
    (exact condition), with the tolerance dotted; gaps floored at 1e-20, diverged runs left
    out."""
    import matplotlib as mpl

    from .. import plots

    with mpl.rc_context(plots.BOOK_STYLE):
        figs, axes = plots.panels(len(result.objectives), (plots.PANEL_SIZE[0], 2.9))
        for j, (ax, name) in enumerate(zip(axes, result.objectives)):
            for i, method in enumerate(result.methods):
                ax.plot(result.rhos, np.maximum(result.final_gap[i, j], 1e-20),
                        color=plots.color(i), linestyle=plots.LINESTYLES[i % 4], marker=".",
                        markersize=3, label=method)
            ax.axhline(tol, color="0.4", linewidth=0.8, linestyle=":", label="tolerance")
            ax.set(xscale="log", yscale="log", title=name, xlabel="learning rate ρ",
                   ylabel="final gap to the minimum")
        plots.legend_below(axes[0])
    return plots.PanelRow(figs, [f"Final gap against learning rate on the {name}"
                                 for name in result.objectives])


def figure_race(entries: dict, objective, steps_shown: int = 60,
                paths: Sequence[str] | None = None):
    """Three panels of the valley race: the first ``steps_shown`` steps of the chosen methods
    (``paths``, default all) on the contours; the steep-direction component over those
    steps; every method's loss over the whole run, with the tolerance dotted."""
    import matplotlib as mpl

    from .. import plots

    names = list(entries) if paths is None else list(paths)
    style = {name: i for i, name in enumerate(entries)}
    with mpl.rc_context(plots.BOOK_STYLE):
        figs, (ax_path, ax_steep, ax_loss) = plots.panels(3)
        plots.contours(ax_path, _quadratic(objective))
        for name in names:
            e, i = entries[name], style[name]
            ax_path.plot(e.thetas[:steps_shown + 1, 0], e.thetas[:steps_shown + 1, 1],
                         color=plots.color(i), linestyle=plots.LINESTYLES[i % 4], marker=".",
                         markersize=2.5, linewidth=1.1, label=name)
            steep = eigen_components(objective, e.thetas[:steps_shown + 1])[:, 1]
            ax_steep.plot(np.arange(steps_shown + 1), steep, color=plots.color(i),
                          linestyle=plots.LINESTYLES[i % 4], label=name)
        ax_path.plot(*objective.start, marker="o", color="0.15", markersize=5,
                     linestyle="none", label="start")
        ax_path.set_title(f"first {steps_shown} steps")
        ax_steep.axhline(0.0, color="0.4", linewidth=0.8)
        ax_steep.set(xlabel="step t", ylabel="offset along the steep direction",
                     title="steep direction")
        for name, e in entries.items():
            i = style[name]
            ax_loss.plot(np.maximum(e.losses, 1e-16), color=plots.color(i),
                         linestyle=plots.LINESTYLES[i % 4], linewidth=1.1, label=name)
        ax_loss.set(yscale="log", ylim=(1e-12, None), xlabel="step t", ylabel="loss",
                    title="loss, each at its best ρ")
        ax_loss.axhline(1e-6, color="0.4", linewidth=0.8, linestyle=":")
        for ax in (ax_path, ax_steep, ax_loss):
            plots.legend_below(ax)
    return plots.PanelRow(figs, [
        f"Paths of {', '.join(names)} over the first {steps_shown} steps on the valley",
        "Offset along the steep direction against the step",
        "Loss against the step on a log scale, one line per method"])


def figure_drop(result: Drop):
    """One column-wide panel: step sizes after the drop (log–log), the closed forms dotted."""
    import matplotlib as mpl

    from .. import plots

    with mpl.rc_context(plots.BOOK_STYLE):
        (fig,), (ax,) = plots.panels(1, _WIDE)
        for i, (name, size) in enumerate(result.sizes.items()):
            ax.plot(result.n, size, color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                    label=name)
        decays = sorted({d for d in result.decays.values() if d is not None})
        for decay in decays:
            ax.plot(result.n, step_after_drop(result.n, decay, result.drop), color="0.2",
                    linewidth=0.6, linestyle=":",
                    label="closed form" if decay == decays[0] else None)
        ax.set(xscale="log", yscale="log", xlabel="steps n since the gradient shrank",
               ylabel="step size / ρ")
        plots.legend_below(ax, ncols=3)
    return plots.PanelRow(fig, "Step size against steps since the gradient shrank, "
                               "log-log, for five optimizers")
