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


# ------------------------------------------------------------------ more closed forms


@pytest.mark.parametrize("mu, nesterov", [(mu, n) for mu in (0.0, 0.3, 0.9, 0.99)
                                           for n in (False, True)])
def test_the_ceiling_is_where_the_rate_reaches_one(mu, nesterov):
    lam = np.array([1.0, 40.0])
    top = float(M.stable_lr_bound(mu, lam, nesterov))
    assert float(M.convergence_rate(top * (1 - 1e-6), mu, lam, nesterov)) < 1
    assert float(M.convergence_rate(top * (1 + 1e-6), mu, lam, nesterov)) > 1


def test_ceilings_by_hand():
    assert_allclose(M.stable_lr_bound(0.5, [1.0, 4.0]), 3 / 4)
    assert_allclose(M.stable_lr_bound(0.5, [1.0, 4.0], nesterov=True), 1.5 / 4)
    assert_allclose(M.stable_lr_bound(0.0, [2.0]), 1.0)
    assert_allclose(M.critical_products(0.25), [0.25, 2.25])


def test_regimes_change_at_the_critical_products():
    mu = 0.49                                  # √μ = 0.7: critical at ρλ = 0.09 and 2.89
    lo, hi = M.critical_products(mu)
    assert_allclose([lo, hi], [0.09, 2.89])
    lam = np.array([1.0])
    kinds = [str(M.regime(h, mu, lam)[0]) for h in (0.05, lo, 1.0, hi, 2.95, 3.1)]
    assert kinds == ["overdamped", "critical", "underdamped", "critical", "flips sign",
                     "unstable"]
    # complex roots have the modulus √μ whatever ρλ
    assert_allclose(M.root_moduli(1.0, mu, lam)[0], [0.7, 0.7])


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1000.0])
def test_nesterovs_optimum_minimizes_its_rate(kappa):
    lam = np.array([1.0, kappa])
    rho, mu = M.optimal_nesterov(lam)
    best = float(M.convergence_rate(rho, mu, lam, nesterov=True))
    # a double root: the square root of a rounded discriminant costs about 1e-8
    assert best == pytest.approx(float(M.nesterov_rate_at_optimum(kappa)), rel=1e-7)
    rhos = np.geomspace(0.3, 2.5, 300) / kappa
    mus = np.linspace(0.0, 0.999, 300)
    grid = M.convergence_rate(rhos[:, None], mus[None, :], lam, nesterov=True)
    assert best <= grid.min() + 1e-9
    # and it is worse than heavy ball's best, better than gradient descent's
    assert float(M.heavy_ball_rate_at_optimum(kappa)) < best < (kappa - 1) / (kappa + 1)


def test_gradient_weights_are_what_the_optimizer_applies():
    """Replay one unit impulse at a time: the step's response is that gradient's weight."""
    mu, steps = 0.8, 6
    for nesterov in (False, True):
        weights = M.gradient_weights(mu, steps, nesterov)
        for k in range(steps):
            impulse = np.zeros((steps, 1))
            impulse[k] = 1.0
            tr = alr.trace.trace(alr.SGD(lr=0.5, momentum=mu, nesterov=nesterov), impulse)
            assert -tr.deltas[-1, 0] / 0.5 == pytest.approx(weights[k], rel=1e-12)
    heavy = M.gradient_weights(mu, 200)
    assert heavy.sum() == pytest.approx((1 - mu ** 200) / (1 - mu))
    assert M.gradient_weights(mu, 200, True).sum() == pytest.approx(1 / (1 - mu), rel=1e-9)


def test_effective_step_by_hand_and_from_the_trace():
    assert_allclose(M.effective_step(0.1, 0.9), 1.0)
    assert_allclose(M.effective_step(1.0, 0.5, [1, 2, 3]), [1.0, 1.5, 1.75])
    table = M.velocity_table(lr=0.1, momentum=0.9, steps=(1, 2, 10))
    assert [row[1] for row in table.rows] == ["1.0000", "1.9000", "6.5132", ""]
    assert table.rows[-1][2] == "10.0000"


def test_noise_floor_closed_forms_agree():
    rho, lam, sigma = 0.05, 3.0, 0.7
    gd = 0.5 * lam * sigma ** 2 * rho ** 2 / (1 - (1 - rho * lam) ** 2)
    assert float(M.noise_floor(rho, 0.0, [lam], sigma)) == pytest.approx(gd)
    for mu in (0.0, 0.5, 0.95):
        assert float(M.noise_floor(rho, mu, [lam], sigma)) == pytest.approx(
            float(M.heavy_ball_noise_floor(rho, mu, lam, sigma)), rel=1e-10)
    # at a fixed ρ the floor grows like 1/(1 − μ) for small ρλ
    small = M.heavy_ball_noise_floor(1e-4, np.array([0.0, 0.9]), 1.0, 1.0)
    assert small[1] / small[0] == pytest.approx(10.0, rel=1e-3)
    assert np.isinf(M.noise_floor(1.0, 0.5, [4.0], 1.0))
    assert M.noise_floor(np.array([0.01, 0.02]), 0.5, [1.0, 10.0], 1.0).shape == (2,)


@pytest.mark.parametrize("nesterov", [False, True])
def test_noise_floor_is_what_noisy_runs_show(nesterov):
    lam, rho, mu, sigma = (1.0, 10.0), 0.02, 0.7, 1.0
    objective = M.noisy_quadratic(lam, sigma, seed=3)
    run = alr.minimize(alr.SGD(lr=rho, momentum=mu, nesterov=nesterov), objective,
                       np.zeros((64, 2)), 3000, record_every=10)
    measured = run.losses[run.steps > 1000].mean()
    assert measured == pytest.approx(float(M.noise_floor(rho, mu, lam, sigma, nesterov)),
                                     rel=0.08)


def test_measured_rate_divides_out_a_double_root():
    q, t = 0.9, np.arange(200)
    plain, double = q ** t, t * q ** t
    assert M.measured_rate(plain, 10, 150) == pytest.approx(q)
    assert M.measured_rate(double, 10, 150, double_root=True) == pytest.approx(q)
    assert M.measured_rate(double, 10, 150) > q
    with pytest.raises(ValueError, match="first < last"):
        M.measured_rate(plain, 150, 10)


def test_fixed_momentum_cannot_beat_root_mu():
    for mu in (0.5, 0.9):
        best, _ = M.fixed_momentum_best(mu, [1.0, 100.0])
        assert best >= np.sqrt(mu) - 1e-12
        assert float(M.fixed_momentum_floor(mu)) == pytest.approx(np.sqrt(mu))
    # Polyak's μ* reaches its own floor exactly
    lam = np.array([1.0, 100.0])
    rho, mu = M.optimal_heavy_ball(lam)
    assert float(M.convergence_rate(rho, mu, lam)) == pytest.approx(np.sqrt(mu))


def test_sutskevers_form_is_pytorchs_with_a_change_of_variable():
    bowl = alr.objectives.rotated(50.0)
    ours = alr.minimize(alr.SGD(lr=0.015, momentum=0.85, nesterov=True), bowl, bowl.start,
                        40)
    assert_allclose(M.sutskever_nesterov(bowl, 0.015, 0.85, 40), ours.thetas, atol=1e-12)


# ------------------------------------------------------------------ tuning and tables


def test_tuned_finds_the_best_cell_and_checks_bracketing():
    inf = np.inf
    lrs, mus = np.array([0.1, 0.2, 0.3]), np.array([0.0, 0.5, 0.9])
    t = M.Tuned("x", mus, lrs, np.array([[9.0, 8, inf], [7, 3, 5], [inf, 6, 4]]))
    assert (t.best_steps, t.best_lr, t.best_momentum, t.bracketed) == (3.0, 0.2, 0.5, True)
    edge = M.Tuned("x", mus, lrs, np.array([[9.0, 8, inf], [7, 5, 3], [inf, 6, 4]]))
    assert not edge.bracketed                            # best ρ at the grid's end
    at_zero = M.Tuned("x", mus, lrs, np.array([[9.0, 2, inf], [7, 5, 3], [inf, 6, 4]]))
    assert at_zero.bracketed                             # μ = 0 ends momentum, not the grid
    never = M.Tuned("x", mus[:1], lrs, np.full((1, 3), inf))
    assert not never.bracketed and never.best_steps == inf
    assert M.value_range([3.0, inf, 5.0], "{:.0f}") == "3 … 5 (1 never)"
    assert M.value_range([inf]) == "never"


def test_glue_converts_numbers_and_refuses_objects():
    out = M.glue({"a": np.float64(1.5), "b": np.int64(3), "c": np.True_, "d": "x",
                  "z": np.array(2.5)})
    assert out == {"a": 1.5, "b": 3, "c": True, "d": "x", "z": 2.5}
    assert type(out["a"]) is float and type(out["b"]) is int
    with pytest.raises(TypeError, match="numbers or strings"):
        M.glue({"e": [1, 2]})
    with pytest.raises(TypeError, match="numbers or strings"):
        M.glue({"f": np.array([1.0, 2.0])})


def test_roots_table_reads_like_the_closed_form():
    lam = [1.0, 100.0]
    rho, mu = (float(v) for v in M.optimal_heavy_ball(lam))
    table = M.roots_table(rho, mu, lam)
    assert [row[4] for row in table.rows] == ["critical", "critical"]
    assert table.rows[0][2] == f"{9 / 11:.4g}"
    nest = M.roots_table(0.01, 0.9, lam, nesterov=True)
    assert len(nest.headers) == 5


def test_widget_optimizers_leave_nesterov_out_without_momentum():
    assert [o.name for o in M.widget_optimizers(0.01, 0.0, 100.0)] == ["GD", "heavy ball"]
    three = M.widget_optimizers(0.01, 0.9, 100.0)
    assert [o.name for o in three] == ["GD", "heavy ball", "Nesterov"] and three[2].nesterov
    assert M.widget_valley(0.01, 0.9, 100.0) is M.widget_valley(0.5, 0.0, kappa=100.0)
    assert M.widget_valley(kappa=10.0).condition_number == pytest.approx(10.0)


def test_damping_scrubber_frames_and_readouts():
    scrub = M.DampingScrub(kappa=25.0, steps=40)
    text = scrub.update(0.64)                          # (1 − √0.64)² = 0.04 = ρλmin
    assert text[0].startswith("along the valley: critical, rate 0.800")
    assert "underdamped" in scrub.update(0.9)[0]
    s = M.damping_scrubber(momenta=(0.0, 0.64), steps=30, initial=1)
    assert len(s.frames) == 2 and len(s.frames[0]) == 2
    assert "critical" in s.readouts[1]


# ------------------------------------------------------------------ the chapter's verdicts


@pytest.fixture(scope="module")
def race():
    return M.kappa_race(seeds=(0,))


def test_kappa_becomes_root_kappa_except_under_noise(race):
    kinds = [c.kind for c in race.spreads[race.kappas[0]].conditions]
    holds = race.holds()
    assert all(h == (k != "noisy") for h, k in zip(holds, kinds))
    assert race.verdict() == "flips"
    assert race.verdict("faster") == "holds"
    exact = [i for i, k in enumerate(kinds) if k == "exact"]
    assert 0.8 <= race.slopes("GD")[exact][0] <= 1.1
    assert 0.4 <= race.slopes("heavy ball")[exact][0] <= 0.6


def test_polyaks_tuning_is_what_the_runs_show(race):
    for kappa in race.kappas:
        run = M.polyak_run(kappa)
        # the two-point tail measure, corrected for the double root's factor t, is within
        # a few tenths of a per cent (its other term, A in (A + Bt)qᵗ, is left in)
        assert run["rate"] == pytest.approx(float(M.heavy_ball_rate_at_optimum(kappa)),
                                            rel=3e-3)
    table = M.polyak_table(race)
    assert len(table.rows) == len(race.kappas)


def test_rmsprops_valley_is_gradient_descent_at_its_ceiling():
    mechanism = M.valley_mechanism()
    assert M.mechanism_holds(mechanism)
    p = M.mechanism_exponents(mechanism)
    assert p["RMSProp"] >= 0.9 and p["RMSProp + momentum"] <= 0.5
    spread = M.mechanism_spread(seeds=(0,))
    for kind in ("exact", "perturbed", "start"):
        edge = spread.values("RMSProp: edge", kind)
        assert np.all(np.abs(edge - 2) < 0.02)
    # under noise the floor never gets to 10⁻², so no floor factor is measured
    assert np.isnan(spread.values("RMSProp: floor factor", "noisy")).all()
    assert np.all(np.abs(spread.values("RMSProp: rate ratio") - 1) < 0.05)


def test_valley_race_momentum_helps_rmsprop_as_it_helps_gd():
    spread = M.valley_spread(seeds=(0,))
    assert M.valley_holds(spread).all()


def test_overshoot_holds_and_speed_flips_under_noise():
    spread = M.overshoot_spread(seeds=(0,))
    kinds = np.array([c.kind for c in spread.conditions])
    assert M.overshoot_holds(spread).all()
    assert (M.overshoot_faster(spread) == (kinds != "noisy")).all()


def test_stability_map_matches_the_closed_form():
    result = M.stability_map()
    for method in ("heavy ball", "Nesterov"):
        assert result.agrees(method)
        first = result.first_unstable(method)
        ceiling = result.ceiling(method)
        step = result.multiples[1] / result.multiples[0]
        ok = np.isfinite(first)
        assert np.all((first[ok] >= ceiling[ok] / step ** 2) & (first[ok] <= ceiling[ok] * step))
    steps, where = result.best_per_momentum("heavy ball")
    assert np.nanmin(steps) < steps[0]                 # momentum beats μ = 0
    assert 0 < result.share_settled("heavy ball") < 1


def test_noise_floors_and_the_shrinking_speedup():
    floors = M.noise_floors(seeds=(0, 1), steps=10000)
    for series in floors.lrs:
        ratio = floors.measured[series].mean(axis=0)[:3] / floors.predicted[series][:3]
        assert np.all(np.abs(ratio - 1) < 0.2)
    fixed = floors.predicted["fixed ρ"]
    assert fixed[2] / fixed[0] == pytest.approx(10, rel=0.05)
    assert np.allclose(floors.predicted["fixed ρ/(1−μ)"], fixed[0], rtol=0.05)
    sp = M.noisy_speedups(seeds=(0,))
    high, low = max(sp), min(sp)
    assert np.all(sp[high]["GD"] / sp[high]["heavy ball"] >
                  sp[low]["GD"] / sp[low]["heavy ball"])
    assert all(r["bracketed"].all() for r in sp.values())
