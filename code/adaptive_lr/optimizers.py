r"""Optimizers with per-parameter learning rates, in vectorized numpy.

Each optimizer is a small object holding validated hyperparameters, with three methods:

* ``init(theta)`` returns the initial state, an explicit immutable value (a ``NamedTuple``);
* ``step(theta, grad, state)`` returns ``(theta_next, state_next)`` and never modifies its
  arguments; its body follows the chapter's algorithm box line by line (lines 5–7);
* ``effective_lr(state)`` returns the per-coordinate rate the last step applied.

``step_(theta, grad, state)`` does the same update in place, for large models; RMSProp and
Adam have an allocation-free version working in cache-sized blocks, the pure ``step`` stays
the readable reference and the tests check that both agree.

Vectorization: every hyperparameter may be a scalar or an array that broadcasts against
``theta``. With ``theta`` of shape ``(n, d)`` and ``lr`` of shape ``(n, 1)`` one call runs ``n``
independent optimizers, exactly as ``n`` separate runs would.

Notation follows the book (and the Korean post it started from): ρ is the learning rate,
α the decay of RMSProp's average, r the accumulated squared gradients, ε the small constant
against division by zero. Defaults and formulas are PyTorch's (ε outside the square root,
r₀ = 0); ``eps_inside_sqrt=True`` gives the Keras/optax/TensorFlow form.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as check

__all__ = [
    "Optimizer", "SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam",
    "SGDState", "AdaGradState", "RMSPropState", "AdaDeltaState", "AdamState",
]

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

    def _set_hyperparameters(self, **values: np.ndarray) -> None:
        check.common_shape(**values)
        self._hyper = values
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def hyperparameters(self) -> dict[str, np.ndarray]:
        """The validated hyperparameters, as float64 arrays (0-d for scalars)."""
        return dict(self._hyper)

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


# --------------------------------------------------------------------------- SGD


class SGDState(NamedTuple):
    count: int
    momentum: np.ndarray | None  # b, the velocity; None without momentum


class SGD(Optimizer):
    r"""Gradient descent with one learning rate for every parameter, optionally with momentum.

    .. math::

        b_t = \mu\, b_{t-1} + g_t, \qquad
        d_t = \begin{cases} g_t + \mu\, b_t & \text{Nesterov} \\ b_t & \text{otherwise}\end{cases},
        \qquad \Theta_t = \Theta_{t-1} - \rho\, d_t

    where:
      - ρ (``lr``): the learning rate, the same for every parameter; required.
      - μ (``momentum``): velocity decay in [0, 1); 0 (default) is plain gradient descent.
      - ``nesterov``: Sutskever et al.'s look-ahead form; needs ``momentum > 0``.

    This is PyTorch's ``torch.optim.SGD`` (dampening 0). Its effective learning rate is ρ for
    every coordinate: this is the baseline the adaptive methods improve on.

    References:
      Polyak, *Some methods of speeding up the convergence of iteration methods*, 1964.
      Sutskever et al., *On the importance of initialization and momentum*, ICML 2013.
    """

    name = "SGD"
    state_type = SGDState
    symbols = {"ρ": "lr", "μ": "momentum"}

    def __init__(self, lr, momentum=0.0, nesterov: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            momentum=check.hyperparameter("momentum", momentum, high=1.0))
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and np.any(self.momentum == 0):
            raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0")
        self.nesterov = nesterov

    def _options(self):
        return {"nesterov": self.nesterov} if self.nesterov else {}

    @property
    def label(self) -> str:
        if self.momentum.ndim == 0 and self.momentum == 0:
            return f"GD (ρ={float(self.lr):g})" if self.lr.ndim == 0 else "GD"
        return super().label

    def init(self, theta) -> SGDState:
        return SGDState(0, _zeros(theta) if np.any(self.momentum) else None)

    def step(self, theta, grad, state: SGDState):
        theta, g, h = self._arguments(theta, grad, state)
        direction, buffer = g, state.momentum
        if buffer is not None:
            # momentum: b ← μ b + g, and Nesterov looks ahead along it
            buffer = h["momentum"] * buffer + g
            direction = g + h["momentum"] * buffer if self.nesterov else buffer
        # line 6: ΔΘ = −ρ d ; line 7: Θ ← Θ + ΔΘ
        delta = -h["lr"] * direction
        return theta + delta, SGDState(state.count + 1, buffer)

    def effective_lr(self, state: SGDState) -> np.ndarray:
        """ρ itself (a scalar or the hyperparameter's shape), broadcastable against θ."""
        return self.lr


# ----------------------------------------------------------------------- AdaGrad


class AdaGradState(NamedTuple):
    count: int
    r: np.ndarray  # accumulated squared gradients, Σ g⊙g


class AdaGrad(Optimizer):
    r"""AdaGrad: each parameter's rate shrinks with the sum of its squared gradients.

    .. math::

        r_t = r_{t-1} + g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\rho_t}{\varepsilon + \sqrt{r_t}} \odot g_t \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    with :math:`\rho_t = \rho / (1 + (t-1)\,\text{lr\_decay})`, and
    :math:`\sqrt{r_t + \varepsilon}` in the denominator when ``eps_inside_sqrt=True``.

    where:
      - ρ (``lr``): global learning rate, default 0.01 (PyTorch).
      - ε (``eps``): keeps the denominator positive, default 1e-10 (PyTorch), outside the root.
      - r (``state.r``): the accumulator; r₀ = ``initial_accumulator_value`` (0, as in
        PyTorch and the paper; Keras and optax start at 0.1).
      - ``lr_decay``: PyTorch's extra 1/t-style decay of ρ, default 0 (off).
      - ``eps_inside_sqrt``: Keras/optax/TF form :math:`g/\sqrt{r + \varepsilon}`.

    Because r only grows, every coordinate's effective rate ρ/(ε + √r) never increases.

    References:
      Duchi, Hazan & Singer, *Adaptive subgradient methods for online learning and stochastic
      optimization*, JMLR 12, 2011. Goodfellow, Bengio & Courville, *Deep Learning*, Alg. 8.4.
    """

    name = "AdaGrad"
    state_type = AdaGradState
    symbols = {"ρ": "lr"}

    def __init__(self, lr=0.01, eps=1e-10, initial_accumulator_value=0.0, lr_decay=0.0,
                 eps_inside_sqrt: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            eps=check.hyperparameter("eps", eps, low_open=True),
            initial_accumulator_value=check.hyperparameter(
                "initial_accumulator_value", initial_accumulator_value),
            lr_decay=check.hyperparameter("lr_decay", lr_decay))
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)

    def _options(self):
        return {"eps_inside_sqrt": True} if self.eps_inside_sqrt else {}

    def init(self, theta) -> AdaGradState:
        r0 = _zeros(theta)
        r0 += self.initial_accumulator_value.astype(r0.dtype)
        return AdaGradState(0, r0)

    def _rate(self, r, lr, eps, lr_decay, count):
        rho = lr / (1 + (count - 1) * lr_decay)
        return rho / (np.sqrt(r + eps) if self.eps_inside_sqrt else eps + np.sqrt(r))

    def step(self, theta, grad, state: AdaGradState):
        theta, g, h = self._arguments(theta, grad, state)
        t = state.count + 1
        # line 5: r ← r + g ⊙ g
        r = state.r + g * g
        # line 6: ΔΘ = −ρ / (ε + √r) ⊙ g
        delta = -self._rate(r, h["lr"], h["eps"], h["lr_decay"], t) * g
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdaGradState(t, r)

    def effective_lr(self, state: AdaGradState) -> np.ndarray:
        h = self._hyper_for(state.r)
        return self._rate(state.r, h["lr"], h["eps"], h["lr_decay"], max(state.count, 1))


# ----------------------------------------------------------------------- RMSProp


class RMSPropState(NamedTuple):
    count: int
    r: np.ndarray                  # exponential average of g⊙g
    g_avg: np.ndarray | None       # average of g (centered only)
    momentum: np.ndarray | None    # velocity (momentum > 0 only)


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with an exponentially decaying average instead of a sum.

    .. math::

        r_t = \alpha\, r_{t-1} + (1-\alpha)\, g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\rho}{\varepsilon + \sqrt{r_t}} \odot g_t \quad\text{(line 6)},
        \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    Options, as in PyTorch: ``centered`` divides by the estimated standard deviation
    :math:`\sqrt{r_t - \bar g_t^2}` with :math:`\bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t`;
    ``momentum`` μ > 0 accumulates :math:`b_t = \mu b_{t-1} + g_t / (\varepsilon + \sqrt{r_t})`
    and steps :math:`-\rho\, b_t`. ``eps_inside_sqrt`` uses :math:`\sqrt{r_t + \varepsilon}`
    (Keras, optax, TensorFlow).

    where:
      - ρ (``lr``): learning rate, default 0.01 (PyTorch).
      - α (``alpha``): decay of the average, in [0, 1], default 0.99 (PyTorch; Hinton and
        Keras use 0.9, where Keras calls it ``rho``). Its window is about 1/(1−α) steps.
        α = 1 is allowed for teaching: r then stays at r₀ = 0 and the step is ρ g/ε.
      - ε (``eps``): default 1e-8, outside the root.
      - r (``state.r``): starts at 0, so early averages are biased towards 0 and the first
        step is ρ/√(1−α) per coordinate (10ρ for α = 0.99); Adam's bias correction fixes this.

    References:
      Hinton, Srivastava & Swersky, *Neural networks for machine learning*, lecture 6e, 2012.
      Graves, *Generating sequences with recurrent neural networks*, 2013 (centered form).
      Goodfellow, Bengio & Courville, *Deep Learning*, Alg. 8.5.
    """

    name = "RMSProp"
    state_type = RMSPropState
    symbols = {"ρ": "lr", "α": "alpha"}

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered: bool = False,
                 eps_inside_sqrt: bool = False):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            alpha=check.hyperparameter("alpha", alpha, high=1.0, high_open=False),
            eps=check.hyperparameter("eps", eps, low_open=True),
            momentum=check.hyperparameter("momentum", momentum, high=1.0))
        self.centered = _flag("centered", centered)
        self.eps_inside_sqrt = _flag("eps_inside_sqrt", eps_inside_sqrt)

    def _options(self):
        return {k: True for k in ("centered", "eps_inside_sqrt") if getattr(self, k)}

    def init(self, theta) -> RMSPropState:
        return RMSPropState(0, _zeros(theta), _zeros(theta) if self.centered else None,
                            _zeros(theta) if np.any(self.momentum) else None)

    def _denominator(self, r, g_avg, eps):
        # r − ḡ² ≥ 0 in exact arithmetic; rounding can push it below 0 (e.g. a constant
        # gradient), so clamp it rather than take √ of a negative number (PyTorch gives NaN)
        variance = np.maximum(r - g_avg * g_avg, 0) if g_avg is not None else r
        return np.sqrt(variance + eps) if self.eps_inside_sqrt else eps + np.sqrt(variance)

    def step(self, theta, grad, state: RMSPropState):
        theta, g, h = self._arguments(theta, grad, state)
        alpha = h["alpha"]
        # line 5: r ← α r + (1 − α) g ⊙ g
        r = alpha * state.r + (1 - alpha) * g * g
        g_avg = None if state.g_avg is None else alpha * state.g_avg + (1 - alpha) * g
        # line 6: ΔΘ = −ρ / (ε + √r) ⊙ g   (with momentum: b ← μ b + g / (ε + √r), ΔΘ = −ρ b)
        scaled = g / self._denominator(r, g_avg, h["eps"])
        buffer = state.momentum
        if buffer is not None:
            buffer = h["momentum"] * buffer + scaled
            scaled = buffer
        delta = -h["lr"] * scaled
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, RMSPropState(state.count + 1, r, g_avg, buffer)

    def effective_lr(self, state: RMSPropState) -> np.ndarray:
        """ρ / (ε + √r): the rate applied to g (with momentum, before it enters the buffer)."""
        h = self._hyper_for(state.r)
        return h["lr"] / self._denominator(state.r, state.g_avg, h["eps"])

    def step_(self, theta, grad, state: RMSPropState) -> RMSPropState:
        """In place, in cache-sized blocks, with no full-size temporaries; equals :meth:`step`."""
        theta, g, hyper = _in_place_arguments(self, theta, grad, state)
        scratch = np.empty(_block_size(theta), theta.dtype)
        for rows, h in _blocks(theta, hyper):
            th, gr, r = theta[rows], g[rows], state.r[rows]
            buf = scratch[:th.size].reshape(th.shape)
            # line 5: r ← α r + (1 − α) g ⊙ g
            np.multiply(gr, gr, out=buf)
            buf *= 1 - h["alpha"]
            r *= h["alpha"]
            r += buf
            # line 6: the denominator ε + √(r − ḡ²) (or √(r − ḡ² + ε)), then g / it
            if state.g_avg is not None:
                ga = state.g_avg[rows]
                ga *= h["alpha"]
                np.multiply(gr, 1 - h["alpha"], out=buf)
                ga += buf
                np.multiply(ga, ga, out=buf)
                np.subtract(r, buf, out=buf)
                np.maximum(buf, 0, out=buf)
            else:
                buf[...] = r
            if self.eps_inside_sqrt:
                buf += h["eps"]
                np.sqrt(buf, out=buf)
            else:
                np.sqrt(buf, out=buf)
                buf += h["eps"]
            np.divide(gr, buf, out=buf)
            if state.momentum is not None:
                b = state.momentum[rows]
                b *= h["momentum"]
                b += buf
                np.multiply(b, h["lr"], out=buf)
            else:
                buf *= h["lr"]
            # line 7: Θ ← Θ − ρ · (g / denominator)
            th -= buf
        return state._replace(count=state.count + 1)


# ---------------------------------------------------------------------- AdaDelta


class AdaDeltaState(NamedTuple):
    count: int
    r: np.ndarray        # E[g²], average of squared gradients
    delta_avg: np.ndarray  # E[Δθ²], average of squared updates


class AdaDelta(Optimizer):
    r"""AdaDelta: RMSProp's sibling whose numerator is a running RMS of past updates.

    .. math::

        r_t = \rho_d\, r_{t-1} + (1-\rho_d)\, g_t \odot g_t \quad\text{(line 5)}, \qquad
        \Delta\Theta_t = -\frac{\sqrt{u_{t-1} + \varepsilon}}{\sqrt{r_t + \varepsilon}} \odot g_t,
        \qquad u_t = \rho_d\, u_{t-1} + (1-\rho_d)\, \Delta\Theta_t \odot \Delta\Theta_t

    and :math:`\Theta_t = \Theta_{t-1} + \text{lr}\cdot\Delta\Theta_t` (line 7). The ratio of
    two RMS values has the units of Θ, so no learning rate is needed: ``lr = 1`` (default,
    PyTorch) is the paper's method; frameworks multiply by ``lr`` afterwards.

    where:
      - ρ_d (``rho``): decay of both averages, in [0, 1), default 0.9 (PyTorch; the paper
        uses 0.95). Not the book's ρ, which is a learning rate.
      - ε (``eps``): default 1e-6; it also sets the size of the very first steps (√ε).

    ``effective_lr`` reports lr·√(u_t + ε)/√(r_t + ε), the rate its statistics give now.

    References:
      Zeiler, *ADADELTA: an adaptive learning rate method*, arXiv:1212.5701, 2012.
    """

    name = "AdaDelta"
    state_type = AdaDeltaState
    symbols = {"ρ_d": "rho"}

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            rho=check.hyperparameter("rho", rho, high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True))

    def init(self, theta) -> AdaDeltaState:
        return AdaDeltaState(0, _zeros(theta), _zeros(theta))

    def step(self, theta, grad, state: AdaDeltaState):
        theta, g, h = self._arguments(theta, grad, state)
        rho, eps = h["rho"], h["eps"]
        # line 5: r ← ρ_d r + (1 − ρ_d) g ⊙ g
        r = rho * state.r + (1 - rho) * g * g
        # line 6: ΔΘ = −√(u + ε) / √(r + ε) ⊙ g, then u ← ρ_d u + (1 − ρ_d) ΔΘ ⊙ ΔΘ
        delta = -np.sqrt(state.delta_avg + eps) / np.sqrt(r + eps) * g
        delta_avg = rho * state.delta_avg + (1 - rho) * delta * delta
        # line 7: Θ ← Θ + lr · ΔΘ
        return theta + h["lr"] * delta, AdaDeltaState(state.count + 1, r, delta_avg)

    def effective_lr(self, state: AdaDeltaState) -> np.ndarray:
        h = self._hyper_for(state.r)
        return h["lr"] * np.sqrt(state.delta_avg + h["eps"]) / np.sqrt(state.r + h["eps"])


# -------------------------------------------------------------------------- Adam


class AdamState(NamedTuple):
    count: int
    m: np.ndarray               # first moment, average of g
    v: np.ndarray               # second moment, average of g⊙g (the r of RMSProp)
    v_max: np.ndarray | None    # running max of v (AMSGrad only)


class Adam(Optimizer):
    r"""Adam: momentum on the gradient plus RMSProp's scaling, both bias-corrected.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t \odot g_t \quad\text{(line 5)}

        \Delta\Theta_t = -\rho\,\frac{\hat m_t}{\varepsilon + \sqrt{\hat v_t}}, \quad
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}
        \quad\text{(line 6)}, \qquad \Theta_t = \Theta_{t-1} + \Delta\Theta_t \quad\text{(line 7)}

    where:
      - ρ (``lr``): step size, default 1e-3 (paper, PyTorch, Keras).
      - β₁, β₂ (``betas``): decays of the two averages, each in [0, 1), default (0.9, 0.999).
      - ε (``eps``): default 1e-8, outside the root as in the paper's Algorithm 1.
      - ``eps_hat``: Keras/TensorFlow's form, the paper's "efficient" rewriting of line 6 with
        ε̂ = ``eps`` added to the *un-corrected* √v:

        .. math::

            \Delta\Theta_t = -\rho_t \frac{m_t}{\hat\varepsilon + \sqrt{v_t}}, \quad
            \rho_t = \rho\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \quad\text{i.e.}\quad
            \Delta\Theta_t = -\rho\,\frac{\hat m_t}{\hat\varepsilon/\sqrt{1-\beta_2^t}
            + \sqrt{\hat v_t}}:

        Algorithm 1 with a time-varying ε_t = ε̂/√(1−β₂ᵗ), √1000 ≈ 31.6 ε̂ at t = 1 (β₂ =
        0.999) falling to ε̂. Negligible for ε̂ = 1e-7, not for the large ε some models use.
      - ``amsgrad``: divide by a running maximum of the second moment (Reddi et al.).
        ``amsgrad_max="raw"`` (default; PyTorch, Keras, TensorFlow) keeps
        :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)` and bias-corrects it,
        :math:`\tilde v_t = v^{\max}_t/(1-\beta_2^t)`; ``"corrected"`` (optax) keeps the
        maximum of the corrected values, :math:`\tilde v_t = \max(\tilde v_{t-1}, \hat v_t)`,
        in ``state.v_max``. Line 6 then divides by √ṽ instead of √v̂. The two differ when an
        early v̂ is large: the corrected maximum remembers v̂₁ = g₁² for good.
      - ``weight_decay`` λ: with ``decoupled=False`` it is L2, g ← g + λΘ (PyTorch ``Adam``);
        with ``decoupled=True`` it is AdamW, Θ ← Θ(1 − ρλ) before the update.

    With β₁ = 0 Adam is RMSProp with decay β₂, bias correction and ε outside the root.

    References:
      Kingma & Ba, *Adam: a method for stochastic optimization*, ICLR 2015, Algorithm 1.
      Reddi, Kale & Kumar, *On the convergence of Adam and beyond*, ICLR 2018 (AMSGrad).
      Loshchilov & Hutter, *Decoupled weight decay regularization*, ICLR 2019 (AdamW).
    """

    name = "Adam"
    state_type = AdamState
    symbols = {"ρ": "lr", "β₁": "beta1", "β₂": "beta2"}

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, amsgrad: bool = False,
                 weight_decay=0.0, decoupled: bool = False, eps_hat: bool = False,
                 amsgrad_max: str = "raw"):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self._set_hyperparameters(
            lr=check.hyperparameter("lr", lr),
            beta1=check.hyperparameter("betas[0]", betas[0], high=1.0),
            beta2=check.hyperparameter("betas[1]", betas[1], high=1.0),
            eps=check.hyperparameter("eps", eps, low_open=True),
            weight_decay=check.hyperparameter("weight_decay", weight_decay))
        self.amsgrad = _flag("amsgrad", amsgrad)
        self.decoupled = _flag("decoupled", decoupled)
        self.eps_hat = _flag("eps_hat", eps_hat)
        if not isinstance(amsgrad_max, str) or amsgrad_max not in ("raw", "corrected"):
            raise ValueError(f"amsgrad_max must be 'raw' or 'corrected', got {amsgrad_max!r}")
        if amsgrad_max == "corrected" and not self.amsgrad:
            raise ValueError("amsgrad_max='corrected' only applies with amsgrad=True")
        self.amsgrad_max = amsgrad_max
        if self.decoupled:
            self.name = "AdamW"

    @property
    def betas(self) -> tuple[np.ndarray, np.ndarray]:
        return self.beta1, self.beta2

    def _options(self):
        options = {k: True for k in ("amsgrad", "decoupled", "eps_hat") if getattr(self, k)}
        if self.amsgrad_max != "raw":
            options["amsgrad_max"] = self.amsgrad_max
        return options

    def init(self, theta) -> AdamState:
        return AdamState(0, _zeros(theta), _zeros(theta), _zeros(theta) if self.amsgrad else None)

    def _second_moment(self, v, v_max, beta2, t):
        """ṽ, the bias-corrected second moment line 6 divides by: v̂, or AMSGrad's maximum."""
        if v_max is None:
            return v / (1 - beta2 ** t)
        return v_max / (1 - beta2 ** t) if self.amsgrad_max == "raw" else v_max

    def _rate(self, v_tilde, lr, beta1, beta2, eps, t):
        """ρ/(1 − β₁ᵗ) / (ε + √ṽ): the factor that multiplies m in line 6
        (with ``eps_hat``, ε is ε̂/√(1 − β₂ᵗ))."""
        if self.eps_hat:
            eps = eps / np.sqrt(1 - beta2 ** t)
        return lr / (1 - beta1 ** t) / (eps + np.sqrt(v_tilde))

    def step(self, theta, grad, state: AdamState):
        theta, g, h = self._arguments(theta, grad, state)
        b1, b2, wd = h["beta1"], h["beta2"], h["weight_decay"]
        t = state.count + 1
        if self.decoupled:
            theta = theta * (1 - h["lr"] * wd)      # AdamW: decay Θ itself
        elif np.any(wd):
            g = g + wd * theta                       # L2: decay enters the gradient
        m = b1 * state.m + (1 - b1) * g
        # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
        v = b2 * state.v + (1 - b2) * g * g
        v_max = state.v_max
        if v_max is not None:  # AMSGrad: the running maximum of v (raw) or of v̂ (corrected)
            v_max = np.maximum(v_max, v if self.amsgrad_max == "raw" else v / (1 - b2 ** t))
        # line 6: ΔΘ = −ρ m̂ / (ε + √v̂)
        rate = self._rate(self._second_moment(v, v_max, b2, t), h["lr"], b1, b2, h["eps"], t)
        delta = -rate * m
        # line 7: Θ ← Θ + ΔΘ
        return theta + delta, AdamState(t, m, v, v_max)

    def effective_lr(self, state: AdamState) -> np.ndarray:
        h, t = self._hyper_for(state.v), max(state.count, 1)
        v_tilde = self._second_moment(state.v, state.v_max, h["beta2"], t)
        return self._rate(v_tilde, h["lr"], h["beta1"], h["beta2"], h["eps"], t)

    def step_(self, theta, grad, state: AdamState) -> AdamState:
        """In place, in cache-sized blocks, with no full-size temporaries; equals :meth:`step`."""
        theta, g, hyper = _in_place_arguments(self, theta, grad, state)
        t = state.count + 1
        scratch = np.empty((2, _block_size(theta)), theta.dtype)
        for rows, h in _blocks(theta, hyper):
            th, gr, m, v = theta[rows], g[rows], state.m[rows], state.v[rows]
            buf, grad_buf = (s[:th.size].reshape(th.shape) for s in scratch)
            wd = h["weight_decay"]
            if self.decoupled:
                th *= 1 - h["lr"] * wd
            elif np.any(wd):
                np.multiply(th, wd, out=grad_buf)
                grad_buf += gr
                gr = grad_buf
            m *= h["beta1"]
            np.multiply(gr, 1 - h["beta1"], out=buf)
            m += buf
            # line 5: v ← β₂ v + (1 − β₂) g ⊙ g
            np.multiply(gr, gr, out=buf)
            buf *= 1 - h["beta2"]
            v *= h["beta2"]
            v += buf
            # line 6: ΔΘ = −ρ/(1 − β₁ᵗ) · m / (ε + √ṽ), ṽ = v/(1 − β₂ᵗ) or AMSGrad's maximum
            correction = 1 / (1 - h["beta2"] ** t)
            if state.v_max is None:
                np.multiply(v, correction, out=buf)
            elif self.amsgrad_max == "raw":
                v_max = state.v_max[rows]
                np.maximum(v_max, v, out=v_max)
                np.multiply(v_max, correction, out=buf)
            else:
                v_max = state.v_max[rows]
                np.multiply(v, correction, out=buf)
                np.maximum(v_max, buf, out=v_max)
                buf[...] = v_max
            np.sqrt(buf, out=buf)
            buf += h["eps"] * np.sqrt(correction) if self.eps_hat else h["eps"]
            np.divide(m, buf, out=buf)
            buf *= h["lr"] / (1 - h["beta1"] ** t)
            # line 7: Θ ← Θ + ΔΘ
            th -= buf
        return state._replace(count=t)


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
