r"""Closed forms behind the momentum chapter: heavy ball and Nesterov on a quadratic.

On :math:`f(\Theta) = \tfrac12 (\Theta - c)^\top A (\Theta - c)` every eigen-direction of
:math:`A` (curvature :math:`\lambda`) evolves on its own. With the package's (PyTorch's)
momentum, :math:`b_t = \mu b_{t-1} + g_t`, :math:`\Theta_t = \Theta_{t-1} - \rho\, d_t`, the
pair (coordinate :math:`\delta` along the direction, its velocity :math:`b`) is multiplied at
every step by a 2×2 matrix:

.. math::

   \text{heavy ball } (d_t = b_t):\quad
   M = \begin{pmatrix} 1 - \rho\lambda & -\rho\mu \\ \lambda & \mu \end{pmatrix}, \qquad
   \text{Nesterov } (d_t = g_t + \mu b_t):\quad
   M = \begin{pmatrix} 1 - \rho\lambda(1+\mu) & -\rho\mu^2 \\ \lambda & \mu \end{pmatrix}.

The run converges iff both eigenvalues of every direction's :math:`M` lie inside the unit
circle, and the slowest direction's spectral radius is the rate (:func:`convergence_rate`).
Heavy ball is the damped oscillator :math:`\delta_{t+1} = (1 + \mu - \rho\lambda)\,\delta_t -
\mu\,\delta_{t-1}`: overdamped (real roots), critically damped, or underdamped (complex roots
of modulus :math:`\sqrt\mu`, an oscillation that decays like :math:`\mu^{t/2}`)
(:func:`damping`).

Polyak's tuning (:func:`optimal_heavy_ball`) puts every direction at the critical point or
inside the underdamped region: :math:`\rho^\star = 4/(\sqrt{\lambda_{\max}} +
\sqrt{\lambda_{\min}})^2`, :math:`\mu^\star = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2`,
with rate :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`: the steps needed grow like
:math:`\sqrt\kappa`, where gradient descent's grow like :math:`\kappa`
(:func:`~adaptive_lr.chapters.one_learning_rate.optimal_rate`).

Everything broadcasts: ``eigenvalues`` have the eigen-directions on their last axis; ``lr``
and ``momentum`` broadcast against the leading axes.
"""
from __future__ import annotations

import numpy as np

from .. import _validation as check

__all__ = ["iteration_matrix", "root_moduli", "convergence_rate", "damping",
           "optimal_heavy_ball", "heavy_ball_rate_at_optimum", "steps_to_shrink",
           "stable_lr_bound", "critical_products", "optimal_nesterov",
           "nesterov_rate_at_optimum", "gradient_weights", "effective_step", "noise_floor",
           "heavy_ball_noise_floor"]

_FORMS = ("heavy ball", "nesterov")


def _form(nesterov: bool) -> bool:
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    return bool(nesterov)


def _inputs(lr, momentum, eigenvalues):
    rho = check.hyperparameter("lr", lr)
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the eigen-directions on a last axis, e.g. "
                         "shape (d,)")
    return rho[..., None], mu[..., None], lam


def iteration_matrix(lr, momentum, eigenvalue, nesterov: bool = False) -> np.ndarray:
    """The matrix :math:`M` that maps (δ, b) to the next step's, shape ``(..., 2, 2)``.

    One eigen-direction of curvature ``eigenvalue`` (a scalar or an array broadcasting
    against ``lr`` and ``momentum``).
    """
    rho = check.hyperparameter("lr", lr)
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    lam = check.hyperparameter("eigenvalue", eigenvalue, low=0.0, low_open=True)
    rho, mu, lam = np.broadcast_arrays(rho, mu, lam)
    first = (1 - rho * lam * (1 + mu), -rho * mu * mu) if _form(nesterov) else \
        (1 - rho * lam, -rho * mu)
    return np.stack([np.stack(first, -1), np.stack([lam, mu], -1)], -2)


def root_moduli(lr, momentum, eigenvalues, nesterov: bool = False) -> np.ndarray:
    r"""Moduli of both eigenvalues of every direction's :math:`M`, shape ``(..., d, 2)``.

    From the trace τ and determinant D of the 2×2 matrix: the roots of
    :math:`z^2 - \tau z + D = 0`; complex roots share the modulus :math:`\sqrt D`.
    """
    rho, mu, lam = _inputs(lr, momentum, eigenvalues)
    return _moduli(rho, mu, lam, _form(nesterov))


def _moduli(rho, mu, lam, nesterov: bool) -> np.ndarray:
    """Root moduli of arrays that broadcast together, shape ``(..., 2)``."""
    if nesterov:
        trace = 1 - rho * lam * (1 + mu) + mu
        det = mu * (1 - rho * lam)
    else:
        trace = 1 + mu - rho * lam
        det = mu + 0 * lam
    disc = trace * trace - 4 * det
    real = disc >= 0
    root = np.sqrt(np.where(real, disc, 0.0))
    complex_modulus = np.sqrt(np.abs(det))
    big = np.where(real, np.abs(trace + np.sign(trace) * root) / 2, complex_modulus)
    # the other real root from Vieta (z₁ z₂ = D), safe when the first is large
    small = np.where(real, np.divide(np.abs(det), big, out=np.zeros_like(big), where=big > 0),
                     complex_modulus)
    return np.stack([big, small], axis=-1)


def convergence_rate(lr, momentum, eigenvalues, nesterov: bool = False) -> np.ndarray:
    """The slowest direction's spectral radius, over the last axis: the factor by which the
    error shrinks per step in the long run (≥ 1: the run does not converge)."""
    return root_moduli(lr, momentum, eigenvalues, nesterov).max(axis=(-1, -2))


def damping(lr, momentum, eigenvalues) -> np.ndarray:
    r"""Heavy ball's regime per direction: ``"overdamped"`` (two real roots),
    ``"critical"`` (a double root) or ``"underdamped"`` (complex roots, an oscillation),
    from the sign of :math:`(1 + \mu - \rho\lambda)^2 - 4\mu`; shape ``(..., d)``."""
    rho, mu, lam = _inputs(lr, momentum, eigenvalues)
    disc = (1 + mu - rho * lam) ** 2 - 4 * mu
    scale = np.maximum(1.0, (1 + mu + rho * lam) ** 2)
    critical = np.abs(disc) <= 1e-12 * scale
    return np.where(critical, "critical", np.where(disc > 0, "overdamped", "underdamped"))


def optimal_heavy_ball(eigenvalues) -> tuple[np.ndarray, np.ndarray]:
    r"""Polyak's :math:`(\rho^\star, \mu^\star)` for heavy ball on a quadratic, over the last
    axis: :math:`\rho^\star = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2`,
    :math:`\mu^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`."""
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the eigen-directions on a last axis")
    lo, hi = np.sqrt(lam.min(axis=-1)), np.sqrt(lam.max(axis=-1))
    return 4.0 / (hi + lo) ** 2, ((hi - lo) / (hi + lo)) ** 2


def heavy_ball_rate_at_optimum(kappa) -> np.ndarray:
    r""":math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, heavy ball's rate at Polyak's tuning."""
    k = np.sqrt(check.hyperparameter("kappa", kappa, low=1.0))
    return (k - 1) / (k + 1)


def steps_to_shrink(rate, factor: float) -> np.ndarray:
    r"""Steps :math:`t = \lceil \ln(\text{factor}) / \ln(\text{rate}) \rceil` for an error
    that shrinks by ``rate`` per step to reach ``factor`` (in (0, 1)) of its start; ∞ for a
    rate ≥ 1, 0 for a rate of 0."""
    q = check.hyperparameter("rate", rate)
    f = float(check.hyperparameter("factor", factor, low=0.0, low_open=True, high=1.0))
    with np.errstate(divide="ignore"):
        t = np.ceil(np.log(f) / np.log(np.where((q > 0) & (q < 1), q, 0.5)))
    return np.where(q >= 1, np.inf, np.where(q == 0, 0.0, t))


def stable_lr_bound(momentum, eigenvalues, nesterov: bool = False) -> np.ndarray:
    r"""The largest stable ρ: :math:`2(1+\mu)/\lambda_{\max}` for heavy ball,
    :math:`2(1+\mu)/((1+2\mu)\lambda_{\max})` for Nesterov (both :math:`2/\lambda_{\max}`
    at μ = 0), over the last axis of ``eigenvalues``.

    From the Schur–Cohn (Jury) test of :math:`z^2 - \tau z + D`: both roots lie inside the
    unit circle iff :math:`|D| < 1` and :math:`|\tau| < 1 + D`. Heavy ball has
    :math:`\tau = 1 + \mu - \rho\lambda`, :math:`D = \mu`; Nesterov
    :math:`\tau = (1+\mu)(1-\rho\lambda)`, :math:`D = \mu(1-\rho\lambda)`.
    """
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the eigen-directions on a last axis")
    top = 2 * (1 + mu) / (1 + 2 * mu) if _form(nesterov) else 2 * (1 + mu)
    return top / lam.max(axis=-1)


def critical_products(momentum) -> tuple[np.ndarray, np.ndarray]:
    r"""Heavy ball's two critical values of :math:`h = \rho\lambda`,
    :math:`(1 \mp \sqrt\mu)^2`: below the first a direction is overdamped (two positive real
    roots, no oscillation), between them underdamped (complex roots of modulus √μ), above the
    second its dominant root is real and negative (the direction flips sign every step, the
    zig-zag of gradient descent), up to the ceiling :math:`h = 2(1+\mu)`."""
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    return (1 - np.sqrt(mu)) ** 2, (1 + np.sqrt(mu)) ** 2


def optimal_nesterov(eigenvalues) -> tuple[np.ndarray, np.ndarray]:
    r"""The :math:`(\rho, \mu)` that minimize Nesterov's rate on a quadratic, over the last
    axis: :math:`\rho = 4/(3\lambda_{\max} + \lambda_{\min})`,
    :math:`\mu = (\sqrt{3\kappa+1} - 2)/(\sqrt{3\kappa+1} + 2)` (Lessard, Recht & Packard,
    2016), with rate :math:`1 - 2/\sqrt{3\kappa+1}` (:func:`nesterov_rate_at_optimum`)."""
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the eigen-directions on a last axis")
    lo, hi = lam.min(axis=-1), lam.max(axis=-1)
    root = np.sqrt(3 * hi / lo + 1)
    return 4.0 / (3 * hi + lo), (root - 2) / (root + 2)


def nesterov_rate_at_optimum(kappa) -> np.ndarray:
    r""":math:`1 - 2/\sqrt{3\kappa + 1}`, Nesterov's best rate on a quadratic."""
    k = check.hyperparameter("kappa", kappa, low=1.0)
    return 1 - 2 / np.sqrt(3 * k + 1)


def gradient_weights(momentum, steps: int, nesterov: bool = False) -> np.ndarray:
    r"""The weight of each past gradient in the direction :math:`d_t` of step ``steps``,
    oldest first (``steps`` entries; :math:`b_0 = 0`).

    Heavy ball: :math:`d_t = b_t = \sum_{k=1}^{t} \mu^{t-k} g_k`. Nesterov:
    :math:`d_t = g_t + \mu b_t`, so the newest gradient weighs :math:`1 + \mu` and the one
    of age :math:`a \ge 1` weighs :math:`\mu^{a+1}`. The weights sum to
    :math:`(1-\mu^t)/(1-\mu)` (heavy ball) and tend to :math:`1/(1-\mu)` in both forms.
    """
    mu = float(check.hyperparameter("momentum", momentum, high=1.0))
    steps = check.positive_int("steps", steps)
    age = np.arange(steps - 1, -1, -1, dtype=float)
    if not _form(nesterov):
        return mu ** age
    weights = mu ** (age + 1)
    weights[-1] = 1 + mu
    return weights


def effective_step(lr, momentum, steps=None) -> np.ndarray:
    r"""The step :math:`\rho\,(1 - \mu^t)/(1 - \mu)` heavy ball takes after ``steps`` = t
    steps of a constant unit gradient; its limit :math:`\rho/(1-\mu)` when ``steps`` is
    None."""
    rho = check.hyperparameter("lr", lr)
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    if steps is None:
        return rho / (1 - mu)
    t = check.hyperparameter("steps", steps)
    return rho * (1 - mu ** t) / (1 - mu)


def noise_floor(lr, momentum, eigenvalues, sigma, nesterov: bool = False) -> np.ndarray:
    r"""The stationary expected loss :math:`\tfrac12 \sum_i \lambda_i\, \mathbb E[\delta_i^2]`
    of heavy ball or Nesterov on a quadratic whose gradients carry independent Gaussian noise
    of standard deviation σ per coordinate (:class:`~adaptive_lr.objectives.Noisy`); ∞ where
    the run is unstable.

    Per direction the pair :math:`x = (\delta, b)` follows :math:`x_t = M x_{t-1} +
    \sigma \xi_t w` with :math:`w = (-\rho, 1)` (heavy ball) or :math:`(-\rho(1+\mu), 1)`
    (Nesterov, whose step uses the noisy gradient twice), so its covariance solves the
    discrete Lyapunov equation :math:`\Sigma = M \Sigma M^\top + \sigma^2 w w^\top`, solved
    here exactly as a linear system in the entries of Σ. Shape: the broadcast of ``lr``,
    ``momentum`` and ``sigma`` (the directions are summed).
    """
    rho, mu, lam = _inputs(lr, momentum, eigenvalues)
    s = check.hyperparameter("sigma", sigma)[..., None]
    rho, mu, lam, s = np.broadcast_arrays(rho, mu, lam, s)
    matrix = iteration_matrix(rho, mu, lam, nesterov)
    w = np.stack([-rho * (1 + mu) if _form(nesterov) else -rho, np.ones_like(rho)], -1)
    # vec(Σ) = (I − M ⊗ M)⁻¹ vec(σ² w wᵀ), row-major vec, batched over every leading axis
    kron = np.einsum("...ij,...kl->...ikjl", matrix, matrix).reshape(matrix.shape[:-2] + (4, 4))
    q = (s[..., None, None] ** 2 * w[..., :, None] * w[..., None, :]).reshape(w.shape[:-1] + (4,))
    stable = _moduli(rho, mu, lam, _form(nesterov)).max(axis=-1) < 1
    system = np.where(stable[..., None, None], np.eye(4) - kron, np.eye(4))
    variance = np.linalg.solve(system, q[..., None])[..., 0, 0]
    per_direction = np.where(stable, 0.5 * lam * variance, np.inf)
    return per_direction.sum(axis=-1)


def heavy_ball_noise_floor(lr, momentum, eigenvalue, sigma) -> np.ndarray:
    r"""The closed form of one direction's stationary loss under heavy ball,
    :math:`\tfrac12 \lambda\,\mathbb E[\delta^2] = \dfrac{\sigma^2 \rho\,(1+\mu)}
    {2\,(1-\mu)\,(2(1+\mu) - \rho\lambda)}`; small ρλ gives :math:`\sigma^2\rho/(4(1-\mu))`:
    at a fixed ρ the floor grows like :math:`1/(1-\mu)`, at a fixed effective step
    :math:`\rho/(1-\mu)` it does not change."""
    rho = check.hyperparameter("lr", lr)
    mu = check.hyperparameter("momentum", momentum, high=1.0)
    lam = check.hyperparameter("eigenvalue", eigenvalue, low=0.0, low_open=True)
    s = check.hyperparameter("sigma", sigma)
    room = 2 * (1 + mu) - rho * lam
    with np.errstate(divide="ignore"):
        return np.where(room > 0, s * s * rho * (1 + mu) / (2 * (1 - mu) * np.where(
            room > 0, room, 1.0)), np.inf)


# =============================================================== experiments
#
# Everything below runs the package's optimizers; the closed forms above predict what the
# runs show, and the tests check one against the other.

import functools  # noqa: E402  (kept beside the code that needs it)
import math  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Mapping, Sequence  # noqa: E402

from .. import objectives as _objectives  # noqa: E402
from ..objectives import Objective, ObjectiveStack  # noqa: E402
from ..optim import SGD, RMSProp  # noqa: E402
from ..robustness import Condition, Spread, best_on_grid, conditions  # noqa: E402
from ..runs import hyper_grid, minimize, settle_step  # noqa: E402
from ..tables import Table  # noqa: E402

#: The book's robustness protocol as this chapter runs it: three seeds of each randomized
#: condition, minibatch-like noise of 1 % of the start's gradient size, other starts at half
#: the start's distance from the minimum (see :func:`~adaptive_lr.robustness.conditions`).
PROTOCOL = {"seeds": (0, 1, 2), "noise": 0.01, "starts": 0.5}

#: How the tables name the kinds of condition.
KINDS = {"exact": "exact", "perturbed": "perturbed 1e-12", "noisy": "noisy",
         "start": "other starts"}


def glue(values: Mapping[str, object]) -> dict:
    """Glue every ``key: value`` for the prose (myst-nb's ``glue:text`` role), not displayed.

    numpy numbers and 0-d arrays become Python numbers (the role formats those); strings
    stay strings.
    Without myst-nb (a reader's Binder or Colab session) nothing is glued and the notebook
    still runs. Returns the converted values.
    """
    converted = {}
    for key, value in dict(values).items():
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]                       # a 0-d array is its one number
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


def value_range(values, fmt: str = "{:.3g}") -> str:
    """``min … max`` of finite values through ``fmt`` (one value if they agree); "never"
    for values that are all infinite, with the count of infinite ones otherwise."""
    values = np.asarray(values, dtype=float).ravel()
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "never" if values.size else "—"
    lo, hi = fmt.format(finite.min() + 0.0), fmt.format(finite.max() + 0.0)
    text = lo if lo == hi else f"{lo} … {hi}"
    if finite.size < values.size:
        text += f" ({values.size - finite.size} never)"
    return text


def protocol_table(spread: Spread, fmt: str = "{:.3g}", metrics=None) -> Table:
    """One row per metric, one column per kind of condition: the exact value, or
    min … max over the seeds (:func:`value_range`)."""
    metrics = spread.metrics if metrics is None else list(metrics)
    kinds = [k for k in KINDS if any(c.kind == k for c in spread.conditions)]
    rows = [[m] + [value_range(spread.values(m, k), fmt) for k in kinds] for m in metrics]
    return Table([""] + [KINDS[k] for k in kinds], rows, align="left")


def eigen_coordinates(quadratic, thetas) -> np.ndarray:
    """Offsets ``thetas − minimizer`` along the Hessian's eigenvectors, gentlest first:
    ``[..., 0]`` runs along the valley floor, ``[..., -1]`` across it."""
    _, vectors = np.linalg.eigh(quadratic.hessian)
    return (np.asarray(thetas, dtype=float) - quadratic.minimizer) @ vectors


def spectrum(quadratic) -> np.ndarray:
    """The eigenvalues of a quadratic's Hessian, ascending."""
    return np.linalg.eigvalsh(quadratic.hessian)


def _tile(start, n: int) -> np.ndarray:
    return np.tile(np.asarray(start, dtype=np.float64), (n, 1))


def _relative_settle(run, tolerance) -> np.ndarray:
    """Settle steps of every run of a batch for a loss ≤ ``tolerance`` × its start loss
    (``tolerance`` broadcasts against the batch), as floats with ∞ for never."""
    f0 = run.losses[0]
    settled = settle_step(run.steps, run.losses / (f0 * tolerance), 1.0).astype(float)
    settled[settled < 0] = np.inf
    return settled


# --------------------------------------------------------------- tuning on a grid


@dataclass(frozen=True)
class Tuned:
    """One method's settle steps over a grid of (μ, ρ), and its best cell.

    Attributes:
      name: the method.
      momenta: the μ grid, ``(m,)`` (one entry 0 for plain gradient descent).
      lrs: the ρ grid, ``(n,)``.
      steps: ``(m, n)`` settle steps, ∞ where a run never settled (or diverged).
    """

    name: str
    momenta: np.ndarray
    lrs: np.ndarray
    steps: np.ndarray

    @property
    def index(self) -> tuple[int, int]:
        """The best cell (fewest steps; ties to the smallest μ, then the smallest ρ)."""
        return np.unravel_index(int(np.argmin(self.steps)), self.steps.shape)

    @property
    def best_steps(self) -> float:
        return float(self.steps[self.index])

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.index[1]])

    @property
    def best_momentum(self) -> float:
        return float(self.momenta[self.index[0]])

    @property
    def bracketed(self) -> bool:
        """Whether the best ρ (at the best μ) and, when μ is tuned, the best μ (each μ at
        its own best ρ) both lie strictly inside their grids
        (:func:`~adaptive_lr.robustness.best_on_grid`). A best μ of exactly 0 counts as
        bracketed: 0 is where momentum ends, not where the grid stops."""
        if not np.isfinite(self.best_steps):
            return False
        i, _ = self.index
        row = np.where(np.isfinite(self.steps[i]), self.steps[i], np.nan)
        ok = best_on_grid(row, self.lrs).bracketed
        if self.momenta.size > 1 and self.momenta[i] != 0:
            per_mu = self.steps.min(axis=1)
            ok &= best_on_grid(np.where(np.isfinite(per_mu), per_mu, np.nan),
                               self.momenta).bracketed
        return bool(ok)


def _grid_runs(make_opt, cases: Sequence[Condition], momenta, lrs, steps: int,
               tolerances) -> list:
    """Settle steps ``(m, n)`` per case of every (μ, ρ) of the grid, all cases in one run.

    ``make_opt(lr=…, momentum=…)`` builds the optimizer from ``(m·n, 1)`` arrays; the
    tolerance of case i is ``tolerances[i]`` times its start loss. ``tolerances`` of shape
    ``(T, k)`` reads several tolerances off the same run: a list of T such lists.
    """
    hyper, shape = hyper_grid(momentum=momenta, lr=lrs)
    n = hyper["lr"].shape[0]
    stack = ObjectiveStack([c.objective for c in cases])
    theta0 = np.stack([_tile(c.start, n) for c in cases])
    run = minimize(make_opt(**hyper), stack, theta0, steps)
    tol = np.asarray(tolerances, dtype=float)
    sets = [_relative_settle(run, t[:, None]) for t in np.atleast_2d(tol)]
    grids = [[s.reshape(shape) for s in settled] for settled in sets]
    return grids if tol.ndim == 2 else grids[0]


# --------------------------------------------------------------- κ → √κ

#: The ρ grid of the race, as multiples ρ·λmax of the steepest curvature (the stability
#: ceilings are 2 for gradient descent, 2(1+μ) for heavy ball).
RACE_MULTIPLES = np.geomspace(0.1, 4.2, 25)
#: The μ grid of the race: 0, then 1 − μ from 0.7 down to 0.005.
RACE_MOMENTA = np.r_[0.0, 1 - np.geomspace(0.7, 0.005, 19)]
#: Settle tolerances, relative to the start's loss: exact arithmetic and its perturbations,
#: and minibatch-like noise (whose floor lies far above a millionth of the start).
RACE_TOLERANCE = 1e-6
NOISY_TOLERANCE = 1e-3
#: The three methods of the race.
METHODS = ("GD", "heavy ball", "Nesterov")


def _race_budgets(kappa: float) -> tuple[int, int]:
    """Steps for gradient descent (∝ κ) and for the momentum methods (∝ √κ)."""
    return int(5 * kappa) + 100, int(20 * math.sqrt(kappa)) + 100


def _make(method: str):
    if method == "GD":
        return lambda lr, momentum: SGD(lr=lr)
    return lambda lr, momentum: SGD(lr=lr, momentum=momentum, nesterov=method == "Nesterov")


def _momenta(method: str) -> np.ndarray:
    return {"GD": np.array([0.0]), "heavy ball": RACE_MOMENTA,
            "Nesterov": RACE_MOMENTA[1:]}[method]


def race(cases: Sequence[Condition], kappa: float) -> list[dict[str, Tuned]]:
    """Gradient descent, heavy ball and Nesterov, each tuned on its own grid
    (:data:`RACE_MULTIPLES` × :data:`RACE_MOMENTA`) for the fewest steps to settle, per
    case: :data:`RACE_TOLERANCE` of the start's loss, :data:`NOISY_TOLERANCE` for noisy
    cases. Every method gets the same number of steps under noise (there a longer run is a
    harder test of staying below the tolerance)."""
    long, short = _race_budgets(kappa)
    lrs = RACE_MULTIPLES / kappa
    noisy = np.array([c.kind == "noisy" for c in cases])
    out = [{} for _ in cases]
    for method in METHODS:
        for group in (~noisy, noisy):
            chosen = [c for c, g in zip(cases, group) if g]
            if not chosen:
                continue
            budget = long if method == "GD" or group is noisy else short
            tol = [NOISY_TOLERANCE if c.kind == "noisy" else RACE_TOLERANCE for c in chosen]
            grids = _grid_runs(_make(method), chosen, _momenta(method), lrs, budget, tol)
            for i, grid in zip(np.flatnonzero(group), grids):
                out[i][method] = Tuned(method, _momenta(method), lrs, grid)
    return out


def _race_metrics(tuned: Mapping[str, Tuned], kappa: float) -> dict:
    out = {}
    for method, t in tuned.items():
        out[f"{method}: steps"] = t.best_steps
        out[f"{method}: bracketed"] = float(t.bracketed)
        out[f"{method}: ρ·λmax"] = t.best_lr * kappa
        if method != "GD":
            out[f"{method}: μ"] = t.best_momentum
    return out


@dataclass(frozen=True)
class KappaRace:
    """The race for several κ under the protocol (:func:`kappa_race`).

    Attributes:
      kappas: the condition numbers.
      spreads: ``{κ: Spread}`` of the race's metrics (``"<method>: steps"``, ``…:
        bracketed``, ``…: ρ·λmax``, ``…: μ``) under every condition.
    """

    kappas: tuple
    spreads: dict

    def steps(self, method: str, kind: str | None = None) -> np.ndarray:
        """Settle steps ``(len(kappas), conditions)`` of one method."""
        return np.array([self.spreads[k].values(f"{method}: steps", kind) for k in self.kappas])

    def slopes(self, method: str, kind: str | None = None) -> np.ndarray:
        """Per condition, the least-squares exponent p of steps ∝ κ^p over the κ."""
        x = np.log(np.asarray(self.kappas, dtype=float))
        y = np.log(self.steps(method, kind))
        x = x - x.mean()
        return (x[:, None] * (y - y.mean(axis=0))).sum(axis=0) / (x * x).sum()

    def speedups(self, method: str = "heavy ball", kind: str | None = None) -> np.ndarray:
        """GD's steps over ``method``'s, ``(len(kappas), conditions)``."""
        return self.steps("GD", kind) / self.steps(method, kind)

    def all_bracketed(self, kind: str | None = None) -> bool:
        return bool(all((self.spreads[k].values(f"{m}: bracketed", kind) == 1).all()
                        for k in self.kappas for m in METHODS))

    def faster(self) -> np.ndarray:
        """Per condition: every grid brackets its best, and heavy ball and Nesterov settle
        sooner than gradient descent at every κ."""
        ok = np.ones(len(self.spreads[self.kappas[0]].conditions), dtype=bool)
        for k in self.kappas:
            for m in METHODS:
                ok &= self.spreads[k].values(f"{m}: bracketed") == 1
        for m in METHODS[1:]:
            ok &= (self.speedups(m) > 1).all(axis=0)
        return ok

    def holds(self) -> np.ndarray:
        """Per condition, κ becomes √κ: :meth:`faster`, and gradient descent's steps grow
        like κ^p with p ≥ 0.8 while heavy ball's and Nesterov's grow with p ≤ 0.6."""
        ok = self.faster() & (self.slopes("GD") >= 0.8)
        for m in METHODS[1:]:
            ok &= self.slopes(m) <= 0.6
        return ok

    def verdict(self, predicate: str = "holds") -> str:
        """"holds", "fails" or "flips" for :meth:`holds` (or :meth:`faster`)."""
        ok = getattr(self, predicate)()
        return "holds" if ok.all() else "fails" if not ok.any() else "flips"

    def table(self) -> Table:
        """Settle steps per κ and method, and the exponents, per kind of condition."""
        first = self.spreads[self.kappas[0]]
        kinds = [k for k in KINDS if any(c.kind == k for c in first.conditions)]
        rows = []
        for k in self.kappas:
            for m in METHODS:
                rows.append([f"κ = {k:g}", m] + [value_range(
                    self.spreads[k].values(f"{m}: steps", kind), "{:.0f}") for kind in kinds])
        for m in METHODS:
            rows.append(["p in steps ∝ κ^p", m] + [value_range(self.slopes(m, kind), "{:.2f}")
                                                   for kind in kinds])
        rows.append(["grids bracket the best", "all"] + [
            "yes" if self.all_bracketed(kind) else "no" for kind in kinds])
        return Table(["", "method"] + [KINDS[k] for k in kinds], rows, align="left")


@functools.lru_cache(maxsize=None)
def kappa_race(kappas: tuple = (10.0, 100.0, 1000.0), seeds: tuple = (0, 1, 2)) -> KappaRace:
    """The race of :func:`race` on ``ill_conditioned(κ)`` for each κ under the protocol
    (:data:`PROTOCOL`, with ``seeds``)."""
    spreads = {}
    for kappa in kappas:
        cases = conditions(_objectives.ill_conditioned(kappa), **{**PROTOCOL, "seeds": seeds})
        tuned = race(cases, kappa)
        spreads[float(kappa)] = Spread(tuple(cases), tuple(_race_metrics(t, kappa)
                                                           for t in tuned))
    return KappaRace(tuple(float(k) for k in kappas), spreads)


def rates_table(kappas=(10.0, 100.0, 1000.0)) -> Table:
    """Per κ, the closed-form rate of each method at its own best tuning, and (in
    parentheses) the steps it needs per tenfold shrinking of the error."""
    from .one_learning_rate import optimal_rate

    rows = []
    for kappa in kappas:
        q = [float(optimal_rate(kappa)), float(heavy_ball_rate_at_optimum(kappa)),
             float(nesterov_rate_at_optimum(kappa))]
        rows.append([f"{kappa:g}"] + [f"{v:.4f} ({float(steps_per_decade(v)):.1f})"
                                      for v in q])
    return Table(["κ", "GD at ρ*", "heavy ball at (ρ*, μ*)", "Nesterov at its best"], rows)


def predicted_steps(kappa, tolerance: float = RACE_TOLERANCE) -> dict[str, np.ndarray]:
    r"""Steps for the loss to shrink by ``tolerance`` at each method's closed-form rate q:
    :math:`\ln(1/\text{tol}) / (2 \ln(1/q))` (the loss is quadratic in the error), for
    gradient descent at :math:`\rho^\star`, heavy ball at Polyak's tuning and Nesterov at
    its optimum. A lower bound in practice: at a double root the error decays like
    :math:`t\,q^t`, not :math:`q^t`."""
    from .one_learning_rate import optimal_rate

    k = check.hyperparameter("kappa", kappa, low=1.0)
    rates = {"GD": optimal_rate(k), "heavy ball": heavy_ball_rate_at_optimum(k),
             "Nesterov": nesterov_rate_at_optimum(k)}
    return {m: np.log(1 / tolerance) / (2 * np.log(1 / q)) for m, q in rates.items()}


def measured_rate(errors, first: int, last: int, double_root: bool = False) -> float:
    r"""The per-step factor of an error sequence between steps ``first`` and ``last``:
    :math:`(e_{\text{last}}/e_{\text{first}})^{1/(\text{last}-\text{first})}`; with
    ``double_root`` the factor t of a double root's :math:`t\,q^t` decay is divided out
    first."""
    e = np.asarray(errors, dtype=float)
    if not 0 <= first < last < e.shape[0]:
        raise ValueError(f"need 0 ≤ first < last < {e.shape[0]}, got {first}, {last}")
    ratio = e[last] / e[first]
    if double_root:
        ratio *= first / last if first > 0 else np.nan
    return float(ratio ** (1 / (last - first)))


def polyak_table(race_result: KappaRace) -> Table:
    """Per κ, Polyak's closed form beside the race's tuned best cell (exact arithmetic):
    ρ·λmax, μ and the settle steps, and the closed-form rate beside the one a run at
    Polyak's tuning shows."""
    rows = []
    for kappa in race_result.kappas:
        exact = dict(race_result.spreads[kappa].results[0])
        rho, mu = (float(v) for v in optimal_heavy_ball(np.array([1.0, kappa])))
        run = polyak_run(kappa)
        rows.append([f"{kappa:g}", f"{rho * kappa:.3g} / {exact['heavy ball: ρ·λmax']:.3g}",
                     f"{mu:.3g} / {exact['heavy ball: μ']:.3g}",
                     f"{run['steps']:.0f} / {exact['heavy ball: steps']:.0f}",
                     f"{float(heavy_ball_rate_at_optimum(kappa)):.4f} / {run['rate']:.4f}"])
    return Table(["κ", "ρ·λmax: Polyak / grid", "μ: Polyak / grid",
                  "steps: Polyak / grid", "rate: closed form / run"], rows)


@functools.lru_cache(maxsize=None)
def polyak_run(kappa: float, tolerance: float = RACE_TOLERANCE) -> dict:
    """Heavy ball at Polyak's (ρ*, μ*) on ``ill_conditioned(κ)``: its settle steps (loss
    ≤ ``tolerance`` × start) and its rate measured over the last two thirds of a run of
    :func:`_race_budgets` steps (corrected for the double roots)."""
    bowl = _objectives.ill_conditioned(kappa)
    rho, mu = (float(v) for v in optimal_heavy_ball(spectrum(bowl)))
    _, steps = _race_budgets(kappa)
    run = minimize(SGD(lr=rho, momentum=mu), bowl, bowl.start, steps)
    error = np.linalg.norm(run.thetas - bowl.minimizer, axis=-1)
    # measure where the error is still far above rounding (1e-10 of the start)
    last = int(np.argmax(error < 1e-10 * error[0])) or steps
    return {"steps": float(_relative_settle(run, tolerance)),
            "rate": measured_rate(error, last // 3, last, double_root=True)}


# --------------------------------------------------------------- RMSProp's valley


#: The valleys of the mechanism: the 45° bowl of the RMSProp chapter at three κ.
VALLEY_KAPPAS = (100.0, 400.0, 1600.0)


def _sign_changes(x) -> np.ndarray:
    s = np.sign(x)
    return np.flatnonzero((s[1:] != s[:-1]) & (s[1:] != 0) & (s[:-1] != 0)) + 1


def valley_anatomy(kappa: float, lr: float = 0.01, alpha: float = 0.9,
                   momentum: float = 0.0, steps: int | None = None, start=None,
                   objective: Objective | None = None) -> dict:
    """What RMSProp (``momentum`` 0) or RMSProp with heavy-ball momentum does in the 45°
    valley ``rotated(κ)``, measured on one run:

    * ``"rate ratio"``: the median ratio of the two coordinates' effective rates, θ₁'s over
      θ₂'s, over the stretch below (1: the diagonal scaling is isotropic, a single rate),
      and ``"lowest ratio"``, the smallest over the whole run (the approach, while the
      across-valley offset still has one sign, is less isotropic);
    * ``"flips in 60 steps"``, ``"first flip"``: sign changes of the across-valley
      coordinate (−1: none);
    * ``"edge"``: median of (effective rate × λmax) while the along-valley coordinate's
      envelope falls from 1 to 10⁻² (2 is gradient descent's stability ceiling);
    * ``"floor factor"``: that envelope's per-step factor over the same stretch, beside
      ``"predicted"``, the larger root modulus of heavy ball (gradient descent for μ = 0) on
      the along-valley direction at the measured effective rate, ``"GD at the edge"``
      (1 − 2/κ: gradient descent at its ceiling) and ``"√μ"`` (an underdamped direction);
    * ``"final loss"``.

    ``objective`` replaces the valley (e.g. a noisy one) and ``start`` its start.
    """
    valley = _objectives.rotated(kappa=kappa)
    objective = valley if objective is None else objective
    start = valley.start if start is None else np.asarray(start, dtype=float)
    steps = int(3 * kappa * math.log(100.0)) + 1500 if steps is None else steps
    run = minimize(RMSProp(lr=lr, alpha=alpha, momentum=momentum), objective, start, steps)
    c = eigen_coordinates(valley, run.thetas)
    flips = _sign_changes(c[:, -1])
    envelope = np.maximum.accumulate(np.abs(c[::-1, 0]))[::-1]
    below1, below2 = int(np.argmax(envelope < 1)), int(np.argmax(envelope < 1e-2))
    stretch = 0 < below1 < below2
    factor = (envelope[below2] / envelope[below1]) ** (1 / (below2 - below1)) \
        if stretch else np.nan
    edge = float(np.median(run.lrs[below1:below2, 0])) * kappa if stretch else np.nan
    lam_min = float(valley.eigenvalues.min())
    predicted = float(convergence_rate(edge / kappa, momentum, [lam_min])) if stretch \
        else np.nan
    ratio = run.lrs[:, 0] / run.lrs[:, 1]
    return {"rate ratio": float(np.median(ratio[below1:below2])) if stretch
            else float(np.median(ratio)),
            "lowest ratio": float(np.min(ratio)),
            "flips in 60 steps": float(np.sum(flips <= 60)),
            "first flip": float(flips[0]) if flips.size else -1.0,
            "edge": edge, "floor factor": float(factor), "predicted": predicted,
            "GD at the edge": 1 - 2 / kappa, "√μ": math.sqrt(momentum),
            "final loss": float(run.final_loss)}


@functools.lru_cache(maxsize=None)
def valley_mechanism(kappas: tuple = VALLEY_KAPPAS, lr: float = 0.01, alpha: float = 0.9,
                     momentum: float = 0.9) -> dict:
    """:func:`valley_anatomy` of RMSProp and of RMSProp with momentum μ, per κ:
    ``{(κ, method): metrics}``."""
    return {(float(k), name): valley_anatomy(k, lr, alpha, mu)
            for k in kappas for name, mu in (("RMSProp", 0.0),
                                              ("RMSProp + momentum", momentum))}


def steps_per_decade(factor) -> np.ndarray:
    """Steps for a per-step ``factor`` to shrink something tenfold: ln 10 / ln(1/factor)."""
    f = np.asarray(factor, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log(10.0) / -np.log(f)


def mechanism_table(mechanism: Mapping) -> Table:
    """:func:`valley_mechanism` as a table: one row per (κ, method): the first sign change
    of the across-valley coordinate, the effective rate × λmax, the floor's factor per step
    (predicted in parentheses) and its steps per decade."""
    rows = []
    for (kappa, name), m in mechanism.items():
        rows.append([f"{kappa:g}", name, int(m["first flip"]), f"{m['edge']:.3f}",
                     f"{m['floor factor']:.4f} ({m['predicted']:.4f})",
                     f"{float(steps_per_decade(m['floor factor'])):.0f}"])
    return Table(["κ", "method", "first flip", "rate · λmax", "floor factor (predicted)",
                  "steps per decade"], rows)


#: The ρ grid of RMSProp in the valley race (six per decade, 10⁻³ to 1).
VALLEY_RATES = np.geomspace(1e-3, 1.0, 19)
#: Relative tolerance of the valley race: a thousandth of the start's loss, above the
#: distance at which a constant-ρ RMSProp hovers for the rates that win.
VALLEY_TOLERANCE = 1e-3
VALLEY_METHODS = ("GD", "heavy ball", "RMSProp", "RMSProp + momentum")


def valley_race(cases: Sequence[Condition], kappa: float, alpha: float = 0.9,
                steps: int = 2000) -> list[dict[str, Tuned]]:
    """GD, heavy ball, RMSProp (α = ``alpha``) and RMSProp with momentum, each tuned on its
    own grid (ρ; and μ for the momentum methods) for the fewest steps to settle below
    :data:`VALLEY_TOLERANCE` of the start's loss, per case; all get ``steps`` steps."""
    makers = {"GD": (_make("GD"), RACE_MULTIPLES / kappa, np.array([0.0])),
              "heavy ball": (_make("heavy ball"), RACE_MULTIPLES / kappa, RACE_MOMENTA),
              "RMSProp": (lambda lr, momentum: RMSProp(lr=lr, alpha=alpha), VALLEY_RATES,
                          np.array([0.0])),
              "RMSProp + momentum": (lambda lr, momentum: RMSProp(lr=lr, alpha=alpha,
                                                                  momentum=momentum),
                                     VALLEY_RATES, RACE_MOMENTA)}
    out = [{} for _ in cases]
    for name, (make, lrs, momenta) in makers.items():
        grids = _grid_runs(make, cases, momenta, lrs, steps, [VALLEY_TOLERANCE] * len(cases))
        for i, grid in enumerate(grids):
            out[i][name] = Tuned(name, momenta, lrs, grid)
    return out


@functools.lru_cache(maxsize=None)
def valley_spread(kappa: float = 100.0, seeds: tuple = (0, 1, 2)) -> Spread:
    """:func:`valley_race` on ``rotated(κ)`` under the protocol: per method its fewest
    steps, whether its grids bracket them, its best ρ (and μ)."""
    cases = conditions(_objectives.rotated(kappa=kappa), **{**PROTOCOL, "seeds": seeds})
    results = []
    for tuned in valley_race(cases, kappa):
        metrics = {}
        for name, t in tuned.items():
            metrics[f"{name}: steps"] = t.best_steps
            metrics[f"{name}: bracketed"] = float(t.bracketed)
            metrics[f"{name}: ρ"] = t.best_lr
            if t.momenta.size > 1:
                metrics[f"{name}: μ"] = t.best_momentum
        results.append(metrics)
    return Spread(tuple(cases), tuple(results))


def valley_holds(spread: Spread) -> np.ndarray:
    """Per condition: every grid brackets its best; RMSProp needs at least half of
    gradient descent's steps (its diagonal scaling buys at most a factor 2 in this valley);
    momentum cuts RMSProp's steps at least in half, as it does gradient descent's."""
    ok = np.ones(len(spread.conditions), dtype=bool)
    for name in VALLEY_METHODS:
        ok &= spread.values(f"{name}: bracketed") == 1
    gd, hb = spread.values("GD: steps"), spread.values("heavy ball: steps")
    rms, rmsm = spread.values("RMSProp: steps"), spread.values("RMSProp + momentum: steps")
    ok &= rms >= 0.5 * gd
    ok &= (rmsm <= 0.5 * rms) & (hb <= 0.5 * gd)
    return ok


def mechanism_exponents(mechanism: Mapping) -> dict[str, float]:
    """Per method, p in (steps per decade of the floor) ∝ κ^p between the smallest and the
    largest κ of :func:`valley_mechanism`."""
    kappas = sorted({k for k, _ in mechanism})
    lo, hi = kappas[0], kappas[-1]
    return {name: float(np.log(steps_per_decade(mechanism[(hi, name)]["floor factor"])
                                / steps_per_decade(mechanism[(lo, name)]["floor factor"]))
                         / np.log(hi / lo))
            for name in ("RMSProp", "RMSProp + momentum")}


def mechanism_holds(mechanism: Mapping) -> bool:
    """For every κ: RMSProp's two rates agree within 1 % on the floor (isotropic), it runs
    at gradient descent's ceiling (rate·λmax within 1 % of 2), its floor factor's distance
    from 1 is
    within 10 % of 2/κ, and its across-valley coordinate does not change sign in the first
    60 steps; with momentum the floor needs at least three times fewer steps per decade.
    Over κ, RMSProp's steps per decade grow like κ^p with p ≥ 0.9, those with momentum with
    p ≤ 0.5 (:func:`mechanism_exponents`)."""
    ok = True
    for kappa in sorted({k for k, _ in mechanism}):
        m, mm = mechanism[(kappa, "RMSProp")], mechanism[(kappa, "RMSProp + momentum")]
        ok &= abs(m["rate ratio"] - 1) < 0.01 and abs(mm["rate ratio"] - 1) < 0.01
        ok &= abs(m["edge"] - 2) < 0.02
        ok &= abs((1 - m["floor factor"]) / (2 / kappa) - 1) < 0.1
        ok &= m["flips in 60 steps"] == 0
        ok &= steps_per_decade(mm["floor factor"]) * 3 <= steps_per_decade(m["floor factor"])
    p = mechanism_exponents(mechanism)
    return bool(ok and p["RMSProp"] >= 0.9 and p["RMSProp + momentum"] <= 0.5)


@functools.lru_cache(maxsize=None)
def mechanism_spread(kappa: float = 400.0, lr: float = 0.01, alpha: float = 0.9,
                     momentum: float = 0.9, seeds: tuple = (0, 1, 2)) -> Spread:
    """:func:`valley_anatomy` of RMSProp without and with momentum under the protocol."""
    valley = _objectives.rotated(kappa=kappa)
    keys = ("rate ratio", "lowest ratio", "flips in 60 steps", "edge", "floor factor",
            "predicted")
    cases = conditions(valley, **{**PROTOCOL, "seeds": seeds})
    results = []
    for case in cases:
        out = {}
        for name, mu in (("RMSProp", 0.0), ("RMSProp + momentum", momentum)):
            m = valley_anatomy(kappa, lr, alpha, mu, objective=case.objective,
                               start=case.start)
            out.update({f"{name}: {k}": m[k] for k in keys})
        results.append(out)
    return Spread(tuple(cases), tuple(results))


# --------------------------------------------------------------- overshoot


#: The runs of the overshoot study on ``ill_conditioned(κ)``: name → (ρ·λmax, μ, nesterov);
#: ``None`` means the closed-form optimum of that method.
OVERSHOOT_RUNS = {"GD, ρ = 1/λmax": (1.0, 0.0, False),
                  "GD at ρ*": (None, 0.0, False),
                  "heavy ball, μ = 0.9": (1.0, 0.9, False),
                  "Nesterov, μ = 0.9": (1.0, 0.9, True),
                  "heavy ball at (ρ*, μ*)": (None, None, False)}


def overshoot_optimizers(kappa: float) -> dict[str, SGD]:
    """The optimizers of :data:`OVERSHOOT_RUNS` for ``ill_conditioned(κ)``."""
    from .one_learning_rate import optimal_lr

    lam = np.array([1.0, kappa])
    out = {}
    for name, (multiple, mu, nesterov) in OVERSHOOT_RUNS.items():
        if mu is None:
            rho, mu = (float(v) for v in optimal_heavy_ball(lam))
        else:
            rho = float(optimal_lr(lam)) if multiple is None else multiple / kappa
        out[name] = SGD(lr=rho, momentum=mu, nesterov=nesterov, name=name)
    return out


def overshoot_metrics(run, quadratic, active: float = 1e-6) -> dict:
    """How much a run overshoots until it settles below ``active`` × its start loss (the
    whole run if it never does; after it, rounding or noise moves the loss more than the
    dynamics do): the share of those steps whose loss rose, the largest rise (loss over the
    step before), as a share of the start loss, and how far the along-valley coordinate
    swung past the minimum, as a share of its start offset (0: it never crossed)."""
    losses = np.asarray(run.losses, dtype=float)
    settled = _relative_settle(run, active)
    end = int(settled) if np.isfinite(settled) else losses.size - 1   # last step counted
    end = max(end, 1)
    before, after = losses[:end], losses[1:end + 1]
    flat = eigen_coordinates(quadratic, run.thetas[:end + 1])[:, 0]
    swing = np.maximum(0.0, -np.sign(flat[0]) * flat) / abs(flat[0])
    return {"loss rises (share of steps)": float(np.mean(after > before)),
            "largest rise": float(max(np.max(after - before), 0.0) / losses[0]),
            "swing past the minimum": float(swing.max())}


@functools.lru_cache(maxsize=None)
def overshoot_spread(kappa: float = 100.0, steps: int = 400,
                     seeds: tuple = (0, 1, 2)) -> Spread:
    """:func:`overshoot_metrics` and settle steps (loss ≤ 10⁻⁶ of the start; 10⁻³ under
    noise) for every run of :data:`OVERSHOOT_RUNS`, under the protocol."""
    bowl = _objectives.ill_conditioned(kappa)
    opts = overshoot_optimizers(kappa)
    results, cases = [], conditions(bowl, **{**PROTOCOL, "seeds": seeds})
    for case in cases:
        tol = NOISY_TOLERANCE if case.kind == "noisy" else RACE_TOLERANCE
        out = {}
        for name, opt in opts.items():
            run = minimize(opt, case.objective, case.start, steps)
            for key, value in overshoot_metrics(run, bowl, active=tol).items():
                out[f"{name}: {key}"] = value
            out[f"{name}: settle steps"] = float(_relative_settle(run, tol))
        results.append(out)
    return Spread(tuple(cases), tuple(results))


def overshoot_table(spread: Spread) -> Table:
    """Per run of :data:`OVERSHOOT_RUNS` and metric, the value per kind of condition."""
    kinds = [k for k in KINDS if any(c.kind == k for c in spread.conditions)]
    rows = []
    for name in OVERSHOOT_RUNS:
        for metric, fmt in (("loss rises (share of steps)", "{:.2f}"),
                            ("largest rise", "{:.2g}"),
                            ("swing past the minimum", "{:.2f}"),
                            ("settle steps", "{:.0f}")):
            rows.append([name, metric] + [value_range(spread.values(f"{name}: {metric}", k),
                                                      fmt) for k in kinds])
    return Table(["run", "metric"] + [KINDS[k] for k in kinds], rows, align="left")


def overshoot_holds(spread: Spread) -> np.ndarray:
    """Per condition: gradient descent at ρ = 1/λmax never swings past the minimum along
    the valley; heavy ball and Nesterov at μ = 0.9 and the same ρ swing past it by at least
    10 % of the start offset, and their largest loss rise is at least twice gradient
    descent's."""
    g = "GD, ρ = 1/λmax"
    ok = spread.values(f"{g}: swing past the minimum") == 0
    for name in MOMENTUM_AT_SAME_RATE:
        ok &= spread.values(f"{name}: swing past the minimum") >= 0.1
        ok &= spread.values(f"{name}: largest rise") >= 2 * spread.values(f"{g}: largest rise")
    return ok


#: The momentum runs of the overshoot study that share gradient descent's ρ = 1/λmax.
MOMENTUM_AT_SAME_RATE = ("heavy ball, μ = 0.9", "Nesterov, μ = 0.9")


def overshoot_faster(spread: Spread) -> np.ndarray:
    """Per condition: heavy ball and Nesterov at μ = 0.9 settle sooner than gradient
    descent at the same ρ = 1/λmax (a run that never settles counts as ∞)."""
    g = spread.values("GD, ρ = 1/λmax: settle steps")
    ok = np.ones(g.shape, dtype=bool)
    for name in MOMENTUM_AT_SAME_RATE:
        ok &= spread.values(f"{name}: settle steps") < g
    return ok


# --------------------------------------------------------------- tuning μ with ρ


#: The grid of the stability map: ρ·λmax (log) and μ.
MAP_MULTIPLES = np.geomspace(0.05, 5.0, 41)
MAP_MOMENTA = np.round(np.linspace(0.0, 0.99, 34), 4)


@dataclass(frozen=True)
class StabilityMap:
    """Heavy ball and Nesterov over a grid of (μ, ρ) on one quadratic (:func:`stability_map`).

    Attributes:
      kappa: the condition number of ``ill_conditioned(κ)``.
      multiples: ρ·λmax of the grid, ``(n,)``; momenta: μ, ``(m,)``.
      final: ``{method: (m, n)}`` final loss over the start's (NaN: diverged).
      settled: ``{method: (m, n)}`` settle steps for 10⁻⁶ of the start (∞: never).
      rates: ``{method: (m, n)}`` the closed-form rate of every cell.
      steps: the steps of every run.
    """

    kappa: float
    multiples: np.ndarray
    momenta: np.ndarray
    final: dict
    settled: dict
    rates: dict
    steps: int

    def ceiling(self, method: str) -> np.ndarray:
        """The closed-form stability ceiling ρ·λmax for every μ of the grid."""
        return stable_lr_bound(self.momenta, [1.0, self.kappa],
                               method == "Nesterov") * self.kappa

    def first_unstable(self, method: str) -> np.ndarray:
        """Per μ, the smallest grid ρ·λmax whose run diverged or did not shrink its loss
        (NaN if none)."""
        bad = ~(self.final[method] < 1)
        return np.array([self.multiples[np.argmax(row)] if row.any() else np.nan
                         for row in bad])

    def agrees(self, method: str) -> bool:
        """Whether every cell's fate matches the closed form: the runs whose rate is below
        0.99 shrink their loss, those with a rate above 1.01 do not."""
        rate, final = self.rates[method], self.final[method]
        shrink = final < 1
        return bool(np.all(shrink[rate < 0.99]) and not np.any(shrink[rate > 1.01]))

    def best_per_momentum(self, method: str) -> tuple[np.ndarray, np.ndarray]:
        """Per μ, the fewest settle steps over ρ and the ρ·λmax that gives them."""
        s = self.settled[method]
        j = np.argmin(s, axis=1)
        return s[np.arange(s.shape[0]), j], self.multiples[j]

    def share_settled(self, method: str) -> float:
        return float(np.isfinite(self.settled[method]).mean())


@functools.lru_cache(maxsize=None)
def stability_map(kappa: float = 100.0, steps: int = 400,
                  perturbation: float = 0.0) -> StabilityMap:
    """Heavy ball and Nesterov on ``ill_conditioned(κ)`` over :data:`MAP_MOMENTA` ×
    :data:`MAP_MULTIPLES` (Nesterov without μ = 0), ``steps`` steps each, one batched run
    per method; with a ``perturbation`` > 0, under the protocol's tiny gradient noise of
    that relative size (seed 0)."""
    bowl = _objectives.ill_conditioned(kappa)
    lam = spectrum(bowl)
    if perturbation > 0:
        bowl = next(c.objective for c in conditions(bowl, seeds=(0,),
                                                    perturbation=perturbation, noise=None,
                                                    starts=0.0) if c.kind == "perturbed")
    final, settled, rates = {}, {}, {}
    for method in ("heavy ball", "Nesterov"):
        momenta = np.where(MAP_MOMENTA > 0, MAP_MOMENTA, 1e-9) if method == "Nesterov" \
            else MAP_MOMENTA
        hyper, shape = hyper_grid(momentum=momenta, lr=MAP_MULTIPLES / kappa)
        run = minimize(_make(method)(**hyper), bowl, _tile(bowl.start, shape[0] * shape[1]),
                       steps)
        final[method] = (run.final_loss / run.losses[0]).reshape(shape)
        settled[method] = _relative_settle(run, RACE_TOLERANCE).reshape(shape)
        rates[method] = convergence_rate(hyper["lr"], hyper["momentum"], lam,
                                         method == "Nesterov").reshape(shape)
    return StabilityMap(float(kappa), MAP_MULTIPLES, MAP_MOMENTA, final, settled, rates,
                        steps)


def fixed_momentum_floor(momentum) -> np.ndarray:
    r"""The best rate heavy ball can reach at a fixed μ, whatever ρ: :math:`\sqrt\mu`
    (the two roots' product is μ, so the larger modulus is at least √μ)."""
    return np.sqrt(check.hyperparameter("momentum", momentum, high=1.0))


# --------------------------------------------------------------- noise


def noisy_quadratic(eigenvalues=(1.0, 10.0), sigma: float = 1.0, seed: int = 0):
    """``Noisy(Quadratic(eigenvalues), σ, seed)``, the noise model of :func:`noise_floor`."""
    return _objectives.Noisy(_objectives.Quadratic(eigenvalues=tuple(eigenvalues)), sigma,
                             seed)


@dataclass(frozen=True)
class NoiseFloors:
    """Measured and closed-form noise floors of heavy ball (:func:`noise_floors`).

    Attributes:
      momenta: μ, ``(m,)``; lrs: ``{"fixed ρ": (m,), "fixed ρ/(1−μ)": (m,)}`` the rates.
      measured: ``{series: (seeds, m)}`` the mean loss over the second half of each run.
      predicted: ``{series: (m,)}`` :func:`noise_floor`.
      seeds: the noise seeds.
    """

    momenta: np.ndarray
    lrs: dict
    measured: dict
    predicted: dict
    seeds: tuple

    def table(self) -> Table:
        rows = []
        for series in self.lrs:
            for i, mu in enumerate(self.momenta):
                m = self.measured[series][:, i]
                rows.append([series, mu, self.lrs[series][i], self.predicted[series][i],
                             value_range(m, "{:.3g}"),
                             float(np.mean(m) / self.predicted[series][i])])
        return Table(["series", "μ", "ρ", "closed form", "measured (seeds)",
                      "mean / closed form"], rows, fmt="{:.3g}")


@functools.lru_cache(maxsize=None)
def noise_floors(momenta: tuple = (0.0, 0.5, 0.9, 0.99), lr: float = 0.01,
                 eigenvalues: tuple = (1.0, 10.0), sigma: float = 1.0,
                 seeds: tuple = (0, 1, 2), steps: int = 20000) -> NoiseFloors:
    """Heavy ball under gradient noise σ on ``Quadratic(eigenvalues)``, started at the
    minimum, for each μ at a fixed ρ = ``lr`` and at a fixed effective step ρ/(1 − μ) =
    ``lr``: the loss averaged over the second half of each run, per seed, beside the
    closed form."""
    mus = np.asarray(momenta, dtype=float)
    lrs = {"fixed ρ": np.full(mus.shape, lr), "fixed ρ/(1−μ)": lr * (1 - mus)}
    rho = np.concatenate(list(lrs.values()))[:, None]
    mu = np.tile(mus, len(lrs))[:, None]
    stack = ObjectiveStack([noisy_quadratic(eigenvalues, sigma, s) for s in seeds])
    run = minimize(SGD(lr=rho, momentum=mu), stack,
                   np.zeros((len(seeds), rho.shape[0], len(eigenvalues))), steps,
                   record_every=10)
    mean = run.losses[run.steps > steps // 2].mean(axis=0)          # (seeds, series · m)
    measured, predicted = {}, {}
    for k, (series, rates) in enumerate(lrs.items()):
        measured[series] = mean[:, k * mus.size:(k + 1) * mus.size]
        predicted[series] = noise_floor(rates, mus, np.asarray(eigenvalues), sigma)
    return NoiseFloors(mus, lrs, measured, predicted, tuple(seeds))


#: Tolerances of the noisy race, relative to the start's loss.
NOISY_TOLERANCES = (1e-2, 1e-3, 1e-4)


@functools.lru_cache(maxsize=None)
def noisy_speedups(kappa: float = 100.0, noise: float = 0.01, seeds: tuple = (0, 1, 2),
                   tolerances: tuple = NOISY_TOLERANCES, steps: int = 4000) -> dict:
    """Gradient descent against heavy ball on ``ill_conditioned(κ)`` under minibatch-like
    noise (``noise`` relative to the start's gradient size, as in the protocol), each tuned
    on its own grid for every tolerance: ``{tolerance: {"GD": (seeds,), "heavy ball":
    (seeds,), "bracketed": (seeds,), "μ": (seeds,)}}`` of settle steps (∞: never), whether
    both grids bracket their best, and heavy ball's best μ."""
    bowl = _objectives.ill_conditioned(kappa)
    cases = [c for c in conditions(bowl, seeds=seeds, perturbation=0.0, noise=noise,
                                   starts=0.0) if c.kind == "noisy"]
    lrs = RACE_MULTIPLES / kappa
    tols = [[t] * len(cases) for t in tolerances]
    grids = {m: _grid_runs(_make(m), cases, _momenta(m), lrs, steps, tols)
             for m in ("GD", "heavy ball")}
    out = {}
    for k, tol in enumerate(tolerances):
        tuned = {m: [Tuned(m, _momenta(m), lrs, g) for g in grids[m][k]] for m in grids}
        out[float(tol)] = {
            "GD": np.array([t.best_steps for t in tuned["GD"]]),
            "heavy ball": np.array([t.best_steps for t in tuned["heavy ball"]]),
            "bracketed": np.array([a.bracketed and b.bracketed for a, b in
                                   zip(tuned["GD"], tuned["heavy ball"])]),
            "μ": np.array([t.best_momentum for t in tuned["heavy ball"]])}
    return out


def noisy_speedup_table(speedups: Mapping) -> Table:
    rows = []
    for tol, r in speedups.items():
        rows.append([f"{tol:g}", value_range(r["GD"], "{:.0f}"),
                     value_range(r["heavy ball"], "{:.0f}"),
                     value_range(r["GD"] / r["heavy ball"], "{:.2g}"),
                     value_range(r["μ"], "{:.3g}"),
                     "yes" if r["bracketed"].all() else "no"])
    return Table(["tolerance", "GD steps", "heavy ball steps", "speedup",
                  "heavy ball's μ", "bracketed"], rows, align="left")


# =============================================================== figures

from .. import plots  # noqa: E402

#: Width in inches of one panel of a row: two side by side fit the column.
PANEL_WIDTH = 3.3


def _panels(n: int, height: float = 3.4):
    return plots.panels(n, (PANEL_WIDTH, height))


def figure_velocity(momenta=(0.5, 0.9, 0.99), steps: int = 60) -> plots.PanelRow:
    """Left: the weight of each past gradient in heavy ball's and Nesterov's direction at
    μ = 0.9, against its age. Right: the step heavy ball takes on a constant gradient,
    in units of ρ, against t, for several μ, with its limit 1/(1 − μ)."""
    figs, (ax_w, ax_s) = _panels(2)
    age = np.arange(steps)
    for i, nesterov in enumerate((False, True)):
        w = gradient_weights(0.9, steps, nesterov)[::-1]
        ax_w.plot(age, w, color=plots.color(i), linestyle=plots.LINESTYLES[i], marker=".",
                  markersize=3, label="Nesterov" if nesterov else "heavy ball")
    ax_w.set_yscale("log")
    ax_w.set_xlabel("age of the gradient (steps)")
    ax_w.set_ylabel("its weight in the step (μ = 0.9)")
    plots.legend_below(ax_w)
    t = np.arange(1, 501)
    for i, mu in enumerate(momenta):
        ax_s.plot(t, effective_step(1.0, mu, t), color=plots.color(i),
                  linestyle=plots.LINESTYLES[i], label=f"μ = {mu:g}")
        ax_s.axhline(1 / (1 - mu), color=plots.color(i), linewidth=0.7, alpha=0.6)
    ax_s.set_xscale("log")
    ax_s.set_yscale("log")
    ax_s.set_xlabel("step t")
    ax_s.set_ylabel("step on a constant gradient (× ρ)")
    plots.legend_below(ax_s, ncols=3)
    return plots.PanelRow(figs, ["Weights of past gradients in heavy ball's and Nesterov's "
                                 "step, log scale", "Heavy ball's step on a constant "
                                 "gradient growing to its limit, log-log"])


REGION_COLOURS = {"overdamped": "#56B4E9", "underdamped": "#E69F00", "flipping": "#CC79A7",
                  "unstable": "0.75"}


def figure_regions(momenta=(0.0, 0.5, 0.81, 0.95)) -> plots.PanelRow:
    """Left: heavy ball's regimes over (ρλ, μ). Right: a direction's rate (its larger
    root modulus) against ρλ for several μ, with the two critical points of each."""
    figs, (ax_map, ax_rate) = _panels(2, 3.6)
    mu = np.linspace(0.0, 0.999, 400)
    low, high = critical_products(mu)
    ceiling = 2 * (1 + mu)
    left, right = 1e-3, 5.0
    ax_map.fill_betweenx(mu, left, low, color=REGION_COLOURS["overdamped"],
                         label="overdamped")
    ax_map.fill_betweenx(mu, low, high, color=REGION_COLOURS["underdamped"],
                         label="underdamped")
    ax_map.fill_betweenx(mu, high, ceiling, color=REGION_COLOURS["flipping"],
                         label="flips sign")
    ax_map.fill_betweenx(mu, ceiling, right, color=REGION_COLOURS["unstable"],
                         label="diverges")
    ax_map.plot(ceiling, mu, color="0.15", linewidth=1.0)
    ax_map.set_xscale("log")
    ax_map.set_xlim(left, right)
    ax_map.set_ylim(0, 1)
    ax_map.set_xlabel("ρλ of one direction")
    ax_map.set_ylabel("momentum μ")
    ax_map.grid(False)
    plots.legend_below(ax_map, ncols=2)
    h = np.geomspace(left, right, 2000)
    for i, m in enumerate(momenta):
        rate = convergence_rate(h[:, None], m, [1.0])
        ax_rate.plot(h, np.where(rate < 1.2, rate, np.nan), color=plots.color(i),
                     linestyle=plots.LINESTYLES[i], label=f"μ = {m:g}")
        if m > 0:
            lo, hi = critical_products(m)
            ax_rate.plot([lo, hi], [math.sqrt(m)] * 2, marker="o", markersize=4,
                         linestyle="none", color=plots.color(i))
    ax_rate.axhline(1.0, color="0.4", linewidth=0.8)
    ax_rate.set_xscale("log")
    ax_rate.set_xlim(left, right)
    ax_rate.set_ylim(0, 1.2)
    ax_rate.set_xlabel("ρλ of one direction")
    ax_rate.set_ylabel("rate: larger root modulus")
    plots.legend_below(ax_rate, ncols=2)
    return plots.PanelRow(figs, ["Heavy ball's regimes over the product of rate and "
                                 "curvature and the momentum", "The rate of one direction "
                                 "against the product of rate and curvature, for four "
                                 "momenta"])


def figure_race(result: KappaRace) -> plots.PanelRow:
    """Left: the tuned settle steps against κ (exact: filled; under noise: the range over
    the seeds), with the closed-form steps as lines. Right: gradient descent's steps over
    each momentum method's, against κ, with a line ∝ √κ."""
    figs, (ax_steps, ax_up) = _panels(2, 3.6)
    k = np.asarray(result.kappas)
    dense = np.geomspace(k[0], k[-1], 100)
    predicted = predicted_steps(dense)
    for i, m in enumerate(METHODS):
        exact = result.steps(m, "exact")[:, 0]
        noisy = result.steps(m, "noisy")
        ax_steps.plot(k, exact, marker="o", linestyle="none", color=plots.color(i),
                      label=f"{m}")
        shifted = k * (1 + 0.1 * (i - 1))
        ax_steps.vlines(shifted, noisy.min(axis=1), noisy.max(axis=1),
                        color=plots.color(i), linewidth=2.5, alpha=0.6)
        ax_steps.plot(shifted, np.median(noisy, axis=1), marker="o", markersize=5,
                      markerfacecolor="white", linestyle="none", color=plots.color(i))
        ax_steps.plot(dense, predicted[m], color=plots.color(i),
                      linestyle=plots.LINESTYLES[i], linewidth=1.0)
    ax_steps.set_xscale("log")
    ax_steps.set_yscale("log")
    ax_steps.set_xlabel("condition number κ")
    ax_steps.set_ylabel("steps to settle")
    ax_steps.set_title("tuned, against the closed form")
    plots.legend_below(ax_steps, ncols=3)
    for i, m in enumerate(METHODS[1:], start=1):
        ax_up.plot(k, result.speedups(m, "exact")[:, 0], marker="o", color=plots.color(i),
                   linestyle=plots.LINESTYLES[i], label=f"{m}, exact")
        up = result.speedups(m, "noisy")
        ax_up.fill_between(k, up.min(axis=1), up.max(axis=1), color=plots.color(i),
                           alpha=0.25, label=f"{m}, noisy")
    first = result.speedups("heavy ball", "exact")[0, 0]
    ax_up.plot(dense, first * np.sqrt(dense / k[0]), color="0.5", linestyle=":",
               label="∝ √κ")
    ax_up.set_xscale("log")
    ax_up.set_yscale("log")
    ax_up.set_xlabel("condition number κ")
    ax_up.set_ylabel("GD's steps / momentum's steps")
    ax_up.set_title("the speedup")
    plots.legend_below(ax_up, ncols=2)
    return plots.PanelRow(figs, ["Tuned settle steps of gradient descent, heavy ball and "
                                 "Nesterov against the condition number, log-log",
                                 "Speedup of the momentum methods over gradient descent "
                                 "against the condition number"])


def figure_valley(kappa: float = 400.0, lr: float = 0.01, alpha: float = 0.9,
                  momentum: float = 0.9, steps: int = 2500) -> plots.PanelRow:
    """RMSProp without and with momentum in the 45° valley. Left: the along-valley
    coordinate's distance (log). Right: the effective rate × λmax, with gradient descent's
    ceiling 2 and heavy ball's 2(1 + μ)."""
    valley = _objectives.rotated(kappa=kappa)
    figs, (ax_c, ax_r) = _panels(2, 3.6)
    t = np.arange(steps + 1)
    for i, mu in enumerate((0.0, momentum)):
        name = "RMSProp" if mu == 0 else f"RMSProp + momentum {mu:g}"
        run = minimize(RMSProp(lr=lr, alpha=alpha, momentum=mu), valley, valley.start, steps)
        c = eigen_coordinates(valley, run.thetas)
        ax_c.plot(t, np.abs(c[:, 0]), color=plots.color(i), linestyle=plots.LINESTYLES[i],
                  linewidth=1.0, label=f"{name}, along")
        ax_c.plot(t, np.abs(c[:, 1]), color=plots.color(i), linestyle=":", linewidth=0.8,
                  alpha=0.8, label=f"{name}, across")
        ax_r.plot(t[1:], run.lrs[:, 0] * kappa, color=plots.color(i),
                  linestyle=plots.LINESTYLES[i], linewidth=1.0, label=name)
    ax_c.set_yscale("log")
    ax_c.set_ylim(1e-6, 20)
    ax_c.set_xlabel("step t")
    ax_c.set_ylabel("distance to the minimum")
    ax_c.set_title(f"along and across the valley, κ = {kappa:g}")
    plots.legend_below(ax_c, ncols=1)
    ax_r.axhline(2.0, color="0.3", linestyle="--", linewidth=0.8, label="2 (GD's ceiling)")
    ax_r.axhline(2 * (1 + momentum), color="0.3", linestyle=":", linewidth=0.8,
                 label=f"2(1 + μ) = {2 * (1 + momentum):g}")
    ax_r.set_yscale("log")
    ax_r.set_xlabel("step t")
    ax_r.set_ylabel("effective rate × λmax")
    ax_r.set_title("how close to the stability ceiling")
    plots.legend_below(ax_r, ncols=1)
    return plots.PanelRow(figs, ["Distance to the minimum along and across the valley for "
                                 "RMSProp with and without momentum, log scale",
                                 "Effective rate times the steep curvature against the step"])


def figure_overshoot(kappa: float = 100.0, steps: int = 200,
                     path_steps: int = 60) -> plots.PanelRow:
    """Left: the first ``path_steps`` steps of three runs of :data:`OVERSHOOT_RUNS` on the
    bowl's contours. Right: every run's loss against the step (log)."""
    bowl = _objectives.ill_conditioned(kappa)
    opts = overshoot_optimizers(kappa)
    runs = {name: minimize(opt, bowl, bowl.start, steps) for name, opt in opts.items()}
    figs, (ax_p, ax_l) = _panels(2, 3.8)
    plots.contours(ax_p, bowl)
    shown = ("GD, ρ = 1/λmax", "heavy ball, μ = 0.9", "heavy ball at (ρ*, μ*)")
    for name in shown:
        i = list(opts).index(name)
        th = runs[name].thetas[:path_steps + 1]
        ax_p.plot(th[:, 0], th[:, 1], color=plots.color(i), linestyle=plots.LINESTYLES[i % 4],
                  marker=".", markersize=3, linewidth=1.0, label=name)
    ax_p.plot(*bowl.start, marker="o", color="0.15", markersize=5, linestyle="none",
              label="start")
    ax_p.set_xlim(-4.5, 2.0)
    ax_p.set_ylim(-4.0, 4.0)
    ax_p.set_title(f"the first {path_steps} steps, κ = {kappa:g}")
    plots.legend_below(ax_p, ncols=1)
    for i, (name, run) in enumerate(runs.items()):
        ax_l.plot(np.maximum(run.losses, 1e-16), color=plots.color(i),
                  linestyle=plots.LINESTYLES[i % 4], linewidth=1.0, label=name)
    ax_l.set_yscale("log")
    ax_l.set_ylim(1e-10, 1e3)
    ax_l.set_xlabel("step t")
    ax_l.set_ylabel("loss")
    plots.legend_below(ax_l, ncols=1)
    return plots.PanelRow(figs, ["Paths of gradient descent and heavy ball on the bowl's "
                                 "contours", "Loss of five runs against the step, log scale"])


def _cell_edges(centres, log: bool) -> np.ndarray:
    c = np.log(centres) if log else np.asarray(centres, dtype=float)
    mid = (c[1:] + c[:-1]) / 2
    edges = np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])
    return np.exp(edges) if log else edges


def figure_map(result: StabilityMap) -> plots.PanelRow:
    """Heavy ball (left) and Nesterov (right): the steps to settle below 10⁻⁶ of the start
    on the (ρ·λmax, μ) grid (light grey: not within the run; dark grey: the loss did not
    shrink or the run diverged),
    with the closed-form ceiling and each method's closed-form optimum."""
    from matplotlib.colors import ListedColormap, LogNorm
    from matplotlib.patches import Patch

    figs, axes = _panels(2, 3.7)
    lam = np.array([1.0, result.kappa])
    optima = {"heavy ball": optimal_heavy_ball(lam), "Nesterov": optimal_nesterov(lam)}
    x, y = _cell_edges(result.multiples, True), _cell_edges(result.momenta, False)
    norm = LogNorm(20, result.steps)
    for fig, ax, method in zip(figs, axes, ("heavy ball", "Nesterov")):
        settled = np.ma.masked_invalid(np.where(np.isfinite(result.settled[method]),
                                                result.settled[method], np.nan))
        ax.set_facecolor("0.82")
        image = ax.pcolormesh(x, y, settled, norm=norm, cmap="viridis_r", shading="flat")
        unstable = np.ma.masked_where(~(result.final[method] >= 1) & np.isfinite(
            result.final[method]), np.ones(settled.shape))
        ax.pcolormesh(x, y, unstable, cmap=ListedColormap(["0.55"]), shading="flat")
        ax.plot(result.ceiling(method), result.momenta, color="0.1", linewidth=1.2,
                linestyle="--", label="closed-form ceiling")
        rho, mu = (float(v) for v in optima[method])
        ax.plot([rho * result.kappa], [mu], marker="*", markersize=12, color="white",
                markeredgecolor="0.1", linestyle="none", label="closed-form optimum")
        ax.set_xscale("log")
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(y[0], y[-1])
        ax.set_xlabel("ρ · λmax")
        ax.set_ylabel("momentum μ")
        ax.set_title(f"{method}, κ = {result.kappa:g}")
        ax.grid(False)
        fig.colorbar(image, ax=ax, label="steps to settle")
        handles = ax.get_legend_handles_labels()[0] + [
            Patch(facecolor="0.82", label=f"not in {result.steps} steps"),
            Patch(facecolor="0.55", label="does not shrink")]
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return plots.PanelRow(figs, ["Heavy ball's steps to settle over the grid of rate and "
                                 "momentum, with its ceiling", "Nesterov's steps to settle "
                                 "over the same grid, with its ceiling"])


def figure_noise(floors: NoiseFloors, speedups: Mapping) -> plots.PanelRow:
    """Left: heavy ball's noise floor against 1/(1 − μ) at a fixed ρ and at a fixed
    ρ/(1 − μ): closed form (lines) and measured (range over seeds). Right: the tuned
    speedup of heavy ball over gradient descent under noise, against the tolerance."""
    figs, (ax_f, ax_s) = _panels(2, 3.6)
    dense = 1 - np.geomspace(1.0, 0.005, 200)
    eig = np.array([1.0, 10.0])
    lr = float(floors.lrs["fixed ρ"][0])
    for i, (series, rho) in enumerate((("fixed ρ", np.full(dense.shape, lr)),
                                       ("fixed ρ/(1−μ)", lr * (1 - dense)))):
        sigma = 1.0
        ax_f.plot(1 / (1 - dense), noise_floor(rho, dense, eig, sigma), color=plots.color(i),
                  linestyle=plots.LINESTYLES[i], label=f"{series}: closed form")
        m = floors.measured[series]
        x = 1 / (1 - floors.momenta)
        ax_f.errorbar(x, m.mean(axis=0), yerr=[m.mean(axis=0) - m.min(axis=0),
                                                m.max(axis=0) - m.mean(axis=0)],
                      marker="o", markersize=4, linestyle="none", color=plots.color(i),
                      capsize=2, label=f"{series}: measured")
    ax_f.set_xscale("log")
    ax_f.set_yscale("log")
    ax_f.set_xlabel("1 / (1 − μ)")
    ax_f.set_ylabel("stationary loss")
    ax_f.set_title("the noise floor")
    plots.legend_below(ax_f, ncols=1)
    tols = np.array(sorted(speedups))
    up = np.array([speedups[t]["GD"] / speedups[t]["heavy ball"] for t in tols])
    ax_s.errorbar(tols, np.median(up, axis=1), yerr=[np.median(up, axis=1) - up.min(axis=1),
                                                     up.max(axis=1) - np.median(up, axis=1)],
                  marker="o", color=plots.color(0), capsize=3, label="heavy ball over GD")
    ax_s.axhline(1.0, color="0.4", linewidth=0.8)
    ax_s.set_xscale("log")
    ax_s.set_xlabel("tolerance (× start loss)")
    ax_s.set_ylabel("tuned speedup under noise")
    ax_s.set_title("closer to the floor, less gain")
    plots.legend_below(ax_s)
    return plots.PanelRow(figs, ["Noise floor of heavy ball against one over one minus the "
                                 "momentum, log-log", "Speedup of tuned heavy ball over tuned "
                                 "gradient descent under noise against the tolerance"])


# =============================================================== small helpers of the text


def regime(lr, momentum, eigenvalues) -> np.ndarray:
    """Heavy ball's regime per direction, with the two real-root cases told apart:
    ``"overdamped"`` (positive real roots), ``"critical"``, ``"underdamped"`` (complex
    roots), ``"flips sign"`` (a negative real root dominates, the zig-zag) or
    ``"unstable"`` (a root of modulus ≥ 1); shape ``(..., d)``."""
    rho, mu, lam = _inputs(lr, momentum, eigenvalues)
    kind = damping(lr, momentum, eigenvalues)
    flipping = (kind == "overdamped") & (1 + mu - rho * lam < 0)
    unstable = _moduli(rho, mu, lam, False).max(axis=-1) >= 1
    kind = np.where(flipping, "flips sign", kind)
    return np.where(unstable, "unstable", kind)


def roots_table(lr, momentum, eigenvalues, nesterov: bool = False) -> Table:
    """Per direction: ρλ, both root moduli, heavy ball's regime (for heavy ball) and the
    steps per decade of that direction."""
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    moduli = root_moduli(lr, momentum, lam, nesterov)
    kinds = regime(lr, momentum, lam) if not nesterov else [""] * lam.size
    rows = [[f"{v:g}", float(lr) * v, m[0], m[1], str(k), float(steps_per_decade(m[0]))]
            for v, m, k in zip(lam, moduli, kinds)]
    headers = ["λ", "ρλ", "|z₁|", "|z₂|", "regime" if not nesterov else "", "steps per decade"]
    if nesterov:
        rows = [r[:4] + r[5:] for r in rows]
        headers = headers[:4] + headers[5:]
    return Table(headers, rows, fmt="{:.4g}")


def velocity_table(lr: float = 0.1, momentum: float = 0.9,
                   steps=(1, 2, 3, 5, 10, 20, 50, 100)) -> Table:
    """Heavy ball's and Nesterov's steps on a constant gradient g = 1 (one coordinate),
    replayed with :func:`adaptive_lr.trace.trace`, in units of ρ, beside the closed form
    (1 − μ^t)/(1 − μ) and the limit 1/(1 − μ)."""
    from ..trace import trace

    last = max(steps)
    ones = np.ones((last, 1))
    heavy = -trace(SGD(lr=lr, momentum=momentum), ones).deltas[:, 0] / lr
    nest = -trace(SGD(lr=lr, momentum=momentum, nesterov=True), ones).deltas[:, 0] / lr
    rows = [[t, heavy[t - 1], float(effective_step(1.0, momentum, t)), nest[t - 1]]
            for t in steps]
    rows.append(["limit", None, float(effective_step(1.0, momentum)), None])
    return Table(["t", "heavy ball |ΔΘ|/ρ", "(1 − μᵗ)/(1 − μ)", "Nesterov |ΔΘ|/ρ"], rows,
                 fmt="{:.4f}")


def sutskever_nesterov(quadratic, lr: float, momentum: float, steps: int) -> np.ndarray:
    r"""Sutskever et al.'s form of Nesterov's method, :math:`v \leftarrow \mu v -
    \rho\nabla f(\theta + \mu v)`, :math:`\theta \leftarrow \theta + v`, from the start at
    rest; returns the look-ahead points :math:`\theta_t + \mu v_t`, ``(steps + 1, d)``,
    which are the iterates of ``alr.SGD(nesterov=True)``."""
    theta = np.asarray(quadratic.start, dtype=float).copy()
    v = np.zeros_like(theta)
    out = [theta + momentum * v]
    for t in range(steps):
        v = momentum * v - lr * quadratic.grad(theta + momentum * v, t)
        theta = theta + v
        out.append(theta + momentum * v)
    return np.array(out)


def fixed_momentum_best(momentum, eigenvalues, grid=None) -> tuple[float, float]:
    """The best closed-form rate over ρ at a fixed μ (on a fine grid of ρ·λmax up to the
    ceiling) and the ρ that gives it."""
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    top = float(stable_lr_bound(momentum, lam))
    grid = np.linspace(top * 1e-4, top, 20001) if grid is None else np.asarray(grid)
    rate = convergence_rate(grid, momentum, lam)
    i = int(np.argmin(rate))
    return float(rate[i]), float(grid[i])


# --------------------------------------------------------------- scrubber and widget


class DampingScrub:
    """The damped oscillator on a bowl, frame by frame: heavy ball at a fixed ρ for the μ
    of each frame (:func:`adaptive_lr.plots.scrubber`). Left: its path (with gradient
    descent's at the same ρ) on the contours. Right: each direction's distance to the
    minimum and the closed-form envelope rate^t. :meth:`update` returns the readout."""

    def __init__(self, kappa: float = 25.0, lr: float | None = None, steps: int = 80):
        self.bowl = _objectives.ill_conditioned(kappa)
        self.lam = spectrum(self.bowl)
        self.lr = 1.0 / kappa if lr is None else float(lr)
        self.steps = steps
        self.figures, (self.ax_path, self.ax_dist) = _panels(2, 3.6)
        plots.contours(self.ax_path, self.bowl)
        gd = minimize(SGD(lr=self.lr), self.bowl, self.bowl.start, steps)
        self.ax_path.plot(gd.thetas[:, 0], gd.thetas[:, 1], color="0.45", linewidth=1.0,
                          label="GD, same ρ")
        (self.path,) = self.ax_path.plot([], [], color=plots.color(1), marker=".",
                                         markersize=3, linewidth=1.2, label="heavy ball")
        self.ax_path.plot(*self.bowl.start, marker="o", color="0.15", markersize=5,
                          linestyle="none", label="start")
        self.ax_path.set_xlim(-4.5, 3.0)
        self.ax_path.set_ylim(-2.5, 2.5)
        plots.legend_below(self.ax_path, ncols=2)
        t = np.arange(steps + 1)
        self.t = t
        self.lines, self.envelopes = [], []
        for k, name in enumerate(("along (λ = 1)", f"across (λ = {kappa:g})")):
            (line,) = self.ax_dist.plot([], [], color=plots.color(k),
                                        linestyle=plots.LINESTYLES[k], linewidth=1.2,
                                        label=name)
            (env,) = self.ax_dist.plot([], [], color=plots.color(k), linestyle=":",
                                       linewidth=0.9)
            self.lines.append(line)
            self.envelopes.append(env)
        self.ax_dist.plot([], [], color="0.3", linestyle=":", label="rateᵗ (closed form)")
        self.ax_dist.set_yscale("log")
        self.ax_dist.set_xlim(0, steps)
        self.ax_dist.set_ylim(1e-8, 10)
        self.ax_dist.set_xlabel("step t")
        self.ax_dist.set_ylabel("|distance| per direction")
        plots.legend_below(self.ax_dist, ncols=2)

    def update(self, momentum: float) -> list[str]:
        run = minimize(SGD(lr=self.lr, momentum=momentum), self.bowl, self.bowl.start,
                       self.steps)
        self.path.set_data(run.thetas[:, 0], run.thetas[:, 1])
        offset = np.abs(run.thetas - self.bowl.minimizer)
        moduli = root_moduli(self.lr, momentum, self.lam)[:, 0]
        kinds = regime(self.lr, momentum, self.lam)
        for k in range(2):
            self.lines[k].set_data(self.t, np.maximum(offset[:, k], 1e-300))
            self.envelopes[k].set_data(self.t, offset[0, k] * moduli[k] ** self.t)
        self.ax_path.set_title(f"μ = {momentum:g}, ρ = {self.lr:g}")
        settled = _relative_settle(run, RACE_TOLERANCE)
        when = f"settles below 10⁻⁶ of the start loss at step {int(settled)}" \
            if np.isfinite(settled) else f"not settled below 10⁻⁶ of the start loss in " \
            f"{self.steps} steps"
        return [f"along the valley: {kinds[0]}, rate {moduli[0]:.3f}; across: {kinds[1]}, "
                f"rate {moduli[1]:.3f}", f"heavy ball {when}"]


def damping_scrubber(momenta=(0.0, 0.3, 0.5, 0.64, 0.75, 0.85, 0.9, 0.95),
                     kappa: float = 25.0, steps: int = 80, initial: int = 3):
    """:class:`DampingScrub` over ``momenta`` as a kernel-free slider."""
    scrub = DampingScrub(kappa, steps=steps)
    return plots.scrubber(scrub.figures, scrub.update, list(momenta), name="momentum-mu",
                          label=f"μ (κ = {kappa:g}, ρ = 1/λmax)",
                          alt=["Path of heavy ball and of gradient descent on the bowl",
                               "Distance to the minimum per direction, log scale, with "
                               "the closed-form envelope"], initial=initial)


@functools.lru_cache(maxsize=None)
def _valley(kappa: float):
    return _objectives.rotated(kappa=kappa)


def widget_valley(rho: float = None, mu: float = None, kappa: float = 100.0):
    """The widget's 45° valley for the controls' κ (ρ and μ do not change it); the same
    object for the same κ, so the contours are drawn once per κ."""
    return _valley(float(kappa))


def widget_optimizers(rho: float, mu: float, kappa: float) -> list[SGD]:
    """Gradient descent, heavy ball and (for μ > 0) Nesterov at the widget's ρ and μ."""
    out = [SGD(lr=rho, name="GD"), SGD(lr=rho, momentum=mu, name="heavy ball")]
    if mu > 0:
        out.append(SGD(lr=rho, momentum=mu, nesterov=True, name="Nesterov"))
    return out
