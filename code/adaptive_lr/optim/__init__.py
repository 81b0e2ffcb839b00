r"""Optimizers with per-parameter learning rates, in vectorized numpy.

Each optimizer is a small object holding validated hyperparameters, with three methods:

* ``init(theta)`` returns the initial state, an explicit immutable value (a ``NamedTuple``);
* ``step(theta, grad, state)`` returns ``(theta_next, state_next)`` and never modifies its
  arguments; its body follows the chapter's algorithm box line by line (lines 5–7);
* ``effective_lr(state)`` returns the per-coordinate rate the last step applied.

``step_(theta, grad, state)`` does the same update in place, for large models; RMSProp, Adam,
Adamax, NAdam and RAdam have an allocation-free version working in cache-sized blocks of the
flat arrays, doing ``step``'s operations in ``step``'s order: the pure ``step`` stays the
readable reference and the tests check that both agree bit for bit.

Beyond Adam: ``Adamax`` (the ∞-norm of the past gradients instead of their RMS), ``NAdam``
(Nesterov's look-ahead momentum, with a momentum schedule whose running product the state
keeps in float64) and ``RAdam`` (momentum SGD until the adaptive rate's variance is finite,
then a rectified adaptive rate), with PyTorch's formulas and defaults.

Optimizers are values: hyperparameters are read-only, and a variant is an option of its
optimizer (``Adam(bias_correction=...)``, ``RMSProp(initial_accumulator_value=...,
lr_in_momentum=...)``), never another class. ``name=`` sets the display name only. θ is
float32 or float64 (float16 is refused, see :mod:`adaptive_lr.optim.base`), the state has
θ's dtype, and factors that rounding would spoil (1 − β, bias corrections) are computed in
float64, as PyTorch does.

Vectorization: every hyperparameter may be a scalar or an array that broadcasts against
``theta``. With ``theta`` of shape ``(n, d)`` and ``lr`` of shape ``(n, 1)`` one call runs ``n``
independent optimizers, exactly as ``n`` separate runs would.

Notation follows the book (and the Korean post it started from): ρ is the learning rate,
α the decay of RMSProp's average, r the accumulated squared gradients, ε the small constant
against division by zero. Defaults and formulas are PyTorch's (ε outside the square root,
r₀ = 0); ``eps_inside_sqrt=True`` gives the Keras/optax/TensorFlow form.
"""
from .adadelta import AdaDelta, AdaDeltaState
from .adagrad import AdaGrad, AdaGradState
from .adam import Adam, AdamState
from .adamax import Adamax, AdamaxState
from .base import Optimizer
from .nadam import NAdam, NAdamState
from .radam import RAdam, RAdamState
from .rmsprop import RMSProp, RMSPropState
from .sgd import SGD, SGDState

__all__ = [
    "Optimizer", "SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Adamax", "NAdam", "RAdam",
    "SGDState", "AdaGradState", "RMSPropState", "AdaDeltaState", "AdamState", "AdamaxState",
    "NAdamState", "RAdamState",
]
