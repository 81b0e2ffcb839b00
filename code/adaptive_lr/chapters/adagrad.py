r"""Closed forms, experiments and figures behind the AdaGrad chapter.

Closed forms of AdaGrad's update (PyTorch's form: :math:`\varepsilon` outside the root,
:math:`r_0` = ``initial_accumulator_value``, no ``lr_decay``):

* :func:`first_step` -- :math:`\Delta\Theta_1 = -\rho\, g / (\varepsilon + \sqrt{r_0 + g^2})`,
  about :math:`-\rho\,\mathrm{sign}(g)` when :math:`r_0 = 0`, whatever the scale of g;
* :func:`constant_gradient_rate` -- the effective rate after t steps of a constant gradient,
  :math:`\rho / (\varepsilon + \sqrt{r_0 + t g^2})`, which falls like :math:`1/\sqrt t`;
* :func:`travel_bound` and :func:`min_steps_to_travel` -- how far a coordinate can move in t
  steps when its gradient's size never grows, :math:`\rho \sum_{s \le t} s^{-1/2} < 2\rho\sqrt t`;
  :func:`travel_bound_any` -- the bound for any gradients at all (noise included),
  :math:`\rho\sqrt{n\,(1 + \ln(r_t / r_{\mathrm{first}}))}`: the reason AdaGrad stalls.

Experiments, each a function returning a frozen result with its tables: the post's claims
2 to 5 (:func:`rate_decay`, :func:`updates_and_rates`, :func:`stall`, :func:`recency`), each
run under the book's robustness protocol (:mod:`adaptive_lr.robustness`) and, for AdaGrad's
two problems, with minibatch gradients on the package's data tasks; the sparse-feature
comparison with each method tuned on its own grid (:func:`sparse_comparison`); the aligned
and rotated bowls (:func:`bowl_comparison`). Minibatch runs replay exactly the minibatches
:func:`adaptive_lr.runs.train` draws (:func:`minibatch_gradients`), through the package's one
gradient loop, :func:`adaptive_lr.trace.trace`, which records every step.

The experiments with their default arguments are cached: the notebook, the claim checks and
the tests share one run per process. Treat the results as read-only.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from .. import _validation as check
from .. import data, objectives, plots
from ..optim import SGD, AdaGrad, RMSProp
from ..robustness import GridBest, Spread, best_on_grid, stress
from ..runs import Run, fastest, minimize, train
from .. import tables
from ..tables import Table, sci, subscript  # noqa: F401  (the notebook calls chapter.sci)
from ..trace import Trace, trace
from .claims import Claim

__all__ = [
    # closed forms
    "first_step", "constant_gradient_rate", "travel_bound", "min_steps_to_travel",
    "travel_bound_any",
    # helpers
    "PROTOCOL", "rate_exponent",
    "rank_correlation", "minibatch_gradients", "epoch_params",
    "coordinates_table", "rates_table", "first_step_table", "constant_rate_table",
    "rescaling", "shift_table", "preconditioned_condition",
    # the chapter's experiments
    "RateDecay", "rate_decay", "claim_2_verdict",
    "UpdatesAndRates", "updates_and_rates", "claim_3_verdict", "claim_3_gradient_verdict",
    "Stall", "stall", "claim_4_verdict", "stall_sweep", "sweep_table",
    "Recency", "recency", "claim_5_verdict",
    "SparseComparison", "sparse_comparison", "tuned_sparse", "BowlComparison",
    "bowl_comparison", "bowl_paths",
    # the claims
    "check_claim_2", "check_claim_3", "check_claim_4", "check_claim_5", "CLAIMS",
    # figures
    "figure_one_rate", "figure_rate_decay", "figure_sparse", "figure_bowls",
    "figure_bowl_rates", "figure_stall", "figure_recency",
]


# ==================================================================== closed forms


def first_step(grad, lr=0.01, eps=1e-10, initial_accumulator_value=0.0) -> np.ndarray:
    r"""AdaGrad's first update :math:`\Delta\Theta_1 = -\rho\,g/(\varepsilon + \sqrt{r_0 + g\odot g})`.

    Vectorized over ``grad`` and the hyperparameters. With :math:`r_0 = 0` and
    :math:`|g| \gg \varepsilon` it is :math:`-\rho\,\mathrm{sign}(g)`: the first step has size
    :math:`\rho` whatever the gradient's scale.
    """
    g = check.float_array("grad", np.asarray(grad, dtype=float))
    lr = check.hyperparameter("lr", lr)
    eps = check.hyperparameter("eps", eps, low_open=True)
    r0 = check.hyperparameter("initial_accumulator_value", initial_accumulator_value)
    return -lr * g / (eps + np.sqrt(r0 + g * g))


def constant_gradient_rate(grad, steps, lr=0.01, eps=1e-10,
                           initial_accumulator_value=0.0) -> np.ndarray:
    r"""The effective rate :math:`\rho/(\varepsilon + \sqrt{r_0 + t\,g^2})` after ``steps``
    steps of the same gradient ``grad``; vectorized over all arguments.

    For :math:`r_0 = 0` it equals :math:`\rho/(|g|\sqrt t)` up to ε: the rate falls like
    :math:`1/\sqrt t` and :math:`\text{rate}\cdot\sqrt t = \rho/|g|` stays constant.
    """
    g = np.asarray(grad, dtype=float)
    t = np.asarray(steps)
    if t.dtype.kind not in "iu" or np.any(t < 1):
        raise ValueError(f"steps must be integers ≥ 1, got {steps!r}")
    lr = check.hyperparameter("lr", lr)
    eps = check.hyperparameter("eps", eps, low_open=True)
    r0 = check.hyperparameter("initial_accumulator_value", initial_accumulator_value)
    return lr / (eps + np.sqrt(r0 + t * g * g))


#: Largest step count the exact sums below handle (an 80 MB cumulative sum).
MAX_STEPS = 10_000_000


def _half_harmonic(t_max: int) -> np.ndarray:
    """:math:`S(t) = \\sum_{s=1}^{t} s^{-1/2}` for t = 0, 1, ..., ``t_max``."""
    if t_max > MAX_STEPS:
        raise ValueError(f"step counts above {MAX_STEPS:_} are not supported, got {t_max:_}")
    return np.concatenate([[0.0], np.cumsum(1 / np.sqrt(np.arange(1, t_max + 1)))])


def travel_bound(steps, lr) -> np.ndarray:
    r"""Upper bound :math:`\rho \sum_{s=1}^{t} s^{-1/2}` on the distance one coordinate moves.

    Holds for AdaGrad with :math:`r_0 = 0` (any ε ≥ 0) on a coordinate whose gradient's size
    never grows, :math:`|g_1| \ge |g_2| \ge \dots`: then :math:`r_s \ge s\,g_s^2`, so every
    step has :math:`|\Delta\Theta_s| \le \rho/\sqrt s`. The sum lies between
    :math:`2\sqrt{t+1} - 2` and :math:`2\sqrt t - 1`, so the bound grows only like
    :math:`2\rho\sqrt t`. ``steps`` (integers ≥ 0) and ``lr`` broadcast together.
    """
    t = np.asarray(steps)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError(f"steps must be integers ≥ 0, got {steps!r}")
    lr = check.hyperparameter("lr", lr)
    return lr * _half_harmonic(int(t.max()) if t.size else 0)[t]


def min_steps_to_travel(distance, lr) -> np.ndarray:
    r"""The fewest steps t with :func:`travel_bound` ``(t, lr) ≥ distance``.

    A coordinate that starts ``distance`` from its minimum, with a gradient whose size never
    grows, needs at least this many steps to get there: about :math:`(\text{distance}/2\rho)^2`.
    Vectorized over ``distance`` and ``lr``; returns int64.
    """
    need = check.hyperparameter("distance", distance) / check.hyperparameter("lr", lr,
                                                                              low_open=True)
    # S(t) ≥ 2√(t+1) − 2, so S reaches `need` by t = ((need + 2)/2)² − 1 at the latest
    t_max = int(np.ceil(((float(need.max()) + 2) / 2) ** 2))
    sums = _half_harmonic(t_max)
    return np.searchsorted(sums, need, side="left").astype(np.int64)


def travel_bound_any(grads, lr) -> np.ndarray:
    r"""Bound on the path length :math:`\sum_t |\Delta\theta_t|` of each coordinate, for any
    gradients: :math:`\rho\sqrt{n\,\bigl(1 + \ln(r_T / r_{\mathrm{first}})\bigr)}`.

    ``grads`` has shape ``(T, ...)``: the gradients AdaGrad (:math:`r_0 = 0`, any ε ≥ 0) saw,
    one row per step. n counts the steps whose gradient is not 0, :math:`r_T` is the
    accumulator at the end and :math:`r_{\mathrm{first}}` the first nonzero square. Proof:
    :math:`|\Delta\theta_t| \le \rho|g_t|/\sqrt{r_t}`; by Cauchy–Schwarz
    :math:`\sum_t |g_t|/\sqrt{r_t} \le \sqrt{n \sum_t g_t^2/r_t}`, and
    :math:`g_t^2/r_t = 1 - r_{t-1}/r_t \le \ln(r_t/r_{t-1})` after the first nonzero step,
    whose term is 1, so the sum telescopes to at most :math:`1 + \ln(r_T/r_{\mathrm{first}})`.
    Unlike :func:`travel_bound` it needs no assumption on the gradients, so it holds under
    noise too; it grows like :math:`\rho\sqrt{T \ln T}` at most. Shape ``grads.shape[1:]``;
    0 for a coordinate whose gradient was always 0.
    """
    g2 = np.square(check.float_array("grads", np.asarray(grads, dtype=float)))
    if g2.ndim == 0 or g2.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, ...) with T ≥ 1, got {g2.shape}")
    lr = check.hyperparameter("lr", lr)
    nonzero = g2 > 0
    n = nonzero.sum(axis=0)
    first = np.take_along_axis(g2, np.argmax(nonzero, axis=0)[None], axis=0)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = lr * np.sqrt(n * (1 + np.log(g2.sum(axis=0) / first)))
    return np.where(n > 0, bound, 0.0)


# ==================================================================== helpers

#: The options of :func:`adaptive_lr.robustness.conditions` for this chapter's objective
#: experiments: three seeds, minibatch-like noise of 10 % of the start's RMS gradient, other
#: starts at half the distance to the minimum.
PROTOCOL = {"seeds": (0, 1, 2), "noise": 0.1, "starts": 0.5}

#: Labels of the kinds of condition, in the order the tables show them.
_KINDS = {"exact": "exact", "perturbed": "perturbed 1e-12", "noisy": "noisy gradients",
          "start": "other starts"}


#: A spread as the chapter quotes it (an empty one is "none").
span = functools.partial(tables.span, empty="none")


def coordinates_table(rates, run: Run) -> Table:
    """|θ₁| and |θ₂| at the end of a batched run, one row per learning rate."""
    end = np.abs(run.final_theta)
    return Table(["ρ", f"|θ₁| after {int(run.steps[-1])}", f"|θ₂| after {int(run.steps[-1])}"],
                 [[r, sci(a, 4), sci(b, 4)] for r, (a, b) in zip(rates, end)])


def rates_table(rates: np.ndarray, steps: Sequence[int]) -> Table:
    """Per-coordinate effective rates (``rates``: ``(T, d)``, row t − 1 for step t) at
    some steps."""
    d = rates.shape[1]
    return Table(["step"] + [f"rate θ{subscript(k + 1)}" for k in range(d)],
                 [[t] + [sci(v, 4) for v in rates[t - 1]] for t in steps])


def first_step_table(grads, lr: float) -> Table:
    """AdaGrad's first step (:func:`first_step`) for gradients of very different sizes."""
    grads = np.asarray(grads, dtype=float)
    return Table(["g", f"first step (ρ = {lr:g})"],
                 [[sci(g), f"{d:.6g}"] for g, d in zip(grads, first_step(grads, lr=lr))])


def constant_rate_table(tr: Trace, steps: Sequence[int]) -> Table:
    """A constant-gradient trace: each rate and rate · √t at some steps."""
    d = tr.rates.shape[1]
    headers = ["t"] + [f"rate θ{subscript(k + 1)}" for k in range(d)] + [
        f"rate θ{subscript(k + 1)} · √t" for k in range(d)]
    return Table(headers, [[t] + [sci(v, 4) for v in tr.rates[t - 1]]
                           + [f"{v:.4g}" for v in tr.rates[t - 1] * np.sqrt(t)]
                           for t in steps])


def rescaling(kappas: Sequence[float] = (1.0, 25.0, 1000.0), ada_lr: float = 0.7,
              gd_lr: float = 0.07, steps: int = 60) -> tuple[Table, float]:
    """AdaGrad and GD on the bowl for several curvatures κ of θ₂ (a rescaled gradient).

    Returns a table (AdaGrad's largest distance from its κ = 1 path, its end point, GD's end
    or divergence) and the largest of those distances over every κ.
    """
    start = np.array([-4.0, 1.5])
    runs = [(minimize(AdaGrad(lr=ada_lr), objectives.ill_conditioned(k), start, steps),
             minimize(SGD(lr=gd_lr, name="GD"), objectives.ill_conditioned(k), start, steps))
            for k in kappas]
    gaps = [float(np.max(np.abs(a.thetas - runs[0][0].thetas))) for a, _ in runs]
    rows = [[k, sci(gap, 2) if gap > 0 else "0",
             f"({a.final_theta[0]:.4f}, {a.final_theta[1]:.4f})",
             g.message() if g.diverged.any() else
             f"({g.final_theta[0]:.4f}, {g.final_theta[1]:.4f})"]
            for k, gap, (a, g) in zip(kappas, gaps, runs)]
    table = Table(["κ", "AdaGrad: largest gap to the κ = 1 path", f"AdaGrad after {steps}",
                   f"GD (ρ = {gd_lr:g}) after {steps}"], rows, align="left")
    return table, max(gaps)


def shift_table(tr: Trace, landscape, steps: Sequence[int]) -> Table:
    """A run on a changing landscape: distance to the current minimum, step size and rates."""
    minima = np.array([landscape.minimizer_at(t) for t in range(tr.steps + 1)])
    distance = np.linalg.norm(tr.thetas - minima, axis=1)
    size = np.linalg.norm(tr.deltas, axis=1)
    return Table(["step", "distance to the current minimum", "|step|", "rate θ₁", "rate θ₂"],
                 [[t, distance[t], size[t - 1], *tr.rates[t - 1]] for t in steps])


def preconditioned_condition(hessian, d) -> float:
    """Condition number of :math:`D^{1/2} A D^{1/2}` for ``D = diag(d)``."""
    root = np.diag(np.sqrt(np.asarray(d, dtype=float)))
    return float(np.linalg.cond(root @ np.asarray(hessian, dtype=float) @ root))


def rate_exponent(rates, from_fraction: float = 0.5) -> np.ndarray:
    r"""How fast rates fall: p in :math:`\text{rate} \propto t^{-p}`, fitted per coordinate.

    ``rates`` has shape ``(T, ...)``, row t − 1 the rate of step t. p is minus the
    least-squares slope of log rate against log t over the steps from ``from_fraction`` · T
    to T. p = 1 is a rate in inverse proportion to the number of updates; a constant
    gradient gives p = 1/2 and a rate that stopped changing p = 0.
    """
    lr = np.log(np.asarray(rates, dtype=float))
    T = lr.shape[0]
    first = min(int(from_fraction * T), T - 2)
    if T < 3:
        raise ValueError(f"rates must hold at least 3 steps, got {T}")
    x = np.log(np.arange(first + 1, T + 1, dtype=float))
    x = (x - x.mean()).reshape((-1,) + (1,) * (lr.ndim - 1))
    y = lr[first:] - lr[first:].mean(axis=0)
    return -(x * y).sum(axis=0) / (x * x).sum() + 0.0


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two 1-D samples (ties get their mean rank); NaN when
    either sample is constant."""
    def ranks(x):
        x = np.asarray(x, dtype=float)
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=float)
        for value in np.unique(x):  # ties: the mean of their ranks
            tied = x == value
            r[tied] = r[tied].mean()
        return r
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denominator) if denominator > 0 else float("nan")


def minibatch_gradients(tasks, *, batch_size: int = 32, seed: int = 0,
                        scales=1.0) -> tuple[Callable, int]:
    """The minibatch gradients of :func:`adaptive_lr.runs.train`, as a function for
    :func:`adaptive_lr.trace.trace`.

    ``tasks`` is a :class:`~adaptive_lr.data.Task` per epoch (a list), all with the same
    training-set size; epoch e draws its order from the same seeded generator as ``train``
    and its gradients from ``tasks[e]``, multiplied by ``scales`` (one number, or one per
    epoch). Returns ``(grad(theta, step), steps)``, steps = epochs × minibatches per epoch;
    ``trace(opt, grad, params0, steps)`` then replays ``train(opt, task, params0,
    epochs=len(tasks), batch_size=batch_size, seed=seed)`` step for step and records it.
    """
    tasks = list(tasks)
    if not tasks or not all(isinstance(t, data.Task) for t in tasks):
        raise TypeError("tasks must be a non-empty list of Tasks, one per epoch")
    n = tasks[0].X_train.shape[0]
    if any(t.X_train.shape[0] != n for t in tasks):
        raise ValueError("every epoch's task must have the same number of training samples")
    batch_size = check.positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must lie in [1, {n}], got {batch_size}")
    scales = np.broadcast_to(check.hyperparameter("scales", scales), (len(tasks),))
    rng = np.random.default_rng(check.positive_int("seed", seed, minimum=0))
    orders = [rng.permutation(n) for _ in tasks]
    per_epoch = -(-n // batch_size)

    def grad(theta, step):
        epoch, k = divmod(step, per_epoch)
        rows = orders[epoch][k * batch_size:(k + 1) * batch_size]
        task = tasks[epoch]
        return scales[epoch] * task.loss_and_grad(theta, task.X_train[rows],
                                                  task.y_train[rows])[1]

    return grad, per_epoch * len(tasks)


def epoch_params(opt, tasks, params0, *, batch_size: int = 32, seed: int = 0,
                 scales=1.0) -> tuple[np.ndarray, Trace]:
    """Minibatch training as :func:`adaptive_lr.runs.train` does it, with the parameters kept
    after every epoch: shape ``(epochs + 1, *params0.shape)``, row 0 the start.

    ``tasks``, ``batch_size``, ``seed`` and ``scales`` are those of
    :func:`minibatch_gradients`; the full :class:`~adaptive_lr.trace.Trace` comes second.
    """
    grad, steps = minibatch_gradients(tasks, batch_size=batch_size, seed=seed, scales=scales)
    tr = trace(opt, grad, np.asarray(params0, dtype=float), steps)
    per_epoch = steps // len(list(tasks))
    return tr.thetas[::per_epoch], tr


def _kind_rows(spread: Spread, columns: Mapping[str, tuple[str, str]]) -> list[list[str]]:
    """One row per kind of condition: the span of each metric (``{header: (metric, fmt)}``)."""
    rows = []
    for kind, label in _KINDS.items():
        if not any(c.kind == kind for c in spread.conditions):
            continue
        rows.append([label] + [span(spread.values(metric, kind), fmt)
                               for metric, fmt in columns.values()])
    return rows


# ============================================================ claim 2: 반비례?


def _bowl() -> objectives.Quadratic:
    return objectives.ill_conditioned(kappa=25.0)


def _rates_rise(rates: np.ndarray) -> int:
    """How many (step, coordinate) pairs have a larger rate than the step before."""
    return int(np.count_nonzero(np.diff(rates, axis=0) > 0))


@dataclass(frozen=True)
class RateDecay:
    """The result of :func:`rate_decay`: does the rate fall in inverse proportion (반비례)?

    Attributes:
      bowl: ``{"steady": Spread, "fading": Spread}``: AdaGrad on the ill-conditioned bowl at
        ρ = ``steady_lr`` (it stalls, so its gradients keep their size) and at ρ =
        ``fading_lr`` (it converges, so its gradients fade), ``steps`` steps, under every condition
        of :data:`PROTOCOL`. Metrics: ``rises`` (steps at which a rate grew), ``p θ₁``,
        ``p θ₂`` (:func:`rate_exponent` of each coordinate's rate).
      sparse: per seed of minibatch AdaGrad on ``data.sparse_logistic()``: ``rises``,
        ``p common`` and ``p rare`` (medians over those weights), ``rare still`` (the share of
        steps in which a rare weight's rate did not change at all, its gradient being 0).
      curves: rates against the step for the figure: ``{label: (T,) array}``.
      lrs: ``(steady_lr, fading_lr, sparse_lr)``.
    """

    bowl: dict
    sparse: dict
    curves: dict
    lrs: tuple

    def exponents(self) -> np.ndarray:
        """Every fitted exponent p, over all settings and conditions."""
        values = [s.values(m) for s in self.bowl.values() for m in ("p θ₁", "p θ₂")]
        values += [self.sparse["p common"], self.sparse["p rare"]]
        return np.concatenate(values)

    def rises(self) -> int:
        """Steps at which any rate grew, over all settings and conditions."""
        return int(sum(s.values("rises").sum() for s in self.bowl.values())
                   + self.sparse["rises"].sum())

    def table(self) -> Table:
        steady, fading, sparse = self.lrs
        rows = []
        for key, label in (("steady", f"bowl, ρ = {steady:g}"),
                           ("fading", f"bowl, ρ = {fading:g}")):
            for row in _kind_rows(self.bowl[key], {"rises": ("rises", "{:.0f}"),
                                                   "p1": ("p θ₁", "{:.2f}"),
                                                   "p2": ("p θ₂", "{:.2f}")}):
                rows.append([label] + row)
        s = self.sparse
        rows.append([f"sparse logistic, ρ = {sparse:g}",
                     f"minibatches, {len(s['rises'])} seeds", span(s["rises"], "{:.0f}"),
                     span(s["p common"], "{:.2f}"), span(s["p rare"], "{:.2f}")])
        return Table(["setting", "conditions", "steps with a rising rate",
                      "p of θ₁ (common weights)", "p of θ₂ (rare weights)"], rows,
                     align="left")


def claim_2_verdict(result: RateDecay) -> str:
    """"fails" if a rate ever rose; "holds" if every exponent p is near 1 (a rate inversely
    proportional to the number of updates); "holds with a caveat" otherwise."""
    if result.rises() > 0:
        return "fails"
    if np.all(np.abs(result.exponents() - 1) < 0.25):
        return "holds"
    return "holds with a caveat"


@functools.lru_cache(maxsize=4)
def rate_decay(steady_lr: float = 0.03, fading_lr: float = 0.7, sparse_lr: float = 0.3,
               steps: int = 300, epochs: int = 10, seeds: tuple = (0, 1, 2)) -> RateDecay:
    """Claim 2's experiment: how AdaGrad's rates fall, on the bowl and on sparse data."""
    bowl = _bowl()
    spreads, curves = {}, {}
    for key, lr in (("steady", steady_lr), ("fading", fading_lr)):
        def experiment(objective, start, lr=lr):
            run = minimize(AdaGrad(lr=lr), objective, start, steps)
            p = rate_exponent(run.lrs)
            return {"rises": _rates_rise(run.lrs), "p θ₁": p[0], "p θ₂": p[1]}
        spreads[key] = stress(experiment, bowl, **PROTOCOL)
        run = minimize(AdaGrad(lr=lr), bowl, bowl.start, steps)
        curves[f"bowl, ρ = {lr:g}, θ₁"] = run.lrs[:, 0]
        curves[f"bowl, ρ = {lr:g}, θ₂"] = run.lrs[:, 1]
    task = data.sparse_logistic()
    rare = np.r_[task.rare, False]       # the intercept is a common parameter
    common = ~rare
    common[-1] = False
    sparse = {k: [] for k in ("rises", "p common", "p rare", "rare still")}
    for seed in seeds:
        _, tr = epoch_params(AdaGrad(lr=sparse_lr), [task] * epochs, task.init(seed=seed),
                             seed=seed)
        p = rate_exponent(tr.rates)
        sparse["rises"].append(_rates_rise(tr.rates))
        sparse["p common"].append(float(np.median(p[common])))
        sparse["p rare"].append(float(np.median(p[rare])))
        sparse["rare still"].append(float(np.mean(np.diff(tr.rates[:, rare], axis=0) == 0)))
        if seed == seeds[0]:
            first_rare = int(np.flatnonzero(rare)[0])
            curves[f"sparse, ρ = {sparse_lr:g}, a common weight"] = tr.rates[:, 0]
            curves[f"sparse, ρ = {sparse_lr:g}, a rare weight"] = tr.rates[:, first_rare]
    return RateDecay(spreads, {k: np.array(v) for k, v in sparse.items()}, curves,
                     (steady_lr, fading_lr, sparse_lr))


# ========================================================= claim 3: 갱신된 값이 큰 요소


@dataclass(frozen=True)
class UpdatesAndRates:
    """The result of :func:`updates_and_rates`: do large updates (갱신된 값) get small rates?

    Attributes:
      constant: five coordinates with constant gradients of sizes ``scales``, after
        ``steps`` steps: ``{"scales", "update", "rate"}`` (the last step's update size and
        rate per coordinate).
      bowl: the ill-conditioned bowl at ρ = ``lr``, 60 steps, under :data:`PROTOCOL`:
        metrics ``moved θ₁``, ``moved θ₂`` (path lengths Σ|Δθ|), ``rate θ₁``, ``rate θ₂``
        (at the end), ``literal`` (1 if the coordinate that moved more has the smaller
        rate) and ``gradient`` (1 if the one with the larger accumulated squared gradient
        has the smaller rate).
      sparse: per seed on ``data.sparse_logistic()`` (minibatches): ``literal`` and
        ``gradient``, Spearman's rank correlation over the 51 parameters of the rate at the
        end with the path length, and with :math:`\\sqrt r`.
    """

    constant: dict
    bowl: Spread
    sparse: dict

    def literal_holds(self) -> np.ndarray:
        """The literal rule (larger update, smaller rate), per case."""
        c = self.constant
        equal_updates = np.ptp(c["update"]) <= 1e-9 * np.max(c["update"])
        equal_rates = np.ptp(c["rate"]) <= 1e-9 * np.max(c["rate"])
        return np.concatenate([[not equal_updates or equal_rates],
                               self.bowl.values("literal") == 1, self.sparse["literal"] < 0])

    def gradient_holds(self) -> np.ndarray:
        """The gradient rule (larger Σg², smaller rate), per case."""
        c = self.constant
        ordered = np.all(np.diff(c["rate"][np.argsort(c["scales"])]) < 0)
        return np.concatenate([[ordered], self.bowl.values("gradient") == 1,
                               np.abs(self.sparse["gradient"] + 1) < 1e-12])

    def constant_table(self) -> Table:
        """The five constant gradients: accumulator, rate and the step actually taken."""
        c = self.constant
        return Table(["|g|", "r after 10 steps", "rate", "step |ΔΘ| = rate · |g|"],
                     [[sci(g), sci(r, 4), sci(q, 4), f"{q * g:.4g}"]
                      for g, r, q in zip(c["scales"], c["r"], c["rate"])])

    def table(self) -> Table:
        c, b, s = self.constant, self.bowl, self.sparse
        rows = [["five constant gradients", "exact",
                 f"all {span(c['update'])}", f"{span(c['rate'])}",
                 "no (equal updates, unequal rates)", "yes"]]
        for kind, label in _KINDS.items():
            lit, grad = b.values("literal", kind), b.values("gradient", kind)
            rows.append(["bowl, ρ = 0.7", label,
                         f"θ₁ {span(b.values('moved θ₁', kind))}, "
                         f"θ₂ {span(b.values('moved θ₂', kind))}",
                         f"θ₁ {span(b.values('rate θ₁', kind))}, "
                         f"θ₂ {span(b.values('rate θ₂', kind))}",
                         _share(lit), _share(grad)])
        rows.append(["sparse logistic, ρ = 0.3", f"minibatches, {len(s['literal'])} seeds",
                     "rank correlation with the rate:", span(s["literal"], "{:.2f}"),
                     _share(s["literal"] < 0), _share(np.abs(s["gradient"] + 1) < 1e-12)])
        return Table(["setting", "conditions", "update size (Σ|Δθ| on the bowl)",
                      "rate at the end", "larger update → smaller rate?",
                      "larger Σg² → smaller rate?"], rows, align="left")


def _share(flags) -> str:
    flags = np.asarray(flags, dtype=bool)
    if flags.all():
        return "yes" if flags.size == 1 else f"yes ({flags.size} of {flags.size})"
    if not flags.any():
        return "no" if flags.size == 1 else f"no (0 of {flags.size})"
    return f"in {int(flags.sum())} of {flags.size}"


def claim_3_verdict(result: UpdatesAndRates) -> str:
    """The claim read as written, about the updates: "holds" only if the coordinate with the
    larger update got the smaller rate in every case; "fails" otherwise."""
    return "holds" if result.literal_holds().all() else "fails"


def claim_3_gradient_verdict(result: UpdatesAndRates) -> str:
    """The claim read as being about the gradients (what the book tested before)."""
    return "holds" if result.gradient_holds().all() else "fails"


@functools.lru_cache(maxsize=4)
def updates_and_rates(lr: float = 0.7, sparse_lr: float = 0.3, epochs: int = 10,
                      seeds: tuple = (0, 1, 2)) -> UpdatesAndRates:
    """Claim 3's experiment: update sizes against rates, in three settings."""
    scales = np.array([0.01, 0.1, 1.0, 10.0, 100.0])
    five = trace(AdaGrad(lr=0.1), lambda theta: scales, np.zeros(5), 10)
    constant = {"scales": scales, "update": np.abs(five.deltas[-1]), "rate": five.rates[-1],
                "r": five.accumulators[-1]}

    def experiment(objective, start):
        tr = trace(AdaGrad(lr=lr), objective, start, 60)
        moved, rate, r = np.abs(tr.deltas).sum(axis=0), tr.rates[-1], tr.accumulators[-1]
        return {"moved θ₁": moved[0], "moved θ₂": moved[1], "rate θ₁": rate[0],
                "rate θ₂": rate[1],
                "literal": float((moved[0] > moved[1]) == (rate[0] < rate[1])),
                "gradient": float((r[0] > r[1]) == (rate[0] < rate[1]))}
    bowl = stress(experiment, _bowl(), **PROTOCOL)
    task = data.sparse_logistic()
    sparse = {"literal": [], "gradient": []}
    for seed in seeds:
        _, tr = epoch_params(AdaGrad(lr=sparse_lr), [task] * epochs, task.init(seed=seed),
                             seed=seed)
        sparse["literal"].append(rank_correlation(np.abs(tr.deltas).sum(axis=0), tr.rates[-1]))
        sparse["gradient"].append(rank_correlation(np.sqrt(tr.accumulators[-1]), tr.rates[-1]))
    return UpdatesAndRates(constant, bowl, {k: np.array(v) for k, v in sparse.items()})


# ======================================================== claim 4: the stall (problem 1)


@dataclass(frozen=True)
class Stall:
    """The result of :func:`stall`: does AdaGrad's learning slow down and stall?

    Attributes:
      spread: the protocol at ρ = ``small_lr`` on the bowl: ``distance`` after the run and
        ``left`` (that over the start's distance), ``moved θ₁`` (its path length),
        ``bound`` (its :func:`travel_bound_any`), ``GD distance`` (gradient descent at
        ``gd_lr``), ``tuned distance`` (AdaGrad at the best ρ of a grid, by final distance).
      minibatch: digits softmax (with an L2 penalty ``l2``): ``grid``, ``losses`` per method
        ``(seeds, epochs + 1, grid)`` full training losses, ``best`` per method (a
        :class:`~adaptive_lr.robustness.GridBest` on the mean final loss), ``p`` AdaGrad's
        median rate exponent per seed at its tuned ρ.
      small_lr, gd_lr: the two rates compared on the bowl.
    """

    spread: Spread
    minibatch: dict
    small_lr: float
    gd_lr: float

    def protocol_table(self) -> Table:
        rows = _kind_rows(self.spread, {
            "left": ("left", "{:.2f}"), "moved": ("moved θ₁", "{:.3g}"),
            "bound": ("bound", "{:.3g}"), "gd": ("GD distance", "{:.2g}"),
            "tuned": ("tuned distance", "{:.2g}")})
        return Table(["conditions", f"share of the distance left (ρ = {self.small_lr:g})",
                      "θ₁ moved", "bound (any gradients)",
                      f"GD (ρ = {self.gd_lr:g}): distance", "AdaGrad, tuned ρ: distance"],
                     rows, align="left")

    def minibatch_table(self) -> Table:
        mb = self.minibatch
        rows = []
        for name in ("SGD", "AdaGrad"):
            best = mb["best"][name]
            final = mb["losses"][name][:, -1, best.index]
            early = mb["losses"][name][:, 2, best.index]
            rows.append([name, best.value, "yes" if best.bracketed else "no", span(early),
                         span(final),
                         span(mb["p"], "{:.2f}") if name == "AdaGrad" else "0 (constant)"])
        epochs = mb["losses"]["SGD"].shape[1] - 1
        return Table(["method", "tuned ρ", "grid brackets it", "loss after 2 epochs",
                      f"loss after {epochs} epochs", "rate exponent p"], rows,
                     fmt="{:.3g}", align="left")


def sweep_table(sweep: dict) -> Table:
    """The stall sweep of :func:`stall_sweep` as a table: distance, rates, travel, bound."""
    bowl, run = _bowl(), sweep["run"]
    steps = int(run.steps[-1])
    distance = bowl.distance_to_minimum(run.final_theta)
    moved = np.abs(run.thetas[-1, :, 0] - run.thetas[0, :, 0])
    rows = [[r, sci(d) if d >= 1e-12 else "< 10⁻¹²", sci(lr[0]), sci(lr[1]), m,
             float(travel_bound(steps, r)), int(min_steps_to_travel(4.0, r))]
            for r, d, lr, m in zip(sweep["lrs"], distance, run.lrs[-1], moved)]
    return Table(["ρ", f"distance after {steps}", "rate θ₁", "rate θ₂", "θ₁ moved",
                  "bound", "steps needed for 4"], rows, fmt="{:.4g}")


def stall_sweep(lrs: tuple = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0), gd_lr: float = 0.05,
                steps: int = 500, small_lr: float = 0.03, long_steps: int = 20000) -> dict:
    """AdaGrad on the bowl at several ρ for ``steps`` steps, gradient descent at ``gd_lr``,
    and AdaGrad at ``small_lr`` for ``long_steps`` steps (every 100th recorded):
    ``{"lrs", "run", "gd", "gd_lr", "longer", "small_lr"}``."""
    bowl = _bowl()
    lrs_a = np.asarray(lrs, dtype=float)
    return {"lrs": lrs_a, "gd_lr": gd_lr, "small_lr": small_lr,
            "run": minimize(AdaGrad(lr=lrs_a[:, None]), bowl, np.tile(bowl.start, (len(lrs_a), 1)),
                            steps),
            "gd": minimize(SGD(lr=gd_lr, name="GD"), bowl, bowl.start, steps),
            "longer": minimize(AdaGrad(lr=small_lr), bowl, bowl.start, long_steps,
                               record_every=100)}


def _distance_experiment(small_lr, gd_lr, steps, tune_grid):
    bowl = _bowl()

    def experiment(objective, start):
        tr = trace(AdaGrad(lr=small_lr), objective, start, steps)
        d0 = float(np.linalg.norm(start - bowl.minimizer))
        d = float(np.linalg.norm(tr.thetas[-1] - bowl.minimizer))
        gd = minimize(SGD(lr=gd_lr), objective, start, steps)
        sweep = minimize(AdaGrad(lr=tune_grid[:, None]), objective,
                         np.tile(start, (len(tune_grid), 1)), steps)
        tuned = np.linalg.norm(sweep.final_theta - bowl.minimizer, axis=-1)
        return {"distance": d, "left": d / d0, "moved θ₁": float(np.abs(tr.deltas[:, 0]).sum()),
                "bound": float(travel_bound_any(tr.grads, small_lr)[0]),
                "GD distance": float(bowl.distance_to_minimum(gd.final_theta)),
                "tuned distance": float(np.nanmin(tuned))}
    return experiment


@functools.lru_cache(maxsize=4)
def stall(small_lr: float = 0.03, gd_lr: float = 0.05, steps: int = 500,
          mb_grid: tuple = (0.03, 0.1, 0.3, 1.0, 3.0), epochs: int = 15,
          seeds: tuple = (0, 1, 2), l2: float = 1e-3) -> Stall:
    """Claim 4's experiment: AdaGrad at a small ρ on the bowl under the protocol, and each
    method tuned with minibatches on the digits."""
    bowl = _bowl()
    tune_grid = np.geomspace(0.01, 100, 25)
    spread = stress(_distance_experiment(small_lr, gd_lr, steps, tune_grid), bowl, **PROTOCOL)
    # minibatches on the digits, each method tuned on its own grid
    task = data.digits_softmax(l2=l2)
    grid = np.asarray(mb_grid, dtype=float)
    losses, best = {}, {}
    for name, make in (("SGD", SGD), ("AdaGrad", AdaGrad)):
        losses[name] = np.array([
            train(make(lr=grid[:, None]), task, task.init(seed=s, batch_shape=(len(grid),)),
                  epochs=epochs, seed=s).epoch_train_loss for s in seeds])
        best[name] = best_on_grid(losses[name][:, -1].mean(axis=0), grid)
    p = []
    for s in seeds:
        _, tr = epoch_params(AdaGrad(lr=best["AdaGrad"].value), [task] * epochs,
                             task.init(seed=s), seed=s)
        p.append(float(np.median(rate_exponent(tr.rates))))
    minibatch = {"grid": grid, "losses": losses, "best": best, "p": np.array(p), "l2": l2}
    return Stall(spread, minibatch, small_lr, gd_lr)


def claim_4_verdict(result: Stall) -> str:
    """"fails" unless AdaGrad at the small ρ stalls (more than half the distance left, path
    within the bound) under every condition; "holds" if a tuned ρ does not escape it on the
    bowl, or tuned AdaGrad falls behind tuned SGD on the digits beyond the seeds' spread;
    "holds with a caveat" otherwise (it stalls only when ρ is too small)."""
    s = result.spread
    stalls = np.all(s.values("left") > 0.5) and np.all(s.values("moved θ₁") <= s.values("bound"))
    if not stalls:
        return "fails"
    escapes = np.all(s.values("tuned distance") < s.values("distance") / 10)
    mb = result.minibatch
    ada = mb["losses"]["AdaGrad"][:, -1, mb["best"]["AdaGrad"].index]
    sgd = mb["losses"]["SGD"][:, -1, mb["best"]["SGD"].index]
    behind = ada.min() > sgd.max()
    return "holds" if (not escapes or behind) else "holds with a caveat"


# ===================================================== claim 5: recency (problem 2)


def _nonstationary(shrink: bool) -> objectives.NonStationary:
    """The default landscape (curvature 10 → 1, the gradients shrink) or its mirror (1 → 10)."""
    return objectives.NonStationary() if shrink else objectives.NonStationary(
        curvature_before=1.0, curvature_after=10.0)


@dataclass(frozen=True)
class Recency:
    """The result of :func:`recency`: do old and new gradients weigh the same, and when
    does it matter?

    Attributes:
      traces: ``{direction: {name: Trace}}`` for ``"shrink"`` (curvature 10 → 1) and
        ``"grow"`` (1 → 10): ``"AdaGrad"``, ``"AdaGrad, restarted"`` (a fresh accumulator at
        the switch), ``"RMSProp"`` (exact) and ``"RMSProp, perturbed"`` (tiny noise, seed 0).
      distances: ``{direction: {name: (steps + 1,) distance to the current minimum}}``.
      spreads: ``{direction: Spread}`` under :data:`PROTOCOL`: ``AdaGrad`` and
        ``restarted`` (distance at the end), ``ratio`` (their quotient), ``share`` (the
        smallest share of AdaGrad's accumulator collected before the switch), ``RMSProp``
        (distance at the end), ``RMSProp hover`` (mean distance over the last 100 steps),
        ``RMSProp lands`` (the step after which RMSProp sits exactly on the minimum, its
        gradient exactly 0 from then on; −1 if it never does).
      minibatch: the digits task relabelled at the switch, its gradients scaled by
        ``scale`` from then on: ``{direction: {"continued": (seeds, grid), "restarted": ...}}``
        final losses on the new task, with ``"best"`` per method and the ``grid``.
      lr, alpha, steps: AdaGrad's and RMSProp's ρ, RMSProp's α, the run length.
    """

    traces: dict
    distances: dict
    spreads: dict
    minibatch: dict
    lr: float
    alpha: float
    steps: int

    def table(self) -> Table:
        rows = []
        for direction, label in (("shrink", "10 → 1 (shrink)"), ("grow", "1 → 10 (grow)")):
            for row in _kind_rows(self.spreads[direction], {
                    "a": ("AdaGrad", "{:.3g}"), "r": ("restarted", "{:.3g}"),
                    "q": ("ratio", "{:.3g}"), "s": ("share", "{:.2f}")}):
                rows.append([label] + row)
        return Table(["curvature", "conditions", f"AdaGrad: distance at step {self.steps}",
                      "AdaGrad restarted at the switch", "ratio",
                      "share of r from before the switch"], rows, align="left")

    def rmsprop_table(self) -> Table:
        rows = []
        for direction, label in (("shrink", "10 → 1"), ("grow", "1 → 10")):
            s = self.spreads[direction]
            for kind, kind_label in _KINDS.items():
                zero = s.values("RMSProp lands", kind)
                rows.append([label, kind_label, span(s.values("RMSProp", kind)),
                             span(s.values("RMSProp hover", kind)),
                             "never" if np.all(zero < 0) else
                             ("at step " + span(zero[zero >= 0], "{:.0f}")
                              + ("" if np.all(zero >= 0) else f" ({int((zero >= 0).sum())} of "
                                                               f"{zero.size})"))])
        return Table(["curvature", "conditions", f"RMSProp: distance at step {self.steps}",
                      "mean distance, last 100 steps", "lands exactly on the minimum"], rows,
                     align="left")

    def minibatch_table(self) -> Table:
        mb = self.minibatch
        rows = []
        for direction, label in (("shrink", f"× {mb['scales']['shrink']:g} (shrink)"),
                                 ("grow", f"× {mb['scales']['grow']:g} (grow)")):
            for name in ("continued", "restarted"):
                best = mb[direction]["best"][name]
                rows.append([label, f"AdaGrad, {name}", best.value,
                             "yes" if best.bracketed else "no",
                             span(mb[direction][name][:, best.index])])
        return Table(["gradients after the switch", "method", "tuned ρ", "grid brackets it",
                      f"loss on the new task ({len(mb['seeds'])} seeds)"], rows,
                     fmt="{:.3g}", align="left")

    def minibatch_penalty(self, direction: str) -> bool:
        """Whether continuing AdaGrad ends worse than restarted AdaGrad beyond the seeds'
        spread (each at its own tuned ρ)."""
        mb = self.minibatch[direction]
        cont = mb["continued"][:, mb["best"]["continued"].index]
        fresh = mb["restarted"][:, mb["best"]["restarted"].index]
        return bool(cont.min() > fresh.max())


def claim_5_verdict(result: Recency) -> str:
    """"holds with a caveat" if remembering old gradients costs AdaGrad much (3× the
    restarted distance, and beyond the spread on the digits) when the gradients shrink and
    little (under 2×, within the spread) when they grow; "holds" if it costs in both
    directions; "fails" if it does not cost when they shrink."""
    shrink = bool(np.all(result.spreads["shrink"].values("ratio") > 3)
                  and result.minibatch_penalty("shrink"))
    grow_harmless = bool(np.all(result.spreads["grow"].values("ratio") < 2)
                         and not result.minibatch_penalty("grow"))
    if not shrink:
        return "fails"
    return "holds with a caveat" if grow_harmless else "holds"


def _relabelled(task):
    """The same digits with every label moved on by one class: a new minimum."""
    return dataclasses.replace(task, y_train=(task.y_train + 1) % task.n_classes,
                               y_test=(task.y_test + 1) % task.n_classes)


@functools.lru_cache(maxsize=4)
def recency(lr: float = 0.3, alpha: float = 0.9, steps: int = 300,
            mb_grid: tuple = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0), epochs: tuple = (4, 4),
            scales: tuple = (0.1, 10.0), seeds: tuple = (0, 1, 2),
            l2: float = 1e-3) -> Recency:
    """Claim 5's experiment: AdaGrad and RMSProp when the landscape changes, in both
    directions, under the protocol; and AdaGrad on the digits when the task changes."""
    traces, distances, spreads = {}, {}, {}
    for direction in ("shrink", "grow"):
        landscape = _nonstationary(direction == "shrink")
        switch = landscape.switch_step
        minima = np.array([landscape.minimizer_at(t) for t in range(steps + 1)])

        def runs(objective, start):
            out = {"AdaGrad": trace(AdaGrad(lr=lr), objective, start, steps),
                   "RMSProp": trace(RMSProp(lr=lr, alpha=alpha), objective, start, steps)}
            ada = out["AdaGrad"]
            out["AdaGrad, restarted"] = trace(
                AdaGrad(lr=lr), lambda theta, t: objective.grad(theta, t + switch),
                ada.thetas[switch], steps - switch)
            return out

        def experiment(objective, start):
            out = runs(objective, start)
            ada, rms = out["AdaGrad"], out["RMSProp"]
            d = np.linalg.norm(ada.thetas[-1] - minima[-1])
            d_fresh = np.linalg.norm(out["AdaGrad, restarted"].thetas[-1] - minima[-1])
            d_rms = np.linalg.norm(rms.thetas - minima, axis=1)
            zero = np.flatnonzero(np.all(rms.grads == 0, axis=1))
            return {"AdaGrad": d, "restarted": d_fresh, "ratio": d / d_fresh,
                    "share": float(np.min(ada.accumulators[switch - 1] / ada.accumulators[-1])),
                    "RMSProp": d_rms[-1], "RMSProp hover": d_rms[-100:].mean(),
                    "RMSProp lands": float(zero[0]) if zero.size else -1.0}
        spreads[direction] = stress(experiment, landscape, **PROTOCOL)
        out = runs(landscape, landscape.start)
        out["RMSProp, perturbed"] = trace(RMSProp(lr=lr, alpha=alpha),
                                          spreads[direction].conditions[1].objective,
                                          landscape.start, steps)
        traces[direction] = out
        distances[direction] = {
            name: np.linalg.norm(tr.thetas - (minima[switch:] if "restarted" in name else minima),
                                 axis=1)
            for name, tr in out.items()}
    # minibatches: the digits, relabelled after epochs[0] epochs, gradients scaled by `scale`
    task = data.digits_softmax(l2=l2)
    new = _relabelled(task)
    grid = np.asarray(mb_grid, dtype=float)
    before, after = epochs
    minibatch = {"grid": grid, "seeds": seeds, "epochs": epochs,
                 "scales": {"shrink": scales[0], "grow": scales[1]}}
    for direction, scale in (("shrink", scales[0]), ("grow", scales[1])):
        cont, fresh = [], []
        for s in seeds:
            opt = AdaGrad(lr=grid[:, None])
            grad, total = minibatch_gradients([task] * before + [new] * after, seed=s,
                                              scales=[1.0] * before + [scale] * after)
            tr = trace(opt, grad, task.init(seed=s, batch_shape=(len(grid),)), total)
            switch = total * before // (before + after)
            again = trace(opt, lambda theta, t: grad(theta, t + switch), tr.thetas[switch],
                          total - switch)
            cont.append(new.loss(tr.thetas[-1], new.X_train, new.y_train))
            fresh.append(new.loss(again.thetas[-1], new.X_train, new.y_train))
        result = {"continued": np.array(cont), "restarted": np.array(fresh)}
        result["best"] = {k: best_on_grid(v.mean(axis=0), grid) for k, v in result.items()}
        minibatch[direction] = result
    return Recency(traces, distances, spreads, minibatch, lr, alpha, steps)


# ========================================== rare but informative features, tuned fairly


@dataclass(frozen=True)
class SparseComparison:
    """The result of :func:`sparse_comparison`: SGD and AdaGrad on sparse logistic regression,
    each at its own tuned ρ, in several settings.

    Attributes:
      grid: the learning rates tried (the same for both methods; each is tuned on it).
      settings: ``{name: {"rare_prob", "batch_size", "epochs"}}``.
      rare, common: ``{(setting, method): (seeds, grid)}`` weight errors
        (``task.weight_error``) of the rare and of the common features.
      start_error: the rare features' error before training (seed 0).
      seeds: the seeds (minibatch order and start point).
    """

    grid: np.ndarray
    settings: dict
    rare: dict
    common: dict
    start_error: float
    seeds: tuple

    def best(self, setting: str, method: str) -> GridBest:
        """The ρ with the lowest mean rare-feature error over the seeds."""
        return best_on_grid(self.rare[setting, method].mean(axis=0), self.grid)

    def at_best(self, setting: str, method: str, which: str = "rare") -> np.ndarray:
        """The errors of every seed at the method's tuned ρ."""
        errors = self.rare if which == "rare" else self.common
        return errors[setting, method][:, self.best(setting, method).index]

    def window(self, setting: str, method: str, within: float = 0.1) -> float:
        """How wide (largest over smallest ρ) the range of ρ is whose mean error lies within
        ``within`` (10 %) of the best: a method's robustness to its learning rate."""
        mean = self.rare[setting, method].mean(axis=0)
        good = self.grid[mean <= (1 + within) * np.nanmin(mean)]
        return float(good.max() / good.min())

    def overlap(self, setting: str) -> bool:
        """Whether the two methods' ranges over the seeds, at their tuned ρ, overlap."""
        a, b = self.at_best(setting, "SGD"), self.at_best(setting, "AdaGrad")
        return bool(a.min() <= b.max() and b.min() <= a.max())

    def table(self) -> Table:
        rows = []
        for setting in self.settings:
            for method in ("SGD", "AdaGrad"):
                best = self.best(setting, method)
                rows.append([setting, method, best.value, "yes" if best.bracketed else "no",
                             span(self.at_best(setting, method)),
                             span(self.at_best(setting, method, "common")),
                             f"× {self.window(setting, method):.3g}"])
        return Table(["setting", "method", "tuned ρ", "grid brackets it",
                      f"rare error ({len(self.seeds)} seeds)", "common error",
                      "ρ within 10 % of best"], rows, fmt="{:.3g}", align="left")


def _sparse_errors(task, make, grid: np.ndarray, seeds, epochs: int,
                   batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Rare and common weight errors of ``make(lr)`` for every ρ of ``grid``, after every
    epoch: two arrays ``(seeds, epochs + 1, grid)``. Seed s draws the start and the
    minibatch order."""
    rare, common = [], []
    for s in seeds:
        params, _ = epoch_params(make(grid[:, None]), [task] * epochs,
                                 task.init(seed=s, batch_shape=(len(grid),)),
                                 batch_size=batch_size, seed=s)
        with np.errstate(all="ignore"):
            rare.append(task.weight_error(params, "rare"))
            common.append(task.weight_error(params, "common"))
    return np.array(rare), np.array(common)


@functools.lru_cache(maxsize=2)
def sparse_comparison(grid: tuple = tuple(np.geomspace(0.01, 100, 25)),
                      seeds: tuple = (0, 1, 2, 3, 4)) -> SparseComparison:
    """SGD against AdaGrad on ``data.sparse_logistic``, each tuned on the same grid of ρ, after
    3, 10 and 30 epochs in minibatches of 32, with rarer features (on with probability 0.005
    instead of 0.02), and with minibatches of 8 (noisier gradients)."""
    grid = np.asarray(grid, dtype=float)
    settings = {"3 epochs": (0.02, 32, 3), "10 epochs": (0.02, 32, 10),
                "30 epochs": (0.02, 32, 30), "rarer features, 10 epochs": (0.005, 32, 10),
                "batches of 8, 10 epochs": (0.02, 8, 10)}
    runs = {(0.02, 32): 30, (0.005, 32): 10, (0.02, 8): 10}   # one run serves several epochs
    rare, common = {}, {}
    for (prob, batch), epochs in runs.items():
        task = data.sparse_logistic(rare_prob=prob)
        for method, make in (("SGD", SGD), ("AdaGrad", AdaGrad)):
            r, c = _sparse_errors(task, lambda lr: make(lr=lr), grid, seeds, epochs, batch)
            for name, (p, b, e) in settings.items():
                if (p, b) == (prob, batch):
                    rare[name, method], common[name, method] = r[:, e], c[:, e]
    task = data.sparse_logistic()
    start_error = float(task.weight_error(task.init(seed=seeds[0]), "rare"))
    named = {k: {"rare_prob": p, "batch_size": b, "epochs": e}
             for k, (p, b, e) in settings.items()}
    return SparseComparison(grid, named, rare, common, start_error, tuple(seeds))


def tuned_sparse(methods: Mapping[str, Callable], rare_probs: Sequence[float] = (0.02,), *,
                 grid: Sequence[float] = tuple(np.geomspace(0.03, 30, 13)),
                 seeds: Sequence[int] = (0, 1, 2), epochs: int = 10) -> tuple[Table, dict]:
    """Each method (``name → make(lr)``) tuned on ``grid`` by its mean rare-feature error on
    ``data.sparse_logistic(rare_prob=p)``, for each p. Returns a table and
    ``{(p, name): (GridBest, errors of the seeds at the tuned ρ)}``."""
    grid = np.asarray(grid, dtype=float)
    rows, results = [], {}
    for p in rare_probs:
        task = data.sparse_logistic(rare_prob=p)
        for name, make in methods.items():
            rare, _ = _sparse_errors(task, make, grid, seeds, epochs)
            best = best_on_grid(rare[:, -1].mean(axis=0), grid)
            results[p, name] = (best, rare[:, -1, best.index])
            rows.append([p, name, best.value, "yes" if best.bracketed else "no",
                         span(rare[:, -1, best.index])])
    return Table(["rare_prob", "method", "tuned ρ", "grid brackets it",
                  f"rare error ({len(seeds)} seeds)"], rows, fmt="{:.3g}",
                 align="left"), results


# ==================================================== the aligned and the rotated bowl


@dataclass(frozen=True)
class BowlComparison:
    """The result of :func:`bowl_comparison`: gradient descent and AdaGrad, each tuned on the
    grid, on the axis-aligned and the 45°-rotated bowl (κ = 25), under :data:`PROTOCOL`.

    Attributes:
      spreads: ``{bowl name: Spread}`` with metrics ``GD steps`` and ``AdaGrad steps`` (the
        fewest steps after which the loss stays below ``tolerance``, at the fastest ρ of the
        grid; −1 if no ρ gets there) and ``GD ρ``, ``AdaGrad ρ`` (that ρ), ``GD inside``,
        ``AdaGrad inside`` (1 if that ρ is not at an end of the grid), ``GD tail``,
        ``AdaGrad tail`` (the lowest mean loss over the last 50 steps, the measure under
        noise, where no run settles).
      grid, steps, tolerance: the tuning grid, the run length and the tolerance.
    """

    spreads: dict
    grid: np.ndarray
    steps: int
    tolerance: float

    def table(self) -> Table:
        rows = []
        for name, spread in self.spreads.items():
            for kind, label in _KINDS.items():
                if kind == "noisy":
                    gd, ada = spread.values("GD tail", kind), spread.values("AdaGrad tail", kind)
                    rows.append([name, label, "mean loss " + span(gd, "{:.2g}"),
                                 "mean loss " + span(ada, "{:.2g}"), _share(ada < gd)])
                else:
                    gd, ada = spread.values("GD steps", kind), spread.values("AdaGrad steps", kind)
                    rows.append([name, label, span(gd, "{:.0f}") + " steps",
                                 span(ada, "{:.0f}") + " steps",
                                 _share((ada >= 0) & ((ada < gd) | (gd < 0)))])
        return Table(["bowl", "conditions", "gradient descent, tuned",
                      "AdaGrad, tuned", "AdaGrad better?"], rows, align="left")

    def inside(self) -> bool:
        """Whether every fastest ρ lay strictly inside the grid."""
        return all(np.all(s.values(f"{m} inside", k) == 1) for s in self.spreads.values()
                   for m in ("GD", "AdaGrad") for k in ("exact", "perturbed", "start"))


@functools.lru_cache(maxsize=2)
def bowl_comparison(grid: tuple = tuple(np.geomspace(1e-3, 1e3, 61)), steps: int = 300,
                    tolerance: float = 1e-6) -> BowlComparison:
    """Each method at its fastest ρ on each bowl, under every condition of the protocol."""
    grid_a = np.asarray(grid, dtype=float)

    def experiment(objective, start):
        out = {}
        for name, make in (("GD", SGD), ("AdaGrad", AdaGrad)):
            run = minimize(make(lr=grid_a[:, None]), objective,
                           np.tile(start, (len(grid_a), 1)), steps)
            n, rho = fastest(run.settle_step(tolerance), grid_a)
            i = int(np.argmin(np.abs(grid_a - rho))) if n >= 0 else 0
            out[f"{name} steps"], out[f"{name} ρ"] = float(n), float(rho)
            out[f"{name} inside"] = float(0 < i < len(grid_a) - 1)
            with np.errstate(all="ignore"):
                out[f"{name} tail"] = float(np.nanmin(np.mean(run.losses[-50:], axis=0)))
        return out
    spreads = {bowl.name: stress(experiment, bowl, **PROTOCOL)
               for bowl in (_bowl(), objectives.rotated(kappa=25.0))}
    return BowlComparison(spreads, grid_a, steps, tolerance)


def bowl_paths(steps: int = 60, gd_lr: float = 0.07, ada_lr: float = 0.7) -> dict:
    """The two paths drawn on each bowl: ``{"runs": {bowl name: (GD run, AdaGrad run)},
    "gd_lr", "ada_lr"}``."""
    runs = {bowl.name: (minimize(SGD(lr=gd_lr, name="GD"), bowl, bowl.start, steps),
                        minimize(AdaGrad(lr=ada_lr), bowl, bowl.start, steps))
            for bowl in (_bowl(), objectives.rotated(kappa=25.0))}
    return {"runs": runs, "gd_lr": gd_lr, "ada_lr": ada_lr}


# ============================================================ the preconditioning picture


def full_matrix_step(G, g, lr: float, eps: float = 1e-10) -> np.ndarray:
    r"""Full-matrix AdaGrad's step :math:`-\rho\,(\varepsilon I + G^{1/2})^{-1} g`.

    :math:`G^{1/2}` comes from the eigendecomposition :math:`G = V \Lambda V^\top` (numpy's
    ``eigh``): the step is :math:`-\rho\, V \mathrm{diag}(1/(\varepsilon + \sqrt{\lambda_i}))
    V^\top g`. ε sits where PyTorch's diagonal AdaGrad puts it, outside the root, so that for
    a diagonal G the step is exactly the diagonal one, :math:`-\rho\, g / (\varepsilon +
    \sqrt{r})`. Directions where G's eigenvalue is at rounding level are treated as its
    null space and get no step (a pseudo-inverse; with rank-one G, as at the first step,
    the step is exactly :math:`-\rho\, g/(\varepsilon + \lVert g \rVert)`).
    """
    G, g = np.asarray(G, dtype=float), np.asarray(g, dtype=float)
    lam, V = np.linalg.eigh(G)
    # Eigenvalues at rounding level (≤ 10 d · machine ε · λ_max) are G's null space: g's
    # computed component there is rounding error, which 1/(ε + √λ) would blow up, so the
    # step leaves those directions alone (the pseudo-inverse Duchi et al. use).
    null = lam <= 10 * lam.size * np.finfo(float).eps * max(lam.max(), 0.0)
    root = eps + np.sqrt(np.maximum(lam, 0.0))
    inv_root = np.where(null | (root <= 0), 0.0, 1.0 / np.where(root > 0, root, 1.0))
    return -lr * (V @ (inv_root * (V.T @ g)))


def full_matrix_adagrad(gradients, theta0, steps: int = None, lr: float = 0.7,
                        eps: float = 1e-10) -> dict:
    r"""Full-matrix AdaGrad (Duchi et al. 2011): :math:`G_t = \sum_{s \le t} g_s g_s^\top`,
    :math:`\Theta_t = \Theta_{t-1} - \rho\,(\varepsilon I + G_t^{1/2})^{-1} g_t`.

    ``gradients`` is an objective (its ``grad`` is used), a function of θ, or an array
    ``(T, d)`` of gradients replayed in order. Returns ``{"thetas": (T + 1, d),
    "grads": (T, d), "G": (T, d, d)}``, G after each step.
    """
    theta = np.array(theta0, dtype=float)
    if callable(getattr(gradients, "grad", None)):
        grad_of, steps = gradients.grad, int(steps)
    elif callable(gradients):
        grad_of, steps = gradients, int(steps)
    else:
        table = np.asarray(gradients, dtype=float)
        steps = table.shape[0] if steps is None else int(steps)
        grad_of = None
    d = theta.size
    G = np.zeros((d, d))
    thetas, grads, Gs = [theta.copy()], [], []
    for t in range(steps):
        g = np.asarray(grad_of(theta) if grad_of else table[t], dtype=float)
        G = G + np.outer(g, g)
        theta = theta + full_matrix_step(G, g, lr, eps)
        thetas.append(theta.copy())
        grads.append(g)
        Gs.append(G.copy())
    return {"thetas": np.array(thetas), "grads": np.array(grads), "G": np.array(Gs)}


def full_vs_diagonal(steps: int = 60, lr: float = 0.7) -> dict:
    """Diagonal (the package's :class:`AdaGrad`) against :func:`full_matrix_adagrad` on both
    bowls, from their standard starts and, on the aligned bowl, from a start on the θ₁ axis
    (where every gradient stays on that axis). Returns ``{"rows": [(bowl, start, largest
    gap between the paths, diagonal's distance, full's distance)], "table": Table}``."""
    aligned, tilted = _bowl(), objectives.rotated(kappa=25.0)
    cases = [(aligned, "on the θ₁ axis", np.array([-4.0, 0.0])),
             (aligned, "standard", aligned.start), (tilted, "standard", tilted.start)]
    rows = []
    for bowl, label, start in cases:
        diag = trace(AdaGrad(lr=lr), bowl, start, steps).thetas
        full = full_matrix_adagrad(bowl, start, steps, lr=lr)["thetas"]
        rows.append((bowl.name.replace("ill-conditioned quadratic", "bowl"), label,
                     float(np.abs(full - diag).max()),
                     float(bowl.distance_to_minimum(diag[-1])),
                     float(bowl.distance_to_minimum(full[-1]))))
    table = Table(["bowl", "start", "largest gap between the paths",
                   f"distance after {steps}, diagonal", f"distance after {steps}, full"],
                  [list(r) for r in rows], fmt="{:.3g}",
                  caption=f"Diagonal and full-matrix AdaGrad, ρ = {lr:g}")
    return {"rows": rows, "table": table}


def _inverse_quarter_root(G, eps: float = 1e-10) -> np.ndarray:
    lam, V = np.linalg.eigh(np.asarray(G, dtype=float))
    return V @ np.diag(1.0 / np.sqrt(eps + np.sqrt(np.maximum(lam, 0.0)))) @ V.T


@dataclass(frozen=True)
class Preconditioning:
    """The bowls seen in AdaGrad's coordinates after ``steps`` steps (:func:`preconditioning`).

    ``runs``: bowl name → the diagonal AdaGrad :class:`Trace` (``total`` steps).
    ``full``: bowl name → :func:`full_matrix_adagrad`'s result. ``kappa``: bowl name →
    ``{"bowl", "diagonal", "full"}``, the condition number of the Hessian A, of
    :math:`D^{-1/2} A D^{-1/2}` with :math:`D = \\mathrm{diag}(\\sqrt{r_k})`, and of
    :math:`G_k^{-1/4} A G_k^{-1/4}`.
    """

    steps: int
    lr: float
    runs: dict
    full: dict
    kappa: dict

    def scale(self, name: str) -> np.ndarray:
        r""":math:`D^{1/2} = \mathrm{diag}(r_k^{1/4})`: θ̃ = scale · θ."""
        return self.runs[name].accumulators[self.steps - 1] ** 0.25

    def table(self) -> Table:
        return Table(["bowl", "κ of A", "κ in AdaGrad's coordinates",
                      "κ in full-matrix coordinates"],
                     [[name.replace("ill-conditioned quadratic", "bowl"), k["bowl"],
                       k["diagonal"], k["full"]]
                      for name, k in self.kappa.items()], fmt="{:.3g}",
                     caption=f"Condition numbers after {self.steps} steps (ρ = {self.lr:g})")


def preconditioning(steps: int = 5, lr: float = 0.7, total: int = 60) -> Preconditioning:
    """Run diagonal and full-matrix AdaGrad on both bowls; freeze their preconditioners after
    ``steps`` steps and measure how round each bowl is in the new coordinates."""
    runs, full, kappa = {}, {}, {}
    for bowl in (_bowl(), objectives.rotated(kappa=25.0)):
        tr = trace(AdaGrad(lr=lr), bowl, bowl.start, total)
        fm = full_matrix_adagrad(bowl, bowl.start, total, lr=lr)
        A = bowl.hessian
        q = _inverse_quarter_root(fm["G"][steps - 1])
        runs[bowl.name], full[bowl.name] = tr, fm
        kappa[bowl.name] = {
            "bowl": bowl.condition_number,
            "diagonal": preconditioned_condition(A, 1.0 / np.sqrt(tr.accumulators[steps - 1])),
            "full": float(np.linalg.cond(q @ A @ q)),
        }
    return Preconditioning(steps, lr, runs, full, kappa)


def least_squares_fisher(n: int = 20000, scales=(1.0, 5.0), noise: float = 0.5,
                         offset=(3.0, 0.0), seed: int = 0) -> dict:
    r"""Mean squared per-sample gradient against the Gauss–Newton diagonal, least squares.

    Loss :math:`\tfrac12 (x^\top\theta - y)^2`, :math:`x \sim N(0, \mathrm{diag}(s^2))`,
    :math:`y = x^\top\theta^\star + \sigma\xi`. The Hessian (= Gauss–Newton matrix) is
    :math:`H = E[x x^\top]`; at :math:`\theta^\star` the per-sample gradient is
    :math:`-\sigma\xi x`, so :math:`E[g g^\top] = \sigma^2 H`. Returns, per coordinate, the
    ratio of :math:`\overline{g_j^2}` to :math:`\sigma^2 H_{jj}` at θ^⋆ (``"at_optimum"``)
    and to :math:`H_{jj}` at θ^⋆ + ``offset`` (``"away"``), and ``H_diag``.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(scales))) * np.asarray(scales, dtype=float)
    theta_star = np.arange(1.0, len(scales) + 1)
    y = X @ theta_star + noise * rng.standard_normal(n)
    H_diag = np.mean(X * X, axis=0)

    def mean_sq(theta):
        g = X * (X @ theta - y)[:, None]
        return np.mean(g * g, axis=0)

    return {"H_diag": H_diag,
            "at_optimum": mean_sq(theta_star) / (noise ** 2 * H_diag),
            "away": mean_sq(theta_star + np.asarray(offset, dtype=float)) / H_diag}


# ======================================================================== the claims


def check_claim_2() -> str:
    """Claim 2's verdict from :func:`rate_decay`."""
    return claim_2_verdict(rate_decay())


def check_claim_3() -> str:
    """Claim 3's verdict, read as written (the updates), from :func:`updates_and_rates`."""
    return claim_3_verdict(updates_and_rates())


def check_claim_4() -> str:
    """Claim 4's verdict from :func:`stall`."""
    return claim_4_verdict(stall())


def check_claim_5() -> str:
    """Claim 5's verdict from :func:`recency`."""
    return claim_5_verdict(recency())


CLAIMS = [
    Claim(
        number=2,
        title="AdaGrad's rate falls inversely (반비례)",
        korean="AdaGrad에서는 매개변수가 업데이트될수록 학습률이 반비례로 작아진다.",
        english="In AdaGrad the learning rate shrinks in inverse proportion as the parameters "
                "are updated.",
        chapter="adagrad",
        verdict="holds with a caveat",
        reason="the rate never rises, but it is inversely proportional to the root of the "
               "coordinate's summed squared gradients, not to the number of updates: it falls "
               "like t^(-1/2) at most while gradients keep their size, levels off when they "
               "fade, and does not move while a coordinate's gradient is 0",
        check=check_claim_2,
    ),
    Claim(
        number=3,
        title="Large updates get small rates",
        korean="갱신된 값이 큰 요소는 작은 학습률을, 갱신된 값이 작은 요소는 큰 학습률을 "
               "갖게 된다.",
        english="Elements with large updates (갱신된 값) get a small learning rate, elements "
                "with small updates a large one.",
        chapter="adagrad",
        verdict="fails",
        reason="AdaGrad makes the updates about equal in size, so their size cannot set the "
               "rates; on the bowl the coordinate that moved more has the larger rate. Read "
               "as being about the gradients (larger Σg², smaller rate) it holds exactly",
        check=check_claim_3,
    ),
    Claim(
        number=4,
        title="AdaGrad's learning stalls",
        korean="학습이 계속될수록 r이 커져 학습률이 줄고, 그 때문에 학습이 지연된다 "
               "(AdaGrad의 문제 1).",
        english="As training goes on, r grows and the learning rate shrinks, so learning slows "
                "down (AdaGrad's problem 1).",
        chapter="adagrad",
        verdict="holds with a caveat",
        reason="the slowdown is a theorem (a coordinate moves at most about 2ρ√t) and stalls "
               "a run whose ρ is small for the distance to cover, under every condition; a "
               "tuned ρ escapes it, and on the digits with minibatches tuned AdaGrad keeps "
               "pace with tuned SGD",
        check=check_claim_4,
    ),
    Claim(
        number=5,
        title="Old and new gradients weigh the same",
        korean="학습 기간과 관계없이 오래된 그레이디언트와 최신 그레이디언트가 같은 비중으로 "
               "반영되어, 최신성이 반영되지 않는다 (AdaGrad의 문제 2).",
        english="Old and recent gradients count with the same weight, whenever they came, so "
                "recency is not reflected (AdaGrad's problem 2).",
        chapter="adagrad",
        verdict="holds with a caveat",
        reason="equal weights are the definition of the sum; they cost AdaGrad dearly when the "
               "gradients shrink after a change and hardly at all when they grow, on the "
               "moving bowl and on the digits with minibatches alike",
        check=check_claim_5,
    ),
]


# ========================================================================== figures


def _figure(width: float = plots.COLUMN_WIDTH, height: float = 3.4):
    figs, axes = plots.panels(1, (width, height))
    return figs[0], axes[0]


def figure_one_rate(run: Run, rates: Sequence[float],
                    index: Sequence[int] = (0, 3)) -> plots.PanelRow:
    """Gradient-descent paths on the bowl for two rates of a batched ``run``."""
    fig, ax = _figure(4.8, 3.9)
    bowl = _bowl()
    plots.contours(ax, bowl)
    labels = [f"GD, ρ = {rates[i]:g}" + (" (θ₁ crawls)" if k == 0 else " (θ₂ swings)")
              for k, i in enumerate(index)]
    plots.trajectories(ax, run, labels, index=list(index))
    steps = int(run.steps[-1])
    ax.set_title(f"one learning rate for both coordinates, {steps} steps")
    plots.legend_below(ax, ncols=2)
    return plots.PanelRow(fig, "Two gradient-descent paths on an elongated bowl: one creeps, "
                               "one zig-zags")


def figure_rate_decay(result: RateDecay) -> plots.PanelRow:
    """Rates over their first value against the step (log–log), with the slopes −1/2 and −1."""
    fig, ax = _figure(plots.COLUMN_WIDTH, 3.6)
    longest = 1
    for i, (label, rate) in enumerate(result.curves.items()):
        t = np.arange(1, len(rate) + 1)
        longest = max(longest, len(rate))
        ax.plot(t, rate / rate[0], color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                linewidth=1.4, label=label)
    t = np.geomspace(1, longest, 50)
    ax.plot(t, t ** -0.5, color="0.45", linewidth=0.9, linestyle=":", label="∝ t^(-1/2)")
    ax.plot(t, 1 / t, color="0.2", linewidth=0.9, linestyle=":", label="∝ 1/t (inverse proportion)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1 / longest / 2, 2)
    ax.set_xlabel("step t (number of updates)")
    ax.set_ylabel("rate / rate at step 1")
    plots.legend_below(ax, ncols=2)
    return plots.PanelRow(fig, "AdaGrad's rates against the step on log-log axes, beside the "
                               "lines 1/√t and 1/t")


def figure_sparse(result: SparseComparison, setting: str = "10 epochs") -> plots.PanelRow:
    """Rare-feature error against ρ for both methods: the mean over the seeds, their range as
    a band, the tuned ρ marked."""
    fig, ax = _figure(plots.COLUMN_WIDTH, 3.4)
    for i, method in enumerate(("SGD", "AdaGrad")):
        errors = result.rare[setting, method]
        with np.errstate(all="ignore"):
            mean, lo, hi = errors.mean(axis=0), errors.min(axis=0), errors.max(axis=0)
        ax.fill_between(result.grid, lo, hi, color=plots.color(i), alpha=0.2, linewidth=0)
        ax.plot(result.grid, mean, color=plots.color(i), linestyle=plots.LINESTYLES[i],
                marker=".", label=f"{method}: mean over {len(result.seeds)} seeds, range shaded")
        best = result.best(setting, method)
        ax.plot(best.value, best.score, marker="v", markersize=9, color=plots.color(i),
                linestyle="none", label=f"{method} at its tuned ρ = {best.value:.3g}")
    ax.axhline(result.start_error, color="0.4", linewidth=0.8, linestyle=":",
               label="error before training")
    ax.set_xscale("log")
    ax.set_ylim(0.4, 1.7)
    ax.set_xlabel("learning rate ρ")
    ax.set_ylabel("RMS error, rare weights")
    ax.set_title(f"sparse logistic regression, {setting}")
    plots.legend_below(ax, ncols=2)
    return plots.PanelRow(fig, "Rare-feature error against the learning rate for SGD and "
                               "AdaGrad: AdaGrad's valley is wider")


def figure_bowls(paths: dict) -> plots.PanelRow:
    """GD's and AdaGrad's paths on the axis-aligned and the rotated bowl, one panel each."""
    figs, axes = plots.panels(2, (plots.PANEL_SIZE[0], 3.9))
    bowls = (_bowl(), objectives.rotated(kappa=25.0))
    for ax, bowl in zip(axes, bowls):
        gd, ada = paths["runs"][bowl.name]
        plots.contours(ax, bowl)
        plots.trajectories(ax, gd, [f"GD (ρ = {paths['gd_lr']:g})"])
        plots.trajectories(ax, ada, [f"AdaGrad (ρ = {paths['ada_lr']:g})"], start=False,
                           style=1)
        ax.set_title(bowl.name.replace("ill-conditioned quadratic", "bowl"))
        plots.legend_below(ax, ncols=2)
    return plots.PanelRow(figs, ["GD and AdaGrad on the axis-aligned bowl",
                                 "GD and AdaGrad on the rotated bowl"])


def figure_bowl_rates(paths: dict) -> plots.PanelRow:
    """The per-coordinate effective rates behind :func:`figure_bowls`."""
    figs, axes = plots.panels(2, (plots.PANEL_SIZE[0], 3.4))
    for ax, (name, (gd, ada)) in zip(axes, paths["runs"].items()):
        plots.effective_lr(ax, [gd.lrs, ada.lrs], ["GD", "AdaGrad"])
        ax.set_ylim(0.01, 1.0)
        ax.set_title(name.replace("ill-conditioned quadratic", "bowl"))
        plots.legend_below(ax, ncols=2)
    return plots.PanelRow(figs, ["effective rates per coordinate, axis-aligned bowl",
                                 "effective rates per coordinate, rotated bowl"])


def figure_stall(sweep: dict) -> plots.PanelRow:
    """Distance to the minimum against the step (log–log) for the sweep of :func:`stall_sweep`."""
    fig, ax = _figure(plots.COLUMN_WIDTH, 3.5)
    bowl, run, gd = _bowl(), sweep["run"], sweep["gd"]
    distance = bowl.distance_to_minimum(run.thetas)
    steps = run.steps[1:]
    for i, r in enumerate(sweep["lrs"]):
        ax.plot(steps, np.maximum(distance[1:, i], 1e-16), color=plots.color(i),
                linestyle=plots.LINESTYLES[i % 4], label=f"AdaGrad, ρ = {r:g}")
    ax.plot(steps, bowl.distance_to_minimum(gd.thetas)[1:], color="0.2", linestyle=":",
            label=f"GD, ρ = {sweep['gd_lr']:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 10)
    ax.set_xlabel("step t")
    ax.set_ylabel("distance to the minimum")
    plots.legend_below(ax, ncols=4)
    return plots.PanelRow(fig, "Distance to the minimum against the step for AdaGrad at six "
                               "rates and for GD")


def figure_recency(result: Recency) -> plots.PanelRow:
    """Left: the paths when the gradients shrink. Right: the distance to the current minimum,
    both directions, on a log scale."""
    figs, (ax_path, ax_dist) = plots.panels(2, (plots.PANEL_SIZE[0], 3.9))
    landscape = _nonstationary(True)
    out = result.traces["shrink"]
    plots.contours(ax_path, landscape, step=landscape.switch_step)
    ax_path.plot(*landscape.center_before, marker="x", color="0.15", linestyle="none",
                 label="old minimum")
    for i, name in enumerate(("AdaGrad", "RMSProp, perturbed")):
        tr = out[name]
        ax_path.plot(tr.thetas[:, 0], tr.thetas[:, 1], color=plots.color(i + 1 if i == 0 else 0),
                     linestyle=plots.LINESTYLES[1 - i], marker=".", markersize=2, linewidth=1,
                     label=name)
    ax_path.set_title("curvature 10 → 1 at step 100")
    plots.legend_below(ax_path, ncols=2)
    curves = [("shrink", "AdaGrad", 1, "-"), ("shrink", "AdaGrad, restarted", 2, "-."),
              ("grow", "AdaGrad", 1, ":"), ("shrink", "RMSProp", 0, "--"),
              ("shrink", "RMSProp, perturbed", 0, "-")]
    for direction, name, colour, style in curves:
        d = result.distances[direction][name]
        t = np.arange(len(d)) + (result.steps + 1 - len(d))
        with np.errstate(divide="ignore"):
            ax_dist.plot(t, np.where(d > 0, d, np.nan), color=plots.color(colour),
                         linestyle=style, linewidth=1.2,
                         label=f"{name} ({'10 → 1' if direction == 'shrink' else '1 → 10'})")
    ax_dist.axvline(landscape.switch_step, color="0.5", linewidth=0.8)
    ax_dist.set_yscale("log")
    ax_dist.set_ylim(1e-3, 10)
    ax_dist.set_xlabel("step t")
    ax_dist.set_ylabel("distance to the current minimum")
    ax_dist.set_title("both directions")
    plots.legend_below(ax_dist, ncols=1)
    return plots.PanelRow(figs, ["paths of AdaGrad and RMSProp when the minimum moves",
                                 "distance to the moving minimum, both directions"])


def figure_preconditioned(result: Preconditioning) -> plots.PanelRow:
    """Both bowls' contours and AdaGrad's path in θ̃ = diag(r_k^{1/4}) θ, one panel each."""
    figs, axes = plots.panels(2, (plots.PANEL_SIZE[0], 3.9))
    bowls = (_bowl(), objectives.rotated(kappa=25.0))
    for ax, bowl in zip(axes, bowls):
        s = result.scale(bowl.name)
        path = result.runs[bowl.name].thetas * s
        span_ = np.abs(path).max() * 1.15
        u = np.linspace(-span_, span_, 160)
        U, W = np.meshgrid(u, u)
        pts = np.stack([U, W], axis=-1) / s
        Z = bowl.value(pts.reshape(-1, 2)).reshape(U.shape)
        ax.contour(U, W, Z, levels=plots.contour_levels(bowl, Z), colors="0.55",
                   linewidths=0.6)
        k = result.steps
        ax.plot(path[: k + 1, 0], path[: k + 1, 1], color=plots.color(1), marker=".",
                label=f"AdaGrad, first {k} steps")
        ax.plot(path[k:, 0], path[k:, 1], color=plots.color(1), linestyle="--",
                label="the rest")
        ax.plot(0.0, 0.0, marker="*", markersize=11, color="0.15", linestyle="none",
                label="minimum")
        ax.set_aspect("equal")
        ax.set_xlim(-span_, span_)
        ax.set_ylim(-span_, span_)
        ax.set_xlabel(r"$\tilde\theta_1$")
        ax.set_ylabel(r"$\tilde\theta_2$")
        kappa = result.kappa[bowl.name]["diagonal"]
        ax.set_title(f"{bowl.name.replace('ill-conditioned quadratic', 'bowl')}, κ = "
                     f"{kappa:.3g}")
        plots.legend_below(ax, ncols=2)
    return plots.PanelRow(figs, ["axis-aligned bowl in AdaGrad's coordinates: nearly round",
                                 "rotated bowl in AdaGrad's coordinates: still a narrow "
                                 "tilted valley"])
