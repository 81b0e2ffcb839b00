"""Tests for adaptive_lr.adagrad_analysis: the closed forms against AdaGrad's own steps, the
travel bound against runs, the tuning and per-epoch helpers."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import adaptive_lr as alr
from adaptive_lr import data, objectives
from adaptive_lr.chapters.adagrad import (BestRate, best_rate, constant_gradient_rate,
                                          errors_by_epoch, first_step, min_steps_to_travel,
                                          travel_bound)
from adaptive_lr.trace import trace

finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda x: abs(x) > 1e-6)


@settings(max_examples=60, deadline=None)
@given(g=st.tuples(finite, finite), lr=st.floats(1e-3, 10.0), r0=st.floats(0.0, 5.0))
def test_first_step_matches_optimizer(g, lr, r0):
    g = np.array(g)
    opt = alr.AdaGrad(lr=lr, initial_accumulator_value=r0)
    theta = np.zeros(2)
    theta_next, _ = opt.step(theta, g, opt.init(theta))
    np.testing.assert_allclose(first_step(g, lr, 1e-10, r0), theta_next - theta, rtol=1e-12)
    # |ΔΘ₁| ≤ ρ always, and ≈ ρ when r₀ = 0
    assert np.all(np.abs(first_step(g, lr, 1e-10, r0)) <= lr * (1 + 1e-12))
    if r0 == 0:
        np.testing.assert_allclose(np.abs(first_step(g, lr)), lr, rtol=1e-4)


def test_first_step_scale_free_and_eps_limit():
    steps = first_step([1e-3, 1.0, 1e3], lr=0.1)
    np.testing.assert_allclose(steps, -0.1, rtol=1e-6)
    # a gradient comparable to ε gets a much smaller step
    np.testing.assert_allclose(first_step(1e-10, lr=0.1, eps=1e-10), -0.05)
    np.testing.assert_allclose(first_step(0.01, lr=1.0, initial_accumulator_value=0.1),
                               -0.01 / np.sqrt(0.1001))


def test_constant_gradient_rate_matches_trace():
    g = np.array([2.0, 0.5])
    tr = trace(alr.AdaGrad(lr=0.1), lambda theta: g, np.zeros(2), 64)
    t = np.arange(1, 65)[:, None]
    np.testing.assert_allclose(tr.rates, constant_gradient_rate(g, t, lr=0.1), rtol=1e-12)
    # rate · √t = ρ / |g|
    np.testing.assert_allclose(tr.rates * np.sqrt(t), 0.1 / g * np.ones_like(tr.rates),
                               rtol=1e-8)
    r0 = constant_gradient_rate(1.0, np.array([1, 2]), lr=1.0, initial_accumulator_value=3.0)
    np.testing.assert_allclose(r0, [0.5, 1 / np.sqrt(5)], rtol=1e-9)
    with pytest.raises(ValueError, match="integers"):
        constant_gradient_rate(1.0, 0)
    with pytest.raises(ValueError, match="integers"):
        constant_gradient_rate(1.0, 1.5)


def test_travel_bound_values_and_brackets():
    np.testing.assert_allclose(travel_bound(np.array([0, 1, 2]), 2.0),
                               [0.0, 2.0, 2 + np.sqrt(2)])
    t = np.array([1, 10, 1000, 100000])
    s = travel_bound(t, 1.0)
    assert np.all(2 * np.sqrt(t + 1) - 2 <= s) and np.all(s <= 2 * np.sqrt(t) - 1 + 1e-12)
    with pytest.raises(ValueError, match="integers"):
        travel_bound(-1, 0.1)
    with pytest.raises(ValueError, match="not supported"):
        travel_bound(10 ** 8, 0.1)


def test_travel_bound_holds_on_a_descent():
    # ½θ² from θ = 4 with small ρ: the gradient shrinks monotonically, so the bound applies
    for lr in [0.01, 0.1, 0.5]:
        tr = trace(alr.AdaGrad(lr=lr), lambda th: th, np.array([4.0]), 300)
        assert np.all(np.diff(np.abs(tr.grads[:, 0])) <= 0)
        travelled = np.cumsum(np.abs(tr.deltas[:, 0]))
        assert np.all(travelled <= travel_bound(np.arange(1, 301), lr) + 1e-12)
    # a constant gradient attains it (up to ε)
    tr = trace(alr.AdaGrad(lr=0.1), lambda th: np.ones(1), np.zeros(1), 50)
    np.testing.assert_allclose(-tr.thetas[-1, 0], travel_bound(50, 0.1), rtol=1e-9)


@pytest.mark.parametrize("distance, lr", [(4.0, 0.03), (1.0, 1.0), (0.5, 1.0), (0.0, 0.1),
                                          (4.0, 0.01)])
def test_min_steps_to_travel(distance, lr):
    t = int(min_steps_to_travel(distance, lr))
    assert travel_bound(t, lr) >= distance * (1 - 1e-12)
    if t > 0:
        assert travel_bound(t - 1, lr) < distance
    assert t >= ((distance / lr + 1) / 2) ** 2 - 1


def test_min_steps_to_travel_vectorized():
    out = min_steps_to_travel(np.array([4.0, 1.5]), np.array([[0.01], [0.1]]))
    assert out.shape == (2, 2) and out.dtype == np.int64
    assert out[0, 0] == min_steps_to_travel(4.0, 0.01)
    assert out[1, 1] == min_steps_to_travel(1.5, 0.1)
    with pytest.raises(ValueError):
        min_steps_to_travel(1.0, 0.0)


def test_best_rate():
    quad = objectives.ill_conditioned()
    rates = [0.01, 0.05, 0.07, 0.2, 1.0]   # the last two diverge for gradient descent
    best = best_rate(lambda r: alr.SGD(lr=r), quad, rates, 100)
    assert isinstance(best, BestRate)
    assert best.rate == 0.07 and best.index == 2
    assert np.isnan(best.final_losses[3:]).all()
    single = alr.minimize(alr.SGD(lr=0.07), quad, quad.start, 100)
    assert best.final_loss == pytest.approx(float(single.final_loss), rel=1e-12)
    other = best_rate(lambda r: alr.SGD(lr=r), quad, [0.01, 0.05], 10, start=[1.0, 1.0])
    assert other.run.thetas[0, 0].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="every run diverged"):
        best_rate(lambda r: alr.SGD(lr=r), quad, [1.0, 2.0], 200)
    with pytest.raises(ValueError, match="non-empty"):
        best_rate(lambda r: alr.SGD(lr=r), quad, [], 10)


def test_errors_by_epoch_matches_train():
    task = data.sparse_logistic(n_samples=200, n_features=6, n_rare=3, rare_prob=0.1, seed=1)
    params0 = task.init(seed=0, batch_shape=(2,))
    opt = alr.AdaGrad(lr=np.array([[0.1], [0.5]]))
    errors = errors_by_epoch(opt, task, params0, 3, batch_size=16, seed=2)
    assert set(errors) == {"rare", "common"} and errors["rare"].shape == (4, 2)
    np.testing.assert_allclose(errors["rare"][0], task.weight_error(params0, "rare"))
    final = alr.train(opt, task, params0, epochs=3, batch_size=16, seed=2).params
    np.testing.assert_allclose(errors["common"][-1], task.weight_error(final, "common"))
    only = errors_by_epoch(opt, task, params0, 1, which=("all",), batch_size=16, seed=2)
    assert list(only) == ["all"]
