"""Tests of adaptive_lr.data's tasks (losses, gradients, batching, data) and of the minibatch
trainer that runs on them, adaptive_lr.runs.train."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from adaptive_lr.data import (MLPTask, SoftmaxTask, Task, digits_mlp, digits_softmax,
                              sparse_logistic)
from adaptive_lr.runs import train


class GD:
    """Gradient descent, optionally heavy-ball, with the optimizers' init/step interface."""

    def __init__(self, lr, momentum=0.0):
        self.lr, self.momentum = np.asarray(lr, dtype=float), momentum

    def init(self, params):
        return np.zeros_like(params)

    def step(self, params, grad, velocity):
        velocity = self.momentum * velocity + grad
        return params - self.lr * velocity, velocity


class NoStep:
    def init(self, params):
        return None


@pytest.fixture(scope="module")
def softmax():
    return digits_softmax(l2=0.01)


@pytest.fixture(scope="module")
def plain_softmax():
    return digits_softmax()


@pytest.fixture(scope="module")
def mlp():
    return digits_mlp(hidden=5, l2=0.01)


@pytest.fixture(scope="module")
def sparse():
    return sparse_logistic()


@pytest.fixture(scope="module")
def tasks(softmax, mlp, sparse):
    return {"softmax": softmax, "mlp": mlp, "sparse": sparse}


TASK_NAMES = ["softmax", "mlp", "sparse"]


def random_params(task, scale=0.3, shape=(), seed=1):
    return scale * np.random.default_rng(seed).standard_normal(shape + (task.n_params,))


def tiny_task(n=50, d=3, k=3, seed=0):
    """A softmax task with distinct random rows, so each row identifies its sample."""
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), np.arange(n) % k
    return SoftmaxTask("tiny", X, y, X[:10], y[:10], n_classes=k)


# ------------------------------------------------------------------ losses, gradients


def reference_loss(task, params, X, y):
    """Loss of one parameter vector, written out sample by sample with explicit slicing."""
    def cross_entropy(z, label):
        return np.log(np.sum(np.exp(z))) - z[label]

    d = task.n_features
    if isinstance(task, MLPTask):
        h = task.hidden
        W1 = params[:d * h].reshape(d, h)
        b1 = params[d * h:d * h + h]
        W2 = params[d * h + h:d * h + h + 10 * h].reshape(h, 10)
        b2 = params[-10:]
        terms = [cross_entropy(np.tanh(x @ W1 + b1) @ W2 + b2, t) for x, t in zip(X, y)]
        return np.mean(terms) + task.l2 / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    if isinstance(task, SoftmaxTask):
        W, b = params[:d * 10].reshape(d, 10), params[d * 10:]
        terms = [cross_entropy(x @ W + b, t) for x, t in zip(X, y)]
        return np.mean(terms) + task.l2 / 2 * np.sum(W ** 2)
    z = X @ params[:-1] + params[-1]
    return np.mean(np.log1p(np.exp(z)) - y * z)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_loss_matches_a_sample_by_sample_reference(tasks, name):
    task = tasks[name]
    params = random_params(task)
    X, y = task.X_train[:9], task.y_train[:9]
    assert task.loss(params, X, y) == pytest.approx(reference_loss(task, params, X, y),
                                                    rel=1e-12)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_gradient_matches_central_differences(tasks, name):
    task = tasks[name]
    params = random_params(task)
    X, y = task.X_train[10:17], task.y_train[10:17]
    loss, grad = task.loss_and_grad(params, X, y)
    assert loss.shape == () and grad.shape == params.shape
    h = 1e-6
    numeric = np.empty_like(params)
    for i in range(task.n_params):
        e = np.zeros_like(params)
        e[i] = h
        numeric[i] = (task.loss(params + e, X, y) - task.loss(params - e, X, y)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_batched_calls_equal_separate_calls(tasks, name):
    task = tasks[name]
    params = random_params(task, shape=(2, 3))
    X, y = task.X_train[:40], task.y_train[:40]
    loss, grad = task.loss_and_grad(params, X, y)
    accuracy = task.accuracy(params, X, y)
    assert loss.shape == accuracy.shape == (2, 3) and grad.shape == params.shape
    for index in np.ndindex(2, 3):
        one_loss, one_grad = task.loss_and_grad(params[index], X, y)
        np.testing.assert_allclose(loss[index], one_loss, rtol=1e-13)
        np.testing.assert_allclose(grad[index], one_grad, rtol=1e-12, atol=1e-15)
        assert accuracy[index] == task.accuracy(params[index], X, y)


def test_loss_at_zero_params_is_uniform_guessing(plain_softmax, sparse):
    digits = plain_softmax
    assert digits.loss(np.zeros(digits.n_params), digits.X_train, digits.y_train) == \
        pytest.approx(np.log(10), rel=1e-14)
    mlp = digits_mlp()
    assert mlp.loss(np.zeros(mlp.n_params), mlp.X_test, mlp.y_test) == \
        pytest.approx(np.log(10), rel=1e-14)
    assert sparse.loss(np.zeros(sparse.n_params), sparse.X_train, sparse.y_train) == \
        pytest.approx(np.log(2), rel=1e-14)


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(1.0, 1e6), seed=st.integers(0, 1000))
def test_large_logits_do_not_overflow(plain_softmax, sparse, scale, seed):
    X, y = plain_softmax.X_train[:20], plain_softmax.y_train[:20]
    params = random_params(plain_softmax, scale=scale, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = plain_softmax.loss_and_grad(params, X, y)
        sparse_loss, sparse_grad = sparse.loss_and_grad(
            random_params(sparse, scale=scale, seed=seed), sparse.X_train[:20],
            sparse.y_train[:20])
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert np.isfinite(sparse_loss) and np.all(np.isfinite(sparse_grad))
    # log Σ exp z lies in [max z, max z + log K]
    W, b = params[:640].reshape(64, 10), params[640:]
    z = X @ W + b
    margin = np.mean(z.max(axis=1) - z[np.arange(20), y])
    assert margin - 1e-9 * scale <= loss <= margin + np.log(10) + 1e-9 * scale


# --------------------------------------------------------------------------- data


def test_digits_split_is_stratified_standardized_and_seeded():
    task = digits_softmax(test_fraction=0.25, seed=0)
    assert task.X_train.shape == (1347, 64) and task.X_test.shape == (450, 64)
    assert task.X_train.dtype == np.float64 and task.y_train.dtype.kind == "i"
    assert np.all(np.isfinite(task.X_train)) and np.all(np.isfinite(task.X_test))
    std = task.X_train.std(axis=0)
    constant = std == 0
    assert constant.any()  # the digits' border pixels are always blank
    np.testing.assert_allclose(std[~constant], 1.0)
    np.testing.assert_allclose(task.X_train.mean(axis=0), 0.0, atol=1e-12)
    train_share = np.bincount(task.y_train) / len(task.y_train)
    test_share = np.bincount(task.y_test) / len(task.y_test)
    np.testing.assert_allclose(train_share, test_share, atol=0.01)
    again, other = digits_softmax(seed=0), digits_softmax(seed=1)
    np.testing.assert_array_equal(again.X_train, task.X_train)
    assert not np.array_equal(other.y_train, task.y_train)


def test_sparse_logistic_data(sparse):
    X = np.concatenate([sparse.X_train, sparse.X_test])
    y = np.concatenate([sparse.y_train, sparse.y_test])
    assert X.shape == (2000, 50) and sparse.n_params == 51
    assert set(np.unique(X)) == {0.0, 1.0}
    assert sparse.rare.sum() == 25
    np.testing.assert_allclose(X[:, sparse.rare].mean(), 0.02, atol=0.005)
    np.testing.assert_allclose(X[:, ~sparse.rare].mean(), 0.5, atol=0.02)
    assert np.all(X[:, sparse.rare].sum(axis=0) > 0)  # every rare feature does occur
    w = np.abs(sparse.true_weights)
    assert np.all((w >= 1) & (w <= 2))  # rare weights as large as common ones
    assert 0.3 < y.mean() < 0.7
    # the labels follow the true model: it beats chance clearly on held-out data
    true = np.append(sparse.true_weights, sparse.true_bias)
    assert sparse.accuracy(true, sparse.X_test, sparse.y_test) > 0.75


def test_weight_error(sparse):
    true = np.append(sparse.true_weights, 5.0)  # the intercept is not a weight
    shifted = true + np.where(np.append(sparse.rare, False), 0.5, 0.0)
    both = np.stack([true, shifted])
    np.testing.assert_allclose(sparse.weight_error(both, "rare"), [0.0, 0.5])
    np.testing.assert_allclose(sparse.weight_error(both, "common"), [0.0, 0.0])
    np.testing.assert_allclose(sparse.weight_error(both, "all"), [0.0, np.sqrt(0.125)])


def test_init_is_seeded_and_same_for_every_batch_member(mlp, softmax):
    params = mlp.init(seed=3, batch_shape=(4, 2))
    assert params.shape == (4, 2, mlp.n_params) and params.dtype == np.float64
    assert np.all(params == params[0, 0])
    np.testing.assert_array_equal(mlp.init(seed=3), params[0, 0])
    assert not np.array_equal(mlp.init(seed=4), params[0, 0])
    W1, b1, W2, b2 = mlp.unflatten(params)
    assert W1.shape == (4, 2, 64, 5) and W2.shape == (4, 2, 5, 10)
    assert np.all(b1 == 0) and np.all(b2 == 0)
    assert np.abs(W1).max() <= np.sqrt(6 / 69) and np.abs(W1).max() > 0.5 * np.sqrt(6 / 69)
    np.testing.assert_array_equal(mlp.flatten(W1, b1, W2, b2), params)
    assert np.abs(softmax.init()).max() < 0.1


# ------------------------------------------------------------------------ training


def reference_gd(task, params, lr, epochs, batch_size, seed):
    """Minibatch gradient descent written out for one run."""
    rng = np.random.default_rng(seed)
    n = len(task.y_train)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            params = params - lr * task.loss_and_grad(params, task.X_train[rows],
                                                      task.y_train[rows])[1]
    return params


def test_train_follows_seeded_minibatch_gradient_descent(sparse):
    params0 = sparse.init()
    result = train(GD(0.5), sparse, params0, epochs=2, batch_size=64, seed=7)
    np.testing.assert_allclose(result.params,
                               reference_gd(sparse, params0, 0.5, 2, 64, 7), rtol=1e-12)
    steps = 2 * int(np.ceil(1500 / 64))
    assert result.step_losses.shape == (steps,)
    assert result.epoch_train_loss.shape == result.epoch_test_accuracy.shape == (3,)
    assert result.epoch_train_loss[0] == sparse.loss(params0, sparse.X_train, sparse.y_train)
    assert result.epoch_train_loss[-1] == sparse.loss(result.params, sparse.X_train,
                                                      sparse.y_train)


def test_every_epoch_visits_each_sample_once_in_a_seeded_order():
    class Spy(SoftmaxTask):
        seen: list = []

        def loss_and_grad(self, params, X, y):
            if len(X) < len(self.X_train):  # a minibatch, not a full-loss evaluation
                self.seen.append(X[:, 0].copy())
            return super().loss_and_grad(params, X, y)

    base = tiny_task()
    spy = Spy("spy", base.X_train, base.y_train, base.X_test, base.y_test, n_classes=3)

    def orders(seed):
        Spy.seen = []
        train(GD(0.1), spy, spy.init(), epochs=2, batch_size=16, seed=seed)
        assert [len(b) for b in Spy.seen] == [16, 16, 16, 2] * 2
        return [np.concatenate(Spy.seen[:4]), np.concatenate(Spy.seen[4:])]

    first = orders(0)
    for epoch in first:
        np.testing.assert_array_equal(np.sort(epoch), np.sort(base.X_train[:, 0]))
    assert not np.array_equal(first[0], first[1])  # a new permutation each epoch
    np.testing.assert_array_equal(orders(0), first)
    assert not np.array_equal(orders(1)[0], first[0])


def test_training_is_deterministic(mlp):
    params0 = mlp.init(seed=2)
    a = train(GD(0.1), mlp, params0, epochs=2, seed=5)
    b = train(GD(0.1), mlp, params0, epochs=2, seed=5)
    c = train(GD(0.1), mlp, params0, epochs=2, seed=6)
    np.testing.assert_array_equal(a.step_losses, b.step_losses)
    np.testing.assert_array_equal(a.params, b.params)
    assert a.step_losses[0] != c.step_losses[0]  # another first minibatch
    assert a.epoch_train_loss[0] == c.epoch_train_loss[0]  # from the same start


def test_digits_softmax_learns(softmax):
    result = train(GD(0.1), softmax, softmax.init(), epochs=3)
    assert np.all(np.diff(result.epoch_train_loss) < 0)
    assert result.epoch_test_accuracy[0] < 0.3
    assert result.epoch_test_accuracy[-1] > 0.9
    assert np.all(result.diverged_at == -1)
    assert "diverged" not in result.message()


def test_batched_training_equals_separate_trainings(softmax):
    lrs = np.array([0.01, 0.1, 0.3])
    params0 = softmax.init(batch_shape=(3,))
    batched = train(GD(lrs[:, None]), softmax, params0, epochs=2, batch_size=100)
    assert batched.step_losses.shape == (2 * 14, 3) and batched.params.shape == (3, 650)
    for i, lr in enumerate(lrs):
        one = train(GD(lr), softmax, params0[i], epochs=2, batch_size=100)
        np.testing.assert_allclose(batched.step_losses[:, i], one.step_losses, rtol=1e-10)
        np.testing.assert_allclose(batched.epoch_test_accuracy[:, i], one.epoch_test_accuracy)
        np.testing.assert_allclose(batched.params[i], one.params, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("make", [
    lambda o, lr: o.SGD(lr=lr, momentum=0.9),
    lambda o, lr: o.AdaGrad(lr=lr),
    lambda o, lr: o.RMSProp(lr=lr / 10, alpha=0.9),
    lambda o, lr: o.Adam(lr=lr / 10),
], ids=["SGD", "AdaGrad", "RMSProp", "Adam"])
def test_batched_training_with_the_real_optimizers(mlp, make):
    optimizers = pytest.importorskip("adaptive_lr.optim")
    lrs = np.array([0.03, 0.3])
    params0 = mlp.init(batch_shape=(2,))
    batched = train(make(optimizers, lrs[:, None]), mlp, params0, epochs=2, batch_size=128)
    assert np.all(batched.diverged_at == -1)
    assert np.all(batched.epoch_train_loss[-1] < batched.epoch_train_loss[0])
    for i, lr in enumerate(lrs):
        one = train(make(optimizers, lr), mlp, params0[i], epochs=2, batch_size=128)
        np.testing.assert_allclose(batched.step_losses[:, i], one.step_losses, rtol=1e-9)
        np.testing.assert_allclose(batched.params[i], one.params, rtol=1e-9, atol=1e-12)


def test_adagrad_learns_rare_weights_faster_than_sgd(sparse):
    """The chapter's experiment: same learning rate, a few epochs."""
    optimizers = pytest.importorskip("adaptive_lr.optim")
    lrs = np.array([0.3, 1.0])[:, None]
    params0 = sparse.init(batch_shape=(2,))
    sgd = train(optimizers.SGD(lr=lrs), sparse, params0, epochs=5).params
    adagrad = train(optimizers.AdaGrad(lr=lrs), sparse, params0, epochs=5).params
    start = sparse.weight_error(params0[0], "rare")
    assert np.all(sparse.weight_error(sgd, "rare") > 0.7 * start)  # SGD barely moves them
    assert np.all(sparse.weight_error(adagrad, "rare")
                  < 0.65 * sparse.weight_error(sgd, "rare"))
    assert np.all(sparse.weight_error(adagrad, "common")
                  < sparse.weight_error(sgd, "common"))


def test_divergence_is_reported_and_frozen_without_warnings(softmax):
    # with momentum the optimizer would keep moving a run even after its gradient is zeroed
    lrs = np.array([0.1, 1e300, 1e3])[:, None]
    params0 = softmax.init(batch_shape=(3,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(GD(lrs, 0.5), softmax, params0, epochs=2, batch_size=200, explode=10)
        short = train(GD(lrs, 0.5), softmax, params0, epochs=1, batch_size=200, explode=10)
    healthy = train(GD(0.1, 0.5), softmax, params0[0], epochs=2, batch_size=200, explode=10)
    np.testing.assert_allclose(result.params[0], healthy.params, rtol=1e-10)
    np.testing.assert_allclose(result.epoch_train_loss[:, 0], healthy.epoch_train_loss)
    assert result.diverged_at[0] == -1

    steps_per_epoch = 7
    # the limit is explode × |initial loss| = 10 × 2.31
    for run, reason in [(1, "non-finite (loss|parameters)"), (2, r".*exploded above 23\.1")]:
        step = result.diverged_at[run]
        assert 1 <= step < steps_per_epoch
        assert re.fullmatch(f"diverged at step {step}: {reason}", result.message(run))
        assert np.all(np.isfinite(result.step_losses[:step, run]))
        assert np.all(np.isnan(result.step_losses[step:, run]))
        assert np.all(np.isnan(result.epoch_train_loss[1:, run]))
        assert np.all(np.isnan(result.epoch_test_accuracy[1:, run]))
        # frozen: a second epoch changes nothing
        np.testing.assert_array_equal(result.params[run], short.params[run])


def test_divergence_in_the_last_update_is_reported(sparse):
    n = len(sparse.y_train)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(GD(np.array([[1.0], [1e300]])), sparse, sparse.init(batch_shape=(2,)),
                       epochs=1, batch_size=n)
    assert result.step_losses.shape == (1, 2) and np.all(np.isfinite(result.step_losses))
    np.testing.assert_array_equal(result.diverged_at, [-1, 1])
    assert np.isfinite(result.epoch_train_loss[1, 0]) and np.isnan(result.epoch_train_loss[1, 1])


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 1.5}, TypeError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 51}, ValueError, r"batch_size must lie in \[1, 50\]"),
    ({"seed": -1}, ValueError, "seed"),
    ({"explode": 1.0}, ValueError, "explode"),
])
def test_train_rejects_bad_settings(kwargs, error, match):
    task = tiny_task()
    with pytest.raises(error, match=match):
        train(GD(0.1), task, task.init(), **kwargs)


def test_train_rejects_bad_arguments():
    task = tiny_task()
    with pytest.raises(TypeError, match="params0"):
        train(GD(0.1), task, np.zeros(task.n_params, dtype=int))
    with pytest.raises(ValueError, match=r"params0 must have shape \(\*batch, 12\)"):
        train(GD(0.1), task, np.zeros((2, 11)))
    with pytest.raises(TypeError, match="task"):
        train(GD(0.1), "digits", np.zeros(12))
    with pytest.raises(TypeError, match="opt"):
        train(NoStep(), task, np.zeros(12))


def test_task_methods_reject_bad_arguments(sparse):
    task = tiny_task()
    params = task.init()
    with pytest.raises(ValueError, match="params"):
        task.loss(np.zeros(5), task.X_train, task.y_train)
    with pytest.raises(TypeError, match="params"):
        task.loss(np.zeros(12, dtype=int), task.X_train, task.y_train)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\)"):
        task.loss(params, task.X_train[:, :2], task.y_train)
    with pytest.raises(ValueError, match="y must be integer labels"):
        task.loss(params, task.X_train, task.y_train[:-1])
    with pytest.raises(ValueError, match="y must be integer labels"):
        task.loss(params, task.X_train, task.y_train.astype(float))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 2\]"):
        task.loss(params, task.X_train, task.y_train + 1)
    with pytest.raises(ValueError, match="batch_shape"):
        task.init(batch_shape=(2, 0))
    with pytest.raises(TypeError, match="batch_shape"):
        task.init(batch_shape=2.0)
    with pytest.raises(ValueError, match="which"):
        sparse.weight_error(sparse.init(), "sometimes")
    with pytest.raises(ValueError, match="params"):
        sparse.weight_error(np.zeros(50), "rare")
    with pytest.raises(NotImplementedError):
        Task("abstract", *[np.zeros((1, 1))] * 4).n_params


@pytest.mark.parametrize("make, match", [
    (lambda: digits_softmax(test_fraction=0.0), "test_fraction"),
    (lambda: digits_softmax(test_fraction=1.0), "test_fraction"),
    (lambda: digits_softmax(l2=-1.0), "l2"),
    (lambda: digits_mlp(hidden=0), "hidden"),
    (lambda: sparse_logistic(n_rare=60), "n_rare"),
    (lambda: sparse_logistic(rare_prob=1.5), "rare_prob"),
    (lambda: sparse_logistic(common_prob=-0.1), "common_prob"),
    (lambda: sparse_logistic(n_samples=0), "n_samples"),
])
def test_factories_reject_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make, match", [
    # a stratified split needs every class on both sides: scikit-learn's own messages before
    (lambda: digits_softmax(test_fraction=0.001),
     r"test_fraction must lie in \[0.00556, 0.994\] for 1797 samples: .* 10 classes .* "
     r"gives 1795 training and 2 test samples"),
    (lambda: digits_mlp(test_fraction=0.999), r"test_fraction must lie in \[0.00556, 0.994\]"),
    (lambda: sparse_logistic(n_samples=4),
     r"n_samples must be at least 5 for test_fraction=0.25: .* 2 classes .* "
     r"gives 3 training and 1 test samples"),
    (lambda: sparse_logistic(n_samples=100, test_fraction=0.01),
     "n_samples must be at least 101 for test_fraction=0.01"),
    (lambda: sparse_logistic(n_samples=5, seed=2),
     "single sample of class 0, which a stratified split cannot put in both parts"),
])
def test_factories_explain_splits_that_cannot_be_stratified(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_smallest_stratifiable_splits_are_accepted():
    assert digits_softmax(test_fraction=0.00556).X_test.shape == (10, 64)
    assert sparse_logistic(n_samples=5).X_test.shape == (2, 50)
