"""Tests of adaptive_lr.chapters.how_to_use: the fair GD/AdaGrad comparison of the page."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import adaptive_lr as alr
from adaptive_lr import objectives
from adaptive_lr.chapters import how_to_use as H

BOWL = objectives.ill_conditioned(25.0)


def test_first_step_table_by_hand():
    opt = alr.AdaGrad(lr=0.1)
    theta, grad = np.array([1.0, -2.0]), np.array([3.0, -0.001])
    theta_next, state = opt.step(theta, grad, opt.init(theta))
    table = H.first_step_table(theta, grad, theta_next, state.r)
    assert table.headers == ["coordinate", "Θ", "g", "ΔΘ", "new Θ", "r"]
    assert table.rows[0] == ["θ₁", "1", "3", "-0.1", "0.9", "9"]
    assert table.rows[1][3] == "0.1" and table.rows[1][5] == "1e-06"


def test_tuning_brackets_each_optimum_on_its_own_grid():
    gd, ada = H.tuned_pair(BOWL)
    assert gd.best.bracketed and ada.best.bracketed
    # GD's best sits below its ceiling 2/25, and every rate above it fails
    assert gd.best.value < 2 / 25
    assert np.isnan(gd.settle[gd.grid > 2 / 25]).all()
    # AdaGrad's tuned rate is not GD's: the same number means different things
    assert ada.best.value > 10 * gd.best.value
    assert ada.best.score < gd.best.score
    assert ada.optimizer().name == "AdaGrad" and gd.optimizer(0.01).lr == 0.01


def test_runs_whose_loss_rises_above_the_start_are_left_out():
    grid = np.array([0.5, 1.0, 3.0, 30.0, 300.0])
    ada = H.tune("AdaGrad", BOWL, grid=grid)
    run = alr.minimize(alr.AdaGrad(lr=grid[:, None]), BOWL, np.tile(BOWL.start, (5, 1)),
                       H.STEPS)
    rose = np.nanmax(run.losses, axis=0) > run.losses[0]
    assert rose.tolist() == [False, False, False, True, True]
    # without the rule the largest rates would win: they settle in fewer steps
    raw = run.settle_step(H.TOLERANCE)
    assert raw[-1] < raw[2]
    assert np.isnan(ada.settle[rose]).all() and ada.excluded == 2
    assert ada.best.value == 3.0


def test_tune_validates_the_name():
    with pytest.raises(ValueError, match="GD"):
        H.tune("Adam", BOWL)


def test_tables_and_numbers():
    gd, ada = H.tuned_pair(BOWL)
    table = H.tuning_table(gd, ada)
    assert [r[0] for r in table.rows] == ["GD", "AdaGrad"]
    numbers = H.tuning_numbers(gd, ada)
    assert numbers["gd-steps"] == int(gd.best.score) and numbers["ada-rate"] == ada.best.value
    runs = {t.name: alr.minimize(t.optimizer(), BOWL, BOWL.start, 20) for t in (gd, ada)}
    rates = H.rate_table(runs)
    assert rates.headers[-1] == "step 20, θ₂"
    assert rates.rows[0][1:] == [f"{gd.best.value:.3g}"] * 4


def test_tuned_spread_adagrad_settles_first_under_the_protocol():
    spread = H.tuned_spread(BOWL, seeds=(0,))
    numbers = H.spread_numbers(spread)
    assert numbers["verdict-faster"] == "holds" and numbers["all-bracketed"] == "yes"
    assert numbers["ratio-low"] > 1
    assert numbers["ratio-noisy-low"] <= numbers["ratio-noisy-high"]


def test_divergence_table_and_numbers():
    rates = np.array([[0.05], [0.085]])
    batch = alr.minimize(alr.SGD(lr=rates), BOWL, np.tile(BOWL.start, (2, 1)), 100)
    table = H.divergence_table(batch, rates)
    assert table.rows[0][1] == "no divergence detected"
    assert table.rows[1][1].startswith("diverged at step 60")
    spread = H.divergence_spread(rates, BOWL, steps=100, seeds=(0,))
    numbers = H.divergence_numbers(spread)
    assert numbers["verdict-diverge"] == "holds" and numbers["diverge-shift"] >= 0


def test_multiples_gd_diverges_past_its_ceiling_adagrad_does_not():
    gd, ada = H.tuned_pair(BOWL)
    multiples = [0.5, 1.0, 1.5]
    spread = H.multiple_spread(multiples, gd.best.value, ada.best.value, BOWL, seeds=(0,))
    numbers = H.multiple_numbers(spread, multiples)
    assert numbers["gd-diverges"] == 1.5 and numbers["multiple-max"] == 1.5
    assert numbers["verdict-multiples"] == "holds"


def test_figure_runs_panels():
    gd, ada = H.tuned_pair(BOWL)
    runs = {t.name: alr.minimize(t.optimizer(), BOWL, BOWL.start, 30) for t in (gd, ada)}
    row = H.figure_runs(BOWL, runs, path_steps=20)
    assert len(row.pngs) == 2 and all(row.alts)
    assert_allclose(H.GD_GRID[[0, -1]], [0.001, 0.2])
