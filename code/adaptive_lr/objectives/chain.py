r"""A deep chain of sigmoid units: the smallest model with vanishing gradients.

The chain maps a scalar input :math:`x` through :math:`L` scalar layers,

.. math::

   h_0 = x, \qquad z_l = w_l\, h_{l-1} + b_l, \qquad h_l = \sigma(z_l), \qquad
   l = 1, \dots, L,

and is fitted to targets :math:`y_i` by the mean squared error
:math:`J = \tfrac{1}{2m} \sum_i (h_L(x_i) - y_i)^2`. Backpropagation multiplies the error
signal by :math:`w_l\,\sigma'(z_{l-1})` at every layer it passes, and :math:`\sigma' \le 1/4`,
so with weights near 1 the gradient of layer :math:`l` is roughly :math:`4^{-(L-l)}` times the
last layer's: the vanishing-gradient problem in one line.

:class:`SigmoidChain` is an :class:`~adaptive_lr.objectives.Objective` of 2L parameters, so
:func:`adaptive_lr.minimize` trains it, a whole batch of parameter vectors at once. The
parameter vector is ``(w_1, ..., w_L, b_1, ..., b_L)``.
"""
from __future__ import annotations

import numpy as np

from .._validation import float_array, positive_int
from .base import Objective

__all__ = ["SigmoidChain", "sigmoid"]


def sigmoid(z):
    r"""The logistic function :math:`1/(1 + e^{-z})`, without overflow for large :math:`|z|`."""
    z = np.asarray(z, dtype=float)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


class SigmoidChain(Objective):
    """A chain of ``depth`` sigmoid units fitted to ``(inputs, targets)`` by squared error.

    Args:
      depth: number of layers L (≥ 1); the parameter vector has 2L entries.
      inputs, targets: the training pairs, 1-D arrays of equal length m; by default eight
        inputs evenly spaced in [−2, 2] with targets 0.2 (x < 0) and 0.8 (x ≥ 0), a step the
        chain can only fit by making its early layers steep.
      weight, bias: the start point: every w_l = ``weight``, every b_l = ``bias``.

    Attributes:
      start: the start parameters, shape ``(2L,)``; ``dim`` = 2L; ``name``.
      minimizer: ``None`` (not known in closed form); ``f_min`` = 0, a lower bound.
    """

    minimizer = None
    f_min = 0.0

    def __init__(self, depth: int = 10, inputs=None, targets=None, weight: float = 1.0,
                 bias: float = 0.0):
        self.depth = positive_int("depth", depth)
        x = np.linspace(-2.0, 2.0, 8) if inputs is None else float_array("inputs", inputs)
        y = np.where(x < 0, 0.2, 0.8) if targets is None else float_array("targets", targets)
        if x.ndim != 1 or y.shape != x.shape or x.size == 0:
            raise ValueError(f"inputs and targets must be 1-D of equal, non-zero length, got "
                             f"shapes {x.shape} and {y.shape}")
        self.inputs, self.targets = x, y
        self.dim = 2 * self.depth
        self.start = np.concatenate([np.full(self.depth, float(weight)),
                                     np.full(self.depth, float(bias))])
        self.start.setflags(write=False)
        self.name = f"sigmoid chain (L={self.depth})"

    def __repr__(self) -> str:
        return f"<SigmoidChain: depth {self.depth}, {self.inputs.size} training pairs>"

    def forward(self, theta):
        """Activations ``h`` of shape ``(..., L + 1, m)`` (``h[..., 0, :]`` is the input)."""
        theta = self._theta(theta)
        w, b = theta[..., : self.depth], theta[..., self.depth:]
        h = [np.broadcast_to(self.inputs, w.shape[:-1] + self.inputs.shape)]
        for layer in range(self.depth):
            z = w[..., layer, None] * h[-1] + b[..., layer, None]
            h.append(sigmoid(z))
        return np.stack(h, axis=-2)

    def _value(self, theta, step):
        """Mean squared error ½·mean((h_L − y)²), shape ``theta.shape[:-1]``."""
        out = self.forward(theta)[..., -1, :]
        return 0.5 * np.mean((out - self.targets) ** 2, axis=-1)

    def _grad(self, theta, step):
        """Exact gradient by backpropagation, shape ``theta.shape``."""
        w = theta[..., : self.depth]
        h = self.forward(theta)
        m = self.inputs.size
        delta = (h[..., -1, :] - self.targets) / m          # ∂J/∂h_L per training pair
        gw, gb = np.empty_like(w), np.empty_like(w)
        for layer in range(self.depth - 1, -1, -1):
            out = h[..., layer + 1, :]
            delta = delta * out * (1 - out)                  # through σ'(z) = σ(1 − σ)
            gw[..., layer] = np.sum(delta * h[..., layer, :], axis=-1)
            gb[..., layer] = np.sum(delta, axis=-1)
            delta = delta * w[..., layer, None]              # back to h_{l−1}
        return np.concatenate([gw, gb], axis=-1)

    def layer_gradients(self, theta) -> np.ndarray:
        r"""The gradient sizes :math:`|\partial J/\partial w_l|` per layer, shape ``(..., L)``,
        layer 1 first."""
        return np.abs(self.grad(theta)[..., : self.depth])


