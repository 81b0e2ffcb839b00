r"""Step-by-step tables of an optimizer's internals, for worked examples.

:func:`trace` runs one optimizer from one start point for a few steps and records, for every
step :math:`t`, what the algorithm box computes: the gradient :math:`g_t`, the accumulator
:math:`r_t` after line 5 (``state.r``; Adam's ``state.v``), the effective learning rate (the
factor multiplying the gradient, e.g. :math:`\rho/(\varepsilon + \sqrt{r_t})` for AdaGrad),
the update :math:`\Delta\Theta_t` (line 6) and the new parameters :math:`\Theta_t` (line 7),
each per coordinate. :meth:`Trace.table` prints them as a plain-text table, the form a
student checks a hand computation against (:mod:`adaptive_lr.tables` formats any rows the same
way).

>>> import numpy as np, adaptive_lr as alr
>>> from adaptive_lr.trace import trace
>>> tr = trace(alr.AdaGrad(lr=0.5), lambda theta: np.array([1.0, 10.0]) * theta,
...            np.array([2.0, 1.0]), steps=2)
>>> print(tr.table(columns=("g", "delta")))
t   g₁  g₂   ΔΘ₁      ΔΘ₂
-  ---  --  ----  -------
1    2  10  -0.5     -0.5
2  1.5   5  -0.3  -0.2236
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import _validation as check
from .schedules import optimizer_at
from .tables import Table, subscript

__all__ = ["Trace", "trace", "COLUMNS"]

#: Column keys of :meth:`Trace.table`, with the header each gets (a subscript is appended).
COLUMNS = {"g": "g", "r": "r", "rate": "rate", "delta": "ΔΘ", "theta": "Θ"}


@dataclass(frozen=True)
class Trace:
    """The record of :func:`trace`; ``T`` steps of a run with ``d`` parameters.

    Attributes:
      label: the optimizer's ``label``, e.g. ``'AdaGrad (ρ=0.5)'``.
      thetas: ``(T + 1, d)`` parameters: the start, then :math:`\\Theta_t` after each step.
      grads: ``(T, d)`` the gradient each step used (taken at ``thetas[t - 1]``).
      accumulators: ``(T, d)`` the accumulator after each step's line 5, or ``None`` for an
        optimizer that keeps none (plain gradient descent).
      rates: ``(T, d)`` effective learning rate of each step, per coordinate.
      deltas: ``(T, d)`` the update :math:`\\Delta\\Theta_t = \\Theta_t - \\Theta_{t-1}`.
      losses: ``(T + 1,)`` objective values at ``thetas``, or ``None`` when only gradients
        were given.
      state: the optimizer's state after the last step, to continue from.

    Row ``t - 1`` of the per-step arrays belongs to step ``t`` (steps count from 1). The
    parameter shape ``d`` may be anything; :meth:`table` needs a vector, ``(d,)``.
    """

    label: str
    thetas: np.ndarray
    grads: np.ndarray
    accumulators: np.ndarray | None
    rates: np.ndarray
    deltas: np.ndarray
    losses: np.ndarray | None = None
    state: tuple | None = None

    @property
    def steps(self) -> int:
        """The number of steps recorded."""
        return len(self.grads)

    def column(self, key: str) -> np.ndarray:
        """The per-step values of a column key of :data:`COLUMNS`, shape ``(T, d)``.

        ``'theta'`` gives :math:`\\Theta_t` after each step (``thetas[1:]``).
        """
        if key not in COLUMNS:
            raise ValueError(f"column must be one of {list(COLUMNS)}, got {key!r}")
        if key == "r" and self.accumulators is None:
            raise ValueError(f"{self.label} keeps no accumulator, so there is no column 'r'")
        return {"g": self.grads, "r": self.accumulators, "rate": self.rates,
                "delta": self.deltas, "theta": self.thetas[1:]}[key]

    def table(self, columns: Sequence[str] = ("g", "r", "rate", "delta", "theta"), *,
              steps: Sequence[int] | None = None, coordinates: Sequence[int] | None = None,
              start: bool = False, fmt: str = "{:.4g}") -> Table:
        """A table, one row per step, one column per (quantity, coordinate): HTML in the
        book, aligned text when printed.

        Args:
          columns: keys of :data:`COLUMNS` in the order to show them; ``'r'`` is skipped
            for an optimizer without an accumulator.
          steps: which steps to show (1-based); default all.
          coordinates: which coordinates (0-based); default all.
          start: add a first line ``t = 0`` holding only the start point's ``Θ``.
          fmt: format of every number (a ``str.format`` pattern).
        """
        if self.thetas.ndim != 2:
            raise ValueError(f"a table needs one parameter vector per step; this trace has "
                             f"parameters of shape {self.thetas.shape[1:]}")
        d = self.thetas.shape[1]
        coordinates = list(range(d)) if coordinates is None else [
            check.positive_int("coordinates entries", k, minimum=0) for k in coordinates]
        if any(k >= d for k in coordinates):
            raise ValueError(f"coordinates must lie in [0, {d - 1}], got {coordinates}")
        steps = list(range(1, self.steps + 1)) if steps is None else [
            check.positive_int("steps entries", t) for t in steps]
        if any(t > self.steps for t in steps):
            raise ValueError(f"steps must lie in [1, {self.steps}], got {steps}")
        keys = [c for c in columns if not (c == "r" and self.accumulators is None)]
        for key in keys:
            self.column(key)  # validates the key
        headers = ["t"] + [COLUMNS[key] + subscript(k + 1) for key in keys for k in coordinates]
        rows = []
        if start:
            rows.append([0] + [self.thetas[0, k] if key == "theta" else None
                               for key in keys for k in coordinates])
        for t in steps:
            rows.append([t] + [self.column(key)[t - 1, k] for key in keys for k in coordinates])
        return Table(headers, rows, fmt=fmt)

    def __str__(self) -> str:
        return str(self.table())


def _gradient_function(gradients, steps, theta) -> tuple[Callable, Callable | None, int]:
    """(grad(theta, t), value(theta, t) or None, steps) from what :func:`trace` was given."""
    grad = getattr(gradients, "grad", None)
    if callable(grad):
        value = getattr(gradients, "value", None)
        return grad, value if callable(value) else None, _steps(steps)
    if callable(gradients):
        return _with_step(gradients), None, _steps(steps)
    table = check.float_array("gradients", gradients)
    if table.ndim == 0 or table.shape[1:] != theta.shape:
        raise ValueError(f"gradients must be an objective, a function of theta, or an array "
                         f"of shape (T, *{theta.shape}), got an array of shape {table.shape}")
    steps = len(table) if steps is None else check.positive_int("steps", steps, minimum=0)
    if steps > len(table):
        raise ValueError(f"steps={steps} but only {len(table)} gradients were given")
    return (lambda _theta, t: table[t]), None, steps


def _steps(steps) -> int:
    if steps is None:
        raise TypeError("steps is required when gradients is an objective or a function")
    return check.positive_int("steps", steps, minimum=0)


def _with_step(fn: Callable) -> Callable:
    """``fn`` as a function of (theta, step): a second positional parameter gets the step."""
    if isinstance(fn, np.ufunc):  # e.g. np.negative: its second positional argument is `out`
        return fn if fn.nin >= 2 else (lambda theta, t: fn(theta))
    try:
        parameters = inspect.signature(fn).parameters.values()
        positional = [p for p in parameters
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        takes_step = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)
    except (TypeError, ValueError):  # builtins without a signature
        takes_step = False
    return fn if takes_step else (lambda theta, t: fn(theta))


def _accumulator(state) -> np.ndarray | None:
    """The state's accumulator of gradient sizes: ``r`` (AdaGrad, RMSProp, AdaDelta), ``v``
    (Adam and its variants) or Adamax's running maximum ``u``."""
    for field in ("r", "v", "u"):
        value = getattr(state, field, None)
        if isinstance(value, np.ndarray):
            return value.copy()
    return None


def trace(opt, gradients, theta0=None, steps: int | None = None) -> Trace:
    """Run ``steps`` steps of ``opt`` from ``theta0`` and record every internal quantity.

    This is the package's one loop that replays gradients through an optimizer: feed it a
    fixed gradient sequence to isolate what an optimizer does with a given history (a
    constant gradient, a sudden drop), or an objective to follow a real run step by step.

    Args:
      opt: an optimizer from :mod:`adaptive_lr.optim`, or a schedule: a sequence of
        optimizers of one kind, one per step, sharing the state
        (:func:`adaptive_lr.schedules.scheduled`).
      gradients: an objective (anything with ``grad(theta, step)``; its ``value`` is recorded
        too); a function returning the gradient, ``grad_fn(theta)`` or
        ``grad_fn(theta, step)`` with ``step`` counting from 0; or an array of shape
        ``(T, *theta0.shape)`` replayed one row per step, whatever the parameters become.
      theta0: the start, a float array of any shape; for a gradient array it defaults to
        zeros of one row's shape.
      steps: number of steps (≥ 0); required unless ``gradients`` is an array (default: all
        of it).

    Nothing is raised when a run blows up: the non-finite values are recorded as they are,
    which is what a table of a diverging run should show.
    """
    if theta0 is None:
        if callable(gradients) or callable(getattr(gradients, "grad", None)):
            raise TypeError("theta0 is required unless gradients is an array")
        rows = check.float_array("gradients", gradients)
        theta0 = np.zeros(rows.shape[1:], rows.dtype)
    theta = check.float_array("theta0", theta0).copy()
    grad_fn, value_fn, steps = _gradient_function(gradients, steps, theta)
    step_optimizer = optimizer_at(opt, steps)
    state = step_optimizer(0).init(theta)
    thetas = np.empty((steps + 1,) + theta.shape, theta.dtype)
    grads, rates, deltas = (np.empty((steps,) + theta.shape, theta.dtype) for _ in range(3))
    has_accumulator = _accumulator(state) is not None
    accumulators = np.empty((steps,) + theta.shape, theta.dtype) if has_accumulator else None
    thetas[0] = theta
    label = step_optimizer(0).label
    with np.errstate(all="ignore"):
        for t in range(steps):
            step_opt = step_optimizer(t)
            g = check.matching_grad(theta, grad_fn(theta, t))
            theta_next, state = step_opt.step(theta, g, state)
            grads[t] = g
            rates[t] = np.broadcast_to(step_opt.effective_lr(state), theta.shape)
            deltas[t] = theta_next - theta
            if has_accumulator:
                accumulators[t] = _accumulator(state)
            thetas[t + 1] = theta = theta_next
        losses = None
        if value_fn is not None:
            losses = np.array([value_fn(thetas[t], t) for t in range(steps + 1)],
                              dtype=theta.dtype)
    return Trace(label, thetas, grads, accumulators, rates, deltas, losses, state)
