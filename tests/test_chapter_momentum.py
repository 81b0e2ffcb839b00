"""Tests of adaptive_lr.chapters.momentum: the 2×2 iteration, its roots, Polyak's tuning."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr.chapters import momentum as M
from adaptive_lr.chapters.one_learning_rate import optimal_rate


@settings(max_examples=200, deadline=None)
@given(lr=st.floats(1e-3, 2.0), mu=st.floats(0.0, 0.99), lam=st.floats(1e-2, 10.0),
       nesterov=st.booleans())
def test_root_moduli_are_the_moduli_of_the_matrix_eigenvalues(lr, mu, lam, nesterov):
    expected = np.sort(np.abs(np.linalg.eigvals(M.iteration_matrix(lr, mu, lam, nesterov))))
    got = np.sort(M.root_moduli(lr, mu, [lam], nesterov)[0])
    assert_allclose(got, expected, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_matrix_is_what_the_package_optimizer_does(nesterov):
    """One step of alr.SGD(momentum) along an eigen-direction equals M @ (δ, b)."""
    lr, mu, lam = 0.1, 0.8, 3.0
    quad = alr.objectives.Quadratic(eigenvalues=(lam, 1.0))
    opt = alr.SGD(lr=lr, momentum=mu, nesterov=nesterov)
    theta = np.array([1.0, 0.0])
    state = opt.init(theta)
    pair = np.array([1.0, 0.0])                      # (δ, b) before the first step
    matrix = M.iteration_matrix(lr, mu, lam, nesterov)
    for _ in range(5):
        theta, state = opt.step(theta, quad.grad(theta), state)
        pair = matrix @ pair
        assert_allclose([theta[0], state.momentum[0]], pair, rtol=1e-12)


def test_heavy_ball_at_polyaks_tuning_is_critical_at_both_ends_and_beats_gd():
    lam = np.array([1.0, 4.0, 25.0, 100.0])
    lr, mu = M.optimal_heavy_ball(lam)
    assert_allclose([lr, mu], [4 / (10 + 1) ** 2, (9 / 11) ** 2])
    regimes = M.damping(lr, mu, lam)
    assert regimes[0] == regimes[-1] == "critical"
    assert set(regimes[1:-1]) == {"underdamped"}
    rate = M.convergence_rate(lr, mu, lam)
    assert_allclose(rate, M.heavy_ball_rate_at_optimum(100.0), rtol=1e-6)
    assert_allclose(rate, 9 / 11, rtol=1e-6)
    gd = optimal_rate(100.0)                     # gradient descent: (κ−1)/(κ+1) = 99/101
    assert M.steps_to_shrink(rate, 1e-6) < M.steps_to_shrink(gd, 1e-6) / 4


def test_the_rate_is_what_a_run_shows():
    lam = np.array([1.0, 50.0])
    lr, mu = 0.02, 0.7
    quad = alr.objectives.Quadratic(eigenvalues=tuple(lam))
    run = alr.minimize(alr.SGD(lr=lr, momentum=mu), quad, quad.start, 400)
    error = np.linalg.norm(run.thetas - quad.minimizer, axis=-1)
    measured = (error[400] / error[300]) ** (1 / 100)
    assert_allclose(measured, M.convergence_rate(lr, mu, lam), rtol=1e-3)


def test_damping_and_divergence():
    assert M.damping(0.1, 0.0, [1.0])[0] == "overdamped"             # no momentum: real roots
    assert M.damping(0.1, 0.9, [1.0])[0] == "underdamped"
    assert M.convergence_rate(1.0, 0.5, [4.0]) > 1                    # ρλ too large
    assert M.steps_to_shrink(1.0, 0.1) == np.inf and M.steps_to_shrink(0.0, 0.1) == 0
    assert M.steps_to_shrink(0.5, 0.25) == 2


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="momentum must lie in"):
        M.convergence_rate(0.1, 1.0, [1.0])
    with pytest.raises(ValueError, match="last axis"):
        M.convergence_rate(0.1, 0.5, 1.0)
    with pytest.raises(TypeError, match="nesterov"):
        M.root_moduli(0.1, 0.5, [1.0], nesterov="yes")
    with pytest.raises(ValueError, match="eigenvalues"):
        M.optimal_heavy_ball([0.0, 1.0])
