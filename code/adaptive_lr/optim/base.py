"""The machinery every optimizer shares: read-only validated hyperparameters, their cast to
θ's dtype, the checks of θ, the gradient and the state, and the in-place steps.

Conventions every optimizer follows:

* **Optimizers are values.** Attributes are set once, in ``__init__``; hyperparameter arrays
  are read-only; nothing hands out an array the optimizer itself uses. To change ρ, build a
  new optimizer with the same options: it accepts the old one's state.
* **Precision.** Hyperparameters are validated in float64. Quantities that rounding in θ's
  dtype would spoil — 1 − β, 1 − ρλ and the per-step factors such as Adam's bias corrections
  1 − βᵗ (Python floats in PyTorch) — are computed in float64 and then cast. ε must stay
  positive in θ's dtype (``eps=1e-50`` with a float32 θ is refused).
* **dtypes.** θ is float32 or float64 (or longdouble); the gradient is cast to θ's dtype; the
  state must have θ's dtype (``init`` with a θ of the dtype you step). **float16 is refused**:
  it cannot hold g ⊙ g (it overflows above |g| ≈ 256 and is 0 below |g| ≈ 2.4e-4) nor the
  default ε, so steps would be silently wrong or NaN; keep θ and the state in float32 and cast
  the model's copy (mixed precision).
* **State.** A state must come from an optimizer with the same options: every buffer this
  configuration keeps is present, none other is, and ``count`` is an integer ≥ 0.
"""
from __future__ import annotations

import functools
import numbers
from typing import NamedTuple

import numpy as np

from .. import _validation as check

#: Elements per block of the in-place path: large enough that numpy's per-call overhead is
#: small, small enough that a block's buffers stay in cache (benchmarks/bench_large_step.py).
BLOCK_ELEMENTS = 1 << 16


class Optimizer:
    """Common machinery: validated hyperparameters, argument checks, the generic in-place step.

    Subclasses set ``name`` and ``state_type``, store their hyperparameters with
    :meth:`_set_hyperparameters` and their display name with :meth:`_set_name`, list the
    state's buffers in :meth:`_state_fields`, and implement ``step`` and ``effective_lr``.
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
    #: Which option creates each optional state buffer, for the error on a foreign state.
    buffer_options: dict[str, str] = {}
    #: Hyperparameters left out of ``repr`` and ``label`` while they are 0.
    quiet: tuple[str, ...] = ()
    #: Hyperparameters the step also needs in float64, for factors computed per step.
    doubles: tuple[str, ...] = ()

    # ------------------------------------------------------------ construction, values

    def _set_hyperparameters(self, **values: np.ndarray) -> None:
        check.common_shape(**values)
        for key, value in values.items():
            value.flags.writeable = False
            setattr(self, key, value)
        self._hyper = values

    def _set_name(self, name: str | None, default: str | None = None) -> None:
        if name is not None and not (isinstance(name, str) and name):
            raise TypeError(f"name must be a non-empty string (a display name), got {name!r}")
        self.name = name or default or type(self).name

    def __setattr__(self, key: str, value) -> None:
        if key in self.__dict__:
            raise AttributeError(
                f"{self.name}.{key} is read-only: an optimizer is a value; build a new one "
                f"(it accepts this one's state if its options are the same)")
        object.__setattr__(self, key, value)

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"{self.name}.{key} is read-only: an optimizer is a value")

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_cast_cache"}

    def __setstate__(self, state: dict) -> None:
        # copies (copy.deepcopy, pickle) of read-only arrays come back writable
        for value in state["_hyper"].values():
            value.flags.writeable = False
        self.__dict__.update(state)

    @property
    def hyperparameters(self) -> dict[str, np.ndarray]:
        """The validated hyperparameters, as read-only float64 arrays (0-d for scalars)."""
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

    def _shown(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in self._hyper.items()
                if not (k in self.quiet and v.ndim == 0 and v == 0)}

    def __repr__(self) -> str:
        def show(value: np.ndarray) -> str:
            return f"{float(value):g}" if value.ndim == 0 else f"<array {value.shape}>"
        parts = [f"{k}={show(v)}" for k, v in self._shown().items()]
        parts += [f"{k}={v!r}" for k, v in self._options().items()]
        return f"{self.name}({', '.join(parts)})"

    @property
    def label(self) -> str:
        """Short legend label in the book's notation, e.g. ``'RMSProp (ρ=0.01, α=0.9)'``."""
        shown = self._shown()
        parts = [f"{symbol}={float(shown[key]):g}" for symbol, key in self.symbols.items()
                 if key in shown and shown[key].ndim == 0]
        return f"{self.legend_name} ({', '.join(parts)})" if parts else self.legend_name

    @property
    def legend_name(self) -> str:
        """The name legends and tables show: ``name``, except where the book's text calls the
        method otherwise (plain SGD is "GD")."""
        return self.name

    # -------------------------------------------------------------- the cast to θ

    def _derived(self) -> dict[str, np.ndarray]:
        """Hyperparameter combinations computed in float64 before the cast (e.g. 1 − α)."""
        return {}

    def _hyper_for(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Hyperparameters checked against ``theta``, cast to its dtype and spread to its
        shape (scalars stay 0-d), plus ``key_64`` float64 copies of :attr:`doubles`; read-only
        and cached per shape and dtype (a run calls ``step`` thousands of times)."""
        key = (theta.shape, theta.dtype)
        cache = self.__dict__.setdefault("_cast_cache", {})
        if key not in cache:
            for name, value in self._hyper.items():
                check.against(name, value, theta)
            values = {**self._hyper, **self._derived()}
            cast = {k: _spread(v.astype(theta.dtype), theta) for k, v in values.items()}
            if "eps" in cast and np.any(cast["eps"] == 0):
                tiny = np.finfo(theta.dtype).smallest_subnormal
                raise ValueError(f"eps={float(np.min(self._hyper['eps'])):g} rounds to 0 in "
                                 f"{theta.dtype} (theta's dtype); use eps >= {tiny:.3g} or a "
                                 f"float64 theta")
            cast.update({f"{k}_64": _spread(self._hyper[k], theta) for k in self.doubles})
            for value in cast.values():
                value.flags.writeable = False
            cache[key] = cast
        return cache[key]

    # ----------------------------------------------------------------- argument checks

    def _state_fields(self) -> tuple[str, ...]:
        """The state's array fields this configuration keeps (default: every field but count)."""
        return self.state_type._fields[1:]

    @functools.cached_property
    def _keeps(self) -> tuple[str, ...]:
        """:meth:`_state_fields`, computed once: every step checks the state against it."""
        return self._state_fields()

    def _initial_values(self, h: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Starting values, from the cast hyperparameters ``h``, of the buffers that do not
        start at 0 (an accumulator's r₀)."""
        return {}

    def init(self, theta) -> NamedTuple:
        """The state before the first step: count 0 and a zero buffer (r₀ for an
        accumulator) of θ's shape and dtype for each buffer this configuration keeps.
        Hyperparameters that do not fit θ are refused here already."""
        theta = _parameters("theta", theta)
        h = self._hyper_for(theta)
        buffers = {f: np.zeros_like(theta) for f in self._keeps}
        for field, value in self._initial_values(h).items():
            buffers[field][...] = value
        return self.state_type(0, *(buffers.get(f) for f in self.state_type._fields[1:]))

    def _check_state(self, state, theta: np.ndarray | None = None) -> None:
        """Check that ``state`` is this configuration's, with θ's shape and dtype (without θ:
        one shape and dtype), and a count that is an integer >= 0."""
        if not isinstance(state, self.state_type):
            raise TypeError(f"state must be the {self.state_type.__name__} returned by "
                            f"{self.name}.init, got {type(state).__name__}")
        count = state.count
        if type(count) is not int and (isinstance(count, (bool, np.bool_))
                                       or not isinstance(count, numbers.Integral)):
            raise TypeError(f"state.count must be an integer (the steps taken), got {count!r}")
        if count < 0:
            raise ValueError(f"state.count must be >= 0 (the steps taken), got {count}")
        keeps = self._keeps
        for field, value in zip(state._fields[1:], state[1:]):
            if (field in keeps) != isinstance(value, np.ndarray):
                option = self.buffer_options.get(field, "")
                why = (f"{self!r} keeps it" if field in keeps else
                       f"{self!r} keeps no such buffer") + (f" ({option})" if option else "")
                raise ValueError(f"state.{field} is {'None' if field in keeps else 'set'}, but "
                                 f"{why}: the state comes from a differently configured "
                                 f"optimizer; call this optimizer's init")
            if field not in keeps:
                continue
            if theta is None:
                theta = _parameters(f"state.{field}", value)
            if value.shape != theta.shape:
                raise ValueError(f"state.{field} has shape {value.shape} but theta has shape "
                                 f"{theta.shape}; call init with this theta")
            if value.dtype != theta.dtype:
                raise TypeError(f"state.{field} has dtype {value.dtype} but theta has dtype "
                                f"{theta.dtype}; call init with a theta of the dtype you step")

    def _arguments(self, theta, grad, state):
        """Check one call's arguments; return θ, g (in θ's dtype) and the hyperparameters
        cast to θ."""
        theta = _parameters("theta", theta)
        grad = check.matching_grad(theta, grad)
        self._check_state(state, theta)
        return theta, grad, self._hyper_for(theta)

    def _state_hyper(self, state) -> dict[str, np.ndarray]:
        """For ``effective_lr``: the hyperparameters cast to the state's arrays."""
        self._check_state(state)
        return self._hyper_for(next(a for a in state[1:] if isinstance(a, np.ndarray)))

    # ------------------------------------------------------------------- the steps

    def step(self, theta, grad, state):
        raise NotImplementedError

    def effective_lr(self, state) -> np.ndarray:
        raise NotImplementedError

    def step_(self, theta: np.ndarray, grad, state):
        """Update ``theta`` and the state's arrays in place; return the new state.

        Gives exactly what :meth:`step` gives. This generic version computes the pure step and
        copies it back; optimizers meant for large models override it with a blocked kernel.
        """
        _require_array(theta)
        new_theta, new_state = self.step(theta, grad, state)
        _check_writable(theta, state)
        np.copyto(theta, new_theta)
        for old, new in zip(state, new_state):
            if isinstance(old, np.ndarray):
                np.copyto(old, new)
        return new_state._replace(**{f: o for f, o in zip(state._fields, state)
                                     if isinstance(o, np.ndarray)})


def _parameters(name: str, value) -> np.ndarray:
    """θ (or a state's array) as a float ndarray; TypeError for float16, see the module doc."""
    array = check.float_array(name, value)
    if array.dtype == np.float16:
        raise TypeError(f"{name} has dtype float16, which the optimizers refuse: it cannot "
                        f"hold g*g (inf above |g| = 256, 0 below 2.4e-4) nor the default eps; "
                        f"keep theta and the state in float32 (theta.astype(np.float32))")
    return array


def _spread(value: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """A hyperparameter array expanded to θ's shape, once per run: numpy's elementwise loops
    are several times faster on equal shapes than when broadcasting a (n, 1) column over a
    short last axis, and the blocked kernels slice it like θ. A single value becomes 0-d."""
    value = np.asarray(value)
    if value.size == 1:
        return value.reshape(())
    if value.shape == theta.shape:
        return value
    return np.ascontiguousarray(np.broadcast_to(value, theta.shape))


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# ----------------------------------------------------------------------- in place


def _require_array(theta) -> None:
    if not isinstance(theta, np.ndarray):
        raise TypeError(f"step_ updates theta in place, so theta must be a numpy array, got "
                        f"{type(theta).__name__}; use step, or np.asarray(theta) first")


def _check_writable(theta: np.ndarray, state) -> dict[str, np.ndarray]:
    """The arrays ``step_`` writes (θ and the state's buffers), checked to be writable and
    separate; returned by name."""
    arrays = {"theta": theta, **{f"state.{f}": a for f, a in zip(state._fields, state)
                                 if isinstance(a, np.ndarray)}}
    names = list(arrays)
    for i, name in enumerate(names):
        if not arrays[name].flags.writeable:
            raise ValueError(f"step_ needs writable arrays, but {name} is read-only; use step")
        for other in names[i + 1:]:
            if np.may_share_memory(arrays[name], arrays[other]):
                raise ValueError(f"step_ writes {name} and {other}, which share memory; "
                                 f"use step, or separate arrays")
    return arrays


def _in_place_arguments(optimizer: Optimizer, theta, grad, state):
    """Arguments for a blocked in-place kernel: flat views of θ, g and the state's buffers
    (``reshape(-1)`` of a C-contiguous array is a view) and the hyperparameters cast to θ."""
    _require_array(theta)
    theta, grad, hyper = optimizer._arguments(theta, grad, state)
    arrays = _check_writable(theta, state)
    if not all(a.flags.c_contiguous for a in arrays.values()):
        raise ValueError("step_ needs C-contiguous theta and state arrays; "
                         "use step, or np.ascontiguousarray")
    if any(np.may_share_memory(grad, a) for a in arrays.values()):
        grad = grad.copy()  # the kernel writes θ and the state before it has read all of g
    buffers = {f: a.reshape(-1) for f, a in zip(state._fields, state) if isinstance(a, np.ndarray)}
    return theta.reshape(-1), np.ascontiguousarray(grad).reshape(-1), buffers, hyper


def _blocks(size: int, hyper: dict[str, np.ndarray]):
    """Yield (slice, hyperparameters for it) covering a flat array of ``size`` elements in
    blocks of :data:`BLOCK_ELEMENTS`; spread hyperparameters are sliced like θ."""
    flat = {k: v if v.ndim == 0 else v.reshape(-1) for k, v in hyper.items()}
    for start in range(0, size, BLOCK_ELEMENTS):
        block = slice(start, min(start + BLOCK_ELEMENTS, size))
        yield block, {k: v if v.ndim == 0 else v[block] for k, v in flat.items()}


def _scratch(theta: np.ndarray, n: int = 1) -> list[np.ndarray]:
    """``n`` block-sized work buffers for a kernel over the flat ``theta``."""
    size = min(theta.size, BLOCK_ELEMENTS)
    return [np.empty(size, theta.dtype) for _ in range(n)]
