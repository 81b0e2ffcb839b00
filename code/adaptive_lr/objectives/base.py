"""The :class:`Objective` interface every objective implements, and its argument checks."""
from __future__ import annotations

import numpy as np

from .._validation import float_array, hyperparameter, positive_int

__all__ = ["Objective"]


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
    """A differentiable function of ``dim`` parameters, evaluated over any batch shape.

    Subclasses implement ``_value`` and ``_grad`` on validated input and set the attributes:

    Attributes:
      name: short human-readable label, e.g. ``"Rosenbrock"``.
      dim: the number of parameters (2 for the test surfaces, the default).
      minimizer: a global minimizer, shape ``(dim,)``, or ``None`` if it is unbounded below
        or not known in closed form.
      f_min: the value at ``minimizer`` (a lower bound when the minimizer is not known).
      xlim, ylim: a plot window holding the interesting region and ``start`` (2-D only;
        ``None`` for other dimensions).
      start: the standard start point the chapters use, shape ``(dim,)``.

    ``step`` is the optimizer's 0-based count of gradient evaluations; only time-varying
    (:class:`NonStationary`) and stochastic (:class:`Noisy`) objectives depend on it.
    """

    dim = 2
    name: str
    minimizer: np.ndarray | None
    f_min: float
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
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


