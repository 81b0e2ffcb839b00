"""The two-dimensional test surfaces: quadratics, curved valleys, a saddle."""
from __future__ import annotations

import numpy as np


from .base import Objective, _frozen, _pair, _scalar


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
