"""Tests of adaptive_lr.chapters.one_learning_rate: closed forms for gradient descent on
quadratics, checked by hand and against real runs of alr.SGD through alr.minimize, and the
chapter's experiments (claim 1 among them) under the robustness protocol."""
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


# ------------------------------------------------------------------ settle_steps


@pytest.mark.parametrize("kappa", [4.0, 64.0])
def test_settle_steps_is_what_the_runner_measures(kappa):
    quadratic = objectives.ill_conditioned(kappa)
    lam, delta0 = eigen_start(quadratic)
    lr = np.linspace(0.1, 2.1, 21)[:, None] / kappa     # includes unstable rates
    steps = int(20 * kappa)
    run = alr.minimize(alr.SGD(lr=lr), quadratic, np.tile(quadratic.start, (21, 1)), steps)
    predicted = Q.settle_steps(lr, lam, delta0, 1e-6, steps)
    assert predicted.tolist() == run.settle_step(1e-6).tolist()
    # stable rates: the gap never grows, so the first visit is final
    stable = lr[:, 0] < 2 / kappa
    first = Q.steps_to_tolerance(lr, lam, delta0, 1e-6, steps)
    assert predicted[stable].tolist() == first[stable].tolist()


def test_settle_steps_differs_from_the_first_visit_for_an_unstable_rate():
    # the example of the dip: below 2e-3 at step 10, far above it by step 60
    lam, delta0 = np.array([1.0, 10.0]), np.array([1.0, 1e-4])
    assert int(Q.steps_to_tolerance(0.25, lam, delta0, 2e-3, 60)) == 10
    assert int(Q.settle_steps(0.25, lam, delta0, 2e-3, 60)) == -1
    # a short run ends inside the dip: it settles, at the first step of the dip
    gaps = Q.loss_gap(np.arange(13), 0.25, lam, delta0)
    assert gaps[12] <= 2e-3
    expected = 12 - np.argmax((gaps > 2e-3)[::-1]) + 1
    assert int(Q.settle_steps(0.25, lam, delta0, 2e-3, 12)) == expected
    # already inside at the start, and every direction contracting: 0
    assert int(Q.settle_steps(0.1, [1.0, 2.0], [1e-5, 0.0], 1e-6, 5)) == 0


def test_settle_steps_validates():
    with pytest.raises(ValueError, match="tolerance"):
        Q.settle_steps(0.1, [1.0, 2.0], [1.0, 1.0], -1.0, 10)
    with pytest.raises(ValueError, match="max_steps"):
        Q.settle_steps(0.1, [1.0, 2.0], [1.0, 1.0], 1e-6, -1)


# ------------------------------------------------------------------ the chapter's experiments


BOWL = objectives.ill_conditioned(25.0)


def test_eigen_start_and_closed_form_error():
    lam, delta0 = Q.eigen_start(BOWL)
    assert lam.tolist() == [1.0, 25.0]
    assert_allclose(np.abs(delta0), [4.0, 1.5])
    assert Q.closed_form_error(BOWL, 0.07, 50) < 1e-12


def test_factor_table_by_hand():
    table = Q.factor_table([0.04, 0.081], [1.0, 25.0])
    assert table.headers == ["ρ", "1 − ρ", "1 − 25ρ", "q(ρ)", "stable"]
    assert table.rows[0] == ["0.040", "0.960", "0.000", "0.960", "yes"]
    assert table.rows[1] == ["0.081", "0.919", "-1.025", "1.025", "no"]


def test_rate_runs_factors_and_distances():
    runs = Q.rate_runs(BOWL, [0.02, 0.081], steps=10)
    assert_allclose(runs.factors, [[0.98, 0.5], [0.919, -1.025]])
    # axis-aligned: each coordinate is multiplied by its own factor at every step
    assert_allclose(runs.distance(10), np.abs(runs.factors ** 10 * [-4.0, 1.5]), rtol=1e-12)
    table = runs.table(steps=(10,))
    assert [r[:2] for r in table.rows] == [["0.02", "θ₁"], ["0.02", "θ₂"],
                                           ["0.081", "θ₁"], ["0.081", "θ₂"]]


def test_rate_runs_spread_grows_past_the_ceiling_under_every_condition():
    spread = Q.rate_runs_spread(BOWL, [0.02, 0.081], steps=60, seeds=(0,))
    assert len(spread.conditions) == 4
    exact = spread.results[0]
    assert exact["ρ = 0.081, θ₂"] == pytest.approx(1.025 ** 60)
    assert exact["ρ = 0.02, θ₁"] == pytest.approx(0.98 ** 60)
    assert spread.verdict(lambda m: m["ρ = 0.081, θ₂"] > 1 > m["ρ = 0.081, θ₁"]) == "holds"


def test_kappa_sweep_matches_the_closed_form_and_best_rates():
    sweep = Q.kappa_sweep(kappas=(4.0, 16.0), multiples=np.linspace(0.2, 2.2, 11))
    assert sweep.agree and sweep.compared == 22
    for k in sweep.kappas:
        assert (sweep.measured[k][sweep.multiples > 2] == -1).all()   # past the ceiling
        assert sweep.diverged[k][sweep.multiples > 2.1].all()
    best = Q.best_rates(sweep, dense=np.linspace(0.05, 2.05, 201))
    assert_allclose(best.optimal, [2 * 4 / 5, 2 * 16 / 17])
    assert_allclose(best.rate, [3 / 5, 15 / 17])
    # at ρ* the loss gap is exactly q*^(2t) f0, so the guarantee is met with equality
    assert best.at_optimal.tolist() == best.guarantee.tolist()
    assert (best.fastest <= best.at_optimal).all()
    assert best.growth().shape == (1,)
    assert 0.8 < best.slope() < 1.3
    assert len(best.table().rows) == 2


def test_fastest_over_starts_is_near_but_below_the_optimum():
    ratios = Q.fastest_over_starts(kappa=64.0, seeds=(0, 1))
    assert ratios.shape == (3,)               # the standard start and two others
    assert ((ratios > 0.95) & (ratios <= 1.0)).all()


def test_per_coordinate_rates_land_exactly_only_by_accident():
    spread = Q.per_coordinate_spread(kappa=25.0, steps=10, seeds=(0,))
    exact = spread.results[0]
    assert exact["loss after 1 step"] == 0.0 and exact["exactly 0"] == 1.0
    perturbed = spread.values("loss after 1 step", "perturbed")
    assert (perturbed > 0).all() and (perturbed < 1e-20).all()
    assert (spread.values("median loss, steps 1–100", "noisy") > 1e-6).all()


def test_rotation_spread_gd_is_rotation_invariant_and_diagonal_rates_diverge():
    spread = Q.rotation_spread(kappa=25.0, seeds=(0,))
    assert spread.verdict(lambda m: m["GD settles, axis-aligned"]
                          == m["GD settles, turned 45°"]) == "holds"
    assert spread.results[0]["GD settles, axis-aligned"] == 110
    assert (spread.values("rates (1, 1/κ) diverge, turned") > 0).all()


def test_protocol_table_ranges_and_never():
    spread = Q.rotation_spread(kappa=25.0, steps=50, seeds=(0, 1))
    table = Q.protocol_table(spread, never=-1)
    assert table.headers == ["", "exact", "perturbed 1e-12", "noisy", "other starts"]
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows["GD settles, axis-aligned"] == ["never"] * 4   # 50 steps are too few
    assert Q._range([1.0, 3.0], "{:g}") == "1 … 3"
    assert Q._range([2.0, -1.0], "{:g}", never=-1) == "2 (1 never)"
    assert Q._range([np.nan, np.nan], "{:g}") == "NaN"


def test_applied_rates_read_off_the_run():
    rates = Q.applied_rates(alr.SGD(lr=0.07), BOWL, BOWL.start, steps=5)
    assert_allclose(rates, 0.07, rtol=1e-12)
    assert Q.rate_spread(rates) < 1e-12
    # AdaGrad's first step: ρ/(|g| + ε) per coordinate, g = (-4, 37.5) at the start
    ada = Q.applied_rates(alr.AdaGrad(lr=0.5), BOWL, BOWL.start, steps=1)
    assert_allclose(ada[0], [0.5 / 4, 0.5 / 37.5], rtol=1e-9)
    assert Q.rate_spread(ada) == pytest.approx(37.5 / 4 - 1, rel=1e-9)


def test_optimum_table_values():
    table = Q.optimum_table([2.0, 50.0])
    values = [row[-1] for row in table.rows]
    assert values[:2] == ["0.04", "0.03846"]
    assert values[3] == "0.9231"


def test_claim_1_predicate_on_a_small_experiment():
    spreads = Q.claim_1_spread(kappas=(4.0, 16.0), budget_per_kappa=25, seeds=(0,))
    holds = Q.claim_1_holds(spreads)
    assert holds.shape == (4,) and holds.all()
    exact = spreads[16.0].results[0]
    assert exact["GD: unequal rates"] < 1e-12 and exact["AdaGrad: unequal rates"] > 1
    assert exact["bracketed"] == 1.0 and exact["best ρ·λmax"] < 2.0
    assert (Q.claim_1_slopes(spreads) > 0.75).all()
    table = Q.claim_1_table(spreads)
    assert table.rows[-1][0].startswith("p in steps")


def test_claim_1_predicate_fails_when_one_rate_is_not_what_gradient_descent_uses():
    spreads = Q.claim_1_spread(kappas=(4.0, 16.0), budget_per_kappa=25, seeds=(0,),
                               noise=None, starts=0)
    # pretend gradient descent had applied unequal rates in the exact condition
    tampered = dict(spreads[4.0].results[0], **{"GD: unequal rates": 0.5})
    spreads[4.0] = Q.Spread(spreads[4.0].conditions,
                            (tampered,) + spreads[4.0].results[1:])
    assert Q.claim_1_holds(spreads).tolist() == [False, True]


def test_the_claim_is_declared():
    (claim,) = Q.CLAIMS
    assert claim.number == 1 and claim.chapter == "one-learning-rate"
    assert "동일한 학습률" in claim.korean and claim.verdict == "holds"


def test_glue_converts_numbers_and_refuses_other_values():
    assert Q.glue({"a": np.float64(0.5), "b": np.int64(3), "c": "holds",
                   "d": np.bool_(True)}) == {"a": 0.5, "b": 3, "c": "holds", "d": True}
    with pytest.raises(TypeError, match="numbers or strings"):
        Q.glue({"a": [1, 2]})


def test_power_of_ten():
    assert Q.power_of_ten(1e-6) == "10⁻⁶"
    assert Q.power_of_ten(100.0) == "10²"
    assert Q.power_of_ten(0.05) == "0.05"


def test_figures_are_panel_rows_of_png():
    runs = Q.rate_runs(BOWL, [0.02, 0.081], steps=30)
    sweep = Q.kappa_sweep(kappas=(4.0, 16.0), multiples=np.linspace(0.5, 2.1, 5))
    for row, n in [(Q.figure_rate_runs(runs, path_steps=10), 2),
                   (Q.figure_factors([1.0, 25.0]), 1),
                   (Q.figure_sweep(sweep, Q.best_rates(sweep, np.linspace(0.5, 2, 31))), 2)]:
        assert len(row.pngs) == n and all(p.startswith(b"\x89PNG") for p in row.pngs)
        assert all(alt for alt in row.alts)
