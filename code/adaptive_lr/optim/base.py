"""The machinery every optimizer shares: validated read-only hyperparameters, argument
checks, and the generic and blocked in-place steps."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as check

#: Elements per block of the in-place path: large enough that numpy's per-call overhead is
#: small, small enough that a block's buffers stay in cache (benchmarks/bench_large_step.py).
BLOCK_ELEMENTS = 1 << 17


class Optimizer:
    """Common machinery: validated hyperparameters, argument checks, the generic in-place step.

    Subclasses set ``name`` and ``state_type``, store their hyperparameters with
    :meth:`_set_hyperparameters`, and implement ``init``, ``step`` and ``effective_lr``.
    """

    name = "Optimizer"
    state_type: type = tuple
    #: How the post's symbols map to the constructor arguments, for labels.
    symbols: dict[str, str] = {}
    #: Name of the hyperparameter that decays the squared-gradient accumulator (RMSProp's
    #: ``alpha``, Adam's ``beta2``, AdaDelta's ``rho``); ``None`` for a plain sum (AdaGrad)
    #: or no accumulator (SGD): see :attr:`accumulator_decay`.
    decay_key: str | None = None
    #: Whether the state holds an accumulator of squared gradients.
    accumulates: bool = False
    #: Power of [Θ], the parameters' unit, in the update ΔΘ when the loss is unitless
    #: (g has units 1/[Θ]): Zeiler's units argument for AdaDelta.
    update_units: int = 0
    #: Power of [Θ] in each array field of the state (g-like −1, g²-like −2, ΔΘ²-like +2).
    state_units: dict[str, int] = {}

    def _set_hyperparameters(self, **values: np.ndarray) -> None:
        check.common_shape(**values)
        self._hyper = values
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def hyperparameters(self) -> dict[str, np.ndarray]:
        """The validated hyperparameters, as float64 arrays (0-d for scalars)."""
        return dict(self._hyper)

    @property
    def accumulator_decay(self) -> np.ndarray | None:
        """The decay of the squared-gradient accumulator: 1 for a sum that forgets nothing
        (AdaGrad), the decay hyperparameter for an average, ``None`` without an accumulator."""
        if not self.accumulates:
            return None
        return np.float64(1.0) if self.decay_key is None else self._hyper[self.decay_key]

    def _options(self) -> dict[str, object]:
        return {}

    def __repr__(self) -> str:
        def show(value: np.ndarray) -> str:
            return f"{float(value):g}" if value.ndim == 0 else f"<array {value.shape}>"
        parts = [f"{k}={show(v)}" for k, v in self._hyper.items()]
        parts += [f"{k}={v!r}" for k, v in self._options().items()]
        return f"{self.name}({', '.join(parts)})"

    @property
    def label(self) -> str:
        """Short legend label in the book's notation, e.g. ``'RMSProp (ρ=0.01, α=0.9)'``."""
        parts = [f"{symbol}={float(self._hyper[key]):g}" for symbol, key in self.symbols.items()
                 if self._hyper[key].ndim == 0]
        return f"{self.name} ({', '.join(parts)})" if parts else self.name

    def _arguments(self, theta, grad, state):
        """Check one call's arguments; return theta, grad (theta's dtype) and the hyperparameters."""
        theta = check.float_array("theta", theta)
        grad = check.matching_grad(theta, grad)
        if not isinstance(state, self.state_type):
            raise TypeError(f"state must be the {self.state_type.__name__} returned by "
                            f"{self.name}.init, got {type(state).__name__}")
        for field, value in zip(state._fields, state):
            if isinstance(value, np.ndarray) and value.shape != theta.shape:
                raise ValueError(f"state.{field} has shape {value.shape} but theta has shape "
                                 f"{theta.shape}; call init with this theta")
        return theta, grad, self._hyper_for(theta)

    def _hyper_for(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Hyperparameters checked against and cast to ``theta``, cached per shape and dtype
        (a run calls ``step`` thousands of times with the same ones)."""
        key = (theta.shape, theta.dtype)
        cache = self.__dict__.setdefault("_cast_cache", {})
        if key not in cache:
            cache[key] = {k: _spread(check.against(k, v, theta), theta)
                          for k, v in self._hyper.items()}
        return cache[key]

    def init(self, theta) -> NamedTuple:
        raise NotImplementedError

    def step(self, theta, grad, state):
        raise NotImplementedError

    def effective_lr(self, state) -> np.ndarray:
        raise NotImplementedError

    def step_(self, theta: np.ndarray, grad, state):
        """Update ``theta`` and the state's arrays in place; return the new state.

        Gives exactly what :meth:`step` gives. This generic version computes the pure step and
        copies it back; optimizers meant for large models override it with a blocked kernel.
        """
        new_theta, new_state = self.step(theta, grad, state)
        np.copyto(theta, new_theta)
        for old, new in zip(state, new_state):
            if isinstance(old, np.ndarray):
                np.copyto(old, new)
        return new_state._replace(**{f: o for f, o in zip(state._fields, state)
                                     if isinstance(o, np.ndarray)})


def _spread(value: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """An array hyperparameter expanded to θ's shape, once per run: numpy's elementwise loops
    are several times faster on equal shapes than when broadcasting a (n, 1) column over a
    short last axis. Scalars stay 0-d."""
    if value.ndim == 0 or value.shape == theta.shape:
        return value
    return np.ascontiguousarray(np.broadcast_to(value, theta.shape))


def _zeros(theta) -> np.ndarray:
    return np.zeros_like(check.float_array("theta", theta))


def _blocks(theta: np.ndarray, hyper: dict[str, np.ndarray]):
    """Yield (slice along axis 0, hyperparameters for those rows) covering ``theta``."""
    row = int(np.prod(theta.shape[1:], dtype=np.int64)) if theta.ndim > 1 else 1
    rows = max(1, BLOCK_ELEMENTS // max(row, 1))
    n = theta.shape[0] if theta.ndim else 1
    for start in range(0, n, rows):
        rows_slice = slice(start, min(start + rows, n))
        yield rows_slice, {
            k: v[rows_slice] if v.ndim == theta.ndim and v.shape[0] > 1 else v
            for k, v in hyper.items()}


def _block_size(theta: np.ndarray) -> int:
    """Elements in the largest block :func:`_blocks` yields (one row if a row exceeds a block)."""
    row = int(np.prod(theta.shape[1:], dtype=np.int64)) if theta.ndim > 1 else 1
    return min(theta.size, max(1, BLOCK_ELEMENTS // max(row, 1)) * row)


def _in_place_arguments(optimizer: Optimizer, theta, grad, state):
    """Arguments for a blocked in-place kernel: writable, C-contiguous, at least 1-D."""
    theta, grad, hyper = optimizer._arguments(theta, grad, state)
    arrays = [theta] + [a for a in state if isinstance(a, np.ndarray)]
    if not all(a.flags.writeable and a.flags.c_contiguous for a in arrays):
        raise ValueError("step_ needs writable C-contiguous theta and state arrays; "
                         "use step, or np.ascontiguousarray")
    if theta.ndim == 0:
        raise ValueError("step_ needs theta with at least one dimension; use step for scalars")
    if np.shares_memory(grad, theta):
        grad = grad.copy()  # the kernel writes θ before it has read all of g (AdamW decay)
    return theta, np.ascontiguousarray(grad), hyper


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
