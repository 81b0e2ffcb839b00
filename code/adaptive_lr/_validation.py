"""Argument checks shared by the optimizers, objectives and runners.

Every check raises with a message that names the argument and the allowed range, so a bad
hyperparameter is caught where it is given rather than surfacing later as a silent NaN.
"""
from __future__ import annotations

import numbers

import numpy as np


def hyperparameter(name: str, value, *, low: float = 0.0, high: float = np.inf,
                   low_open: bool = False, high_open: bool = True) -> np.ndarray:
    """Return ``value`` as a float64 array after checking it lies in the given interval.

    ``value`` may be a Python number or an array (for vectorized sweeps). The interval is
    ``[low, high)`` by default; ``low_open``/``high_open`` choose open or closed ends.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of them, got a bool")
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or an array of them, got {value!r}")
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or an array of them, "
                        f"got dtype {array.dtype}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    too_low = array <= low if low_open else array < low
    too_high = array >= high if high_open else array > high
    if np.any(too_low) or np.any(too_high):
        interval = (("(" if low_open else "[") + f"{low:g}, "
                    + (f"{high:g}" if np.isfinite(high) else "inf")
                    + (")" if high_open or not np.isfinite(high) else "]"))
        bad = array[too_low | too_high].ravel()[0]
        raise ValueError(f"{name} must lie in {interval}, got {bad:g}")
    return array


def common_shape(**arrays: np.ndarray) -> tuple[int, ...]:
    """Shape the named hyperparameter arrays broadcast to; ValueError naming them if none."""
    try:
        return np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{v.shape}" for k, v in arrays.items())
        raise ValueError(f"hyperparameter arrays do not broadcast together: {shapes}") from None


def float_array(name: str, value) -> np.ndarray:
    """``value`` as a floating-point ndarray (dtype kept); TypeError for ints, bools, objects."""
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array (float16/32/64), "
                        f"got dtype {array.dtype}; convert with .astype(float)")
    return array


def matching_grad(theta: np.ndarray, grad) -> np.ndarray:
    """Check ``grad`` against ``theta`` and return it in ``theta``'s dtype."""
    grad = float_array("grad", grad)
    if grad.shape != theta.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {grad.shape}")
    return grad.astype(theta.dtype, copy=False)


def against(name: str, value: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return the hyperparameter array ``value`` after checking it broadcasts against ``theta``.

    Broadcasting may only spread the hyperparameter over ``theta``; it may not enlarge
    ``theta`` (a shape-(3,) rate against a shape-(2,) theta is an error, not a batch).
    """
    try:
        fits = np.broadcast_shapes(value.shape, theta.shape) == theta.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} has shape {value.shape}, which does not broadcast against "
                         f"theta of shape {theta.shape}; use a scalar or e.g. shape "
                         f"(n, 1) for theta of shape (n, d)")
    return value


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``; TypeError for non-integers (bools included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)
