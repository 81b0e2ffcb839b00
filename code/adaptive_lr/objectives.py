"""Two-dimensional test objectives with analytic, vectorized gradients.

Each objective maps parameters ``theta`` of shape ``(..., 2)`` to values of shape ``(...)``,
so one call evaluates a whole batch of runs or a contour grid. Gradients are exact (no
finite differences), which keeps every optimizer trajectory in the book reproducible to
the last bit and lets the tests check them against finite differences instead.

The gallery covers the regimes where adaptive learning rates differ:

* :func:`ill_conditioned` -- an axis-aligned ill-conditioned quadratic, where a diagonal
  preconditioner such as AdaGrad's removes the conditioning;
* :func:`rotated` -- the same quadratic rotated by 45°, where a diagonal preconditioner no
  longer matches the curvature and the advantage fades;
* :class:`Rosenbrock` and :class:`Beale` -- curved valleys and plateaus;
* :class:`Saddle` -- escaping a saddle point;
* :class:`NonStationary` -- a landscape that changes mid-run, which AdaGrad cannot follow
  but RMSProp and Adam can;
* :class:`Noisy` -- stochastic gradients around any of the above.
"""
from __future__ import annotations

import numpy as np

from adaptive_lr._validation import float_array, hyperparameter, positive_int

__all__ = ["Objective", "Quadratic", "Rosenbrock", "Beale", "Saddle", "NonStationary",
           "Noisy", "ill_conditioned", "rotated", "gallery", "contour_grid"]


def _scalar(name: str, value, **bounds) -> float:
    """``value`` as a Python float in the given interval (a Python float, unlike a numpy
    scalar, keeps a float32 ``theta`` in float32 when the two are multiplied)."""
    array = hyperparameter(name, value, **bounds)
    if array.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {array.shape}")
    return float(array)


def _pair(name: str, value, *, allow_scalar: bool = False, **bounds) -> np.ndarray:
    """``value`` as a read-only float64 array of shape ``(2,)`` in the given interval."""
    array = hyperparameter(name, value, **bounds)
    if allow_scalar and array.ndim == 0:
        array = np.broadcast_to(array, (2,)).copy()
    if array.shape != (2,):
        allowed = "a scalar or shape (2,)" if allow_scalar else "shape (2,)"
        raise ValueError(f"{name} must have {allowed}, got shape {array.shape}")
    return _frozen(array)


def _frozen(values) -> np.ndarray:
    """A read-only float64 copy, so a runner that updates ``theta = obj.start`` in place
    fails loudly instead of silently moving every later run's start point."""
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


def _window(*points, margin: float = 1.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """The smallest box holding ``points``, widened by ``margin`` on every side."""
    pts = np.array(points, dtype=np.float64)
    low, high = pts.min(axis=0) - margin, pts.max(axis=0) + margin
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


class Objective:
    """A differentiable function of two parameters, evaluated over any batch shape.

    Subclasses implement ``_value`` and ``_grad`` on validated input and set the attributes:

    Attributes:
      name: short human-readable label, e.g. ``"Rosenbrock"``.
      minimizer: a global minimizer, shape ``(2,)``, or ``None`` if the function is unbounded.
      f_min: the value at ``minimizer``.
      xlim, ylim: a plot window holding the interesting region and ``start``.
      start: the standard start point the chapters use, shape ``(2,)``.

    ``step`` is the optimizer's 0-based count of gradient evaluations; only time-varying
    (:class:`NonStationary`) and stochastic (:class:`Noisy`) objectives depend on it.
    """

    dim = 2
    name: str
    minimizer: np.ndarray | None
    f_min: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: np.ndarray

    def value(self, theta, step: int = 0) -> np.ndarray:
        """Function value, shape ``theta.shape[:-1]``, in ``theta``'s dtype."""
        theta = self._theta(theta)
        return self._value(theta, positive_int("step", step, minimum=0))

    def grad(self, theta, step: int = 0) -> np.ndarray:
        """Gradient with respect to ``theta``, shape ``theta.shape``, in ``theta``'s dtype."""
        theta = self._theta(theta)
        return self._grad(theta, positive_int("step", step, minimum=0))

    def __call__(self, theta, step: int = 0) -> np.ndarray:
        return self.value(theta, step)

    def minimizer_at(self, step: int) -> np.ndarray | None:
        """The minimizer of the landscape seen at ``step`` (constant unless time-varying)."""
        positive_int("step", step, minimum=0)
        return self.minimizer

    def distance_to_minimum(self, theta, step: int | None = None) -> np.ndarray:
        """Euclidean distance from ``theta`` to the minimizer, shape ``theta.shape[:-1]``.

        With ``step`` given, the distance is to :meth:`minimizer_at` that step, so a moving
        minimum is tracked; without it, to the final ``minimizer``.
        """
        theta = self._theta(theta)
        target = self.minimizer if step is None else self.minimizer_at(step)
        if target is None:
            raise ValueError(f"{self.name} has no minimizer (it is unbounded below), so "
                             f"distance_to_minimum is undefined")
        return np.linalg.norm(theta - target.astype(theta.dtype), axis=-1)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name}>"

    def _theta(self, theta) -> np.ndarray:
        theta = float_array("theta", theta)
        if theta.ndim == 0 or theta.shape[-1] != self.dim:
            raise ValueError(f"theta must have shape (..., {self.dim}), got {theta.shape}")
        return theta

    def _value(self, theta: np.ndarray, step: int) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, theta: np.ndarray, step: int) -> np.ndarray:
        raise NotImplementedError


class Quadratic(Objective):
    r"""A positive-definite quadratic bowl with chosen curvatures and orientation.

    .. math::

       f(\theta) = \tfrac12 (\theta - c)^\top A (\theta - c), \qquad
       A = R(\varphi)\,\mathrm{diag}(\lambda_1, \lambda_2)\,R(\varphi)^\top, \qquad
       \nabla f(\theta) = A(\theta - c),

    where :math:`R(\varphi)` rotates by the angle :math:`\varphi`. The condition number
    :math:`\kappa = \lambda_{\max}/\lambda_{\min}` sets how slowly plain gradient descent
    converges. With :math:`\varphi = 0` the curvature is axis-aligned, so a per-coordinate
    (diagonal) step size can undo it exactly; rotated, it cannot.

    The start point is :math:`c + R(\varphi)\,(-4, 1.5)`: it turns with the landscape, so a
    rotated bowl is the same problem in a rotated basis and any rotation-invariant optimizer
    (plain gradient descent, momentum) follows the same, rotated, path.

    Args:
      eigenvalues: the curvatures :math:`(\lambda_1, \lambda_2)`, both > 0.
      angle: rotation :math:`\varphi` in radians of the first eigenvector from the x axis.
      center: the minimizer :math:`c`.
    """

    def __init__(self, eigenvalues=(1.0, 25.0), angle: float = 0.0, center=(0.0, 0.0)):
        self.eigenvalues = _pair("eigenvalues", eigenvalues, low=0.0, low_open=True)
        self.angle = _scalar("angle", angle, low=-np.inf)
        c = _pair("center", center, low=-np.inf)
        cos, sin = np.cos(self.angle), np.sin(self.angle)
        self._rotation = np.array([[cos, -sin], [sin, cos]])
        self._hessian = _frozen(self._rotation @ np.diag(self.eigenvalues) @ self._rotation.T)

        kappa = self.condition_number
        # A rotation by a multiple of 90° only swaps the axes: still diagonal.
        turned = abs(np.sin(2 * self.angle)) > 1e-12
        self.name = ("isotropic quadratic" if kappa == 1.0 else
                     ("rotated " if turned else "") + "ill-conditioned quadratic")
        self.minimizer = c
        self.f_min = 0.0
        self.start = _frozen(c + self._rotation @ np.array([-4.0, 1.5]))
        # |start - c| = 4.27 whatever the angle, so a ±5 square always holds it.
        self.xlim = (float(c[0]) - 5.0, float(c[0]) + 5.0)
        self.ylim = (float(c[1]) - 5.0, float(c[1]) + 5.0)

    @property
    def hessian(self) -> np.ndarray:
        """The constant Hessian :math:`A`, shape ``(2, 2)``."""
        return self._hessian

    @property
    def condition_number(self) -> float:
        r""":math:`\kappa = \lambda_{\max} / \lambda_{\min}`."""
        return float(self.eigenvalues.max() / self.eigenvalues.min())

    def _value(self, theta, step):
        d = theta - self.minimizer.astype(theta.dtype)
        return 0.5 * np.sum(d * (d @ self._hessian.astype(theta.dtype)), axis=-1)

    def _grad(self, theta, step):
        # A is symmetric, so the row-vector product d @ A equals (A d)ᵀ for every batch row.
        d = theta - self.minimizer.astype(theta.dtype)
        return d @ self._hessian.astype(theta.dtype)


def ill_conditioned(kappa: float = 25.0) -> Quadratic:
    r"""The axis-aligned quadratic with eigenvalues :math:`(1, \kappa)`, start ``(-4, 1.5)``.

    Gradient descent is stable only for step sizes below :math:`2/\kappa`, and then crawls
    along the flat x axis; AdaGrad's per-coordinate scaling equalizes the two directions.
    """
    kappa = _scalar("kappa", kappa, low=1.0)
    return Quadratic(eigenvalues=(1.0, kappa))


def rotated(kappa: float = 25.0, angle: float = np.pi / 4) -> Quadratic:
    r"""The :func:`ill_conditioned` quadratic turned by ``angle`` (default 45°).

    Its eigenvalues and condition number are unchanged, but the curvature now couples the
    coordinates, which a diagonal preconditioner cannot undo.
    """
    kappa = _scalar("kappa", kappa, low=1.0)
    return Quadratic(eigenvalues=(1.0, kappa), angle=angle)


class Rosenbrock(Objective):
    r"""Rosenbrock's banana-shaped valley.

    .. math::

       f(x, y) = (a - x)^2 + b\,(y - x^2)^2, \qquad
       \nabla f = \begin{pmatrix} -2(a - x) - 4 b x (y - x^2) \\ 2 b (y - x^2) \end{pmatrix},

    with its minimum :math:`f = 0` at :math:`(a, a^2)`. The valley floor :math:`y = x^2` is
    easy to reach and slow to follow: the curvature across it is about :math:`2b` times the
    curvature along it. The start is ``(-1.5, 2)``, on the far side of the valley.

    Args:
      a: position of the minimum, any real number.
      b: steepness of the valley walls, > 0.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = _scalar("a", a, low=-np.inf)
        self.b = _scalar("b", b, low=0.0, low_open=True)
        self.name = "Rosenbrock"
        self.minimizer = _frozen([self.a, self.a ** 2])
        self.f_min = 0.0
        self.start = _frozen([-1.5, 2.0])
        self.xlim = (min(-2.0, self.a - 1.0), max(2.0, self.a + 1.0))
        self.ylim = (min(-1.0, self.a ** 2 - 1.0), max(3.0, self.a ** 2 + 1.0))

    def _value(self, theta, step):
        x, y = theta[..., 0], theta[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x ** 2) ** 2

    def _grad(self, theta, step):
        x, y = theta[..., 0], theta[..., 1]
        valley = y - x ** 2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley,
                         2 * self.b * valley], axis=-1)


class Beale(Objective):
    r"""Beale's function: a narrow curved valley between steep walls and flat plateaus.

    .. math::

       f(x, y) = \sum_{i=1}^{3} r_i^2, \qquad r_i = c_i - x + x y^i, \qquad
       (c_1, c_2, c_3) = (1.5,\ 2.25,\ 2.625),

    .. math::

       \frac{\partial f}{\partial x} = 2 \sum_i r_i\,(y^i - 1), \qquad
       \frac{\partial f}{\partial y} = 2 \sum_i r_i\, i\, x\, y^{i-1},

    with its minimum :math:`f = 0` at :math:`(3, 0.5)`. Values span five orders of
    magnitude over the plot window :math:`[-4.5, 4.5]^2`, so gradient scales differ wildly
    from place to place: the regime adaptive step sizes are built for. The start is
    ``(1, 1.5)``, on a gentle slope above the valley.
    """

    _c = (1.5, 2.25, 2.625)

    def __init__(self):
        self.name = "Beale"
        self.minimizer = _frozen([3.0, 0.5])
        self.f_min = 0.0
        self.start = _frozen([1.0, 1.5])
        self.xlim = (-4.5, 4.5)
        self.ylim = (-4.5, 4.5)

    def _residuals(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return x, y, [c - x + x * y ** i for i, c in enumerate(self._c, start=1)]

    def _value(self, theta, step):
        _, _, r = self._residuals(theta)
        return sum(ri ** 2 for ri in r)

    def _grad(self, theta, step):
        x, y, r = self._residuals(theta)
        dx = sum(2 * ri * (y ** i - 1) for i, ri in enumerate(r, start=1))
        dy = sum(2 * ri * i * x * y ** (i - 1) for i, ri in enumerate(r, start=1))
        return np.stack([dx, dy], axis=-1)


class Saddle(Objective):
    r"""A saddle point at the origin between two minima.

    .. math::

       f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4, \qquad
       \nabla f = (x,\ y^3 - y).

    The origin is a stationary point with Hessian :math:`\mathrm{diag}(1, -1)`; the minima
    are :math:`(0, \pm 1)` with :math:`f = -\tfrac14`. Starting at ``(1, 1e-3)``, almost on
    the ridge, gradient descent grows :math:`y` only by a factor :math:`1 + \eta` per step,
    while methods that normalize the gradient take full-size steps along the tiny y slope.
    ``minimizer`` is the minimum ``(0, 1)`` that a start with :math:`y > 0` falls into.
    """

    def __init__(self):
        self.name = "saddle"
        self.minimizer = _frozen([0.0, 1.0])
        self.f_min = -0.25
        self.start = _frozen([1.0, 1e-3])
        self.xlim = (-1.5, 1.5)
        self.ylim = (-1.5, 1.5)

    def _value(self, theta, step):
        x, y = theta[..., 0], theta[..., 1]
        return 0.5 * x ** 2 - 0.5 * y ** 2 + 0.25 * y ** 4

    def _grad(self, theta, step):
        x, y = theta[..., 0], theta[..., 1]
        return np.stack([x, y ** 3 - y], axis=-1)


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
    :math:`1/(1-\rho)` steps and follows the minimum.

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


def gallery() -> dict[str, Objective]:
    """The book's standard objectives, from easiest to most realistic, keyed by short name."""
    return {
        "quadratic": ill_conditioned(),
        "rotated": rotated(),
        "rosenbrock": Rosenbrock(),
        "beale": Beale(),
        "saddle": Saddle(),
        "nonstationary": NonStationary(),
        # σ = 1 makes the noise floor (about σ/λ = 1 along the flat axis) visible at plot scale.
        "noisy": Noisy(ill_conditioned(), sigma=1.0),
    }


def contour_grid(objective: Objective, n: int = 200, step: int = 0):
    """Values of ``objective`` on an ``n`` × ``n`` grid over its plot window.

    Returns ``(X, Y, Z)``, each of shape ``(n, n)``, ready for ``plt.contour(X, Y, Z)``;
    ``step`` selects the landscape of a time-varying objective.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    n = positive_int("n", n, minimum=2)
    X, Y = np.meshgrid(np.linspace(*objective.xlim, n), np.linspace(*objective.ylim, n))
    return X, Y, objective.value(np.stack([X, Y], axis=-1), step)
