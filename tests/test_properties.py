"""Property-based tests (hypothesis) of adaptive_lr.optimizers.

Properties that hold for every input: steps are pure, keep the dtype, stay finite for finite
bounded inputs; AdaGrad's rate never increases; RMSProp's r stays non-negative; a scalar
hyperparameter and the same value spread over an array give the same result.
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
    kind = draw(st.sampled_from(["SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam"]))
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


@SETTINGS
@given(spec=optimizer_specs(), problem=problems())
def test_step_is_pure_and_keeps_dtype(spec, problem):
    cls, kwargs = spec
    dtype, theta, grads = problem
    opt = cls(**kwargs)
    state = opt.init(theta)
    assert all(a.dtype == dtype for a in arrays_of(state).values())
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
        for value in arrays_of(new_state).values():
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
        for field, value in arrays_of(s1).items():
            assert_array_equal(value, getattr(s2, field))


# ------------------------------------------- precision: extreme ε and β in float16/32/64

#: ε from ordinary to below float32's smallest subnormal (1.4e-45), where it rounds to 0.
EXTREME_EPS = st.sampled_from([1e-8, 1e-20, 1e-38, 2e-45, 1e-50, 1e-300])
#: β (or α, ρ_d) from 0 to within 1e-15 of 1, where float32 rounds it to 1.
EXTREME_BETA = st.sampled_from([0.0, 0.5, 0.9, 0.999, 1 - 1e-7, 1 - 1e-9, 1 - 1e-12, 1 - 1e-15])


@st.composite
def extreme_specs(draw):
    kind = draw(st.sampled_from(["AdaGrad", "RMSProp", "AdaDelta", "Adam"]))
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
