r"""Closed forms and experiments behind the chapter on noise, batch size and schedules.

**The noise floor.** On a quadratic with curvatures :math:`\lambda_i`, minibatch gradients
:math:`g = \nabla f + \xi` with noise of variance :math:`\sigma^2/B` per coordinate (B the
batch size) make gradient descent with a constant ρ a linear recursion driven by noise,
:math:`\delta_{t+1} = (1-\rho\lambda)\,\delta_t - \rho\,\xi_t`. Its stationary variance is
:math:`\rho\sigma^2 / (B\lambda(2-\rho\lambda))`, so the expected excess loss it hovers at is

.. math::

   \mathbb E[f - f^\star] = \sum_i \frac{\rho\,\sigma^2}{2B\,(2 - \rho\lambda_i)}
   \qquad (0 < \rho\lambda_i < 2),

proportional to ρ and to 1/B (:func:`sgd_noise_floor`): halving the rate or doubling the
batch halves the floor, which is why a decaying ρ is needed to converge.

**What r estimates.** RMSProp's and Adam's average of :math:`g\odot g` tends to
:math:`\mathbb E[g^2] = m^2 + s^2` (mean m, standard deviation s of a coordinate's gradient),
so the step along a coordinate is about :math:`\rho\, m / \sqrt{m^2 + s^2} = \rho\,
\mathrm{SNR}/\sqrt{1 + \mathrm{SNR}^2}` with :math:`\mathrm{SNR} = |m|/s`
(:func:`normalized_step`): about ρ where the signal dominates, about ρ·SNR, small, where the
noise does. An adaptive rate is a signal-to-noise rate.

**AdaGrad's built-in schedule.** For online convex losses with gradients :math:`g_t` and
iterates kept within :math:`\ell_\infty` radius :math:`D_\infty` of the comparator, diagonal
AdaGrad with step η has regret (Duchi, Hazan & Singer 2011, Theorem 5)

.. math::

   R(T) \le \frac{D_\infty^2}{2\eta} \sum_i \|g_{1:T,i}\|_2
          + \eta \sum_i \|g_{1:T,i}\|_2 ,

which depends on the data: :math:`\|g_{1:T,i}\|_2 \le G\sqrt T`, so :math:`O(\sqrt T)` at
worst, and much less for coordinates that are rarely non-zero (:func:`adagrad_regret_bound`,
:func:`online_regret`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as check
from ..trace import trace

__all__ = ["sgd_noise_floor", "normalized_step", "adagrad_regret_bound", "OnlineQuadratic",
           "online_regret", "OnlineRegret"]


def sgd_noise_floor(lr, eigenvalues, sigma, batch_size=1) -> np.ndarray:
    r"""Expected excess loss :math:`\sum_i \rho\sigma^2/(2B(2-\rho\lambda_i))` at which
    constant-ρ gradient descent hovers on a quadratic with gradient noise of standard
    deviation σ per coordinate for one example, averaged over batches of ``batch_size``.

    ``lr`` and ``batch_size`` broadcast against each other; ``eigenvalues`` have the
    directions on their last axis. ∞ where some :math:`\rho\lambda_i \ge 2` (no stationary
    state: the run diverges).
    """
    rho = check.hyperparameter("lr", lr)[..., None]
    lam = check.hyperparameter("eigenvalues", eigenvalues, low=0.0, low_open=True)
    if lam.ndim == 0:
        raise ValueError("eigenvalues must have the directions on a last axis, e.g. shape (d,)")
    sigma = check.hyperparameter("sigma", sigma)[..., None]
    batch = check.hyperparameter("batch_size", batch_size, low=1.0)[..., None]
    stable = rho * lam < 2
    with np.errstate(divide="ignore"):
        per_direction = rho * sigma ** 2 / (2 * batch * np.where(stable, 2 - rho * lam, 1.0))
    return np.where(stable.all(axis=-1), per_direction.sum(axis=-1), np.inf)


def normalized_step(lr, mean, std) -> np.ndarray:
    r""":math:`\rho\,|m|/\sqrt{m^2 + s^2}`: the size of an RMSProp/Adam step once its average
    of :math:`g^2` has settled at :math:`\mathbb E[g^2] = m^2 + s^2` (ε neglected).

    0 where both m and s are 0 (no gradient at all)."""
    rho = check.hyperparameter("lr", lr)
    m = np.abs(check.hyperparameter("mean", mean, low=-np.inf))
    s = check.hyperparameter("std", std)
    rms = np.sqrt(m * m + s * s)
    return rho * np.divide(m, rms, out=np.zeros(np.broadcast(m, rms).shape), where=rms > 0)


def adagrad_regret_bound(grads, radius: float, lr: float) -> float:
    r"""Duchi et al.'s bound :math:`\frac{D_\infty^2}{2\eta}\sum_i\|g_{1:T,i}\|_2 +
    \eta\sum_i\|g_{1:T,i}\|_2` for the gradients ``grads`` (shape ``(T, d)``), the
    :math:`\ell_\infty` radius :math:`D_\infty` = ``radius`` and step η = ``lr``."""
    g = check.float_array("grads", grads)
    if g.ndim != 2 or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T, d) with T ≥ 1, got {g.shape}")
    radius = float(check.hyperparameter("radius", radius, low_open=True))
    eta = float(check.hyperparameter("lr", lr, low_open=True))
    column_norms = float(np.sqrt((g * g).sum(axis=0)).sum())
    return (radius ** 2 / (2 * eta) + eta) * column_norms


@dataclass(frozen=True)
class OnlineQuadratic:
    r"""An online problem: at step t the loss is :math:`\tfrac12\|x - z_t\|^2` with targets
    :math:`z_t` drawn i.i.d. (seeded) around ``center``; coordinate i is *active* (its target
    differs from the center) with probability ``active[i]``, so rarely active coordinates get
    rare gradients, as rare features do. The best fixed point in hindsight is the mean target.

    Attributes:
      center: the targets' centre, shape ``(d,)``.
      active: per-coordinate probability that a target moves that coordinate.
      spread: the size of a move.
      seed: the seed of the target sequence.
    """

    center: np.ndarray
    active: np.ndarray
    spread: float = 1.0
    seed: int = 0

    def targets(self, steps: int) -> np.ndarray:
        """The targets :math:`z_1, \\dots, z_T`, shape ``(T, d)``."""
        steps = check.positive_int("steps", steps)
        center = check.hyperparameter("center", self.center, low=-np.inf)
        active = check.hyperparameter("active", self.active, high=1.0, high_open=False)
        rng = np.random.default_rng(check.positive_int("seed", self.seed, minimum=0))
        moves = rng.standard_normal((steps, center.size)) * self.spread
        return center + moves * (rng.random((steps, center.size)) < active)


@dataclass(frozen=True)
class OnlineRegret:
    """The result of :func:`online_regret`.

    Attributes:
      regret: cumulative regret after each step, shape ``(T,)``, against the best fixed point
        in hindsight over the whole run.
      bound: Duchi et al.'s bound for the run's own gradients, with the run's own radius.
      grads: the gradients the learner saw, shape ``(T, d)``.
    """

    regret: np.ndarray
    bound: float
    grads: np.ndarray


def online_regret(opt, problem: OnlineQuadratic, steps: int, x0=None) -> OnlineRegret:
    r"""Play ``opt`` on ``problem`` for ``steps`` rounds and measure its regret.

    Round t plays :math:`x_t`, then sees the loss :math:`\tfrac12\|x_t - z_t\|^2` and its
    gradient :math:`x_t - z_t`. Regret: :math:`\sum_t f_t(x_t) - \min_x \sum_t f_t(x)`, the
    minimum at the mean target. The bound uses the radius :math:`D_\infty` the run actually
    needed (the largest :math:`|x_t - x^\star|` over coordinates and rounds) and the
    optimizer's ``lr`` as η.
    """
    z = problem.targets(steps)
    x0 = np.asarray(problem.center, dtype=float) * 0 if x0 is None else np.asarray(x0, float)
    replay = trace(opt, lambda x, t: x - z[t], x0, steps)
    xs = replay.thetas[:-1]
    losses = 0.5 * ((xs - z) ** 2).sum(axis=1)
    best = z.mean(axis=0)
    best_losses = 0.5 * ((best - z) ** 2).sum(axis=1)
    regret = np.cumsum(losses - best_losses)
    radius = float(np.abs(xs - best).max()) or 1.0
    return OnlineRegret(regret, adagrad_regret_bound(replay.grads, radius, float(opt.lr)),
                        replay.grads)
