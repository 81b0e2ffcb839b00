r"""After Adam (``chapters/after-adam.ipynb``): Adamax, NAdam and RAdam, warm-up, and ε.

The closed forms and experiments behind the chapter:

* Adamax's decaying maximum after one gradient spike (:func:`spike`), against Adam's average;
* NAdam's momentum schedule μₜ = β₁(1 − ½·0.96^{tψ}) (:func:`momentum_schedule`), its
  half-life and its first step (:func:`nadam_first_step_factor`);
* RAdam's length nₜ of the approximating simple average and its rectification qₜ
  (:func:`radam_length`, :func:`rectification`), the variance of Adam's adaptive rate by
  Monte Carlo (:func:`rate_variance`), and RAdam against Adam with and without a linear
  warm-up on the digits (:func:`warmup_study`);
* the four Adam-type methods, each tuned on its own grid, on Rosenbrock's valley under the
  book's robustness protocol (:func:`valley_comparison`);
* ε as a hyperparameter: Adam on the digits over ε from 1e-8 to 100, each ε tuned on its
  own ρ grid, against momentum SGD, the method large ε turns Adam into (:func:`eps_study`).

Every tuning grid is checked to bracket its optimum (and widened until it does).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np

from .. import data, objectives, plots, schedules
from ..optim import SGD, Adam, Adamax, NAdam, RAdam
from ..robustness import PERTURBATION, Spread, best_on_grid, stress
from ..runs import minimize, train
from ..tables import Table, glue, span  # noqa: F401  (glue: the notebook pastes numbers with it)
from ..trace import trace

__all__ = ["momentum_schedule", "schedule_half_life", "nadam_first_step_factor",
           "schedule_table", "radam_length", "rectification", "first_rectified_step",
           "rectification_table", "rate_variance", "VarianceStudy", "spike", "Spike",
           "recovery_steps", "valley_comparison", "Valley", "warmup_study", "Warmup",
           "eps_study", "EpsStudy", "tuned",]

#: Seeds of every randomized experiment.
SEEDS = (0, 1, 2)


def tuned(score, grid, *, grow: float = 10.0, tries: int = 4):
    """Tune on a grid that brackets its optimum: ``score(grid)`` gives one score per value
    (lower is better, NaN for a diverged run); while the best sits at an end, the grid is
    extended by a factor ``grow`` beyond that end (``tries`` times at most). Returns the
    :class:`~adaptive_lr.robustness.GridBest`, the final grid and its scores."""
    grid = np.asarray(grid, dtype=float)
    scores = np.asarray(score(grid), dtype=float)
    for _ in range(tries):
        best = best_on_grid(scores, grid)
        if best.bracketed:
            break
        ratio = grid[1] / grid[0]
        k = max(1, int(round(math.log(grow) / math.log(ratio))))
        if best.index == 0:
            new = grid[0] * ratio ** -np.arange(k, 0, -1.0)
            grid, scores = np.r_[new, grid], np.r_[score(new), scores]
        else:
            new = grid[-1] * ratio ** np.arange(1, k + 1.0)
            grid, scores = np.r_[grid, new], np.r_[scores, score(new)]
    return best_on_grid(scores, grid), grid, scores


# ------------------------------------------------------------------------------- Adamax


def recovery_steps(size: float, beta2: float = 0.999) -> float:
    """Steps after a gradient ``size`` times the usual one until Adamax's u, which decays by
    β₂ per step, is back at the usual gradient: ln(size)/ln(1/β₂)."""
    return math.log(size) / math.log(1 / beta2)


@dataclass(frozen=True)
class Spike:
    """Adam and Adamax fed g = 1 with one spike of ``size`` at step ``at``."""

    steps: int
    at: int
    size: float
    adam: object      # Trace
    adamax: object    # Trace

    def recovered(self, name: str, fraction: float = 0.5) -> int:
        """Steps after the spike until the rate is back to ``fraction`` of its value before."""
        rates = getattr(self, name).rates[:, 0]
        before = rates[self.at - 2]
        later = np.nonzero(rates[self.at - 1:] >= fraction * before)[0]
        return int(later[0]) if later.size else -1

    def table(self) -> Table:
        rows = []
        for name, label in (("adam", "Adam"), ("adamax", "Adamax")):
            r = getattr(self, name).rates[:, 0]
            a = self.at - 1
            rows.append([label, r[a - 1], r[a], r[a] / r[a - 1],
                         self.recovered(name) if self.recovered(name) >= 0 else "not yet"])
        return Table(["", "rate before", "rate after the spike", "ratio",
                      "steps to half the rate before"], rows, fmt="{:.3g}")


def spike(steps: int = 5000, at: int = 100, size: float = 100.0) -> Spike:
    """Both with their PyTorch defaults except ρ = 1e-3 for both, one coordinate."""
    grads = np.ones((steps, 1))
    grads[at - 1] = size
    return Spike(steps, at, size, trace(Adam(lr=1e-3), grads), trace(Adamax(lr=1e-3), grads))


# -------------------------------------------------------------------------------- NAdam


def momentum_schedule(t, beta1=0.9, psi=0.004) -> np.ndarray:
    """Dozat's (and PyTorch's) μₜ = β₁(1 − ½·0.96^{tψ})."""
    return np.asarray(beta1) * (1.0 - 0.5 * np.power(0.96, np.asarray(t, float) * psi))


def schedule_half_life(psi: float = 0.004) -> float:
    """Steps until μₜ has gone half the way from β₁/2 to β₁: ln 2/(ψ ln(1/0.96))."""
    return math.log(2) / (psi * math.log(1 / 0.96))


def nadam_first_step_factor(beta1: float = 0.9, psi: float = 0.004) -> float:
    """NAdam's first step is this times ρ sign g: 1 + (1 − β₁)μ₂/(1 − μ₁μ₂)."""
    mu1, mu2 = float(momentum_schedule(1, beta1, psi)), float(momentum_schedule(2, beta1, psi))
    return 1 + (1 - beta1) * mu2 / (1 - mu1 * mu2)


def schedule_table(steps=(1, 10, 100, 1000, 4245, 10_000, 100_000), beta1=0.9,
                   psi=0.004) -> Table:
    mu = momentum_schedule(np.array(steps), beta1, psi)
    return Table(["step t", "μₜ", "μₜ/β₁"], [[t, m, m / beta1] for t, m in zip(steps, mu)],
                 fmt="{:.4f}")


# -------------------------------------------------------------------------------- RAdam


def radam_length(t, beta2: float = 0.999):
    """(nₜ, n∞): nₜ = n∞ − 2tβ₂ᵗ/(1 − β₂ᵗ), n∞ = 2/(1 − β₂) − 1 (the paper's ρₜ, ρ∞)."""
    t = np.asarray(t, dtype=float)
    n_inf = 2 / (1 - beta2) - 1
    return n_inf - 2 * t * beta2 ** t / (1 - beta2 ** t), n_inf


def rectification(t, beta2: float = 0.999) -> np.ndarray:
    """qₜ = √((nₜ−4)(nₜ−2)n∞/((n∞−4)(n∞−2)nₜ)) where nₜ > 4, NaN where it is undefined."""
    n, n_inf = radam_length(t, beta2)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.sqrt((n - 4) * (n - 2) * n_inf / ((n_inf - 4) * (n_inf - 2) * n))
    return np.where(n > 4, q, np.nan)


def first_rectified_step(beta2: float = 0.999, limit: int = 100_000) -> int | None:
    """The first step at which RAdam uses its adaptive rate (nₜ > 5); None if never."""
    n, _ = radam_length(np.arange(1, limit + 1), beta2)
    above = np.nonzero(n > 5)[0]
    return int(above[0]) + 1 if above.size else None


def rectification_table(beta2s=(0.9, 0.99, 0.999), steps=(6, 10, 100, 1000, 10_000)) -> Table:
    rows = []
    for b2 in beta2s:
        q = rectification(np.array(steps), b2)
        first = first_rectified_step(b2)
        rows.append([b2, radam_length(1, b2)[1], first, *[f"{v:.3f}" for v in q]])
    return Table(["β₂", "n∞", "first rectified step", *[f"q at t = {t}" for t in steps]],
                 rows, fmt="{:g}")


@dataclass(frozen=True)
class VarianceStudy:
    """The sample variance of Adam's adaptive rate 1/√v̂ₜ (ε = 0) for gradients drawn from
    N(0, 1), at each step, estimated from several numbers of samples."""

    beta2: float
    steps: np.ndarray                 # 1 … T
    sizes: tuple[int, ...]
    variances: dict                   # size → (T,) sample variance of 1/√v̂ₜ
    rectified: np.ndarray             # (T,) sample variance of qₜ/√v̂ₜ (largest size), NaN
                                      # where nₜ ≤ 4

    def table(self, steps=(1, 2, 3, 5, 6, 10, 50, 200)) -> Table:
        rows = [[t, *[self.variances[n][t - 1] for n in self.sizes],
                 self.rectified[t - 1] if np.isfinite(self.rectified[t - 1]) else "—"]
                for t in steps]
        return Table(["step t", *[f"Var, {n:,} samples" for n in self.sizes],
                      "Var of qₜ/√v̂ₜ"], rows, fmt="{:.3g}")

    def growth(self, t: int) -> float:
        """How much the estimate grows from the fewest to the most samples at step t (about
        1 for a finite variance; large when the variance is infinite)."""
        return float(self.variances[self.sizes[-1]][t - 1] / self.variances[self.sizes[0]][t - 1])


def rate_variance(beta2: float = 0.999, steps: int = 200, sizes=(1_000, 10_000, 100_000),
                  seed: int = 0) -> VarianceStudy:
    """Draw ``max(sizes)`` independent runs of g ~ N(0, 1); the first n of them give the
    estimate with n samples. v̂ₜ = vₜ/(1 − β₂ᵗ) is the bias-corrected average."""
    rng = np.random.default_rng(seed)
    total = max(sizes)
    v = np.zeros(total)
    variances = {n: np.empty(steps) for n in sizes}
    q = rectification(np.arange(1, steps + 1), beta2)
    rectified = np.full(steps, np.nan)
    for t in range(1, steps + 1):
        g = rng.standard_normal(total)
        v = beta2 * v + (1 - beta2) * g * g
        with np.errstate(divide="ignore"):
            rate = 1 / np.sqrt(v / (1 - beta2 ** t))
        for n in sizes:
            variances[n][t - 1] = rate[:n].var()
        if np.isfinite(q[t - 1]):
            rectified[t - 1] = (q[t - 1] * rate).var()
    return VarianceStudy(beta2, np.arange(1, steps + 1), tuple(sizes), variances, rectified)


# ------------------------------------------------------------- the valley, under protocol


#: The four methods of the valley comparison, as factories of ρ (PyTorch's other defaults).
VALLEY_METHODS = {"Adam": lambda lr: Adam(lr=lr), "Adamax": lambda lr: Adamax(lr=lr),
                  "NAdam": lambda lr: NAdam(lr=lr), "RAdam": lambda lr: RAdam(lr=lr)}
VALLEY_GRID = np.geomspace(1e-3, 1.0, 10)
VALLEY_STEPS = 2000
VALLEY_PROTOCOL = {"seeds": SEEDS, "noise": 0.01, "starts": 0.5}


def _valley_score(make, objective, start, steps, grid):
    """log10 of the mean loss over the last tenth of the run, per ρ (NaN if diverged)."""
    starts = np.tile(start, (len(grid), 1))
    run = minimize(make(np.asarray(grid)[:, None]), objective, starts, steps)
    tail = run.losses[-(steps // 10):]
    with np.errstate(divide="ignore"):
        return np.where(run.diverged, np.nan, np.log10(np.mean(tail, axis=0) + 1e-300))


def _valley_experiment(steps, grid, methods):
    def experiment(objective, start):
        out = {}
        for name, make in methods.items():
            best, g, _ = tuned(lambda gr: _valley_score(make, objective, start, steps, gr), grid)
            out[f"{name} log10 loss"] = best.score
            out[f"{name} ρ"] = best.value
            out[f"{name} bracketed"] = float(best.bracketed)
        return out
    return experiment


@dataclass(frozen=True)
class Valley:
    spread: Spread
    methods: tuple[str, ...]

    def table(self) -> Table:
        rows = []
        for name in self.methods:
            rows.append([name, span(self.spread.values(f"{name} ρ"), "{:.2g}"),
                         self.spread.values(f"{name} log10 loss", "exact")[0],
                         span(self.spread.values(f"{name} log10 loss", "perturbed")),
                         span(self.spread.values(f"{name} log10 loss", "noisy")),
                         span(self.spread.values(f"{name} log10 loss", "start"))])
        return Table(["method", "tuned ρ (all conditions)", "log₁₀ loss, exact", "perturbed",
                      "noisy", "other starts"], rows, fmt="{:.3g}")

    def all_bracketed(self) -> bool:
        return all(np.all(self.spread.values(f"{n} bracketed") == 1) for n in self.methods)

    def verdict(self, better: str, than: str = "Adam") -> str:
        """Whether ``better``'s tuned loss is at most ``than``'s: holds, fails or flips."""
        return self.spread.verdict(
            lambda m: m[f"{better} log10 loss"] <= m[f"{than} log10 loss"])


def valley_comparison(steps: int = VALLEY_STEPS, grid=VALLEY_GRID, methods=None,
                      **protocol) -> Valley:
    """Each method tuned on its own ρ grid on Rosenbrock's valley, under every condition of
    the protocol (exact, 1e-12 gradient perturbation, 1 % gradient noise, other starts)."""
    methods = VALLEY_METHODS if methods is None else methods
    spread = stress(_valley_experiment(steps, grid, methods), objectives.Rosenbrock(),
                    **{**VALLEY_PROTOCOL, **protocol})
    return Valley(spread, tuple(methods))


# ------------------------------------------------------------------------ warm-up, digits


class _PerturbedTask:
    """Mixin: the task's gradients with relative Gaussian noise of size 1e-12 (seeded)."""

    def loss_and_grad(self, params, X, y):
        loss, grad = super().loss_and_grad(params, X, y)
        self._draws[1] += 1     # (seed, calls so far): a list, since tasks are frozen
        noise = np.random.default_rng(self._draws).standard_normal(grad.shape)
        return loss, grad + PERTURBATION * np.sqrt(np.mean(grad * grad)) * noise


def perturbed(task, seed: int):
    """A copy of ``task`` whose gradients carry the protocol's 1e-12 relative perturbation."""
    cls = type(f"Perturbed{type(task).__name__}", (_PerturbedTask, type(task)), {})
    twin = cls.__new__(cls)
    twin.__dict__.update(task.__dict__)
    twin.__dict__["_draws"] = [seed, 0]
    return twin


WARMUP_GRID = np.geomspace(4e-3, 2.0, 10)
WARMUP_BETA2 = 0.98


@dataclass(frozen=True)
class Warmup:
    """Adam, Adam with a linear warm-up over 2/(1 − β₂) steps, and RAdam on the digits MLP,
    each over its own ρ grid: final training loss (log₁₀) per seed; under the 1e-12 gradient
    perturbation too, at each method's tuned ρ."""

    grid: np.ndarray
    scores: dict          # method → (seeds, grid) log10 final training loss
    early: dict           # method → (seeds, grid) worst minibatch loss of the first 50 steps
    perturbed: dict       # method → (seeds,) log10 final loss at the tuned ρ, perturbed
    warmup: int
    steps: int
    beta2: float

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.scores)

    def best(self, method: str):
        return best_on_grid(np.nanmean(self.scores[method], axis=0), self.grid)

    def usable(self, method: str, within: float = math.log10(2)) -> tuple[float, float]:
        """(lowest, highest) ρ whose mean loss is within a factor 2 of the method's best."""
        mean = np.nanmean(self.scores[method], axis=0)
        good = self.grid[mean <= np.nanmin(mean) + within]
        return float(good.min()), float(good.max())

    def tuned_scores(self, method: str) -> np.ndarray:
        return self.scores[method][:, self.best(method).index]

    def blow_up(self, method: str) -> float:
        """The worst early minibatch loss at the largest ρ, the mean over the seeds."""
        return float(np.mean(self.early[method][:, -1]))

    def table(self) -> Table:
        rows = []
        for method in self.methods:
            b = self.best(method)
            low, high = self.usable(method)
            rows.append([method, b.value, span(self.tuned_scores(method)),
                         span(self.perturbed[method]), f"{low:.2g} … {high:.2g}",
                         self.blow_up(method), "yes" if b.bracketed else "no"])
        return Table(["method", "tuned ρ", "log₁₀ loss (seeds)", "perturbed 1e-12",
                      "ρ within 2× of the best", f"worst early loss, ρ = {self.grid[-1]:g}",
                      "bracketed"], rows, fmt="{:.3g}", align="left")

    def verdict_tuned(self, method: str, than: str = "Adam") -> str:
        """Whether ``method`` at its tuned ρ ends lower than ``than`` at its own, seed by seed
        and with and without the perturbation: holds, fails or flips."""
        outcomes = np.r_[self.tuned_scores(method) < self.tuned_scores(than),
                         self.perturbed[method] < self.perturbed[than]]
        return "holds" if outcomes.all() else "fails" if not outcomes.any() else "flips"

    def verdict_tames(self, method: str, than: str = "Adam") -> str:
        """Whether ``method``'s worst early loss at the largest ρ is below ``than``'s, seed
        by seed."""
        outcomes = self.early[method][:, -1] < self.early[than][:, -1]
        return "holds" if outcomes.all() else "fails" if not outcomes.any() else "flips"


def warmup_study(epochs: int = 6, batch_size: int = 32, seeds=SEEDS, grid=WARMUP_GRID,
                 beta2: float = WARMUP_BETA2, hidden: int = 16) -> Warmup:
    """β₂ = 0.98 for all three (the transformers' value; n∞ = 99, warm-up over 2/(1 − β₂) =
    100 steps, Ma & Yarats's rule of thumb), on the digits through a tanh layer of
    ``hidden`` units; each seed draws its own initialization and minibatch order."""
    task = data.digits_mlp(hidden=hidden)
    grid = np.asarray(grid, dtype=float)
    n = task.X_train.shape[0]
    steps = epochs * (-(-n // batch_size))
    warm = int(round(2 / (1 - beta2)))
    factors = schedules.linear_warmup(1.0, steps, warmup=warm)

    def make(method, lr):
        if method == "Adam":
            return Adam(lr=lr, betas=(0.9, beta2))
        if method == "RAdam":
            return RAdam(lr=lr, betas=(0.9, beta2))
        return [Adam(lr=lr * f, betas=(0.9, beta2)) for f in factors]

    def run(method, lrs, seed, run_task):
        p0 = task.init(seed=seed, batch_shape=(len(lrs),))
        out = train(make(method, np.asarray(lrs)[:, None]), run_task, p0, epochs=epochs,
                    batch_size=batch_size, seed=seed)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(out.epoch_train_loss[-1]), np.max(out.step_losses[:50], axis=0)

    scores, early, pert = {}, {}, {}
    for method in ("Adam", "Adam + warm-up", "RAdam"):
        runs = [run(method, grid, seed, task) for seed in seeds]
        scores[method] = np.array([r[0] for r in runs])
        early[method] = np.array([r[1] for r in runs])
        best = best_on_grid(np.nanmean(scores[method], axis=0), grid)
        pert[method] = np.array([run(method, [best.value], seed, perturbed(task, seed))[0][0]
                                 for seed in seeds])
    return Warmup(grid, scores, early, pert, warm, steps, beta2)


# ---------------------------------------------------------------------------- ε, digits


EPS_VALUES = (1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


@dataclass(frozen=True)
class EpsStudy:
    """Adam on the digits softmax task at several ε, each tuned on its own ρ grid, and
    momentum SGD (μ = β₁) tuned on its own: mean final training loss over the seeds."""

    eps: np.ndarray
    best: list            # GridBest per ε (mean over seeds)
    per_seed: np.ndarray  # (ε, seeds) final loss at each ε's tuned ρ
    perturbed: np.ndarray  # (ε, seeds) the same under the 1e-12 gradient perturbation
    sgd: object           # GridBest of momentum SGD
    sgd_seeds: np.ndarray
    sgd_perturbed: np.ndarray
    beta1: float

    @property
    def rho(self) -> np.ndarray:
        return np.array([b.value for b in self.best])

    @property
    def loss(self) -> np.ndarray:
        return np.array([b.score for b in self.best])

    def sgd_equivalent(self) -> np.ndarray:
        """The momentum-SGD rate large ε turns Adam into: (ρ/ε)(1 − β₁)."""
        return self.rho / self.eps * (1 - self.beta1)

    def table(self) -> Table:
        rows = [[f"{e:g}", b.value, b.value / e, span(s, "{:.4f}"), span(p, "{:.4f}"),
                 "yes" if b.bracketed else "no"]
                for e, b, s, p in zip(self.eps, self.best, self.per_seed, self.perturbed)]
        rows.append([f"momentum SGD (μ = {self.beta1:g})", self.sgd.value, "—",
                     span(self.sgd_seeds, "{:.4f}"), span(self.sgd_perturbed, "{:.4f}"),
                     "yes" if self.sgd.bracketed else "no"])
        return Table(["ε", "tuned ρ", "ρ/ε", "loss (seeds)", "perturbed 1e-12",
                      "bracketed"], rows, fmt="{:.3g}", align="left")

    def verdicts(self) -> dict:
        """Seed by seed and in both conditions: does the best ε beat ε = 1e-8, and does the
        largest ε stay between the best Adam and momentum SGD?"""
        best = int(np.argmin(self.loss))
        beat = np.r_[self.per_seed[best] < self.per_seed[0],
                     self.perturbed[best] < self.perturbed[0]]
        large = np.r_[(self.per_seed[-1] > self.per_seed[best])
                      & (self.per_seed[-1] < self.sgd_seeds),
                      (self.perturbed[-1] > self.perturbed[best])
                      & (self.perturbed[-1] < self.sgd_perturbed)]

        def word(x):
            return "holds" if x.all() else "fails" if not x.any() else "flips"
        return {"tuned ε beats 1e-8": word(beat), "large ε between": word(large)}


def eps_study(eps_values=EPS_VALUES, epochs: int = 5, batch_size: int = 32, seeds=SEEDS,
              l2: float = 1e-3, beta1: float = 0.9) -> EpsStudy:
    """Softmax regression with a small L2 penalty (so the loss has a minimum); grids of 13
    rates over four decades around max(ε, 0.01), widened until they bracket."""
    task = data.digits_softmax(l2=l2)

    def losses(make, grid, seed, run_task=None):
        p0 = task.init(seed=seed, batch_shape=(len(grid),))
        out = train(make(np.asarray(grid)[:, None]), run_task or task, p0, epochs=epochs,
                    batch_size=batch_size, seed=seed)
        return out.epoch_train_loss[-1]

    def mean_score(make):
        return lambda grid: np.mean([losses(make, grid, s) for s in seeds], axis=0)

    def at(make, value, perturb=False):
        return np.array([losses(make, [value], s, perturbed(task, s) if perturb else None)[0]
                         for s in seeds])

    bests, per_seed, pert = [], [], []
    for eps in eps_values:
        def make(lr, eps=eps):
            return Adam(lr=lr, betas=(beta1, 0.999), eps=eps)
        best, _, _ = tuned(mean_score(make), np.geomspace(1e-3, 10.0, 13) * max(eps, 1e-2))
        bests.append(best)
        per_seed.append(at(make, best.value))
        pert.append(at(make, best.value, perturb=True))

    def make_sgd(lr):
        return SGD(lr=lr, momentum=beta1)
    sgd, _, _ = tuned(mean_score(make_sgd), np.geomspace(1e-3, 10.0, 13))
    return EpsStudy(np.asarray(eps_values, dtype=float), bests, np.array(per_seed),
                    np.array(pert), sgd, at(make_sgd, sgd.value),
                    at(make_sgd, sgd.value, perturb=True), beta1)


# ------------------------------------------------------------------------------ figures

PANEL = (3.3, 3.3)


def _panels(n: int, size=PANEL):
    with mpl.rc_context(plots.BOOK_STYLE):
        return plots.panels(n, size)


def figure_spike(result: Spike) -> plots.PanelRow:
    with mpl.rc_context(plots.BOOK_STYLE):
        figs, (ax,) = plots.panels(1, (5.0, 3.2))
        t = np.arange(1, result.steps + 1)
        ax.plot(t, result.adam.rates[:, 0], color=plots.color(0), label="Adam")
        ax.plot(t, result.adamax.rates[:, 0], color=plots.color(1), linestyle="--",
                label="Adamax")
        ax.axvline(result.at, color="0.5", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("step t")
        ax.set_ylabel("effective rate")
        plots.legend_below(ax)
    return plots.PanelRow(figs, "Effective rates of Adam and Adamax on a constant gradient "
                                "with one spike, log scale")


def figure_schedules(beta2s=(0.9, 0.99, 0.999), psis=(0.004, 0.04, 0.4)) -> plots.PanelRow:
    figs, (ax_mu, ax_q) = _panels(2)
    with mpl.rc_context(plots.BOOK_STYLE):
        t = np.unique(np.geomspace(1, 1e6, 400).astype(int))
        for i, psi in enumerate(psis):
            ax_mu.plot(t, momentum_schedule(t, 0.9, psi), color=plots.color(i),
                       linestyle=plots.LINESTYLES[i], label=f"ψ = {psi:g}")
        ax_mu.axhline(0.9, color="0.5", linewidth=0.8)
        ax_mu.set_xscale("log")
        ax_mu.set_ylim(0.4, 0.95)
        ax_mu.set_xlabel("step t")
        ax_mu.set_title("NAdam's μₜ (β₁ = 0.9)")
        plots.legend_below(ax_mu)
        for i, b2 in enumerate(beta2s):
            ax_q.plot(t, rectification(t, b2), color=plots.color(i),
                      linestyle=plots.LINESTYLES[i], label=f"β₂ = {b2:g}")
        ax_q.set_xscale("log")
        ax_q.set_ylim(0, 1.05)
        ax_q.set_xlabel("step t")
        ax_q.set_title("RAdam's qₜ")
        plots.legend_below(ax_q)
    return plots.PanelRow(figs, ["NAdam's momentum schedule against the step for three ψ",
                                 "RAdam's rectification against the step for three β₂"])


def figure_variance(study: VarianceStudy) -> plots.PanelRow:
    with mpl.rc_context(plots.BOOK_STYLE):
        figs, (ax,) = plots.panels(1, (5.0, 3.4))
        for i, n in enumerate(study.sizes):
            ax.plot(study.steps, study.variances[n], color=plots.color(i),
                    linestyle=plots.LINESTYLES[i], label=f"Adam, {n:,} samples")
        ax.plot(study.steps, study.rectified, color=plots.color(3), linewidth=2.5, alpha=0.7,
                label=f"RAdam's qₜ/√v̂ₜ, {study.sizes[-1]:,}")
        ax.axvline(5.5, color="0.5", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step t")
        ax.set_ylabel("sample variance of the rate")
        plots.legend_below(ax, ncols=2)
    return plots.PanelRow(figs, "Sample variance of Adam's adaptive rate against the step, for "
                                "three sample sizes, and of RAdam's rectified rate")


def figure_warmup(result: Warmup) -> plots.PanelRow:
    figs, (ax_loss, ax_early) = _panels(2)
    with mpl.rc_context(plots.BOOK_STYLE):
        for i, method in enumerate(result.methods):
            grid = result.grid
            s = result.scores[method]
            ax_loss.plot(grid, np.nanmean(s, axis=0), color=plots.color(i),
                         linestyle=plots.LINESTYLES[i], marker="o", markersize=3, label=method)
            ax_loss.fill_between(grid, np.nanmin(s, axis=0), np.nanmax(s, axis=0),
                                 color=plots.color(i), alpha=0.2)
            e = np.log10(result.early[method])
            ax_early.plot(grid, np.nanmean(e, axis=0), color=plots.color(i),
                          linestyle=plots.LINESTYLES[i], marker="o", markersize=3, label=method)
        for ax in (ax_loss, ax_early):
            ax.set_xscale("log")
            ax.set_xlabel("learning rate ρ")
        ax_loss.set_ylabel("log₁₀ training loss, end")
        ax_early.set_ylabel("log₁₀ worst loss, first 50 steps")
        ax_early.axhline(np.log10(np.log(10)), color="0.5", linewidth=0.8)
        plots.legend_below(ax_loss)
        plots.legend_below(ax_early)
    return plots.PanelRow(figs, ["Final training loss against the learning rate for Adam, "
                                 "Adam with warm-up and RAdam", "Worst minibatch loss of the "
                                 "first 50 steps against the learning rate"])


def figure_eps(result: EpsStudy) -> plots.PanelRow:
    figs, (ax_loss, ax_rho) = _panels(2)
    with mpl.rc_context(plots.BOOK_STYLE):
        ax_loss.plot(result.eps, result.per_seed.mean(axis=1), color=plots.color(0),
                     marker="o", label="Adam, tuned ρ")
        ax_loss.fill_between(result.eps, result.per_seed.min(axis=1),
                             result.per_seed.max(axis=1), color=plots.color(0), alpha=0.2)
        ax_loss.axhline(result.sgd_seeds.mean(), color=plots.color(1), linestyle="--",
                        label="momentum SGD, tuned")
        ax_loss.set_xscale("log")
        ax_loss.set_xlabel("ε")
        ax_loss.set_ylabel("training loss, end")
        plots.legend_below(ax_loss)
        ax_rho.plot(result.eps, result.sgd_equivalent(), color=plots.color(0), marker="o",
                    label="(ρ/ε)(1 − β₁) at the tuned ρ")
        ax_rho.axhline(result.sgd.value, color=plots.color(1), linestyle="--",
                       label="momentum SGD's tuned rate")
        ax_rho.set_xscale("log")
        ax_rho.set_yscale("log")
        ax_rho.set_xlabel("ε")
        plots.legend_below(ax_rho)
    return plots.PanelRow(figs, ["Adam's tuned training loss against ε, with momentum SGD's",
                                 "Adam's tuned rate converted to a momentum-SGD rate, "
                                 "against ε"])
