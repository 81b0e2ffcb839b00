r"""Closed forms for gradient descent with one learning rate on a quadratic.

On :math:`f(\Theta) = \tfrac12 (\Theta - c)^\top A (\Theta - c)` with eigenvalues
:math:`\lambda_1 \le \dots \le \lambda_d` of :math:`A`, the update
:math:`\Theta \leftarrow \Theta - \rho\, g` with :math:`g = A(\Theta - c)` decouples along the
eigenvectors: the coordinate :math:`\delta_i` of :math:`\Theta - c` along eigenvector
:math:`i` is multiplied by :math:`1 - \rho\lambda_i` at every step, so

.. math::

   \delta_{i,t} = (1 - \rho\lambda_i)^t\, \delta_{i,0}, \qquad
   f(\Theta_t) - f^\star = \tfrac12 \sum_i \lambda_i (1 - \rho\lambda_i)^{2t}\, \delta_{i,0}^2 .

Everything about a single learning rate follows from the contraction factors
:math:`|1 - \rho\lambda_i|`:

* the run converges iff every factor is below 1, i.e. :math:`0 < \rho < 2/\lambda_{\max}`
  (:func:`stable_lr_bound`);
* the slowest direction sets the rate :math:`q(\rho) = \max_i |1 - \rho\lambda_i|`
  (:func:`convergence_rate`), and the loss gap falls at least like :math:`q^{2t}`;
* the best fixed rate balances the flattest and the steepest direction,
  :math:`\rho^\star = 2/(\lambda_{\min} + \lambda_{\max})` (:func:`optimal_lr`), with
  :math:`q^\star = (\kappa - 1)/(\kappa + 1)` for :math:`\kappa = \lambda_{\max}/\lambda_{\min}`
  (:func:`optimal_rate`), so the steps needed grow in proportion to :math:`\kappa`
  (:func:`steps_bound`).

:func:`steps_to_tolerance` gives the exact first step at which the loss gap reaches a
tolerance, which is what :meth:`adaptive_lr.runs.Run.steps_to` measures on a real run.

Shapes: ``eigenvalues`` and ``delta0`` have the eigen-directions on their last axis,
``(..., d)``; ``lr`` broadcasts against them with its own last axis of length 1 (a scalar, or
shape ``(n, 1)`` for ``n`` rates), exactly as the optimizers' hyperparameters broadcast
against ``theta``. Results drop the last axis where they summarize over the directions.
"""
from __future__ import annotations

import numpy as np

from .. import _validation as check

__all__ = [
    # closed forms
    "spectrum", "condition_number", "stable_lr_bound", "contraction_factors",
    "convergence_rate", "optimal_lr", "optimal_rate", "gd_iterates", "loss_gap",
    "steps_to_tolerance", "settle_steps", "steps_bound",
    # the chapter's experiments
    "PROTOCOL", "glue", "eigen_start", "closed_form_error", "factor_table", "RateRuns",
    "rate_runs", "rate_runs_spread",
    "KappaSweep", "kappa_sweep", "BestRates", "best_rates", "fastest_over_starts",
    "per_coordinate_spread", "rotation_spread", "protocol_table", "applied_rates",
    "rate_spread", "optimum_table", "claim_1_spread", "claim_1_slopes", "claim_1_holds",
    "claim_1_table", "check_claim_1", "CLAIMS", "power_of_ten",
    # figures
    "figure_rate_runs", "figure_factors", "figure_sweep",
]


def _eigenvalues(eigenvalues) -> np.ndarray:
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the eigen-directions on a last axis, "
                         "e.g. shape (d,) or (n, d)")
    return lam


def _lr(lr) -> np.ndarray:
    return check.hyperparameter("lr", lr)


def spectrum(quadratic) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending, shape ``(d,)``) and eigenvectors (columns) of a quadratic.

    Args:
      quadratic: anything with a symmetric ``hessian`` (e.g.
        :class:`~adaptive_lr.objectives.Quadratic`).
    """
    hessian = np.asarray(quadratic.hessian, dtype=np.float64)
    eigenvalues, vectors = np.linalg.eigh(hessian)
    return eigenvalues, vectors


def condition_number(eigenvalues) -> np.ndarray:
    r""":math:`\kappa = \lambda_{\max}/\lambda_{\min}` over the last axis."""
    lam = _eigenvalues(eigenvalues)
    return lam.max(axis=-1) / lam.min(axis=-1)


def stable_lr_bound(eigenvalues) -> np.ndarray:
    r"""The largest stable learning rate, :math:`2/\lambda_{\max}` (over the last axis).

    For :math:`\rho` below it every direction contracts; at it the steepest direction
    flips sign forever without shrinking; above it that direction grows geometrically.
    """
    return 2.0 / _eigenvalues(eigenvalues).max(axis=-1)


def contraction_factors(lr, eigenvalues) -> np.ndarray:
    r"""Per-direction factors :math:`|1 - \rho\lambda_i|`, broadcast of ``lr`` and ``eigenvalues``.

    A factor below 1 means that direction shrinks at every step; the sign of
    :math:`1 - \rho\lambda_i` (negative when :math:`\rho > 1/\lambda_i`) says whether it
    overshoots and alternates from side to side.
    """
    return np.abs(1.0 - _lr(lr) * _eigenvalues(eigenvalues))


def convergence_rate(lr, eigenvalues) -> np.ndarray:
    r"""The worst factor :math:`q(\rho) = \max_i |1 - \rho\lambda_i|` over the last axis.

    It is :math:`\max(|1 - \rho\lambda_{\min}|, |1 - \rho\lambda_{\max}|)`: only the flattest
    and the steepest direction matter.
    """
    return contraction_factors(lr, eigenvalues).max(axis=-1)


def optimal_lr(eigenvalues) -> np.ndarray:
    r"""The fixed rate with the smallest :math:`q`: :math:`\rho^\star = 2/(\lambda_{\min}+\lambda_{\max})`.

    There the flattest direction's factor :math:`1 - \rho\lambda_{\min}` equals the steepest
    one's :math:`\rho\lambda_{\max} - 1`; any other ρ makes one of them larger.
    """
    lam = _eigenvalues(eigenvalues)
    return 2.0 / (lam.min(axis=-1) + lam.max(axis=-1))


def optimal_rate(kappa) -> np.ndarray:
    r"""The rate at :math:`\rho^\star`: :math:`q^\star = (\kappa - 1)/(\kappa + 1)`, for ``kappa`` ≥ 1."""
    kappa = check.hyperparameter("kappa", kappa, low=1.0)
    return (kappa - 1.0) / (kappa + 1.0)


def gd_iterates(quadratic, lr, steps: int, start=None) -> np.ndarray:
    r"""Gradient descent's iterates :math:`\Theta_0, \dots, \Theta_T` in closed form.

    :math:`\Theta_t = c + V \operatorname{diag}\big((1-\rho\lambda)^t\big) V^\top (\Theta_0 - c)`,
    with :math:`V` the eigenvectors. Shape ``(steps + 1, *B, d)`` as
    :attr:`adaptive_lr.runs.Run.thetas`: ``lr`` of shape ``(n, 1)`` gives ``B = (n,)``.

    Args:
      quadratic: a quadratic with ``hessian``, ``minimizer`` and ``start``.
      lr: the learning rate ρ, a scalar or shape ``(n, 1)``.
      steps: T, the number of steps.
      start: Θ₀, default ``quadratic.start``.
    """
    steps = check.positive_int("steps", steps, minimum=0)
    eigenvalues, vectors = spectrum(quadratic)
    centre = np.asarray(quadratic.minimizer, dtype=np.float64)
    start = quadratic.start if start is None else start
    delta0 = (np.asarray(start, dtype=np.float64) - centre) @ vectors   # eigen-coordinates
    factor = 1.0 - _lr(lr) * eigenvalues                                # signed, (*B, d)
    t = np.arange(steps + 1).reshape((-1,) + (1,) * factor.ndim)
    with np.errstate(over="ignore", invalid="ignore"):
        delta = factor ** t * delta0                                    # (T+1, *B, d)
    return centre + delta @ vectors.T


def loss_gap(t, lr, eigenvalues, delta0) -> np.ndarray:
    r""":math:`f(\Theta_t) - f^\star = \tfrac12 \sum_i \lambda_i (1-\rho\lambda_i)^{2t}\delta_{i,0}^2`.

    Args:
      t: step counts (integers ≥ 0), any shape that broadcasts with the batch shape.
      lr: learning rate(s), broadcast against ``eigenvalues``.
      eigenvalues: curvatures, ``(..., d)``.
      delta0: the start's offset from the minimizer in eigen-coordinates, ``(..., d)``.
    """
    lam = _eigenvalues(eigenvalues)
    delta0 = np.asarray(delta0, dtype=np.float64)
    factor2 = (1.0 - _lr(lr) * lam) ** 2
    t = np.asarray(t)
    if t.dtype.kind not in "iu" or np.any(t < 0):
        raise ValueError("t must hold integers ≥ 0")
    with np.errstate(over="ignore", invalid="ignore"):
        return 0.5 * np.sum(lam * factor2 ** t[..., None] * delta0 ** 2, axis=-1)


def steps_to_tolerance(lr, eigenvalues, delta0, tolerance: float, max_steps: int) -> np.ndarray:
    r"""First step ``t ≤ max_steps`` with :func:`loss_gap` ≤ ``tolerance``; −1 if there is none.

    The exact prediction of :meth:`adaptive_lr.runs.Run.steps_to` for gradient descent run
    with every step recorded (on a quadratic with ``f_min = 0``). Where every factor
    :math:`|1-\rho\lambda_i|` is at most 1 the gap never grows, and a bisection finds the
    step in about :math:`\log_2` ``max_steps`` evaluations; the other runs (unstable rates,
    whose gap can dip before it grows) are scanned step by step.
    """
    tolerance = float(check.hyperparameter("tolerance", tolerance, low=0.0, low_open=True))
    max_steps = check.positive_int("max_steps", max_steps, minimum=0)
    lam = _eigenvalues(eigenvalues)
    lr = _lr(lr)
    delta0 = np.asarray(delta0, dtype=np.float64)
    shape = np.broadcast_shapes(lr.shape, lam.shape, delta0.shape)
    d = shape[-1]
    lr, lam, delta0 = (np.broadcast_to(a, shape).reshape(-1, d) for a in (lr, lam, delta0))

    def gap(t, rows):
        return loss_gap(t, lr[rows], lam[rows], delta0[rows])

    result = np.full(lr.shape[0], -1, dtype=np.int64)
    live = (delta0 != 0)
    monotone = np.all((np.abs(1.0 - lr * lam) <= 1.0) | ~live, axis=-1)
    if monotone.any():
        low = np.zeros(int(monotone.sum()), dtype=np.int64)   # invariant: the first step
        high = np.full(low.shape, max_steps)                   # is in [low, high]
        reached = gap(high, monotone) <= tolerance
        high = np.where(gap(low, monotone) <= tolerance, 0, high)
        while np.any(low < high):
            mid = (low + high) // 2
            below = gap(mid, monotone) <= tolerance
            low, high = np.where(below, low, mid + 1), np.where(below, mid, high)
        result[monotone] = np.where(reached, high, -1)
    if not monotone.all():
        hit = gap(np.arange(max_steps + 1)[:, None], ~monotone) <= tolerance
        result[~monotone] = np.where(hit.any(axis=0), hit.argmax(axis=0), -1)
    return result.reshape(shape[:-1])


def settle_steps(lr, eigenvalues, delta0, tolerance: float, max_steps: int) -> np.ndarray:
    r"""First step ``t ≤ max_steps`` from which :func:`loss_gap` stays ≤ ``tolerance`` up to
    ``max_steps``; −1 if the gap at ``max_steps`` is above it.

    The exact prediction of :meth:`adaptive_lr.runs.Run.settle_step` (what the book calls
    converged) for gradient descent run for ``max_steps`` steps with every step recorded. Where
    every factor :math:`|1-\rho\lambda_i|` is at most 1 the gap never grows, so the first
    visit is final and this equals :func:`steps_to_tolerance`; an unstable rate's gap can dip
    below the tolerance and leave it again, and there only the last entry counts.
    """
    tolerance = float(check.hyperparameter("tolerance", tolerance, low=0.0, low_open=True))
    max_steps = check.positive_int("max_steps", max_steps, minimum=0)
    first = steps_to_tolerance(lr, eigenvalues, delta0, tolerance, max_steps)
    lam = _eigenvalues(eigenvalues)
    lr = _lr(lr)
    delta0 = np.asarray(delta0, dtype=np.float64)
    shape = np.broadcast_shapes(lr.shape, lam.shape, delta0.shape)
    d = shape[-1]
    lr, lam, delta0 = (np.broadcast_to(a, shape).reshape(-1, d) for a in (lr, lam, delta0))
    result = first.reshape(-1).copy()
    monotone = np.all((np.abs(1.0 - lr * lam) <= 1.0) | (delta0 == 0), axis=-1)
    if not monotone.all():
        rows = ~monotone
        gaps = loss_gap(np.arange(max_steps + 1)[:, None], lr[rows], lam[rows], delta0[rows])
        above = ~(gaps <= tolerance)                               # NaN/inf count as above
        last = max_steps - np.argmax(above[::-1], axis=0)          # last step above
        result[rows] = np.where(~above.any(axis=0), 0,
                                np.where(last < max_steps, last + 1, -1))
    return result.reshape(shape[:-1])


def steps_bound(rate, initial_gap, tolerance: float) -> np.ndarray:
    r"""Steps that guarantee a loss gap ≤ ``tolerance``: :math:`\lceil \ln(f_0/\text{tol}) / (2\ln(1/q)) \rceil`.

    Every term of :func:`loss_gap` shrinks at least by :math:`q^2` per step, so
    :math:`f_t - f^\star \le q^{2t}(f_0 - f^\star)`, and this many steps always suffice (the
    exact count, :func:`steps_to_tolerance`, is at most this). For large :math:`\kappa` at
    :math:`\rho^\star`, :math:`\ln(1/q^\star) \approx 2/\kappa`, so the bound grows like
    :math:`\tfrac{\kappa}{4}\ln(f_0/\text{tol})`: linearly in the condition number.

    Returns floats: 0 where the start already meets the tolerance, ``inf`` where
    :math:`q \ge 1` (no convergence).

    Args:
      rate: q, e.g. from :func:`convergence_rate` or :func:`optimal_rate`; ≥ 0.
      initial_gap: :math:`f_0 - f^\star` > 0.
      tolerance: the target gap, > 0.
    """
    q = check.hyperparameter("rate", rate)
    gap = check.hyperparameter("initial_gap", initial_gap, low=0.0, low_open=True)
    tolerance = float(check.hyperparameter("tolerance", tolerance, low=0.0, low_open=True))
    need = np.log(gap / tolerance)
    with np.errstate(divide="ignore"):
        per_step = -2.0 * np.log(q)                   # inf for q = 0, ≤ 0 for q ≥ 1
        steps = np.where(per_step > 0, np.ceil(need / per_step), np.inf)
    steps = np.where(q == 0, 1.0, steps)
    return np.where(need <= 0, 0.0, steps)


# =============================================================== the chapter's experiments
#
# Everything below runs real optimizers (the closed forms above predict them). Every
# experiment whose conclusion the chapter states runs under the book's robustness protocol
# (adaptive_lr.robustness): exactly, under a tiny relative gradient perturbation, under
# minibatch-like noise and from other start points, and the chapter reports the spread.

from dataclasses import dataclass  # noqa: E402  (kept beside the code that needs it)

from .. import objectives as _objectives  # noqa: E402
from .. import plots  # noqa: E402
from ..optim import SGD, AdaGrad  # noqa: E402
from ..robustness import Spread, best_on_grid, conditions, stress  # noqa: E402
from ..runs import Run, minimize  # noqa: E402
from ..tables import Table  # noqa: E402
from ..trace import trace  # noqa: E402
from .claims import Claim  # noqa: E402

#: The options of :func:`adaptive_lr.robustness.conditions` this chapter uses: three seeds,
#: and minibatch-like gradient noise of 1 % of the start's RMS gradient. (The protocol's
#: default of 10 % puts the noise floor of every constant ρ above the tolerances used here,
#: so no run would settle at all; 1 % puts the floor of the tuned runs just below them.)
PROTOCOL = {"seeds": (0, 1, 2), "noise": 0.01, "starts": 0.5}

#: Order and headers of the kinds of condition in :func:`protocol_table`.
_KINDS = {"exact": "exact", "perturbed": "perturbed 1e-12", "noisy": "noisy", "start": "other starts"}


def glue(values) -> dict:
    """Glue every ``key: value`` for the prose (myst-nb's ``glue:text`` role), not displayed.

    numpy numbers become Python numbers first (the role formats those), ranges and verdicts
    stay strings. Without myst-nb (a reader's Binder or Colab session) nothing is
    glued and the notebook still runs. Returns the converted values.
    """
    converted = {}
    for key, value in dict(values).items():
        if isinstance(value, (bool, np.bool_)):
            value = bool(value)
        elif isinstance(value, (int, np.integer)):
            value = int(value)
        elif isinstance(value, (float, np.floating)):
            value = float(value)
        elif not isinstance(value, str):
            raise TypeError(f"glue values must be numbers or strings, got "
                            f"{type(value).__name__} for {key!r}")
        converted[str(key)] = value
    try:
        from myst_nb import glue as _glue
    except ImportError:  # a reader's runtime without the book's tools
        return converted
    for key, value in converted.items():
        _glue(key, value, display=False)
    return converted


def eigen_start(quadratic, start=None) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of a quadratic and the start's offset from its minimizer in
    eigen-coordinates (:math:`\\delta_0`), the two inputs of the closed forms."""
    lam, vectors = spectrum(quadratic)
    start = quadratic.start if start is None else np.asarray(start, dtype=np.float64)
    return lam, (start - np.asarray(quadratic.minimizer, dtype=np.float64)) @ vectors


def closed_form_error(quadratic, lr: float, steps: int) -> float:
    """Largest difference between :func:`gd_iterates` and a real run of ``alr.SGD(lr)``."""
    run = minimize(SGD(lr=lr), quadratic, quadratic.start, steps)
    return float(np.abs(gd_iterates(quadratic, lr, steps) - run.thetas).max())


def _sub(k: int) -> str:
    return plots.subscript(k)


def _times(lam: float) -> str:
    """``λρ`` as it reads in ``1 − λρ``: ``ρ`` for λ = 1, else e.g. ``25ρ``."""
    return "ρ" if lam == 1 else f"{lam:g}ρ"


def power_of_ten(value: float) -> str:
    """``1e-06`` as ``10⁻⁶`` (other values as ``{:g}``), for axis labels."""
    exponent = np.log10(value)
    if value > 0 and exponent == round(exponent):
        return "10" + str(int(round(exponent))).translate(str.maketrans("-0123456789",
                                                                        "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{value:g}"


def factor_table(rates, eigenvalues) -> Table:
    """Signed factors :math:`1 - \\rho\\lambda_i` per direction, the run's rate
    :math:`q(\\rho)` and whether it is below 1 (stable), one row per rate."""
    lam = _eigenvalues(eigenvalues)
    rates = np.asarray(rates, dtype=np.float64).reshape(-1)
    signed = 1.0 - rates[:, None] * lam
    q = convergence_rate(rates[:, None], lam)
    headers = ["ρ"] + [f"1 − {_times(v)}" for v in lam] + ["q(ρ)", "stable"]
    rows = [[float(r)] + [float(f) for f in fs] + [float(qq), "yes" if qq < 1 else "no"]
            for r, fs, qq in zip(rates, signed, q)]
    return Table(headers, rows, fmt="{:.3f}")


def optimum_table(eigenvalues) -> Table:
    """The ceiling, the best fixed rate ρ* and its rate q*, as formulas and values."""
    lam = _eigenvalues(eigenvalues)
    bound, rho = float(stable_lr_bound(lam)), float(optimal_lr(lam))
    q = float(optimal_rate(condition_number(lam)))
    lo, hi = f"{lam.min():g}", f"{lam.max():g}"
    rows = [["ceiling", f"2/λmax = 2/{hi}", bound],
            ["best fixed rate ρ*", f"2/(λmin + λmax) = 2/({lo} + {hi})", rho],
            ["ρ* / ceiling", "λmax/(λmin + λmax)", rho / bound],
            ["rate q* at ρ*", "(κ − 1)/(κ + 1)", q],
            ["distance kept after 10 steps", "q*¹⁰", q ** 10]]
    return Table(["", "formula", "value"], rows, fmt="{:.4g}", align="left")


# ------------------------------------------------------------------ a few rates, side by side


@dataclass(frozen=True)
class RateRuns:
    """Gradient descent at a few rates on one quadratic (:func:`rate_runs`).

    Attributes:
      quadratic: the bowl.
      rates: the learning rates, shape ``(n,)``.
      run: the batched :class:`~adaptive_lr.runs.Run`, batch shape ``(n,)``.
    """

    quadratic: object
    rates: np.ndarray
    run: Run

    @property
    def factors(self) -> np.ndarray:
        """Signed factors :math:`1 - \\rho\\lambda_i`, shape ``(n, d)`` (axis-aligned bowl:
        the eigen-directions are the coordinates)."""
        return 1.0 - self.rates[:, None] * spectrum(self.quadratic)[0]

    def distance(self, step: int) -> np.ndarray:
        """:math:`|\\theta_i - c_i|` at ``step``, shape ``(n, d)``."""
        return np.abs(self.run.thetas[step] - self.quadratic.minimizer)

    def table(self, steps=(10, 50, 100)) -> Table:
        """One row per (rate, coordinate): its factor and its distance to the minimum."""
        rows = []
        for i, rho in enumerate(self.rates):
            for k in range(self.factors.shape[1]):
                rows.append([float(rho), f"θ{_sub(k + 1)}", float(self.factors[i, k])]
                            + [float(self.distance(t)[i, k]) for t in steps])
        headers = ["ρ", "coordinate", "1 − ρλ"] + [f"|θ − c| at step {t}" for t in steps]
        return Table(headers, rows, fmt="{:.3g}")


def rate_runs(quadratic, rates, steps: int = 100, start=None) -> RateRuns:
    """Run ``alr.SGD`` at every rate of ``rates`` in one batched call."""
    rates = np.asarray(rates, dtype=np.float64).reshape(-1)
    start = quadratic.start if start is None else start
    run = minimize(SGD(lr=rates[:, None]), quadratic, np.tile(start, (rates.size, 1)), steps)
    return RateRuns(quadratic, rates, run)


def rate_runs_spread(quadratic, rates, steps: int = 100, **protocol) -> Spread:
    """:func:`rate_runs` under the protocol: for each rate, the growth factors
    :math:`|\\theta_i - c_i|_{T} / |\\theta_i - c_i|_0` of both coordinates after ``steps``."""
    rates = np.asarray(rates, dtype=np.float64).reshape(-1)

    def experiment(objective, start):
        runs = rate_runs(objective, rates, steps, start)
        ratio = runs.distance(steps) / np.abs(start - quadratic.minimizer)
        return {f"ρ = {r:g}, θ{_sub(k + 1)}": float(ratio[i, k])
                for i, r in enumerate(rates) for k in range(ratio.shape[1])}

    return stress(experiment, quadratic, **{**PROTOCOL, **protocol})


# ------------------------------------------------------------------ the condition number


#: ρ·λmax of the sweeps: fine near the ceiling at 2, where the best single rate lives.
SWEEP_MULTIPLES = np.round(np.linspace(0.1, 2.1, 41), 3)


@dataclass(frozen=True)
class KappaSweep:
    """Gradient descent on ``ill_conditioned(κ)`` for several κ and rates (:func:`kappa_sweep`).

    Rates are multiples of the steepest curvature, ``ρ = multiple / λmax``. Per κ (dicts keyed
    by κ): ``measured`` the runs' settle steps (:meth:`~adaptive_lr.runs.Run.settle_step`,
    −1 = never), ``predicted`` the closed form's (:func:`settle_steps`), ``diverged`` the runs
    the runner flagged, ``budget`` the steps each run got, and ``lam``, ``delta0``, ``f0``
    the inputs of the closed forms.
    """

    kappas: tuple
    multiples: np.ndarray
    tolerance: float
    measured: dict
    predicted: dict
    diverged: dict
    budget: dict
    lam: dict
    delta0: dict
    f0: dict

    @property
    def compared(self) -> int:
        """How many runs were compared with the closed form."""
        return sum(m.size for m in self.measured.values())

    @property
    def agree(self) -> bool:
        """True if every run settled exactly when the closed form says."""
        return all(np.array_equal(self.measured[k], self.predicted[k]) for k in self.kappas)

    def fastest(self, kappa) -> tuple[int, float]:
        """The fewest settle steps over the grid for ``kappa``, and the multiple ρ·λmax."""
        m = self.measured[kappa]
        i = int(np.where(m >= 0, m, np.iinfo(m.dtype).max).argmin())
        return int(m[i]), float(self.multiples[i])

    def table(self) -> Table:
        rows = []
        for k in self.kappas:
            steps, at = self.fastest(k)
            rows.append([float(k), int((self.measured[k] >= 0).sum()), steps, at,
                         int(self.diverged[k].sum()),
                         "yes" if np.array_equal(self.measured[k], self.predicted[k]) else "no"])
        return Table(["κ", "settled", "fewest steps", "at ρ·λmax", "diverged",
                      "= closed form"], rows, fmt="{:g}")


def kappa_sweep(kappas=(4.0, 16.0, 64.0, 256.0), multiples=SWEEP_MULTIPLES,
                tolerance: float = 1e-6, budget_per_kappa: int = 40) -> KappaSweep:
    """For each κ, one batched ``alr.minimize`` of ``alr.SGD`` over every rate
    ``multiples / κ``, ``budget_per_kappa · κ`` steps, compared with :func:`settle_steps`."""
    kappas = tuple(float(k) for k in kappas)
    multiples = np.asarray(multiples, dtype=np.float64).reshape(-1)
    fields = {name: {} for name in ("measured", "predicted", "diverged", "budget", "lam",
                                    "delta0", "f0")}
    for kappa in kappas:
        bowl = _objectives.ill_conditioned(kappa)
        lam, delta0 = eigen_start(bowl)
        budget = int(budget_per_kappa * kappa)
        lr = multiples[:, None] / lam.max()
        run = minimize(SGD(lr=lr), bowl, np.tile(bowl.start, (lr.shape[0], 1)), budget)
        fields["measured"][kappa] = run.settle_step(tolerance)
        fields["predicted"][kappa] = settle_steps(lr, lam, delta0, tolerance, budget)
        fields["diverged"][kappa] = run.diverged
        fields["budget"][kappa] = budget
        fields["lam"][kappa], fields["delta0"][kappa] = lam, delta0
        fields["f0"][kappa] = float(bowl.value(bowl.start))
    return KappaSweep(kappas, multiples, float(tolerance), **fields)


#: ρ·λmax of the dense closed-form grid that finds the fastest fixed rate.
DENSE_MULTIPLES = np.linspace(0.05, 2.05, 801)


@dataclass(frozen=True)
class BestRates:
    """Per κ of a sweep: the best fixed rate ρ* and the fastest one (:func:`best_rates`).

    Arrays in the order of ``kappas``: ``optimal`` ρ*·λmax, ``rate`` q*, ``at_optimal`` settle
    steps at ρ*, ``guarantee`` :func:`steps_bound` at q*, ``grid_best`` the fewest steps on the
    sweep's grid, ``fastest`` the fewest on the dense grid and ``fastest_at`` its ρ·λmax;
    ``curves`` the dense closed-form settle steps per κ (−1 = never).
    """

    kappas: np.ndarray
    dense: np.ndarray
    optimal: np.ndarray
    rate: np.ndarray
    at_optimal: np.ndarray
    guarantee: np.ndarray
    grid_best: np.ndarray
    fastest: np.ndarray
    fastest_at: np.ndarray
    curves: dict

    def growth(self, which: str = "at_optimal") -> np.ndarray:
        """Ratio of the steps between consecutive κ (``at_optimal`` or ``fastest``)."""
        steps = getattr(self, which).astype(float)
        return steps[1:] / steps[:-1]

    def slope(self, which: str = "at_optimal") -> float:
        """Exponent p of steps ∝ κ^p between the smallest and the largest κ."""
        steps = getattr(self, which).astype(float)
        return float(np.log(steps[-1] / steps[0]) / np.log(self.kappas[-1] / self.kappas[0]))

    def table(self) -> Table:
        rows = [[float(k), float(o), float(q), int(a), int(g), int(f), float(at)]
                for k, o, q, a, g, f, at in zip(
                    self.kappas, self.optimal, self.rate, self.at_optimal, self.guarantee,
                    self.fastest, self.fastest_at)]
        return Table(["κ", "ρ*·λmax", "q*", "steps at ρ*", "guarantee", "fastest",
                      "at ρ·λmax"], rows, fmt="{:.4g}")


def best_rates(sweep: KappaSweep, dense=DENSE_MULTIPLES) -> BestRates:
    """Closed-form references for a :class:`KappaSweep`: steps at ρ*, the guarantee of
    :func:`steps_bound` there, and the fastest fixed rate on a dense grid of ρ·λmax."""
    dense = np.asarray(dense, dtype=np.float64).reshape(-1)
    out = {k: [] for k in ("optimal", "rate", "at_optimal", "guarantee", "grid_best",
                           "fastest", "fastest_at")}
    curves = {}
    for kappa in sweep.kappas:
        lam, d0, budget = sweep.lam[kappa], sweep.delta0[kappa], sweep.budget[kappa]
        rho = optimal_lr(lam)
        q = float(optimal_rate(condition_number(lam)))
        curve = settle_steps(dense[:, None] / lam.max(), lam, d0, sweep.tolerance, budget)
        i = int(np.where(curve >= 0, curve, np.iinfo(curve.dtype).max).argmin())
        curves[kappa] = curve
        out["optimal"].append(float(rho * lam.max()))
        out["rate"].append(q)
        out["at_optimal"].append(int(settle_steps(rho, lam, d0, sweep.tolerance, budget)))
        out["guarantee"].append(int(steps_bound(q, sweep.f0[kappa], sweep.tolerance)))
        out["grid_best"].append(sweep.fastest(kappa)[0])
        out["fastest"].append(int(curve[i]))
        out["fastest_at"].append(float(dense[i]))
    return BestRates(np.array(sweep.kappas), dense,
                     **{k: np.array(v) for k, v in out.items()}, curves=curves)


def fastest_over_starts(kappa: float = 256.0, dense=DENSE_MULTIPLES, tolerance: float = 1e-6,
                        budget_per_kappa: int = 40, **protocol) -> np.ndarray:
    """The fastest fixed rate as a fraction of ρ*, from the standard start (first entry) and
    from each of the protocol's other starts (closed form, exact arithmetic).

    The fastest rate depends on where the run starts (how the initial loss splits between
    the flat and the steep direction); ρ* does not.
    """
    bowl = _objectives.ill_conditioned(kappa)
    options = {**PROTOCOL, **protocol, "perturbation": 0.0, "noise": None}
    lam = spectrum(bowl)[0]
    rho = float(optimal_lr(lam))
    dense = np.asarray(dense, dtype=np.float64).reshape(-1)
    out = []
    for case in conditions(bowl, **options):
        _, d0 = eigen_start(bowl, case.start)
        curve = settle_steps(dense[:, None] / lam.max(), lam, d0, tolerance,
                             int(budget_per_kappa * kappa))
        i = int(np.where(curve >= 0, curve, np.iinfo(curve.dtype).max).argmin())
        out.append(dense[i] / lam.max() / rho)
    return np.array(out)


# ------------------------------------------------------------------ a rate per coordinate


def per_coordinate_spread(kappa: float = 25.0, steps: int = 100, **protocol) -> Spread:
    """Gradient descent with one rate per coordinate, ``ρᵢ = 1/λᵢ``, under the protocol.

    Metrics: the loss after one step, whether it is exactly 0 (1 or 0), and the median loss
    over the whole run after step 1 (under noise: the noise floor the run stays at).
    """
    bowl = _objectives.ill_conditioned(kappa)
    rates = 1.0 / spectrum(bowl)[0]

    def experiment(objective, start):
        run = minimize(SGD(lr=rates), objective, start, steps)
        return {"loss after 1 step": float(run.losses[1]),
                "exactly 0": float(run.losses[1] == 0.0),
                "median loss, steps 1–100": float(np.median(run.losses[1:]))}

    return stress(experiment, bowl, **{**PROTOCOL, **protocol})


def rotation_spread(kappa: float = 25.0, lr: float = 0.07, tolerance: float = 1e-6,
                    steps: int = 400, **protocol) -> Spread:
    """Gradient descent on the axis-aligned bowl and on it turned by 45°, under the protocol.

    Metrics: each bowl's settle step for ``alr.SGD(lr)`` (−1 = never), and the step at which
    the per-coordinate rates ``(1, 1/κ)`` diverge on the turned bowl (−1 = never).
    """
    straight, turned = _objectives.ill_conditioned(kappa), _objectives.rotated(kappa)
    rates = np.array([1.0, 1.0 / kappa])
    rotation = spectrum(turned)[1] @ spectrum(straight)[1].T   # maps straight onto turned

    def experiment(objective, start):
        noise = objective if isinstance(objective, _objectives.Noisy) else None

        def on(bowl):  # the same condition on either bowl: same noise, the start turned
            return bowl if noise is None else _objectives.Noisy(bowl, noise.sigma, noise.seed)

        gd_straight = minimize(SGD(lr=lr), on(straight), start, steps)
        gd_turned = minimize(SGD(lr=lr), on(turned), rotation @ start, steps)
        diagonal = minimize(SGD(lr=rates), on(turned), rotation @ start, steps)
        return {"GD settles, axis-aligned": float(gd_straight.settle_step(tolerance)),
                "GD settles, turned 45°": float(gd_turned.settle_step(tolerance)),
                "rates (1, 1/κ) diverge, turned": float(diagonal.diverged_at)}

    return stress(experiment, straight, **{**PROTOCOL, **protocol})


def _range(values, fmt: str, never=None) -> str:
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        return "NaN"
    if never is not None and np.all(values == never):
        return "never"
    shown = values[values != never] if never is not None else values
    lo, hi = fmt.format(np.nanmin(shown) + 0.0), fmt.format(np.nanmax(shown) + 0.0)
    text = lo if lo == hi else f"{lo} … {hi}"
    if never is not None and np.any(values == never):
        text += f" ({int(np.sum(values == never))} never)"
    return text


def protocol_table(spread: Spread, fmt: str = "{:.3g}", never=None, metrics=None) -> Table:
    """A :class:`~adaptive_lr.robustness.Spread` with one row per metric and one column per
    kind of condition: the exact value, or min … max over the seeds.

    ``never``: a value meaning "never happened" (e.g. −1 for a settle step), shown as such.
    """
    metrics = spread.metrics if metrics is None else list(metrics)
    kinds = [k for k in _KINDS if any(c.kind == k for c in spread.conditions)]
    rows = [[m] + [_range(spread.values(m, k), fmt, never) for k in kinds] for m in metrics]
    return Table([""] + [_KINDS[k] for k in kinds], rows, align="left")


# ------------------------------------------------------------------ claim 1


def applied_rates(opt, objective, start, steps: int = 10) -> np.ndarray:
    """The rate each step really applied to each coordinate, read off the run:
    :math:`-\\Delta\\Theta_i / g_i`, shape ``(steps, d)``."""
    tr = trace(opt, objective, np.asarray(start, dtype=np.float64), steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -tr.deltas / tr.grads


def rate_spread(rates) -> float:
    """How unequal the coordinates' rates are: the largest ``max_i/min_i − 1`` over steps."""
    rates = np.abs(np.asarray(rates, dtype=np.float64))
    return float(np.max(rates.max(axis=-1) / rates.min(axis=-1) - 1.0))


#: The claim experiment's bowls, tolerance and grid of ρ·λmax: geometric up to 1 (the noisy
#: runs' best rates sit low), then fine up to past the ceiling at 2 (the exact runs' sit high).
CLAIM_KAPPAS = (4.0, 16.0, 64.0)
CLAIM_TOLERANCE = 1e-2
CLAIM_MULTIPLES = np.round(np.r_[np.geomspace(0.05, 1.0, 14)[:-1], np.arange(1.0, 2.21, 0.05)],
                           3)


def _claim_1_metrics(kappa: float, multiples, tolerance: float, budget: int,
                     **options) -> Spread:
    """Claim 1's metrics for ``ill_conditioned(κ)`` under every condition of the protocol.

    The grid of rates runs on all conditions at once (one ``minimize`` over an
    :class:`~adaptive_lr.objectives.ObjectiveStack` of the conditions' objectives), which is
    what :func:`~adaptive_lr.robustness.stress` would do one condition at a time.
    """
    cases = conditions(_objectives.ill_conditioned(kappa), **options)
    stack = _objectives.ObjectiveStack([c.objective for c in cases])
    n = multiples.size
    theta0 = np.stack([np.tile(c.start, (n, 1)) for c in cases])          # (k, n, 2)
    run = minimize(SGD(lr=multiples[:, None] / kappa), stack, theta0, budget)
    settled = run.settle_step(tolerance).astype(float)                     # (k, n)
    settled[settled < 0] = np.nan
    past = multiples > 2.0
    results = []
    for case, settle in zip(cases, settled):
        gd = applied_rates(SGD(lr=2.0 / (1.0 + kappa)), case.objective, case.start)
        ada = applied_rates(AdaGrad(lr=0.5), case.objective, case.start)
        try:
            best = best_on_grid(settle, multiples)
            best_value, steps, bracketed = best.value, best.score, float(best.bracketed)
        except ValueError:  # no rate settled at all
            best_value, steps, bracketed = np.nan, np.nan, 0.0
        results.append({"GD: unequal rates": rate_spread(gd),
                        "AdaGrad: unequal rates": rate_spread(ada),
                        "best ρ·λmax": best_value, "bracketed": bracketed,
                        "settle steps": steps,
                        "settled past the ceiling": float(np.sum(~np.isnan(settle[past])))})
    return Spread(tuple(cases), tuple(results))


def claim_1_spread(kappas=CLAIM_KAPPAS, multiples=CLAIM_MULTIPLES,
                   tolerance: float = CLAIM_TOLERANCE, budget_per_kappa: int = 40,
                   **protocol) -> dict:
    """The experiment of claim 1, under the protocol, for each κ: ``{κ: Spread}``.

    On ``ill_conditioned(κ)``, per condition: how unequal the rates are that gradient descent
    (at ρ*) and AdaGrad (ρ = 0.5) really apply to the two coordinates over ten steps
    (:func:`applied_rates`, :func:`rate_spread`); the best single ρ on a grid of ρ·λmax for
    settling below ``tolerance`` within ``budget_per_kappa · κ`` steps
    (:func:`~adaptive_lr.robustness.best_on_grid`), whether the grid brackets it, its settle
    steps, and how many rates past the ceiling (ρ·λmax > 2) settled.
    """
    multiples = np.asarray(multiples, dtype=np.float64)
    options = {**PROTOCOL, **protocol}
    return {float(k): _claim_1_metrics(float(k), multiples, tolerance,
                                       int(budget_per_kappa * k), **options) for k in kappas}


def claim_1_slopes(spreads: dict) -> np.ndarray:
    """Per condition, p in settle steps ∝ κ^p between the smallest and the largest κ."""
    kappas = sorted(spreads)
    low, high = (spreads[k].values("settle steps") for k in (kappas[0], kappas[-1]))
    return np.log(high / low) / np.log(kappas[-1] / kappas[0])


def claim_1_holds(spreads: dict) -> np.ndarray:
    """Per condition, whether claim 1's predicate holds:

    * gradient descent applies one rate to every coordinate (unequal by < 1e-9), and AdaGrad
      does not (by > 10 %);
    * for every κ the best single ρ is bracketed by the grid and lies below the ceiling
      2/λmax, and no rate past the ceiling settles;
    * the settle steps of the best single ρ grow at least linearly in κ (p ≥ 0.75): the flat
      direction's progress is set by κ.
    """
    kappas = sorted(spreads)
    ok = np.ones(len(spreads[kappas[0]].conditions), dtype=bool)
    for k in kappas:
        s = spreads[k]
        ok &= s.values("GD: unequal rates") < 1e-9
        ok &= s.values("AdaGrad: unequal rates") > 0.1
        ok &= s.values("bracketed") == 1.0
        ok &= s.values("best ρ·λmax") < 2.0
        ok &= s.values("settled past the ceiling") == 0
    with np.errstate(invalid="ignore"):
        ok &= claim_1_slopes(spreads) >= 0.75
    return ok


def claim_1_table(spreads: dict) -> Table:
    """Claim 1's results: one row per metric (per κ where it depends on κ), one column per
    kind of condition (exact value, or min … max over the seeds)."""
    kappas = sorted(spreads)
    first = spreads[kappas[0]]
    kinds = [k for k in _KINDS if any(c.kind == k for c in first.conditions)]

    def row(name, values_of):
        return [name] + [values_of(k) for k in kinds]

    rows = []
    for metric in ("GD: unequal rates", "AdaGrad: unequal rates"):
        rows.append(row(metric + " (max over κ)", lambda k, m=metric: _range(
            np.max([spreads[q].values(m, k) for q in kappas], axis=0), "{:.2g}")))
    for q in kappas:
        rows.append(row(f"κ = {q:g}: best ρ·λmax", lambda k, q=q: _range(
            spreads[q].values("best ρ·λmax", k), "{:.3g}")))
        rows.append(row(f"κ = {q:g}: settle steps", lambda k, q=q: _range(
            spreads[q].values("settle steps", k), "{:.0f}")))
    rows.append(row("all grids bracket the best", lambda k: "yes" if all(
        (spreads[q].values("bracketed", k) == 1).all() for q in kappas) else "no"))
    rows.append(row("rates past the ceiling that settled", lambda k: _range(
        np.sum([spreads[q].values("settled past the ceiling", k) for q in kappas], axis=0),
        "{:.0f}")))
    slopes = claim_1_slopes(spreads)
    rows.append(row(f"p in steps ∝ κ^p, κ = {kappas[0]:g} → {kappas[-1]:g}", lambda k: _range(
        slopes[[c.kind == k for c in first.conditions]], "{:.2f}")))
    return Table([""] + [_KINDS[k] for k in kinds], rows, align="left")


def check_claim_1() -> str:
    """The verdict claim 1's experiment supports: holds, or fails, or holds with a caveat if
    the predicate flips between conditions."""
    ok = claim_1_holds(claim_1_spread())
    return "holds" if ok.all() else "fails" if not ok.any() else "holds with a caveat"


CLAIMS = [
    Claim(
        number=1,
        title="One learning rate for every weight",
        korean="경사하강법은 가중치를 갱신할 때 모든 매개변수에 동일한 학습률 ρ를 "
               "쓰고, 적응적 학습률은 이 값을 매개변수 별로 다르게 둔다.",
        english="Gradient descent updates every weight with the same learning rate ρ; an "
                "adaptive learning rate gives each parameter a value of its own.",
        chapter="one-learning-rate",
        verdict="holds",
        reason="under every condition of the protocol, gradient descent applies exactly one "
               "rate to every coordinate and AdaGrad does not; the one rate is capped by the "
               "steepest curvature, so the best one needs steps growing with κ",
        check=check_claim_1,
    ),
]


# =============================================================== figures


#: Width in inches of one panel of a row: two side by side (2 × 330 CSS px and the row's
#: 8 px gap) fit the 672 px a cell output gets in the 1280 px layout.
PANEL_WIDTH = 3.3


def _panels(n: int, height: float = 3.4):
    return plots.panels(n, (PANEL_WIDTH, height))


def figure_rate_runs(runs: RateRuns, path_steps: int = 20) -> plots.PanelRow:
    """Left: the first ``path_steps`` steps on the contours. Right: each coordinate's distance
    to the minimum against the step, on a log scale."""
    figs, (ax_path, ax_coord) = _panels(2, 3.9)
    labels = [f"ρ = {r:g}" for r in runs.rates]
    plots.contours(ax_path, runs.quadratic)
    first = Run(runs.run.steps[:path_steps + 1], runs.run.thetas[:path_steps + 1],
                runs.run.losses[:path_steps + 1], runs.run.lrs[:path_steps],
                runs.run.diverged_at, runs.run.monitor)
    plots.trajectories(ax_path, first, labels)
    ax_path.set_ylim(-3, 3)
    ax_path.set_title(f"the first {path_steps} steps")
    plots.legend_below(ax_path, ncols=2)
    steps = runs.run.steps
    for i, label in enumerate(labels):
        for k, name in enumerate(["θ₁", "θ₂"]):
            ax_coord.plot(steps, np.abs(runs.run.thetas[:, i, k] - runs.quadratic.minimizer[k]),
                          color=plots.color(i), linestyle=plots.LINESTYLES[k],
                          label=f"{label}, {name}")
    ax_coord.set_yscale("log")
    ax_coord.set_ylim(1e-6, 1e2)
    ax_coord.set_xlabel("step t")
    ax_coord.set_ylabel("|θᵢ − cᵢ|")
    ax_coord.set_title("each coordinate's distance")
    plots.legend_below(ax_coord, ncols=2)
    return plots.PanelRow(figs, ["Paths of gradient descent at three rates on the bowl's "
                                 "contours", "Distance of each coordinate to the minimum, "
                                 "log scale, against the step"])


def figure_factors(eigenvalues, grid=None) -> plots.PanelRow:
    """Each direction's factor |1 − ρλᵢ| and the run's rate q(ρ), against ρ."""
    lam = _eigenvalues(eigenvalues)
    bound, rho_star = float(stable_lr_bound(lam)), float(optimal_lr(lam))
    q_star = float(convergence_rate(rho_star, lam))
    grid = np.linspace(0.0, 1.125 * bound, 901) if grid is None else np.asarray(grid)
    factors = contraction_factors(grid[:, None], lam)
    figs, (ax,) = plots.panels(1, (5.0, 3.6))
    ax.plot(grid, factors[:, 0], color=plots.color(0), label=f"flat: |1 − {_times(lam[0])}|")
    ax.plot(grid, factors[:, -1], color=plots.color(1), linestyle="--",
            label=f"steep: |1 − {_times(lam[-1])}|")
    ax.plot(grid, factors.max(axis=1), color="0.15", linewidth=3, alpha=0.3,
            label="q(ρ), the larger")
    ax.axhline(1.0, color="0.5", linewidth=0.8)
    ax.axvline(bound, color=plots.color(2), linestyle=":", label=f"ceiling 2/λmax = {bound:g}")
    ax.plot([rho_star], [q_star], marker="o", color="0.15", linestyle="none",
            label=f"ρ* = {rho_star:.4f}")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(0, 1.3)
    ax.set_xlabel("learning rate ρ")
    ax.set_ylabel("factor per step")
    plots.legend_below(ax, ncols=2)
    return plots.PanelRow(figs, "Per-step factors of the flat and the steep direction "
                                "against the learning rate")


def figure_sweep(sweep: KappaSweep, best: BestRates) -> plots.PanelRow:
    """Left: settle steps against ρ·λmax per κ (dots: runs; lines: closed form). Right: the
    steps at ρ* and at the fastest fixed rate against κ, with a line ∝ κ."""
    figs, (ax_sweep, ax_kappa) = _panels(2, 3.6)
    for i, kappa in enumerate(sweep.kappas):
        curve = best.curves[kappa]
        ax_sweep.plot(best.dense, np.where(curve >= 0, curve, np.nan), color=plots.color(i),
                      linestyle=plots.LINESTYLES[i], linewidth=1.0, label=f"κ = {kappa:g}")
        hit = sweep.measured[kappa] >= 0
        ax_sweep.plot(sweep.multiples[hit], sweep.measured[kappa][hit], marker="o",
                      markersize=3, linestyle="none", color=plots.color(i))
    ax_sweep.axvline(2.0, color="0.4", linestyle=":", linewidth=1)
    ax_sweep.set_yscale("log")
    ax_sweep.set_xlabel("ρ · λmax")
    ax_sweep.set_ylabel(f"steps to settle below {power_of_ten(sweep.tolerance)}")
    ax_sweep.set_title("dots: runs; lines: closed form")
    plots.legend_below(ax_sweep, ncols=2)
    k = best.kappas
    ax_kappa.plot(k, best.at_optimal, marker="o", color=plots.color(0), label="at ρ*")
    ax_kappa.plot(k, best.fastest, marker="s", color=plots.color(1), linestyle="--",
                  label="fastest fixed ρ")
    ax_kappa.plot(k, 0.5 * best.at_optimal[0] * k / k[0], color="0.5", linestyle=":",
                  label="∝ κ")
    ax_kappa.set_xscale("log", base=2)
    ax_kappa.set_yscale("log")
    ax_kappa.set_xlabel("condition number κ")
    ax_kappa.set_ylabel(f"steps to settle below {power_of_ten(sweep.tolerance)}")
    ax_kappa.set_title("the best single rate")
    plots.legend_below(ax_kappa, ncols=2)
    return plots.PanelRow(figs, ["Settle steps against the rate for four condition numbers",
                                 "Settle steps of the best single rates against κ, "
                                 "log-log"])
