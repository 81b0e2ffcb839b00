"""Tests of adaptive_lr.chapters.adam: closed forms against the optimizers, hand computations,
and the verdicts the Adam chapter states (on reduced but equivalent experiments)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import memory, objectives, runs
from adaptive_lr.trace import trace
from adaptive_lr.chapters import adam as moments
from adaptive_lr.chapters import momentum
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


# ------------------------------------------------- library pieces the chapter relies on


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


def test_steps_until():
    sizes = np.array([[0.1, 0.1], [0.3, 0.1], [0.6, 0.2]])
    assert runs.steps_to(np.arange(1, len(sizes) + 1), sizes, 0.5,
                         side="above").tolist() == [3, -1]
    stays = np.array([[0.9, 0.9, 0.1, 0.9], [0.1, 0.9, 0.9, 0.9], [0.6, 0.6, 0.2, 0.9],
                      [0.7, 0.6, 0.7, 0.2]])
    assert runs.settle_step(np.arange(1, len(stays) + 1), stays, 0.5,
                            side="above").tolist() == [3, 1, 4, -1]


# ----------------------------------------------------------- expanded equations


def test_explicit_moments_by_hand_and_against_the_optimizer():
    grads = np.array([[2.0], [1.0]])
    sums = moments.explicit_moments(grads, (0.9, 0.999))
    assert_allclose(sums.m[:, 0], [0.2, 0.28])
    assert_allclose(sums.v[:, 0], [0.004, 0.004996])
    assert_allclose(sums.m_hat[:, 0], [2.0, 0.28 / 0.19])
    assert_allclose(sums.v_hat[:, 0], [4.0, 0.004996 / 0.001999])
    g = random_grads((60, 3), seed=3)
    sums = moments.explicit_moments(g, (0.8, 0.99))
    opt = alr.Adam(lr=0.1, betas=(0.8, 0.99))
    theta, state = np.zeros(3), opt.init(np.zeros(3))
    for t in range(60):
        theta, state = opt.step(theta, g[t], state)
        assert_allclose(sums.m[t], state.m, rtol=1e-12)
        assert_allclose(sums.v[t], state.v, rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        moments.explicit_moments(np.zeros((0, 2)))


def test_effective_rate_is_the_optimizers():
    g = random_grads((30, 2), seed=4)
    opt = alr.Adam(lr=0.05, betas=(0.9, 0.99), eps=1e-6)
    state = trace(opt, g).state
    assert_allclose(moments.effective_rate(state.v, 30, 0.05, (0.9, 0.99), 1e-6),
                    opt.effective_lr(state), rtol=1e-12)
    with pytest.raises(ValueError, match="from 1"):
        moments.effective_rate(1.0, 0)


def test_expansion_check_finds_agreement_and_disagreement():
    table = moments.expansion_check(random_grads((40, 3), seed=5))
    assert [row[0] for row in table.rows] == ["m (line 5)", "v (line 5)", "ΔΘ (line 6)"]
    assert all(float(row[1]) < 1e-12 for row in table.rows)
    assert moments._relative([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert moments._relative([0.0], [0.0]) == 0.0


def test_first_step_table_values():
    table = moments.first_step_table(3.0, (0.9, 0.99, 0.999))
    rows = [[float(x) for x in row] for row in table.rows]
    assert_allclose([r[1] for r in rows], [10 ** 0.5, 10.0, 1000 ** 0.5], rtol=1e-3)
    assert_allclose([r[2] for r in rows], 1.0)
    assert_allclose([r[3] for r in rows], [0.1 / 0.1 ** 0.5, 1.0, 0.1 / 0.001 ** 0.5],
                    rtol=1e-3)


def test_constant_gradient_curves():
    t, sizes, worst = moments.constant_gradient_curves(3000)
    assert worst < 1e-10 and t[0] == 1 and t[-1] == 3000
    raw = sizes["Adam without correction"]
    assert int(raw.argmax()) + 1 == 12 and raw.max() == pytest.approx(6.5685, rel=1e-4)
    assert_allclose(sizes["Adam"], 1.0)
    assert sizes["RMSProp (α=0.999)"][0] == pytest.approx(1000 ** 0.5)


def test_beta1_zero_check():
    same, plain, table = moments.beta1_zero_check(random_grads(seed=6), beta2=0.99)
    assert same < 1e-14 and plain < 1e-12
    for row in table.rows:
        t = int(row[0])
        assert_allclose([float(x) for x in row[1:]], math.sqrt(1 - 0.99 ** t), rtol=1e-3)


# ------------------------------------------------------- problem 1: sensitivity


def test_sensitivity_counts_match_direct_runs():
    bowl = objectives.ill_conditioned(10.0)
    rhos = np.array([1e-3, 1e-2, 0.1, 1.0, 30.0])
    methods = {"RMSProp": lambda lr: alr.RMSProp(lr=lr, alpha=0.99),
               "Adam": lambda lr: alr.Adam(lr=lr)}
    result = moments.sensitivity(methods, {"bowl": bowl, "saddle-free": bowl}, rhos,
                                 steps=300, tol=1e-3, seeds=(0,), noise=None, starts=0.0)
    assert result.kinds == ["exact", "perturbed"]
    assert result.settles.shape == (2, 2, 2, 5)
    for i, make in enumerate(methods.values()):
        run = alr.minimize(make(rhos[:, None]), bowl, np.tile(bowl.start, (5, 1)), 300)
        assert_allclose(result.settles[i, 0, 0], run.settle_step(1e-3) >= 0)
        assert_allclose(result.final_gap[i, 0], run.final_loss)
    assert_allclose(result.counts(), result.settles.sum(axis=-1))
    assert_allclose(result.common(), result.settles.all(axis=1).sum(axis=-1))
    assert result.spread("Adam").shape == (2, 2)
    table = result.table()
    assert table.headers == ["method", "objective", "exact", "perturbed"]
    assert [r[1] for r in table.rows[:3]] == ["bowl", "saddle-free", "all at once"]
    with pytest.raises(ValueError, match="at least 3"):
        moments.sensitivity(methods, {"bowl": bowl}, [0.1, 1.0])


def test_sensitivity_band_is_bracketed_only_inside_the_grid():
    settles = np.zeros((1, 1, 1, 5), dtype=bool)
    settles[..., 1:3] = True
    s = moments.Sensitivity(np.arange(1.0, 6.0), ["m"], ["o"], ["exact"], settles,
                            np.zeros((1, 1, 5)))
    assert s.bracketed().all()
    settles[..., -1] = True
    assert not s.bracketed().any()


# --------------------------------------------------- problem 2: the diagonal valley


VALLEY = objectives.Quadratic(eigenvalues=(1.0, 100.0), angle=np.pi / 4)


@pytest.fixture(scope="module")
def race():
    return moments.valley_race(VALLEY, moments.valley_contenders(), steps=3000, tol=1e-6)


def test_sign_changes_and_eigen_components():
    assert moments.sign_changes([1.0, -1.0, 2.0, 3.0, -0.5]) == 3
    assert moments.sign_changes([1.0, 0.0, -1.0]) == 0  # a zero is no crossing
    eig = moments.eigen_components(VALLEY, VALLEY.start)
    assert_allclose(np.abs(eig), [4.0, 1.5])  # the start is (−4, 1.5) in the valley's basis
    assert_allclose(moments.eigen_components(objectives.Noisy(VALLEY, 1.0), VALLEY.start), eig)
    with pytest.raises(TypeError, match="Quadratic"):
        moments.eigen_components(objectives.Rosenbrock(), np.zeros(2))


def test_race_diagnostics_are_exact_for_gradient_descent(race):
    gd = race["GD"]
    h = gd.best.value
    # one fixed rate: the shallow component shrinks by exactly 1 − h λ_min per step
    assert gd.measured == pytest.approx(1 - h, rel=1e-9)
    assert gd.predicted == pytest.approx(float(momentum.convergence_rate(h, 0.0, [1.0, 100.0])))
    assert gd.rate_ratio == 1.0 and gd.h_lmax == pytest.approx(100 * h)
    assert gd.flips == 60  # h λ_max > 1: the steep component flips at every step
    assert gd.settled.shape == (31,)


def test_valley_verdicts(race):
    """The chapter's mechanism: tuned on bracketing grids, the methods without momentum
    never zig-zag, are nearly isotropic, and are at least three times slower than their
    momentum twins; the linear model predicts their shallow factor."""
    assert all(e.best is not None and e.best.bracketed for e in race.values())
    for name in ("RMSProp", "Adam, β₁ = 0"):
        e = race[name]
        assert e.flips == 0 and 0.85 < e.rate_ratio < 1.0 and e.h_lmax < 1.0
        assert e.measured == pytest.approx(e.predicted, abs=5e-4)
    for name in ("heavy ball μ=0.9", "RMSProp + momentum 0.9", "Adam"):
        assert race[name].flips >= 8
        assert race[name].measured == pytest.approx(0.9 ** 0.5, abs=0.015)
    assert 3 * race["Adam"].best.score <= race["Adam, β₁ = 0"].best.score
    assert 3 * race["RMSProp + momentum 0.9"].best.score <= race["RMSProp"].best.score
    assert race["GD"].best.score < race["RMSProp"].best.score
    table = moments.race_table(race)
    assert [r[0] for r in table.rows] == list(race)


def test_the_momentum_gain_shrinks_under_noise():
    contenders = [c for c in moments.valley_contenders() if c.name.startswith("Adam")]
    noisy = moments.race_spread(VALLEY, contenders, tol=1e-2, seeds=(0,), noise=0.01,
                                perturbation=0.0, starts=0.0)
    assert [c.kind for c in noisy.conditions] == ["exact", "noisy"]
    gain = moments.momentum_gain(noisy, "Adam, β₁ = 0", "Adam")
    assert gain[0] > 3 and gain[1] < 2
    table = moments.spread_by_method(noisy, ["Adam"], "settles")
    assert table.headers == ["method", "exact", "noisy"]


def test_long_horizon_gd_stays_and_rmsprop_leaves(race):
    contenders = [c for c in moments.valley_contenders() if c.name in ("GD", "RMSProp")]
    horizon = moments.long_horizon(VALLEY, race, contenders, steps=4000)
    assert horizon.left["GD"] == -1
    assert 3000 < horizon.left["RMSProp"] < 4000
    assert horizon.h_max["RMSProp"] > 2.0 > horizon.h_max["GD"]
    assert [r[3] for r in horizon.table().rows][0] == "stays"


# ------------------------------------------------- problem 3 and the page


def test_steady_step_table():
    rows = moments.steady_step_table((1.0, 1e-8), eps=1e-8).rows
    assert [float(r[2]) for r in rows] == pytest.approx([1.0, 0.5], rel=1e-6)


def test_drop_experiment_matches_the_closed_form():
    drop = moments.drop_experiment(history=2000, after=3000, drop=100.0)
    for name in ("RMSProp (α=0.9)", "RMSProp (α=0.99)"):
        assert drop.back[name] == drop.closed[name]
    assert drop.back["AdaGrad"] == -1 and drop.closed["AdaGrad"] is None
    assert drop.sizes["AdaGrad"][-1] == pytest.approx(0.01 / math.sqrt(2000), rel=1e-3)
    assert drop.drop == 100.0 and drop.n[-1] == 3000
    assert drop.table(at=(10, 100)).headers[-1] == "step / ρ at n = 100"


def test_glue_and_span():
    assert moments.glue is alr.tables.glue  # the library's one helper, re-exported
    assert moments.span([3.0, 3.0]) == "3"
    assert moments.span([1.0, np.nan, 2.5]) == "1 … 2.5"
    assert moments.span([np.nan]) == "—"
    assert [moments.verdict(h) for h in ([True, True], [False], [True, False])] == \
        ["holds", "fails", "flips"]
    with pytest.raises(ValueError, match="at least one"):
        moments.verdict([])


def test_figures_have_one_panel_and_alt_text_each(race):
    t, sizes, _ = moments.constant_gradient_curves(50)
    assert len(moments.figure_constant_gradient(t, sizes).pngs) == 1
    row = moments.figure_race(race, VALLEY, paths=["RMSProp", "Adam"])
    assert len(row.pngs) == len(row.alts) == 3 and "RMSProp, Adam" in row.alts[0]
    drop = moments.drop_experiment(history=100, after=200, drop=10.0)
    assert len(moments.figure_drop(drop).pngs) == 1
    s = moments.Sensitivity(np.array([0.1, 1.0, 10.0]), ["m"], ["o", "p"], ["exact"],
                            np.zeros((1, 2, 1, 3), bool), np.ones((1, 2, 3)))
    assert len(moments.figure_sensitivity(s, 1e-3).alts) == 2
