"""Test objectives with analytic, vectorized gradients.

Each objective maps parameters ``theta`` of shape ``(..., d)`` to values of shape ``(...)``,
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
* :class:`Noisy` -- stochastic gradients around any of the above;
* :class:`Alternating` -- gradients that average to zero, so only weight decay moves Θ;
* :class:`SigmoidChain` -- a deep chain of sigmoid units, the smallest model with vanishing
  gradients (2L parameters);
* :class:`ObjectiveStack` and :class:`Rescaled` -- several objectives in one batched run, and
  one objective in other units.

Each is an :class:`Objective`: ``value(theta, step)``, ``grad(theta, step)``, ``start``,
``minimizer``, ``f_min``, checked input.
"""
from .base import Objective
from .chain import SigmoidChain, sigmoid
from .changing import Alternating, NonStationary, Noisy
from .combined import ObjectiveStack, Rescaled
from .gallery import contour_grid, gallery
from .surfaces import Beale, Quadratic, Rosenbrock, Saddle, ill_conditioned, rotated

__all__ = ["Objective", "Quadratic", "Rosenbrock", "Beale", "Saddle", "NonStationary",
           "Noisy", "Alternating", "SigmoidChain", "ObjectiveStack", "Rescaled", "sigmoid",
           "ill_conditioned", "rotated", "gallery", "contour_grid"]
