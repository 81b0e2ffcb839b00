"""Tests of adaptive_lr.optimizers against the published formulas.

Expected values come from an independent plain-Python implementation
(``fixtures/make_reference_vectors.py``), from closed forms and from hand computations
written out here; never from the package itself.
"""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr.optim import base as optimizers

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "reference_vectors.json").read_text())


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_reference_vectors", FIXTURES / "make_reference_vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make(case):
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return getattr(alr, case["optimizer"])(**kwargs)


def run(opt, theta0, grads):
    """Thetas after each step, with a fixed gradient sequence; ``opt`` may be a function of
    the step index (an optimizer rebuilt each step, keeping the state)."""
    make_at = opt if callable(opt) else lambda t: opt
    theta = np.array(theta0, dtype=float)
    state = make_at(0).init(theta)
    out = []
    for t, g in enumerate(grads):
        theta, state = make_at(t).step(theta, np.asarray(g, dtype=float), state)
        out.append(theta)
    return np.array(out)


# ------------------------------------------------------------------ 1. reference vectors


def test_fixture_covers_every_requested_case():
    names = {case["name"] for case in REFERENCE["cases"]}
    assert {"sgd_plain", "sgd_momentum", "sgd_nesterov", "adagrad_default", "adagrad_lr_decay",
            "adagrad_initial_accumulator", "adagrad_eps_inside_sqrt", "rmsprop_default",
            "rmsprop_centered", "rmsprop_momentum", "rmsprop_centered_momentum",
            "rmsprop_eps_inside_sqrt", "rmsprop_alpha_one", "adadelta_paper", "adadelta_lr",
            "adam_default", "adam_amsgrad", "adam_weight_decay", "adamw_decoupled",
            "adam_beta1_zero",
            # the variant options
            "rmsprop_initial_accumulator", "rmsprop_initial_accumulator_per_coordinate",
            "rmsprop_momentum_lr_schedule", "rmsprop_lr_in_momentum_lr_schedule",
            "rmsprop_keras_centered_momentum_lr_schedule", "adam_no_bias_correction",
            "adam_first_correction_only", "adam_second_correction_only",
            "adam_second_correction_only_amsgrad",
            # the later variants
            "adamax_default", "adamax_fast_decay", "adamax_weight_decay", "nadam_default",
            "nadam_fast_schedule", "nadam_no_schedule", "nadam_weight_decay",
            "nadamw_decoupled", "radam_default", "radam_beta2_09", "radam_never_rectified",
            "radam_weight_decay", "radamw_decoupled"} <= names
    assert len(REFERENCE["grads"]) >= 5
    # RAdam rectifies from step 6 on (β₂ = 0.999): its cases need more than 5 steps
    assert all(len(c["grads"]) >= 12 for c in REFERENCE["cases"]
               if c["optimizer"] in ("Adamax", "NAdam", "RAdam"))


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda c: c["name"])
def test_reproduces_reference_trajectory(case):
    if "lr_schedule" in case:   # rebuilt each step with the step's lr, the state kept
        opt = lambda t: make({**case, "kwargs": {**case["kwargs"], "lr": case["lr_schedule"][t]}})
    else:
        opt = make(case)
    thetas = run(opt, REFERENCE["theta0"], case.get("grads", REFERENCE["grads"]))
    expected = np.array(case["thetas"])
    assert thetas.shape == expected.shape
    assert_allclose(thetas, expected, rtol=1e-12, atol=1e-14)


def test_fixture_matches_its_generating_script():
    generated = json.loads(json.dumps(load_generator().build()))
    assert generated == REFERENCE, ("tests/fixtures/reference_vectors.json is stale: "
                                    "run python tests/fixtures/make_reference_vectors.py")


def test_reference_cases_are_distinct():
    """Each option changes the trajectory, so each case really tests its option."""
    trajectories = [tuple(map(tuple, c["thetas"])) for c in REFERENCE["cases"]]
    assert len(set(trajectories)) == len(trajectories)


# ------------------------------------------------------- 2. hand computations, closed forms


@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1.0, 1e3, 1e6])
def test_adagrad_first_step_is_lr_times_sign(scale):
    lr, eps = 0.1, 1e-10
    g = scale * np.array([1.0, -2.0, 0.5])
    theta0 = np.array([1.0, 1.0, -1.0])
    opt = alr.AdaGrad(lr=lr, eps=eps)
    theta, _ = opt.step(theta0, g, opt.init(theta0))
    step = theta - theta0
    # r = g², so ΔΘ = −ρ g / (ε + |g|)
    assert_allclose(step, -lr * g / (eps + np.abs(g)), rtol=1e-14)
    assert_allclose(step, -lr * np.sign(g), rtol=1e-3)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha(alpha):
    lr = 0.01
    g = np.array([3.0, -0.02, 7e4])
    theta0 = np.zeros(3)
    opt = alr.RMSProp(lr=lr, alpha=alpha, eps=1e-300)
    theta, _ = opt.step(theta0, g, opt.init(theta0))
    # r₁ = (1 − α) g², so ΔΘ = −ρ g / √((1 − α) g²) = −ρ/√(1 − α) · sign(g)
    assert_allclose(theta, -lr / math.sqrt(1 - alpha) * np.sign(g), rtol=1e-12)


def test_rmsprop_default_first_step_is_ten_lr():
    opt = alr.RMSProp(lr=0.01, alpha=0.99, eps=1e-8)
    theta0 = np.array([1.0, -1.0])
    theta, _ = opt.step(theta0, np.array([0.5, -4.0]), opt.init(theta0))
    assert_allclose(theta - theta0, [-0.1, 0.1], rtol=1e-6)


def test_rmsprop_alpha_one_keeps_r_zero():
    """α = 1 is allowed (for teaching): r never leaves r₀ = 0, so every step is ρ g / ε."""
    lr, eps = 1e-3, 1e-2
    opt = alr.RMSProp(lr=lr, alpha=1.0, eps=eps)
    theta = np.array([0.5, -1.0])
    state = opt.init(theta)
    for g in ([1.0, 2.0], [-3.0, 0.25], [0.0, 5.0]):
        g = np.array(g)
        new, state = opt.step(theta, g, state)
        assert_array_equal(state.r, 0.0)
        assert_allclose(new - theta, -lr * g / eps, rtol=1e-14)
        theta = new
    assert_allclose(opt.effective_lr(state), lr / eps)


def test_adagrad_constant_gradient_rate_decays_as_one_over_sqrt_t():
    lr, eps, c = 0.3, 1e-10, np.array([2.0, -0.5])
    opt = alr.AdaGrad(lr=lr, eps=eps)
    theta = np.zeros(2)
    state = opt.init(theta)
    for t in range(1, 11):
        new, state = opt.step(theta, c, state)
        rate = lr / (eps + np.abs(c) * math.sqrt(t))   # r_t = t c²
        assert_allclose(opt.effective_lr(state), rate, rtol=1e-13)
        assert_allclose(new - theta, -rate * c, rtol=1e-12)
        theta = new
    assert_allclose(opt.effective_lr(state) * (eps + np.abs(c)), lr / math.sqrt(10), rtol=1e-9)


def test_adagrad_lr_decay_divides_the_rate():
    lr, decay = 0.5, 0.25
    opt = alr.AdaGrad(lr=lr, lr_decay=decay, eps=1e-10)
    theta = np.array([1.0])
    state = opt.init(theta)
    for t in range(1, 5):
        theta_next, state = opt.step(theta, np.array([1.0]), state)
        # PyTorch: clr = lr / (1 + (t − 1) lr_decay), r_t = t
        assert_allclose(theta - theta_next, lr / (1 + (t - 1) * decay) / math.sqrt(t),
                        rtol=1e-9)
        theta = theta_next


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4])
def test_adam_first_step_is_lr_times_sign(scale):
    lr, eps = 1e-3, 1e-8
    g = scale * np.array([0.7, -1.3, 2.0])
    theta0 = np.array([0.1, 0.2, -0.3])
    opt = alr.Adam(lr=lr, eps=eps)
    theta, _ = opt.step(theta0, g, opt.init(theta0))
    # m̂₁ = g, v̂₁ = g², so ΔΘ = −ρ g / (|g| + ε)
    assert_allclose(theta - theta0, -lr * g / (np.abs(g) + eps), rtol=1e-9)
    assert_allclose(theta - theta0, -lr * np.sign(g), rtol=1e-3)


def test_adam_with_beta1_zero_is_bias_corrected_rmsprop():
    lr, beta2, eps = 0.05, 0.9, 1e-3
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(6, 4)) * [1e-2, 1.0, 10.0, 1e3]
    theta = rng.normal(size=4)
    adam = alr.Adam(lr=lr, betas=(0.0, beta2), eps=eps)
    rms = alr.RMSProp(lr=lr, alpha=beta2, eps=eps)
    state, rms_state = adam.init(theta), rms.init(theta)
    mine, v = theta.copy(), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        theta, state = adam.step(theta, g, state)
        # RMSProp with decay β₂, by hand, plus bias correction v̂ = v/(1 − β₂ᵗ), ε outside √
        v = beta2 * v + (1 - beta2) * g * g
        mine = mine - lr * g / (eps + np.sqrt(v / (1 - beta2 ** t)))
        assert_allclose(theta, mine, rtol=1e-12)
        # the package's RMSProp has the same r, without the correction
        _, rms_state = rms.step(theta, g, rms_state)
        assert_allclose(rms_state.r, state.v, rtol=1e-14)


def test_sgd_without_momentum_is_gradient_descent():
    opt = alr.SGD(lr=0.25)
    theta = np.array([1.0, -3.0, 0.5])
    state = opt.init(theta)
    assert state.momentum is None
    for g in ([0.5, 1.0, -2.0], [3.0, 0.0, 1.0]):
        g = np.array(g)
        new, state = opt.step(theta, g, state)
        assert_array_equal(new, theta - 0.25 * g)
        theta = new
    assert state.count == 2
    assert_array_equal(opt.effective_lr(state), 0.25)


def test_sgd_momentum_velocity_by_hand():
    opt = alr.SGD(lr=0.1, momentum=0.5)
    theta = np.array([0.0])
    state = opt.init(theta)
    for g, b, th in ((1.0, 1.0, -0.1), (1.0, 1.5, -0.25), (-2.0, -1.25, -0.125)):
        theta, state = opt.step(theta, np.array([g]), state)
        assert_allclose(state.momentum, [b], rtol=1e-15)
        assert_allclose(theta, [th], rtol=1e-14)


@pytest.mark.parametrize("rho,eps", [(0.9, 1e-6), (0.95, 1e-4), (0.0, 1e-2)])
def test_adadelta_first_step(rho, eps):
    g = np.array([2.0, -1e-3, 0.0, 50.0])
    theta0 = np.ones(4)
    opt = alr.AdaDelta(rho=rho, eps=eps)
    theta, state = opt.step(theta0, g, opt.init(theta0))
    step = -math.sqrt(eps) / np.sqrt((1 - rho) * g * g + eps) * g
    assert_allclose(theta - theta0, step, rtol=1e-12, atol=1e-300)
    assert_allclose(state.delta_avg, (1 - rho) * step ** 2, rtol=1e-12, atol=1e-300)


def test_adadelta_lr_scales_the_update_but_not_its_average():
    g = np.array([1.0, -2.0])
    theta0 = np.zeros(2)
    paper, scaled = alr.AdaDelta(lr=1.0), alr.AdaDelta(lr=0.1)
    t1, s1 = paper.step(theta0, g, paper.init(theta0))
    t2, s2 = scaled.step(theta0, g, scaled.init(theta0))
    assert_allclose(t2, 0.1 * t1, rtol=1e-15)
    assert_array_equal(s1.delta_avg, s2.delta_avg)   # PyTorch: acc_delta holds the un-scaled Δ


def test_adagrad_three_steps_on_half_theta_squared_by_hand():
    """f(θ) = ½θ², g = θ, ρ = 1, ε = 1e-10 (negligible at this precision).

    step 1: g = (2, −0.5), r = (4, 0.25), √r = (2, 0.5), ΔΘ = (−1, +1)       → θ = (1, 0.5)
    step 2: g = (1, 0.5), r = (5, 0.5), ΔΘ = −(1/2.2360679775, 0.5/0.7071067812)
            = (−0.4472135955, −0.7071067812)                       → θ = (0.5527864045, −0.2071067812)
    step 3: g² = (0.3055728090, 0.0428932188), r = (5.3055728090, 0.5428932188),
            √r = (2.3033829054, 0.7368128791),
            ΔΘ = (−0.5527864045/2.3033829054, 0.2071067812/0.7368128791)
            = (−0.2399889324, 0.2810846377)                          → θ = (0.3127974721, 0.0739778565)
    """
    opt = alr.AdaGrad(lr=1.0, eps=1e-10)
    theta = np.array([2.0, -0.5])
    state = opt.init(theta)
    expected = [(1.0, 0.5), (0.5527864045, -0.2071067812), (0.3127974721, 0.0739778565)]
    expected_r = [(4.0, 0.25), (5.0, 0.5), (5.3055728090, 0.5428932188)]
    for th, r in zip(expected, expected_r):
        theta, state = opt.step(theta, theta, state)
        assert_allclose(theta, th, rtol=1e-9)
        assert_allclose(state.r, r, rtol=1e-9)
    assert state.count == 3


def test_effective_lr_formulas():
    theta = np.array([1.0, -1.0])
    g = np.array([0.5, 2.0])
    rms = alr.RMSProp(lr=0.1, alpha=0.5, eps=1e-3)
    _, s = rms.step(theta, g, rms.init(theta))
    assert_allclose(rms.effective_lr(s), 0.1 / (1e-3 + np.sqrt(0.5 * g * g)), rtol=1e-14)
    # centered: r − ḡ² = 0.5 g² − (0.5 g)² = 0.25 g², so the rate is ρ/(ε + 0.5|g|)
    for inside in (False, True):
        rms = alr.RMSProp(lr=0.1, alpha=0.5, eps=1e-3, centered=True, eps_inside_sqrt=inside)
        new, s = rms.step(theta, g, rms.init(theta))
        denominator = np.sqrt(0.25 * g * g + 1e-3) if inside else 1e-3 + 0.5 * np.abs(g)
        assert_allclose(rms.effective_lr(s), 0.1 / denominator, rtol=1e-14)
        assert_allclose(new - theta, -0.1 / denominator * g, rtol=1e-14)
    ada = alr.AdaDelta(lr=0.5, rho=0.5, eps=1e-2)
    _, s = ada.step(theta, g, ada.init(theta))
    step = -math.sqrt(1e-2) / np.sqrt(0.5 * g * g + 1e-2) * g
    assert_allclose(ada.effective_lr(s),
                    0.5 * np.sqrt(0.5 * step * step + 1e-2) / np.sqrt(0.5 * g * g + 1e-2),
                    rtol=1e-14)
    adam = alr.Adam(lr=0.1, betas=(0.5, 0.75), eps=1e-3)
    _, s = adam.step(theta, g, adam.init(theta))
    # m₁ = 0.5 g, and ρ/(1−β₁) / (ε + √(v/(1−β₂))) times m₁ is the step ρ g/(ε + |g|)
    assert_allclose(adam.effective_lr(s) * 0.5 * g, 0.1 * g / (1e-3 + np.abs(g)), rtol=1e-14)


def test_amsgrad_uses_max_of_raw_v():
    opt = alr.Adam(lr=0.1, betas=(0.0, 0.5), amsgrad=True, eps=1e-12)
    theta = np.zeros(1)
    state = opt.init(theta)
    theta, state = opt.step(theta, np.array([4.0]), state)   # v = 8
    theta1 = theta.copy()
    theta, state = opt.step(theta, np.array([1.0]), state)   # v = 4.5, v_max = 8
    assert_allclose(state.v, [4.5])
    assert_allclose(state.v_max, [8.0])
    # v̂ = v_max / (1 − 0.25) = 32/3
    assert_allclose(theta - theta1, [-0.1 / math.sqrt(32 / 3)], rtol=1e-10)


def test_adamw_decays_theta_before_the_update():
    opt = alr.Adam(lr=0.1, weight_decay=0.5, decoupled=True, eps=1e-12)
    assert opt.name == "AdamW"
    theta0 = np.array([2.0, -4.0])
    theta, _ = opt.step(theta0, np.array([1.0, 1.0]), opt.init(theta0))
    assert_allclose(theta, theta0 * (1 - 0.1 * 0.5) - 0.1, rtol=1e-10)


def test_adam_l2_weight_decay_enters_the_gradient():
    opt = alr.Adam(lr=0.1, weight_decay=0.5, eps=1e-12)
    theta0 = np.array([2.0, -4.0])
    # g + λθ = (1 + 1, 1 − 2) = (2, −1): a first Adam step of −ρ·sign
    theta, state = opt.step(theta0, np.array([1.0, 1.0]), opt.init(theta0))
    assert_allclose(theta, theta0 - 0.1 * np.array([1.0, -1.0]), rtol=1e-10)
    assert_allclose(state.m, 0.1 * np.array([2.0, -1.0]), rtol=1e-14)


def test_centered_rmsprop_constant_gradient_stays_finite():
    """r − ḡ² is ≥ 0 exactly but can round below 0 for a constant gradient (was NaN)."""
    for dtype in (np.float32, np.float64):
        for alpha in (0.3, 0.5, 0.9):
            for g0 in (0.1, 0.7, 3.7, 1e-3):
                opt = alr.RMSProp(lr=1e-3, alpha=alpha, centered=True)
                theta = np.zeros(3, dtype)
                state = opt.init(theta)
                big = np.zeros(2 * optimizers.BLOCK_ELEMENTS // 3 + 5, dtype)
                big_state = opt.init(big)
                g = np.full(3, g0, dtype)
                for _ in range(400):
                    theta, state = opt.step(theta, g, state)
                for _ in range(60):
                    big_state = opt.step_(big, np.full(big.shape, g0, dtype), big_state)
                assert np.all(np.isfinite(theta)), (dtype, alpha, g0)
                assert np.all(np.isfinite(big)), (dtype, alpha, g0)


# ------------------------------------------- 2b. the later variants: Adamax, NAdam, RAdam


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4, 1e300])
def test_adamax_first_step_is_lr_times_sign_and_never_overflows(scale):
    """m₁ = (1 − β₁)g, u₁ = |g| + ε, so ΔΘ = −ρ/(1 − β₁) · (1 − β₁)g/(|g| + ε): ρ sign g.
    Nothing is squared, so even |g| = 1e300 gives it; Adam's g ⊙ g overflows there."""
    lr, eps = 0.002, 1e-8
    g = scale * np.array([0.7, -1.3, 2.0])
    theta0 = np.array([0.1, 0.2, -0.3])
    opt = alr.Adamax(lr=lr, eps=eps)
    theta, state = opt.step(theta0, g, opt.init(theta0))
    assert_allclose(theta - theta0, -lr * g / (np.abs(g) + eps), rtol=1e-12)
    assert_allclose(theta - theta0, -lr * np.sign(g), rtol=1e-3)
    assert_allclose(state.u, np.abs(g) + eps, rtol=1e-15)
    if scale == 1e300:
        with np.errstate(over="ignore"):
            adam, _ = alr.Adam(lr=lr).step(theta0, g, alr.Adam().init(theta0))
        assert_array_equal(adam, theta0)       # v = inf: Adam's step is m/inf = 0


def test_adamax_u_is_a_decaying_maximum_by_hand():
    """β₁ = 0 (m = g), β₂ = 0.5, ρ = 0.1, g = 4, 1, 0.5, 0.1, 3:
    u = 4, max(2, 1) = 2, max(1, 0.5) = 1, max(0.5, 0.1) = 0.5, max(0.25, 3) = 3;
    ΔΘ = −0.1 g/u = −0.1, −0.05, −0.05, −0.02, −0.1 → Θ = −0.1, −0.15, −0.2, −0.22, −0.32."""
    opt = alr.Adamax(lr=0.1, betas=(0.0, 0.5), eps=1e-12)
    theta = np.zeros(1)
    state = opt.init(theta)
    for g, u, th in zip((4.0, 1.0, 0.5, 0.1, 3.0), (4.0, 2.0, 1.0, 0.5, 3.0),
                        (-0.1, -0.15, -0.2, -0.22, -0.32)):
        theta, state = opt.step(theta, np.array([g]), state)
        assert_allclose(state.u, [u], rtol=1e-11)
        assert_allclose(theta, [th], rtol=1e-10)
        assert_allclose(opt.effective_lr(state), [0.1 / u], rtol=1e-11)


def test_adamax_effective_lr_and_its_value_before_any_step():
    lr, b1, eps = 0.01, 0.5, 1e-3
    opt = alr.Adamax(lr=lr, betas=(b1, 0.9), eps=eps)
    theta = np.array([1.0, -1.0])
    state = opt.init(theta)
    assert_allclose(opt.effective_lr(state), lr / (1 - b1) / eps)   # u = 0: taken as ε
    for t, g in enumerate(([0.5, 2.0], [-1.0, 0.25]), start=1):
        new, state = opt.step(theta, np.array(g), state)
        rate = lr / (1 - b1 ** t) / state.u
        assert_allclose(opt.effective_lr(state), rate, rtol=1e-14)
        assert_allclose(new - theta, -rate * state.m, rtol=1e-12)
        theta = new


def nadam_mu(t, beta1=0.9, psi=0.004):
    """Dozat's schedule μₜ = β₁(1 − ½·0.96^{tψ})."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def test_nadam_first_step_by_hand():
    """v̂₁ = g², m₁ = (1 − β₁)g, Π₁ = μ₁: ΔΘ = −ρ (1 + (1 − β₁)μ₂/(1 − μ₁μ₂)) g/(|g| + ε),
    1.0565 ρ sign g for the defaults (μ₁ ≈ 0.4501, μ₂ ≈ 0.4501): a little more than Adam."""
    lr, eps = 0.002, 1e-8
    g = np.array([0.7, -1.3, 2e3])
    theta0 = np.array([0.1, 0.2, -0.3])
    opt = alr.NAdam()
    theta, state = opt.step(theta0, g, opt.init(theta0))
    mu1, mu2 = nadam_mu(1), nadam_mu(2)
    factor = 1 + (1 - 0.9) * mu2 / (1 - mu1 * mu2)
    assert abs(factor - 1.0565) < 1e-4
    assert_allclose(theta - theta0, -lr * factor * g / (np.abs(g) + eps), rtol=1e-12)
    assert_allclose(state.mu_product, mu1, rtol=1e-15)
    assert state.mu_product.dtype == np.float64 and state.mu_product.shape == ()


def test_nadam_with_a_settled_schedule_by_hand():
    """ψ so large that 0.96^{tψ} = 0: μₜ = β₁ for every t, Πₜ = β₁ᵗ, and
    m̄ = β₁ m/(1 − β₁^{t+1}) + (1 − β₁) g/(1 − β₁ᵗ): Nesterov's look-ahead on Adam's m̂."""
    lr, b1, b2, eps = 0.05, 0.8, 0.9, 1e-6
    opt = alr.NAdam(lr=lr, betas=(b1, b2), eps=eps, momentum_decay=1e6)
    rng = np.random.default_rng(30)
    theta = mine = rng.normal(size=4)
    state, m, v = opt.init(theta), np.zeros(4), np.zeros(4)
    for t in range(1, 9):
        g = rng.normal(size=4) * [1e-2, 1.0, 10.0, 1e3]
        theta, state = opt.step(theta, g, state)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_bar = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1 ** t)
        mine = mine - lr * m_bar / (np.sqrt(v / (1 - b2 ** t)) + eps)
        assert_allclose(theta, mine, rtol=1e-12)
        assert_allclose(state.mu_product, b1 ** t, rtol=1e-14)
        assert_allclose(opt.effective_lr(state), lr / (np.sqrt(v / (1 - b2 ** t)) + eps),
                        rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nadam_keeps_the_schedule_product_in_float64(dtype):
    """Πₜ = μ₁ ⋯ μₜ, the running product PyTorch keeps as ``mu_product``, in float64 for a
    float32 θ too; ψ = 0 makes μₜ = β₁/2 for good."""
    opt = alr.NAdam(lr=1e-3)
    theta = np.ones(3, dtype)
    state = opt.init(theta)
    for _ in range(50):
        theta, state = opt.step(theta, np.full(3, 0.1, dtype), state)
    expected = math.prod(nadam_mu(t) for t in range(1, 51))
    assert state.mu_product.dtype == np.float64 and theta.dtype == dtype
    assert_allclose(state.mu_product, expected, rtol=1e-14)
    flat = alr.NAdam(momentum_decay=0.0)
    _, s = flat.step(theta, theta, flat.init(theta))
    _, s = flat.step(theta, theta, s)
    assert_allclose(s.mu_product, 0.45 ** 2, rtol=1e-15)


def test_nadam_schedule_product_varies_with_per_coordinate_hyperparameters():
    psi = np.array([0.0, 0.004, 20.0])
    opt = alr.NAdam(momentum_decay=psi)
    theta = np.ones((2, 3))
    state = opt.init(theta)
    assert state.mu_product.shape == (2, 3)
    _, state = opt.step(theta, theta, state)
    assert_allclose(state.mu_product, np.broadcast_to(nadam_mu(1, psi=psi), (2, 3)), rtol=1e-15)
    assert alr.NAdam(lr=np.array([[0.1], [0.2]])).init(theta).mu_product.shape == ()


def radam_length(t, beta2=0.999):
    """The length nₜ (the paper's ρₜ) of the simple average that approximates v's."""
    n_inf = 2 / (1 - beta2) - 1
    return n_inf - 2 * t * beta2 ** t / (1 - beta2 ** t), n_inf


def test_radam_length_crosses_five_at_step_six():
    for t, (low, high) in {4: (3.99, 4.0), 5: (4.99, 5.0), 6: (5.99, 6.0)}.items():
        assert low < radam_length(t)[0] < high


def test_radam_is_bias_corrected_momentum_sgd_for_five_steps_then_rectified():
    """nₜ ≤ 5 for t ≤ 5 (β₂ = 0.999): ΔΘ = −ρ m̂; at t = 6 the rate is
    ρ qₜ √(1 − β₂ᵗ)/(√v + ε) with qₜ = √((n−4)(n−2)n∞/((n∞−4)(n∞−2)n))."""
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = alr.RAdam(lr=lr)
    rng = np.random.default_rng(31)
    theta = mine = rng.normal(size=4)
    state, m, v = opt.init(theta), np.zeros(4), np.zeros(4)
    for t in range(1, 9):
        g = rng.normal(size=4) * [1e-2, 1.0, 10.0, 1e3]
        theta, state = opt.step(theta, g, state)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        n, n_inf = radam_length(t)
        if t <= 5:
            assert n <= 5
            mine = mine - lr * m_hat       # the gradient's own scale: 1e3 moves ~10
        else:
            q = math.sqrt((n - 4) * (n - 2) * n_inf / ((n_inf - 4) * (n_inf - 2) * n))
            assert 0 < q < 0.1
            mine = mine - lr * q * math.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps) * m_hat
        assert_allclose(theta, mine, rtol=1e-12)


def test_radam_with_small_beta2_is_momentum_sgd_for_good():
    """β₂ ≤ 2/3 gives n∞ = 2/(1 − β₂) − 1 ≤ 5, so nₜ < n∞ never exceeds 5 (β₂ = 0.6 also
    makes n∞ − 4 = 0, which the rectification would divide by)."""
    lr, b1 = 0.1, 0.9
    for b2 in (0.0, 0.3, 0.6, 2 / 3):
        opt = alr.RAdam(lr=lr, betas=(b1, b2))
        theta = mine = np.array([1.0, -2.0])
        state, m = opt.init(theta), np.zeros(2)
        for t in range(1, 101):
            g = np.array([np.sin(t), 3.0 * np.cos(t)])
            theta, state = opt.step(theta, g, state)
            m = b1 * m + (1 - b1) * g
            mine = mine - lr * m / (1 - b1 ** t)
        assert_allclose(theta, mine, rtol=1e-10)
        assert_allclose(opt.effective_lr(state), lr / (1 - b1 ** 100), rtol=1e-14)


def test_radam_rectification_tends_to_one_and_adam_with_eps_on_the_raw_root():
    """Far into a run (count 10⁶) qₜ ≈ 1 and both corrections ≈ 1: the step is Adam's
    −ρ m/(√v + ε), with RAdam's ε beside √v, not √v̂."""
    opt = alr.RAdam(lr=0.01, eps=1e-3)
    theta = np.array([1.0, -1.0, 0.5])
    state = opt.init(theta)._replace(count=10 ** 6, m=np.array([0.2, -0.1, 0.0]),
                                     v=np.array([0.04, 0.01, 1e-6]))
    g = np.array([0.3, 0.2, -0.1])
    new, s = opt.step(theta, g, state)
    n, n_inf = radam_length(10 ** 6 + 1)
    q = math.sqrt((n - 4) * (n - 2) * n_inf / ((n_inf - 4) * (n_inf - 2) * n))
    assert 1 - 1e-9 < q <= 1
    expected = theta - 0.01 * q * s.m / (np.sqrt(s.v) + 1e-3)
    assert_allclose(new, expected, rtol=1e-12)
    assert_allclose(opt.effective_lr(s) * s.m, theta - new, rtol=1e-12)


def test_later_variants_reject_what_adam_rejects():
    for cls in (alr.Adamax, alr.NAdam, alr.RAdam):
        assert cls().betas == (0.9, 0.999)
        with pytest.raises(TypeError, match="betas must be a pair"):
            cls(betas=(0.9,))
    assert [float(alr.Adamax().lr), float(alr.NAdam().lr), float(alr.RAdam().lr)] == [
        0.002, 0.002, 0.001]
    assert float(alr.NAdam().momentum_decay) == 0.004


def test_nadam_and_radam_decoupled_weight_decay_by_hand():
    """θ ← θ(1 − ρλ) before the step (PyTorch's decoupled_weight_decay); with g = 0 the
    moments stay 0, so that is all a step does."""
    for cls in (alr.NAdam, alr.RAdam):
        opt = cls(lr=0.1, weight_decay=0.5, decoupled=True)
        assert opt.name == cls.__name__ + "W" and repr(opt).endswith("decoupled=True)")
        theta0 = np.array([2.0, -4.0])
        theta, _ = opt.step(theta0, np.zeros(2), opt.init(theta0))
        assert_allclose(theta, theta0 * (1 - 0.1 * 0.5), rtol=1e-15)
        l2 = cls(lr=0.1, weight_decay=0.5)
        _, state = l2.step(theta0, np.zeros(2), l2.init(theta0))
        assert_allclose(state.m, 0.1 * 0.5 * theta0, rtol=1e-14)   # g + λθ entered m


# --------------------------------------------------------- 3. batched = separate runs


# (class, fixed kwargs, {hyperparameter: n values}) — hyperparameters that vary per run
BATCH_CONFIGS = [
    (alr.SGD, {}, {"lr": [0.01, 0.1, 0.3]}),
    (alr.SGD, {}, {"lr": [0.01, 0.1, 0.3], "momentum": [0.0, 0.5, 0.9]}),
    (alr.SGD, {"nesterov": True}, {"lr": [0.01, 0.1, 0.3], "momentum": [0.2, 0.5, 0.9]}),
    (alr.AdaGrad, {}, {"lr": [0.01, 0.1, 0.5], "eps": [1e-10, 1e-6, 1e-1],
                       "initial_accumulator_value": [0.0, 0.1, 1.0],
                       "lr_decay": [0.0, 0.1, 1.0]}),
    (alr.AdaGrad, {"eps_inside_sqrt": True}, {"lr": [0.01, 0.1, 0.5],
                                               "eps": [1e-10, 1e-6, 1e-1]}),
    (alr.RMSProp, {}, {"lr": [0.001, 0.01, 0.1], "alpha": [0.0, 0.9, 1.0],
                       "eps": [1e-8, 1e-4, 1e-1]}),
    (alr.RMSProp, {"centered": True}, {"lr": [0.001, 0.01, 0.1], "alpha": [0.5, 0.9, 0.99],
                                        "momentum": [0.0, 0.5, 0.9]}),
    (alr.RMSProp, {"eps_inside_sqrt": True}, {"lr": [0.001, 0.01, 0.1],
                                               "eps": [1e-8, 1e-4, 1e-1],
                                               "momentum": [0.3, 0.0, 0.9]}),
    (alr.RMSProp, {"lr_in_momentum": True}, {"lr": [0.001, 0.01, 0.1],
                                              "momentum": [0.3, 0.5, 0.9],
                                              "initial_accumulator_value": [0.0, 1.0, 0.1]}),
    (alr.AdaDelta, {}, {"lr": [1.0, 0.5, 0.1], "rho": [0.0, 0.9, 0.95],
                        "eps": [1e-6, 1e-4, 1e-2]}),
    (alr.Adam, {}, {"lr": [1e-3, 1e-2, 1e-1], "eps": [1e-8, 1e-4, 1e-1],
                    "weight_decay": [0.0, 0.1, 0.5]}),
    (alr.Adam, {"amsgrad": True}, {"lr": [1e-3, 1e-2, 1e-1], "betas": ([0.0, 0.5, 0.9],
                                                                       [0.9, 0.99, 0.999])}),
    (alr.Adam, {"decoupled": True}, {"lr": [1e-3, 1e-2, 1e-1],
                                      "weight_decay": [0.0, 0.1, 0.5]}),
    (alr.Adam, {"bias_correction": (False, True)}, {"lr": [1e-3, 1e-2, 1e-1],
                                                     "betas": ([0.0, 0.5, 0.9],
                                                               [0.9, 0.99, 0.999])}),
    (alr.Adamax, {}, {"lr": [2e-3, 1e-2, 1e-1], "betas": ([0.0, 0.5, 0.9], [0.5, 0.9, 0.999]),
                      "eps": [1e-8, 1e-4, 1e-1], "weight_decay": [0.0, 0.1, 0.5]}),
    (alr.NAdam, {}, {"lr": [2e-3, 1e-2, 1e-1], "betas": ([0.0, 0.5, 0.9], [0.5, 0.9, 0.999]),
                     "momentum_decay": [0.0, 0.004, 20.0], "weight_decay": [0.0, 0.1, 0.5]}),
    (alr.NAdam, {"decoupled": True}, {"lr": [2e-3, 1e-2, 1e-1], "eps": [1e-8, 1e-4, 1e-1],
                                       "weight_decay": [0.0, 0.1, 0.5]}),
    # β₂ = 0.6 never rectifies, 0.9 and 0.999 from step 6 on: six steps mix the two branches
    (alr.RAdam, {}, {"lr": [1e-3, 1e-2, 1e-1], "betas": ([0.0, 0.5, 0.9], [0.6, 0.9, 0.999]),
                     "eps": [1e-8, 1e-4, 1e-1], "weight_decay": [0.0, 0.1, 0.5]}),
    (alr.RAdam, {"decoupled": True}, {"lr": [1e-3, 1e-2, 1e-1],
                                       "betas": ([0.9, 0.9, 0.9], [0.999, 0.6, 0.9]),
                                       "weight_decay": [0.0, 0.1, 0.5]}),
]


def config_id(config):
    cls, fixed, varying = config
    return "-".join([cls.__name__, *fixed, *varying])


def kwargs_for(fixed, varying, pick):
    """Constructor kwargs whose varying hyperparameters are ``pick(list of values)``."""
    kwargs = dict(fixed)
    for key, values in varying.items():
        kwargs[key] = tuple(pick(v) for v in values) if key == "betas" else pick(values)
    return kwargs


def trajectory(opt, theta, steps, seed, in_place=False):
    """Run ``steps`` steps with g = 0.7 θ + noise (the gradient depends on the trajectory)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(steps,) + theta.shape[-1:]).astype(theta.dtype)
    theta = theta.copy()
    state = opt.init(theta)
    for t in range(steps):
        g = 0.7 * theta + noise[t]
        if in_place:
            state = opt.step_(theta, g, state)
        else:
            theta, state = opt.step(theta, g, state)
    return theta, state


#: State fields kept in float64 whatever θ's dtype, and not of θ's shape (NAdam's product
#: of its momentum schedule, 0-d unless β₁ or ψ vary over θ).
FLOAT64_FIELDS = {"mu_product"}


def state_arrays(state):
    return {f: v for f, v in zip(state._fields, state) if isinstance(v, np.ndarray)}


def theta_like(state):
    """The state's buffers of θ's shape and dtype (all but :data:`FLOAT64_FIELDS`)."""
    return {f: v for f, v in state_arrays(state).items() if f not in FLOAT64_FIELDS}


def cast_state(state, dtype):
    return state._replace(**{f: v.astype(dtype) for f, v in theta_like(state).items()})


@pytest.mark.parametrize("config", BATCH_CONFIGS, ids=config_id)
def test_batched_runs_equal_separate_runs(config):
    cls, fixed, varying = config
    n, d, steps = 3, 4, 6
    theta0 = np.random.default_rng(1).normal(size=(n, d)) * [0.1, 1.0, 10.0, -3.0]
    batch = cls(**kwargs_for(fixed, varying, lambda v: np.array(v).reshape(n, 1)))
    theta, state = trajectory(batch, theta0, steps, seed=2)
    for i in range(n):
        solo = cls(**kwargs_for(fixed, varying, lambda v: v[i]))
        theta_i, state_i = trajectory(solo, theta0[i], steps, seed=2)
        assert_allclose(theta[i], theta_i, rtol=1e-15, atol=0)
        for field, value in state_arrays(state_i).items():
            batched = getattr(state, field)
            row = batched if batched.ndim == 0 else batched[i]   # one schedule for all rows
            assert_allclose(row, value, rtol=1e-15, atol=0)
        assert_allclose(batch.effective_lr(state)[..., i, :] * np.ones(d),
                        solo.effective_lr(state_i) * np.ones(d), rtol=1e-15, atol=0)


@pytest.mark.parametrize("config", BATCH_CONFIGS, ids=config_id)
def test_per_coordinate_hyperparameters_equal_separate_runs(config):
    """Hyperparameters of shape (d,): coordinate j runs with the j-th values."""
    cls, fixed, varying = config
    d, steps = 3, 7     # RAdam rectifies from step 6 on
    theta0 = np.array([[0.5, -2.0, 30.0], [-1.0, 0.25, 4.0]])
    per_coord = cls(**kwargs_for(fixed, varying, lambda v: np.array(v)))
    theta, _ = trajectory(per_coord, theta0, steps, seed=3)
    for j in range(d):
        solo = cls(**kwargs_for(fixed, varying, lambda v: v[j]))
        theta_j, _ = trajectory(solo, theta0, steps, seed=3)
        assert_allclose(theta[:, j], theta_j[:, j], rtol=1e-15, atol=0)


def test_batched_hyperparameters_really_differ():
    """Guard for the two tests above: the runs of a batch do not all coincide."""
    opt = alr.RMSProp(lr=np.array([[0.001], [0.1]]))
    theta, _ = trajectory(opt, np.ones((2, 3)), 3, seed=0)
    assert not np.allclose(theta[0], theta[1])


# ------------------------------------------------------------------- 4. in-place path


IN_PLACE_CONFIGS = [
    (alr.RMSProp, {}),
    (alr.RMSProp, {"centered": True}),
    (alr.RMSProp, {"momentum": 0.9}),
    (alr.RMSProp, {"centered": True, "momentum": 0.5}),
    (alr.RMSProp, {"eps_inside_sqrt": True, "eps": 1e-4}),
    (alr.RMSProp, {"eps_inside_sqrt": True, "centered": True, "momentum": 0.5}),
    (alr.RMSProp, {"alpha": 1.0, "eps": 1e-2}),
    (alr.RMSProp, {"momentum": 0.9, "lr_in_momentum": True}),
    (alr.RMSProp, {"centered": True, "momentum": 0.5, "lr_in_momentum": True,
                   "eps_inside_sqrt": True, "initial_accumulator_value": 1.0}),
    (alr.Adam, {"lr": 0.01}),
    (alr.Adam, {"bias_correction": False}),
    (alr.Adam, {"bias_correction": (False, True), "betas": (0.5, 0.9), "eps_hat": True}),
    (alr.Adam, {"amsgrad": True, "betas": (0.5, 0.9)}),
    (alr.Adam, {"weight_decay": 0.1}),
    (alr.Adam, {"weight_decay": 0.1, "decoupled": True}),
    (alr.Adam, {"weight_decay": 0.1, "decoupled": True, "amsgrad": True}),
    (alr.Adamax, {}),
    (alr.Adamax, {"lr": 0.1, "betas": (0.5, 0.6), "eps": 1e-3, "weight_decay": 0.1}),
    (alr.NAdam, {}),
    (alr.NAdam, {"momentum_decay": 20.0, "weight_decay": 0.1}),
    (alr.NAdam, {"weight_decay": 0.1, "decoupled": True}),
    (alr.RAdam, {}),
    (alr.RAdam, {"betas": (0.9, 0.6), "weight_decay": 0.1}),
    (alr.RAdam, {"weight_decay": 0.1, "decoupled": True}),
    # the generic step_ (compute the pure step, copy it back)
    (alr.SGD, {"lr": 0.1}),
    (alr.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (alr.AdaGrad, {"lr": 0.1}),
    (alr.AdaGrad, {"lr": 0.1, "eps_inside_sqrt": True, "initial_accumulator_value": 0.1}),
    (alr.AdaDelta, {}),
]


def check_in_place(opt, theta0, dtype, steps=3):
    theta0 = theta0.astype(dtype)
    expected, expected_state = trajectory(opt, theta0, steps, seed=4)
    theta = theta0.copy()
    state = opt.init(theta)
    arrays_before = state_arrays(state)
    rng = np.random.default_rng(4)
    noise = rng.normal(size=(steps,) + theta.shape[-1:]).astype(dtype)
    for t in range(steps):
        g = 0.7 * theta + noise[t]
        new_state = opt.step_(theta, g, state)
        # the state's arrays are updated in place and handed back
        for field, array in state_arrays(new_state).items():
            assert array is arrays_before[field]
        state = new_state
    assert state.count == steps
    assert theta.dtype == dtype
    # bit for bit: the blocked kernels (RMSProp, Adam and the later variants) do step's
    # operations in step's order, and the generic step_ is the pure step
    assert_array_equal(theta, expected)
    for field, value in state_arrays(expected_state).items():
        assert getattr(state, field).dtype == (np.float64 if field in FLOAT64_FIELDS else dtype)
        assert_array_equal(getattr(state, field), value)


def config_name(config):
    cls, kwargs = config
    return "-".join([cls.__name__, *kwargs])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", IN_PLACE_CONFIGS, ids=config_name)
def test_step_in_place_equals_step_1d_several_blocks(config, dtype):
    cls, kwargs = config
    size = 2 * optimizers.BLOCK_ELEMENTS + 1234
    theta0 = np.random.default_rng(5).normal(size=size) * 3
    check_in_place(cls(**kwargs), theta0, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", IN_PLACE_CONFIGS, ids=config_name)
@pytest.mark.parametrize("shape", [(300, 250), (3, optimizers.BLOCK_ELEMENTS * 2 + 7)],
                         ids=["many-rows-per-block", "row-larger-than-block"])
def test_step_in_place_equals_step_batched(config, dtype, shape):
    cls, kwargs = config
    n = shape[0]
    lr = np.geomspace(1e-3, 1e-1, n).reshape(n, 1)
    theta0 = np.random.default_rng(6).normal(size=shape)
    check_in_place(cls(**{**kwargs, "lr": lr}), theta0, dtype, steps=2)


PER_COORDINATE_SIZE = optimizers.BLOCK_ELEMENTS + 999


@pytest.mark.parametrize("cls,kwargs", [
    (alr.RMSProp, {"centered": True, "momentum": 0.5}),
    (alr.Adam, {"amsgrad": True, "weight_decay": 0.1}),
    (alr.Adamax, {"betas": (0.9, np.linspace(0.5, 0.999, PER_COORDINATE_SIZE))}),
    # the schedule's product varies over θ: the kernel updates it block by block
    (alr.NAdam, {"momentum_decay": np.geomspace(1e-3, 30.0, PER_COORDINATE_SIZE)}),
    (alr.RAdam, {"betas": (0.9, np.linspace(0.5, 0.999, PER_COORDINATE_SIZE))}),
], ids=lambda v: v.__name__ if isinstance(v, type) else "-".join(v))
def test_step_in_place_per_coordinate_hyperparameters(cls, kwargs):
    size = PER_COORDINATE_SIZE
    lr = np.geomspace(1e-4, 1e-1, size)
    theta0 = np.random.default_rng(7).normal(size=size)
    check_in_place(cls(**{**kwargs, "lr": lr}), theta0, np.float64,
                   steps=8 if cls is alr.RAdam else 3)   # RAdam rectifies from step 6


LATER = [alr.Adamax, alr.NAdam, alr.RAdam]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", LATER)
def test_step_in_place_of_the_later_variants_over_more_steps(cls, dtype):
    """Eight steps: RAdam's rectified branch (from step 6), NAdam's product over several
    steps, Adamax's maximum after the first; batched, with rows on both sides of n∞ = 5."""
    theta0 = np.random.default_rng(8).normal(size=(3, optimizers.BLOCK_ELEMENTS + 11))
    betas = (0.9, np.array([[0.6], [0.9], [0.999]]))
    check_in_place(cls(betas=betas), theta0, dtype, steps=8)
    check_in_place(cls(lr=np.array([[0.1], [0.01], [0.001]])), theta0, dtype, steps=8)


@pytest.mark.parametrize("cls", [alr.RMSProp, alr.Adam, *LATER])
def test_step_in_place_rejects_bad_theta(cls):
    opt = cls()
    theta = np.ones(10)
    with pytest.raises(ValueError, match="contiguous"):
        view = theta[::2]
        opt.step_(view, np.ones(5), opt.init(view))
    read_only = np.ones(4)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        opt.step_(read_only, np.ones(4), opt.init(read_only))
    # and nothing was modified on the way
    assert_array_equal(theta, 1.0)


@pytest.mark.parametrize("cls", [alr.RMSProp, alr.Adam, *LATER])
def test_step_in_place_on_a_scalar_theta_equals_step(cls):
    """The kernels block over the flat array, so a 0-d θ is one block of one element."""
    opt = cls(lr=0.1)
    theta, state = np.array(1.0), opt.init(np.array(1.0))
    expected, expected_state = opt.step(theta.copy(), np.array(0.5), opt.init(np.array(1.0)))
    state = opt.step_(theta, np.array(0.5), state)
    assert theta.shape == () and state.count == 1
    assert_array_equal(theta, expected)
    for field, value in state_arrays(expected_state).items():
        assert_array_equal(getattr(state, field), value)


def test_step_in_place_reports_state_errors_like_step():
    opt = alr.RMSProp()
    theta = np.ones(4)
    with pytest.raises(ValueError, match="state.r"):
        opt.step_(theta, np.ones(4), opt.init(np.ones(5)))
    with pytest.raises(TypeError, match="state"):
        opt.step_(theta, np.ones(4), alr.Adam().init(theta))


# ---------------------------------------------------------------------------- 5. errors


CONSTRUCTION_ERRORS = [
    # learning rate: negative or non-finite
    (lambda: alr.SGD(lr=-0.1), ValueError, r"lr must lie in \[0, inf"),
    (lambda: alr.SGD(lr=float("nan")), ValueError, "lr must be finite"),
    (lambda: alr.AdaGrad(lr=float("inf")), ValueError, "lr must be finite"),
    (lambda: alr.RMSProp(lr=np.array([0.1, -0.1])), ValueError, "lr must lie"),
    (lambda: alr.AdaDelta(lr=-1.0), ValueError, "lr must lie"),
    (lambda: alr.Adam(lr=np.array([0.1, np.nan])), ValueError, "lr must be finite"),
    (lambda: alr.Adam(lr=-np.inf), ValueError, "lr must be finite"),
    # eps ≤ 0
    (lambda: alr.AdaGrad(eps=0.0), ValueError, r"eps must lie in \(0"),
    (lambda: alr.RMSProp(eps=-1e-8), ValueError, "eps must lie"),
    (lambda: alr.AdaDelta(eps=0), ValueError, "eps must lie"),
    (lambda: alr.Adam(eps=0.0), ValueError, "eps must lie"),
    (lambda: alr.Adam(eps=np.inf), ValueError, "eps must be finite"),
    # RMSProp's α in [0, 1] (1 allowed)
    (lambda: alr.RMSProp(alpha=-0.01), ValueError, r"alpha must lie in \[0, 1\]"),
    (lambda: alr.RMSProp(alpha=1.0 + 1e-12), ValueError, "alpha must lie"),
    (lambda: alr.RMSProp(alpha=np.array([0.9, 2.0])), ValueError, "alpha must lie"),
    # AdaDelta's ρ and Adam's betas in [0, 1)
    (lambda: alr.AdaDelta(rho=1.0), ValueError, r"rho must lie in \[0, 1\)"),
    (lambda: alr.AdaDelta(rho=-0.5), ValueError, "rho must lie"),
    (lambda: alr.Adam(betas=(1.0, 0.999)), ValueError, r"betas\[0\] must lie"),
    (lambda: alr.Adam(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must lie"),
    (lambda: alr.Adam(betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must lie"),
    (lambda: alr.Adam(betas=(0.9, float("nan"))), ValueError, r"betas\[1\] must be finite"),
    # momentum in [0, 1)
    (lambda: alr.SGD(lr=0.1, momentum=1.0), ValueError, "momentum must lie"),
    (lambda: alr.SGD(lr=0.1, momentum=-0.1), ValueError, "momentum must lie"),
    (lambda: alr.RMSProp(momentum=1.5), ValueError, "momentum must lie"),
    # other ranges
    (lambda: alr.AdaGrad(lr_decay=-1.0), ValueError, "lr_decay must lie"),
    (lambda: alr.AdaGrad(initial_accumulator_value=-0.1), ValueError,
     "initial_accumulator_value must lie"),
    (lambda: alr.Adam(weight_decay=-0.01), ValueError, "weight_decay must lie"),
    # Nesterov needs momentum
    (lambda: alr.SGD(lr=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda: alr.SGD(lr=0.1, momentum=np.array([0.5, 0.0]), nesterov=True), ValueError,
     "nesterov"),
    # types
    (lambda: alr.SGD(lr=True), TypeError, "lr must be a real number"),
    (lambda: alr.SGD(lr=np.array([True, False])), TypeError, "lr must be a real number"),
    (lambda: alr.RMSProp(alpha="0.9"), TypeError, "alpha must be a real number"),
    (lambda: alr.SGD(lr=None), TypeError, "lr must be"),
    (lambda: alr.AdaDelta(rho=np.array([0.9], dtype=object)), TypeError, "rho must be"),
    (lambda: alr.Adam(eps=1e-8 + 0j), TypeError, "eps must be"),
    (lambda: alr.SGD(lr=0.1, momentum=0.5, nesterov=1), TypeError, "nesterov"),
    (lambda: alr.RMSProp(centered="yes"), TypeError, "centered"),
    (lambda: alr.AdaGrad(eps_inside_sqrt=None), TypeError, "eps_inside_sqrt"),
    (lambda: alr.Adam(amsgrad=0), TypeError, "amsgrad"),
    (lambda: alr.Adam(decoupled="true"), TypeError, "decoupled"),
    # betas not a pair
    (lambda: alr.Adam(betas=0.9), TypeError, "betas must be a pair"),
    (lambda: alr.Adam(betas=(0.9,)), TypeError, "betas must be a pair"),
    (lambda: alr.Adam(betas=(0.9, 0.99, 0.999)), TypeError, "betas must be a pair"),
    # hyperparameter arrays that do not broadcast together
    (lambda: alr.RMSProp(lr=np.full(3, 0.1), alpha=np.full(2, 0.9)), ValueError,
     r"do not broadcast together: lr\(3,\), alpha\(2,\)"),
    (lambda: alr.Adam(lr=np.full((2, 1), 0.1), betas=(np.full(3, 0.9), np.full(4, 0.99))),
     ValueError, "do not broadcast together"),
    # the later variants
    (lambda: alr.Adamax(lr=-1e-3), ValueError, "lr must lie"),
    (lambda: alr.Adamax(betas=(1.0, 0.999)), ValueError, r"betas\[0\] must lie"),
    (lambda: alr.Adamax(eps=0.0), ValueError, "eps must lie"),
    (lambda: alr.Adamax(weight_decay=-0.1), ValueError, "weight_decay must lie"),
    (lambda: alr.Adamax(betas=0.9), TypeError, "betas must be a pair"),
    (lambda: alr.NAdam(momentum_decay=-0.004), ValueError, r"momentum_decay must lie in \[0"),
    (lambda: alr.NAdam(momentum_decay=np.inf), ValueError, "momentum_decay must be finite"),
    (lambda: alr.NAdam(momentum_decay="0.004"), TypeError, "momentum_decay must be a real"),
    (lambda: alr.NAdam(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must lie"),
    (lambda: alr.NAdam(decoupled="yes"), TypeError, "decoupled must be True or False"),
    (lambda: alr.NAdam(lr=np.full(3, 0.1), momentum_decay=np.full(2, 0.1)), ValueError,
     r"do not broadcast together: lr\(3,\), .*momentum_decay\(2,\)"),
    (lambda: alr.RAdam(betas=(-0.1, 0.999)), ValueError, r"betas\[0\] must lie"),
    (lambda: alr.RAdam(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must lie"),
    (lambda: alr.RAdam(eps=-1e-8), ValueError, "eps must lie"),
    (lambda: alr.RAdam(decoupled=1), TypeError, "decoupled must be True or False"),
    (lambda: alr.RAdam(lr=True), TypeError, "lr must be a real number"),
]


@pytest.mark.parametrize("build,error,match", CONSTRUCTION_ERRORS)
def test_bad_hyperparameters_raise_naming_the_argument(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_boundary_values_are_accepted():
    """The closed ends of the intervals: lr = 0, α = 0 and α = 1 (RMSProp), ρ = β = 0."""
    alr.SGD(lr=0.0)
    alr.RMSProp(alpha=0.0)
    alr.RMSProp(alpha=1.0)       # allowed on purpose: r stays 0 (see the α = 1 test)
    alr.AdaDelta(rho=0.0)
    alr.Adam(betas=(0.0, 0.0))
    alr.Adam(betas=[np.array([0.0, 0.5]), 0.9])
    for cls in (alr.Adamax, alr.NAdam, alr.RAdam):
        cls(lr=0.0, betas=(0.0, 0.0))
    alr.NAdam(momentum_decay=0.0)
    alr.SGD(lr=np.float32(0.1), momentum=np.int64(0))
    alr.AdaGrad(lr=1)            # Python ints are real numbers


ALL_OPTIMIZERS = [alr.SGD(lr=0.1), alr.SGD(lr=0.1, momentum=0.9), alr.AdaGrad(),
                  alr.RMSProp(centered=True, momentum=0.5), alr.AdaDelta(),
                  alr.Adam(amsgrad=True), alr.Adamax(), alr.NAdam(), alr.RAdam()]


@pytest.mark.parametrize("opt", ALL_OPTIMIZERS, ids=repr)
def test_bad_step_arguments_raise_naming_the_argument(opt):
    theta = np.array([1.0, -2.0, 0.5])
    state = opt.init(theta)
    good = np.array([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"grad must have the shape of theta \(3,\)"):
        opt.step(theta, np.ones(2), state)
    with pytest.raises(ValueError, match="grad must have the shape"):
        opt.step(theta, np.ones((1, 3)), state)
    with pytest.raises(TypeError, match="theta must be a floating-point array"):
        opt.step(np.array([1, -2, 0]), good, state)
    with pytest.raises(TypeError, match="grad must be a floating-point array"):
        opt.step(theta, np.array([1, 2, 3]), state)
    with pytest.raises(TypeError, match="theta must be a floating-point array"):
        opt.step(np.array([1.0, 2.0, 3.0], dtype=object), good, state)
    with pytest.raises(TypeError, match="grad must be a floating-point array"):
        opt.step(theta, np.array([0.1, 0.2, 0.3], dtype=object), state)
    with pytest.raises(TypeError, match="theta must be a floating-point array"):
        opt.step(np.array([True, False, True]), good, state)
    with pytest.raises(TypeError, match="state must be the"):
        opt.step(theta, good, (0, np.zeros(3)))
    other = alr.Adam() if not isinstance(opt, alr.Adam) else alr.AdaGrad()
    with pytest.raises(TypeError, match="state must be the"):
        opt.step(theta, good, other.init(theta))
    if state_arrays(state):
        with pytest.raises(ValueError, match=r"state\.(?!mu_product)\w+ has shape \(4,\)"):
            opt.step(theta, good, opt.init(np.ones(4)))
        with pytest.raises(ValueError, match="call init with this theta"):
            opt.step(theta[None], good[None], state)
    # init on an integer theta is refused where init builds arrays
    if state_arrays(state):
        with pytest.raises(TypeError, match="theta must be a floating-point array"):
            opt.init(np.array([1, 2, 3]))


@pytest.mark.parametrize("cls,key", [(alr.SGD, "lr"), (alr.AdaGrad, "eps"),
                                     (alr.RMSProp, "alpha"), (alr.AdaDelta, "rho"),
                                     (alr.Adam, "lr"), (alr.Adamax, "eps"),
                                     (alr.NAdam, "momentum_decay"), (alr.RAdam, "lr")])
def test_hyperparameter_must_broadcast_against_theta(cls, key):
    kwargs = {"lr": 0.1} if cls is alr.SGD else {}
    values = {"lr": [0.1, 0.2, 0.3], "eps": [1e-8, 1e-6, 1e-4], "alpha": [0.9, 0.99, 0.5],
              "rho": [0.9, 0.95, 0.5], "momentum_decay": [0.0, 0.004, 1.0]}[key]
    opt = cls(**{**kwargs, key: np.array(values)})
    theta = np.ones(2)
    with pytest.raises(ValueError, match=f"{key} has shape \\(3,\\), which does not broadcast"):
        opt.step(theta, theta, opt.init(theta))
    # nor may a hyperparameter enlarge theta into a batch
    opt = cls(**{**kwargs, key: np.array(values).reshape(3, 1)})
    with pytest.raises(ValueError, match=f"{key} has shape \\(3, 1\\)"):
        opt.step(theta, theta, opt.init(theta))
    theta = np.ones((3, 2))            # but it fits a batch of 3
    opt.step(theta, theta, opt.init(theta))


@pytest.mark.parametrize("cls", [alr.Adam, alr.Adamax, alr.NAdam, alr.RAdam])
def test_adam_betas_error_names_which_beta(cls):
    opt = cls(betas=(np.full(3, 0.9), 0.99))
    with pytest.raises(ValueError, match="beta1 has shape"):
        opt.step(np.ones(2), np.ones(2), opt.init(np.ones(2)))


def test_grad_is_cast_to_theta_dtype():
    opt = alr.RMSProp()
    theta = np.ones(3, np.float32)
    new, state = opt.step(theta, np.ones(3, np.float64), opt.init(theta))
    assert new.dtype == np.float32 and state.r.dtype == np.float32


# ------------------------------------------------------------------ 6. variant options


def test_adam_without_bias_correction_and_beta1_zero_is_rmsprop_bit_for_bit():
    """m = g when β₁ = 0, and with both corrections off line 6 is −ρ g/(√v + ε): RMSProp's."""
    rng = np.random.default_rng(20)
    theta0 = rng.normal(size=(3, 4))
    adam = alr.Adam(lr=0.05, betas=(0.0, 0.9), eps=1e-3, bias_correction=False)
    rms = alr.RMSProp(lr=0.05, alpha=0.9, eps=1e-3)
    a, sa = theta0.copy(), adam.init(theta0)
    r, sr = theta0.copy(), rms.init(theta0)
    for _ in range(8):
        g = rng.normal(size=theta0.shape) * [1e-3, 1.0, 10.0, 1e3]
        a, sa = adam.step(a, g, sa)
        r, sr = rms.step(r, g, sr)
        assert_array_equal(a, r)
        assert_array_equal(sa.v, sr.r)
        assert_array_equal(adam.effective_lr(sa), rms.effective_lr(sr))


def test_adam_second_correction_only_is_rmsprop_with_bias_correction():
    """With β₁ = 0, (False, True) is RMSProp plus v̂ = v/(1 − β₂ᵗ); c₁ = 1 − 0ᵗ = 1, so it is
    also what the default computes for β₁ = 0."""
    lr, beta2, eps = 0.05, 0.9, 1e-3
    rng = np.random.default_rng(21)
    grads = rng.normal(size=(6, 4)) * [1e-2, 1.0, 10.0, 1e3]
    corrected = alr.Adam(lr=lr, betas=(0.0, beta2), eps=eps, bias_correction=(False, True))
    default = alr.Adam(lr=lr, betas=(0.0, beta2), eps=eps)
    theta = mine = np.zeros(4)
    s1, s2, v = corrected.init(theta), default.init(theta), np.zeros(4)
    other = theta
    for t, g in enumerate(grads, start=1):
        theta, s1 = corrected.step(theta, g, s1)
        other, s2 = default.step(other, g, s2)
        v = beta2 * v + (1 - beta2) * g * g
        mine = mine - lr * g / (eps + np.sqrt(v / (1 - beta2 ** t)))
        assert_allclose(theta, mine, rtol=1e-12)
        assert_array_equal(theta, other)


@pytest.mark.parametrize("switches", [(True, True), (False, False), (True, False), (False, True)])
def test_adam_effective_lr_follows_the_bias_correction_switches(switches):
    """effective_lr = (ρ/c₁)/(√v/√c₂ + ε) with c = 1 where a correction is off."""
    lr, b1, b2, eps = 0.1, 0.5, 0.75, 1e-3
    opt = alr.Adam(lr=lr, betas=(b1, b2), eps=eps, bias_correction=switches)
    theta, state = np.array([1.0, -1.0]), opt.init(np.zeros(2))
    for t, g in enumerate(([0.5, 2.0], [-1.0, 0.25], [3.0, 1.0]), start=1):
        new, state = opt.step(theta, np.array(g), state)
        c1 = 1 - b1 ** t if switches[0] else 1.0
        c2 = 1 - b2 ** t if switches[1] else 1.0
        rate = lr / c1 / (np.sqrt(state.v / c2) + eps)
        assert_allclose(opt.effective_lr(state), rate, rtol=1e-14)
        assert_allclose(new - theta, -rate * state.m, rtol=1e-12)
        theta = new


def test_adam_bias_correction_options_are_validated_and_shown():
    for bad in (1, "yes", (True,), (True, 1), [True, False, True], None):
        with pytest.raises(TypeError, match="bias_correction must be True, False or a pair"):
            alr.Adam(bias_correction=bad)
    assert "bias_correction" not in repr(alr.Adam(bias_correction=(True, True)))
    assert repr(alr.Adam(bias_correction=False)).endswith("bias_correction=False)")
    assert repr(alr.Adam(bias_correction=[False, True])).endswith(
        "bias_correction=(False, True))")
    assert alr.Adam(bias_correction=np.bool_(False)).bias_correction == (False, False)


def test_rmsprop_initial_accumulator_first_step_by_hand():
    """TF1 starts r at 1: r₁ = α + (1 − α) g², so the first step is ρ g/√(r₁ + ε) (ε inside)
    rather than RMSProp's ρ/√(1 − α)·sign(g)."""
    lr, alpha, eps = 0.01, 0.9, 1e-10
    g = np.array([1e-3, -0.5, 20.0])
    opt = alr.RMSProp(lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=True,
                      initial_accumulator_value=1.0)
    theta, state = opt.step(np.zeros(3), g, opt.init(np.zeros(3)))
    r1 = alpha + (1 - alpha) * g * g
    assert_allclose(state.r, r1, rtol=1e-15)
    assert_allclose(theta, -lr * g / np.sqrt(r1 + eps), rtol=1e-14)
    assert abs(theta[0]) < 2e-5      # a small gradient takes a small, SGD-like step


def test_rmsprop_initial_accumulator_is_an_ordinary_hyperparameter():
    opt = alr.RMSProp(initial_accumulator_value=np.array([[1.0], [0.0]]))
    state = opt.init(np.zeros((2, 3)))
    assert_array_equal(state.r, [[1.0] * 3, [0.0] * 3])
    assert opt.hyperparameters["initial_accumulator_value"].shape == (2, 1)
    with pytest.raises(ValueError, match=r"initial_accumulator_value must lie in \[0"):
        alr.RMSProp(initial_accumulator_value=-1e-3)
    with pytest.raises(TypeError, match="initial_accumulator_value must be a real number"):
        alr.RMSProp(initial_accumulator_value="1")
    with pytest.raises(ValueError, match="do not broadcast together"):
        alr.RMSProp(lr=np.full(3, 0.1), initial_accumulator_value=np.ones(2))


@pytest.mark.parametrize("cls", [alr.AdaGrad, alr.RMSProp])
def test_initial_accumulator_of_the_wrong_shape_is_a_clear_error(cls):
    opt = cls(initial_accumulator_value=np.ones(3))
    with pytest.raises(ValueError, match=r"initial_accumulator_value has shape \(3,\), which "
                                         r"does not broadcast against theta of shape \(2,\)"):
        opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"initial_accumulator_value has shape \(3, 1\)"):
        cls(initial_accumulator_value=np.ones((3, 1))).init(np.zeros(3))
    assert_array_equal(opt.init(np.zeros((2, 3))).r, 1.0)


def test_rmsprop_initial_accumulator_shown_only_when_nonzero():
    assert repr(alr.RMSProp()) == "RMSProp(lr=0.01, alpha=0.99, eps=1e-08, momentum=0)"
    assert alr.RMSProp(lr=0.01, alpha=0.9).label == "RMSProp (ρ=0.01, α=0.9)"
    opt = alr.RMSProp(lr=0.01, alpha=0.9, initial_accumulator_value=1.0)
    assert "initial_accumulator_value=1" in repr(opt)
    assert opt.label == "RMSProp (ρ=0.01, α=0.9, r₀=1)"
    assert "initial_accumulator_value=<array (3,)>" in repr(
        alr.RMSProp(initial_accumulator_value=np.zeros(3)))


def test_rmsprop_momentum_forms_agree_for_a_constant_lr():
    """B = ρ b when ρ never changes: the same updates up to rounding."""
    rng = np.random.default_rng(22)
    theta0 = rng.normal(size=5)
    for centered in (False, True):
        torch_form = alr.RMSProp(lr=0.03, alpha=0.9, momentum=0.9, centered=centered)
        keras_form = alr.RMSProp(lr=0.03, alpha=0.9, momentum=0.9, centered=centered,
                                 lr_in_momentum=True)
        a, sa = theta0, torch_form.init(theta0)
        b, sb = theta0, keras_form.init(theta0)
        assert sa.lr_momentum is None and sb.momentum is None
        for _ in range(20):
            g = rng.normal(size=5)
            a, sa = torch_form.step(a, g, sa)
            b, sb = keras_form.step(b, g, sb)
            assert_allclose(sb.lr_momentum, 0.03 * sa.momentum, rtol=1e-12, atol=1e-15)
            assert_allclose(a, b, rtol=1e-12)


def test_rmsprop_lr_in_momentum_when_lr_changes_by_hand():
    """One coordinate, α = 0 (so u = g/(|g| + ε) ≈ sign g = 1), μ = 0.5; ρ = 1 then 0.1:
    PyTorch's b₂ = 1.5 takes −0.15; Keras's B₂ = 0.5·1 + 0.1 = 0.6 takes −0.6."""
    g, eps = np.array([2.0]), 1e-12
    u = 2.0 / (2.0 + eps)
    for lr_in_momentum, second in ((False, 0.1 * (0.5 * u + u)), (True, 0.5 * u + 0.1 * u)):
        first = alr.RMSProp(lr=1.0, alpha=0.0, eps=eps, momentum=0.5,
                            lr_in_momentum=lr_in_momentum)
        theta, state = first.step(np.zeros(1), g, first.init(np.zeros(1)))
        assert_allclose(theta, [-u], rtol=1e-15)
        rebuilt = alr.RMSProp(lr=0.1, alpha=0.0, eps=eps, momentum=0.5,
                              lr_in_momentum=lr_in_momentum)   # takes the state as it is
        new, state = rebuilt.step(theta, g, state)
        assert_allclose(theta - new, [second], rtol=1e-14)
        third, _ = rebuilt.step(new, g, state)
        rebuilt.step_(new, g, state)                            # and step_ too
        assert_array_equal(new, third)


def test_rmsprop_lr_in_momentum_needs_momentum():
    for momentum in (0.0, np.zeros(3)):
        with pytest.raises(ValueError, match="lr_in_momentum=True .* needs momentum > 0"):
            alr.RMSProp(momentum=momentum, lr_in_momentum=True)
    with pytest.raises(TypeError, match="lr_in_momentum must be True or False"):
        alr.RMSProp(momentum=0.9, lr_in_momentum=1)
    # an array with some zero entries is a batch in which some runs have no momentum
    opt = alr.RMSProp(momentum=np.array([[0.0], [0.9]]), lr_in_momentum=True)
    assert repr(opt).endswith("lr_in_momentum=True)")
    assert opt.init(np.zeros((2, 3))).lr_momentum.shape == (2, 3)


ALL_CLASSES = [(alr.SGD, {"lr": 0.1}), (alr.SGD, {"lr": 0.1, "momentum": 0.9}),
               (alr.AdaGrad, {}), (alr.RMSProp, {"momentum": 0.5, "centered": True}),
               (alr.RMSProp, {"momentum": 0.5, "lr_in_momentum": True}), (alr.AdaDelta, {}),
               (alr.Adam, {"amsgrad": True}), (alr.Adam, {"decoupled": True}),
               (alr.Adamax, {}), (alr.NAdam, {}), (alr.NAdam, {"decoupled": True}),
               (alr.RAdam, {}), (alr.RAdam, {"decoupled": True})]


def class_id(config):
    return "-".join([config[0].__name__, *config[1]])


@pytest.mark.parametrize("config", ALL_CLASSES, ids=class_id)
def test_name_is_display_only(config):
    cls, kwargs = config
    named = cls(**kwargs, name="mine")
    plain = cls(**kwargs)
    assert named.name == "mine" and repr(named).startswith("mine(")
    assert named.label.startswith("mine")
    assert repr(named)[len("mine"):] == repr(plain)[len(plain.name):]
    theta = np.array([1.0, -2.0, 0.5])
    a, sa = theta, named.init(theta)
    b, sb = theta, plain.init(theta)
    for k in range(3):
        g = np.array([0.3, -1.0, 2.0]) * (k + 1)
        a, sa = named.step(a, g, sa)
        b, sb = plain.step(b, g, sb)
    assert_array_equal(a, b)
    assert_array_equal(named.effective_lr(sa), plain.effective_lr(sb))
    assert (named.decay_key, named.accumulates, named.update_units, named.state_units) == (
        plain.decay_key, plain.accumulates, plain.update_units, plain.state_units)
    for bad in ("", 3, b"x"):
        with pytest.raises(TypeError, match="name must be a non-empty string"):
            cls(**kwargs, name=bad)


def test_default_names():
    assert alr.Adam(decoupled=True).name == "AdamW"
    assert alr.Adam(decoupled=True, name="decoupled").name == "decoupled"
    assert alr.SGD(lr=0.1).label == "GD (ρ=0.1)"
    assert alr.SGD(lr=0.1, name="plain").label == "plain (ρ=0.1)"
    assert alr.SGD(lr=0.1, momentum=0.9, name="momentum").label == "momentum (ρ=0.1, μ=0.9)"
    classes = (alr.SGD, alr.AdaGrad, alr.RMSProp, alr.AdaDelta, alr.Adam, alr.Adamax,
               alr.NAdam, alr.RAdam)
    assert [cls(lr=0.1).name for cls in classes] == [cls.__name__ for cls in classes]
    assert (alr.NAdam(decoupled=True).name, alr.RAdam(decoupled=True).name) == ("NAdamW",
                                                                                "RAdamW")
    assert alr.NAdam().label == "NAdam (ρ=0.002, β₁=0.9, β₂=0.999, ψ=0.004)"
    assert alr.Adamax().label == "Adamax (ρ=0.002, β₁=0.9, β₂=0.999)"
    assert repr(alr.RAdam()) == "RAdam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0)"


def test_class_attributes_follow_the_options():
    assert alr.RMSProp(initial_accumulator_value=1.0).accumulator_decay == 0.99
    assert alr.RMSProp(momentum=0.9, lr_in_momentum=True).state_units["lr_momentum"] == 0
    assert alr.Adam(bias_correction=False).accumulator_decay == 0.999
    for cls in (alr.Adamax, alr.NAdam, alr.RAdam):   # the decay of v (Adamax: of u's maximum)
        assert cls(betas=(0.9, 0.99)).accumulator_decay == 0.99 and cls.update_units == 0
    assert alr.Adamax.state_units == {"m": -1, "u": -1}   # u has the units of g, not g²
    for opt in (alr.RMSProp(momentum=0.9, centered=True), alr.Adam(amsgrad=True),
                alr.RMSProp(momentum=0.9, lr_in_momentum=True), alr.SGD(lr=0.1, momentum=0.9),
                alr.Adamax(), alr.NAdam(), alr.RAdam()):
        assert set(state_arrays(opt.init(np.zeros(2)))) <= set(opt.state_units)


# ------------------------------------------------------------- 7. optimizers are values


@pytest.mark.parametrize("config", ALL_CLASSES, ids=class_id)
def test_no_method_hands_out_an_internal_array(config):
    cls, kwargs = config
    opt = cls(**kwargs)
    theta = np.array([1.0, -2.0, 0.5])
    before = run(opt, theta, [[0.1, 0.2, 0.3]] * 3)
    state = opt.init(theta)
    e = opt.effective_lr(state)
    e *= -50                                           # the caller's own array
    for key, value in opt.hyperparameters.items():
        with pytest.raises(ValueError, match="read-only"):
            value[...] = 0
        with pytest.raises(ValueError, match="read-only"):
            getattr(opt, key)[...] = 0
        with pytest.raises(AttributeError, match=f"{key} is read-only"):
            setattr(opt, key, 0.5)
    with pytest.raises(AttributeError, match="read-only"):
        opt.name = "other"
    with pytest.raises(AttributeError, match="read-only"):
        del opt.lr
    assert_array_equal(run(opt, theta, [[0.1, 0.2, 0.3]] * 3), before)
    assert_array_equal(opt.effective_lr(state), cls(**kwargs).effective_lr(state))


def test_sgd_effective_lr_is_cast_like_step():
    """The issue's case: the returned ρ is a new array, in the state's dtype when it has one."""
    opt = alr.SGD(lr=0.1)
    state = opt.init(np.ones(3))
    e = opt.effective_lr(state)
    e *= -50
    assert float(opt.lr) == 0.1 and float(opt.effective_lr(state)) == 0.1
    theta, _ = opt.step(np.ones(3), np.ones(3), state)
    assert_allclose(theta, 0.9, rtol=1e-15)
    momentum = alr.SGD(lr=np.array([[0.1], [0.2]]), momentum=0.5)
    m_state = momentum.init(np.ones((2, 3), np.float32))
    rate = momentum.effective_lr(m_state)
    assert rate.dtype == np.float32 and rate.shape == (2, 3)


def test_copies_stay_read_only():
    import copy
    import pickle
    opt = alr.Adam(lr=np.array([0.1, 0.2]))
    opt.step(np.ones(2), np.ones(2), opt.init(np.ones(2)))   # fills the cast cache
    for twin in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        with pytest.raises(ValueError, match="read-only"):
            twin.lr[...] = 0
        assert repr(twin) == repr(opt)
        assert_array_equal(run(twin, [1.0, 2.0], [[0.5, 0.5]]), run(opt, [1.0, 2.0], [[0.5, 0.5]]))


# -------------------------------------------------------------------- 8. hardening


ALL_OPTIMIZER_CONFIGS = [(alr.SGD, {"lr": 0.1}), (alr.SGD, {"lr": 0.1, "momentum": 0.9}),
                         (alr.AdaGrad, {}), (alr.RMSProp, {}),
                         (alr.RMSProp, {"centered": True, "momentum": 0.5}),
                         (alr.RMSProp, {"momentum": 0.5, "lr_in_momentum": True}),
                         (alr.AdaDelta, {}), (alr.Adam, {}), (alr.Adam, {"amsgrad": True}),
                         (alr.Adamax, {}), (alr.NAdam, {}), (alr.NAdam, {"decoupled": True}),
                         (alr.RAdam, {})]


@pytest.mark.parametrize("config", ALL_OPTIMIZER_CONFIGS, ids=class_id)
def test_float16_is_refused_clearly(config):
    cls, kwargs = config
    opt = cls(**kwargs)
    half = np.ones(3, np.float16)
    with pytest.raises(TypeError, match="float16, which the optimizers refuse"):
        opt.init(half)
    with pytest.raises(TypeError, match="float16"):
        opt.step(half, half, opt.init(np.ones(3, np.float32)))
    with pytest.raises(TypeError, match="float16"):
        opt.step_(half, half, opt.init(np.ones(3, np.float32)))
    # a float16 gradient is fine: it is cast to θ's dtype
    theta, state = opt.step(np.ones(3, np.float32), half, opt.init(np.ones(3, np.float32)))
    assert theta.dtype == np.float32


@pytest.mark.parametrize("cls", [alr.AdaGrad, alr.RMSProp, alr.AdaDelta, alr.Adam, alr.Adamax,
                                 alr.NAdam, alr.RAdam])
def test_eps_that_rounds_to_zero_in_thetas_dtype_is_refused(cls):
    """AdaGrad(eps=1e-50) with a float32 θ gave NaN on a zero gradient (0/0)."""
    opt = cls(eps=1e-50)
    theta = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match=r"eps=1e-50 rounds to 0 in float32 .* eps >= 1\.4e-45"):
        opt.init(theta)
    state32 = cast_state(opt.init(np.zeros(3)), np.float32)
    with pytest.raises(ValueError, match="rounds to 0 in float32"):
        opt.step(theta, theta, state32)
    float64, _ = opt.step(np.zeros(3), np.zeros(3), opt.init(np.zeros(3)))   # fine in float64
    assert_array_equal(float64, 0.0)
    # the smallest float32 ε that does not vanish works, and gives no NaN
    tiny = cls(eps=2e-45)
    out, state = tiny.step(theta, theta, tiny.init(theta))
    with np.errstate(over="ignore"):     # ρ/ε = 0.01/2e-45 exceeds float32's range: inf
        rate = tiny.effective_lr(state)
    assert np.all(np.isfinite(out)) and not np.any(np.isnan(rate))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_betas_near_one_are_computed_in_double_precision(dtype):
    """β₂ = 1 − 1e-9 is 1.0 in float32: 1 − β₂ and 1 − β₂ᵗ in θ's dtype gave 0/0."""
    theta = np.array([1.0, -1.0, 0.5], dtype)
    g = np.array([0.5, 0.0, -2.0], dtype)
    for opt in (alr.Adam(lr=0.1, betas=(0.9, 1 - 1e-9)), alr.Adam(lr=0.1, betas=(1 - 1e-9, 0.5)),
                alr.RMSProp(lr=0.1, alpha=1 - 1e-9), alr.AdaDelta(rho=1 - 1e-9),
                alr.Adamax(lr=0.1, betas=(1 - 1e-9, 1 - 1e-9)),
                # μₜ = β₁ once 0.96^{tψ} = 0: 1 − Πₜ = 1 − β₁ᵗ needs float64 (it is 0 in float32)
                alr.NAdam(lr=0.1, betas=(1 - 1e-9, 1 - 1e-9), momentum_decay=1e4),
                alr.RAdam(lr=0.1, betas=(1 - 1e-9, 0.999))):
        t, s = theta, opt.init(theta)
        exact, es = theta.astype(np.float64), opt.init(theta.astype(np.float64))
        for _ in range(3):
            t, s = opt.step(t, g, s)
            exact, es = opt.step(exact, g.astype(np.float64), es)
        assert t.dtype == dtype and not np.any(np.isnan(opt.effective_lr(s)))
        assert_allclose(t, exact, rtol=1e-6)
    # the first Adam step is still ≈ ρ sign(g), for a zero gradient 0
    opt = alr.Adam(lr=0.1, betas=(0.9, 1 - 1e-9))
    first, _ = opt.step(theta, g, opt.init(theta))
    assert_allclose(first - theta, -0.1 * np.sign(g), rtol=1e-6)


def torch_adam_step(theta, g, lr, b1, b2, eps, t=1):
    """torch's _single_tensor_adam for one coordinate from zero state, in Python floats."""
    m, v = (1 - b1) * g, b2 * 0.0 + (1 - b2) * g * g
    bias_correction1, bias_correction2 = 1 - b1 ** t, 1 - b2 ** t
    denom = math.sqrt(v) / math.sqrt(bias_correction2) + eps
    return theta - lr / bias_correction1 * (m / denom)


def test_overflow_follows_torchs_order_of_operations():
    """g = 5e154: g·g = 2.5e309 overflows, (1 − α)·g·g does not (torch's addcmul multiplies
    by the value first); v/(1 − β₂) overflows, √v/√(1 − β₂) does not (torch divides roots)."""
    g = np.array([5e154])
    rms = alr.RMSProp(lr=0.1, alpha=0.99)
    # torch: square_avg = (1 − α)·g·g = 2.5e307, θ − lr·g/(√ + ε) = 1 − 0.1·10
    expected = 1.0 - 0.1 * (5e154 / (math.sqrt(0.01 * 5e154 * 5e154) + 1e-8))
    pure, _ = rms.step(np.ones(1), g, rms.init(np.ones(1)))
    theta = np.ones(1)
    rms.step_(theta, g, rms.init(theta))
    assert_allclose(pure, [expected], atol=1e-15)
    assert_array_equal(theta, pure)
    adam = alr.Adam(lr=0.1)
    expected = torch_adam_step(1.0, 5e154, 0.1, 0.9, 0.999, 1e-8)
    assert abs(expected - 0.9) < 1e-15
    pure, _ = adam.step(np.ones(1), g, adam.init(np.ones(1)))
    theta = np.ones(1)
    adam.step_(theta, g, adam.init(theta))
    assert_allclose(pure, [expected], rtol=1e-15)
    assert_array_equal(theta, pure)


def test_overflow_in_the_later_variants_follows_torchs_order():
    """g = 5e154. Adamax squares nothing: its step is ρ sign g. RAdam's first steps are
    momentum SGD, −ρ m̂ = −ρ g (the gradient's own scale). NAdam divides v by 1 − β₂ᵗ
    *before* the root (torch's ``exp_avg_sq.div(bias_correction2).sqrt()``): v/(1 − β₂) =
    2.5e309 overflows, √ is inf and the step is 0, exactly as in torch's single-tensor NAdam
    (its foreach path divides the roots, like Adam)."""
    g = np.array([5e154])
    adamax = alr.Adamax(lr=0.1)
    pure, _ = adamax.step(np.ones(1), g, adamax.init(np.ones(1)))
    assert_allclose(pure, [0.9], rtol=1e-15)
    radam = alr.RAdam(lr=0.1)
    pure, _ = radam.step(np.ones(1), g, radam.init(np.ones(1)))
    assert_allclose(pure, [1.0 - 0.1 * 5e154], rtol=1e-15)
    nadam = alr.NAdam(lr=0.1)
    with np.errstate(over="ignore"):
        pure, state = nadam.step(np.ones(1), g, nadam.init(np.ones(1)))
        theta = np.ones(1)
        nadam.step_(theta, g, nadam.init(theta))
    assert_array_equal(pure, [1.0]) and np.isfinite(state.v).all()
    assert_array_equal(theta, pure)


# (class, options of the optimizer that made the state, options of the one handed it, the
# field named in the error)
FOREIGN_STATES = [
    (alr.SGD, {"lr": 0.1}, {"lr": 0.1, "momentum": 0.9}, "momentum"),
    (alr.SGD, {"lr": 0.1, "momentum": 0.9}, {"lr": 0.1}, "momentum"),
    (alr.RMSProp, {}, {"centered": True}, "g_avg"),
    (alr.RMSProp, {"centered": True}, {}, "g_avg"),
    (alr.RMSProp, {}, {"momentum": 0.9}, "momentum"),
    (alr.RMSProp, {"momentum": 0.9}, {}, "momentum"),
    (alr.RMSProp, {"momentum": 0.9}, {"momentum": 0.9, "lr_in_momentum": True}, "momentum"),
    (alr.RMSProp, {"momentum": 0.9, "lr_in_momentum": True}, {"momentum": 0.9}, "momentum"),
    (alr.RMSProp, {"momentum": 0.9, "lr_in_momentum": True}, {}, "lr_momentum"),
    (alr.Adam, {}, {"amsgrad": True}, "v_max"),
    (alr.Adam, {"amsgrad": True}, {}, "v_max"),
    # NAdam's product of the schedule: () for one schedule, θ's shape when ψ varies over θ
    (alr.NAdam, {}, {"momentum_decay": np.array([0.0, 0.004, 1.0])}, "mu_product"),
    (alr.NAdam, {"momentum_decay": np.array([0.0, 0.004, 1.0])}, {}, "mu_product"),
]


def foreign_id(case):
    cls, made, used, _ = case
    return f"{cls.__name__}-{'-'.join(made) or 'plain'}-to-{'-'.join(used) or 'plain'}"


def test_nadam_refuses_a_schedule_product_that_is_not_its_own():
    opt = alr.NAdam()
    theta = np.ones(3)
    state = opt.init(theta)
    for bad, error, match in [
            (None, ValueError, "state.mu_product must be the float64 array"),
            (1.0, ValueError, "state.mu_product must be the float64 array"),
            (np.ones((), np.float32), TypeError, "mu_product has dtype float32 but must be "
                                                 "float64"),
            (np.ones(3), ValueError, r"mu_product has shape \(3,\) but .* shape \(\)")]:
        broken = state._replace(mu_product=bad)
        for call in (lambda: opt.step(theta, theta, broken),
                     lambda: opt.step_(theta.copy(), theta, broken),
                     lambda: opt.effective_lr(broken)):
            with pytest.raises(error, match=match):
                call()
    assert_array_equal(state.mu_product, 1.0)     # nothing was updated on the way


@pytest.mark.parametrize("case", FOREIGN_STATES, ids=foreign_id)
def test_state_from_a_differently_configured_optimizer_is_refused(case):
    cls, made, used, field = case
    user = cls(**used)
    theta = np.ones(3)
    state = cls(**made).init(theta)
    pattern = (rf"state\.\w*{field} is (None|set), but .* differently configured"
               if field != "mu_product" else r"state\.mu_product has shape .* call this")
    with pytest.raises(ValueError, match=pattern):
        user.step(theta, theta, state)
    with pytest.raises(ValueError, match=pattern):
        user.step_(theta, theta, state)
    if not (cls is alr.SGD and "momentum" not in used):
        with pytest.raises(ValueError, match=pattern):
            user.effective_lr(state)


def test_state_from_the_same_options_with_other_hyperparameters_is_accepted():
    theta = np.ones(3)
    for old, new in [(alr.RMSProp(lr=0.1, momentum=0.9, lr_in_momentum=True),
                      alr.RMSProp(lr=0.01, momentum=0.5, lr_in_momentum=True)),
                     (alr.Adam(lr=0.1, amsgrad=True), alr.Adam(lr=0.5, amsgrad=True)),
                     (alr.SGD(lr=0.1, momentum=0.9), alr.SGD(lr=1.0, momentum=0.1))]:
        _, state = old.step(theta, theta, old.init(theta))
        _, state = new.step(theta, theta, state)
        assert state.count == 2


@pytest.mark.parametrize("config", ALL_OPTIMIZER_CONFIGS, ids=class_id)
def test_step_in_place_refuses_a_list(config):
    cls, kwargs = config
    opt = cls(**kwargs)
    state = opt.init(np.ones(2))
    with pytest.raises(TypeError, match="theta must be a numpy array, got list"):
        opt.step_([1.0, 2.0], np.ones(2), state)
    fresh = state_arrays(opt.init(np.ones(2)))
    for field, array in state_arrays(state).items():   # nothing was updated on the way
        assert_array_equal(array, fresh[field])


@pytest.mark.parametrize("config", ALL_OPTIMIZER_CONFIGS, ids=class_id)
def test_bad_counts_are_refused(config):
    cls, kwargs = config
    opt = cls(**kwargs)
    theta = np.ones(3)
    state = opt.init(theta)
    for bad, error, match in [(-1, ValueError, "state.count must be >= 0"),
                              (1.5, TypeError, "state.count must be an integer"),
                              (2.0, TypeError, "state.count must be an integer"),
                              (True, TypeError, "state.count must be an integer"),
                              (None, TypeError, "state.count must be an integer")]:
        bad_state = state._replace(count=bad)
        with pytest.raises(error, match=match):
            opt.step(theta, theta, bad_state)
        with pytest.raises(error, match=match):
            opt.step_(theta.copy(), theta, bad_state)
        with pytest.raises(error, match=match):
            opt.effective_lr(bad_state)
    _, later = opt.step(theta, theta, state._replace(count=np.int64(4)))
    assert later.count == 5 and type(later.count) is int


@pytest.mark.parametrize("config", ALL_OPTIMIZER_CONFIGS, ids=class_id)
def test_state_of_another_dtype_is_refused(config):
    """A float32 θ with a float64 state returned float64: the state must have θ's dtype."""
    cls, kwargs = config
    opt = cls(**kwargs)
    state64 = opt.init(np.ones(3))
    if not state_arrays(state64):
        return   # SGD without momentum keeps no array
    theta32 = np.ones(3, np.float32)
    with pytest.raises(TypeError, match=r"state\.\w+ has dtype float64 but theta has dtype "
                                        r"float32; call init"):
        opt.step(theta32, theta32, state64)
    with pytest.raises(TypeError, match="has dtype float64 but theta has dtype float32"):
        opt.step_(theta32, theta32, state64)
    new, state32 = opt.step(theta32, theta32, opt.init(theta32))
    assert new.dtype == np.float32
    assert all(a.dtype == np.float32 for a in theta_like(state32).values())
    assert all(a.dtype == np.float64 for f, a in state_arrays(state32).items()
               if f in FLOAT64_FIELDS)


@pytest.mark.parametrize("config", ALL_OPTIMIZER_CONFIGS, ids=class_id)
def test_step_in_place_with_a_gradient_aliasing_a_state_buffer_equals_step(config):
    cls, kwargs = config
    opt = cls(**kwargs)
    size = optimizers.BLOCK_ELEMENTS + 17
    theta = np.random.default_rng(23).normal(size=size)
    _, state = opt.step(theta, np.sin(theta), opt.init(theta))
    for field in theta_like(state):
        pure_state = state._replace(**{f: a.copy() for f, a in state_arrays(state).items()})
        expected, expected_state = opt.step(theta, getattr(pure_state, field), pure_state)
        work = theta.copy()
        live = state._replace(**{f: a.copy() for f, a in state_arrays(state).items()})
        live = opt.step_(work, getattr(live, field), live)   # g is the buffer step_ writes
        assert_array_equal(work, expected)
        for f, value in state_arrays(expected_state).items():
            assert_array_equal(getattr(live, f), value)


@pytest.mark.parametrize("cls", [alr.SGD, alr.RMSProp, alr.Adam, *LATER])
def test_step_in_place_refuses_state_buffers_that_share_memory(cls):
    opt = cls(lr=0.1, momentum=0.9) if cls in (alr.SGD, alr.RMSProp) else cls()
    theta = np.ones(4)
    state = opt.init(theta)
    field = next(iter(state_arrays(state)))
    with pytest.raises(ValueError, match=f"theta and state.{field}, which share memory"):
        opt.step_(theta, np.ones(4), state._replace(**{field: theta}))


@pytest.mark.parametrize("config", [(alr.Adam, {}), (alr.Adam, {"weight_decay": 0.1}),
                                    (alr.Adam, {"amsgrad": True}), (alr.RMSProp, {}),
                                    (alr.RMSProp, {"centered": True, "momentum": 0.9}),
                                    (alr.Adam, {"lr": np.ones((1, 1))}), (alr.Adamax, {}),
                                    (alr.NAdam, {"weight_decay": 0.1}),
                                    (alr.RAdam, {"betas": (0.9, 0.9)})], ids=class_id)
def test_step_in_place_memory_is_a_few_blocks(config):
    """Blocks over the flat array: θ of shape (1, 4e6) used to make each scratch buffer one
    4e6-element row (32 MB for Adam in float32)."""
    import tracemalloc
    cls, kwargs = config
    opt = cls(**kwargs)
    theta = np.zeros((1, 4_000_000), np.float32)
    grad = np.ones_like(theta)
    state = opt.init(theta)
    opt.step_(theta, grad, state)           # the first call may cast the hyperparameters
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        state = opt.step_(theta, grad, state)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    block_bytes = optimizers.BLOCK_ELEMENTS * theta.itemsize
    assert peak < 4 * block_bytes + 200_000, f"{peak / 1e6:.1f} MB"   # 2 scratch + slack
    assert peak < theta.nbytes / 8
