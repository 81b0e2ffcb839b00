"""The closed forms and experiments of the After-Adam chapter, against hand computations, the
package's optimizers and small versions of the chapter's runs."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr.chapters import after_adam as chapter
from adaptive_lr.tables import Table


# ------------------------------------------------------------------------------- Adamax


def test_recovery_steps_closed_form():
    assert_allclose(chapter.recovery_steps(100.0, 0.999), math.log(100) / -math.log(0.999))
    assert chapter.recovery_steps(1.0) == 0.0
    assert 4602 < chapter.recovery_steps(100.0) < 4603


def test_spike_rates_match_the_closed_forms():
    """Adamax: the spike divides the rate by its size, and u falls back as β₂ᵏ·size; Adam:
    v jumps by (1 − β₂)·size², so the rate falls by about 1/√(1 + 0.001·10⁴) ≈ 0.3 at most."""
    s = chapter.spike(steps=4200, at=100, size=100.0)
    adamax, adam = s.adamax.rates[:, 0], s.adam.rates[:, 0]
    assert_allclose(adamax[99] / adamax[98], 1 / 100, rtol=1e-4)   # (c₁ still moves: 0.9⁹⁹)
    assert 0.05 < adam[99] / adam[98] < 0.35
    # after k more steps u = 100·0.999ᵏ while that exceeds 1 + ε: half the old rate at u = 2
    assert s.recovered("adamax") == math.ceil(chapter.recovery_steps(50.0))
    assert 0 < s.recovered("adam") < s.recovered("adamax")
    table = s.table()
    assert isinstance(table, Table) and table.rows[1][0] == "Adamax"


def test_spike_reports_a_rate_not_yet_recovered():
    s = chapter.spike(steps=400, at=100, size=100.0)
    assert s.recovered("adamax") == -1
    assert s.table().rows[1][-1] == "not yet"


# -------------------------------------------------------------------------------- NAdam


def test_momentum_schedule_by_hand():
    assert_allclose(chapter.momentum_schedule(0, 0.9, 0.004), 0.45)
    assert_allclose(chapter.momentum_schedule(1, 0.9, 0.004), 0.9 * (1 - 0.5 * 0.96 ** 0.004))
    assert_allclose(chapter.momentum_schedule([1, 10], 0.9, 0.0), [0.45, 0.45])
    assert_allclose(chapter.momentum_schedule(10 ** 7, 0.9, 0.004), 0.9)
    t = chapter.schedule_half_life(0.004)
    assert_allclose(chapter.momentum_schedule(t, 0.9, 0.004), 0.675, rtol=1e-12)
    assert 4244 < t < 4246


def test_nadam_first_step_factor_matches_the_optimizer():
    for psi in (0.0, 0.004, 1.0):
        opt = alr.NAdam(lr=0.002, momentum_decay=psi, eps=1e-12)
        theta, _ = opt.step(np.zeros(2), np.array([3.0, -0.5]), opt.init(np.zeros(2)))
        assert_allclose(-theta / 0.002 * np.sign([3.0, -0.5]),
                        chapter.nadam_first_step_factor(0.9, psi), rtol=1e-9)
    assert_allclose(chapter.nadam_first_step_factor(0.9, 1e6), 1 + 0.9 / 1.9)


def test_schedule_table_rows():
    table = chapter.schedule_table(steps=(1, 100_000))
    assert table.rows[0][1] == "0.4501" and table.rows[1][2] == "1.0000"


def test_schedule_matches_the_optimizers_product():
    opt = alr.NAdam(momentum_decay=0.5)
    theta, state = np.zeros(1), opt.init(np.zeros(1))
    for _ in range(20):
        theta, state = opt.step(theta, np.ones(1), state)
    assert_allclose(state.mu_product,
                    np.prod(chapter.momentum_schedule(np.arange(1, 21), 0.9, 0.5)), rtol=1e-13)


# -------------------------------------------------------------------------------- RAdam


def test_radam_length_by_hand():
    n, n_inf = chapter.radam_length(1, 0.999)
    assert_allclose(n, 1.0, rtol=1e-9) and n_inf == 1999.0
    # β₂ = 0.5: n∞ = 3, n₂ = 3 − 4·0.25/0.75 = 5/3
    assert_allclose(chapter.radam_length(2, 0.5)[0], 5 / 3)
    # n_t < t and n_t → n∞
    t = np.arange(1, 2000)
    n, n_inf = chapter.radam_length(t, 0.99)
    assert np.all(n <= t + 1e-9) and np.all(np.diff(n) > 0) and n[-1] < n_inf


def test_rectification_by_hand_and_its_limits():
    n, n_inf = chapter.radam_length(6, 0.9)
    expected = math.sqrt((n - 4) * (n - 2) * n_inf / ((n_inf - 4) * (n_inf - 2) * n))
    assert_allclose(chapter.rectification(6, 0.9), expected)
    assert np.isnan(chapter.rectification(4, 0.999))     # n₄ < 4: undefined
    assert_allclose(chapter.rectification(10 ** 6, 0.999), 1.0)
    q = chapter.rectification(np.arange(6, 5000), 0.999)
    assert np.all(np.diff(q) > 0) and np.all(q < 1)


@pytest.mark.parametrize("beta2,first", [(0.9, 6), (0.99, 6), (0.999, 6), (0.6, None),
                                         (2 / 3, None)])
def test_first_rectified_step(beta2, first):
    assert chapter.first_rectified_step(beta2) == first


def test_first_rectified_step_is_where_radam_leaves_momentum_sgd():
    """Until then RAdam's step is −ρ m̂, independent of v; from then on it depends on v."""
    g = np.array([[1.0], [2.0], [-1.0], [0.5], [3.0], [1.0], [1.0]])
    from adaptive_lr.trace import trace
    small, large = trace(alr.RAdam(lr=0.1), g), trace(alr.RAdam(lr=0.1), g * 1e3)
    assert_allclose(large.deltas[:5], 1e3 * small.deltas[:5], rtol=1e-12)  # SGD: scales
    assert_allclose(large.deltas[5], small.deltas[5], rtol=1e-6)           # adaptive: doesn't


def test_rectification_table_lists_every_beta2():
    table = chapter.rectification_table(beta2s=(0.9, 0.999), steps=(6, 1000))
    assert [r[0] for r in table.rows] == ["0.9", "0.999"]
    assert table.rows[1][1] == "1999" and table.rows[1][2] == "6"


def test_rate_variance_infinite_at_first_finite_later():
    """1/|g| has no finite variance (nor mean): its estimate grows with the sample; by step
    50 the estimates agree."""
    study = chapter.rate_variance(beta2=0.999, steps=60, sizes=(1_000, 100_000), seed=1)
    assert study.growth(1) > 5
    assert abs(study.growth(50) - 1) < 0.1
    assert np.isnan(study.rectified[:4]).all() and np.isfinite(study.rectified[4:]).all()
    # the rectified variance is flatter than Adam's over steps 10 … 60
    adam = study.variances[100_000][9:]
    rect = study.rectified[9:]
    assert adam.max() / adam.min() > 5 > rect.max() / rect.min()
    assert study.table(steps=(1, 50)).rows[0][-1] == "—"


# ------------------------------------------------------------------------------ helpers


def test_span_formats_a_range_or_one_value():
    assert chapter.span([1.0, 2.0]) == "1 … 2"
    assert chapter.span([0.1234, 0.1234]) == "0.123"


def test_tuned_widens_the_grid_until_it_brackets():
    calls = []

    def score(grid):
        calls.append(np.asarray(grid).copy())
        return (np.log10(grid) - 2.0) ** 2          # best at 100

    best, grid, scores = chapter.tuned(score, np.geomspace(1e-2, 1.0, 5))
    assert best.bracketed and best.value == pytest.approx(100.0)
    assert len(grid) == len(scores) and np.all(np.diff(grid) > 0)
    assert len(calls) > 1
    best, _, _ = chapter.tuned(lambda g: (np.log10(g) + 1) ** 2, np.geomspace(1e-3, 1.0, 7))
    assert best.bracketed and best.value == pytest.approx(0.1)


def test_perturbed_task_changes_gradients_by_1e_12_only():
    task = alr.data.digits_softmax()
    twin = chapter.perturbed(task, seed=3)
    params = task.init(seed=0)
    X, y = task.X_train[:32], task.y_train[:32]
    loss, grad = task.loss_and_grad(params, X, y)
    loss2, grad2 = twin.loss_and_grad(params, X, y)
    assert loss2 == loss and isinstance(twin, type(task))
    diff = np.abs(grad2 - grad).max() / np.sqrt(np.mean(grad * grad))
    assert 0 < diff < 1e-10
    _, grad3 = twin.loss_and_grad(params, X, y)      # each call draws anew
    assert not np.array_equal(grad3, grad2)


# ------------------------------------------------------- the experiments, small versions


def test_valley_comparison_small():
    valley = chapter.valley_comparison(steps=300, grid=np.geomspace(1e-3, 1.0, 7),
                                       seeds=(0,), methods={
                                           "Adam": chapter.VALLEY_METHODS["Adam"],
                                           "RAdam": chapter.VALLEY_METHODS["RAdam"]})
    assert valley.methods == ("Adam", "RAdam")
    assert valley.verdict("RAdam") in ("holds", "fails", "flips")
    assert len(valley.table().rows) == 2
    # RAdam's tuned ρ is capped by its five SGD steps on the valley's large gradients
    assert valley.spread.values("RAdam ρ").max() < valley.spread.values("Adam ρ").min()


def test_valley_verdict_logic():
    spread = alr.robustness.Spread(
        conditions=(None, None),
        results=({"A log10 loss": -3.0, "B log10 loss": -2.0},
                 {"A log10 loss": -1.0, "B log10 loss": -2.0}))
    valley = chapter.Valley(spread, ("A", "B"))
    assert valley.verdict("A", than="B") == "flips"
    assert valley.verdict("B", than="B") == "holds"


def test_warmup_study_small():
    warm = chapter.warmup_study(epochs=1, seeds=(0,), grid=np.geomspace(1e-2, 1.0, 4),
                                hidden=4)
    assert warm.methods == ("Adam", "Adam + warm-up", "RAdam")
    assert warm.warmup == 100 and warm.steps == 43
    for method in warm.methods:
        assert warm.scores[method].shape == (1, 4)
        assert warm.perturbed[method].shape == (1,)
        low, high = warm.usable(method)
        assert low <= warm.best(method).value <= high
    assert warm.verdict_tuned("RAdam") in ("holds", "fails")     # one seed, two conditions
    assert len(warm.table().rows) == 3


def test_warmup_verdicts_on_constructed_scores():
    grid = np.array([0.1, 1.0, 10.0])
    scores = {"Adam": np.array([[0.0, -2.0, 0.0], [0.0, -2.0, 0.0]]),
              "B": np.array([[0.0, -3.0, 0.0], [0.0, -1.0, 0.0]])}
    early = {"Adam": np.array([[1.0, 1.0, 9.0], [1.0, 1.0, 9.0]]),
             "B": np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]])}
    pert = {"Adam": np.array([-2.0, -2.0]), "B": np.array([-3.0, -1.0])}
    warm = chapter.Warmup(grid, scores, early, pert, 10, 100, 0.9)
    assert warm.verdict_tuned("B") == "flips"
    assert warm.verdict_tames("B") == "holds" and warm.blow_up("B") == 2.0


def test_eps_study_small_and_the_sgd_limit():
    eps = chapter.eps_study(eps_values=(1e-8, 100.0), epochs=1, seeds=(0,))
    assert eps.per_seed.shape == (2, 1) and eps.perturbed.shape == (2, 1)
    assert all(b.bracketed for b in eps.best) and eps.sgd.bracketed
    # large ε: Adam's tuned rate, as a momentum-SGD rate, sits near SGD's tuned one
    ratio = eps.sgd_equivalent()[-1] / eps.sgd.value
    assert 0.3 < ratio < 3
    assert set(eps.verdicts()) == {"tuned ε beats 1e-8", "large ε between"}
    assert len(eps.table().rows) == 3


def test_adam_with_huge_eps_is_momentum_sgd():
    """The identity behind the ε study: ε ≫ √v̂ makes Adam's step −(ρ/ε) m̂, which is the
    package's SGD(lr=ρ(1 − β₁)/ε, momentum=β₁) once the bias correction has faded."""
    from adaptive_lr.trace import trace
    rng = np.random.default_rng(5)
    g = rng.normal(size=(300, 3))
    adam = trace(alr.Adam(lr=1.0, eps=1e8), g)
    sgd = trace(alr.SGD(lr=0.1 / 1e8, momentum=0.9), g)
    assert_allclose(adam.deltas[200:], sgd.deltas[200:], rtol=1e-6, atol=1e-16)


# ---------------------------------------------------------------------------- figures


@pytest.mark.parametrize("make", [
    lambda: chapter.figure_spike(chapter.spike(steps=300, at=50, size=10.0)),
    lambda: chapter.figure_schedules(),
    lambda: chapter.figure_variance(chapter.rate_variance(steps=20, sizes=(100, 1000))),
])
def test_figures_render_with_alt_text(make):
    row = make()
    assert row.pngs and all(alt for alt in row.alts)
    assert "<img" in row._repr_html_()


def test_the_three_defaults_are_pytorchs():
    assert repr(alr.Adamax()) == repr(alr.Adamax(lr=0.002, betas=(0.9, 0.999), eps=1e-8))
    assert repr(alr.NAdam()) == repr(alr.NAdam(lr=0.002, betas=(0.9, 0.999), eps=1e-8,
                                                momentum_decay=0.004))
    assert repr(alr.RAdam()) == repr(alr.RAdam(lr=0.001, betas=(0.9, 0.999), eps=1e-8))
    assert_array_equal(alr.Adamax().betas, (0.9, 0.999))
