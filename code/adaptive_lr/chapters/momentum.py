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
           "optimal_heavy_ball", "heavy_ball_rate_at_optimum", "steps_to_shrink"]

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
    if _form(nesterov):
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
