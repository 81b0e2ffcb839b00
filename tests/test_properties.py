"""Property-based tests (hypothesis) of adaptive_lr.optimizers.

Properties that hold for every input: steps are pure, keep the dtype, stay finite for finite
bounded inputs; AdaGrad's rate never increases; RMSProp's r stays non-negative; a scalar
hyperparameter and the same value spread over an array give the same result, and a batch of
runs with different hyperparameters gives what separate runs give. For the later variants:
Adamax's step obeys its bound, RAdam's first five steps ignore β₂ and ε, NAdam with β₁ = 0 is
bias-corrected RMSProp (Adam with β₁ = 0), and its schedule's product stays in (0, 1].
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal

import adaptive_lr as alr

SETTINGS = settings(max_examples=40, deadline=None)

DTYPES = st.sampled_from([np.float32, np.float64])
SHAPES = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)


def unit(low=0.0, high=1.0, **kw):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, **kw)


@st.composite
def optimizer_specs(draw):
    """(class, kwargs) with every option and reasonable hyperparameters."""
    kind = draw(st.sampled_from(["SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "Adamax",
                                 "NAdam", "RAdam"]))
    lr = draw(unit(0.0, 1.0))
    eps = draw(st.sampled_from([1e-8, 1e-6, 1e-3, 0.1, 1.0]))
    if kind == "SGD":
        momentum = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]))
        nesterov = momentum > 0 and draw(st.booleans())
        return alr.SGD, dict(lr=lr, momentum=momentum, nesterov=nesterov)
    if kind == "AdaGrad":
        return alr.AdaGrad, dict(lr=lr, eps=eps,
                                 initial_accumulator_value=draw(st.sampled_from([0.0, 0.1])),
                                 lr_decay=draw(st.sampled_from([0.0, 0.01, 1.0])),
                                 eps_inside_sqrt=draw(st.booleans()))
    if kind == "RMSProp":
        momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
        return alr.RMSProp, dict(lr=lr, eps=eps, alpha=draw(unit(0.0, 1.0)), momentum=momentum,
                                 centered=draw(st.booleans()),
                                 eps_inside_sqrt=draw(st.booleans()),
                                 initial_accumulator_value=draw(st.sampled_from([0.0, 1.0])),
                                 lr_in_momentum=momentum > 0 and draw(st.booleans()))
    if kind == "AdaDelta":
        return alr.AdaDelta, dict(lr=lr, eps=eps, rho=draw(unit(0.0, 0.999)))
    betas = (draw(unit(0.0, 0.999)), draw(unit(0.0, 0.999)))
    weight_decay = draw(st.sampled_from([0.0, 0.01, 0.5]))
    if kind == "Adamax":
        return alr.Adamax, dict(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
    if kind == "NAdam":
        return alr.NAdam, dict(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                               momentum_decay=draw(st.sampled_from([0.0, 0.004, 1.0, 1e3])),
                               decoupled=draw(st.booleans()))
    if kind == "RAdam":
        return alr.RAdam, dict(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                               decoupled=draw(st.booleans()))
    return alr.Adam, dict(lr=lr, eps=eps, betas=(draw(unit(0.0, 0.999)), draw(unit(0.0, 0.999))),
                          amsgrad=draw(st.booleans()),
                          weight_decay=draw(st.sampled_from([0.0, 0.01, 0.5])),
                          decoupled=draw(st.booleans()), eps_hat=draw(st.booleans()),
                          bias_correction=draw(st.sampled_from(
                              [True, False, (True, False), (False, True)])))


@st.composite
def problems(draw, steps=st.integers(1, 5), bound=1e3):
    """dtype, theta0 and a sequence of gradients, all finite with |x| ≤ bound."""
    dtype = draw(DTYPES)
    shape = draw(SHAPES)
    elements = st.floats(-bound, bound, width=32, allow_nan=False, allow_infinity=False)
    theta = draw(hnp.arrays(dtype, shape, elements=elements))
    grads = draw(hnp.arrays(dtype, (draw(steps),) + shape, elements=elements))
    return dtype, theta, grads


def arrays_of(state):
    return {f: v for f, v in zip(state._fields, state) if isinstance(v, np.ndarray)}


#: State fields kept in float64 and not of θ's shape: NAdam's product of its schedule.
FLOAT64_FIELDS = {"mu_product"}


@SETTINGS
@given(spec=optimizer_specs(), problem=problems())
def test_step_is_pure_and_keeps_dtype(spec, problem):
    cls, kwargs = spec
    dtype, theta, grads = problem
    opt = cls(**kwargs)
    state = opt.init(theta)
    assert all(a.dtype == dtype for f, a in arrays_of(state).items() if f not in FLOAT64_FIELDS)
    for g in grads:
        theta_copy, g_copy = theta.copy(), g.copy()
        state_copy = {k: v.copy() for k, v in arrays_of(state).items()}
        new_theta, new_state = opt.step(theta, g, state)
        # nothing handed in was modified
        assert_array_equal(theta, theta_copy)
        assert_array_equal(g, g_copy)
        for field, value in arrays_of(state).items():
            assert_array_equal(value, state_copy[field])
        # dtype and shape kept, for theta and every state array
        assert new_theta.dtype == dtype and new_theta.shape == theta.shape
        assert type(new_state) is type(state)
        assert new_state.count == state.count + 1
        for field, value in arrays_of(new_state).items():
            if field in FLOAT64_FIELDS:
                assert value.dtype == np.float64 and value.shape in ((), theta.shape)
            else:
                assert value.dtype == dtype and value.shape == theta.shape
        assert np.shape(opt.effective_lr(new_state)) in ((), theta.shape)
        theta, state = new_theta, new_state


@SETTINGS
@given(spec=optimizer_specs(), problem=problems())
def test_finite_inputs_give_finite_outputs(spec, problem):
    cls, kwargs = spec
    _, theta, grads = problem
    opt = cls(**kwargs)
    state = opt.init(theta)
    with np.errstate(all="raise"):
        for g in grads:
            with np.errstate(under="ignore"):
                theta, state = opt.step(theta, g, state)
            assert np.all(np.isfinite(theta))
            for value in arrays_of(state).values():
                assert np.all(np.isfinite(value))
            with np.errstate(under="ignore"):
                assert np.all(np.isfinite(opt.effective_lr(state)))


@SETTINGS
@given(problem=problems(steps=st.integers(1, 8)), lr=unit(1e-3, 1.0),
       eps=st.sampled_from([1e-10, 1e-6, 0.1]), r0=st.sampled_from([0.0, 0.1]),
       lr_decay=st.sampled_from([0.0, 0.5]), inside=st.booleans())
def test_adagrad_effective_rate_never_increases(problem, lr, eps, r0, lr_decay, inside):
    _, theta, grads = problem
    opt = alr.AdaGrad(lr=lr, eps=eps, initial_accumulator_value=r0, lr_decay=lr_decay,
                      eps_inside_sqrt=inside)
    state = opt.init(theta)
    rate = opt.effective_lr(state)
    for g in grads:
        theta, state = opt.step(theta, g, state)
        new_rate = opt.effective_lr(state)
        assert np.all(new_rate <= rate)
        rate = new_rate


@SETTINGS
@given(problem=problems(steps=st.integers(1, 8)), alpha=unit(0.0, 1.0),
       centered=st.booleans(), momentum=st.sampled_from([0.0, 0.9]))
def test_rmsprop_r_stays_non_negative(problem, alpha, centered, momentum):
    _, theta, grads = problem
    opt = alr.RMSProp(alpha=alpha, centered=centered, momentum=momentum)
    state = opt.init(theta)
    for g in grads:
        theta, state = opt.step(theta, g, state)
        assert np.all(state.r >= 0)
        if centered:   # the variance estimate is used under a square root
            assert np.all(np.isfinite(opt.effective_lr(state)))


def spread(kwargs, shape):
    """The same hyperparameters, each as an array of ``shape`` (betas element-wise)."""
    out = {}
    for key, value in kwargs.items():
        if key == "bias_correction" or isinstance(value, bool):
            out[key] = value
        elif key == "betas":
            out[key] = tuple(np.full(shape, b) for b in value)
        else:
            out[key] = np.full(shape, value)
    return out


@SETTINGS
@given(spec=optimizer_specs(), problem=problems(), per_row=st.booleans())
def test_scalar_and_array_hyperparameters_agree(spec, problem, per_row):
    cls, kwargs = spec
    _, theta, grads = problem
    shape = theta.shape[:1] + (1,) * (theta.ndim - 1) if per_row else theta.shape
    scalar, array = cls(**kwargs), cls(**spread(kwargs, shape))
    s1, s2 = scalar.init(theta), array.init(theta)
    t1 = t2 = theta
    for g in grads:
        t1, s1 = scalar.step(t1, g, s1)
        t2, s2 = array.step(t2, g, s2)
        assert_array_equal(t1, t2)
        for field, value in arrays_of(s1).items():   # (NAdam's 0-d product spreads too)
            assert_array_equal(np.broadcast_to(value, getattr(s2, field).shape),
                               getattr(s2, field))


@SETTINGS
@given(specs=st.lists(optimizer_specs(), min_size=2, max_size=2), problem=problems(
    steps=st.integers(1, 8)), data=st.data())
def test_a_batch_of_runs_equals_the_runs_one_by_one(specs, problem, data):
    """Row i of a batch whose hyperparameters are columns (shape (n, 1)) runs exactly as an
    optimizer built from row i's values: the same trajectory, bit for bit, and state."""
    cls, first = specs[0]
    second = specs[1][1] if specs[1][0] is cls else first
    _, theta, grads = problem
    theta = np.stack([theta.reshape(-1), theta.reshape(-1)[::-1]])   # (2, d)
    grads = np.stack([grads.reshape(len(grads), -1)] * 2, axis=1)      # (T, 2, d)
    columns = {}
    for key, value in first.items():
        other = second.get(key, value)
        if isinstance(value, bool) or key in ("bias_correction", "nesterov", "decoupled",
                                              "centered", "eps_inside_sqrt", "lr_in_momentum",
                                              "amsgrad", "eps_hat"):
            columns[key] = value                    # options are the same for the whole batch
        elif key == "betas":
            columns[key] = tuple(np.array([[a], [b]]) for a, b in zip(value, other))
        else:
            columns[key] = np.array([[value], [other]])
    if cls is alr.SGD and columns.get("nesterov") and np.any(columns["momentum"] == 0):
        columns["momentum"] = np.maximum(columns["momentum"], 0.5)
    if cls is alr.RMSProp and columns.get("lr_in_momentum") and np.any(columns["momentum"] == 0):
        columns["momentum"] = np.maximum(columns["momentum"], 0.5)
    batch = cls(**columns)
    state = batch.init(theta)
    rows = [cls(**{k: (tuple(float(b[i, 0]) for b in v) if k == "betas" else
                       float(v[i, 0]) if isinstance(v, np.ndarray) else v)
                   for k, v in columns.items()}) for i in range(2)]
    solo = [(theta[i], opt.init(theta[i])) for i, opt in enumerate(rows)]
    with np.errstate(all="ignore"):
        for g in grads:
            theta, state = batch.step(theta, g, state)
            solo = [opt.step(th, g[i], s) for i, (opt, (th, s)) in enumerate(zip(rows, solo))]
            for i, (th, s) in enumerate(solo):
                assert_array_equal(theta[i], th)
                for field, value in arrays_of(s).items():
                    batched = getattr(state, field)
                    assert_array_equal(batched if batched.ndim == 0 else batched[i], value)


# ------------------------------------------- precision: extreme ε and β in float16/32/64

#: ε from ordinary to below float32's smallest subnormal (1.4e-45), where it rounds to 0.
EXTREME_EPS = st.sampled_from([1e-8, 1e-20, 1e-38, 2e-45, 1e-50, 1e-300])
#: β (or α, ρ_d) from 0 to within 1e-15 of 1, where float32 rounds it to 1.
EXTREME_BETA = st.sampled_from([0.0, 0.5, 0.9, 0.999, 1 - 1e-7, 1 - 1e-9, 1 - 1e-12, 1 - 1e-15])


@st.composite
def extreme_specs(draw):
    kind = draw(st.sampled_from(["AdaGrad", "RMSProp", "AdaDelta", "Adam", "Adamax", "NAdam",
                                 "RAdam"]))
    eps, beta = draw(EXTREME_EPS), draw(EXTREME_BETA)
    if kind == "AdaGrad":
        return alr.AdaGrad, dict(lr=0.1, eps=eps, eps_inside_sqrt=draw(st.booleans()),
                                 lr_decay=draw(st.sampled_from([0.0, 1.0])))
    if kind == "RMSProp":
        momentum = draw(st.sampled_from([0.0, 0.9]))
        return alr.RMSProp, dict(lr=0.1, eps=eps, alpha=beta, momentum=momentum,
                                 centered=draw(st.booleans()),
                                 eps_inside_sqrt=draw(st.booleans()),
                                 lr_in_momentum=momentum > 0 and draw(st.booleans()))
    if kind == "AdaDelta":
        return alr.AdaDelta, dict(eps=eps, rho=beta)
    if kind == "Adamax":
        return alr.Adamax, dict(lr=0.1, eps=eps, betas=(draw(EXTREME_BETA), beta))
    if kind == "NAdam":   # a fast schedule makes μₜ = β₁ at once: 1 − Πₜ as small as 1 − β₁
        return alr.NAdam, dict(lr=0.1, eps=eps, betas=(draw(EXTREME_BETA), beta),
                               momentum_decay=draw(st.sampled_from([0.0, 0.004, 1e4])))
    if kind == "RAdam":
        return alr.RAdam, dict(lr=0.1, eps=eps, betas=(draw(EXTREME_BETA), beta))
    return alr.Adam, dict(lr=0.1, eps=eps, betas=(draw(EXTREME_BETA), beta),
                          amsgrad=draw(st.booleans()), eps_hat=draw(st.booleans()))


@SETTINGS
@given(spec=extreme_specs(), dtype=st.sampled_from([np.float16, np.float32, np.float64]),
       data=st.data())
def test_extreme_eps_and_beta_give_no_nan_or_a_clear_error(spec, dtype, data):
    """float16 is refused; an ε that rounds to 0 in θ's dtype is refused; otherwise finite
    inputs give no NaN (1 − β and the bias corrections are computed in float64)."""
    cls, kwargs = spec
    opt = cls(**kwargs)
    shape = data.draw(SHAPES)
    if dtype == np.float16:
        with pytest.raises(TypeError, match="float16, which the optimizers refuse"):
            opt.init(np.zeros(shape, dtype))
        return
    if np.float64(kwargs["eps"]).astype(dtype) == 0:
        with pytest.raises(ValueError, match=f"eps=.* rounds to 0 in {np.dtype(dtype)}"):
            opt.init(np.zeros(shape, dtype))
        return
    elements = st.floats(-1e3, 1e3, width=32, allow_nan=False, allow_infinity=False)
    theta = data.draw(hnp.arrays(dtype, shape, elements=elements))
    grads = data.draw(hnp.arrays(dtype, (3,) + shape, elements=elements | st.just(0.0)))
    state = opt.init(theta)
    with np.errstate(over="ignore", under="ignore"):   # ρ/ε may exceed the dtype's range
        for g in grads:
            theta, state = opt.step(theta, g, state)
            assert not np.any(np.isnan(theta))
            for value in arrays_of(state).values():
                assert not np.any(np.isnan(value))
            assert not np.any(np.isnan(opt.effective_lr(state)))
    assert theta.dtype == dtype


# ------------------------------------------------------------ the later variants' properties


@SETTINGS
@given(problem=problems(steps=st.integers(1, 8)), lr=unit(1e-3, 1.0),
       b1=unit(0.0, 0.99), b2=unit(0.05, 0.999), eps=st.sampled_from([1e-8, 1e-3]))
def test_adamax_step_obeys_its_bound(problem, lr, b1, b2, eps):
    """m̂ₜ averages g₁..gₜ with weights (1 − β₁)β₁^{t−k}/(1 − β₁ᵗ), and |gₖ| ≤ uₜ/β₂^{t−k},
    so |ΔΘₜ| ≤ ρ (1 − β₁)/(1 − β₁ᵗ) · Σ_{j<t} (β₁/β₂)ʲ (≈ ρ when β₁ ≪ β₂ ≈ 1: Kingma & Ba's
    |Δ| ≤ α for AdaMax)."""
    _, theta, grads = problem
    theta, grads = theta.astype(np.float64), grads.astype(np.float64)
    opt = alr.Adamax(lr=lr, betas=(b1, b2), eps=eps)
    state = opt.init(theta)
    for t, g in enumerate(grads, start=1):
        new, state = opt.step(theta, g, state)
        bound = lr * (1 - b1) / (1 - b1 ** t) * sum((b1 / b2) ** j for j in range(t))
        assert np.all(np.abs(new - theta) <= bound * (1 + 1e-9))
        assert np.all(state.u >= np.abs(g))
        theta = new


@SETTINGS
@given(problem=problems(steps=st.integers(1, 5)), lr=unit(0.0, 1.0), b1=unit(0.0, 0.999),
       b2=st.tuples(unit(0.0, 0.999), unit(0.0, 0.999)), eps=st.sampled_from([1e-8, 1.0]))
def test_radam_first_five_steps_ignore_beta2_and_eps(problem, lr, b1, b2, eps):
    """nₜ < t ≤ 5 for every β₂, so no rectification yet: ΔΘ = −ρ m̂, bit for bit whatever β₂
    and ε are."""
    _, theta, grads = problem
    one = alr.RAdam(lr=lr, betas=(b1, b2[0]), eps=1e-8)
    two = alr.RAdam(lr=lr, betas=(b1, b2[1]), eps=eps)
    t1, s1, t2, s2 = theta, one.init(theta), theta, two.init(theta)
    for g in grads:
        t1, s1 = one.step(t1, g, s1)
        t2, s2 = two.step(t2, g, s2)
        assert_array_equal(t1, t2)


@SETTINGS
@given(problem=problems(steps=st.integers(1, 6)), lr=unit(1e-3, 1.0), b2=unit(0.0, 0.999),
       eps=st.sampled_from([1e-8, 1e-3]), psi=st.sampled_from([0.0, 0.004, 1.0]))
def test_nadam_with_beta1_zero_is_adam_with_beta1_zero(problem, lr, b2, eps, psi):
    """β₁ = 0 makes μₜ = 0, Πₜ = 0 and m̄ = g: bias-corrected RMSProp, which is Adam with
    β₁ = 0 (NAdam takes √(v/c₂), Adam √v/√c₂: equal up to rounding)."""
    _, theta, grads = problem
    theta, grads = theta.astype(np.float64), grads.astype(np.float64)
    nadam = alr.NAdam(lr=lr, betas=(0.0, b2), eps=eps, momentum_decay=psi)
    adam = alr.Adam(lr=lr, betas=(0.0, b2), eps=eps)
    t1, s1, t2, s2 = theta, nadam.init(theta), theta, adam.init(theta)
    for g in grads:
        t1, s1 = nadam.step(t1, g, s1)
        t2, s2 = adam.step(t2, g, s2)
        np.testing.assert_allclose(t1, t2, rtol=1e-12, atol=1e-12 * lr)
        assert_array_equal(s1.v, s2.v)


@SETTINGS
@given(b1=unit(0.0, 0.999), psi=st.sampled_from([0.0, 0.004, 1.0, 1e4]),
       steps=st.integers(1, 40))
def test_nadam_schedule_product_stays_in_the_unit_interval_and_falls(b1, psi, steps):
    opt = alr.NAdam(betas=(b1, 0.999), momentum_decay=psi)
    theta = np.zeros(2, np.float32)
    state = opt.init(theta)
    previous = 1.0
    for _ in range(steps):
        theta, state = opt.step(theta, np.ones(2, np.float32), state)
        product = float(state.mu_product)
        assert 0.0 <= product <= previous <= 1.0
        previous = product
