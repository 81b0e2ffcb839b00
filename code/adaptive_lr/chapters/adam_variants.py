r"""Closed forms and experiments behind the chapter "AdaDelta, AMSGrad and AdamW".

* **AdaDelta** (Zeiler 2012) replaces the learning rate by a running RMS of past updates.
  Zeiler's units argument is measured with the optimizers' ``update_units`` and
  ``state_units`` (:func:`rescaled_state`, :func:`predicted_unit_ratio`, :func:`unit_ratio`);
  its slow start, set by ε, has closed forms (:func:`adadelta_first_step`,
  :func:`adadelta_constant_gradient_steps`); :func:`explicit_adadelta` unrolls its two
  averages; :func:`eps_floor` and :func:`eps_tradeoff` show ε acting as a learning rate:
  small, a slow start; large, a high level to hover at.
* **AMSGrad** (Reddi, Kale & Kumar 2018) divides by the running maximum of the second moment:
  the online counter-example on which Adam drifts to the worst point
  (:class:`OnlineCounterexample`, :func:`run_online`, :func:`max_rate_increase`,
  :func:`online_spread`), and the price of a maximum that never forgets
  (:func:`spike_experiment`).
* **AdamW** (Loshchilov & Hutter 2019) decays the weights outside the adaptive step:
  :func:`decay_per_step` (L2 against decoupled), :func:`decay_experiment` and
  :func:`decay_spread` on the :class:`~adaptive_lr.objectives.Alternating` objective, and
  the two conventions for the decoupled decay, the paper's (λ times the schedule multiplier
  η_t) and PyTorch's and optax's (λ times the learning rate ρ):
  :func:`decoupled_decay_per_step`, :func:`port_weight_decay`.

:func:`source_excerpt` shows the lines of an optimizer's ``step`` that an algorithm box
mirrors. Notation: ρ the learning rate, ρ_d AdaDelta's decay, β₁, β₂ Adam's, λ the weight
decay, t counts from 1.
"""
from __future__ import annotations

import inspect
import textwrap
from typing import NamedTuple, Sequence

import numpy as np

from .. import _validation as check
from .. import robustness
from ..memory import ema_weights
from ..objectives import Alternating, Objective, Rescaled
from ..optim import Adam, AdaDelta
from ..runs import minimize, settle_step
from ..tables import Table, glue, span  # noqa: F401  (the notebook calls chapter.glue, .span)
from ..trace import trace
from .adam import _WIDE, recovery_steps

__all__ = [
    "source_excerpt",
    "rescaled_state", "predicted_unit_ratio", "unit_ratio", "unit_ratio_table",
    "adadelta_first_step", "adadelta_constant_gradient_steps", "AdaDeltaSums",
    "explicit_adadelta", "adadelta_check", "eps_floor", "hover", "eps_tradeoff",
    "OnlineCounterexample", "OnlineRun", "run_online", "max_rate_increase", "online_spread",
    "online_table", "Spike", "spike_experiment",
    "decay_per_step", "decay_experiment", "decay_spread",
    "decoupled_decay_per_step", "port_weight_decay", "convention_table",
    "figure_slow_start", "figure_eps_floor", "figure_online", "figure_spike",
    "figure_decay"
]


def source_excerpt(function, start: str | None = None, stop: str | None = None) -> str:
    """The source of ``function`` (dedented), or only its lines from the first one that
    contains ``start`` up to and including the first later one that contains ``stop``.

    For showing the lines of an optimizer's ``step`` that an algorithm box mirrors.
    """
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    first = 0 if start is None else _line(lines, start, 0)
    last = len(lines) - 1 if stop is None else _line(lines, stop, first)
    return "\n".join(lines[first:last + 1])


def _line(lines: list[str], text: str, begin: int) -> int:
    for i in range(begin, len(lines)):
        if text in lines[i]:
            return i
    raise ValueError(f"no line containing {text!r}")


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

    Runs ``opt`` ``warmup`` steps on ``objective`` from its start
    (:func:`~adaptive_lr.trace.trace`), then takes the next step twice: in the original
    units, and in units c times smaller (:class:`~adaptive_lr.objectives.Rescaled`
    objective, parameters cΘ, state converted by :func:`rescaled_state`). ``c`` may be a
    sequence; the result has shape ``(len(c), d)`` then, ``(d,)`` for a scalar. An update
    with the units of Θ gives 1, up to ε, which carries no units and so matters only where
    the averages it is added to are not much larger than it; compare
    :func:`predicted_unit_ratio`. NaN where the original step is exactly 0.
    """
    warmup = check.positive_int("warmup", warmup, minimum=0)
    warm = trace(opt, objective, objective.start, warmup)
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


def unit_ratio_table(optimizers: Sequence, objective: Objective, cs=(10.0, 1000.0),
                     warmup: int = 3000) -> Table:
    """:func:`unit_ratio` for each optimizer and each c, beside the prediction
    :func:`predicted_unit_ratio`; a coordinate's ratio per column."""
    rows = []
    for opt in optimizers:
        ratio = unit_ratio(opt, objective, list(cs), warmup=warmup)
        predicted = predicted_unit_ratio(opt, list(cs))
        row = [opt.name]
        for k in range(len(cs)):
            row += [", ".join(f"{x:.4g}" for x in ratio[k]), f"{predicted[k]:.4g}"]
        rows.append(row)
    headers = ["optimizer"]
    for c in cs:
        headers += [f"ΔΦ/(cΔΘ), c = {c:g}", "predicted"]
    return Table(headers, rows)


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


class AdaDeltaSums(NamedTuple):
    """:func:`explicit_adadelta`'s result, each ``(T, *d)`` (row ``t - 1`` is step t):
    ``r`` and ``u`` as weighted sums, and the updates they give."""

    r: np.ndarray
    u: np.ndarray
    deltas: np.ndarray


def explicit_adadelta(grads, rho=0.9, eps=1e-6) -> AdaDeltaSums:
    r"""AdaDelta's two averages written as the sums of the expanded equations.

    :math:`r_t = (1-\rho_d)\sum_{k\le t}\rho_d^{t-k} g_k^2` and
    :math:`u_t = (1-\rho_d)\sum_{k\le t}\rho_d^{t-k}\,\Delta\Theta_k^2`, with
    :math:`\Delta\Theta_t = -\sqrt{u_{t-1}+\varepsilon}\,/\sqrt{r_t+\varepsilon}\; g_t`: each
    update enters the numerator of the *next* one. Computed step by step from the sums (not
    the recursion), for checking the optimizer against; ``rho`` and ``eps`` are scalars.
    """
    g = check.float_array("grads", grads).astype(np.float64)
    if g.ndim == 0 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, ...) with T ≥ 1, got {g.shape}")
    r_d = float(check.hyperparameter("rho", rho, high=1.0))
    e = float(check.hyperparameter("eps", eps, low_open=True))
    r, u, deltas = (np.empty(g.shape) for _ in range(3))
    for t in range(1, g.shape[0] + 1):
        w = ema_weights(r_d, t).reshape((t,) + (1,) * (g.ndim - 1))
        r[t - 1] = np.sum(w * g[:t] ** 2, axis=0)
        previous = u[t - 2] if t > 1 else np.zeros(g.shape[1:])
        deltas[t - 1] = -np.sqrt(previous + e) / np.sqrt(r[t - 1] + e) * g[t - 1]
        u[t - 1] = np.sum(w * deltas[:t] ** 2, axis=0)
    return AdaDeltaSums(r, u, deltas)


def adadelta_check(grads, rho: float = 0.9, eps: float = 1e-6) -> Table:
    """The expanded equations against the optimizer: the largest relative difference between
    :func:`explicit_adadelta` and ``AdaDelta`` replayed on ``grads`` (its r, its u, and its
    updates)."""
    sums = explicit_adadelta(grads, rho, eps)
    replay = trace(AdaDelta(rho=rho, eps=eps), np.asarray(grads, dtype=float))
    u = []
    opt, theta = AdaDelta(rho=rho, eps=eps), np.zeros(np.shape(grads)[1:])
    state = opt.init(theta)
    for g in np.asarray(grads, dtype=float):
        theta, state = opt.step(theta, g, state)
        u.append(state.delta_avg)
    rows = [["r (line 5)", _relative(sums.r, replay.accumulators)],
            ["u (line 6)", _relative(sums.u, np.array(u))],
            ["ΔΘ (line 6)", _relative(sums.deltas, replay.deltas)]]
    return Table(["quantity", "largest relative difference"], rows, fmt="{:.1e}")


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nanmax(np.where(scale > 0, np.abs(a - b) / scale, 0.0)))


def eps_floor(objective: Objective, eps_grid, *, rho: float = 0.9, steps: int = 10_000,
              tail: int = 1000, tol: float = 1e-2, start=None) -> tuple[np.ndarray, np.ndarray]:
    """AdaDelta's two sides of ε on one objective, from one batched run of ``steps`` steps
    per value of ``eps_grid``: the first step at which the loss gap is within ``tol`` (how
    fast it gets there; −1: never), and the largest gap over the last ``tail`` steps (the
    level it hovers at in the end)."""
    eps_grid = check.hyperparameter("eps_grid", eps_grid, low_open=True)
    if eps_grid.ndim != 1 or eps_grid.size < 3:
        raise ValueError("eps_grid must be 1-D with at least 3 values")
    steps = check.positive_int("steps", steps)
    tail = check.positive_int("tail", tail)
    if tail > steps:
        raise ValueError("tail must not exceed steps")
    start = np.asarray(objective.start if start is None else start, dtype=float)
    run = minimize(AdaDelta(rho=rho, eps=eps_grid[:, None]), objective,
                   np.tile(start, (eps_grid.size, 1)), steps)
    floor = np.max(run.losses[-tail:], axis=0) - objective.f_min
    return run.steps_to(objective.f_min + tol), floor


def hover(objective, eps, *, rho: float = 0.9, steps: int = 10_000, tail: int = 1000,
          floor=None) -> dict:
    """Where AdaDelta hovers on a quadratic: for each ε in ``eps``, the heavy-ball step
    h·λ_max (its mean effective rate times the steepest curvature) averaged over the last
    ``tail`` steps, the edge of stability being 2; and, given the levels ``floor`` of
    :func:`eps_floor` on the same ``eps``, the slope of log(floor) against log(ε) (1: the
    level is proportional to ε)."""
    from .adam import _quadratic
    from .one_learning_rate import spectrum

    eps = check.hyperparameter("eps", eps, low_open=True).reshape(-1)
    lmax = float(spectrum(_quadratic(objective))[0].max())
    run = minimize(AdaDelta(rho=rho, eps=eps[:, None]), objective,
                   np.tile(objective.start, (eps.size, 1)), steps)
    out = {"h_lmax": np.mean(run.lrs[-tail:], axis=(0, -1)) * lmax}
    if floor is not None:
        out["slope"] = float(np.polyfit(np.log10(eps), np.log10(np.asarray(floor)), 1)[0])
    return out


def eps_tradeoff(objective: Objective, eps_grid, *, rho: float = 0.9, steps: int = 10_000,
                 tail: int = 1000, tol: float = 1e-2, factor: float = 100.0,
                 **protocol) -> robustness.Spread:
    """:func:`eps_floor` under the robustness protocol (``protocol``: the options of
    :func:`~adaptive_lr.robustness.conditions`). Metrics: ``"best ε"``, the ε with the lowest
    hover level; ``"bracketed"`` (1 if it is inside the grid); ``"floor"``, that level;
    ``"floor ×factor"`` and ``"floor ÷factor"``, the level at the grid values nearest to
    ``factor`` times and 1/``factor`` times the best ε; ``"reach"``, the first step within
    ``tol`` at the best ε (−1: never)."""
    grid = check.hyperparameter("eps_grid", eps_grid, low_open=True)

    def experiment(case_objective, start):
        reach, floor = eps_floor(case_objective, grid, rho=rho, steps=steps, tail=tail,
                                 tol=tol, start=start)
        best = robustness.best_on_grid(floor, grid)
        up = int(np.argmin(np.abs(np.log(grid / (best.value * factor)))))
        down = int(np.argmin(np.abs(np.log(grid / (best.value / factor)))))
        return {"best ε": best.value, "bracketed": float(best.bracketed), "floor": best.score,
                f"floor ×{factor:g}": float(floor[up]), f"floor ÷{factor:g}": float(floor[down]),
                "reach": float(reach[best.index])}

    return robustness.stress(experiment, objective, **protocol)


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

    def gradient_scale(self) -> float:
        """RMS of the gradients over one period, :math:`\\sqrt{(C^2 + 2)/3}`: what relative
        noise is measured against."""
        return float(np.sqrt((self.C ** 2 + 2) / 3))

    def average_regret(self, xs) -> float:
        r""":math:`\frac1T\sum_t f_t(x_t) - f_t(x^*)` for the points ``xs`` played at t = 1..T."""
        xs = np.asarray(xs, dtype=float).reshape(-1)
        g = np.array([self.grad(t) for t in range(1, len(xs) + 1)])
        return float(np.mean(g * (xs - self.best)))


class OnlineRun(NamedTuple):
    xs: np.ndarray      # (T,) the point played at step t (before its update)
    rates: np.ndarray   # (T,) the effective rate of the update at step t
    final: float        # the point after the last update


def run_online(opt, problem: OnlineCounterexample, steps: int, x0: float = 0.0,
               noise: float = 0.0, seed: int = 0) -> OnlineRun:
    """Projected online optimization: play x_t, receive f_t'(x_t), step, clip to the bounds.

    ``opt`` is any optimizer of the package (one parameter); the projection onto
    [−1, 1] is the clipping of Reddi et al.'s one-dimensional example. ``noise`` adds
    Gaussian noise of that standard deviation to every gradient, drawn from
    ``np.random.default_rng([seed, t])``.
    """
    steps = check.positive_int("steps", steps)
    noise = float(check.hyperparameter("noise", noise))
    seed = check.positive_int("seed", seed, minimum=0)
    x = np.array([float(x0)])
    state = opt.init(x)
    xs, rates = np.empty(steps), np.empty(steps)
    low, high = problem.bounds
    for t in range(1, steps + 1):
        xs[t - 1] = x[0]
        g = problem.grad(t)
        if noise:
            g += noise * np.random.default_rng([seed, t]).standard_normal()
        x, state = opt.step(x, np.array([g]), state)
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


def online_spread(optimizers: dict, problem: OnlineCounterexample, steps: int = 3000, *,
                  seeds: Sequence[int] = (0, 1, 2), perturbation: float = robustness.PERTURBATION,
                  noise: float = 0.1, starts: Sequence[float] = (-1.0, -0.5, 0.5, 1.0)
                  ) -> robustness.Spread:
    """The online problem under the book's protocol: as given (x₀ = 0), with gradient noise of
    relative size ``perturbation`` and ``noise`` (of :meth:`~OnlineCounterexample.gradient_scale`)
    over ``seeds``, and from the other start points ``starts``. Metrics per optimizer:
    ``"<name> final"`` (the last point) and ``"<name> regret"`` (the average regret).

    The returned :class:`~adaptive_lr.robustness.Spread` has conditions without an objective
    (the problem is not an :class:`~adaptive_lr.objectives.Objective`).
    """
    scale = problem.gradient_scale()
    cases = [("exact", 0, 0.0, 0.0)]
    cases += [("perturbed", s, perturbation * scale, 0.0) for s in seeds if perturbation]
    cases += [("noisy", s, noise * scale, 0.0) for s in seeds if noise]
    cases += [("start", k, 0.0, float(x0)) for k, x0 in enumerate(starts)]
    conditions, results = [], []
    for kind, seed, sigma, x0 in cases:
        metrics = {}
        for name, opt in optimizers.items():
            run = run_online(opt, problem, steps, x0=x0, noise=sigma, seed=seed)
            metrics[f"{name} final"] = run.final
            metrics[f"{name} regret"] = problem.average_regret(run.xs)
        conditions.append(robustness.Condition(kind, seed, None, np.array([x0])))
        results.append(metrics)
    return robustness.Spread(tuple(conditions), tuple(results))


def online_table(online: dict, problem: OnlineCounterexample, first: int = 6) -> Table:
    """Per run of the online problem (name → :class:`OnlineRun`): the final point, the
    average regret, the largest one-step increase of the effective rate (over all steps and
    after step 10), and the rates of the first ``first`` steps."""
    rows = [[name, run.final, problem.average_regret(run.xs), max_rate_increase(run.rates),
             max_rate_increase(run.rates, 10),
             ", ".join(f"{r:.4f}" for r in run.rates[:first])] for name, run in online.items()]
    return Table(["optimizer", "final x", "average regret", "largest rate increase",
                  "after step 10", f"effective rates, steps 1–{first}"], rows, fmt="{:.3f}")


class Spike(NamedTuple):
    """:func:`spike_experiment`'s result: per optimizer, the step sizes (units of ρ) after
    the spike, and the step from which they stay ≥ ``fraction`` of ρ (−1: never)."""

    n: np.ndarray
    sizes: dict[str, np.ndarray]
    back: dict[str, int]
    closed: int
    fraction: float


def spike_experiment(spike: float = 1000.0, before: int = 100, after: int = 20_000,
                     beta2: float = 0.999, fraction: float = 0.5) -> Spike:
    r"""Gradients of 1, one gradient of ``spike`` after ``before`` steps, then 1 again:
    the step sizes of Adam and AMSGrad (β₁ = 0, ρ = 1, ε = 1e-12), replayed by
    :func:`~adaptive_lr.trace.trace`.

    The spike puts :math:`(1-\beta_2)S^2` into v. Adam forgets it at the rate β₂, like the
    drop of :func:`adaptive_lr.chapters.adam.recovery_steps` with
    :math:`D = \sqrt{1 + (1-\beta_2)(S^2-1)}` (the ``closed`` field); AMSGrad's maximum
    keeps it for good, so its step stays about :math:`\rho/D`.
    """
    spike = float(check.hyperparameter("spike", spike, low=1.0))
    before = check.positive_int("before", before)
    after = check.positive_int("after", after)
    grads = np.r_[np.ones(before), [spike], np.ones(after)][:, None]
    opts = {"Adam": Adam(lr=1.0, betas=(0.0, beta2), eps=1e-12),
            "AMSGrad": Adam(lr=1.0, betas=(0.0, beta2), eps=1e-12, amsgrad=True)}
    n = np.arange(1, after + 1)
    sizes, back = {}, {}
    for name, opt in opts.items():
        size = np.abs(trace(opt, grads).deltas[before + 1:, 0])
        sizes[name] = size
        back[name] = int(settle_step(n, size, fraction, side="above"))
    b = float(beta2)
    # v after many gradients of 1 is about 1; the spike adds (1 − β₂)(S² − 1)
    drop = float(np.sqrt(1 + (1 - b) * (spike ** 2 - 1)))
    closed = int(recovery_steps(b, drop, fraction))
    return Spike(n, sizes, back, closed, float(fraction))


# ------------------------------------------------------------- weight decay


def decay_per_step(lr, weight_decay, v_hat=None, eps=1e-8, decoupled: bool = False
                   ) -> np.ndarray:
    r"""Fraction of Θ that weight decay λ removes per step in Adam.

    Decoupled (the package's and PyTorch's AdamW): :math:`\Theta \leftarrow
    \Theta(1-\rho\lambda)`, so :math:`\rho\lambda` for every coordinate. As L2 in the
    gradient (PyTorch ``Adam(weight_decay=λ)``), the term :math:`\lambda\Theta` is divided by
    :math:`\varepsilon + \sqrt{\hat v}` like the rest of the gradient:
    :math:`\rho\lambda/(\varepsilon + \sqrt{\hat v})` when the loss gradient dominates
    :math:`\hat v` and its own average is 0. Coordinates with large gradients are decayed
    less. ``v_hat`` is needed (and used) only for L2.
    """
    rho = check.hyperparameter("lr", lr)
    lam = check.hyperparameter("weight_decay", weight_decay)
    if decoupled:
        return rho * lam * (np.ones(np.shape(v_hat)) if v_hat is not None else 1.0)
    if v_hat is None:
        raise ValueError("L2 weight decay needs v_hat, the second-moment estimate")
    v = check.hyperparameter("v_hat", v_hat)
    return rho * lam / (check.hyperparameter("eps", eps) + np.sqrt(v))


def decay_experiment(amplitudes=(0.01, 1.0, 100.0), lr: float = 0.01,
                     weight_decay: float = 0.1, steps: int = 1000, objective=None) -> dict:
    """Adam with L2 weight decay and AdamW on gradients that average to zero
    (:class:`~adaptive_lr.objectives.Alternating`, or ``objective``): name → the run."""
    objective = Alternating(amplitudes) if objective is None else objective
    opts = {"Adam + L2": Adam(lr=lr, weight_decay=weight_decay),
            "AdamW": Adam(lr=lr, weight_decay=weight_decay, decoupled=True)}
    return {name: minimize(opt, objective, objective.start, steps)
            for name, opt in opts.items()}


def decay_spread(amplitudes=(0.01, 100.0), lr: float = 0.01, weight_decay: float = 0.1,
                 steps: int = 1000, **protocol) -> robustness.Spread:
    """:func:`decay_experiment` under the robustness protocol. Metrics: for each method the
    fraction of its start that the weight with the smallest and the one with the largest
    gradients keep (``"<name> small"``, ``"<name> large"``) and their ratio large/small
    (``"<name> ratio"``): 1 means both decayed alike.

    Two coordinates by default, the extremes of :func:`decay_experiment`'s three: the
    protocol's noisy conditions wrap the objective in
    :class:`~adaptive_lr.objectives.Noisy`, which handles two-dimensional objectives only."""
    def experiment(objective, start):
        metrics = {}
        opts = {"Adam + L2": Adam(lr=lr, weight_decay=weight_decay),
                "AdamW": Adam(lr=lr, weight_decay=weight_decay, decoupled=True)}
        for name, opt in opts.items():
            kept = minimize(opt, objective, start, steps).final_theta / start
            metrics[f"{name} small"] = float(kept[0])
            metrics[f"{name} large"] = float(kept[-1])
            metrics[f"{name} ratio"] = float(kept[-1] / kept[0])
        return metrics

    return robustness.stress(experiment, Alternating(amplitudes), **protocol)


_CONVENTIONS = ("paper", "pytorch")


def decoupled_decay_per_step(weight_decay, lr=1e-3, schedule=1.0,
                             convention: str = "pytorch") -> np.ndarray:
    r"""The fraction of Θ that decoupled weight decay removes at one step.

    ``"pytorch"`` (PyTorch's ``AdamW``, optax's ``adamw`` and this package's
    ``Adam(decoupled=True)``): :math:`\rho_t\lambda` with :math:`\rho_t = \rho\,\eta_t` the
    scheduled learning rate. ``"paper"`` (Loshchilov & Hutter, Algorithm 2, line 12):
    :math:`\eta_t\lambda`, the schedule multiplier times λ, with no base learning rate.
    ``schedule`` is :math:`\eta_t` (1 without a schedule).
    """
    if convention not in _CONVENTIONS:
        raise ValueError(f"convention must be one of {_CONVENTIONS}, got {convention!r}")
    lam = check.hyperparameter("weight_decay", weight_decay)
    eta = check.hyperparameter("schedule", schedule)
    if convention == "paper":
        return eta * lam
    return check.hyperparameter("lr", lr) * eta * lam


def port_weight_decay(weight_decay, lr, to: str = "pytorch") -> np.ndarray:
    r"""The λ that gives the same decay per step in the other convention.

    Equal decay means :math:`\rho\,\eta_t\lambda_{\text{PyTorch}} = \eta_t\lambda_{\text{paper}}`,
    so :math:`\lambda_{\text{PyTorch}} = \lambda_{\text{paper}}/\rho` (``to="pytorch"``) and
    :math:`\lambda_{\text{paper}} = \rho\,\lambda_{\text{PyTorch}}` (``to="paper"``), whatever
    the schedule. The ported value depends on ρ: change the learning rate and a PyTorch λ
    decays the weights at another rate, a paper λ does not.
    """
    if to not in _CONVENTIONS:
        raise ValueError(f"to must be one of {_CONVENTIONS}, got {to!r}")
    lam = check.hyperparameter("weight_decay", weight_decay)
    rho = check.hyperparameter("lr", lr, low_open=True)
    return lam / rho if to == "pytorch" else lam * rho


def convention_table(weight_decay: float = 1e-2, lrs: Sequence[float] = (1e-4, 1e-3, 1e-2)
                     ) -> Table:
    """One λ read in both conventions, at several learning rates (no schedule): the decay
    per step and the steps that halve a weight by decay alone, and the λ that ports it."""
    rows = []
    for lr in lrs:
        paper = float(decoupled_decay_per_step(weight_decay, lr, convention="paper"))
        torch = float(decoupled_decay_per_step(weight_decay, lr, convention="pytorch"))
        rows.append([lr, torch, _halving(torch), paper, _halving(paper),
                     float(port_weight_decay(weight_decay, lr, to="pytorch"))])
    return Table(["ρ", "PyTorch: decay per step", "steps to halve", "paper: decay per step",
                  "steps to halve", "PyTorch λ for the paper's"], rows, fmt="{:.3g}")


def _halving(fraction: float) -> int:
    return int(np.ceil(np.log(2) / -np.log1p(-fraction)))


# ---------------------------------------------------------------- figures


def _style():
    import matplotlib as mpl

    from .. import plots

    return mpl.rc_context(plots.BOOK_STYLE)


def figure_slow_start(eps, sizes):
    """One column-wide panel: AdaDelta's step sizes on a constant gradient of 1, one line per
    ε (``sizes`` is ``(T, len(eps))``), with :math:`\\sqrt{\\varepsilon(1 + 0.1t)}` dotted."""
    from .. import plots

    with _style():
        (fig,), (ax,) = plots.panels(1, _WIDE)
        ts = np.arange(1, sizes.shape[0] + 1)
        for k, e in enumerate(eps):
            ax.plot(ts, sizes[:, k], color=plots.color(k), linestyle=plots.LINESTYLES[k % 4],
                    label=f"ε = {e:g}")
            ax.plot(ts, np.sqrt(e * (1 + 0.1 * ts)), color="0.2", linewidth=0.6,
                    linestyle=":", label="√(ε(1 + 0.1 t))" if k == 0 else None)
        ax.set(xscale="log", yscale="log", xlabel="step t", ylabel="step size |ΔΘ|")
        plots.legend_below(ax)
    return plots.PanelRow(fig, "AdaDelta's step size against the step, log-log, for three "
                               "values of epsilon")


def figure_eps_floor(eps, curves: dict, tol: float):
    """Two panels against ε: the first step within ``tol`` and the level the loss hovers at
    in the end; ``curves`` maps an objective's name to :func:`eps_floor`'s pair."""
    from .. import plots

    with _style():
        figs, (ax_reach, ax_floor) = plots.panels(2)
        for i, (name, (reach, floor)) in enumerate(curves.items()):
            shown = np.where(reach >= 0, reach, np.nan).astype(float)
            ax_reach.plot(eps, shown, color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                          marker=".", label=name)
            ax_floor.plot(eps, floor, color=plots.color(i),
                          linestyle=plots.LINESTYLES[i % 4], marker=".", label=name)
        ax_reach.set(xscale="log", yscale="log", xlabel="ε",
                     ylabel=f"first step with gap ≤ {tol:g}", title="how fast")
        ax_floor.axhline(tol, color="0.4", linewidth=0.8, linestyle=":")
        ax_floor.set(xscale="log", yscale="log", xlabel="ε", ylabel="largest gap, last steps",
                     title="how close in the end")
        plots.legend_below(ax_reach)
        plots.legend_below(ax_floor)
    return plots.PanelRow(figs, ["Steps to first reach the tolerance against epsilon",
                                 "Loss level in the last steps against epsilon"])


def figure_online(online: dict, problem: OnlineCounterexample, first: int = 30):
    """Two panels of the online problem: the point played at every step, and the effective
    rates over the first ``first`` steps, one line per entry of ``online`` (name → run)."""
    from .. import plots

    with _style():
        figs, (ax_x, ax_rate) = plots.panels(2)
        for i, (name, run) in enumerate(online.items()):
            style = dict(color=plots.color(i), linestyle=plots.LINESTYLES[i % 4], label=name)
            ax_x.plot(np.arange(1, run.xs.size + 1), run.xs, **style)
            ax_rate.plot(np.arange(1, first + 1), run.rates[:first], marker=".", **style)
        ax_x.axhline(problem.best, color="0.4", linewidth=0.8, linestyle=":")
        ax_x.set(xlabel="step t", ylabel="x played", title="the point played (best: −1)")
        ax_rate.set(xlabel="step t", ylabel="effective learning rate",
                    title=f"first {first} steps")
        plots.legend_below(ax_x)
        plots.legend_below(ax_rate)
    return plots.PanelRow(figs, ["Point played against the step for each optimizer",
                                 "Effective learning rate over the first steps"])


def figure_spike(result: Spike):
    """One column-wide panel: step sizes after the spike (log–log)."""
    from .. import plots

    with _style():
        (fig,), (ax,) = plots.panels(1, _WIDE)
        for i, (name, size) in enumerate(result.sizes.items()):
            ax.plot(result.n, size, color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                    label=name)
        ax.axhline(result.fraction, color="0.4", linewidth=0.8, linestyle=":",
                   label=f"{result.fraction:g} ρ")
        ax.set(xscale="log", yscale="log", xlabel="steps since the spike",
               ylabel="step size / ρ")
        plots.legend_below(ax)
    return plots.PanelRow(fig, "Step size against steps since one large gradient, for Adam "
                               "and AMSGrad")


def figure_decay(runs: dict, amplitudes):
    """One panel per run (name → run): each weight over the steps, one line per amplitude."""
    from .. import plots

    with _style():
        figs, axes = plots.panels(len(runs))
        for ax, (name, run) in zip(axes, runs.items()):
            for k, a in enumerate(amplitudes):
                ax.plot(run.steps, run.thetas[:, k], color=plots.color(k),
                        linestyle=plots.LINESTYLES[k % 4], label=f"gradient ±{a:g}")
            ax.set(xlabel="step t", ylabel="weight Θ", title=name, ylim=(-0.05, 1.05))
            plots.legend_below(ax)
    return plots.PanelRow(figs, [f"Three weights against the step under {name}"
                                 for name in runs])
