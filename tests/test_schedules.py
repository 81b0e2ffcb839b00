"""Tests of adaptive_lr.schedules: the shapes of ρ_t and their checks."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import schedules as S


def test_shapes():
    assert_allclose(S.step_decay(1.0, 5, every=2, factor=0.5), [1, 1, 0.5, 0.5, 0.25])
    assert_allclose(S.inverse_sqrt(1.0, 4, t0=1.0), 1 / np.sqrt([1, 2, 3, 4]))
    c = S.cosine(1.0, 4, lr_min=0.2)
    assert_allclose(c, 0.2 + 0.8 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2)
    assert c[0] == 1.0 and np.all(np.diff(c) < 0)
    assert_allclose(S.linear_warmup(1.0, 5, warmup=4), [0.25, 0.5, 0.75, 1.0, 1.0])


def test_scheduled_builds_one_optimizer_per_rate():
    opts = S.scheduled(lambda lr: alr.Adam(lr=lr), [0.1, 0.01])
    assert [float(o.lr) for o in opts] == [0.1, 0.01]
    at = S.optimizer_at(opts, 2)
    assert at(1) is opts[1]
    single = alr.SGD(lr=0.1)
    assert S.optimizer_at(single, 10)(7) is single


@pytest.mark.parametrize("call, error, match", [
    (lambda: S.scheduled(None, [0.1]), TypeError, "make must build"),
    (lambda: S.scheduled(lambda lr: alr.SGD(lr=lr), []), ValueError, "non-empty 1-D"),
    (lambda: S.scheduled(lambda lr: alr.SGD(lr=lr), [-0.1]), ValueError, "rates"),
    (lambda: S.optimizer_at([], 1), ValueError, "non-empty"),
    (lambda: S.step_decay(0.1, 10, every=0), ValueError, "every"),
    (lambda: S.step_decay(0.1, 10, every=2, factor=1.5), ValueError, "factor"),
    (lambda: S.cosine(0.1, 10, lr_min=0.2), ValueError, "lr_min"),
    (lambda: S.inverse_sqrt(0.1, 0), ValueError, "steps"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
