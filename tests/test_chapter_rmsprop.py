"""Tests of adaptive_lr.chapters.rmsprop: the closed forms of line 5 against hand computations
and the optimizers, and the experiments behind the chapter's claims (6–12) against values that
can be worked out by hand or in closed form."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import memory
from adaptive_lr import objectives
from adaptive_lr.trace import trace
from adaptive_lr.chapters import rmsprop as theory
from adaptive_lr.chapters import rmsprop as chapter


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
    assert "stays at r₀ = 0 forever" in memory.memory_summary(alr.RMSProp(alpha=1.0))
    assert "r₀ = 1 forever" in memory.memory_summary(
        alr.RMSProp(alpha=1.0, initial_accumulator_value=1.0))
    assert memory.memory_summary(alr.SGD(lr=0.1)) == "no accumulator"
    assert memory.memory_summary(alr.Adam()) == "window 1000, half-life 693 steps"
    assert "varies" in memory.memory_summary(alr.RMSProp(alpha=np.array([[0.9], [0.99]])))


# --------------------------------------------------------------- the limit cycle and distances


def test_limit_cycle_closed_forms():
    assert float(chapter.limit_cycle_distance(0.3)) == pytest.approx(0.3 / math.sqrt(2))
    assert float(chapter.limit_cycle_distance(1.0, dim=1)) == pytest.approx(0.5)
    # each coordinate at ±ρ/2: loss ½(1 + 25)(ρ/2)² = ρ²·26/8
    assert float(chapter.limit_cycle_loss(0.1, (1.0, 25.0))) == pytest.approx(0.01 * 26 / 8)


@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
def test_rmsprop_ends_in_the_cycle_on_a_perturbed_bowl(alpha):
    bowl = objectives.Quadratic(eigenvalues=(1.0, 1.0))
    run = alr.minimize(alr.RMSProp(lr=0.3, alpha=alpha), chapter.perturbed(bowl), bowl.start,
                       3000)
    d = chapter.distances(run, bowl)
    assert d[-1] == pytest.approx(float(chapter.limit_cycle_distance(0.3)), rel=1e-3)


def test_distances_follow_the_moving_minimum():
    shifting = objectives.NonStationary()
    run = alr.minimize(alr.SGD(lr=0.0), shifting, shifting.start, 200)  # never moves
    d = chapter.distances(run, shifting)
    assert d[0] == pytest.approx(np.linalg.norm(shifting.start))             # (0, 0)
    assert d[150] == pytest.approx(np.linalg.norm(shifting.start - [3.0, -2.0]))


def test_settle_after_counts_from_the_given_step():
    run = alr.minimize(alr.SGD(lr=0.0), objectives.ill_conditioned(), np.zeros(2), 10)
    values = np.array([5, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    assert int(chapter.settle_after(run, values, 1.0)) == 3
    assert int(chapter.settle_after(run, values, 1.0, after=2)) == 1
    assert int(chapter.settle_after(run, values + 10, 1.0)) == -1


def test_perturbed_is_a_tiny_relative_noise():
    quad = objectives.ill_conditioned()
    noisy = chapter.perturbed(quad)
    theta = np.array([1.0, -2.0])
    diff = np.abs(noisy.grad(theta, 3) - quad.grad(theta, 3))
    scale = np.sqrt(np.mean(quad.grad(quad.start) ** 2))
    assert 0 < diff.max() < 1e-10 * scale
    assert np.array_equal(noisy.grad(theta, 3), noisy.grad(theta, 3))  # replays exactly


# ------------------------------------------------------------------------ claim 6 experiments


def test_stall_table_shows_the_cycle_not_convergence():
    stall = chapter.stall()
    rms = stall.final("RMSProp, perturbed")
    big = stall.rhos >= 0.03
    assert_allclose(rms[big], chapter.limit_cycle_distance(stall.rhos[big]), rtol=1e-5)
    ada = stall.final("AdaGrad")
    assert ada[-1] < 1e-12 and ada[0] > 3.0          # converges at ρ = 3, stalls at ρ = 0.01
    assert stall.runs["AdaGrad"].lrs[-1, 0, 0] < 2e-4  # its rate has fallen
    # the decaying rate shrinks the distance to about ρ_t/√2
    numbers = chapter.stall_numbers(stall)
    assert numbers["stall_decayed"] == pytest.approx(numbers["stall_decayed_cycle"], rel=0.1)
    assert numbers["stall_decayed"] < 0.2 * float(chapter.limit_cycle_distance(3.0))


def test_recency_exact_run_stops_on_a_zero_gradient():
    shift = chapter.recency()
    step = shift.zero_gradient_step()
    assert 100 < step < 300
    run = shift.runs["RMSProp"]
    assert np.array_equal(run.thetas[step], shift.objective.minimizer)
    assert np.all(run.thetas[step:] == run.thetas[step])       # never moves again
    assert run.lrs[-1, 0] > 1000 * run.lrs[step, 0]             # while the rate climbs
    # with the tiny perturbation the run is in the ρ/√2 cycle by step 300
    assert shift.distance("RMSProp, perturbed")[-1] == pytest.approx(
        float(chapter.limit_cycle_distance(0.3)), rel=1e-3)
    assert shift.distance("AdaGrad")[-1] > 1.0


def test_recency_metrics_by_hand_for_a_method_that_never_arrives():
    shifting = objectives.NonStationary()
    m = chapter.recency_metrics(shifting, shifting.start, rho=1e-6)
    assert m["AdaGrad settles"] == -1 and m["RMSProp settles"] == -1
    assert m["AdaGrad distance"] == pytest.approx(np.linalg.norm(shifting.start - [3, -2]),
                                                  rel=1e-3)


def test_tuned_table_writes_never_for_a_method_that_never_gets_there():
    tuned = chapter._tune(np.array([0.1, 1.0, 10.0]),
                          {"a": np.array([-1, 5, 7]), "b": np.array([-1, -1, -1])})
    assert tuned.best["a"].value == 1.0 and tuned.best["a"].bracketed
    rows = tuned.table().rows
    assert rows[1][1:3] == ["none", "never"]


def test_memory_sweep_long_memory_postpones_the_cycle():
    sweep = chapter.memory_sweep()
    cycle = float(chapter.limit_cycle_distance(0.3))
    a = list(sweep.alphas)
    assert sweep.perturbed[-1, a.index(0.5)] == pytest.approx(cycle, rel=1e-3)
    assert sweep.perturbed[0, a.index(0.999)] < 1e-6             # still at the minimum
    assert sweep.perturbed[-1, a.index(0.999)] == pytest.approx(cycle, rel=0.05)
    assert sweep.decayed[-1] < 0.15 * cycle


# ------------------------------------------------------------------------ claim 7 experiments


def test_adaptation_steps_by_hand():
    # α^k ≤ 1·(1/0.25 − 1)/(100 − 1) = 3/99: k = ⌈ln(3/99)/ln 0.9⌉ = 34
    assert float(chapter.adaptation_steps(0.9)) == 34
    assert float(chapter.adaptation_steps(0.5)) == math.ceil(math.log(3 / 99) / math.log(0.5))
    with pytest.raises(ValueError):
        chapter.adaptation_steps(0.9, before=1.0, after=2.0)


def test_adaptation_replay_matches_the_closed_form():
    found = chapter.adaptation([0.5, 0.9, 0.99], steps=1000)
    assert found["steps"].tolist() == found["predicted"].astype(int).tolist()


# ------------------------------------------------------------------------ claim 8 experiments


def test_typical_decays_are_the_package_defaults():
    values = {(source, value) for source, _, value, _ in chapter.TYPICAL_DECAYS}
    assert ("PyTorch RMSprop", float(alr.RMSProp().alpha)) in values
    assert any(v == float(alr.Adam().betas[1]) and m == "Adam"
               for *_, v, m in chapter.TYPICAL_DECAYS)


def test_adagrad_twin_takes_the_same_first_step():
    rho, alpha = 0.01, 0.999
    g = np.array([2.0, -1e-3])
    rms, twin = alr.RMSProp(lr=rho, alpha=alpha), chapter.adagrad_twin(rho, alpha)
    step_rms = rms.step(np.zeros(2), g, rms.init(np.zeros(2)))[0]
    step_twin = twin.step(np.zeros(2), g, twin.init(np.zeros(2)))[0]
    assert_allclose(step_rms, step_twin, rtol=1e-12)


def test_rate_ratio_to_the_twin_stays_within_the_weight_bound():
    grads = np.random.default_rng(3).normal(size=(1000, 2))
    rms = trace(alr.RMSProp(lr=0.01, alpha=0.999), grads).rates
    twin = trace(chapter.adagrad_twin(0.01, 0.999), grads).rates
    ratio = rms / twin
    t = np.arange(1, 1001)[:, None]
    assert np.all(ratio >= 1 - 1e-9)
    assert np.all(ratio <= chapter.weight_bound(0.999, t) + 1e-9)
    assert float(chapter.weight_bound(0.999, 1000)) == pytest.approx(0.999 ** -499.5)


# ------------------------------------------------------------------------ claim 9 experiments


def _sweep(scores, rhos=np.geomspace(1e-3, 1e1, 17)):
    return chapter.Sweep(rhos, {k: np.asarray(v, dtype=float) for k, v in scores.items()}, "t")


def test_sweep_summary_by_hand():
    # four rates per decade; a valley with its minimum 1 at index 8 (ρ = 0.1)
    v = np.abs(np.arange(17) - 8) + 1.0
    s = _sweep({"AdaGrad": v, "RMSProp α=0.9": v, "RMSProp α=0.99": np.roll(v, 2)})
    m = s.summary()
    assert m["AdaGrad"]["best ρ"] == pytest.approx(0.1) and m["AdaGrad"]["bracketed"]
    assert m["AdaGrad"]["width"] == pytest.approx(3 / 4)        # indices 7, 8, 9 ≤ 2
    assert m["AdaGrad"]["×10 cost"] == pytest.approx(5.0)       # index 12: 4 + 1
    # α changed without re-tuning: score of 0.99 at 0.9's best (index 8) is 3, its best 1
    assert s.alpha_cost() == pytest.approx(3.0)


def test_sweep_summary_at_the_grid_edge_is_not_bracketed():
    s = _sweep({"AdaGrad": np.arange(17.0) + 1})
    m = s.summary()["AdaGrad"]
    assert not m["bracketed"] and m["best ρ"] == pytest.approx(1e-3)


def test_convergence_grid_counts_use_one_denominator():
    grid = chapter.convergence_grid(objectives.ill_conditioned(), rhos=(0.001, 0.01, 0.1, 1.0),
                                    alphas=(0.999, 0.9), steps=300)
    counts = grid.counts()
    assert set(counts) == {"AdaGrad", "RMSProp α=0.999", "RMSProp α=0.9"}
    assert all(0 <= n <= 4 for n in counts.values())
    # the ρ/√2 cycle keeps α = 0.9 above the tolerance for every ρ past the bound
    bound = math.sqrt(1e-3 / float(chapter.limit_cycle_loss(1.0, (1.0, 25.0))))
    assert not grid.rms_settled[np.asarray(grid.rhos) > bound, 1].any()


def test_twin_on_sweep_needs_the_factor_on_the_grid():
    s = _sweep({"AdaGrad": np.ones(17), "RMSProp α=0.999": np.ones(17)},
               rhos=np.geomspace(1e-3, 1e1, 17))
    assert chapter.twin_on_sweep(s) == 0.0
    with pytest.raises(ValueError, match="grid"):
        chapter.twin_on_sweep(_sweep({"AdaGrad": np.ones(4), "RMSProp α=0.999": np.ones(4)},
                                     rhos=np.geomspace(1e-3, 1.0, 4)))  # a decade per step


# ----------------------------------------------------------------------- claim 10 experiments


def test_eigen_coordinates_of_a_rotated_quadratic():
    valley = objectives.rotated(kappa=100.0)
    c = chapter.eigen_coordinates(valley, valley.start)
    assert_allclose(np.abs(c), [4.0, 1.5], atol=1e-12)  # the start is R·(−4, 1.5)


def test_valley_mechanism_is_gradient_descent_at_the_edge():
    m = chapter.valley_mechanism(rho=0.01)
    plain, mom = m["RMSProp"], m["RMSProp + momentum"]
    assert plain["flips in 60 steps"] == 0 and plain["first flip"] > plain["across"]
    assert plain["rate ratio"] == pytest.approx(1.0, abs=0.01)       # isotropic scaling
    assert plain["edge"] == pytest.approx(2.0, abs=1e-3)             # at the stability edge
    assert plain["floor factor"] == pytest.approx(1 - 2 / 100, abs=2e-3)
    assert mom["floor factor"] == pytest.approx(math.sqrt(0.9), abs=0.01)
    assert mom["flips in 60 steps"] > 0 and mom["across"] < plain["across"]
    assert 2.0 < mom["edge"] < 2 * (1 + 0.9)


def test_sign_changes_skip_zeros():
    assert chapter._sign_changes(np.array([1.0, -1.0, 0.0, -2.0, 3.0])).tolist() == [1, 4]


# ----------------------------------------------------------------------- claim 11 experiments


def test_minibatch_chain_with_every_pair_is_the_chain():
    full = chapter.MinibatchChain(depth=4, pairs=8, batch_size=8, seed=1)
    chain = objectives.SigmoidChain(4, inputs=np.linspace(-2, 2, 8))
    theta = chain.start + 0.1
    assert_allclose(full.grad(theta, 5), chain.grad(theta), rtol=1e-12)
    assert full.value(theta) == pytest.approx(float(chain.value(theta)))


def test_minibatch_chain_draws_replay_and_differ():
    mb = chapter.MinibatchChain(depth=4, pairs=16, batch_size=4, seed=0)
    theta = mb.start
    assert np.array_equal(mb.grad(theta, 3), mb.grad(theta, 3))
    assert not np.array_equal(mb.grad(theta, 3), mb.grad(theta, 4))
    with pytest.raises(ValueError, match="batch_size"):
        chapter.MinibatchChain(pairs=4, batch_size=8)


def test_forgetting_keeps_the_first_layers_steps():
    found = chapter.forgetting_on_chain()
    assert np.all(found["layer ratio"] > 0.5)
    # the bias correction removes the long memory's head start
    a = list(found["alphas"])
    assert found["escape corrected"][a.index(0.99)] >= found["escape"][a.index(0.0)]


def test_escape_step_is_the_settle_below_half_the_plateau():
    run = alr.minimize(alr.SGD(lr=1.0), objectives.SigmoidChain(4), objectives.SigmoidChain(4)
                       .start, 5)
    assert int(chapter.escape_step(run)) == -1
    assert int(chapter.escape_step(run, plateau=10.0)) == 0


def test_gd_stays_on_the_plateau_and_claim_12_counts():
    assert chapter.gd_stays_on_plateau()
    assert len(chapter.POST_PROBLEMS) == 3 and chapter.check_claim_12() == "fails"


# --------------------------------------------------------------------------- text and tables


@pytest.mark.parametrize("value, text", [(2.8e-6, "2.8 × 10⁻⁶"), (0.045, "0.045"),
                                         (3e7, "3.0 × 10⁷"), (float("inf"), "never"),
                                         (0.0, "0")])
def test_sci(value, text):
    assert chapter.sci(value) == text


def test_claims_are_the_posts_six_to_twelve():
    assert [c.number for c in chapter.CLAIMS] == list(range(6, 13))
    assert all(c.chapter == "rmsprop" for c in chapter.CLAIMS)
    numbers = chapter.claim_numbers()
    assert numbers["n_holds"] + numbers["n_caveat"] + numbers["n_fails"] == 7


def test_first_step_and_eps_tables():
    table = chapter.first_step_table(0.01, [3.0, -0.001], [0.99])
    assert table.rows[0][1] == "0.1" and table.rows[0][-1] == "0.01"
    rows = chapter.eps_table(sizes=(1.0,)).rows
    assert rows[0][-1] == "1"
