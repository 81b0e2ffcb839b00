"""Objectives that change with the step: a moving minimum, noisy gradients, alternating signs."""
from __future__ import annotations

import numpy as np

from .. import _validation as check
from .._validation import positive_int

from .base import Objective, _frozen, _pair, _scalar, _window


class NonStationary(Objective):
    r"""A separable quadratic whose curvature and minimum jump at ``switch_step``.

    .. math::

       f_t(\theta) = \tfrac12 \sum_{i=1}^{2} k_i(t)\,(\theta_i - c_i(t))^2, \qquad
       (k, c)(t) = \begin{cases} (k^{\text{before}}, c^{\text{before}}) & t < T \\
                                 (k^{\text{after}}, c^{\text{after}}) & t \ge T, \end{cases}

    with :math:`T` = ``switch_step`` and :math:`\nabla f_t = k(t) \odot (\theta - c(t))`.
    The defaults make the first phase steep (curvature 10) and the second gentle
    (curvature 1) with the minimum moved from ``(0, 0)`` to ``(3, -2)``. AdaGrad's sum of
    squared gradients is dominated by the large early gradients, so after the switch its
    steps are tiny and it barely moves; RMSProp's moving average forgets them within about
    :math:`1/(1-\alpha)` steps (α its decay; ρ is the learning rate) and moves towards the
    new minimum, near which a constant ρ keeps it hovering at a distance set by ρ.

    ``minimizer`` and ``f_min`` describe the final landscape; :meth:`minimizer_at` gives the
    minimizer at any step. The start is ``center_before + (-3, 2)``.

    Args:
      center_before, center_after: the minimizer in each phase, shape ``(2,)``.
      curvature_before, curvature_after: the per-coordinate curvatures :math:`k_i > 0` in
        each phase, a scalar or shape ``(2,)``.
      switch_step: the first step :math:`T \ge 0` that sees the second landscape.
    """

    def __init__(self, center_before=(0.0, 0.0), center_after=(3.0, -2.0),
                 curvature_before=10.0, curvature_after=1.0, switch_step: int = 100):
        self.center_before = _pair("center_before", center_before, low=-np.inf)
        self.center_after = _pair("center_after", center_after, low=-np.inf)
        self.curvature_before = _pair("curvature_before", curvature_before,
                                      allow_scalar=True, low=0.0, low_open=True)
        self.curvature_after = _pair("curvature_after", curvature_after,
                                     allow_scalar=True, low=0.0, low_open=True)
        self.switch_step = positive_int("switch_step", switch_step, minimum=0)
        self.name = "non-stationary quadratic"
        self.minimizer = self.center_after
        self.f_min = 0.0
        self.start = _frozen(self.center_before + np.array([-3.0, 2.0]))
        self.xlim, self.ylim = _window(self.start, self.center_before, self.center_after)

    def minimizer_at(self, step: int) -> np.ndarray:
        """The minimizer of the landscape that step ``step`` sees."""
        return self._phase(positive_int("step", step, minimum=0))[1]

    def _phase(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        if step < self.switch_step:
            return self.curvature_before, self.center_before
        return self.curvature_after, self.center_after

    def _value(self, theta, step):
        k, c = self._phase(step)
        d = theta - c.astype(theta.dtype)
        return 0.5 * np.sum(k.astype(theta.dtype) * d ** 2, axis=-1)

    def _grad(self, theta, step):
        k, c = self._phase(step)
        return k.astype(theta.dtype) * (theta - c.astype(theta.dtype))


class Noisy(Objective):
    r"""Any objective with Gaussian noise added to its gradient.

    .. math::

       \tilde g_t(\theta) = \nabla f(\theta) + \sigma\,\xi_t, \qquad
       \xi_t \sim \mathcal N(0, I),

    a model of minibatch gradients. ``value`` stays the clean :math:`f`, so loss curves
    measure progress on the true objective. The noise is a pure function of
    ``(seed, step)`` -- drawn from ``np.random.default_rng([seed, step])`` -- so asking for
    the gradient at the same step twice gives the same noise and runs replay exactly with no
    hidden state. Every entry of a batch gets its own independent draw. The landscape
    attributes (``minimizer``, ``f_min``, ``xlim``, ``ylim``, ``start``) are the wrapped
    objective's.

    Args:
      objective: the clean :class:`Objective`.
      sigma: noise standard deviation per coordinate, >= 0 (0 gives the clean gradient).
      seed: a non-negative integer selecting the noise sequence.
    """

    def __init__(self, objective: Objective, sigma: float = 0.1, seed: int = 0):
        if not isinstance(objective, Objective):
            raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
        self.objective = objective
        self.sigma = _scalar("sigma", sigma, low=0.0)
        self.seed = positive_int("seed", seed, minimum=0)
        self.name = f"noisy {objective.name} (σ={self.sigma:g})"
        self.dim = objective.dim
        self.minimizer = objective.minimizer
        self.f_min = objective.f_min
        self.xlim, self.ylim = objective.xlim, objective.ylim
        self.start = objective.start

    def minimizer_at(self, step: int) -> np.ndarray | None:
        return self.objective.minimizer_at(step)

    def _value(self, theta, step):
        return self.objective._value(theta, step)

    def _grad(self, theta, step):
        noise = np.random.default_rng([self.seed, step]).standard_normal(theta.shape)
        return self.objective._grad(theta, step) + (self.sigma * noise).astype(theta.dtype)


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
