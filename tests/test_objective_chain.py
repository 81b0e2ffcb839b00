"""Tests of adaptive_lr.objectives.SigmoidChain: the sigmoid chain's values, gradients and batching."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr.chapters.rmsprop import layer_steps
from adaptive_lr.objectives import SigmoidChain, sigmoid


def test_sigmoid_is_stable_and_correct():
    z = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(z)
    assert_allclose(s, [0.0, 1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-2)), 1.0])


def test_one_layer_by_hand():
    chain = SigmoidChain(1, inputs=[1.0], targets=[0.0], weight=2.0, bias=-1.0)
    s = 1 / (1 + math.exp(-1.0))          # σ(2·1 − 1)
    assert float(chain.value(chain.start)) == pytest.approx(0.5 * s ** 2)
    # dJ/dw = (s − 0) s (1 − s) x, dJ/db = (s − 0) s (1 − s)
    assert_allclose(chain.grad(chain.start), [s * s * (1 - s), s * s * (1 - s)])


@pytest.mark.parametrize("depth", [1, 3, 8])
def test_gradient_matches_finite_differences(depth):
    chain = SigmoidChain(depth)
    theta = chain.start + np.random.default_rng(depth).normal(scale=0.5, size=chain.dim)
    h = 1e-6
    numeric = np.array([(chain.value(theta + h * e) - chain.value(theta - h * e)) / (2 * h)
                        for e in np.eye(chain.dim)])
    assert_allclose(chain.grad(theta), numeric, rtol=1e-5, atol=1e-10)


def test_batched_equals_separate():
    chain = SigmoidChain(4)
    thetas = chain.start + np.random.default_rng(0).normal(size=(3, 2, chain.dim))
    values, grads = chain.value(thetas), chain.grad(thetas)
    assert values.shape == (3, 2) and grads.shape == thetas.shape
    for i in range(3):
        for j in range(2):
            assert float(values[i, j]) == pytest.approx(float(chain.value(thetas[i, j])))
            assert_allclose(grads[i, j], chain.grad(thetas[i, j]))


def test_gradients_vanish_towards_the_input():
    chain = SigmoidChain(10)
    g = chain.layer_gradients(chain.start)
    assert g.shape == (10,)
    assert g[-1] > 1e-2 and g[0] < 1e-6        # six orders of magnitude
    assert np.all(g[2:] > g[1:-1])             # monotone from layer 2 on


def test_default_task_and_start():
    chain = SigmoidChain(3, weight=0.5, bias=0.1)
    assert chain.dim == 6 and chain.start.tolist() == [0.5] * 3 + [0.1] * 3
    assert chain.inputs.size == 8 and set(chain.targets.tolist()) == {0.2, 0.8}
    with pytest.raises(ValueError):
        chain.start[0] = 1.0   # read-only


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth"):
        SigmoidChain(0)
    with pytest.raises(ValueError, match="equal"):
        SigmoidChain(2, inputs=[0.0, 1.0], targets=[0.0])
    with pytest.raises(ValueError, match="theta must have shape"):
        SigmoidChain(2).value(np.zeros(3))


def test_runs_with_minimize_and_layer_steps():
    chain = SigmoidChain(5)
    run = alr.minimize(alr.SGD(lr=0.5), chain, chain.start, 1)
    steps = layer_steps(run, chain.depth)
    assert steps.shape == (5,)
    # one step of GD moves each weight by ρ|g|
    assert_allclose(steps, 0.5 * np.abs(chain.grad(chain.start)[:5]), rtol=1e-9)
    batch = alr.minimize(alr.RMSProp(lr=np.array([[0.01], [0.02]])), chain,
                         np.tile(chain.start, (2, 1)), 3)
    assert layer_steps(batch, chain.depth).shape == (2, 5)
