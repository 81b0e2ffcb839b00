"""Tests of adaptive_lr.moments: closed forms against the optimizers and hand computations."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import memory, objectives, runs
from adaptive_lr.trace import trace
from adaptive_lr.chapters import adam as moments
from adaptive_lr.chapters import rmsprop as theory


def random_grads(shape=(200, 3), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * np.geomspace(100.0, 0.01, shape[-1])


# ----------------------------------------------------------------- bias correction


def test_bias_correction_values():
    assert_allclose(moments.bias_correction(0.9, [0, 1, 2]), [0.0, 0.1, 0.19])
    assert float(moments.bias_correction(0.999, 1)) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="t must be"):
        moments.bias_correction(0.9, -1)
    with pytest.raises(ValueError, match="t must be"):
        moments.bias_correction(0.9, 1.5)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
def test_average_of_constant_is_the_recursion(beta):
    a, g = 0.0, 2.5
    for t in range(1, 30):
        a = beta * a + (1 - beta) * g
        assert float(moments.average_of_constant(beta, t, g)) == pytest.approx(a, rel=1e-12)


def test_adam_moments_of_a_constant_gradient_are_biased_by_one_minus_beta_t():
    opt = alr.Adam(lr=0.1, betas=(0.9, 0.99))
    theta, state = np.zeros(1), opt.init(np.zeros(1))
    for t in range(1, 20):
        theta, state = opt.step(theta, np.array([3.0]), state)
        assert state.m[0] == pytest.approx(float(moments.average_of_constant(0.9, t, 3.0)))
        assert state.v[0] == pytest.approx(float(moments.average_of_constant(0.99, t, 9.0)))


def test_first_step_matches_the_optimizers():
    g = np.array([3.0, -1e-3, 50.0])
    for betas in [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)]:
        update = trace(alr.Adam(lr=0.01, betas=betas), g[None]).deltas[0]
        assert_allclose(update, moments.first_step(g, 0.01, betas), rtol=1e-12)
        plain = alr.Adam(0.01, betas, bias_correction=False)
        assert_allclose(trace(plain, g[None]).deltas[0],
                        moments.first_step(g, 0.01, betas, corrected=False), rtol=1e-12)


def test_first_step_sizes():
    assert float(moments.first_step(1.0, 1.0, eps=0.0)) == pytest.approx(-1.0)
    # uncorrected defaults: 0.1 / sqrt(0.001) = 3.162...
    assert float(moments.first_step(1.0, 1.0, eps=0.0, corrected=False)) == pytest.approx(
        -0.1 / math.sqrt(1e-3))
    # beta1 = 0 without correction is RMSProp's first step rho / sqrt(1 - alpha)
    for alpha in [0.9, 0.99, 0.999]:
        assert float(moments.first_step(1.0, 1.0, (0.0, alpha), eps=0.0, corrected=False)) \
            == pytest.approx(-float(theory.first_step(1.0, alpha)))
    with pytest.raises(TypeError, match="betas"):
        moments.first_step(1.0, betas=0.9)


@pytest.mark.parametrize("corrected", [True, False])
def test_constant_gradient_step_matches_simulation(corrected):
    t = np.arange(1, 301)
    g = np.full((300, 1), 0.7)
    opt = (alr.Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-8) if corrected else
           alr.Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-8, bias_correction=False))
    simulated = np.abs(trace(opt, g).deltas[:, 0])
    closed = moments.constant_gradient_step(t, 0.01, (0.8, 0.99), eps=1e-8, grad=0.7,
                                            corrected=corrected)
    assert_allclose(simulated, closed, rtol=1e-10)


def test_constant_gradient_step_rmsprop_case():
    t = np.arange(1, 101)
    g = np.ones((100, 1))
    rms = np.abs(trace(alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-12), g).deltas[:, 0])
    closed = moments.constant_gradient_step(t, 0.01, (0.0, 0.99), eps=1e-12, corrected=False)
    assert_allclose(rms, closed, rtol=1e-9)
    assert closed[0] == pytest.approx(0.1, rel=1e-9)  # 10 rho for alpha = 0.99
    with pytest.raises(ValueError, match="from 1"):
        moments.constant_gradient_step(0)


# ------------------------------------------------- Adam's corrections taken apart


def test_adam_with_beta1_zero_is_rmsprop_with_bias_correction():
    grads = random_grads(seed=2)
    adam = trace(alr.Adam(lr=0.01, betas=(0.0, 0.99), eps=1e-12), grads).deltas
    corrected = trace(alr.Adam(0.01, (0.0, 0.99), eps=1e-12, bias_correction=(False, True)),
                      grads).deltas
    assert_allclose(adam, corrected, rtol=1e-12)
    # and it differs from RMSProp by the factor sqrt(1 - beta2^t) (eps negligible here)
    rms = trace(alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-12), grads).deltas
    t = np.arange(1, len(grads) + 1)[:, None]
    assert_allclose(adam / rms, np.sqrt(1 - 0.99 ** t) * np.ones((1, 3)), rtol=1e-6)


# ------------------------------------------------------------------- drops


def test_step_after_drop_limits_and_simulation():
    assert float(moments.step_after_drop(0, 0.9, 100.0)) == pytest.approx(0.01)
    assert float(moments.step_after_drop(10_000, 0.9, 100.0)) == pytest.approx(1.0)
    # RMSProp (alpha = 0.9, eps tiny) after a long history of gradient 1, then 0.01
    grads = np.r_[np.ones(400), np.full(200, 0.01)][:, None]
    rms = np.abs(trace(alr.RMSProp(lr=1.0, alpha=0.9, eps=1e-14), grads).deltas[400:, 0])
    n = np.arange(1, 201)
    assert_allclose(rms, moments.step_after_drop(n, 0.9, 100.0), rtol=1e-9)


@pytest.mark.parametrize("decay", [0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("drop", [3.0, 100.0, 1000.0])
def test_recovery_steps_is_the_first_step_above_the_fraction(decay, drop):
    n = int(moments.recovery_steps(decay, drop))
    assert moments.step_after_drop(n, decay, drop) >= 0.5 - 1e-12
    if n > 1:
        assert moments.step_after_drop(n - 1, decay, drop) < 0.5


def test_recovery_steps_values():
    assert moments.recovery_steps([0.9, 0.99, 0.999], 1000).tolist() == [121, 1266, 12711]
    assert int(moments.recovery_steps(0.9, 1.5)) == 1  # 1/1.5 ≥ 1/2 already


# ------------------------------------------------------------------- sweeps


def test_objective_stack_values_and_grads():
    members = [objectives.ill_conditioned(), objectives.Saddle(), objectives.Rosenbrock()]
    stack = objectives.ObjectiveStack(members)
    theta = np.random.default_rng(0).standard_normal((3, 4, 2))
    values = stack.value(theta)
    for i, o in enumerate(members):
        assert_allclose(values[i], o.value(theta[i]) - o.f_min)
        assert_allclose(stack.grad(theta)[i], o.grad(theta[i]))
    assert stack.start_batch(4).shape == (3, 4, 2) and len(stack) == 3
    with pytest.raises(ValueError, match="shape"):
        stack.value(np.zeros((2, 4, 2)))
    with pytest.raises(TypeError):
        objectives.ObjectiveStack([])


def test_one_stacked_call_equals_separate_runs():
    members = [objectives.ill_conditioned(), objectives.Beale()]
    stack = objectives.ObjectiveStack(members)
    rates = np.array([[0.01], [0.1]])
    run = alr.minimize(alr.Adam(lr=rates), stack, stack.start_batch(2), 50)
    for i, o in enumerate(members):
        alone = alr.minimize(alr.Adam(lr=rates), o, np.tile(o.start, (2, 1)), 50)
        assert_allclose(run.thetas[:, i], alone.thetas)


# -------------------------------------------------------------------- units


def test_rescaled_objective():
    q = objectives.Rosenbrock()
    r = objectives.Rescaled(q, 10.0)
    theta = np.array([[0.3, -0.2], [1.0, 2.0]])
    assert_allclose(r.value(10 * theta), q.value(theta))
    assert_allclose(r.grad(10 * theta), q.grad(theta) / 10)
    assert_allclose(r.minimizer, 10 * q.minimizer) and r.xlim == (-20.0, 20.0)


def test_unit_ratios_follow_the_units_of_each_update():
    q = objectives.ill_conditioned(10.0)
    cs = [10.0, 1000.0]
    sgd = moments.unit_ratio(alr.SGD(lr=0.05, momentum=0.5), q, cs)
    assert_allclose(sgd, np.array([[1e-2], [1e-6]]) * np.ones((1, 2)), rtol=1e-9)
    for opt in [alr.AdaGrad(lr=0.5, eps=1e-14), alr.RMSProp(lr=0.05, eps=1e-14),
                alr.Adam(lr=0.1, eps=1e-14), alr.Adam(lr=0.1, eps=1e-14, amsgrad=True)]:
        assert_allclose(moments.unit_ratio(opt, q, cs), np.array([[0.1], [1e-3]]) *
                        np.ones((1, 2)), rtol=1e-6)
        assert_allclose(moments.predicted_unit_ratio(opt, cs), [0.1, 1e-3])
    assert moments.unit_ratio(alr.SGD(lr=0.05), q, 10.0).shape == (2,)


def test_adadelta_update_has_the_units_of_theta_once_its_averages_dominate_eps():
    opt = alr.AdaDelta(rho=0.95, eps=1e-6)
    ratio = moments.unit_ratio(opt, objectives.Rosenbrock(), [10.0, 1000.0], warmup=3000)
    assert_allclose(ratio, 1.0, atol=5e-3)
    assert float(moments.predicted_unit_ratio(opt, 10.0)) == 1.0
    # early, its averages are a few ε and the ratio is far from 1: ε has no units
    early = moments.unit_ratio(opt, objectives.Rosenbrock(), 10.0, warmup=100)
    assert np.all(np.abs(early - 1) > 0.3)


def test_rescaled_state_and_unknown_optimizers():
    opt = alr.RMSProp(lr=0.1, momentum=0.5, centered=True)
    theta = np.ones(2)
    state = opt.step(theta, np.ones(2), opt.init(theta))[1]
    scaled = moments.rescaled_state(opt, state, 10.0)
    assert_allclose(scaled.r, state.r / 100) and assert_allclose(scaled.g_avg, state.g_avg / 10)
    assert_allclose(scaled.momentum, state.momentum)

    # units come from the optimizer's class, not its display name
    renamed = alr.RMSProp(lr=0.1, momentum=0.5, centered=True, name="my RMSProp")
    assert_allclose(moments.rescaled_state(renamed, state, 10.0).r, scaled.r)
    assert moments.predicted_unit_ratio(renamed, 10.0) == 0.1
    with pytest.raises(TypeError, match="RMSPropState"):
        moments.rescaled_state(alr.SGD(lr=0.1), state, 10.0)


def test_adadelta_first_step_matches_the_optimizer():
    g = np.array([5.0, -0.3, 1e-4])
    for rho, eps in [(0.9, 1e-6), (0.95, 1e-8)]:
        update = trace(alr.AdaDelta(rho=rho, eps=eps), g[None]).deltas[0]
        assert_allclose(update, moments.adadelta_first_step(g, rho, eps), rtol=1e-12)
    assert float(-moments.adadelta_first_step(1.0, 0.9, 1e-6)) == pytest.approx(
        math.sqrt(1e-6 / 0.1), rel=1e-4)


def test_adadelta_constant_gradient_steps_match_the_optimizer_and_grow_slowly():
    eps = np.array([1e-8, 1e-6])
    closed = moments.adadelta_constant_gradient_steps(500, rho=0.9, eps=eps, grad=2.0)
    for k, e in enumerate(eps):
        sim = np.abs(trace(alr.AdaDelta(rho=0.9, eps=e), np.full((500, 1), 2.0)).deltas)
        assert_allclose(closed[:, k], sim[:, 0], rtol=1e-10)
    late = moments.adadelta_constant_gradient_steps(2000, rho=0.9, eps=1e-6)[-1]
    assert float(late) == pytest.approx(math.sqrt(1e-6 * (1 + 0.1 * 2000)), rel=0.05)


def test_steps_until():
    sizes = np.array([[0.1, 0.1], [0.3, 0.1], [0.6, 0.2]])
    assert runs.steps_to(np.arange(1, len(sizes) + 1), sizes, 0.5,
                         side="above").tolist() == [3, -1]
    stays = np.array([[0.9, 0.9, 0.1, 0.9], [0.1, 0.9, 0.9, 0.9], [0.6, 0.6, 0.2, 0.9],
                      [0.7, 0.6, 0.7, 0.2]])
    assert runs.settle_step(np.arange(1, len(stays) + 1), stays, 0.5,
                            side="above").tolist() == [3, 1, 4, -1]


# -------------------------------------------------------------------- AMSGrad


def test_counterexample_losses_and_regret():
    p = moments.OnlineCounterexample(3.0)
    assert [p.grad(t) for t in range(1, 7)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0]
    assert p.average_regret(np.full(30, -1.0)) == 0.0
    assert p.average_regret(np.full(30, 1.0)) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        moments.OnlineCounterexample(2.0)


def test_adam_goes_to_the_worst_point_and_amsgrad_does_not():
    p = moments.OnlineCounterexample(3.0)
    betas = (0.0, 1 / (1 + p.C ** 2))
    adam = moments.run_online(alr.Adam(lr=0.01, betas=betas), p, 1500)
    ams = moments.run_online(alr.Adam(lr=0.01, betas=betas, amsgrad=True), p, 1500)
    assert adam.final == 1.0 and ams.final < -0.9
    assert moments.max_rate_increase(adam.rates, 10) > 2.0
    assert moments.max_rate_increase(ams.rates, 10) <= 1.0 + 1e-9
    assert adam.xs.shape == adam.rates.shape == (1500,)
    with pytest.raises(ValueError, match="two rates"):
        moments.max_rate_increase([1.0])


# ------------------------------------------------------------------ weight decay


def test_alternating_gradients():
    a = objectives.Alternating([0.5, 2.0])
    theta = np.ones((3, 2))
    assert_allclose(a.grad(theta, 0), [[0.5, 2.0]] * 3)
    assert_allclose(a.grad(theta, 1), [[-0.5, -2.0]] * 3)
    assert_allclose(a.value(theta), 1.0)
    with pytest.raises(ValueError):
        objectives.Alternating([[1.0]])


def test_adamw_decays_every_coordinate_equally_and_l2_does_not():
    problem = objectives.Alternating([0.01, 1.0, 100.0])
    l2 = alr.minimize(alr.Adam(lr=0.01, weight_decay=0.1), problem, problem.start, 1000)
    w = alr.minimize(alr.Adam(lr=0.01, weight_decay=0.1, decoupled=True), problem,
                     problem.start, 1000)
    assert np.ptp(w.final_theta) < 1e-7  # equal up to ε's share
    assert w.final_theta[0] == pytest.approx((1 - 1e-3) ** 1000, rel=0.03)
    assert l2.final_theta[0] < 0.01 < l2.final_theta[1] < l2.final_theta[2]
    assert l2.final_theta[2] > 0.95


def test_decay_per_step():
    v_hat = np.array([1e-4, 1.0, 1e4])
    assert_allclose(moments.decay_per_step(0.01, 0.1, v_hat, eps=0.0), [0.1, 1e-3, 1e-5])
    assert_allclose(moments.decay_per_step(0.01, 0.1, v_hat, decoupled=True), 1e-3)
    assert float(moments.decay_per_step(0.01, 0.1, decoupled=True)) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="v_hat"):
        moments.decay_per_step(0.01, 0.1)
