"""adaptive_lr: the shared package of the textbook *Adaptive learning rates*.

Vectorized numpy optimizers (:mod:`.optimizers`), test objectives (:mod:`.objectives`), a runner
that records trajectories and flags divergence (:mod:`.runs`), real-data tasks (:mod:`.data`),
plots (:mod:`.plots`) and widgets (:mod:`.widgets`) for the chapters.

>>> import numpy as np, adaptive_lr as alr
>>> opt = alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-8)
>>> theta = np.array([1.0, -2.0])
>>> state = opt.init(theta)
>>> theta_next, state = opt.step(theta, 2 * theta, state)
"""
from .divergence import DivergenceMonitor
from .optim import (SGD, AdaDelta, AdaDeltaState, AdaGrad, AdaGradState, Adam, AdamState,
                         Optimizer, RMSProp, RMSPropState, SGDState)
from .runs import Run, Training, hyper_grid, minimize, train

__version__ = "0.1.0"

__all__ = [
    "SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Optimizer",
    "SGDState", "AdaGradState", "RMSPropState", "AdaDeltaState", "AdamState",
    "minimize", "train", "hyper_grid", "Run", "Training", "DivergenceMonitor",
]
