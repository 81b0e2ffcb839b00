"""The book's standard objectives, and contour grids of any 2-D objective."""
from __future__ import annotations

import numpy as np

from .._validation import positive_int

from .base import Objective
from .changing import NonStationary, Noisy
from .surfaces import Beale, Rosenbrock, Saddle, ill_conditioned, rotated


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
