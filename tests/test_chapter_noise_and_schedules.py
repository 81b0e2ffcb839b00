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


# ------------------------------------------------------------------ the adaptive noise ball


def test_the_adaptive_floor_runs_from_the_limit_cycle_to_the_noise_ball():
    from adaptive_lr.chapters import rmsprop
    lam = [1.0, 10.0]
    # no noise: RMSProp's period-2 cycle, each coordinate at ±ρ/2
    assert_allclose(N.adaptive_noise_floor(0.01, lam, 0.0), rmsprop.limit_cycle_loss(0.01, lam))
    for tiny in (1e-6, 1e-9, 1e-12):
        assert_allclose(N.adaptive_noise_floor(0.01, lam, tiny),
                        rmsprop.limit_cycle_loss(0.01, lam), rtol=1e-3)
    # noise dominates: ρ s / 4 per direction, whatever the curvature
    assert_allclose(N.adaptive_noise_floor(1e-6, lam, 1.0), N.noise_ball_floor(1e-6, 1.0),
                    rtol=1e-4)
    # with momentum β₁ the small-ρ floor is the same, the deterministic limit much smaller
    assert_allclose(N.adaptive_noise_floor(1e-6, lam, 1.0, momentum=0.9),
                    N.noise_ball_floor(1e-6, 1.0), rtol=1e-4)
    assert_allclose(N.limit_cycle_floor(0.01, lam, 0.9),
                    N.limit_cycle_floor(0.01, lam) * (0.1 / 1.9) ** 2)
    floors = N.adaptive_noise_floor(0.01, lam, 1.0, 4.0 ** np.arange(6))
    assert np.all(np.diff(floors) < 0) and floors[-1] > N.limit_cycle_floor(0.01, lam)
    # one direction solved by hand: u = λη solves u² + k²u − 2k² = 0, k = λρ/(s√2)
    rho, l, s = 0.05, 2.0, 0.3
    k = l * rho / (s * np.sqrt(2))
    u = (-k * k + np.sqrt(k ** 4 + 8 * k * k)) / 2
    assert_allclose(N.adaptive_noise_floor(rho, [l], s), s * s * u / (2 * l * (2 - u)))


def test_the_adaptive_floor_is_what_rmsprop_and_adam_hover_at():
    for kind in ("RMSProp", "Adam"):
        floors = N.adaptive_floors(kind, [0.01], [1, 64], seeds=8, steps=3000, burn=1500)
        assert_allclose(floors.ratio, 1.0, atol=0.15), (kind, floors.ratio)


def test_the_floor_at_per_coordinate_rates_and_bad_input():
    lam = [1.0, 10.0]
    assert_allclose(N.floor_at_rates([0.05, 0.05], lam, 1.0, 4), N.sgd_noise_floor(0.05, lam, 1.0, 4))
    assert_allclose(N.floor_at_rates([0.1, 0.01], lam, 2.0),
                    0.1 * 4 / (2 * (2 - 0.1)) + 0.01 * 4 / (2 * (2 - 0.1)))
    assert N.floor_at_rates([0.1, 0.2], lam, 1.0) == np.inf
    with pytest.raises(ValueError, match="last axis"):
        N.floor_at_rates([0.1], lam, 1.0)


def test_batch_noise_gives_each_run_its_own_size_and_nothing_else():
    quad = alr.objectives.Quadratic(eigenvalues=(1.0, 10.0))
    noisy = N.BatchNoise(quad, [0.0, 1.0, 2.0], seed=3)
    theta = np.ones((3, 2))
    g, clean = noisy.grad(theta, 5), quad.grad(theta)
    assert_allclose(g[0], clean[0])
    assert_allclose(g[2] - clean[2], 2 * np.random.default_rng([3, 5]).standard_normal((3, 2))[2])
    assert_allclose(noisy.grad(theta, 5), g)                 # a pure function of the step
    assert not np.allclose(noisy.grad(theta, 6), g)
    assert_allclose(noisy.value(theta), quad.value(theta))
    with pytest.raises(ValueError, match="one run per sigma"):
        noisy.grad(np.ones((2, 2)))
    with pytest.raises(ValueError, match="sigma"):
        N.BatchNoise(quad, np.ones((2, 2)))


def test_sampled_minibatches_are_independent_draws_with_replacement():
    task = alr.data.sparse_logistic(n_samples=200, n_features=6, n_rare=2)
    sampler = N.SampledMinibatches(task, batch_size=5, seed=1)
    p = task.init(0)
    rows = np.random.default_rng([1, 7]).integers(0, task.X_train.shape[0], 5)
    assert_allclose(sampler.grad(p, 7), task.loss_and_grad(p, task.X_train[rows],
                                                           task.y_train[rows])[1])
    mean = np.mean([sampler.grad(p, t) for t in range(3000)], axis=0)
    full = task.loss_and_grad(p, task.X_train, task.y_train)[1]
    assert np.abs(mean - full).max() < 0.1 * np.abs(full).max() + 1e-3
    assert_allclose(sampler.value(p), task.loss(p, task.X_train, task.y_train))
    with pytest.raises(ValueError, match="batch_size"):
        N.SampledMinibatches(task, batch_size=10_000)


def test_the_digits_noise_model():
    noise = N.digits_noise()
    assert noise.eigenvalues.size == noise.optimum.size - 1       # the softmax's flat shift
    assert noise.dropped_noise < 1e-12 * noise.noise_trace
    assert np.all(noise.eigenvalues > 0) and np.all(noise.noise >= 0)
    # at the optimum the full gradient vanishes
    grad = noise.task.loss_and_grad(noise.optimum, noise.task.X_train, noise.task.y_train)[1]
    assert np.abs(grad).max() < 1e-6
    # small ρ: ρ tr Σ / (4B), whatever the curvatures; a finite run is below the limit
    assert_allclose(noise.floor(1e-4, 8), noise.small_rate_floor(1e-4, 8), rtol=1e-3)
    assert noise.floor(0.1, 8, steps=[100, 200]) < noise.floor(0.1, 8)
    assert noise.floor(2 / noise.eigenvalues.max(), 8) == np.inf


# ------------------------------------------------------------- AdaGrad and the regret


def test_regret_per_horizon_matches_a_brute_force_sum():
    rng = np.random.default_rng(0)
    z, xs = rng.standard_normal((30, 3)), rng.standard_normal((30, 3))
    regret, radius = N._regret_at(z, xs, [10, 30])
    for T, r, d in zip((10, 30), regret, radius):
        best = z[:T].mean(axis=0)
        expected = 0.5 * (((xs[:T] - z[:T]) ** 2).sum() - ((best - z[:T]) ** 2).sum())
        assert_allclose(r, expected)
        assert_allclose(d, np.abs(xs[:T] - best).max())


def test_regret_curves_stay_under_the_bound_and_rare_coordinates_cost_little():
    curves = N.regret_curves(steps=1000, seeds=(0, 1))
    assert np.all(curves.regret[0] <= curves.bound)
    assert np.all(curves.exponents(2)[1] > curves.exponents(2)[0])   # constant ρ: faster growth
    norms = curves.column_norms.mean(axis=0)
    assert norms[3] < norms[2] < norms[0]                              # rarer, smaller


def test_adagrads_loss_follows_the_floor_of_its_own_rates():
    result = N.adagrad_on_noise(lrs=(1.0,), steps=4000, checkpoints=(2000, 4000), seeds=8)
    assert_allclose(result.ratio, 1.0, atol=0.2)
    assert np.all(np.diff(result.rate_scaled, axis=1) > 0)


# ----------------------------------------------------------------- schedules and RAdam


def test_schedule_shapes_and_batched_schedules():
    shapes = N.schedule_shapes(100)
    assert set(shapes) == {"constant", "step decay", "1/√t", "cosine"}
    assert_allclose(shapes["step decay"][[0, 19, 20, 40]], [1, 1, 0.3, 0.09])
    assert_allclose(shapes["1/√t"][3], 1 / np.sqrt(4))                 # t₀ = 1 for 100 steps
    assert shapes["cosine"][0] == 1 and shapes["cosine"][-1] < 1e-3
    batched = N.batched_schedule(lambda r: alr.SGD(lr=r), np.array([[1.0, 0.5], [2.0, 1.0]]))
    assert len(batched) == 2 and batched[1].lr.shape == (2, 1)
    assert_allclose(batched[1].lr[:, 0], [0.5, 1.0])
    assert len(N.batched_schedule(lambda r: alr.SGD(lr=r), [0.1, 0.2])) == 2
    with pytest.raises(ValueError, match="shape"):
        N.batched_schedule(lambda r: alr.SGD(lr=r), np.ones((2, 2, 2)))


def test_radams_lengths_variances_and_rectification():
    assert_allclose(N.radam_length(1, 0.999), 1.0)
    assert_allclose(N.radam_length_limit(0.999), 1999)
    n = N.radam_length(np.arange(1, 8), 0.999)
    assert np.all(np.diff(n) > 0)
    q = N.rectification(np.arange(1, 8), 0.999)
    assert np.all(q[:5] == 0) and q[5] > 0                             # from step 6, ρ₆ ≈ 5.99
    assert N.rate_variance(2.0) == np.inf and np.isfinite(N.rate_variance(2.5))
    assert N.rate_variance_first_order(4.0) == np.inf
    # for large n the variance of 1/√v is about 1/(2n), and the approximation agrees
    assert_allclose(N.rate_variance(2000.0), 1 / 4000, rtol=2e-3)
    assert_allclose(N.rate_variance_first_order(2000.0), N.rate_variance(2000.0), rtol=5e-3)
    assert N.rate_variance_first_order(6.0) > 2 * N.rate_variance(6.0)
    assert_allclose(N.rate_variance(10.0, sigma=2.0), N.rate_variance(10.0) / 4)
    assert np.all(N.exact_rectification([1, 2], 0.999) == 0)
    assert_allclose(N.rectification(10 ** 6, 0.999), 1.0, rtol=1e-6)


def test_the_monte_carlo_variance_and_the_package_radam_agree_with_the_closed_forms():
    mc = N.rate_variance_monte_carlo(steps=20, draws=100_000)
    assert_allclose(mc.variance[2:] / mc.model[2:], 1.0, atol=0.06)
    assert mc.variance[0] > 1e3                                         # infinite: huge, unstable
    t, measured, closed = N.radam_factors(steps=200)
    assert t[0] == 6 and and_close(measured, closed)


def and_close(a, b):
    assert_allclose(a, b, rtol=0, atol=1e-9)
    return True


def test_early_travel_warm_up_and_radam_move_less_on_pure_noise():
    travel = N.early_travel(steps=50, draws=500)
    assert_allclose(travel.mean_step[0, 0], 1.0)                       # Adam's first step: ρ
    assert np.all(travel.rms[1:, -1] < travel.rms[0, -1])


# -------------------------------------------------------------------- widget and scrubber


def test_the_noise_panel_scrubber_and_widget():
    panel = N.NoisePanel(steps=200, seeds=2)
    lines = panel.update(0.03, 4, "cosine")
    assert lines[0].startswith("cosine schedule") and len(lines) == 4
    assert len(panel.pngs()) == 2
    with pytest.raises(ValueError, match="schedule"):
        panel.update(0.03, 4, "linear")
    lines = panel.update(5.0, 1, "constant")                           # SGD diverges
    assert any("diverged" in line for line in lines)
    box = N.noise_widget()
    assert len(box.children[2].children) == 2 and "error" not in box.children[1].value


def test_the_scrubber_has_one_frame_per_batch_size():
    scrubber = N.noise_scrubber(batch_sizes=(1, 64))
    assert len(scrubber.frames) == 2 and len(scrubber.frames[0]) == 2
    assert "closed-form floor" in scrubber.readouts[1]


# ------------------------------------------------------------------------------ verdicts

#: The verdicts the chapter states in its boxes.
STATED = {"noise-floor": "holds with a caveat", "snr": "holds with a caveat",
          "noise-ball": "holds", "hover": "holds with a caveat", "adagrad": "holds",
          "schedules": "holds with a caveat", "radam": "holds",
          "warmup": "holds with a caveat"}


@pytest.mark.parametrize("name", sorted(STATED))
def test_each_verdict_is_what_the_experiment_supports(name):
    assert N.VERDICTS[name]() == STATED[name]


def test_a_verdict_can_fail():
    good = N.floor_evidence()
    bad = dict(good, bowl=N.Floors("x", good["bowl"].lrs, good["bowl"].batch_sizes,
                                   2 * good["bowl"].measured, good["bowl"].predicted))
    assert N.verdict_floor(bad) == "fails"
    hover = N.hover_evidence()
    moved = N.Hover(hover.labels, hover.lrs, hover.conditions, hover.peak * 2, hover.mean,
                    hover.left)
    assert N.verdict_hover(moved) == "fails"


def test_the_chapter_has_a_box_for_every_verdict():
    import json
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "chapters" / "noise-and-schedules.ipynb"
    text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                     if c["cell_type"] == "markdown")
    for name, verdict in STATED.items():
        start = text.index(f":name: verdict-{name}")
        box = text[start:text.index(":::", start)]
        assert ":class: verdict" in text[start - 200:start]
        assert f"**Verdict: {verdict}.**" in box, name


def test_the_exercise_helpers():
    lam = [1.0, 10.0]
    # noise-dominated: about fourfold; at the cycle: impossible
    assert 3.5 < N.batch_factor_to_halve(0.01, lam, 1.0, 1) < 4.5
    assert N.batch_factor_to_halve(0.01, lam, 1.0, 4096) is None
    table, sums = N.robbins_monro_table((10, 100))
    assert_allclose(sums["1/(1+t)"][0], np.sum(1 / np.arange(1, 101)))
    assert_allclose(sums["step decay"][0], 100)            # one plateau of 1000 steps not reached
    assert len(table.rows) == 6
    _, onset = N.radam_onset_table((0.9, 0.999))
    assert onset[0.999][0] == 6 and onset[0.9][1] > onset[0.999][1]
    problem = N.OnlineQuadratic(center=np.zeros(2), active=np.array([1.0, 0.1]))
    result = N.online_regret(alr.AdaGrad(lr=1.0), problem, 200)
    parts = N.bound_parts(result, problem)
    assert parts["column-sum"] <= parts["dense"] + 1e-12                 # Cauchy–Schwarz
    assert_allclose(parts["radius"] ** 2 / 2 + 1, (result.bound / parts["column-sum"]))
