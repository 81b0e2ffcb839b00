"""Tests of adaptive_lr.chapters.noise_and_schedules: the noise floor, the SNR step and
AdaGrad's regret bound, against simulations."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr.chapters import noise_and_schedules as N


def test_the_noise_floor_is_what_noisy_gradient_descent_hovers_at():
    quad = alr.objectives.Quadratic(eigenvalues=(1.0, 10.0))
    sigma, lr = 0.5, 0.05
    noisy = alr.objectives.Noisy(quad, sigma=sigma, seed=1)
    run = alr.minimize(alr.SGD(lr=lr), noisy, np.tile(quad.start, (400, 1)), 2000)
    measured = float(np.mean(run.losses[1000:]))
    assert_allclose(measured, N.sgd_noise_floor(lr, [1.0, 10.0], sigma), rtol=0.03)


def test_the_noise_floor_scales_with_rate_and_batch_and_diverges_past_two():
    lam = [1.0, 10.0]
    base = N.sgd_noise_floor(0.01, lam, 1.0)
    assert_allclose(base, 0.01 / 2 * (1 / (2 - 0.01) + 1 / (2 - 0.1)))
    assert_allclose(N.sgd_noise_floor(0.01, lam, 1.0, batch_size=4), base / 4)
    assert N.sgd_noise_floor(0.005, lam, 1.0) < base / 1.9
    assert N.sgd_noise_floor(0.2, lam, 1.0) == np.inf                  # ρλ_max = 2
    grid = N.sgd_noise_floor(np.array([0.01, 0.02])[:, None], lam, 1.0, np.array([1, 2]))
    assert grid.shape == (2, 2)
    assert_allclose(grid[0], [base, base / 2])


def test_normalized_step_reads_the_signal_to_noise_ratio():
    assert_allclose(N.normalized_step(0.1, 1.0, 0.0), 0.1)             # no noise: ρ
    assert_allclose(N.normalized_step(0.1, 1.0, 1.0), 0.1 / np.sqrt(2))
    assert_allclose(N.normalized_step(0.1, 0.01, 1.0), 0.1 * 0.01 / np.sqrt(1.0001))
    assert N.normalized_step(0.1, 0.0, 0.0) == 0.0
    # RMSProp's long-run mean step on noisy gradients of mean 0.5 and spread 1 agrees
    rng = np.random.default_rng(0)
    grads = 0.5 + rng.standard_normal((20000, 1))
    deltas = alr.trace.trace(alr.RMSProp(lr=0.1, alpha=0.999), grads).deltas[5000:]
    assert_allclose(-deltas.mean(), N.normalized_step(0.1, 0.5, 1.0), rtol=0.05)


def test_adagrad_regret_stays_under_its_bound_and_grows_like_sqrt_t():
    problem = N.OnlineQuadratic(center=np.zeros(4), active=np.array([1.0, 1.0, 0.05, 0.01]))
    regrets = []
    for steps in (100, 400, 1600):
        result = N.online_regret(alr.AdaGrad(lr=1.0), problem, steps)
        assert result.regret[-1] <= result.bound
        regrets.append(result.regret[-1])
    growth = np.log(regrets[2] / regrets[0]) / np.log(16)
    assert 0.3 < growth < 0.7                                             # about √T


def test_the_bound_by_hand_and_bad_input():
    g = np.array([[3.0, 0.0], [4.0, 1.0]])
    assert_allclose(N.adagrad_regret_bound(g, radius=2.0, lr=1.0), (4 / 2 + 1) * (5 + 1))
    with pytest.raises(ValueError, match="shape"):
        N.adagrad_regret_bound(np.ones(3), 1.0, 1.0)
    with pytest.raises(ValueError, match="radius"):
        N.adagrad_regret_bound(g, 0.0, 1.0)
    with pytest.raises(ValueError, match="last axis"):
        N.sgd_noise_floor(0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="batch_size"):
        N.sgd_noise_floor(0.1, [1.0], 1.0, batch_size=0.5)
    with pytest.raises(ValueError, match="active"):
        N.OnlineQuadratic(center=np.zeros(2), active=np.array([1.5, 0.0])).targets(3)
