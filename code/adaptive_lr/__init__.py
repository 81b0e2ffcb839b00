"""adaptive_lr: the shared package of the textbook *Adaptive learning rates*.

The library: vectorized numpy optimizers (:mod:`.optim`), runners that record trajectories
and report divergence (:mod:`.runs`, :mod:`.divergence`), the step-by-step replay of an
optimizer (:mod:`.trace`), the book's robustness protocol for a verdict
(:mod:`.robustness`), test objectives (:mod:`.objectives`), real-data tasks (:mod:`.data`),
learning-rate schedules (:mod:`.schedules`), the memory of an average (:mod:`.memory`), result tables (:mod:`.tables`), and figures and
widgets (:mod:`.plots`, :mod:`.widgets`, imported on demand: they need matplotlib and
ipywidgets). The experiments behind each chapter live in :mod:`.chapters`, which builds on the
library and is never imported by it.

>>> import numpy as np, adaptive_lr as alr
>>> opt = alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-8)
>>> theta = np.array([1.0, -2.0])
>>> state = opt.init(theta)
>>> theta_next, state = opt.step(theta, 2 * theta, state)
"""
from . import (data, divergence, memory, objectives, optim, robustness, runs, schedules, tables,
               trace)
from .divergence import DivergenceMonitor
from .optim import (SGD, AdaDelta, AdaDeltaState, AdaGrad, AdaGradState, Adam, Adamax,
                    AdamaxState, AdamState, NAdam, NAdamState, Optimizer, RAdam, RAdamState,
                    RMSProp, RMSPropState, SGDState)
from .runs import Run, Training, hyper_grid, minimize, train

__version__ = "0.1.0"

__all__ = [
    "SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Adamax", "NAdam", "RAdam", "Optimizer",
    "SGDState", "AdaGradState", "RMSPropState", "AdaDeltaState", "AdamState", "AdamaxState",
    "NAdamState", "RAdamState",
    "minimize", "train", "hyper_grid", "Run", "Training", "DivergenceMonitor",
    "data", "divergence", "memory", "objectives", "optim", "robustness", "runs", "schedules",
    "tables", "trace",
]
