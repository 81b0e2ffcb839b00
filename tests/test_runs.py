"""Tests of the runner (adaptive_lr.runs) and of divergence detection (adaptive_lr.divergence).

The objectives here are tiny local classes with closed forms, so the expected trajectories,
divergence steps and hitting times are computed independently of the package.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr import DivergenceMonitor, hyper_grid, minimize, objectives


class Quadratic:
    """f(θ, s) = ½ Σ aᵢ (θᵢ − s·drift)², vectorized over leading axes.

    ``drift`` makes the objective depend on the step number, so a test can see which step
    the runner passes to ``value`` and ``grad``.
    """

    def __init__(self, a, drift=0.0):
        self.a = np.asarray(a, dtype=float)
        self.drift = drift

    def value(self, theta, step=0):
        return 0.5 * np.sum(self.a * (theta - step * self.drift) ** 2, axis=-1)

    def grad(self, theta, step=0):
        return self.a * (theta - step * self.drift)


A = [1.0, 4.0]
THETA0 = np.array([1.0, 1.0])


def sgd_loss(lr, k, a=A, theta0=THETA0):
    """Closed form of SGD on the quadratic: θₖ = (1 − lr·a)ᵏ θ₀."""
    return sum(0.5 * ai * ((1 - lr * ai) ** k * t0) ** 2 for ai, t0 in zip(a, theta0))


# -------------------------------------------------------------------------- recording


@pytest.mark.parametrize("theta0", [THETA0, np.tile(THETA0, (3, 1)),
                                    np.tile(THETA0, (2, 3, 1))], ids=["single", "n", "grid"])
def test_record_shapes_and_start(theta0):
    batch = theta0.shape[:-1]
    lr = 0.1 if not batch else np.linspace(0.05, 0.2, math.prod(batch)).reshape(batch + (1,))
    steps = 7
    before = theta0.copy()
    run = minimize(alr.RMSProp(lr=lr), Quadratic(A), theta0, steps)
    assert run.thetas.shape == (steps + 1,) + theta0.shape
    assert run.losses.shape == (steps + 1,) + batch
    assert run.lrs.shape == (steps,) + theta0.shape
    assert run.diverged_at.shape == batch
    assert_array_equal(run.thetas[0], theta0)
    assert_array_equal(run.losses[0], Quadratic(A).value(theta0))
    assert_array_equal(run.final_theta, run.thetas[-1])
    assert_array_equal(run.final_loss, run.losses[-1])
    assert not run.diverged.any()
    assert_array_equal(theta0, before)          # theta0 is copied, not updated
    assert run.message(()) if not batch else run.message((0,) * len(batch))


@pytest.mark.parametrize("opt", [alr.SGD(lr=0.1, momentum=0.9), alr.AdaGrad(lr=0.5),
                                 alr.RMSProp(lr=0.05, centered=True), alr.AdaDelta(),
                                 alr.Adam(lr=0.1, amsgrad=True)], ids=repr)
def test_minimize_equals_a_manual_loop(opt):
    objective = Quadratic(A, drift=0.01)
    steps = 12
    run = minimize(opt, objective, THETA0, steps)
    theta, state = THETA0.copy(), opt.init(THETA0)
    for t in range(steps):
        theta, state = opt.step(theta, objective.grad(theta, t), state)
        assert_array_equal(run.thetas[t + 1], theta)
        assert_array_equal(run.losses[t + 1], objective.value(theta, t + 1))
        assert_array_equal(run.lrs[t], np.broadcast_to(opt.effective_lr(state), theta.shape))


def test_float32_run_stays_float32():
    run = minimize(alr.Adam(lr=0.1), Quadratic(A), THETA0.astype(np.float32), 5)
    assert run.thetas.dtype == np.float32
    assert run.losses.dtype == np.float32


def test_sgd_trajectory_matches_closed_form():
    lr, steps = 0.1, 10
    run = minimize(alr.SGD(lr=lr), Quadratic(A), THETA0, steps)
    k = np.arange(steps + 1)[:, None]
    assert_allclose(run.thetas, (1 - lr * np.array(A)) ** k * THETA0, rtol=1e-13)
    assert_allclose(run.losses, [sgd_loss(lr, j) for j in range(steps + 1)], rtol=1e-13)


# ------------------------------------------------------------------------- divergence


LRS = [0.05, 0.3, 0.6, 1e200, 1e308]


def first_explosion(lr, explode=1e6):
    """First k with loss_k > explode · max(1, |loss_0|), from the closed form."""
    limit = explode * max(1.0, sgd_loss(lr, 0))
    return next(k for k in range(1, 1000) if sgd_loss(lr, k) > limit)


def test_one_diverging_run_does_not_disturb_the_others():
    steps = 40
    theta0 = np.tile(THETA0, (len(LRS), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no RuntimeWarning (overflow, invalid) escapes
        run = minimize(alr.SGD(lr=np.array(LRS)[:, None]), Quadratic(A), theta0, steps)
    # lr = 0.6: 0.6·4 = 2.4 > 2, the second coordinate grows by 1.4 per step until the loss
    # passes 1e6 · 2.5; lr = 1e200: θ₁ ≈ −4e200 is finite but its loss overflows;
    # lr = 1e308: 1e308 · 4 overflows, so θ₁ itself is infinite.
    expected = [-1, -1, first_explosion(0.6), 1, 1]
    assert expected[2] == 21
    assert_array_equal(run.diverged_at, expected)
    assert_array_equal(run.diverged, [False, False, True, True, True])
    assert run.message(0) == run.message(1) and "diverged" not in run.message(0)
    assert run.message(2).startswith("diverged at step 21: ")
    assert "exploded above 2.5e+06" in run.message(2)
    assert run.message(3) == "diverged at step 1: non-finite loss"
    assert run.message(4).startswith("diverged at step 1: non-finite")
    for i, k in enumerate(expected):
        if k < 0:
            continue
        assert np.all(np.isfinite(run.thetas[:k, i])) and np.all(np.isfinite(run.losses[:k, i]))
        assert np.all(np.isnan(run.thetas[k:, i])) and np.all(np.isnan(run.losses[k:, i]))
    # before it diverged, the lr = 0.6 run followed the closed form
    assert_allclose(run.losses[:21, 2], [sgd_loss(0.6, j) for j in range(21)], rtol=1e-12)
    # the healthy runs equal their solo runs, bit for bit
    for i in (0, 1):
        solo = minimize(alr.SGD(lr=LRS[i]), Quadratic(A), THETA0, steps)
        assert_array_equal(run.thetas[:, i], solo.thetas)
        assert_array_equal(run.losses[:, i], solo.losses)
        assert_array_equal(run.lrs[:, i], np.broadcast_to(solo.lrs, run.lrs[:, i].shape))
        assert solo.diverged_at == -1


@pytest.mark.parametrize("opt", [alr.AdaGrad(lr=1e300), alr.RMSProp(lr=1e300),
                                 alr.Adam(lr=1e300), alr.AdaDelta(lr=1e300),
                                 alr.SGD(lr=1e300, momentum=0.9)], ids=repr)
def test_no_warning_escapes_from_a_blow_up(opt):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(opt, Quadratic(A), THETA0, 5)
    assert run.diverged_at == 1 or run.diverged_at == 2
    assert "diverged at step" in run.message()
    assert np.isnan(run.final_loss)


def test_explode_factor_is_used():
    # lr = 0.6 from loss 2.5: with explode = 10 the run stops once the loss passes 25
    run = minimize(alr.SGD(lr=0.6), Quadratic(A), THETA0, 30, explode=10.0)
    assert run.diverged_at == first_explosion(0.6, explode=10.0)
    assert "exploded above 25" in run.message()


def test_huge_initial_loss_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(alr.SGD(lr=1e-3), Quadratic(A), np.array([1e152, 0.0]), 3)
    assert run.diverged_at == -1


# --------------------------------------------------------------------------- steps_to


def test_steps_to_matches_the_closed_form():
    lrs = [0.05, 0.1, 0.2, 0.6]
    steps = 60
    theta0 = np.tile(THETA0, (len(lrs), 1))
    run = minimize(alr.SGD(lr=np.array(lrs)[:, None]), Quadratic(A), theta0, steps)
    for tolerance in (1e-2, 1e-6):
        expected = []
        for lr in lrs:
            hits = [k for k in range(steps + 1) if sgd_loss(lr, k) <= tolerance]
            expected.append(hits[0] if hits else -1)
        assert_array_equal(run.steps_to(tolerance), expected)
    assert run.steps_to(1e-2)[3] == -1           # the diverged run never gets there
    assert_array_equal(run.steps_to(10.0), 0)    # the start already satisfies it
    assert run.steps_to(1e-2)[0] > run.steps_to(1e-2)[1] > 0


def test_steps_to_for_a_single_run():
    run = minimize(alr.SGD(lr=0.1), Quadratic(A), THETA0, 100)
    hits = [k for k in range(101) if sgd_loss(0.1, k) <= 1e-3]
    assert run.steps_to(1e-3) == hits[0]
    assert run.steps_to(-1.0) == -1


def test_record_every_subsamples_the_full_record():
    full = minimize(alr.Adam(lr=0.1), Quadratic(A), THETA0, 10)
    sparse = minimize(alr.Adam(lr=0.1), Quadratic(A), THETA0, 10, record_every=4)
    assert_array_equal(sparse.steps, [0, 4, 8, 10])
    assert_array_equal(sparse.thetas, full.thetas[[0, 4, 8, 10]])
    assert_array_equal(sparse.losses, full.losses[[0, 4, 8, 10]])
    assert_array_equal(sparse.lrs, full.lrs[[3, 7, 9]])
    assert_array_equal(full.steps, np.arange(11))
    tol = float(full.losses[6])
    assert full.steps_to(tol) == 6 and sparse.steps_to(tol) == 8


# ---------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("steps,error", [(0, ValueError), (-3, ValueError), (2.0, TypeError),
                                         (True, TypeError), ("10", TypeError),
                                         (None, TypeError)])
def test_bad_steps_raise_naming_steps(steps, error):
    with pytest.raises(error, match="steps must be"):
        minimize(alr.SGD(lr=0.1), Quadratic(A), THETA0, steps)


def test_numpy_integer_steps_are_accepted():
    run = minimize(alr.SGD(lr=0.1), Quadratic(A), THETA0, np.int64(3))
    assert run.thetas.shape == (4, 2)


def test_integer_theta0_is_refused():
    with pytest.raises(TypeError, match="theta0"):
        minimize(alr.SGD(lr=0.1), Quadratic(A), np.array([1, 1]), 3)


def test_hyperparameters_that_do_not_fit_the_batch():
    with pytest.raises(ValueError, match=r"lr has shape \(3, 1\)"):
        minimize(alr.SGD(lr=np.full((3, 1), 0.1)), Quadratic(A), np.ones((2, 2)), 3)


# -------------------------------------------------------------------------- hyper_grid


def test_hyper_grid_shapes_and_order():
    arrays, shape = hyper_grid(lr=[0.1, 0.01], alpha=[0.9, 0.99, 0.999])
    assert shape == (2, 3)
    assert list(arrays) == ["lr", "alpha"]
    assert arrays["lr"].shape == arrays["alpha"].shape == (6, 1)
    # the first axis varies slowest ('ij' order), so reshape(shape)[i, j] is (lr[i], alpha[j])
    assert_array_equal(arrays["lr"].ravel(), [0.1, 0.1, 0.1, 0.01, 0.01, 0.01])
    assert_array_equal(arrays["alpha"].ravel(), [0.9, 0.99, 0.999] * 2)
    assert_array_equal(arrays["alpha"].reshape(shape)[1], [0.9, 0.99, 0.999])
    one, shape1 = hyper_grid(eps=np.array([1e-8, 1e-4]))
    assert shape1 == (2,) and one["eps"].shape == (2, 1)
    three, shape3 = hyper_grid(lr=[1, 2], alpha=[0.5], eps=[1e-3, 1e-2, 1e-1, 1.0])
    assert shape3 == (2, 1, 4) and three["eps"].shape == (8, 1)
    assert three["eps"].dtype == np.float64


def test_hyper_grid_sweep_equals_solo_runs():
    lrs, alphas = [0.01, 0.1], [0.0, 0.9, 0.99]
    arrays, shape = hyper_grid(lr=lrs, alpha=alphas)
    theta0 = np.tile(THETA0, (arrays["lr"].shape[0], 1))
    final = minimize(alr.RMSProp(**arrays), Quadratic(A), theta0, 8).final_loss.reshape(shape)
    for i, lr in enumerate(lrs):
        for j, alpha in enumerate(alphas):
            solo = minimize(alr.RMSProp(lr=lr, alpha=alpha), Quadratic(A), THETA0, 8)
            assert_allclose(final[i, j], solo.final_loss, rtol=1e-15, atol=0)


@pytest.mark.parametrize("axes,match", [({}, "at least one"), ({"lr": []}, "lr must be"),
                                        ({"lr": [[0.1, 0.2]]}, "lr must be"),
                                        ({"lr": [0.1], "alpha": 0.9}, "alpha must be")])
def test_hyper_grid_errors(axes, match):
    with pytest.raises(ValueError, match=match):
        hyper_grid(**axes)


# ------------------------------------------------------------------ DivergenceMonitor


def test_monitor_non_finite_parameters():
    monitor = DivergenceMonitor(np.array([1.0, 2.0, 3.0]))
    theta = np.array([[0.0, 1.0], [np.nan, 1.0], [0.0, -np.inf]])
    new = monitor.update(1, theta, np.array([1.0, np.nan, np.inf]))
    assert_array_equal(new, [False, True, True])
    assert_array_equal(monitor.diverged_at, [-1, 1, 1])
    # parameters are named first when both they and the loss are bad
    assert monitor.message(1) == "diverged at step 1: non-finite parameters"
    assert monitor.message(2) == "diverged at step 1: non-finite parameters"
    assert "diverged" not in monitor.message(0)


def test_monitor_non_finite_parameters_with_finite_loss():
    monitor = DivergenceMonitor(np.array([1.0, 2.0]))
    monitor.update(1, np.array([[0.0, 1.0], [np.nan, 1.0]]), np.array([1.0, 2.0]))
    assert_array_equal(monitor.diverged_at, [-1, 1])


def test_monitor_non_finite_loss_and_first_step_is_kept():
    monitor = DivergenceMonitor(np.array([1.0, 2.0]))
    assert not monitor.update(1, np.zeros((2, 3)), np.array([1.0, 2.0])).any()
    assert_array_equal(monitor.update(2, np.zeros((2, 3)), np.array([np.nan, 2.0])),
                       [True, False])
    assert_array_equal(monitor.update(3, None, np.array([np.inf, -np.inf])), [False, True])
    assert_array_equal(monitor.diverged_at, [2, 3])   # run 0 keeps its first step
    assert monitor.message(0) == "diverged at step 2: non-finite loss"
    assert monitor.message(1) == "diverged at step 3: non-finite loss"
    assert_array_equal(monitor.diverged, [True, True])


def test_monitor_exploding_loss():
    # limits: 10 · max(1, |0.5|) = 10 and 10 · max(1, |−20|) = 200
    monitor = DivergenceMonitor(np.array([0.5, -20.0]), explode=10)
    assert not monitor.update(1, None, np.array([10.0, 200.0])).any()   # equal is fine
    assert_array_equal(monitor.update(2, None, np.array([10.001, 199.0])), [True, False])
    assert_array_equal(monitor.update(3, None, np.array([5.0, 201.0])), [False, True])
    assert_array_equal(monitor.diverged_at, [2, 3])
    assert monitor.message(0).startswith("diverged at step 2: ")
    assert "exploded above 10" in monitor.message(0)
    assert "exploded above 200" in monitor.message(1)


def test_monitor_initial_loss_and_scalar_batch():
    monitor = DivergenceMonitor(np.array([np.nan, 1.0]))
    assert_array_equal(monitor.diverged_at, [0, -1])
    assert monitor.message(0) == "diverged at step 0: non-finite loss"
    single = DivergenceMonitor(3.0)
    assert single.diverged_at.shape == ()
    assert not single.update(1, np.array([1.0, 2.0]), 3.0)
    assert single.update(2, np.array([np.inf, 2.0]), np.inf)
    assert single.message().startswith("diverged at step 2: non-finite")


def test_monitor_infinite_initial_loss_is_divergence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monitor = DivergenceMonitor(np.array([np.inf, 1e305, 1.0]))
    assert_array_equal(monitor.diverged_at, [0, -1, -1])
    # the huge start gets an infinite-looking limit, but an infinite loss still counts
    assert_array_equal(monitor.update(1, None, np.array([np.nan, np.inf, 2e6])),
                       [False, True, True])
    assert monitor.message(1) == "diverged at step 1: non-finite loss"


@pytest.mark.parametrize("explode", [1.0, 0.5, 0.0, -3.0, float("nan")])
def test_monitor_explode_must_exceed_one(explode):
    with pytest.raises(ValueError, match="explode must be > 1"):
        DivergenceMonitor(np.array([1.0]), explode=explode)
    with pytest.raises(ValueError, match="explode must be > 1"):
        minimize(alr.SGD(lr=0.1), Quadratic(A), THETA0, 3, explode=explode)


def test_settle_step():
    from types import SimpleNamespace

    per_run = [[5.0, 5.0, 5.0, 0.5], [0.5, 5.0, 0.5, 0.5], [0.5, 0.5, 5.0, 0.5],
               [0.5, 0.5, 0.5, np.nan], [0.5, 0.5, 0.5, 0.5]]
    run = SimpleNamespace(steps=np.array([0, 10, 20, 30]), losses=np.array(per_run).T)
    assert alr.runs.settle_step(run.steps, run.losses, 1.0).tolist() == [30, 20, 30, -1, 0]
    real = alr.minimize(alr.SGD(lr=0.1), objectives.ill_conditioned(5.0),
                        objectives.ill_conditioned(5.0).start, 200)
    assert int(real.settle_step(1e-6)) == int(real.steps_to(1e-6))  # monotone


def test_fastest():
    steps = np.array([[-1, 40, 30, 30], [-1, -1, -1, -1]])
    best, value = alr.runs.fastest(steps, [1.0, 2.0, 3.0, 4.0])
    assert best.tolist() == [30, -1]
    assert value[0] == 3.0 and np.isnan(value[1])


# ------------------------------------------------------------------- bad input


def test_minimize_refuses_what_is_not_an_optimizer_or_an_objective():
    bowl = objectives.ill_conditioned()
    with pytest.raises(TypeError, match=r"optimizer instance, e.g. Adam\(\), not the class"):
        minimize(alr.Adam, bowl, bowl.start, 3)
    with pytest.raises(TypeError, match="opt must be an optimizer"):
        minimize("adam", bowl, bowl.start, 3)
    with pytest.raises(TypeError, match="objective must have value"):
        minimize(alr.Adam(), None, bowl.start, 3)
    with pytest.raises(ValueError, match="at least one axis"):
        minimize(alr.Adam(), bowl, np.float64(1.0), 3)
    with pytest.raises(TypeError, match="not the class SGD"):
        alr.train(alr.SGD, alr.data.sparse_logistic(n_samples=200), np.zeros(51))


@pytest.mark.parametrize("values, error, match", [
    (["a"], TypeError, "lr must be a real number"),
    ([1 + 2j], TypeError, "lr must be a real number"),
    ([True, False], TypeError, "lr must be a real number"),
    ([0.1, np.nan], ValueError, "lr must be finite"),
    ([], ValueError, "non-empty 1-D"),
    ([[0.1]], ValueError, "non-empty 1-D"),
])
def test_hyper_grid_refuses_what_is_not_a_list_of_real_numbers(values, error, match):
    with pytest.raises(error, match=match):
        hyper_grid(lr=values)
    assert hyper_grid(lr=[-1, 2])[0]["lr"].tolist() == [[-1.0], [2.0]]  # any real value


def test_rates_of_a_diverged_run_are_nan_like_its_parameters_and_losses():
    bowl = objectives.ill_conditioned()
    lr = np.array([[0.01], [1.0]])  # the second run diverges
    for opt in (alr.SGD(lr=lr), alr.Adam(lr=lr * 1e5)):  # Adam: steps of about ρ explode
        run = minimize(opt, bowl, np.tile(bowl.start, (2, 1)), 40)
        assert run.diverged.tolist() == [False, True]
        after = run.steps[1:] >= run.diverged_at[1]  # the diverging step is frozen too
        assert np.isnan(run.lrs[after, 1]).all() and np.isnan(run.thetas[1:][after, 1]).all()
        assert np.isfinite(run.lrs[:, 0]).all()
        assert np.isfinite(run.lrs[~after, 1]).all()


def test_train_freezes_a_diverged_run_as_minimize_does():
    task = alr.data.sparse_logistic(n_samples=200)
    params0 = np.tile(task.init(0), (2, 1))
    result = alr.train(alr.SGD(lr=np.array([[0.1], [1e9]])), task, params0, epochs=2)
    assert result.diverged_at[0] == -1 and result.diverged_at[1] >= 0
    assert np.isnan(result.params[1]).all() and np.isfinite(result.params[0]).all()
    assert np.isnan(result.epoch_train_loss[-1, 1])


# ------------------------------------------------------------------- schedules


def test_a_schedule_runs_one_optimizer_per_step_sharing_the_state():
    from adaptive_lr.schedules import scheduled, step_decay
    bowl = objectives.ill_conditioned()
    rates = step_decay(0.03, 40, every=20, factor=0.1)
    run = minimize(scheduled(lambda lr: alr.RMSProp(lr=lr, alpha=0.9), rates), bowl,
                   bowl.start, 40)
    theta, state = bowl.start.copy(), None
    for t, lr in enumerate(rates):
        opt = alr.RMSProp(lr=lr, alpha=0.9)
        state = opt.init(theta) if state is None else state
        theta, state = opt.step(theta, bowl.grad(theta, t), state)
    assert_array_equal(run.final_theta, theta)
    # the rates are each step's own optimizer's, as trace records them
    schedule = scheduled(lambda lr: alr.RMSProp(lr=lr, alpha=0.9), rates)
    assert_array_equal(run.lrs, alr.trace.trace(schedule, bowl, bowl.start, 40).rates)
    assert run.lrs[25, 0] < run.lrs[15, 0] / 5                       # ρ fell tenfold at 20
    with pytest.raises(ValueError, match="cannot run 41 steps"):
        minimize(scheduled(lambda lr: alr.SGD(lr=lr), rates), bowl, bowl.start, 41)
    with pytest.raises(TypeError, match="one kind"):
        minimize([alr.SGD(lr=0.1), alr.Adam()], bowl, bowl.start, 2)


def test_train_follows_a_schedule():
    from adaptive_lr.schedules import scheduled
    task = alr.data.sparse_logistic(n_samples=200)
    params0 = task.init(0)
    steps = 2 * -(-len(task.y_train) // 32)
    constant = alr.train(alr.SGD(lr=0.5), task, params0, epochs=2)
    same = alr.train(scheduled(lambda lr: alr.SGD(lr=lr), [0.5] * steps), task, params0,
                     epochs=2)
    assert_array_equal(constant.params, same.params)
    with pytest.raises(ValueError, match="cannot run"):
        alr.train(scheduled(lambda lr: alr.SGD(lr=lr), [0.5] * (steps - 1)), task, params0,
                  epochs=2)
