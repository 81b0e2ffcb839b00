"""Tests of Adam's framework-convention options: ``eps_hat`` (Keras/TensorFlow) and
``amsgrad_max`` (``"raw"``: PyTorch/Keras; ``"corrected"``: optax).

Expected values come from plain-Python transcriptions of each framework's update, written
here independently of the package (scalar loops, one coordinate at a time), and from closed
forms; never from the package itself.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr.optim import base as optimizers

GRADS = [[0.5, -2.0, 1e-3], [0.4, 1.0, -2e-3], [-0.3, 0.5, 5e-4], [0.1, -0.1, 0.0],
         [1.5, 0.2, 1e-3], [-0.7, 3.0, -4e-3]]
THETA0 = [1.0, -0.5, 0.25]


def keras_adam(theta0, grads, lr, b1, b2, eps_hat, amsgrad=False, corrections=(True, True)):
    """Keras 3 / TF ``Adam.update_step``, one coordinate at a time; ``corrections`` switches
    the two bias corrections in its step size α_t = lr √(1 − β₂ᵗ)/(1 − β₁ᵗ) (derived by hand:
    Keras has no such switch)."""
    out = []
    for j in range(len(theta0)):
        theta, m, v, v_hat = theta0[j], 0.0, 0.0, 0.0
        path = []
        for t, g in enumerate((row[j] for row in grads), start=1):
            c1 = 1 - b1 ** t if corrections[0] else 1.0
            c2 = 1 - b2 ** t if corrections[1] else 1.0
            alpha = lr * math.sqrt(c2) / c1
            m += (g - m) * (1 - b1)
            v += (g * g - v) * (1 - b2)
            if amsgrad:
                v_hat = max(v_hat, v)
                theta -= m * alpha / (math.sqrt(v_hat) + eps_hat)
            else:
                theta -= m * alpha / (math.sqrt(v) + eps_hat)
            path.append(theta)
        out.append(path)
    return np.array(out).T


def optax_amsgrad(theta0, grads, lr, b1, b2, eps):
    """optax ``scale_by_amsgrad`` then ``scale(-lr)``, one coordinate at a time."""
    out = []
    for j in range(len(theta0)):
        theta, mu, nu, nu_max = theta0[j], 0.0, 0.0, 0.0
        path = []
        for t, g in enumerate((row[j] for row in grads), start=1):
            mu = b1 * mu + (1 - b1) * g
            nu = b2 * nu + (1 - b2) * g * g
            mu_hat, nu_hat = mu / (1 - b1 ** t), nu / (1 - b2 ** t)
            nu_max = max(nu_max, nu_hat)
            theta -= lr * mu_hat / (math.sqrt(nu_max) + eps)
            path.append(theta)
        out.append(path)
    return np.array(out).T


def run(opt, theta0=THETA0, grads=GRADS, dtype=np.float64):
    theta = np.array(theta0, dtype=dtype)
    state = opt.init(theta)
    out = []
    for g in grads:
        theta, state = opt.step(theta, np.asarray(g, dtype=dtype), state)
        out.append(theta)
    return np.array(out), state


# ------------------------------------------------------------------- against references


@pytest.mark.parametrize("eps", [1e-7, 1e-3, 0.1, 1.0])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_eps_hat_reproduces_keras_adam(eps, betas):
    thetas, _ = run(alr.Adam(lr=0.01, betas=betas, eps=eps, eps_hat=True))
    expected = keras_adam(THETA0, GRADS, 0.01, *betas, eps)
    assert_allclose(thetas, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eps", [1e-7, 0.1])
def test_eps_hat_with_raw_amsgrad_reproduces_keras_amsgrad(eps):
    opt = alr.Adam(lr=0.02, eps=eps, eps_hat=True, amsgrad=True)
    thetas, _ = run(opt)
    assert_allclose(thetas, keras_adam(THETA0, GRADS, 0.02, 0.9, 0.999, eps, amsgrad=True),
                    rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
@pytest.mark.parametrize("eps", [1e-8, 0.1])
def test_corrected_max_reproduces_optax_amsgrad(betas, eps):
    opt = alr.Adam(lr=0.05, betas=betas, eps=eps, amsgrad=True, amsgrad_max="corrected")
    thetas, state = run(opt)
    assert_allclose(thetas, optax_amsgrad(THETA0, GRADS, 0.05, *betas, eps),
                    rtol=1e-12, atol=1e-15)
    # the state keeps the maximum of the corrected v̂ (optax's nu_max)
    t = np.arange(1, len(GRADS) + 1)[:, None]
    g = np.array(GRADS)
    v = np.zeros(3)
    v_hats = []
    for k in range(len(GRADS)):
        v = betas[1] * v + (1 - betas[1]) * g[k] ** 2
        v_hats.append(v / (1 - betas[1] ** t[k]))
    assert_allclose(state.v_max, np.max(v_hats, axis=0), rtol=1e-14)


@pytest.mark.parametrize("corrections", [(True, False), (False, True), (False, False)])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_eps_hat_with_switched_corrections_reproduces_the_keras_form(corrections, amsgrad):
    opt = alr.Adam(lr=0.01, betas=(0.5, 0.9), eps=0.1, eps_hat=True, amsgrad=amsgrad,
                   bias_correction=corrections)
    thetas, _ = run(opt)
    expected = keras_adam(THETA0, GRADS, 0.01, 0.5, 0.9, 0.1, amsgrad=amsgrad,
                          corrections=corrections)
    assert_allclose(thetas, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("first", [True, False])
def test_without_the_second_correction_the_framework_forms_coincide(first):
    """c₂ = 1: ε̂/√c₂ = ε̂, so eps_hat is the default form, and the maximum of v/c₂ is the
    maximum of raw v, so the two AMSGrad forms coincide (bit for bit)."""
    switches = (first, False)
    for kwargs in ({}, {"amsgrad": True}):
        plain, _ = run(alr.Adam(lr=0.01, eps=0.1, bias_correction=switches, **kwargs))
        hat, _ = run(alr.Adam(lr=0.01, eps=0.1, bias_correction=switches, eps_hat=True,
                              **kwargs))
        assert_array_equal(hat, plain)
    raw, raw_state = run(alr.Adam(lr=0.01, amsgrad=True, bias_correction=switches))
    cor, cor_state = run(alr.Adam(lr=0.01, amsgrad=True, amsgrad_max="corrected",
                                  bias_correction=switches))
    assert_array_equal(cor, raw)
    assert_array_equal(cor_state.v_max, raw_state.v_max)


# ---------------------------------------------------------------- closed forms, defaults


def test_defaults_keep_the_paper_form_bit_for_bit():
    for kwargs in ({}, {"amsgrad": True}, {"eps": 0.1}):
        a, _ = run(alr.Adam(lr=0.01, **kwargs))
        b, _ = run(alr.Adam(lr=0.01, eps_hat=False, **kwargs))
        assert_array_equal(a, b)
    a, _ = run(alr.Adam(lr=0.01, amsgrad=True))
    b, _ = run(alr.Adam(lr=0.01, amsgrad=True, amsgrad_max="raw"))
    assert_array_equal(a, b)


@pytest.mark.parametrize("t", [1, 2, 10, 1000])
def test_eps_hat_is_algorithm_one_with_a_time_varying_eps(t):
    """With a constant gradient c, m̂ = c and v̂ = c², so the t-th step is
    ρ c / (|c| + ε̂/√(1 − β₂ᵗ)) in Keras's form and ρ c / (|c| + ε) in the paper's."""
    lr, eps, c, b2 = 0.1, 0.05, 0.2, 0.999
    opt = alr.Adam(lr=lr, eps=eps, eps_hat=True)
    thetas, _ = run(opt, [0.0], [[c]] * t)
    step = thetas[-1, 0] - (thetas[-2, 0] if t > 1 else 0.0)
    assert_allclose(step, -lr * c / (c + eps / math.sqrt(1 - b2 ** t)), rtol=1e-10)
    paper, _ = run(alr.Adam(lr=lr, eps=eps / math.sqrt(1 - b2 ** t)), [0.0], [[c]] * t)
    paper_step = paper[-1, 0] - (paper[-2, 0] if t > 1 else 0.0)
    assert_allclose(step, paper_step, rtol=1e-10)


def test_eps_hat_first_step_is_damped_by_sqrt_one_minus_beta2():
    """At t = 1 Keras's ε̂ acts as ε̂/√(1 − β₂) = 31.6 ε̂ (β₂ = 0.999)."""
    lr, eps, g = 1e-3, 1e-2, 0.01
    thetas, _ = run(alr.Adam(lr=lr, eps=eps, eps_hat=True), [0.0], [[g]])
    assert_allclose(thetas[0, 0], -lr * g / (g + eps * math.sqrt(1000)), rtol=1e-12)
    assert_allclose(thetas[0, 0], -lr / (1 + math.sqrt(1000)), rtol=1e-12)


def test_raw_and_corrected_max_agree_for_a_constant_gradient():
    """Constant g: v_t = (1 − β₂ᵗ) g² grows, so max(raw)/(1 − β₂ᵗ) = g² = max(v̂)."""
    grads = [[0.3, -2.0]] * 50
    raw, _ = run(alr.Adam(lr=0.01, amsgrad=True), [0.0, 0.0], grads)
    corrected, _ = run(alr.Adam(lr=0.01, amsgrad=True, amsgrad_max="corrected"),
                       [0.0, 0.0], grads)
    assert_allclose(raw, corrected, rtol=1e-12)


def test_corrected_max_remembers_a_large_first_gradient():
    """g₁ = 1 then g = 0.01: the corrected maximum stays at v̂₁ = 1 while the raw one,
    (1 − β₂) = 0.001 divided by (1 − β₂ᵗ), falls towards 0.001."""
    b2, t_end = 0.999, 200
    grads = [[1.0]] + [[0.01]] * (t_end - 1)
    raw_opt = alr.Adam(lr=0.01, amsgrad=True)
    cor_opt = alr.Adam(lr=0.01, amsgrad=True, amsgrad_max="corrected")
    _, raw_state = run(raw_opt, [0.0], grads)
    _, cor_state = run(cor_opt, [0.0], grads)
    assert_allclose(cor_state.v_max, [1.0], rtol=1e-12)
    assert_allclose(raw_state.v_max, [1 - b2], rtol=1e-12)
    ratio = raw_opt.effective_lr(raw_state) / cor_opt.effective_lr(cor_state)
    # effective rates ∝ 1/(ε + √ṽ): ṽ_raw = 0.001/(1 − β₂²⁰⁰), ṽ_corrected = 1
    expected = (1e-8 + 1.0) / (1e-8 + math.sqrt((1 - b2) / (1 - b2 ** t_end)))
    assert_allclose(ratio, [expected], rtol=1e-10)
    assert ratio[0] > 2


def test_effective_lr_times_m_is_the_step():
    for kwargs in ({"eps_hat": True, "eps": 0.1}, {"amsgrad": True, "amsgrad_max": "corrected"},
                   {"amsgrad": True, "eps_hat": True, "eps": 1e-3}):
        opt = alr.Adam(lr=0.03, **kwargs)
        theta = np.array(THETA0)
        state = opt.init(theta)
        for g in GRADS:
            new, state = opt.step(theta, np.array(g), state)
            # new − theta loses the digits theta and new share
            assert_allclose(new - theta, -opt.effective_lr(state) * state.m, rtol=1e-9,
                            atol=1e-15)
            theta = new


# ------------------------------------------------------------ vectorization and in place


OPTION_SETS = [{"eps_hat": True, "eps": 0.1},
               {"bias_correction": False},
               {"bias_correction": (False, True), "amsgrad": True, "eps_hat": True},
               {"bias_correction": (True, False), "amsgrad": True,
                "amsgrad_max": "corrected"},
               {"amsgrad": True, "amsgrad_max": "corrected"},
               {"amsgrad": True, "amsgrad_max": "corrected", "eps_hat": True, "eps": 1e-3},
               {"amsgrad": True, "eps_hat": True, "weight_decay": 0.1, "decoupled": True},
               {"amsgrad": True, "amsgrad_max": "corrected", "weight_decay": 0.05}]


@pytest.mark.parametrize("kwargs", OPTION_SETS, ids=lambda k: "-".join(map(str, k)))
def test_batched_hyperparameters_equal_separate_runs(kwargs):
    eps = np.array([[1e-3], [0.1], [1.0]])
    lr = np.array([[0.01], [0.1], [0.03]])
    kwargs = {**kwargs, "eps": eps}
    theta0 = np.tile(THETA0, (3, 1))
    grads = [np.tile(g, (3, 1)) for g in GRADS]
    batched, _ = run(alr.Adam(lr=lr, **kwargs), theta0, grads)
    for i in range(3):
        single, _ = run(alr.Adam(lr=float(lr[i, 0]), **{**kwargs, "eps": float(eps[i, 0])}))
        assert_allclose(batched[:, i], single, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", OPTION_SETS, ids=lambda k: "-".join(map(str, k)))
def test_step_in_place_equals_step(kwargs, dtype):
    size = 2 * optimizers.BLOCK_ELEMENTS + 77
    rng = np.random.default_rng(11)
    lr = np.geomspace(1e-3, 1e-1, 4).reshape(4, 1)
    opt = alr.Adam(lr=lr, **kwargs)
    theta0 = rng.normal(size=(4, size // 4)).astype(dtype)
    pure, pure_state = theta0.copy(), opt.init(theta0)
    fast, fast_state = theta0.copy(), opt.init(theta0)
    for k in range(4):
        g = (rng.normal(size=theta0.shape) * 10.0 ** (1 - k)).astype(dtype)
        pure, pure_state = opt.step(pure, g, pure_state)
        fast_state = opt.step_(fast, g, fast_state)
    assert fast.dtype == dtype
    assert_array_equal(fast, pure)       # the kernel does step's operations in step's order
    for a, b in zip(fast_state, pure_state):
        if isinstance(a, np.ndarray):
            assert_array_equal(a, b)
    assert fast_state.count == pure_state.count == 4


# --------------------------------------------------------------------------- validation


def test_bad_options_raise_naming_the_option():
    with pytest.raises(TypeError, match="eps_hat"):
        alr.Adam(eps_hat=1)
    with pytest.raises(ValueError, match="amsgrad_max"):
        alr.Adam(amsgrad=True, amsgrad_max="max")
    with pytest.raises(ValueError, match="amsgrad_max"):
        alr.Adam(amsgrad=True, amsgrad_max=None)
    with pytest.raises(ValueError, match="amsgrad=True"):
        alr.Adam(amsgrad_max="corrected")


def test_repr_names_the_options():
    assert repr(alr.Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0)"
    text = repr(alr.Adam(eps=1e-7, eps_hat=True, amsgrad=True, amsgrad_max="corrected"))
    assert "eps_hat=True" in text and "amsgrad_max='corrected'" in text
