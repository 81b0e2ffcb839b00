"""Tests of adaptive_lr.chapters.adam_variants: AdaDelta's units, expansions and ε, AMSGrad's
online counter-example and spike, AdamW's two conventions, and the chapter's verdicts (on
reduced but equivalent experiments)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import objectives
from adaptive_lr.chapters import adam as adam_chapter
from adaptive_lr.chapters import adam_variants as moments
from adaptive_lr.trace import trace


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


# ------------------------------------------------------------------ AdaDelta


def test_source_excerpt():
    text = moments.source_excerpt(alr.AdaDelta.step, "line 5", "line 7")
    lines = text.splitlines()
    assert lines[0].strip().startswith("# line 5") and lines[-1].strip().startswith("# line 7")
    assert moments.source_excerpt(alr.AdaDelta.step).startswith("def step")
    with pytest.raises(ValueError, match="no line"):
        moments.source_excerpt(alr.AdaDelta.step, "no such text")


def test_explicit_adadelta_by_hand_and_against_the_optimizer():
    sums = moments.explicit_adadelta(np.ones((2, 1)), rho=0.9, eps=1e-6)
    d1 = -math.sqrt(1e-6) / math.sqrt(0.1 + 1e-6)
    u1 = 0.1 * d1 ** 2
    d2 = -math.sqrt(u1 + 1e-6) / math.sqrt(0.19 + 1e-6)
    assert_allclose(sums.r[:, 0], [0.1, 0.19])
    assert_allclose(sums.deltas[:, 0], [d1, d2], rtol=1e-12)
    assert_allclose(sums.u[:, 0], [u1, 0.9 * u1 + 0.1 * d2 ** 2], rtol=1e-12)
    table = moments.adadelta_check(np.random.default_rng(1).standard_normal((40, 3)), 0.95)
    assert all(float(row[1]) < 1e-12 for row in table.rows)
    with pytest.raises(ValueError, match="shape"):
        moments.explicit_adadelta(np.zeros((0, 1)))


def test_unit_ratio_table():
    table = moments.unit_ratio_table([alr.SGD(lr=0.01), alr.AdaDelta()],
                                     objectives.ill_conditioned(10.0), cs=(10.0,), warmup=50)
    assert table.headers == ["optimizer", "ΔΦ/(cΔΘ), c = 10", "predicted"]
    assert table.rows[0] == ["SGD", "0.01, 0.01", "0.01"]
    assert table.rows[1][2] == "1"


def test_eps_floor_has_the_two_sides_of_a_learning_rate():
    eps = np.array([1e-10, 1e-8, 1e-4, 1e-2])
    reach, floor = moments.eps_floor(VALLEY, eps, steps=6000, tail=500, tol=1e-2)
    assert reach[0] == -1 or reach[0] > reach[1] > 0   # small ε: slow to arrive
    assert floor[3] > floor[2] > floor[1]                # large ε: hovers far
    with pytest.raises(ValueError, match="tail"):
        moments.eps_floor(VALLEY, eps, steps=10, tail=20)


def test_eps_tradeoff_verdict():
    """The chapter's verdict on a reduced protocol: an interior best ε, and a factor of 100
    either way costs at least ten times the final gap."""
    spread = moments.eps_tradeoff(VALLEY, np.logspace(-12, 0, 25), steps=10_000,
                                  seeds=(0,), noise=None, starts=0.0)
    assert [c.kind for c in spread.conditions] == ["exact", "perturbed"]
    assert spread.verdict(lambda m: m["bracketed"] == 1 and m["floor ×100"] > 10 * m["floor"]
                          and m["floor ÷100"] > 10 * m["floor"]) == "holds"
    assert spread.values("best ε")[0] == pytest.approx(10 ** -8.5)


# ------------------------------------------------------------------ AMSGrad


VALLEY = objectives.Quadratic(eigenvalues=(1.0, 100.0), angle=np.pi / 4)


def test_online_noise_is_seeded_and_gradient_scale():
    p = moments.OnlineCounterexample(3.0)
    assert p.gradient_scale() == pytest.approx(math.sqrt(11 / 3))
    opt = alr.Adam(lr=0.01)
    a = moments.run_online(opt, p, 50, noise=0.5, seed=1)
    b = moments.run_online(opt, p, 50, noise=0.5, seed=1)
    c = moments.run_online(opt, p, 50, noise=0.5, seed=2)
    assert_allclose(a.xs, b.xs) and not np.allclose(a.xs, c.xs)
    assert moments.run_online(opt, p, 5, x0=0.5).xs[0] == 0.5


def test_online_spread_verdict_and_table():
    p = moments.OnlineCounterexample(3.0)
    short = (0.0, 1 / (1 + p.C ** 2))
    spread = moments.online_spread({"Adam": alr.Adam(lr=0.01, betas=short),
                                    "AMSGrad": alr.Adam(lr=0.01, betas=short, amsgrad=True)},
                                   p, 3000, seeds=(0,), noise=0.1, starts=(0.5,))
    assert [c.kind for c in spread.conditions] == ["exact", "perturbed", "noisy", "start"]
    assert spread.verdict(lambda m: m["Adam final"] > 0.9 and m["AMSGrad final"] < -0.9) \
        == "holds"
    online = {"Adam": moments.run_online(alr.Adam(lr=0.01, betas=short), p, 300)}
    row = moments.online_table(online, p).rows[0]
    assert row[0] == "Adam" and row[-1].startswith("0.0033, 0.0076")


def test_spike_experiment():
    spike = moments.spike_experiment(1000.0, before=100, after=8000, beta2=0.999)
    assert spike.back["AMSGrad"] == -1
    assert abs(spike.back["Adam"] - spike.closed) <= 5
    d = math.sqrt(1 + 0.001 * (1000.0 ** 2 - 1))
    assert spike.sizes["AMSGrad"][-1] == pytest.approx(1 / d, rel=2e-3)
    assert spike.sizes["Adam"][-1] > 0.8 > 0.1 > spike.sizes["AMSGrad"][-1]


# ------------------------------------------------------------------ AdamW


def test_decay_experiment_and_spread_verdict():
    runs = moments.decay_experiment((0.01, 1.0, 100.0), lr=0.01, weight_decay=0.1,
                                    steps=1000)
    assert set(runs) == {"Adam + L2", "AdamW"}
    assert np.ptp(runs["AdamW"].final_theta) < 1e-7
    spread = moments.decay_spread(steps=1000, seeds=(0,), noise=0.01, starts=0.0)
    assert spread.verdict(lambda m: m["Adam + L2 ratio"] > 1.5) == "holds"
    assert spread.values("AdamW ratio", "exact")[0] == pytest.approx(1.0, abs=1e-6)
    assert spread.values("Adam + L2 ratio", "noisy")[0] < \
        spread.values("Adam + L2 ratio", "exact")[0] / 100


def test_decoupled_conventions_and_porting():
    assert float(moments.decoupled_decay_per_step(0.01, 1e-3)) == pytest.approx(1e-5)
    assert float(moments.decoupled_decay_per_step(0.01, 1e-3, convention="paper")) == 0.01
    assert float(moments.decoupled_decay_per_step(0.01, 1e-3, schedule=0.5,
                                                  convention="paper")) == 0.005
    lam = float(moments.port_weight_decay(1e-4, 5e-4, to="pytorch"))
    assert lam == pytest.approx(0.2)
    assert float(moments.port_weight_decay(lam, 5e-4, to="paper")) == pytest.approx(1e-4)
    # same decay per step in both conventions, with any schedule multiplier
    for eta in (1.0, 0.3):
        assert float(moments.decoupled_decay_per_step(lam, 5e-4, eta)) == pytest.approx(
            float(moments.decoupled_decay_per_step(1e-4, 5e-4, eta, convention="paper")))
    # the package's AdamW is PyTorch's convention
    theta = np.ones(2)
    opt = alr.Adam(lr=1e-3, weight_decay=lam, decoupled=True)
    decayed, _ = opt.step(theta, np.zeros(2), opt.init(theta))
    assert_allclose(decayed, 1 - 1e-3 * lam)
    with pytest.raises(ValueError, match="convention"):
        moments.decoupled_decay_per_step(0.01, convention="keras")
    with pytest.raises(ValueError, match="to must"):
        moments.port_weight_decay(0.01, 1e-3, to="keras")


def test_convention_table():
    rows = moments.convention_table(1e-2, (1e-3,)).rows
    assert rows[0] == ["0.001", "1e-05", "69315", "0.01", "69", "10"]


def test_figures_have_one_panel_and_alt_text_each():
    eps = np.array([1e-8, 1e-6])
    assert len(moments.figure_slow_start(
        eps, moments.adadelta_constant_gradient_steps(30, eps=eps)).pngs) == 1
    curves = {"valley": (np.array([10, -1, 5]), np.array([1.0, 2.0, 3.0]))}
    assert len(moments.figure_eps_floor(np.array([1e-9, 1e-6, 1e-3]), curves, 1e-2).pngs) == 2
    p = moments.OnlineCounterexample()
    online = {"Adam": moments.run_online(alr.Adam(lr=0.01), p, 40)}
    assert len(moments.figure_online(online, p, first=30).alts) == 2
    assert len(moments.figure_spike(moments.spike_experiment(after=50)).pngs) == 1
    runs = moments.decay_experiment(steps=20)
    assert len(moments.figure_decay(runs, (0.01, 1.0, 100.0)).pngs) == 2
    assert moments.glue is adam_chapter.glue
