r"""How PyTorch, Keras/TensorFlow and optax define the book's optimizers: names, defaults,
and the package optimizer that reproduces each definition.

Libraries that share an optimizer's name do not share its update. They differ in where ε
goes (inside or outside the square root, or Keras's ε̂ on the un-corrected √v of Adam), in
the accumulator's start r₀ (0, 0.1 or 1), in AMSGrad's maximum (before or after bias
correction), in weight decay (L2 in the gradient or decoupled), and in whether the momentum
buffer of RMSProp holds the learning rate. Each :class:`Convention` records one library's
definition as data — its argument names, defaults and the book symbol each one sets — plus a
builder that returns the package optimizer with the same update, so

>>> from_framework("keras", "RMSprop")
RMSProp(lr=0.001, alpha=0.9, eps=1e-07, momentum=0, eps_inside_sqrt=True)

runs Keras's update with no framework installed. :func:`table` prints the names and
defaults side by side. Every difference is an option of the package's one optimizer of that
name (``eps_inside_sqrt``, ``initial_accumulator_value``, ``lr_in_momentum``, ``eps_hat``,
``amsgrad_max``, ``decoupled``), so :func:`~adaptive_lr.trace.trace` compares the first steps
of any two.

Sources (read for PyTorch 2.x ``torch/optim``, Keras 3 ``keras/src/optimizers``, optax 0.2
``optax/_src/alias.py`` and ``transform.py``, TensorFlow 1 ``tf.compat.v1.train``): see
``/chapters/frameworks`` and its references.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..optim import SGD, AdaDelta, AdaGrad, Adam, RMSProp
from ..tables import Table

__all__ = ["REQUIRED", "FRAMEWORKS", "ALGORITHMS", "Argument", "Convention",
           "CONVENTIONS", "conventions", "lookup", "from_framework", "table"]


class _Required:
    """Marker for an argument without a default (optax's ``learning_rate``)."""

    def __repr__(self) -> str:
        return "required"


#: The default of an argument the caller must give.
REQUIRED = _Required()

#: Framework keys, and how their optimizers are spelled in code.
FRAMEWORKS = {"pytorch": "torch.optim", "keras": "keras.optimizers", "optax": "optax",
              "tf1": "tf.compat.v1.train"}

#: The package's algorithms, in the book's order (AdamW is Adam with decoupled decay).
ALGORITHMS = ("SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "AMSGrad")

#: The book's symbol for each role an argument can play, in table order.
SYMBOLS = ("ρ", "α", "ρ_d", "β₁", "β₂", "ε", "r₀", "μ", "λ")


@dataclass(frozen=True)
class Argument:
    """One constructor argument of a framework's optimizer.

    Attributes:
      name: the framework's spelling, e.g. ``"epsilon"``.
      default: its default value, or :data:`REQUIRED`.
      symbol: the book symbol it sets (``"ρ"``, ``"α"``, ``"ε"``, ...), or ``""`` for a flag.
      supported: False if the package has no equivalent; only the default is accepted then.
    """

    name: str
    default: object
    symbol: str = ""
    supported: bool = True


@dataclass(frozen=True)
class Convention:
    """One framework's definition of one optimizer.

    Attributes:
      framework: a key of :data:`FRAMEWORKS`.
      name: the framework's spelling (``"RMSprop"``, ``"rmsprop"``, ``"RMSPropOptimizer"``).
      algorithm: the book's name, one of :data:`ALGORITHMS`.
      arguments: the constructor's arguments, in the framework's order.
      build: maps ``{argument name: value}`` (defaults filled in) to the package optimizer.
      lr_in_momentum: True if the momentum buffer accumulates ρ·(step) rather than the step
        (None when the optimizer has no momentum). Equal updates for a constant ρ; different
        as soon as ρ changes (a schedule), see ``RMSProp(lr_in_momentum=...)``.
      weight_decay: ``"L2"`` (λΘ added to g), ``"decoupled"`` (Θ ← Θ(1 − ρλ)) or None.
    """

    framework: str
    name: str
    algorithm: str
    arguments: tuple[Argument, ...]
    build: Callable[[dict], object]
    lr_in_momentum: bool | None = None
    weight_decay: str | None = None

    @property
    def call(self) -> str:
        """How the optimizer is spelled in code, e.g. ``'keras.optimizers.RMSprop'``."""
        return f"{FRAMEWORKS[self.framework]}.{self.name}"

    @property
    def defaults(self) -> dict[str, object]:
        return {a.name: a.default for a in self.arguments}

    def argument_for(self, symbol: str) -> Argument | None:
        """The argument that sets the book symbol ``symbol``, or None."""
        return next((a for a in self.arguments if a.symbol == symbol), None)


# ------------------------------------------------------------------------- the table

A = Argument


def _betas(v, first: str, second: str) -> tuple:
    return (v[first], v[second])


def _momentum(value) -> float:
    """optax spells 'no momentum' as None."""
    return 0.0 if value is None else value


def _keras_adam(v, decoupled_default: bool):
    decay = v["weight_decay"]
    return Adam(lr=v["learning_rate"], betas=_betas(v, "beta_1", "beta_2"), eps=v["epsilon"],
                amsgrad=v["amsgrad"], eps_hat=True,
                weight_decay=0.0 if decay is None else decay,
                decoupled=decoupled_default or decay is not None)


def _torch_adam(v):
    return Adam(lr=v["lr"], betas=tuple(v["betas"]), eps=v["eps"],
                weight_decay=v["weight_decay"], amsgrad=v["amsgrad"])


def _optax_rmsprop(v):
    momentum = _momentum(v["momentum"])
    return RMSProp(lr=v["learning_rate"], alpha=v["decay"], eps=v["eps"], momentum=momentum,
                   centered=v["centered"], eps_inside_sqrt=v["eps_in_sqrt"],
                   initial_accumulator_value=v["initial_scale"], lr_in_momentum=momentum > 0)


_TORCH_ADAM = (A("lr", 1e-3, "ρ"), A("betas", (0.9, 0.999), "β₁, β₂"), A("eps", 1e-8, "ε"))
_KERAS_ADAM = (A("learning_rate", 1e-3, "ρ"), A("beta_1", 0.9, "β₁"), A("beta_2", 0.999, "β₂"),
               A("epsilon", 1e-7, "ε"))
_OPTAX_ADAM = (A("learning_rate", REQUIRED, "ρ"), A("b1", 0.9, "β₁"), A("b2", 0.999, "β₂"),
               A("eps", 1e-8, "ε"), A("eps_root", 0.0, "", supported=False))

CONVENTIONS: tuple[Convention, ...] = (
    # ------------------------------------------------------------------ PyTorch 2.x
    Convention("pytorch", "SGD", "SGD",
               (A("lr", 1e-3, "ρ"), A("momentum", 0.0, "μ"),
                A("dampening", 0.0, "", supported=False),
                A("weight_decay", 0.0, "λ", supported=False), A("nesterov", False)),
               lambda v: SGD(lr=v["lr"], momentum=v["momentum"], nesterov=v["nesterov"]),
               lr_in_momentum=False, weight_decay="L2"),
    Convention("pytorch", "Adagrad", "AdaGrad",
               (A("lr", 1e-2, "ρ"), A("lr_decay", 0.0),
                A("weight_decay", 0.0, "λ", supported=False),
                A("initial_accumulator_value", 0.0, "r₀"), A("eps", 1e-10, "ε")),
               lambda v: AdaGrad(lr=v["lr"], eps=v["eps"], lr_decay=v["lr_decay"],
                                 initial_accumulator_value=v["initial_accumulator_value"]),
               weight_decay="L2"),
    Convention("pytorch", "RMSprop", "RMSProp",
               (A("lr", 1e-2, "ρ"), A("alpha", 0.99, "α"), A("eps", 1e-8, "ε"),
                A("weight_decay", 0.0, "λ", supported=False), A("momentum", 0.0, "μ"),
                A("centered", False)),
               lambda v: RMSProp(lr=v["lr"], alpha=v["alpha"], eps=v["eps"],
                                 momentum=v["momentum"], centered=v["centered"]),
               lr_in_momentum=False, weight_decay="L2"),
    Convention("pytorch", "Adadelta", "AdaDelta",
               (A("lr", 1.0, "ρ"), A("rho", 0.9, "ρ_d"), A("eps", 1e-6, "ε"),
                A("weight_decay", 0.0, "λ", supported=False)),
               lambda v: AdaDelta(lr=v["lr"], rho=v["rho"], eps=v["eps"]),
               weight_decay="L2"),
    Convention("pytorch", "Adam", "Adam",
               _TORCH_ADAM + (A("weight_decay", 0.0, "λ"), A("amsgrad", False)),
               _torch_adam, weight_decay="L2"),
    Convention("pytorch", "AdamW", "AdamW",
               _TORCH_ADAM + (A("weight_decay", 1e-2, "λ"), A("amsgrad", False)),
               lambda v: Adam(lr=v["lr"], betas=tuple(v["betas"]), eps=v["eps"],
                              weight_decay=v["weight_decay"], amsgrad=v["amsgrad"],
                              decoupled=True),
               weight_decay="decoupled"),
    # ------------------------------------------------------------------ Keras 3
    Convention("keras", "SGD", "SGD",
               (A("learning_rate", 0.01, "ρ"), A("momentum", 0.0, "μ"), A("nesterov", False),
                A("weight_decay", None, "λ", supported=False)),
               lambda v: SGD(lr=v["learning_rate"], momentum=v["momentum"],
                             nesterov=v["nesterov"]),
               lr_in_momentum=True, weight_decay="decoupled"),
    Convention("keras", "Adagrad", "AdaGrad",
               (A("learning_rate", 1e-3, "ρ"), A("initial_accumulator_value", 0.1, "r₀"),
                A("epsilon", 1e-7, "ε"), A("weight_decay", None, "λ", supported=False)),
               lambda v: AdaGrad(lr=v["learning_rate"], eps=v["epsilon"],
                                 initial_accumulator_value=v["initial_accumulator_value"],
                                 eps_inside_sqrt=True),
               weight_decay="decoupled"),
    Convention("keras", "RMSprop", "RMSProp",
               (A("learning_rate", 1e-3, "ρ"), A("rho", 0.9, "α"), A("momentum", 0.0, "μ"),
                A("epsilon", 1e-7, "ε"), A("centered", False),
                A("weight_decay", None, "λ", supported=False)),
               lambda v: RMSProp(lr=v["learning_rate"], alpha=v["rho"], eps=v["epsilon"],
                                 momentum=v["momentum"], centered=v["centered"],
                                 eps_inside_sqrt=True, lr_in_momentum=v["momentum"] > 0),
               lr_in_momentum=True, weight_decay="decoupled"),
    Convention("keras", "Adadelta", "AdaDelta",
               (A("learning_rate", 1e-3, "ρ"), A("rho", 0.95, "ρ_d"), A("epsilon", 1e-7, "ε"),
                A("weight_decay", None, "λ", supported=False)),
               lambda v: AdaDelta(lr=v["learning_rate"], rho=v["rho"], eps=v["epsilon"]),
               weight_decay="decoupled"),
    Convention("keras", "Adam", "Adam",
               _KERAS_ADAM + (A("amsgrad", False), A("weight_decay", None, "λ")),
               lambda v: _keras_adam(v, decoupled_default=False),
               weight_decay="decoupled"),
    Convention("keras", "AdamW", "AdamW",
               (A("learning_rate", 1e-3, "ρ"), A("weight_decay", 0.004, "λ"))
               + _KERAS_ADAM[1:] + (A("amsgrad", False),),
               lambda v: _keras_adam(v, decoupled_default=True),
               weight_decay="decoupled"),
    # ------------------------------------------------------------------ optax 0.2
    Convention("optax", "sgd", "SGD",
               (A("learning_rate", REQUIRED, "ρ"), A("momentum", None, "μ"), A("nesterov", False)),
               lambda v: SGD(lr=v["learning_rate"], momentum=_momentum(v["momentum"]),
                             nesterov=v["nesterov"]),
               lr_in_momentum=False),
    Convention("optax", "adagrad", "AdaGrad",
               (A("learning_rate", REQUIRED, "ρ"), A("initial_accumulator_value", 0.1, "r₀"),
                A("eps", 1e-7, "ε")),
               lambda v: AdaGrad(lr=v["learning_rate"], eps=v["eps"],
                                 initial_accumulator_value=v["initial_accumulator_value"],
                                 eps_inside_sqrt=True)),
    Convention("optax", "rmsprop", "RMSProp",
               (A("learning_rate", REQUIRED, "ρ"), A("decay", 0.9, "α"), A("eps", 1e-8, "ε"),
                A("initial_scale", 0.0, "r₀"), A("eps_in_sqrt", True), A("centered", False),
                A("momentum", None, "μ"), A("nesterov", False, "", supported=False),
                A("bias_correction", False, "", supported=False)),
               _optax_rmsprop, lr_in_momentum=True),
    Convention("optax", "adadelta", "AdaDelta",
               (A("learning_rate", REQUIRED, "ρ"), A("rho", 0.9, "ρ_d"), A("eps", 1e-6, "ε"),
                A("weight_decay", 0.0, "λ", supported=False)),
               lambda v: AdaDelta(lr=v["learning_rate"], rho=v["rho"], eps=v["eps"]),
               weight_decay="L2"),
    Convention("optax", "adam", "Adam", _OPTAX_ADAM,
               lambda v: Adam(lr=v["learning_rate"], betas=_betas(v, "b1", "b2"), eps=v["eps"])),
    Convention("optax", "adamw", "AdamW", _OPTAX_ADAM + (A("weight_decay", 1e-4, "λ"),),
               lambda v: Adam(lr=v["learning_rate"], betas=_betas(v, "b1", "b2"), eps=v["eps"],
                              weight_decay=v["weight_decay"], decoupled=True),
               weight_decay="decoupled"),
    Convention("optax", "amsgrad", "AMSGrad", _OPTAX_ADAM,
               lambda v: Adam(lr=v["learning_rate"], betas=_betas(v, "b1", "b2"), eps=v["eps"],
                              amsgrad=True, amsgrad_max="corrected")),
    # ------------------------------------------------------------------ TensorFlow 1
    Convention("tf1", "RMSPropOptimizer", "RMSProp",
               (A("learning_rate", REQUIRED, "ρ"), A("decay", 0.9, "α"), A("momentum", 0.0, "μ"),
                A("epsilon", 1e-10, "ε"), A("centered", False)),
               lambda v: RMSProp(lr=v["learning_rate"], alpha=v["decay"], eps=v["epsilon"],
                                 momentum=v["momentum"], centered=v["centered"],
                                 eps_inside_sqrt=True, initial_accumulator_value=1.0,
                                 lr_in_momentum=v["momentum"] > 0),
               lr_in_momentum=True),
    Convention("tf1", "AdamOptimizer", "Adam",
               (A("learning_rate", 1e-3, "ρ"), A("beta1", 0.9, "β₁"), A("beta2", 0.999, "β₂"),
                A("epsilon", 1e-8, "ε")),
               lambda v: Adam(lr=v["learning_rate"], betas=_betas(v, "beta1", "beta2"),
                              eps=v["epsilon"], eps_hat=True)),
)

# PyTorch's AMSGrad is an Adam option; list it under AMSGrad too, as Keras's is
CONVENTIONS += (
    Convention("pytorch", "Adam", "AMSGrad",
               _TORCH_ADAM + (A("weight_decay", 0.0, "λ"), A("amsgrad", True)),
               _torch_adam, weight_decay="L2"),
    Convention("keras", "Adam", "AMSGrad",
               _KERAS_ADAM + (A("amsgrad", True), A("weight_decay", None, "λ")),
               lambda v: _keras_adam(v, decoupled_default=False), weight_decay="decoupled"),
)


def conventions(algorithm: str | None = None, framework: str | None = None
                ) -> list[Convention]:
    """The conventions for one algorithm and/or one framework, in table order."""
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    if framework is not None and framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    order = list(FRAMEWORKS)
    return sorted((c for c in CONVENTIONS if algorithm in (None, c.algorithm)
                   and framework in (None, c.framework)),
                  key=lambda c: order.index(c.framework))


def lookup(framework: str, name: str) -> Convention:
    """The convention for ``framework``'s optimizer ``name`` (case-insensitive).

    Names are the framework's (``"RMSprop"``, ``"rmsprop"``, ``"RMSPropOptimizer"``);
    the book's algorithm names (``"RMSProp"``, ``"AdaGrad"``) are accepted too.
    """
    options = conventions(framework=framework)
    for key in ("name", "algorithm"):
        found = [c for c in options if getattr(c, key).lower() == str(name).lower()]
        if found:
            return found[0]
    known = ", ".join(dict.fromkeys(c.name for c in options))
    raise ValueError(f"{framework} has no optimizer {name!r} here; known: {known}")


def from_framework(framework: str, name: str, **kwargs):
    """The package optimizer that performs ``framework``'s ``name`` optimizer's update.

    Arguments use the framework's names and defaults, e.g. ``from_framework("keras",
    "Adam", learning_rate=0.01, epsilon=0.1)`` or ``from_framework("optax", "rmsprop",
    learning_rate=1e-3, initial_scale=1.0)``. An argument the framework does not have raises
    TypeError; a required one left out, TypeError; a non-default value for an argument the
    package cannot reproduce (optax's ``eps_root``, PyTorch's ``dampening``), ValueError.
    """
    convention = lookup(framework, name)
    accepted = {a.name: a for a in convention.arguments}
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(f"{convention.call} has no argument {', '.join(unknown)}; it takes "
                        f"{', '.join(accepted)}")
    values = {**convention.defaults, **kwargs}
    missing = [k for k, v in values.items() if v is REQUIRED]
    if missing:
        raise TypeError(f"{convention.call} needs {', '.join(missing)} (no default)")
    for key, value in kwargs.items():
        argument = accepted[key]
        if not argument.supported and not _same(value, argument.default):
            raise ValueError(f"{convention.call}'s {key}={value!r} has no equivalent in the "
                             f"package; only the default {argument.default!r} is supported")
    return convention.build(values)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.all(np.asarray(a) == np.asarray(b)))


# ------------------------------------------------------------------------- printing


def _eps_placement(opt) -> str:
    if getattr(opt, "eps_hat", False):
        return "ε̂ (on √v)"
    if getattr(opt, "eps_inside_sqrt", False):
        return "inside √"
    return "inside √" if isinstance(opt, AdaDelta) else "outside √"


def _r0(opt) -> float:
    return float(opt.hyperparameters.get("initial_accumulator_value", 0.0))


def _value(default) -> str:
    if isinstance(default, float):
        return f"{default:g}"
    if isinstance(default, tuple):
        return "(" + ", ".join(f"{d:g}" for d in default) + ")"
    return repr(default)


def _cell(argument: Argument | None) -> str:
    return "—" if argument is None else f"{argument.name}={_value(argument.default)}"


def _symbol_row(symbol: str):
    def cell(c: Convention, opt) -> str:
        argument = c.argument_for(symbol) or (c.argument_for("β₁, β₂")
                                              if symbol in ("β₁", "β₂") else None)
        if symbol == "r₀" and "r" in opt.state_type._fields:
            return _cell(argument) if argument else f"{_r0(opt):g} (fixed)"
        return _cell(argument)
    return cell


def _decay_cell(c: Convention, opt) -> str:
    argument = c.argument_for("λ")
    if argument is None:
        return "—"
    return f"{_cell(argument)} ({c.weight_decay})" + ("" if argument.supported else "*")


def _amsgrad_cell(c: Convention, opt) -> str:
    if not getattr(opt, "amsgrad", False):
        return "—"
    return "max of v, then ÷(1−β₂ᵗ)" if opt.amsgrad_max == "raw" else "max of v̂"


def _name_cell(c: Convention, opt) -> str:
    if c.defaults.get("amsgrad") is True:  # PyTorch's and Keras's AMSGrad is an Adam flag
        return f"{c.name}(amsgrad=True)"
    return c.name


_ROWS = [("name", _name_cell)]
_ROWS += [(symbol, _symbol_row(symbol)) for symbol in ("ρ", "α", "ρ_d", "β₁", "β₂", "ε")]
_ROWS += [
    ("ε at", lambda c, opt: _eps_placement(opt) if "eps" in opt.hyperparameters else "—"),
    ("r₀", _symbol_row("r₀")),
    ("μ", _symbol_row("μ")),
    ("ρ in μ-buffer", lambda c, opt: {None: "—", True: "yes", False: "no"}[c.lr_in_momentum]),
    ("AMSGrad", _amsgrad_cell),
    ("λ", _decay_cell),
]


def table(algorithm: str) -> Table:
    """Argument names and defaults of ``algorithm`` in every framework, as plain text.

    One column per framework, one row per book symbol (cells are ``name=default``), and rows
    for what the defaults build: where ε sits, the accumulator's start r₀, whether the
    momentum buffer holds ρ, AMSGrad's maximum, and how weight decay λ enters. A ``*`` marks
    an argument the package does not reproduce (only its default is accepted).
    """
    columns = conventions(algorithm)
    if not columns:
        raise ValueError(f"no conventions for {algorithm!r}")
    built = [_build_with_placeholders(c) for c in columns]
    body = []
    for label, cell in _ROWS:
        cells = [cell(c, opt) for c, opt in zip(columns, built)]
        if any(text != "—" for text in cells):
            body.append([label] + cells)
    return Table([""] + [FRAMEWORKS[c.framework] for c in columns], body, align="left")


def _build_with_placeholders(c: Convention):
    """The optimizer the defaults build (a required learning rate set to 1e-3)."""
    values = {k: (1e-3 if v is REQUIRED else v) for k, v in c.defaults.items()}
    return c.build(values)


# ------------------------------------------------------------------------ experiments
