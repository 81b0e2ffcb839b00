"""Tests of adaptive_lr.theory: closed forms against hand computations and the optimizers."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import memory
from adaptive_lr.trace import trace
from adaptive_lr.chapters import rmsprop as theory


def test_ema_weights_by_hand():
    # alpha = 0.5, t = 3: (1-a) a^2, (1-a) a, (1-a) = 0.125, 0.25, 0.5
    assert_allclose(memory.ema_weights(0.5, 3), [0.125, 0.25, 0.5])
    assert memory.ema_weights(0.9, 1).tolist() == pytest.approx([0.1])


def test_ema_weights_broadcast_over_alpha():
    w = memory.ema_weights(np.array([0.5, 0.9]), 4)
    assert w.shape == (2, 4)
    assert_allclose(w[1], [0.1 * 0.9 ** 3, 0.1 * 0.9 ** 2, 0.1 * 0.9, 0.1])


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99, 0.999, 1.0])
@pytest.mark.parametrize("t", [1, 2, 10, 500])
def test_weights_sum_to_one_minus_alpha_to_the_t(alpha, t):
    assert memory.ema_weights(alpha, t).sum() == pytest.approx(1 - alpha ** t, abs=1e-12)
    assert float(memory.ema_weight_sum(alpha, t)) == pytest.approx(1 - alpha ** t)


def test_weight_sum_rejects_negative_t():
    with pytest.raises(ValueError, match="t must be"):
        memory.ema_weight_sum(0.9, -1)


def test_window_and_half_life_values():
    assert float(memory.effective_window(0.9)) == pytest.approx(10.0)
    assert float(memory.effective_window(0.999)) == pytest.approx(1000.0)
    assert float(memory.effective_window(1.0)) == math.inf
    assert float(memory.half_life(0.5)) == pytest.approx(1.0)
    assert float(memory.half_life(0.9)) == pytest.approx(math.log(2) / math.log(1 / 0.9))
    assert float(memory.half_life(0.0)) == 0.0
    assert float(memory.half_life(1.0)) == math.inf
    # the weight of a gradient one half-life old is half the newest one's
    a = 0.99
    assert a ** float(memory.half_life(a)) == pytest.approx(0.5)


def test_window_is_mean_age_plus_one():
    # sum_k (1-a) a^k (k + 1) = 1/(1-a) for the infinite average
    a = 0.9
    ages = np.arange(5000)
    mean_age_plus_one = np.sum((1 - a) * a ** ages * (ages + 1))
    assert mean_age_plus_one == pytest.approx(float(memory.effective_window(a)))


def test_steps_to_fade():
    assert float(memory.steps_to_fade(0.9, 0.01)) == pytest.approx(math.log(0.01) / math.log(0.9))
    with pytest.raises(ValueError, match="fraction"):
        memory.steps_to_fade(0.9, 0.0)


def test_invalid_alpha_is_rejected():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="alpha"):
            memory.ema_weights(bad, 3)


def test_explicit_accumulator_by_hand():
    # alpha = 0.9, g = 2, -1, 0.5: r3 = 0.1 (0.81*4 + 0.9*1 + 0.25) = 0.439
    r = theory.explicit_accumulator([[2.0], [-1.0], [0.5]], 0.9)
    assert_allclose(r[:, 0], [0.4, 0.1 * (0.9 * 4 + 1), 0.439])


def test_explicit_accumulator_with_r0():
    r = theory.explicit_accumulator(np.zeros((3, 2)), 0.5, r0=1.0)
    assert_allclose(r, [[0.5, 0.5], [0.25, 0.25], [0.125, 0.125]])


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99, 1.0])
def test_explicit_sum_equals_rmsprop_recursion(alpha):
    grads = np.random.default_rng(0).normal(size=(40, 3))
    opt = alr.RMSProp(lr=0.01, alpha=alpha)
    assert_allclose(trace(opt, grads).accumulators,
                    theory.explicit_accumulator(grads, alpha), rtol=1e-12, atol=1e-15)


def test_recursive_accumulator_of_adagrad_is_the_sum():
    grads = np.array([[1.0, 2.0], [3.0, 0.0]])
    assert_allclose(trace(alr.AdaGrad(), grads).accumulators, [[1, 4], [10, 4]])


def test_constant_gradient_bias():
    assert_allclose(theory.constant_gradient_accumulator(0.9, [1, 2, 10], g=3.0),
                    9 * (1 - 0.9 ** np.array([1, 2, 10])))
    r = theory.explicit_accumulator(np.full((10, 1), 3.0), 0.9)
    assert_allclose(r[:, 0], theory.constant_gradient_accumulator(0.9, np.arange(1, 11), 3.0))


def test_first_step_closed_form_and_optimizer():
    assert float(theory.first_step(0.01, 0.99)) == pytest.approx(0.1)
    assert float(theory.first_step(1.0, 0.999)) == pytest.approx(1 / math.sqrt(0.001))
    assert float(theory.first_step(1.0, 1.0)) == math.inf
    theta, g = np.zeros(3), np.array([5.0, -1e-3, 2.0])
    opt = alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-8)
    new, _ = opt.step(theta, g, opt.init(theta))
    assert_allclose(np.abs(new), theory.first_step(0.01, 0.99, grad=g, eps=1e-8), rtol=1e-12)
    assert_allclose(np.abs(new), 0.1, rtol=1e-4)


def test_first_step_alpha_one_is_rho_g_over_eps():
    g = np.array([1e-3, 2.0])
    for inside in (False, True):
        opt = alr.RMSProp(lr=0.1, alpha=1.0, eps=1e-8, eps_inside_sqrt=inside)
        new, state = opt.step(np.zeros(2), g, opt.init(np.zeros(2)))
        assert np.all(state.r == 0)
        expected = 0.1 * g / (math.sqrt(1e-8) if inside else 1e-8)
        assert_allclose(np.abs(new), expected)
        assert_allclose(theory.first_step(0.1, 1.0, grad=g, eps=1e-8, eps_inside_sqrt=inside),
                        expected)


def test_first_step_needs_grad_when_eps_given():
    with pytest.raises(ValueError, match="needs the gradient"):
        theory.first_step(0.01, 0.9, eps=1e-8)


def test_eps_conversion_round_trip_and_keras_default():
    assert float(theory.eps_outside_from_inside(1e-7)) == pytest.approx(3.1623e-4, rel=1e-4)
    assert float(theory.eps_inside_from_outside(theory.eps_outside_from_inside(1e-6))) == \
        pytest.approx(1e-6)


def test_denominator_forms():
    assert float(theory.denominator(4.0, 1e-2)) == pytest.approx(2.01)
    assert float(theory.denominator(4.0, 0.25, eps_inside_sqrt=True)) == pytest.approx(2.0616, 1e-4)


def test_denominator_ratio_bounded_by_sqrt_two():
    e = 1e-4
    r = np.geomspace(1e-16, 1e2, 2001)
    ratio = theory.denominator_ratio(r, e)
    assert np.all(ratio >= 1 - 1e-12) and np.all(ratio <= math.sqrt(2) + 1e-12)
    assert float(theory.denominator_ratio(e ** 2, e)) == pytest.approx(math.sqrt(2))
    assert float(theory.denominator_ratio(0.0, e)) == pytest.approx(1.0)


def test_matched_eps_gives_matching_rmsprop_steps():
    grads = np.random.default_rng(1).normal(scale=1e-3, size=(30, 4))
    outside = alr.RMSProp(lr=0.01, alpha=0.9, eps=1e-3)
    inside = alr.RMSProp(lr=0.01, alpha=0.9, eps=float(theory.eps_inside_from_outside(1e-3)),
                         eps_inside_sqrt=True)
    steps = []
    for opt in (outside, inside):
        theta, state, out = np.zeros(4), opt.init(np.zeros(4)), []
        for g in grads:
            new, state = opt.step(theta, g, state)
            out.append(new - theta)
            theta = new
        steps.append(np.array(out))
    ratio = steps[1] / steps[0]
    assert np.all(ratio >= 1 - 1e-9) and np.all(ratio <= math.sqrt(2) + 1e-9)


# ------------------------------------------------------------ accumulator memory of optimizers


def test_decay_of_each_optimizer():
    assert memory.decay_of(alr.AdaGrad()) == 1.0
    assert memory.decay_of(alr.RMSProp(alpha=0.9)) == 0.9
    assert memory.decay_of(alr.Adam(betas=(0.8, 0.99))) == 0.99
    assert memory.decay_of(alr.Adam(decoupled=True)) == 0.999
    assert memory.decay_of(alr.AdaDelta(rho=0.95)) == 0.95
    assert memory.decay_of(alr.SGD(lr=0.1)) is None
    assert memory.decay_of(alr.RMSProp(alpha=np.array([[0.9], [0.99]]))) is None


def test_relative_weights_match_the_accumulator():
    # feed a unit gradient at step k only: r_t / (weight of the newest) is the relative weight
    t = 6
    for opt in (alr.RMSProp(alpha=0.8), alr.AdaGrad()):
        w = memory.relative_weights(opt, t)
        assert w.shape == (t,) and w[-1] == 1.0
        for k in range(1, t + 1):
            grads = np.zeros((t, 1))
            grads[k - 1] = 1.0
            newest = np.zeros((t, 1))
            newest[-1] = 1.0
            r = trace(opt, grads).accumulators[-1, 0]
            r_newest = trace(opt, newest).accumulators[-1, 0]
            assert r / r_newest == pytest.approx(w[k - 1])


def test_relative_weights_special_cases():
    assert memory.relative_weights(alr.SGD(lr=0.1), 3) is None
    assert memory.relative_weights(alr.RMSProp(alpha=1.0), 3).tolist() == [0, 0, 0]
    assert memory.relative_weights(alr.RMSProp(alpha=0.0), 3).tolist() == [0, 0, 1]


def test_memory_summary_texts():
    assert memory.memory_summary(alr.RMSProp(alpha=0.9)) == "window 10, half-life 6.58 steps"
    assert "forgets none" in memory.memory_summary(alr.AdaGrad())
    assert "never leaves 0" in memory.memory_summary(alr.RMSProp(alpha=1.0))
    assert memory.memory_summary(alr.SGD(lr=0.1)) == "no accumulator"
    assert memory.memory_summary(alr.Adam()) == "window 1000, half-life 693 steps"
    assert "varies" in memory.memory_summary(alr.RMSProp(alpha=np.array([[0.9], [0.99]])))
