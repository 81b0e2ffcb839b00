"""Tests of adaptive_lr.conventions: each framework's definition, rebuilt with the package.

Expected updates are plain-Python transcriptions of each library's update rule (written
here, one scalar at a time), not values from the package.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr.chapters import frameworks as conv
from adaptive_lr import objectives
from adaptive_lr.trace import trace

G = [0.5, -0.02, 3.0, 1e-4, -0.7, 0.05]


def steps_of(opt, grads=G):
    """ΔΘ_t of a 1-coordinate run with the given gradients (differences of Θ, so compare
    with rtol ≈ 1e-9: they lose the digits consecutive Θ share)."""
    return trace(opt, np.array(grads)[:, None], np.zeros(1)).deltas[:, 0]


def keras_rmsprop(grads, lr, rho, eps, r0=0.0):
    """Keras 3 RMSprop (= TF1 RMSPropOptimizer with r0 = 1): ε inside the root."""
    r, out = r0, []
    for g in grads:
        r = rho * r + (1 - rho) * g * g
        out.append(-lr * g / math.sqrt(r + eps))
    return np.array(out)


def keras_adagrad(grads, lr, r0, eps):
    r, out = r0, []
    for g in grads:
        r += g * g
        out.append(-lr * g / math.sqrt(r + eps))
    return np.array(out)


def keras_adam(grads, lr, b1, b2, eps):
    m = v = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        out.append(-alpha * m / (math.sqrt(v) + eps))
    return np.array(out)


# ------------------------------------------------------------------- lookup and building


def test_every_convention_builds_at_its_defaults():
    for c in conv.CONVENTIONS:
        kwargs = {a.name: 1e-3 for a in c.arguments if a.default is conv.REQUIRED}
        opt = conv.from_framework(c.framework, c.name if c.algorithm != "AMSGrad"
                                  else c.algorithm, **kwargs)
        theta = np.zeros(3)
        new, _ = opt.step(theta, np.array([1.0, -2.0, 0.5]), opt.init(theta))
        assert np.all(np.isfinite(new)) and np.all(new != 0), c.call


def test_lookup_is_case_insensitive_and_knows_the_book_names():
    assert conv.lookup("keras", "rmsprop").name == "RMSprop"
    assert conv.lookup("pytorch", "AdaGrad").name == "Adagrad"
    assert conv.lookup("pytorch", "AMSGrad").defaults["amsgrad"] is True
    assert conv.lookup("tf1", "RMSProp").name == "RMSPropOptimizer"
    with pytest.raises(ValueError, match="known"):
        conv.lookup("optax", "lion")
    with pytest.raises(ValueError, match="framework"):
        conv.conventions(framework="jax")
    with pytest.raises(ValueError, match="algorithm"):
        conv.conventions(algorithm="Lion")


def test_from_framework_checks_arguments_like_the_framework():
    with pytest.raises(TypeError, match="has no argument lr"):
        conv.from_framework("keras", "Adam", lr=0.1)
    with pytest.raises(TypeError, match="needs learning_rate"):
        conv.from_framework("optax", "adam")
    with pytest.raises(ValueError, match="eps_root"):
        conv.from_framework("optax", "adam", learning_rate=0.1, eps_root=1e-8)
    with pytest.raises(ValueError, match="dampening"):
        conv.from_framework("pytorch", "SGD", lr=0.1, momentum=0.9, dampening=0.1)
    # an unsupported argument at its default is fine
    conv.from_framework("pytorch", "SGD", lr=0.1, dampening=0.0)
    conv.from_framework("keras", "RMSprop", weight_decay=None)


def test_builders_choose_the_right_package_options():
    torch_rms = conv.from_framework("pytorch", "RMSprop")
    assert (float(torch_rms.lr), float(torch_rms.alpha), float(torch_rms.eps)) == (0.01, 0.99, 1e-8)
    assert not torch_rms.eps_inside_sqrt
    keras_rms = conv.from_framework("keras", "RMSprop")
    assert keras_rms.eps_inside_sqrt and float(keras_rms.alpha) == 0.9
    keras_ada = conv.from_framework("keras", "Adagrad")
    assert keras_ada.eps_inside_sqrt and float(keras_ada.initial_accumulator_value) == 0.1
    assert conv.from_framework("keras", "Adam").eps_hat
    keras_wd = conv.from_framework("keras", "Adam", weight_decay=0.01)
    assert keras_wd.decoupled and keras_wd.eps_hat and float(keras_wd.weight_decay) == 0.01
    torch_wd = conv.from_framework("pytorch", "Adam", weight_decay=0.01)
    assert not torch_wd.decoupled
    assert conv.from_framework("pytorch", "AdamW").decoupled
    optax_ams = conv.from_framework("optax", "amsgrad", learning_rate=0.1)
    assert optax_ams.amsgrad and optax_ams.amsgrad_max == "corrected"
    torch_ams = conv.from_framework("pytorch", "Adam", amsgrad=True)
    assert torch_ams.amsgrad and torch_ams.amsgrad_max == "raw"
    assert float(conv.from_framework("optax", "sgd", learning_rate=0.1).momentum) == 0.0
    tf1 = conv.from_framework("tf1", "RMSPropOptimizer", learning_rate=0.1)
    assert isinstance(tf1, alr.RMSProp) and float(tf1.initial_accumulator_value) == 1.0
    assert float(tf1.eps) == 1e-10 and tf1.eps_inside_sqrt
    plain = conv.from_framework("optax", "rmsprop", learning_rate=0.1)
    assert isinstance(plain, alr.RMSProp)
    scaled = conv.from_framework("optax", "rmsprop", learning_rate=0.1, initial_scale=1.0)
    assert float(scaled.initial_accumulator_value) == 1.0
    keras_momentum = conv.from_framework("keras", "RMSprop", momentum=0.9)
    assert keras_momentum.lr_in_momentum and not conv.from_framework("pytorch", "RMSprop",
                                                                     momentum=0.9).lr_in_momentum
    outside = conv.from_framework("optax", "rmsprop", learning_rate=0.1, eps_in_sqrt=False)
    assert not outside.eps_inside_sqrt


# ---------------------------------------------------------------- updates vs references


def test_keras_rmsprop_update():
    opt = conv.from_framework("keras", "RMSprop", learning_rate=0.01)
    assert_allclose(steps_of(opt), keras_rmsprop(G, 0.01, 0.9, 1e-7), rtol=1e-9)


def test_tf1_rmsprop_starts_its_mean_square_at_one():
    opt = conv.from_framework("tf1", "RMSPropOptimizer", learning_rate=0.01)
    assert_allclose(steps_of(opt), keras_rmsprop(G, 0.01, 0.9, 1e-10, r0=1.0), rtol=1e-9)
    # first step: ρ g / √(α + (1 − α) g²): nearly ρ g for a small g, not ρ/√(1 − α) sign(g)
    first = steps_of(opt, [0.01])[0]
    assert_allclose(first, -0.01 * 0.01 / math.sqrt(0.9 + 0.1 * 1e-4 + 1e-10), rtol=1e-12)


def test_keras_and_optax_adagrad_start_at_point_one():
    for framework in ("keras", "optax"):
        opt = conv.from_framework(framework, "adagrad", learning_rate=0.1)
        assert_allclose(steps_of(opt), keras_adagrad(G, 0.1, 0.1, 1e-7), rtol=1e-9)


def test_keras_adam_update():
    opt = conv.from_framework("keras", "Adam", epsilon=0.1)
    assert_allclose(steps_of(opt), keras_adam(G, 1e-3, 0.9, 0.999, 0.1), rtol=1e-9)


def test_pytorch_and_optax_adam_agree():
    a = steps_of(conv.from_framework("pytorch", "Adam", lr=0.01))
    b = steps_of(conv.from_framework("optax", "adam", learning_rate=0.01))
    assert_array_equal(a, b)


# ---------------------------------------------------------------------- tables


@pytest.mark.parametrize("algorithm", conv.ALGORITHMS)
def test_table_has_a_column_per_framework(algorithm):
    text = str(conv.table(algorithm))
    lines = text.splitlines()
    for c in conv.conventions(algorithm):
        assert conv.FRAMEWORKS[c.framework] in lines[0]
    assert lines[2].split()[0] == "name"


def test_table_states_the_differences():
    rms = str(conv.table("RMSProp"))
    assert "alpha=0.99" in rms and "rho=0.9" in rms and "decay=0.9" in rms
    assert "outside √" in rms and "inside √" in rms and "1 (fixed)" in rms
    assert "initial_scale=0" in rms
    ada = str(conv.table("AdaGrad"))
    assert "initial_accumulator_value=0.1" in ada and "eps=1e-10" in ada
    adam = str(conv.table("Adam"))
    assert "ε̂ (on √v)" in adam and "(L2)" in adam and "(decoupled)" in adam
    assert "max of v̂" in str(conv.table("AMSGrad"))
    sgd = str(conv.table("SGD"))
    assert "ρ in μ-buffer" in sgd


def test_table_columns_line_up_despite_combining_hats():
    lines = str(conv.table("Adam")).splitlines()
    eps_row = next(line for line in lines if line.startswith("ε at"))
    header = lines[0]
    # the Keras column starts at the same printed position in the header and in the ε row
    col = header.index("keras.optimizers")
    visible = "".join(ch for ch in eps_row if not __import__("unicodedata").combining(ch))
    assert visible[col - 2:col] == "  " and visible[col] != " "


# ------------------------------------------------------------------ experiments


def rmsprop_schedule(lrs, **kw):
    """One RMSProp per step, all sharing the state: a learning-rate schedule."""
    return [alr.RMSProp(lr=float(lr), **kw) for lr in lrs]


def test_momentum_buffer_conventions_agree_for_a_constant_rate():
    grads = np.random.default_rng(0).normal(size=(30, 2))
    kw = dict(alpha=0.9, eps=1e-8, momentum=0.8)
    torch = trace(alr.RMSProp(lr=0.01, **kw), grads).deltas
    keras = trace(alr.RMSProp(lr=0.01, lr_in_momentum=True, **kw), grads).deltas
    assert_allclose(torch, keras, rtol=1e-12)


def test_momentum_buffer_conventions_differ_when_the_rate_drops():
    grads = np.ones((20, 1))
    lrs = np.where(np.arange(20) < 10, 0.1, 0.01)
    kw = dict(alpha=0.9, eps=1e-12, momentum=0.9)
    torch = trace(rmsprop_schedule(lrs, **kw), grads).deltas
    keras = trace(rmsprop_schedule(lrs, lr_in_momentum=True, **kw), grads).deltas
    assert_allclose(torch[:10], keras[:10], rtol=1e-12)
    # at the drop PyTorch rescales its whole buffer b by the new ρ; Keras's buffer B = ρ b
    # keeps μ·(old ρ)·b and adds only the new step at the new ρ
    b9, b10 = -torch[9] / 0.1, -torch[10] / 0.01
    d10 = b10 - 0.9 * b9
    assert_allclose(keras[10], -(0.9 * 0.1 * b9 + 0.01 * d10), rtol=1e-12)
    assert abs(keras[10, 0]) > 5 * abs(torch[10, 0])
