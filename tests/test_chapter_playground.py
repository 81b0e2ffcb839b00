"""Tests of adaptive_lr.race: the gallery race and the real-data tuning."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr import data, objectives
from adaptive_lr.chapters import playground as race


@pytest.fixture(scope="module")
def small_race():
    objs = {"quadratic": objectives.ill_conditioned(), "saddle": objectives.Saddle()}
    lineup = {k: v for k, v in race.lineup().items() if k in ("GD", "AdaGrad", "Adam")}
    return race.race(objs, lineup, lrs=[0.01, 0.1, 1.0], steps=80, tolerance=1e-3, window=5)


def test_lineup_has_the_six_optimizers_with_stated_settings():
    lineup = race.lineup()
    assert list(lineup) == ["GD", "momentum", "AdaGrad", "RMSProp", "AdaDelta", "Adam"]
    opt = lineup["RMSProp"](0.01)
    assert isinstance(opt, alr.RMSProp) and float(opt.alpha) == 0.9
    assert float(lineup["momentum"](0.1).momentum) == 0.9
    assert [make(0.1).name for make in lineup.values()] == list(lineup)
    text = str(race.settings_table(lineup))
    assert "alpha=0.9" in text and "momentum=0.9" in text and "0.0001 … 100 (13 values)" in text


def test_grid_is_half_decades():
    assert_allclose(np.log10(race.LR_GRID), np.arange(-4, 2.01, 0.5))


def test_settle_step_ignores_visits_the_run_leaves_again():
    steps = np.arange(6)
    gaps = np.array([[5.0, 5.0, 5.0],
                     [1e-4, 2.0, 5.0],     # run 0 dips below early, leaves, returns at step 4
                     [3.0, 1e-4, 5.0],
                     [2.0, 1e-4, np.nan],  # run 2 diverged
                     [1e-4, 1e-4, np.nan],
                     [1e-4, 1e-4, np.nan]])
    assert_array_equal(alr.runs.settle_step(steps, gaps, 1e-3), [4, 2, -1])
    # a run inside from the start settles at step 0
    assert_array_equal(alr.runs.settle_step(steps, np.zeros((6, 1)), 1e-3), [0])


def test_heats_match_separate_runs(small_race):
    heat = small_race.heat("quadratic", "Adam")
    obj = small_race.objectives["quadratic"]
    for i, lr in enumerate([0.01, 0.1, 1.0]):
        single = alr.minimize(alr.Adam(lr=lr), obj, obj.start, 80)
        assert_allclose(heat.run.thetas[:, i], single.thetas, rtol=1e-12, atol=1e-15)
        gaps = single.losses - obj.f_min
        assert heat.scores[i] == pytest.approx(np.median(np.maximum(gaps[-5:], 0)))


def test_best_is_the_lowest_score_and_diverged_runs_never_win(small_race):
    heat = small_race.heat("quadratic", "GD")
    # GD diverges on κ = 25 for ρ > 2/25
    assert heat.run.diverged.tolist() == [False, True, True]
    assert heat.scores[1] == np.inf and heat.best == 0 and heat.best_lr == 0.01
    assert heat.n_diverged == 2


def test_tables_print_every_setting(small_race):
    start = str(small_race.start_table())
    assert "(-4, 1.5)" in start and "(1, 0.001)" in start and "-0.25" in start
    results = str(small_race.results_table("quadratic"))
    assert results.splitlines()[0].split()[:3] == ["optimizer", "best", "ρ"]
    assert len(results.splitlines()) == 2 + 3
    summary = str(small_race.summary_table())
    assert "winner" in summary and len(summary.splitlines()) == 2 + 2
    robust = str(small_race.robustness_table())
    assert "/6" in robust   # 3 ρ × 2 objectives


def test_winner_prefers_the_earliest_settling(small_race):
    key = "saddle"
    settles = {n: small_race.heat(key, n).best_settle for n in small_race.optimizers}
    settled = {n: s for n, s in settles.items() if s >= 0}
    assert small_race.winner(key) == min(settled, key=settled.get)


def test_race_validates_its_settings():
    objs = {"q": objectives.ill_conditioned()}
    with pytest.raises(ValueError, match="lrs"):
        race.race(objs, race.lineup(), lrs=[0.1, -1.0])
    with pytest.raises(ValueError, match="window"):
        race.race(objs, race.lineup(), steps=5, window=10)
    with pytest.raises(ValueError, match="tolerance"):
        race.race(objs, race.lineup(), tolerance=0.0)


def test_draw_puts_one_path_per_optimizer(small_race):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    race.draw(ax, small_race, "quadratic")
    labels = [line.get_label() for line in ax.get_lines()]
    assert [lab for lab in labels if lab in small_race.optimizers] == list(small_race.optimizers)
    plt.close(fig)


# --------------------------------------------------------------------- real-data tuning


@pytest.fixture(scope="module")
def task():
    return data.digits_softmax()


def test_tune_is_one_batched_training_that_equals_separate_runs(task):
    lrs = [0.01, 0.1]
    t = race.tune("Adam", lambda lr: alr.Adam(lr=lr), task, default_lr=1e-3, lrs=lrs,
                  epochs=1, seed=3)
    assert t.training.params.shape == (2, task.n_params)
    for i, lr in enumerate(lrs):
        single = alr.train(alr.Adam(lr=lr), task, task.init(3), epochs=1, seed=3)
        assert_allclose(t.training.params[i], single.params, rtol=1e-10, atol=1e-12)
    default = alr.train(alr.Adam(lr=1e-3), task, task.init(3), epochs=1, seed=3)
    assert_allclose(t.default.params, default.params, rtol=1e-10, atol=1e-12)
    assert t.best == int(np.argmin(t.final_loss)) and t.best_lr == lrs[t.best]
    loss, acc = t.curves("tuned")
    assert loss.shape == acc.shape == (2,)
    assert loss[-1] == t.final_loss[t.best]
    with pytest.raises(ValueError, match="which"):
        t.curves("best")


def test_tuning_skips_diverged_runs_and_tables_them(task):
    t = race.tune("GD", lambda lr: alr.SGD(lr=lr), task, default_lr=0.01,
                  lrs=[0.1, 1e12], epochs=1)
    assert (t.training.diverged_at >= 0).tolist() == [False, True]
    assert t.best == 0
    text = str(race.tuning_table([t]))
    assert text.splitlines()[-1].split()[-1] == "1"


def test_seed_spread_gives_one_value_per_seed(task):
    losses, accs = race.seed_spread(lambda lr: alr.SGD(lr=lr), 0.1, task, seeds=[0, 1],
                                    epochs=1)
    assert losses.shape == accs.shape == (2,)
    assert losses[0] != losses[1]
    again, _ = race.seed_spread(lambda lr: alr.SGD(lr=lr), 0.1, task, seeds=[0], epochs=1)
    assert again[0] == losses[0]


def test_single_threaded_limits_blas():
    from threadpoolctl import threadpool_info

    with race.single_threaded():
        assert all(pool["num_threads"] == 1 for pool in threadpool_info()
                   if pool["user_api"] == "blas")
