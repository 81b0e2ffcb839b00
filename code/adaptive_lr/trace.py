r"""Step-by-step tables of an optimizer's internals, for worked examples.

:func:`trace` runs one optimizer from one start point for a few steps and records, for every
step :math:`t`, what the algorithm box computes: the gradient :math:`g_t`, the accumulator
:math:`r_t` after line 5 (``state.r``; Adam's ``state.v``), the effective learning rate (the
factor multiplying the gradient, e.g. :math:`\rho/(\varepsilon + \sqrt{r_t})` for AdaGrad),
the update :math:`\Delta\Theta_t` (line 6) and the new parameters :math:`\Theta_t` (line 7),
each per coordinate. :meth:`Trace.table` prints them as a plain-text table, the form a
student checks a hand computation against; :func:`format_table` formats any rows the same way.

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

__all__ = ["Trace", "trace", "format_table", "COLUMNS"]

#: Column keys of :meth:`Trace.table`, with the header each gets (a subscript is appended).
COLUMNS = {"g": "g", "r": "r", "rate": "rate", "delta": "ΔΘ", "theta": "Θ"}


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


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
      losses: ``(T + 1,)`` objective values at ``thetas``, or ``None`` when only a gradient
        function was given.

    Row ``t - 1`` of the per-step arrays belongs to step ``t`` (steps count from 1).
    """

    label: str
    thetas: np.ndarray
    grads: np.ndarray
    accumulators: np.ndarray | None
    rates: np.ndarray
    deltas: np.ndarray
    losses: np.ndarray | None = None

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
              start: bool = False, fmt: str = "{:.4g}") -> str:
        """A plain-text table: one line per step, one column per (quantity, coordinate).

        Args:
          columns: keys of :data:`COLUMNS` in the order to show them; ``'r'`` is skipped
            for an optimizer without an accumulator.
          steps: which steps to show (1-based); default all.
          coordinates: which coordinates (0-based); default all.
          start: add a first line ``t = 0`` holding only the start point's ``Θ``.
          fmt: format of every number (a ``str.format`` pattern).
        """
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
        headers = ["t"] + [COLUMNS[key] + _subscript(k + 1) for key in keys for k in coordinates]
        rows = []
        if start:
            rows.append([0] + [self.thetas[0, k] if key == "theta" else None
                               for key in keys for k in coordinates])
        for t in steps:
            rows.append([t] + [self.column(key)[t - 1, k] for key in keys for k in coordinates])
        return format_table(headers, rows, fmt=fmt)

    def __str__(self) -> str:
        return self.table()


def _gradient_function(objective_or_grad_fn) -> tuple[Callable, Callable | None]:
    """(grad(theta, t), value(theta, t) or None) from an objective or a gradient function."""
    grad = getattr(objective_or_grad_fn, "grad", None)
    if callable(grad):
        value = getattr(objective_or_grad_fn, "value", None)
        return grad, value if callable(value) else None
    if not callable(objective_or_grad_fn):
        raise TypeError("objective_or_grad_fn must be an objective (with a grad(theta, step) "
                        f"method) or a function of theta, got {type(objective_or_grad_fn).__name__}")
    fn = objective_or_grad_fn
    if isinstance(fn, np.ufunc):  # e.g. np.negative: its second positional argument is `out`
        return (fn if fn.nin >= 2 else (lambda theta, t: fn(theta))), None
    try:
        parameters = inspect.signature(fn).parameters.values()
        positional = [p for p in parameters
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        takes_step = len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)
    except (TypeError, ValueError):  # builtins without a signature
        takes_step = False
    return (fn if takes_step else (lambda theta, t: fn(theta))), None


def _accumulator(state) -> np.ndarray | None:
    """The state's squared-gradient accumulator: ``r`` (AdaGrad, RMSProp, AdaDelta) or ``v``."""
    for field in ("r", "v"):
        value = getattr(state, field, None)
        if isinstance(value, np.ndarray):
            return value.copy()
    return None


def trace(opt, objective_or_grad_fn, theta0, steps: int) -> Trace:
    """Run ``steps`` steps of ``opt`` from ``theta0`` and record every internal quantity.

    Args:
      opt: an optimizer from :mod:`adaptive_lr.optimizers` (scalar hyperparameters, or
        arrays broadcasting against one parameter vector, e.g. one rate per coordinate).
      objective_or_grad_fn: an objective (anything with ``grad(theta, step)``; its ``value``
        is recorded too), or a function returning the gradient: ``grad_fn(theta)``, or
        ``grad_fn(theta, step)`` with ``step`` counting from 0 (a function with a second
        positional parameter receives the step there).
      theta0: the start, a float vector of shape ``(d,)``.
      steps: number of steps (≥ 1).

    Nothing is raised when a run blows up: the non-finite values are recorded as they are,
    which is what a table of a diverging run should show.
    """
    grad_fn, value_fn = _gradient_function(objective_or_grad_fn)
    steps = check.positive_int("steps", steps)
    theta = check.float_array("theta0", theta0).copy()
    if theta.ndim != 1:
        raise ValueError(f"theta0 must be one parameter vector of shape (d,), got shape "
                         f"{theta.shape}; trace one run at a time")
    state = opt.init(theta)
    d = theta.shape[0]
    thetas = np.empty((steps + 1, d), theta.dtype)
    grads, rates, deltas = (np.empty((steps, d), theta.dtype) for _ in range(3))
    accumulators = None if _accumulator(state) is None else np.empty((steps, d), theta.dtype)
    thetas[0] = theta
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = check.matching_grad(theta, grad_fn(theta, t))
            theta_next, state = opt.step(theta, g, state)
            grads[t] = g
            rates[t] = np.broadcast_to(opt.effective_lr(state), (d,))
            deltas[t] = theta_next - theta
            if accumulators is not None:
                accumulators[t] = _accumulator(state)
            thetas[t + 1] = theta = theta_next
        losses = None
        if value_fn is not None:
            losses = np.array([value_fn(thetas[t], t) for t in range(steps + 1)],
                              dtype=theta.dtype)
    return Trace(opt.label, thetas, grads, accumulators, rates, deltas, losses)


def _cell(value, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    text = fmt.format(number + 0.0)  # + 0.0 turns −0.0 into 0.0
    # a value that rounds to zero prints without its sign
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def format_table(headers: Sequence[str], rows: Sequence[Sequence], *,
                 fmt: str = "{:.4g}") -> str:
    """A plain-text table: right-aligned columns, a dashed rule under the headers.

    Cells may be numbers (floats through ``fmt``, ints as they are), strings (as they are)
    or ``None`` (blank). Every row must have one cell per header.

    >>> print(format_table(["ρ", "loss"], [[0.1, 0.25], [1, "diverged"]]))
      ρ      loss
    ---  --------
    0.1      0.25
      1  diverged
    """
    headers = [str(h) for h in headers]
    cells = []
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells but there are {len(headers)} "
                             f"headers")
        cells.append([_cell(v, fmt) for v in row])
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(line.rstrip() for line in lines)
