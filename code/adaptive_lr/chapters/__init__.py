"""The experiments and closed forms behind each chapter, one module per notebook.

Each module is named after its notebook (``chapters/adagrad.ipynb`` →
:mod:`adaptive_lr.chapters.adagrad`). Chapter modules build on the core library
(:mod:`adaptive_lr.optim`, :mod:`adaptive_lr.runs`, :mod:`adaptive_lr.objectives`, …); the
core never imports them.
"""
