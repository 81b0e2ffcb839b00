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
    "spectrum", "condition_number", "stable_lr_bound", "contraction_factors",
    "convergence_rate", "optimal_lr", "optimal_rate", "gd_iterates", "loss_gap",
    "steps_to_tolerance", "steps_bound",
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
