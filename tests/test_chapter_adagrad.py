"""Tests for adaptive_lr.chapters.adagrad: the closed forms against AdaGrad's own steps, the
travel bounds against runs, the minibatch replay against train, the helpers, the verdict
rules of claims 2 to 5 on made-up results (so that each rule can fail), the claims' verdicts
on the real experiments, and the conclusions the chapter's prose draws from them."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import adaptive_lr as alr
from adaptive_lr import data, objectives
from adaptive_lr.chapters import adagrad as chapter
from adaptive_lr.chapters.adagrad import (constant_gradient_rate, first_step, min_steps_to_travel,
                                          travel_bound, travel_bound_any)
from adaptive_lr.robustness import Condition, Spread
from adaptive_lr.trace import trace

finite = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda x: abs(x) > 1e-6)


# ------------------------------------------------------------------ closed forms


@settings(max_examples=60, deadline=None)
@given(g=st.tuples(finite, finite), lr=st.floats(1e-3, 10.0), r0=st.floats(0.0, 5.0))
def test_first_step_matches_optimizer(g, lr, r0):
    g = np.array(g)
    opt = alr.AdaGrad(lr=lr, initial_accumulator_value=r0)
    theta = np.zeros(2)
    theta_next, _ = opt.step(theta, g, opt.init(theta))
    np.testing.assert_allclose(first_step(g, lr, 1e-10, r0), theta_next - theta, rtol=1e-12)
    # |ΔΘ₁| ≤ ρ always, and ≈ ρ when r₀ = 0
    assert np.all(np.abs(first_step(g, lr, 1e-10, r0)) <= lr * (1 + 1e-12))
    if r0 == 0:
        np.testing.assert_allclose(np.abs(first_step(g, lr)), lr, rtol=1e-4)


def test_first_step_scale_free_and_eps_limit():
    steps = first_step([1e-3, 1.0, 1e3], lr=0.1)
    np.testing.assert_allclose(steps, -0.1, rtol=1e-6)
    # a gradient comparable to ε gets a much smaller step
    np.testing.assert_allclose(first_step(1e-10, lr=0.1, eps=1e-10), -0.05)
    np.testing.assert_allclose(first_step(0.01, lr=1.0, initial_accumulator_value=0.1),
                               -0.01 / np.sqrt(0.1001))


def test_constant_gradient_rate_matches_trace():
    g = np.array([2.0, 0.5])
    tr = trace(alr.AdaGrad(lr=0.1), lambda theta: g, np.zeros(2), 64)
    t = np.arange(1, 65)[:, None]
    np.testing.assert_allclose(tr.rates, constant_gradient_rate(g, t, lr=0.1), rtol=1e-12)
    # rate · √t = ρ / |g|
    np.testing.assert_allclose(tr.rates * np.sqrt(t), 0.1 / g * np.ones_like(tr.rates),
                               rtol=1e-8)
    r0 = constant_gradient_rate(1.0, np.array([1, 2]), lr=1.0, initial_accumulator_value=3.0)
    np.testing.assert_allclose(r0, [0.5, 1 / np.sqrt(5)], rtol=1e-9)
    with pytest.raises(ValueError, match="integers"):
        constant_gradient_rate(1.0, 0)
    with pytest.raises(ValueError, match="integers"):
        constant_gradient_rate(1.0, 1.5)


def test_travel_bound_values_and_brackets():
    np.testing.assert_allclose(travel_bound(np.array([0, 1, 2]), 2.0),
                               [0.0, 2.0, 2 + np.sqrt(2)])
    t = np.array([1, 10, 1000, 100000])
    s = travel_bound(t, 1.0)
    assert np.all(2 * np.sqrt(t + 1) - 2 <= s) and np.all(s <= 2 * np.sqrt(t) - 1 + 1e-12)
    with pytest.raises(ValueError, match="integers"):
        travel_bound(-1, 0.1)
    with pytest.raises(ValueError, match="not supported"):
        travel_bound(10 ** 8, 0.1)


def test_travel_bound_holds_on_a_descent():
    # ½θ² from θ = 4 with small ρ: the gradient shrinks monotonically, so the bound applies
    for lr in [0.01, 0.1, 0.5]:
        tr = trace(alr.AdaGrad(lr=lr), lambda th: th, np.array([4.0]), 300)
        assert np.all(np.diff(np.abs(tr.grads[:, 0])) <= 0)
        travelled = np.cumsum(np.abs(tr.deltas[:, 0]))
        assert np.all(travelled <= travel_bound(np.arange(1, 301), lr) + 1e-12)
    # a constant gradient attains it (up to ε)
    tr = trace(alr.AdaGrad(lr=0.1), lambda th: np.ones(1), np.zeros(1), 50)
    np.testing.assert_allclose(-tr.thetas[-1, 0], travel_bound(50, 0.1), rtol=1e-9)


@pytest.mark.parametrize("distance, lr", [(4.0, 0.03), (1.0, 1.0), (0.5, 1.0), (0.0, 0.1),
                                          (4.0, 0.01)])
def test_min_steps_to_travel(distance, lr):
    t = int(min_steps_to_travel(distance, lr))
    assert travel_bound(t, lr) >= distance * (1 - 1e-12)
    if t > 0:
        assert travel_bound(t - 1, lr) < distance
    assert t >= ((distance / lr + 1) / 2) ** 2 - 1


def test_min_steps_to_travel_vectorized():
    out = min_steps_to_travel(np.array([4.0, 1.5]), np.array([[0.01], [0.1]]))
    assert out.shape == (2, 2) and out.dtype == np.int64
    assert out[0, 0] == min_steps_to_travel(4.0, 0.01)
    assert out[1, 1] == min_steps_to_travel(1.5, 0.1)
    with pytest.raises(ValueError):
        min_steps_to_travel(1.0, 0.0)


@settings(max_examples=80, deadline=None)
@given(grads=st.lists(st.lists(st.one_of(st.just(0.0), st.floats(-50, 50).filter(
                                   lambda x: abs(x) > 1e-100)),
                               min_size=3, max_size=3), min_size=1, max_size=60),
       lr=st.floats(1e-3, 10.0))
def test_travel_bound_any_holds_for_any_gradients(grads, lr):
    g = np.array(grads)
    tr = trace(alr.AdaGrad(lr=lr), g)          # the gradients replayed, whatever Θ becomes
    path = np.abs(tr.deltas).sum(axis=0)
    bound = travel_bound_any(g, lr)
    assert np.all(path <= bound * (1 + 1e-9) + 1e-300)
    assert np.all(bound[np.all(g == 0, axis=0)] == 0)


def test_travel_bound_any_values():
    # one nonzero gradient: a single step of size ρ, and the bound is ρ
    np.testing.assert_allclose(travel_bound_any(np.array([[0.0], [3.0], [0.0]]), 0.5), [0.5])
    # a constant gradient: n = t, ln(r_t / g²) = ln t
    t = 100
    np.testing.assert_allclose(travel_bound_any(np.ones((t, 1)), 0.1),
                               0.1 * np.sqrt(t * (1 + np.log(t))))
    assert travel_bound_any(np.ones((t, 1)), 0.1) >= travel_bound(t, 0.1)
    with pytest.raises(ValueError, match="shape"):
        travel_bound_any(np.ones((0, 2)), 0.1)


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize("x, text", [(0.0316227, "0.0316"), (1000, "1000"), (1234.5, "1230"),
                                     (3.16227, "3.16"), (1.0, "1"), (1e5, "10⁵"),
                                     (1.75e-5, "1.75 × 10⁻⁵"), (-2.5e-6, "-2.5 × 10⁻⁶"),
                                     (9.9996e-5, "10⁻⁴"), (0.0, "0")])
def test_sci(x, text):
    assert chapter.sci(x) == text


def test_span():
    assert chapter.span([0.5, 0.25, np.nan]) == "0.25 … 0.5"
    assert chapter.span([0.1234, 0.1231]) == "0.123"
    assert chapter.span([np.nan]) == "none"
    assert chapter.span([3.0, 12.0], "{:.0f}") == "3 … 12"


def test_rate_exponent():
    t = np.arange(1, 201, dtype=float)[:, None]
    rates = np.hstack([t ** -0.5, 1 / t, np.ones_like(t), 3 * t ** -0.25])
    np.testing.assert_allclose(chapter.rate_exponent(rates), [0.5, 1.0, 0.0, 0.25], atol=1e-12)
    # only the second half counts: a rate that falls, then stops
    kink = np.where(t < 50, 1 / t, 1 / 50.0)
    assert chapter.rate_exponent(kink)[0] == pytest.approx(0.0, abs=1e-12)
    assert chapter.rate_exponent(kink, from_fraction=0.0)[0] > 0.3
    with pytest.raises(ValueError, match="at least 3"):
        chapter.rate_exponent(np.ones((2, 1)))


def test_rank_correlation():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    assert chapter.rank_correlation(a, -a ** 3) == pytest.approx(-1.0)
    assert chapter.rank_correlation(a, np.exp(a)) == pytest.approx(1.0)
    # ties get their mean rank: [1, 1, 2] against [1, 2, 3]
    assert chapter.rank_correlation([1, 1, 2], [1, 2, 3]) == pytest.approx(np.sqrt(3) / 2)
    assert np.isnan(chapter.rank_correlation([1, 1, 1], [1, 2, 3]))


def test_minibatch_gradients_replay_train_exactly():
    task = data.sparse_logistic(n_samples=200, n_features=6, n_rare=3, rare_prob=0.1, seed=1)
    params0 = task.init(seed=0, batch_shape=(2,))
    opt = alr.AdaGrad(lr=np.array([[0.1], [0.5]]))
    params, tr = chapter.epoch_params(opt, [task] * 3, params0, batch_size=16, seed=2)
    final = alr.train(opt, task, params0, epochs=3, batch_size=16, seed=2).params
    np.testing.assert_array_equal(params[-1], final)
    np.testing.assert_array_equal(params[0], params0)
    one = alr.train(opt, task, params0, epochs=1, batch_size=16, seed=2).params
    np.testing.assert_array_equal(params[1], one)
    assert tr.steps == 3 * 10 and params.shape == (4, 2, 7)
    # scales multiply the gradients epoch by epoch
    grad, steps = chapter.minibatch_gradients([task] * 2, batch_size=16, seed=2,
                                              scales=[1.0, 10.0])
    plain, _ = chapter.minibatch_gradients([task] * 2, batch_size=16, seed=2)
    theta = params0[0]
    np.testing.assert_allclose(grad(theta, 12), 10 * plain(theta, 12))
    np.testing.assert_allclose(grad(theta, 3), plain(theta, 3))
    with pytest.raises(TypeError, match="list of Tasks"):
        chapter.minibatch_gradients([])
    with pytest.raises(ValueError, match="batch_size"):
        chapter.minibatch_gradients([task], batch_size=10_000)


def test_small_tables():
    rates = np.array([0.01, 0.079])
    bowl = objectives.ill_conditioned(25.0)
    run = alr.minimize(alr.SGD(lr=rates[:, None]), bowl, np.tile(bowl.start, (2, 1)), 50)
    table = chapter.coordinates_table(rates, run)
    assert table.headers == ["ρ", "|θ₁| after 50", "|θ₂| after 50"]
    assert table.rows[0][1] == chapter.sci(abs(run.final_theta[0, 0]), 4)
    lrs = np.array([[0.5, 0.25], [0.4, 0.2], [0.3, 0.1]])
    assert chapter.rates_table(lrs, [1, 3]).rows == [["1", "0.5", "0.25"], ["3", "0.3", "0.1"]]
    first = chapter.first_step_table([1.0, 1e-10], lr=0.1)
    assert [r[1] for r in first.rows] == ["-0.1", "-0.05"]
    steady = trace(alr.AdaGrad(lr=0.1), lambda th: np.array([2.0, 0.5]), np.zeros(2), 16)
    assert chapter.constant_rate_table(steady, [16]).rows[0][3:] == ["0.05", "0.2"]
    assert chapter.preconditioned_condition(objectives.rotated(kappa=25.0).hessian,
                                            (1.0, 1.0)) == pytest.approx(25.0)
    assert chapter.preconditioned_condition(objectives.rotated(kappa=25.0).hessian,
                                            (1.0, 2.0)) > 25.0


def test_rescaling_is_invisible_to_adagrad():
    table, gap = chapter.rescaling(kappas=(1.0, 25.0, 1000.0))
    assert gap < 1e-9
    assert table.rows[2][3].startswith("diverged")       # GD at ρ = 0.07 and κ = 1000
    assert table.rows[0][1] == "0"


def test_shift_table():
    moving = objectives.NonStationary()
    shift = trace(alr.AdaGrad(lr=0.3), moving, moving.start, 120)
    table = chapter.shift_table(shift, moving, steps=(99, 100))
    before, after = (float(r[1]) for r in table.rows)
    assert before < 0.1 and after > 3        # the minimum jumps away at step 100


# ----------------------------------------------------------- verdict rules, made up


def _spread(rows: list[dict]) -> Spread:
    bowl = objectives.ill_conditioned()
    kinds = ["exact"] + ["perturbed"] * (len(rows) - 1)
    return Spread(tuple(Condition(k, i, bowl, bowl.start) for i, k in enumerate(kinds)),
                  tuple(rows))


def _decay(p: float, rises: int = 0) -> chapter.RateDecay:
    row = {"rises": rises, "p θ₁": p, "p θ₂": p}
    sparse = {"rises": np.zeros(2), "p common": np.full(2, p), "p rare": np.full(2, p),
              "rare still": np.zeros(2)}
    return chapter.RateDecay({"steady": _spread([row, row]), "fading": _spread([row])},
                             sparse, {}, (0.03, 0.7, 0.3))


def test_claim_2_rule():
    assert chapter.claim_2_verdict(_decay(0.5)) == "holds with a caveat"
    assert chapter.claim_2_verdict(_decay(1.0)) == "holds"
    assert chapter.claim_2_verdict(_decay(1.0, rises=1)) == "fails"
    assert _decay(0.4).exponents().shape == (10,) and _decay(0.4, rises=2).rises() == 6


def test_claim_3_rules():
    real = chapter.updates_and_rates()
    assert chapter.claim_3_verdict(real) == "fails"
    assert chapter.claim_3_gradient_verdict(real) == "holds"
    # a made-up world where the literal rule holds everywhere
    constant = {"scales": np.array([1.0, 2.0]), "update": np.array([1.0, 2.0]),
                "rate": np.array([2.0, 1.0]), "r": np.array([1.0, 4.0])}
    good = {"moved θ₁": 2.0, "moved θ₂": 1.0, "rate θ₁": 0.1, "rate θ₂": 0.2,
            "literal": 1.0, "gradient": 1.0}
    world = chapter.UpdatesAndRates(constant, _spread([good, good]),
                                    {"literal": np.array([-0.5]), "gradient": np.array([-1.0])})
    assert chapter.claim_3_verdict(world) == "holds"
    assert chapter.claim_3_gradient_verdict(world) == "holds"
    bad = dataclasses.replace(world, sparse={"literal": np.array([0.2]),
                                             "gradient": np.array([-0.9])})
    assert chapter.claim_3_verdict(bad) == "fails"
    assert chapter.claim_3_gradient_verdict(bad) == "fails"


def _stall(left: float, tuned: float, ada_loss: float, sgd_loss: float) -> chapter.Stall:
    row = {"distance": 3.0, "left": left, "moved θ₁": 1.0, "bound": 1.5, "GD distance": 0.0,
           "tuned distance": tuned}
    best = alr.robustness.GridBest(0, 0.1, 0.0, True)
    losses = {"SGD": np.full((2, 3, 1), sgd_loss), "AdaGrad": np.full((2, 3, 1), ada_loss)}
    return chapter.Stall(_spread([row, row]),
                         {"grid": np.array([0.1]), "losses": losses,
                          "best": {"SGD": best, "AdaGrad": best}, "p": np.array([0.5])},
                         0.03, 0.05)


def test_claim_4_rule():
    assert chapter.claim_4_verdict(_stall(0.7, 0.01, 0.1, 0.1)) == "holds with a caveat"
    assert chapter.claim_4_verdict(_stall(0.7, 1.0, 0.1, 0.1)) == "holds"       # no escape
    assert chapter.claim_4_verdict(_stall(0.7, 0.01, 0.2, 0.1)) == "holds"      # behind
    assert chapter.claim_4_verdict(_stall(0.2, 0.01, 0.1, 0.1)) == "fails"      # no stall


def _recency(shrink_ratio: float, grow_ratio: float, shrink_gap: float,
             grow_gap: float) -> chapter.Recency:
    best = alr.robustness.GridBest(0, 0.3, 0.0, True)

    def mb(gap):
        return {"continued": np.array([[0.1 + gap], [0.11 + gap]]),
                "restarted": np.array([[0.1], [0.11]]),
                "best": {"continued": best, "restarted": best}}
    spreads = {"shrink": _spread([{"ratio": shrink_ratio}]),
               "grow": _spread([{"ratio": grow_ratio}])}
    return chapter.Recency({}, {}, spreads, {"shrink": mb(shrink_gap), "grow": mb(grow_gap)},
                           0.3, 0.9, 300)


def test_claim_5_rule():
    assert chapter.claim_5_verdict(_recency(100, 1.1, 0.1, 0.0)) == "holds with a caveat"
    assert chapter.claim_5_verdict(_recency(100, 10, 0.1, 0.0)) == "holds"
    assert chapter.claim_5_verdict(_recency(100, 1.1, 0.1, 0.1)) == "holds"
    assert chapter.claim_5_verdict(_recency(1.5, 1.1, 0.1, 0.0)) == "fails"
    assert chapter.claim_5_verdict(_recency(100, 1.1, 0.005, 0.0)) == "fails"  # within spread


# ------------------------------------------------------ the claims on the experiments


@pytest.mark.parametrize("claim", chapter.CLAIMS, ids=lambda c: f"claim-{c.number}")
def test_claims_verdicts(claim):
    assert claim.chapter == "adagrad" and claim.number in (2, 3, 4, 5)
    assert claim.check() == claim.verdict


def test_rate_decay_experiment():
    decay = chapter.rate_decay()
    assert decay.rises() == 0
    p = decay.exponents()
    assert np.all(p < 0.75) and np.all(p > -1e-9)
    # the steady bowl and the sparse common weights fall at roughly 1/√t
    assert 0.3 < decay.bowl["steady"].values("p θ₁", "exact")[0] < 0.55
    # a fading gradient freezes the rate; a rare weight's rate often does not move at all
    assert abs(decay.bowl["fading"].values("p θ₁", "exact")[0]) < 1e-6
    assert np.all(decay.sparse["rare still"] > 0.3)
    assert len(decay.table().rows) == 9


def test_updates_and_rates_experiment():
    updates = chapter.updates_and_rates()
    c = updates.constant
    np.testing.assert_allclose(c["update"], c["update"][0], rtol=1e-6)  # equal steps
    assert c["rate"].max() / c["rate"].min() > 1e3
    assert updates.bowl.values("literal", "exact")[0] == 0                # θ₁ moved more
    assert np.all(updates.sparse["literal"] < 0)                          # and here it holds
    np.testing.assert_allclose(updates.sparse["gradient"], -1.0)


def test_stall_experiment_and_sweep():
    stall = chapter.stall()
    s = stall.spread
    assert np.all(s.values("left") > 0.5)
    assert np.all(s.values("moved θ₁") <= s.values("bound"))
    mb = stall.minibatch
    assert all(b.bracketed for b in mb["best"].values())
    sweep = chapter.stall_sweep(steps=200, long_steps=300)
    moved = np.abs(sweep["run"].thetas[-1, :, 0] - sweep["run"].thetas[0, :, 0])
    assert np.all(moved <= travel_bound(200, sweep["lrs"]) + 1e-12)
    table = chapter.sweep_table(sweep)
    assert table.headers[1] == "distance after 200" and len(table.rows) == 6


def test_recency_experiment():
    rec = chapter.recency()
    shrink, grow = rec.spreads["shrink"], rec.spreads["grow"]
    assert np.all(shrink.values("ratio") > 3) and np.all(grow.values("ratio") < 2)
    # exact RMSProp lands exactly on the new minimum; perturbed, it hovers at ρ/√2
    assert shrink.values("RMSProp lands", "exact")[0] > 100
    assert np.all(shrink.values("RMSProp lands", "perturbed") == -1)
    np.testing.assert_allclose(shrink.values("RMSProp hover", "perturbed"), 0.3 / np.sqrt(2),
                               rtol=0.01)
    # restarted AdaGrad is scale-free: the same result whichever way the gradients scale
    mb = rec.minibatch
    i = mb["shrink"]["best"]["restarted"].index      # at large ρ rounding differences grow
    np.testing.assert_allclose(mb["shrink"]["restarted"][:, :i + 1],
                               mb["grow"]["restarted"][:, :i + 1], rtol=1e-6)
    assert rec.minibatch_penalty("shrink") and not rec.minibatch_penalty("grow")
    assert all(b.bracketed for d in ("shrink", "grow") for b in mb[d]["best"].values())
    assert len(rec.table().rows) == 8 and len(rec.rmsprop_table().rows) == 8


# -------------------------------------------- the conclusions the chapter's prose draws


def test_bowl_comparison_conclusions():
    bowls = chapter.bowl_comparison()
    aligned, tilted = bowls.spreads.values()
    assert bowls.inside()
    for kind in ("exact", "perturbed", "start"):       # aligned: AdaGrad far faster
        assert np.all(aligned.values("AdaGrad steps", kind) * 10
                      < aligned.values("GD steps", kind))
    assert np.all(aligned.values("AdaGrad tail", "noisy") < aligned.values("GD tail", "noisy"))
    # rotated: slower from the standard start, and the comparison flips over the starts
    assert tilted.values("AdaGrad steps", "exact")[0] > tilted.values("GD steps", "exact")[0]
    wins = tilted.values("AdaGrad steps", "start") < tilted.values("GD steps", "start")
    assert wins.any() and not wins.all()


def test_sparse_comparison_conclusions():
    sparse = chapter.sparse_comparison()
    for setting in sparse.settings:
        for method in ("SGD", "AdaGrad"):
            assert sparse.best(setting, method).bracketed
        # AdaGrad's window of good ρ is wider in every setting
        assert sparse.window(setting, "AdaGrad") > sparse.window(setting, "SGD")
    # tuned, the end points agree within the seeds' spread after 10 and 30 epochs
    assert sparse.overlap("10 epochs") and sparse.overlap("30 epochs")
    assert sparse.overlap("rarer features, 10 epochs")
    assert sparse.overlap("batches of 8, 10 epochs")
    # after 3 epochs SGD's ρ, tuned for the rare weights, leaves the common ones far behind
    assert (sparse.at_best("3 epochs", "SGD", "common").min()
            > sparse.at_best("3 epochs", "AdaGrad", "common").max())
    assert sparse.best("3 epochs", "AdaGrad").score < sparse.best("3 epochs", "SGD").score
    assert min(sparse.window(s, "AdaGrad") for s in sparse.settings) > 2
    assert len(sparse.table().rows) == 10


def test_tuned_sparse_small():
    table, results = chapter.tuned_sparse({"SGD": lambda lr: alr.SGD(lr=lr)},
                                          rare_probs=(0.1,), grid=(0.3, 1.0, 3.0, 10.0),
                                          seeds=(0,), epochs=2)
    best, errors = results[0.1, "SGD"]
    assert errors.shape == (1,) and best.value in (0.3, 1.0, 3.0, 10.0)
    assert table.headers[-1] == "rare error (1 seeds)" and len(table.rows) == 1


# ---------------------------------------------------------------------- figures


def test_figures_render_for_the_column():
    from adaptive_lr import plots

    bowl = objectives.ill_conditioned(25.0)
    rates = np.array([0.01, 0.04, 0.075, 0.079, 0.081])
    sweep = alr.minimize(alr.SGD(lr=rates[:, None]), bowl, np.tile(bowl.start, (5, 1)), 50)
    paths = chapter.bowl_paths(steps=20)
    rows = [chapter.figure_one_rate(sweep, rates), chapter.figure_rate_decay(chapter.rate_decay()),
            chapter.figure_sparse(chapter.sparse_comparison()), chapter.figure_bowls(paths),
            chapter.figure_bowl_rates(paths),
            chapter.figure_stall(chapter.stall_sweep(steps=50, long_steps=100)),
            chapter.figure_recency(chapter.recency())]
    assert [len(r.pngs) for r in rows] == [1, 1, 1, 2, 2, 1, 2]
    for row in rows:
        for png in row.pngs:
            width, _ = plots.css_size(png)
            assert width <= 720                      # drawn for the column, not shrunk into it
        assert all(alt and len(alt) < 120 for alt in row.alts)


# ------------------------------------------------------- the preconditioning picture


def test_full_matrix_by_hand():
    # G1 = [[1, 0], [0, 0]]: step −ρ(1, 0). G2 = [[2, 1], [1, 1]], G2^{1/2} = (G2 + I)/√5,
    # so G2^{-1/2} = [[2, −1], [−1, 3]]/√5 and the second step is −ρ(1, 2)/√5.
    out = chapter.full_matrix_adagrad(np.array([[1.0, 0.0], [1.0, 1.0]]), np.zeros(2),
                                      lr=0.5, eps=0.0)
    np.testing.assert_allclose(out["thetas"][1], [-0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(out["thetas"][2] - out["thetas"][1],
                               -0.5 * np.array([1.0, 2.0]) / np.sqrt(5.0), atol=1e-12)
    np.testing.assert_allclose(out["G"][1], [[2.0, 1.0], [1.0, 1.0]])


@settings(max_examples=40, deadline=None)
@given(g=st.tuples(finite, finite), lr=st.floats(1e-3, 10.0))
def test_full_matrix_first_step_is_a_normalized_gradient(g, lr):
    g = np.array(g)
    # rank-one G: the rounding-level eigenvalue is treated as null, so ε only enters |g| + ε
    for eps in (0.0, 1e-10):
        step = chapter.full_matrix_step(np.outer(g, g), g, lr, eps=eps)
        np.testing.assert_allclose(step, -lr * g / (eps + np.linalg.norm(g)), rtol=1e-9)


def test_full_matrix_agrees_with_diagonal_when_gradients_stay_on_the_axes():
    bowl = objectives.ill_conditioned(kappa=25.0)
    start = np.array([-4.0, 0.0])           # on an axis: every gradient is (g₁, 0)
    full = chapter.full_matrix_adagrad(bowl, start, 40, lr=0.7)
    diag = trace(alr.AdaGrad(lr=0.7), bowl, start, 40)
    np.testing.assert_allclose(full["thetas"], diag.thetas, rtol=1e-12, atol=1e-14)
    # gradients alternating between the axes keep G diagonal too
    grads = np.array([[1.0, 0.0], [0.0, -3.0], [2.0, 0.0], [0.0, 0.5]] * 3)
    full = chapter.full_matrix_adagrad(grads, np.zeros(2), lr=0.3)
    diag = trace(alr.AdaGrad(lr=0.3), grads, np.zeros(2))
    np.testing.assert_allclose(full["thetas"], diag.thetas, rtol=1e-12, atol=1e-14)


def test_full_matrix_differs_from_diagonal_with_coupled_gradients():
    bowl = objectives.ill_conditioned(kappa=25.0)
    full = chapter.full_matrix_adagrad(bowl, bowl.start, 10, lr=0.7)
    diag = trace(alr.AdaGrad(lr=0.7), bowl, bowl.start, 10)
    assert np.abs(full["thetas"] - diag.thetas).max() > 0.1


def test_full_matrix_is_rotation_equivariant_and_diagonal_is_not():
    aligned, tilted = objectives.ill_conditioned(kappa=25.0), objectives.rotated(kappa=25.0)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    R = np.array([[c, -s], [s, c]])
    full_a = chapter.full_matrix_adagrad(aligned, aligned.start, 30, lr=0.7)["thetas"]
    full_r = chapter.full_matrix_adagrad(tilted, tilted.start, 30, lr=0.7)["thetas"]
    np.testing.assert_allclose(full_a @ R.T, full_r, atol=1e-9)
    diag_a = trace(alr.AdaGrad(lr=0.7), aligned, aligned.start, 30).thetas
    diag_r = trace(alr.AdaGrad(lr=0.7), tilted, tilted.start, 30).thetas
    assert np.abs(diag_a @ R.T - diag_r).max() > 0.1


def test_preconditioning_rounds_the_aligned_bowl_only():
    result = chapter.preconditioning(steps=5, lr=0.7)
    (aligned, k_a), (tilted, k_r) = result.kappa.items()
    assert k_a["bowl"] == pytest.approx(25.0) and k_r["bowl"] == pytest.approx(25.0)
    assert k_a["diagonal"] < 5.0                 # the prose: far rounder
    assert k_r["diagonal"] >= 25.0 - 1e-9        # no diagonal scaling beats κ = 25 there
    # full-matrix AdaGrad sees both bowls alike (rotation invariance)
    assert k_a["full"] == pytest.approx(k_r["full"], rel=1e-5)
    np.testing.assert_allclose(result.scale(aligned),
                               result.runs[aligned].accumulators[4] ** 0.25)


def test_inverse_quarter_root():
    G = np.array([[2.0, 1.0], [1.0, 1.0]])
    q = chapter._inverse_quarter_root(G, eps=0.0)
    np.testing.assert_allclose(np.linalg.matrix_power(np.linalg.inv(q), 4), G, atol=1e-12)


def test_least_squares_gradient_second_moment_is_the_scaled_hessian_at_the_optimum():
    out = chapter.least_squares_fisher(seed=0)
    np.testing.assert_allclose(out["at_optimum"], 1.0, atol=0.05)
    np.testing.assert_allclose(out["H_diag"], [1.0, 25.0], rtol=0.05)
    # away from the optimum the ratio differs between coordinates: not a scaled diagonal
    away = out["away"]
    assert away.max() / away.min() > 2.0
