"""Tests of adaptive_lr.quadratics: closed forms for gradient descent on quadratics, checked by
hand and against real runs of alr.SGD through alr.minimize."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import objectives
from adaptive_lr.chapters import one_learning_rate as Q


def eigen_start(quadratic):
    lam, vectors = Q.spectrum(quadratic)
    return lam, (quadratic.start - quadratic.minimizer) @ vectors


def test_spectrum_is_ascending_and_rebuilds_the_hessian():
    quadratic = objectives.rotated(kappa=9.0, angle=0.3)
    lam, vectors = Q.spectrum(quadratic)
    assert_allclose(lam, [1.0, 9.0])
    assert_allclose(vectors @ np.diag(lam) @ vectors.T, quadratic.hessian, atol=1e-12)


def test_values_by_hand():
    lam = np.array([1.0, 25.0])
    assert float(Q.condition_number(lam)) == 25.0
    assert float(Q.stable_lr_bound(lam)) == pytest.approx(0.08)
    assert float(Q.optimal_lr(lam)) == pytest.approx(2 / 26)
    assert float(Q.optimal_rate(25.0)) == pytest.approx(24 / 26)
    assert_allclose(Q.contraction_factors(0.075, lam), [0.925, 0.875])
    assert float(Q.convergence_rate(0.075, lam)) == pytest.approx(0.925)
    # at the optimum both extreme directions contract equally, by (κ-1)/(κ+1)
    assert_allclose(Q.contraction_factors(Q.optimal_lr(lam), lam), [24 / 26, 24 / 26])


def test_shapes_broadcast_like_optimizer_hyperparameters():
    lam = np.array([1.0, 4.0, 10.0])
    lr = np.array([[0.01], [0.1], [0.3]])
    assert Q.contraction_factors(lr, lam).shape == (3, 3)
    assert Q.convergence_rate(lr, lam).shape == (3,)
    batch = np.array([[1.0, 4.0], [1.0, 100.0]])
    assert_allclose(Q.stable_lr_bound(batch), [0.5, 0.02])
    assert_allclose(Q.condition_number(batch), [4.0, 100.0])


@pytest.mark.parametrize("kappa", [1.0, 2.0, 25.0, 1000.0])
def test_optimal_lr_minimizes_the_rate(kappa):
    lam = np.array([1.0, kappa])
    grid = np.linspace(1e-4, 2.5 / kappa, 20001)[:, None]
    rates = Q.convergence_rate(grid, lam)
    assert float(rates.min()) >= float(Q.optimal_rate(kappa)) - 1e-12
    assert float(Q.convergence_rate(Q.optimal_lr(lam), lam)) == pytest.approx(
        float(Q.optimal_rate(kappa)), abs=1e-12)
    # the stable interval is exactly (0, 2/λmax)
    stable = grid[rates < 1, 0]
    assert stable.max() < float(Q.stable_lr_bound(lam)) <= grid[rates >= 1, 0].min()


def test_invalid_arguments_are_named():
    with pytest.raises(ValueError, match="eigenvalues"):
        Q.stable_lr_bound([1.0, 0.0])
    with pytest.raises(ValueError, match="eigenvalues"):
        Q.optimal_lr(3.0)
    with pytest.raises(ValueError, match="lr"):
        Q.contraction_factors(-0.1, [1.0, 2.0])
    with pytest.raises(ValueError, match="kappa"):
        Q.optimal_rate(0.5)
    with pytest.raises(ValueError, match="t must"):
        Q.loss_gap(np.array([-1]), 0.1, [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="tolerance"):
        Q.steps_to_tolerance(0.1, [1.0, 2.0], [1.0, 1.0], 0.0, 10)


@pytest.mark.parametrize("quadratic", [objectives.ill_conditioned(25.0),
                                       objectives.rotated(10.0, 0.7),
                                       objectives.Quadratic((3.0, 0.5), 1.1, (1.0, -2.0))],
                         ids=["axis-aligned", "rotated", "shifted"])
def test_closed_form_iterates_match_sgd_runs(quadratic):
    lr = np.array([[0.01], [0.05], [0.3]]) / quadratic.eigenvalues.max()
    run = alr.minimize(alr.SGD(lr=lr), quadratic, np.tile(quadratic.start, (3, 1)), 40)
    closed = Q.gd_iterates(quadratic, lr, 40)
    assert closed.shape == run.thetas.shape
    assert_allclose(closed, run.thetas, atol=1e-10)
    lam, delta0 = eigen_start(quadratic)
    assert_allclose(Q.loss_gap(np.arange(41)[:, None], lr, lam, delta0), run.losses,
                    rtol=1e-9, atol=1e-12)


def test_scalar_lr_iterates_have_no_batch_axis():
    quadratic = objectives.ill_conditioned(4.0)
    iterates = Q.gd_iterates(quadratic, 0.1, 3, start=[1.0, 1.0])
    assert iterates.shape == (4, 2)
    assert_allclose(iterates[1], [0.9, 0.6])
    assert_allclose(iterates[3], [0.9 ** 3, 0.6 ** 3])


@pytest.mark.parametrize("kappa", [4.0, 64.0])
def test_steps_to_tolerance_is_what_the_runner_measures(kappa):
    quadratic = objectives.ill_conditioned(kappa)
    lam, delta0 = eigen_start(quadratic)
    lr = np.linspace(0.1, 2.1, 21)[:, None] / kappa     # includes unstable rates
    steps = int(20 * kappa)
    run = alr.minimize(alr.SGD(lr=lr), quadratic, np.tile(quadratic.start, (21, 1)), steps)
    predicted = Q.steps_to_tolerance(lr, lam, delta0, 1e-6, steps)
    assert predicted.tolist() == run.steps_to(1e-6).tolist()
    assert (predicted[lr[:, 0] >= 2 / kappa] == -1).all()


def test_steps_to_tolerance_edge_cases():
    # already below the tolerance at t = 0
    assert Q.steps_to_tolerance(0.1, [1.0, 2.0], [1e-5, 0.0], 1e-6, 5).tolist() == 0
    # ρ = 1/λ for every direction: exact in one step
    assert Q.steps_to_tolerance(np.array([1.0, 0.5]), [1.0, 2.0], [3.0, -1.0], 1e-12, 5) == 1
    # not reached within the budget
    assert Q.steps_to_tolerance(1e-3, [1.0, 2.0], [3.0, -1.0], 1e-6, 5) == -1


def test_steps_bound_is_an_upper_bound_and_grows_linearly_in_kappa():
    tol = 1e-6
    for kappa in [2.0, 10.0, 100.0, 1000.0]:
        quadratic = objectives.ill_conditioned(kappa)
        lam, delta0 = eigen_start(quadratic)
        lr = Q.optimal_lr(lam)
        f0 = float(quadratic.value(quadratic.start))
        bound = float(Q.steps_bound(Q.optimal_rate(kappa), f0, tol))
        exact = int(Q.steps_to_tolerance(lr, lam, delta0, tol, int(bound) + 1))
        assert 0 < exact <= bound
        if kappa >= 100:
            assert bound == pytest.approx(kappa / 4 * math.log(f0 / tol), rel=0.01)


def test_steps_bound_special_rates():
    assert_allclose(Q.steps_bound(np.array([0.0, 0.5, 1.0, 2.0]), 1.0, 1e-3),
                    [1.0, math.ceil(math.log(1e3) / (2 * math.log(2))), math.inf, math.inf])
    assert float(Q.steps_bound(0.9, 1e-4, 1e-3)) == 0.0


def brute_force_steps(lr, lam, delta0, tolerance, max_steps):
    gaps = Q.loss_gap(np.arange(max_steps + 1)[:, None], lr, lam, delta0)
    hit = gaps <= tolerance
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


@pytest.mark.parametrize("seed", range(5))
def test_bisection_agrees_with_a_full_scan(seed):
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.1, 50.0, size=(200, 3)), axis=-1)
    lr = rng.uniform(0.0, 2.4, size=(200, 1)) / lam[:, -1:]      # stable and unstable rates
    delta0 = rng.normal(size=(200, 3)) * (rng.uniform(size=(200, 3)) > 0.2)   # some zeros
    tolerance = float(rng.choice([1e-2, 1e-6]))
    fast = Q.steps_to_tolerance(lr, lam, delta0, tolerance, 300)
    assert fast.shape == (200,)
    assert fast.tolist() == brute_force_steps(lr, lam, delta0, tolerance, 300).tolist()


def test_an_unstable_rate_can_dip_below_the_tolerance_before_it_grows():
    # the steep direction grows (factor -1.5) from a tiny start; the flat one decays fast
    lam, delta0 = np.array([1.0, 10.0]), np.array([1.0, 1e-4])
    lr = 0.25
    predicted = int(Q.steps_to_tolerance(lr, lam, delta0, 2e-3, 60))
    assert predicted == brute_force_steps(lr, lam, delta0, 2e-3, 60).item() == 10
    assert predicted > 0
    assert float(Q.loss_gap(np.array(60), lr, lam, delta0)) > 2e-3
