r"""Learning-rate schedules: ρ_t that changes from step to step.

An optimizer of the package holds one fixed ρ. A schedule is a sequence of optimizers of one
kind, one per step, that share one state: step t runs ``opts[t]`` (t counts from 0). Since
optimizers are values and their state is explicit, this is exactly what a framework does
when its scheduler changes the learning rate between steps. :func:`scheduled` builds one from
a factory and the rates; :func:`minimize <adaptive_lr.runs.minimize>` and
:func:`trace <adaptive_lr.trace.trace>` accept it wherever they accept an optimizer.

The usual shapes of ρ_t, for t = 0, …, T − 1:

* :func:`step_decay` — ρ multiplied by ``factor`` every ``every`` steps;
* :func:`inverse_sqrt` — ρ/√(1 + t/t₀), the decay AdaGrad builds in;
* :func:`cosine` — from ρ down to ρ_min along half a cosine;
* :func:`linear_warmup` — from ρ/``warmup`` up to ρ over the first ``warmup`` steps, then
  ρ (Adam's warm-up; RAdam's rectification is its principled form).

>>> rates = step_decay(0.1, 6, every=3, factor=0.5)
>>> rates.tolist()
[0.1, 0.1, 0.1, 0.05, 0.05, 0.05]
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import _validation as check

__all__ = ["scheduled", "optimizer_at", "step_decay", "inverse_sqrt", "cosine",
           "linear_warmup"]


def scheduled(make: Callable[[float], object], rates) -> list:
    """One optimizer per step, ``make(rate)`` for each of ``rates`` (1-D, each ≥ 0)."""
    if not callable(make):
        raise TypeError(f"make must build an optimizer from a rate, got {type(make).__name__}")
    rates = check.hyperparameter("rates", rates)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(f"rates must be a non-empty 1-D sequence, got shape {rates.shape}")
    return [make(float(r)) for r in rates]


def optimizer_at(opt, steps: int) -> Callable[[int], object]:
    """Step t's optimizer: ``opt`` itself, or ``opt[t]`` for a schedule (a list or tuple of
    at least ``steps`` optimizers of one kind)."""
    if not isinstance(opt, (list, tuple)):
        return lambda t: opt
    if not opt:
        raise ValueError("opt must be an optimizer or a non-empty sequence of them")
    if len(opt) < steps:
        raise ValueError(f"a schedule of {len(opt)} optimizers cannot run {steps} steps")
    kinds = {type(o) for o in opt}
    if len(kinds) > 1:
        raise TypeError(f"a schedule must hold optimizers of one kind (they share one "
                        f"state), got {sorted(k.__name__ for k in kinds)}")
    return opt.__getitem__


def _steps(steps) -> np.ndarray:
    return np.arange(check.positive_int("steps", steps), dtype=np.float64)


def step_decay(lr: float, steps: int, *, every: int, factor: float = 0.1) -> np.ndarray:
    """ρ · factor^⌊t / every⌋ for t < ``steps``."""
    every = check.positive_int("every", every)
    factor = float(check.hyperparameter("factor", factor, low_open=True, high=1.0,
                                        high_open=False))
    return float(check.hyperparameter("lr", lr)) * factor ** np.floor(_steps(steps) / every)


def inverse_sqrt(lr: float, steps: int, *, t0: float = 1.0) -> np.ndarray:
    """ρ / √(1 + t/t₀) for t < ``steps``: halves by t = 3 t₀, falls like 1/√t."""
    t0 = float(check.hyperparameter("t0", t0, low_open=True))
    return float(check.hyperparameter("lr", lr)) / np.sqrt(1 + _steps(steps) / t0)


def cosine(lr: float, steps: int, *, lr_min: float = 0.0) -> np.ndarray:
    """ρ_min + (ρ − ρ_min)(1 + cos(π t / T))/2 for t < T = ``steps``."""
    lr = float(check.hyperparameter("lr", lr))
    lr_min = float(check.hyperparameter("lr_min", lr_min, high=lr, high_open=False))
    t = _steps(steps)
    return lr_min + (lr - lr_min) * (1 + np.cos(np.pi * t / t.size)) / 2


def linear_warmup(lr: float, steps: int, *, warmup: int) -> np.ndarray:
    """ρ (t + 1)/``warmup`` for the first ``warmup`` steps, then ρ."""
    warmup = check.positive_int("warmup", warmup)
    t = _steps(steps)
    return float(check.hyperparameter("lr", lr)) * np.minimum(1.0, (t + 1) / warmup)
