r"""How PyTorch, Keras/TensorFlow and optax define the book's optimizers: names, defaults,
and the package optimizer that reproduces each definition.

Libraries that share an optimizer's name do not share its update. They differ in where ε
goes (inside or outside the square root, or Keras's ε̂ on the un-corrected √v of Adam), in
the accumulator's start r₀ (0, 0.1 or 1), in AMSGrad's maximum (before or after bias
correction), in weight decay (L2 in the gradient or decoupled; decoupled as λ times the
learning rate, where the AdamW paper multiplies λ by the schedule alone, see
:func:`adamw_paper`), and in whether the momentum buffer of RMSProp holds the learning rate. Each :class:`Convention` records one library's
definition as data — its argument names, defaults and the book symbol each one sets — plus a
builder that returns the package optimizer with the same update, so

>>> from_framework("keras", "RMSprop")
RMSProp(lr=0.001, alpha=0.9, eps=1e-07, momentum=0, eps_inside_sqrt=True)

runs Keras's update with no framework installed. :func:`table` prints the names and
defaults side by side. Every difference is an option of the package's one optimizer of that
name (``eps_inside_sqrt``, ``initial_accumulator_value``, ``lr_in_momentum``, ``eps_hat``,
``amsgrad_max``, ``decoupled``), so :func:`~adaptive_lr.trace.trace` compares the first steps
of any two.

The second half of the module holds the chapter's experiments (each returns the numbers the
chapter quotes and a :class:`~adaptive_lr.tables.Table` of them) and its figures.

Sources (read for PyTorch 2.x ``torch/optim``, Keras 3 ``keras/src/optimizers``, optax 0.2
``optax/_src/alias.py`` and ``transform.py``, TensorFlow 1 ``tf.compat.v1.train``): see
``/chapters/frameworks`` and its references.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..optim import SGD, AdaDelta, AdaGrad, Adam, RMSProp
from ..tables import Table, span
from ..trace import trace
from .playground import glue_values

__all__ = ["REQUIRED", "FRAMEWORKS", "ALGORITHMS", "Argument", "Convention",
           "CONVENTIONS", "conventions", "lookup", "from_framework", "LABELS", "table",
           "notes", "porting_table", "SETTINGS", "DefaultsComparison", "compare_defaults",
           "first_steps", "constant_gradient_steps", "eps_forms", "eps_table",
           "adagrad_starts", "adagrad_ratio", "rmsprop_definitions", "rmsprop_steps",
           "steps_table", "first_at_least", "BufferDrop", "buffer_drop", "adam_eps_steps",
           "eps_hat_within", "eps_panels", "eps_widget", "amsgrad_spike",
           "amsgrad_constant_difference", "WeightDecay", "weight_decay_experiment",
           "adamw_paper", "torch_adamw", "AdamWPort", "adamw_port", "ratio_table",
           "buffer_figure", "decay_figure", "defaults_numbers", "series_numbers",
           "glue_values"]


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
      note: a remark the tables show under the table, e.g. since when the default holds.
    """

    name: str
    default: object
    symbol: str = ""
    supported: bool = True
    note: str = ""


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
      weight_decay: ``"L2"`` (λΘ added to g), ``"decoupled"`` (Θ ← Θ(1 − ρλ), λ times the
        learning rate, as PyTorch, Keras and optax do it; Loshchilov and Hutter's Algorithm 2
        multiplies λ by the schedule multiplier η_t instead, see :func:`adamw_paper`) or None.
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
               (A("lr", 1e-3, "ρ", note="PyTorch's SGD has had the default lr=1e-3 since "
                  "version 2.2 (pull request 114467); before, lr was required"),
                A("momentum", 0.0, "μ"),
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


# ------------------------------------------------------------------------- tables

#: How the tables name each framework.
LABELS = {"pytorch": "PyTorch", "keras": "Keras 3", "optax": "optax", "tf1": "TF 1"}

#: Marks for the notes of :attr:`Argument.note`, in order of appearance in a table.
_MARKS = "†‡§"


def _eps_placement(opt) -> str:
    if getattr(opt, "eps_hat", False):
        return "ε̂ on √v"
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


def _assign(name: str, value) -> str:
    """``name = value``, with spaces, so that a narrow column can wrap the cell."""
    return f"{name} = {_value(value)}"


class _Notes:
    """Collects the notes of a table's cells and hands out their marks."""

    def __init__(self):
        self.notes: list[str] = []

    def mark(self, argument: Argument | None) -> str:
        if argument is None or not argument.note:
            return ""
        if argument.note not in self.notes:
            self.notes.append(argument.note)
        return _MARKS[self.notes.index(argument.note)]

    def caption(self) -> str:
        return " ".join(f"{_MARKS[i]} {note}." for i, note in enumerate(self.notes))


def _symbol_cell(symbol: str):
    def cell(c: Convention, opt, notes: _Notes) -> str:
        argument = c.argument_for(symbol)
        if argument is None and symbol in ("β₁", "β₂"):
            pair = c.argument_for("β₁, β₂")
            if pair is None:
                return "—"
            k = 0 if symbol == "β₁" else 1
            return f"{pair.name}[{k}] = {_value(pair.default[k])}"
        if symbol == "r₀" and argument is None:
            return f"{_r0(opt):g} (fixed)" if "r" in opt.state_type._fields else "—"
        if argument is None:
            return "—"
        return _assign(argument.name, argument.default) + notes.mark(argument)
    return cell


def _decay_cell(c: Convention, opt, notes: _Notes) -> str:
    argument = c.argument_for("λ")
    if argument is None:
        return "—"
    return (f"{_assign(argument.name, argument.default)}, {c.weight_decay}"
            + ("" if argument.supported else "*"))


def _amsgrad_cell(c: Convention, opt, notes: _Notes) -> str:
    if not getattr(opt, "amsgrad", False):
        return "—"
    return "max of v, then ÷(1−β₂ᵗ)" if opt.amsgrad_max == "raw" else "max of v̂"


def _call_name(c: Convention) -> str:
    if c.defaults.get("amsgrad") is True:  # PyTorch's and Keras's AMSGrad is an Adam flag
        return f"{c.name}(amsgrad=True)"
    return c.name


_ROWS = [(symbol, _symbol_cell(symbol)) for symbol in ("ρ", "α", "ρ_d", "β₁", "β₂", "ε")]
_ROWS += [
    ("ε at", lambda c, opt, notes: _eps_placement(opt) if "eps" in opt.hyperparameters
     else "—"),
    ("r₀", _symbol_cell("r₀")),
    ("μ", _symbol_cell("μ")),
    ("ρ in μ-buffer", lambda c, opt, notes: {None: "—", True: "yes", False: "no"}[
        c.lr_in_momentum]),
    ("AMSGrad", _amsgrad_cell),
    ("λ", _decay_cell),
]


def table(algorithm: str) -> Table:
    """Argument names and defaults of ``algorithm`` in every framework.

    One column per framework, headed by the framework and the optimizer's name there; one
    row per book symbol, each cell ``argument = default``; then rows for what the defaults
    build: where ε sits, the accumulator's start r₀, whether the momentum buffer holds ρ,
    AMSGrad's maximum, and how weight decay λ enters. A ``*`` marks an argument the package
    does not reproduce (only its default is accepted); other marks point to notes in the
    table's ``caption``. Rows in which no framework has an entry are
    left out.
    """
    columns = conventions(algorithm)
    if not columns:
        raise ValueError(f"no conventions for {algorithm!r}")
    built = [_build_with_placeholders(c) for c in columns]
    notes = _Notes()
    body = []
    for label, cell in _ROWS:
        cells = [cell(c, opt, notes) for c, opt in zip(columns, built)]
        if any(text != "—" for text in cells):
            body.append([label] + cells)
    caption = notes.caption()
    if any("*" in text for row in body for text in row):
        caption = ("* the package accepts only this default. " + caption).strip()
    headers = [algorithm] + [f"{LABELS[c.framework]} {_call_name(c)}" for c in columns]
    return Table(headers, body, align="left", caption=caption or None)


def notes(algorithm: str) -> list[str]:
    """The notes of :func:`table` for ``algorithm``, in the order of their marks."""
    return [a.note for c in conventions(algorithm) for a in c.arguments if a.note]


def _build_with_placeholders(c: Convention):
    """The optimizer the defaults build (a required learning rate set to 1e-3)."""
    values = {k: (1e-3 if v is REQUIRED else v) for k, v in c.defaults.items()}
    return c.build(values)


def porting_table() -> Table:
    """Every convention, as the package builds it at the library's defaults (a required
    learning rate set to 1e-3): the library's call and the package optimizer."""
    rows = []
    for c in CONVENTIONS:
        rows.append([f"{FRAMEWORKS[c.framework]}.{_call_name(c)}",
                     repr(_build_with_placeholders(c))])
    return Table(["library", "package optimizer at its defaults"], rows, align="left")


# ------------------------------------------------------------------------ experiments


def _single_threaded():
    from .playground import single_threaded

    return single_threaded()


#: The three settings of :func:`compare_defaults`.
SETTINGS = ("PyTorch defaults", "Keras defaults", "Keras, PyTorch's ρ")


@dataclass(frozen=True)
class DefaultsComparison:
    """Training with each library's default optimizer of one name, over seeds.

    Attributes:
      names: PyTorch's optimizer names compared (``"Adagrad"``, ...).
      seeds: the seeds (each sets the initial parameters and the minibatch order).
      losses, accuracies: ``(name, setting) → (S,)`` final training loss and test accuracy,
        ``setting`` one of :data:`SETTINGS`.
      torch_lr: name → PyTorch's default ρ.
    """

    names: tuple[str, ...]
    seeds: tuple[int, ...]
    losses: dict
    accuracies: dict
    torch_lr: dict

    def table(self) -> Table:
        """Per optimizer and setting: final training loss and test accuracy, mean and
        min … max over the seeds."""

        rows = []
        for name in self.names:
            for setting in SETTINGS:
                label = setting.replace("ρ", f"ρ = {self.torch_lr[name]:g}")
                loss, acc = self.losses[name, setting], self.accuracies[name, setting]
                rows.append([name, label, f"{loss.mean():.4f}", span(loss, "{:.4f}"),
                             f"{acc.mean():.4f}", span(acc, "{:.4f}")])
        return Table(["optimizer", "setting", "train loss", "(seeds)", "test accuracy",
                      "(seeds)"], rows, align="left")

    def same(self, name: str, a: str = "PyTorch defaults", b: str = "Keras defaults",
             decimals: int = 4) -> bool:
        """Whether settings ``a`` and ``b`` give the same losses and accuracies, rounded to
        ``decimals``, for every seed."""
        return all(np.array_equal(np.round(d[name, a], decimals), np.round(d[name, b], decimals))
                   for d in (self.losses, self.accuracies))


def compare_defaults(task, names: Sequence[str] = ("Adagrad", "RMSprop", "Adadelta", "Adam"),
                     *, seeds: Sequence[int] = (0, 1, 2), epochs: int = 5,
                     batch_size: int = 32) -> DefaultsComparison:
    """Train ``task`` with PyTorch's and Keras's default optimizer of each name, and with
    Keras's definition at PyTorch's default learning rate, for every seed."""
    from ..runs import train

    losses, accuracies, torch_lr = {}, {}, {}
    with _single_threaded():
        for name in names:
            torch_lr[name] = lookup("pytorch", name).defaults["lr"]
            settings = dict(zip(SETTINGS, (
                from_framework("pytorch", name), from_framework("keras", name),
                from_framework("keras", name, learning_rate=torch_lr[name]))))
            for setting, opt in settings.items():
                runs = [train(opt, task, task.init(seed), epochs=epochs,
                              batch_size=batch_size, seed=seed) for seed in seeds]
                losses[name, setting] = np.array([float(r.epoch_train_loss[-1])
                                                  for r in runs])
                accuracies[name, setting] = np.array([float(r.epoch_test_accuracy[-1])
                                                      for r in runs])
    return DefaultsComparison(tuple(names), tuple(seeds), losses, accuracies, torch_lr)


def first_steps(opt, magnitudes) -> np.ndarray:
    """The size of ``opt``'s first step for each gradient size in ``magnitudes`` (one
    coordinate per size), divided by its learning rate."""
    magnitudes = np.asarray(magnitudes, dtype=float)
    step = trace(opt, magnitudes[None], np.zeros(len(magnitudes))).deltas[0]
    return np.abs(step) / float(np.max(opt.lr))


def constant_gradient_steps(opt, g: float, steps: int) -> np.ndarray:
    """``(steps,)`` step sizes of ``opt`` for a constant gradient ``g``, divided by ρ."""
    deltas = trace(opt, np.full((steps, 1), float(g)), np.zeros(1)).deltas[:, 0]
    return np.abs(deltas) / float(np.max(opt.lr))


def eps_forms(eps: float, alpha: float = 0.9) -> dict[str, object]:
    """RMSProp (ρ = 1) with ε outside the root, inside it, and √ε outside it."""
    return {"ε outside": RMSProp(lr=1.0, alpha=alpha, eps=eps),
            "ε inside": RMSProp(lr=1.0, alpha=alpha, eps=eps, eps_inside_sqrt=True),
            "√ε outside": RMSProp(lr=1.0, alpha=alpha, eps=float(np.sqrt(eps)))}


def eps_table(magnitudes, eps: float, alpha: float = 0.9) -> Table:
    """RMSProp's first step divided by ρ for each gradient size, for the three forms of
    :func:`eps_forms` (columns: the gradient sizes)."""
    magnitudes = np.asarray(magnitudes, dtype=float)
    rows = [[label] + [float(v) for v in first_steps(opt, magnitudes)]
            for label, opt in eps_forms(eps, alpha).items()]
    return Table(["|g|"] + [f"{m:.0e}" for m in magnitudes], rows, fmt="{:.4f}")


def adagrad_starts(magnitudes, lr: float = 0.1) -> Table:
    """AdaGrad's first step divided by ρ: PyTorch's (r₀ = 0) against Keras's (r₀ = 0.1)."""
    torch = first_steps(from_framework("pytorch", "Adagrad", lr=lr), magnitudes)
    keras = first_steps(from_framework("keras", "Adagrad", learning_rate=lr), magnitudes)
    return Table(["|g|", "PyTorch (r₀ = 0)", "Keras (r₀ = 0.1)"],
                 [[f"{g:g}", float(a), float(b)] for g, a, b in zip(magnitudes, torch, keras)],
                 fmt="{:.4f}")


def adagrad_ratio(g: float = 0.01, lr: float = 0.1, steps: int = 10000) -> np.ndarray:
    """``(steps,)`` Keras's AdaGrad step over PyTorch's, for a constant gradient ``g``."""
    torch = constant_gradient_steps(from_framework("pytorch", "Adagrad", lr=lr), g, steps)
    keras = constant_gradient_steps(from_framework("keras", "Adagrad", learning_rate=lr), g,
                                    steps)
    return keras / torch


#: The four RMSProp definitions compared in the chapter, by library, at ρ = 0.01.
def rmsprop_definitions(lr: float = 0.01) -> dict[str, object]:
    return {"PyTorch": from_framework("pytorch", "RMSprop", lr=lr),
            "Keras": from_framework("keras", "RMSprop", learning_rate=lr),
            "optax": from_framework("optax", "rmsprop", learning_rate=lr),
            "TF 1": from_framework("tf1", "RMSPropOptimizer", learning_rate=lr)}


def rmsprop_steps(g: float, steps: int = 100, lr: float = 0.01) -> dict[str, np.ndarray]:
    """Each library's RMSProp step divided by ρ for a constant gradient ``g``."""
    return {name: constant_gradient_steps(opt, g, steps)
            for name, opt in rmsprop_definitions(lr).items()}


def steps_table(steps: dict[str, np.ndarray], shown: Sequence[int], *,
                label: str = "", fmt: str = "{:.4f}") -> Table:
    """Rows of step sizes (``name → (T,)``) at the steps ``shown`` (counted from 1)."""
    return Table([label] + [f"t = {t}" for t in shown],
                 [[name] + [float(v[t - 1]) for t in shown] for name, v in steps.items()],
                 fmt=fmt)


def first_at_least(values: np.ndarray, level: float) -> int:
    """The first step (from 1) at which ``values`` reach ``level``, −1 if never."""
    hit = np.flatnonzero(np.asarray(values) >= level)
    return int(hit[0]) + 1 if hit.size else -1


@dataclass(frozen=True)
class BufferDrop:
    """RMSProp with momentum, learning rate in or outside the buffer (:func:`buffer_drop`).

    Attributes:
      constant_difference: largest difference of the two conventions' updates with a
        constant ρ, on random gradients.
      schedule: ``(T,)`` the learning rate of every step.
      torch, keras: ``(T,)`` the step sizes with ρ outside (PyTorch) and inside (Keras,
        optax, TF 1) the buffer.
      shed: steps the excess in the buffer needs to fall below 10%: ⌈ln 0.1 / ln μ⌉.
    """

    constant_difference: float
    schedule: np.ndarray
    torch: np.ndarray
    keras: np.ndarray
    shed: int

    def table(self, shown: Sequence[int]) -> Table:
        return Table(["t", "ρ", "PyTorch step", "Keras step"],
                     [[t, float(self.schedule[t - 1]), float(self.torch[t - 1]),
                       float(self.keras[t - 1])] for t in shown], fmt="{:.5g}")


def buffer_drop(*, high: float = 0.1, low: float = 0.01, drop_after: int = 10,
                steps: int = 30, alpha: float = 0.9, momentum: float = 0.9,
                seed: int = 0) -> BufferDrop:
    """Constant gradient 1, ρ dropping from ``high`` to ``low`` after ``drop_after`` steps."""
    random_grads = np.random.default_rng(seed).normal(size=(50, 3))
    same = [trace(RMSProp(lr=low, alpha=alpha, eps=1e-8, momentum=momentum,
                          lr_in_momentum=inside), random_grads).deltas
            for inside in (False, True)]
    schedule = np.where(np.arange(steps) < drop_after, high, low)
    ones = np.ones((steps, 1))
    torch, keras = (
        np.abs(trace([RMSProp(lr=float(lr), alpha=alpha, eps=1e-8, momentum=momentum,
                              lr_in_momentum=inside) for lr in schedule], ones).deltas[:, 0])
        for inside in (False, True))
    shed = int(np.ceil(np.log(0.1) / np.log(momentum)))
    return BufferDrop(float(np.abs(same[0] - same[1]).max()), schedule, torch, keras, shed)


def adam_eps_steps(eps: float, g: float = 0.01, steps: int = 3000) -> dict[str, np.ndarray]:
    """Adam's step divided by ρ for a constant gradient: the paper's ε and Keras's ε̂."""
    return {"paper": constant_gradient_steps(Adam(lr=1.0, eps=eps), g, steps),
            "Keras ε̂": constant_gradient_steps(Adam(lr=1.0, eps=eps, eps_hat=True), g, steps)}


def eps_hat_within(beta2: float = 0.999, tolerance: float = 0.1) -> int:
    """The first step from which Keras's effective ε_t = ε̂/√(1 − β₂ᵗ) is within
    ``tolerance`` (relative) of ε̂."""
    return int(np.ceil(np.log(1 - 1 / (1 + tolerance) ** 2) / np.log(beta2)))


def eps_panels(g_axis=None, steps: int = 3000, g: float = 0.01):
    """The two panels of the ε figure and the function that redraws them for one ε.

    Left: RMSProp's first step (α = 0.9) over the gradient size for the three forms of
    :func:`eps_forms`. Right: Adam's step for a constant gradient ``g``, the paper's ε and
    Keras's ε̂. Returns ``(figures, update)``; ``update(eps)`` returns the frame's readout
    (the key numbers, as lines of text).
    """
    from .. import plots

    g_axis = np.geomspace(1e-6, 10, 71) if g_axis is None else np.asarray(g_axis, float)
    figures, (ax_g, ax_t) = plots.panels(2)
    rms_lines = [ax_g.plot([], [], color=plots.color(k), linestyle=plots.LINESTYLES[k],
                           label=label)[0]
                 for k, label in enumerate(["ε outside √ (PyTorch)", "ε inside √ (Keras)",
                                            "√ε outside √"])]
    adam_lines = [ax_t.plot([], [], color=plots.color(k), linestyle=plots.LINESTYLES[k],
                            label=label)[0]
                  for k, label in enumerate(["ε (paper, PyTorch)", "ε̂ (Keras, TF)"])]
    ax_g.set(xscale="log", yscale="log", xlim=(1e-6, 10), ylim=(1e-7, 10), xlabel="|g|",
             ylabel="first step / ρ", title="RMSProp (α = 0.9), first step")
    ax_t.set(xscale="log", yscale="log", xlim=(1, steps), ylim=(1e-4, 2), xlabel="step t",
             ylabel="step / ρ", title=f"Adam, constant g = {g:g}")
    plots.legend_below(ax_g, ncols=1)
    plots.legend_below(ax_t, ncols=1)
    t_axis = np.arange(1, steps + 1)
    at = [int(np.argmin(np.abs(np.log(g_axis / v)))) for v in (1e-4, 1e-2, 1.0)]

    def update(eps):
        forms = [first_steps(opt, g_axis) for opt in eps_forms(eps).values()]
        for line, values in zip(rms_lines, forms):
            line.set_data(g_axis, values)
        adam = adam_eps_steps(eps, g, steps)
        for line, values in zip(adam_lines, adam.values()):
            line.set_data(t_axis, values)
        return [f"ε = {eps:g}. RMSProp's first step / ρ at |g| = 10⁻⁴, 10⁻², 1: outside √ "
                + ", ".join(f"{forms[0][i]:.3g}" for i in at) + "; inside √ "
                + ", ".join(f"{forms[1][i]:.3g}" for i in at) + ".",
                "Adam's step / ρ at t = 1, 100, 3000: paper "
                + ", ".join(f"{adam['paper'][t - 1]:.3g}" for t in (1, 100, steps))
                + "; Keras ε̂ "
                + ", ".join(f"{adam['Keras ε̂'][t - 1]:.3g}" for t in (1, 100, steps)) + "."]

    return figures, update


def eps_widget(initial: float = 1e-4):
    """A live slider over ε (10⁻⁹ … 3) that redraws :func:`eps_panels`, for a running
    notebook. Returns the ipywidgets box."""
    import html

    import ipywidgets as w

    from .. import plots, widgets

    figures, update = eps_panels()
    slider = w.FloatLogSlider(value=initial, base=10, min=-9, max=0.5, step=0.25,
                              description="ε", layout=w.Layout(width="360px"))
    readout = w.HTML()
    images = widgets.image_row()

    def redraw(change=None):
        readout.value = "<br>".join(html.escape(line) for line in update(slider.value))
        widgets.show_pngs(images, [plots.png_bytes(fig) for fig in figures])

    slider.observe(redraw, names="value")
    redraw()
    return w.VBox([slider, readout, images])


def amsgrad_spike(*, lr: float = 1e-3, steps: int = 1000, first: float = 1.0,
                  later: float = 0.01) -> dict[str, np.ndarray]:
    """Step sizes of plain Adam and of PyTorch's and optax's AMSGrad when the first gradient
    is ``first`` and every later one ``later``."""
    spike = np.r_[[first], np.full(steps - 1, later)]
    opts = {"Adam (no max)": from_framework("pytorch", "Adam", lr=lr),
            "PyTorch/Keras AMSGrad": from_framework("pytorch", "Adam", lr=lr, amsgrad=True),
            "optax amsgrad": from_framework("optax", "amsgrad", learning_rate=lr)}
    return {name: np.abs(trace(opt, spike[:, None], np.zeros(1)).deltas[:, 0])
            for name, opt in opts.items()}


def amsgrad_constant_difference(g: float = 0.3, steps: int = 200, lr: float = 1e-3) -> float:
    """Largest relative difference of PyTorch's and optax's AMSGrad for a constant gradient."""
    a = trace(from_framework("pytorch", "Adam", lr=lr, amsgrad=True),
              np.full((steps, 1), g)).deltas
    b = trace(from_framework("optax", "amsgrad", learning_rate=lr),
              np.full((steps, 1), g)).deltas
    return float(np.abs(a / b - 1).max())


@dataclass(frozen=True)
class WeightDecay:
    """Two parameters under Adam without decay, with L2 and with decoupled decay
    (:func:`weight_decay_experiment`).

    Attributes:
      paths: ``setting → (S, T + 1, 2)`` the parameters over the steps, per seed.
      seeds: the seeds of the noisy gradient.
      lr, lam: ρ and λ.
    """

    paths: dict
    seeds: tuple[int, ...]
    lr: float
    lam: float

    def final(self, setting: str) -> np.ndarray:
        """``(S, 2)`` the parameters after the last step."""
        return self.paths[setting][:, -1]

    def moved(self, setting: str) -> np.ndarray:
        """``(S, 2)`` how far the decay moved each parameter: final without decay minus
        final with it."""
        return self.final("no decay") - self.final(setting)

    def table(self) -> Table:

        rows = []
        for setting in self.paths:
            final = self.final(setting)
            row = [setting, span(final[:, 0], "{:.4f}"), span(final[:, 1], "{:.4f}")]
            if setting == "no decay":
                row += ["—", "—"]
            else:
                moved = self.moved(setting)
                row += [span(moved[:, 0], "{:.4f}"), span(moved[:, 1], "{:.4f}")]
            rows.append(row)
        return Table(["setting", "quiet θ₁", "noisy θ₂", "decay moved θ₁", "decay moved θ₂"],
                     rows, align="left")


def weight_decay_experiment(*, steps: int = 1000, lr: float = 1e-3, lam: float = 1e-2,
                            seeds: Sequence[int] = (0, 1, 2, 3, 4)) -> WeightDecay:
    """Two parameters starting at 1: the first gets no loss gradient, the second a standard
    normal one (seeded). Adam (PyTorch's) without decay, with L2 (``Adam``) and decoupled
    (``AdamW``) decay λ, for every seed."""
    settings = {"no decay": from_framework("pytorch", "Adam", lr=lr),
                "L2 (Adam)": from_framework("pytorch", "Adam", lr=lr, weight_decay=lam),
                "decoupled (AdamW)": from_framework("pytorch", "AdamW", lr=lr,
                                                    weight_decay=lam)}
    paths = {name: [] for name in settings}
    for seed in seeds:
        grads = np.random.default_rng(seed).normal(size=(steps, 2)) * np.array([0.0, 1.0])
        for name, opt in settings.items():
            paths[name].append(trace(opt, grads, np.ones(2)).thetas)
    return WeightDecay({k: np.array(v) for k, v in paths.items()}, tuple(seeds), lr, lam)


def adamw_paper(grads, theta0, *, alpha: float, lam: float, eta=1.0,
                betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> np.ndarray:
    r"""Loshchilov and Hutter's AdamW (their Algorithm 2), written out step by step.

    .. math::

       \Theta_t = \Theta_{t-1} - \eta_t\left(\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}
       + \varepsilon} + \lambda\,\Theta_{t-1}\right)

    with the schedule multiplier :math:`\eta_t` (``eta``: a number or one per step) and the
    Adam step size :math:`\alpha`: the decay is :math:`\eta_t\lambda` per step, not
    :math:`\alpha\eta_t\lambda` as in PyTorch's, Keras's and optax's ``weight_decay``.
    ``grads`` has shape ``(T, *theta0.shape)``; returns ``(T + 1, *theta0.shape)``.
    """
    grads = np.asarray(grads, dtype=float)
    eta = np.broadcast_to(np.asarray(eta, dtype=float), grads.shape[:1])
    b1, b2 = betas
    theta = np.array(theta0, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    out = [theta.copy()]
    for t, (g, e) in enumerate(zip(grads, eta), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        theta = theta - e * (alpha * m_hat / (np.sqrt(v_hat) + eps) + lam * theta)
        out.append(theta.copy())
    return np.array(out)


def torch_adamw(grads, theta0, *, lr, lam: float, betas=(0.9, 0.999),
                eps: float = 1e-8) -> np.ndarray:
    """PyTorch's ``AdamW`` (the package's ``Adam(decoupled=True)``) with learning rate
    ``lr`` (a number, or one per step: a scheduler's ρ_t = α η_t); ``(T + 1, ...)``."""
    grads = np.asarray(grads, dtype=float)
    lrs = np.broadcast_to(np.asarray(lr, dtype=float), grads.shape[:1])
    schedule = [Adam(lr=float(rate), betas=betas, eps=eps, weight_decay=lam, decoupled=True)
                for rate in lrs]
    return trace(schedule, grads, np.asarray(theta0, dtype=float)).thetas


@dataclass(frozen=True)
class AdamWPort:
    """The paper's AdamW against PyTorch's with the same and with the converted λ
    (:func:`adamw_port`).

    Attributes:
      alpha, lam: the paper's step size α and decay λ.
      eta: ``(T,)`` the schedule multiplier η_t.
      paper: ``(T + 1, d)`` the paper's Algorithm 2.
      same_lambda: PyTorch's AdamW with ``lr = α η_t`` and ``weight_decay = λ``.
      converted: PyTorch's AdamW with ``lr = α η_t`` and ``weight_decay = λ/α``.
    """

    alpha: float
    lam: float
    eta: np.ndarray
    paper: np.ndarray
    same_lambda: np.ndarray
    converted: np.ndarray

    @property
    def converted_difference(self) -> float:
        """Largest relative difference between the paper and the converted port."""
        return float(np.max(np.abs(self.converted / self.paper - 1)))

    def table(self) -> Table:
        rows = [["paper, Algorithm 2", f"η_t λ, λ = {self.lam:g}",
                 float(self.paper[-1, 0]), float(self.paper[-1, 1])],
                ["PyTorch AdamW, weight_decay = λ", f"ρ_t λ = α η_t λ",
                 float(self.same_lambda[-1, 0]), float(self.same_lambda[-1, 1])],
                ["PyTorch AdamW, weight_decay = λ/α", "ρ_t λ/α = η_t λ",
                 float(self.converted[-1, 0]), float(self.converted[-1, 1])]]
        return Table(["update", "decay per step", "quiet θ₁", "noisy θ₂"], rows,
                     fmt="{:.4g}", align="left")


def adamw_port(*, alpha: float = 1e-3, lam: float = 1e-2, steps: int = 1000,
               seed: int = 0) -> AdamWPort:
    """The weight-decay experiment's two parameters (one quiet, one noisy, both from 1)
    under the paper's AdamW with a cosine schedule η_t, and under PyTorch's AdamW driven by
    a scheduler (ρ_t = α η_t) with ``weight_decay`` = λ and = λ/α."""
    grads = np.random.default_rng(seed).normal(size=(steps, 2)) * np.array([0.0, 1.0])
    eta = 0.5 * (1 + np.cos(np.pi * np.arange(steps) / steps))
    paper = adamw_paper(grads, np.ones(2), alpha=alpha, lam=lam, eta=eta)
    same = torch_adamw(grads, np.ones(2), lr=alpha * eta, lam=lam)
    converted = torch_adamw(grads, np.ones(2), lr=alpha * eta, lam=lam / alpha)
    return AdamWPort(alpha, lam, eta, paper, same, converted)


# ------------------------------------------------------------------ figures and numbers


def ratio_table(ratio: np.ndarray, shown: Sequence[int], label: str = "Keras / PyTorch"
                ) -> Table:
    """One row: ``ratio`` at the steps ``shown`` (counted from 1)."""
    return Table(["step t"] + [str(t) for t in shown],
                 [[label] + [float(ratio[t - 1]) for t in shown]], fmt="{:.4f}")


def buffer_figure(drop: BufferDrop, size: tuple[float, float] = (6.5, 3.0)):
    """Step size against the step for both momentum conventions of :func:`buffer_drop`, with
    the drop of ρ marked; a :class:`~adaptive_lr.plots.PanelRow` of one panel."""
    from .. import plots

    (fig,), (ax,) = plots.panels(1, size=size)
    t = np.arange(1, len(drop.torch) + 1)
    ax.plot(t, drop.torch, color=plots.color(0), marker=".", label="PyTorch (ρ outside the buffer)")
    ax.plot(t, drop.keras, color=plots.color(1), linestyle="--", marker=".",
            label="Keras, optax, TF 1 (ρ inside)")
    after = int(np.argmax(drop.schedule < drop.schedule[0]))
    ax.axvline(after + 0.5, color="0.5", linewidth=0.8)
    ax.set(yscale="log", xlabel="step t", ylabel="step size |ΔΘ|",
           title=f"ρ drops from {drop.schedule[0]:g} to {drop.schedule[-1]:g} after step {after}")
    plots.legend_below(ax)
    return plots.PanelRow([fig], "step sizes of the two momentum conventions around the drop")


def decay_figure(decay: WeightDecay, seed_index: int = 0):
    """The two parameters of the weight-decay experiment over the steps, one panel each,
    for one seed; a :class:`~adaptive_lr.plots.PanelRow`."""
    from .. import plots

    figures, axes = plots.panels(2)
    for k, (name, paths) in enumerate(decay.paths.items()):
        for ax, i in zip(axes, (0, 1)):
            ax.plot(paths[seed_index, :, i], color=plots.color(k),
                    linestyle=plots.LINESTYLES[k], label=name)
    axes[0].set(title="θ₁: no loss gradient", xlabel="step t", ylabel="θ")
    axes[1].set(title="θ₂: noisy loss gradient", xlabel="step t", ylabel="θ")
    low = min(float(p[seed_index].min()) for p in decay.paths.values())
    for ax in axes:
        ax.set_ylim(low - 0.05, 1.1)
        plots.legend_below(ax, ncols=1)
    return plots.PanelRow(figures, ["the parameter without a loss gradient under the three "
                                    "settings", "the parameter with a noisy gradient"])


def defaults_numbers(d: DefaultsComparison, prefix: str = "defaults") -> dict[str, object]:
    """Per optimizer (PyTorch's name, lower case) and setting (``torch``, ``keras``,
    ``keras-lr``): ``-loss``/``-acc`` mean, ``-min`` and ``-max``; ``-same`` says whether
    PyTorch's and Keras's defaults agree for every seed (``"yes"``/``"no"``)."""
    short = dict(zip(SETTINGS, ("torch", "keras", "keras-lr")))
    out = {f"{prefix}-n-seeds": len(d.seeds)}
    for name in d.names:
        base = f"{prefix}-{name.lower()}"
        out[f"{base}-same"] = "yes" if d.same(name) else "no"
        out[f"{base}-torch-lr"] = d.torch_lr[name]
        for setting, key in short.items():
            for metric, values in (("loss", d.losses[name, setting]),
                                   ("acc", d.accuracies[name, setting])):
                out[f"{base}-{key}-{metric}"] = float(values.mean())
                out[f"{base}-{key}-{metric}-min"] = float(values.min())
                out[f"{base}-{key}-{metric}-max"] = float(values.max())
    return out


def series_numbers(series: dict[str, np.ndarray], shown: Sequence[int], prefix: str
                   ) -> dict[str, float]:
    """``{prefix}-{name}-{t}``: the value of each series at the steps ``shown``; names are
    lower-cased, with every run of other characters than letters, digits and dots as ``-``
    (``"Adam (no max)"`` → ``adam-no-max``)."""
    from .playground import _key

    out = {}
    for name, values in series.items():
        key = _key(name).lower()
        for t in shown:
            out[f"{prefix}-{key}-{t}"] = float(values[t - 1])
    return out
