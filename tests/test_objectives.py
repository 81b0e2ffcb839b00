"""Tests for adaptive_lr.objectives: gradients against finite differences, closed forms,
vectorization, dtypes, reproducible noise and argument checking."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from adaptive_lr import objectives
from adaptive_lr.objectives import (Beale, NonStationary, Noisy, Objective, Quadratic,
                                    Rosenbrock, Saddle, contour_grid, gallery,
                                    ill_conditioned, rotated)

SWITCH = 7  # a short switch step so "after" is reachable with small step numbers

# (objective, step) pairs covering every class, both phases of NonStationary, and
# non-default parameters so the gradients are not only checked at the defaults.
CASES = {
    "quadratic": (ill_conditioned(), 0),
    "rotated": (rotated(), 0),
    "quadratic-general": (Quadratic((0.3, 7.0), angle=0.4, center=(1.0, -2.0)), 0),
    "rosenbrock": (Rosenbrock(), 0),
    "rosenbrock-general": (Rosenbrock(a=-0.5, b=3.0), 0),
    "beale": (Beale(), 0),
    "saddle": (Saddle(), 0),
    "nonstationary-before": (NonStationary(switch_step=SWITCH), SWITCH - 1),
    "nonstationary-after": (NonStationary(switch_step=SWITCH), SWITCH),
    "nonstationary-general": (NonStationary((1.0, 2.0), (-1.0, 0.5), (4.0, 0.5), 2.0, 0), 3),
}
WITH_MINIMIZER = [ill_conditioned(), rotated(), Quadratic((2.0, 3.0), 1.0, (0.5, -1.5)),
                  Rosenbrock(), Rosenbrock(a=2.0, b=10.0), Beale(), Saddle(),
                  NonStationary()]


def central_differences(objective, theta, step, h=1e-6):
    """Gradient by central differences, float64, for a point of shape (2,)."""
    out = np.empty(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h * max(1.0, abs(theta[i]))
        out[i] = (objective.value(theta + e, step) - objective.value(theta - e, step)) / (2 * e[i])
    return out


def point_in_window(objective, u):
    """Map u in [0, 1]^2 to a point of the objective's plot window."""
    (x0, x1), (y0, y1) = objective.xlim, objective.ylim
    return np.array([x0 + u[0] * (x1 - x0), y0 + u[1] * (y1 - y0)])


unit = st.floats(0.0, 1.0, allow_nan=False)


@pytest.mark.parametrize("key", CASES)
@settings(max_examples=40, deadline=None)
@given(u=st.tuples(unit, unit))
def test_grad_matches_finite_differences(key, u):
    objective, step = CASES[key]
    theta = point_in_window(objective, u)
    expected = central_differences(objective, theta, step)
    scale = max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(objective.grad(theta, step), expected, rtol=1e-6,
                               atol=1e-6 * scale)


@pytest.mark.parametrize("key", CASES)
def test_batch_and_grid_match_per_point(key):
    objective, step = CASES[key]
    rng = np.random.default_rng(0)
    grid = np.stack([point_in_window(objective, u) for u in rng.random((12, 2))])
    grid = grid.reshape(3, 4, 2)
    batch = grid.reshape(12, 2)
    single_v = np.array([objective.value(p, step) for p in batch])
    single_g = np.array([objective.grad(p, step) for p in batch])
    assert objective.value(batch, step).shape == (12,)
    assert objective.grad(batch, step).shape == (12, 2)
    assert objective.value(grid, step).shape == (3, 4)
    assert objective.grad(grid, step).shape == (3, 4, 2)
    assert np.shape(objective.value(batch[0], step)) == ()
    np.testing.assert_allclose(objective.value(batch, step), single_v, rtol=1e-13)
    np.testing.assert_allclose(objective.grad(batch, step), single_g, rtol=1e-13)
    np.testing.assert_allclose(objective.value(grid, step), single_v.reshape(3, 4), rtol=1e-13)
    np.testing.assert_allclose(objective.grad(grid, step), single_g.reshape(3, 4, 2),
                               rtol=1e-13)
    np.testing.assert_allclose(objective(grid, step), objective.value(grid, step))


@pytest.mark.parametrize("objective", WITH_MINIMIZER, ids=lambda o: o.name)
def test_minimizer_is_stationary_and_attains_f_min(objective):
    step = 10 ** 6  # the final landscape for NonStationary
    assert objective.minimizer.shape == (2,)
    np.testing.assert_allclose(objective.grad(objective.minimizer, step), 0.0, atol=1e-12)
    np.testing.assert_allclose(objective.value(objective.minimizer, step), objective.f_min,
                               atol=1e-12)
    # A minimum, not just a stationary point: nearby points are no lower.
    ring = objective.minimizer + 1e-3 * np.stack(
        [np.cos(np.linspace(0, 2 * np.pi, 16)), np.sin(np.linspace(0, 2 * np.pi, 16))], -1)
    assert np.all(objective.value(ring, step) > objective.f_min)
    assert objective.distance_to_minimum(objective.minimizer) == 0.0


@pytest.mark.parametrize("objective", list(gallery().values()), ids=lambda o: o.name)
def test_window_holds_start_and_minimizer(objective):
    (x0, x1), (y0, y1) = objective.xlim, objective.ylim
    assert x0 < x1 and y0 < y1
    for point in (objective.start, objective.minimizer):
        assert point.shape == (2,)
        assert x0 <= point[0] <= x1 and y0 <= point[1] <= y1
    assert objective.dim == 2 and objective.name
    assert np.isfinite(objective.value(objective.start))
    assert objective.value(objective.start) > objective.f_min


def test_known_values():
    # Textbook values of the standard functions, independent of the implementation.
    np.testing.assert_allclose(Rosenbrock()(np.array([0.0, 0.0])), 1.0)
    np.testing.assert_allclose(Rosenbrock()(np.array([-1.5, 2.0])), 2.5 ** 2 + 100 * 0.25 ** 2)
    np.testing.assert_allclose(Beale()(np.array([0.0, 0.0])), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2)
    np.testing.assert_allclose(Beale()(np.array([1.0, 1.0])), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2)
    np.testing.assert_allclose(Saddle()(np.array([2.0, 2.0])), 2.0 - 2.0 + 4.0)
    np.testing.assert_allclose(ill_conditioned(25.0)(np.array([2.0, 1.0])), 0.5 * (4 + 25))
    assert Rosenbrock(a=2.0).minimizer.tolist() == [2.0, 4.0]


def test_saddle_origin_is_stationary_but_not_a_minimum():
    saddle = Saddle()
    origin = np.zeros(2)
    np.testing.assert_array_equal(saddle.grad(origin), 0.0)
    assert saddle(np.array([0.0, 1e-2])) < saddle(origin) < saddle(np.array([1e-2, 0.0]))
    assert saddle(origin) > saddle.f_min
    np.testing.assert_allclose(saddle(np.array([0.0, -1.0])), saddle.f_min)
    assert 0 < saddle.start[1] < 1e-2  # starts just off the ridge


@pytest.mark.parametrize("eigenvalues, angle", [((1.0, 25.0), 0.0), ((2.0, 0.5), 0.3),
                                                ((3.0, 3.0), -1.2), ((0.1, 40.0), np.pi / 4)])
def test_quadratic_hessian_closed_form(eigenvalues, angle):
    l1, l2 = eigenvalues
    c, s = np.cos(angle), np.sin(angle)
    expected = np.array([[l1 * c * c + l2 * s * s, (l1 - l2) * c * s],
                         [(l1 - l2) * c * s, l1 * s * s + l2 * c * c]])
    q = Quadratic(eigenvalues, angle=angle, center=(1.0, 2.0))
    np.testing.assert_allclose(q.hessian, expected, atol=1e-14)
    assert q.condition_number == pytest.approx(max(l1, l2) / min(l1, l2))
    # The gradient is linear with exactly this Hessian.
    theta = np.array([-0.7, 3.1])
    np.testing.assert_allclose(q.grad(theta), expected @ (theta - [1.0, 2.0]), atol=1e-13)
    assert q.distance_to_minimum(theta) == pytest.approx(np.hypot(-1.7, 1.1))


def test_rotated_is_the_axis_aligned_quadratic_in_a_rotated_basis():
    aligned, turned = ill_conditioned(25.0), rotated(25.0, np.pi / 4)
    np.testing.assert_allclose(np.linalg.eigvalsh(turned.hessian),
                               np.linalg.eigvalsh(aligned.hessian))
    assert turned.condition_number == aligned.condition_number == pytest.approx(25.0)
    assert abs(turned.hessian[0, 1]) > 1.0  # coordinates are coupled
    assert aligned.hessian[0, 1] == 0.0
    r = np.sqrt(0.5) * np.array([[1.0, -1.0], [1.0, 1.0]])
    theta = np.random.default_rng(1).normal(size=(5, 2))
    np.testing.assert_allclose(turned.value(theta @ r.T), aligned.value(theta))
    np.testing.assert_allclose(turned.grad(theta @ r.T), aligned.grad(theta) @ r.T, atol=1e-12)
    np.testing.assert_allclose(turned.start, r @ aligned.start)
    assert turned(turned.start) == pytest.approx(aligned(aligned.start))
    assert "rotated" in turned.name and "rotated" not in aligned.name


def test_nonstationary_switches_landscape_at_switch_step():
    ns = NonStationary(center_before=(0.0, 0.0), center_after=(3.0, -2.0),
                       curvature_before=(10.0, 5.0), curvature_after=1.0, switch_step=4)
    theta = np.array([1.0, 1.0])
    for step in range(4):
        np.testing.assert_allclose(ns.grad(theta, step), [10.0, 5.0])
        np.testing.assert_allclose(ns.value(theta, step), 0.5 * (10 + 5))
        np.testing.assert_array_equal(ns.minimizer_at(step), [0.0, 0.0])
    for step in (4, 5, 1000):
        np.testing.assert_allclose(ns.grad(theta, step), [-2.0, 3.0])
        np.testing.assert_allclose(ns.value(theta, step), 0.5 * (4 + 9))
        np.testing.assert_array_equal(ns.minimizer_at(step), [3.0, -2.0])
    np.testing.assert_array_equal(ns.minimizer, [3.0, -2.0])
    assert ns.distance_to_minimum(np.zeros(2)) == pytest.approx(np.sqrt(13))
    assert ns.distance_to_minimum(np.zeros(2), step=0) == 0.0


def test_nonstationary_defaults_are_steep_then_gentle_and_moved():
    ns = NonStationary()
    before, after = ns.switch_step - 1, ns.switch_step
    assert ns.switch_step > 0
    assert not np.allclose(ns.minimizer_at(before), ns.minimizer_at(after))
    g_before = np.linalg.norm(ns.grad(ns.start, before))
    g_after = np.linalg.norm(ns.grad(ns.minimizer_at(before), after))
    assert g_before > 3 * g_after


@pytest.mark.parametrize("key", CASES)
def test_float32_in_float32_out(key):
    objective, step = CASES[key]
    theta = np.stack([objective.start, objective.start / 2]).astype(np.float32)
    for obj in (objective, Noisy(objective, sigma=0.3)):
        assert obj.value(theta, step).dtype == np.float32
        assert obj.grad(theta, step).dtype == np.float32
        assert obj.value(theta[0], step).dtype == np.float32
        assert obj.distance_to_minimum(theta).dtype == np.float32
        np.testing.assert_allclose(obj.grad(theta, step),
                                   obj.grad(theta.astype(np.float64), step), rtol=1e-4,
                                   atol=1e-4)


def test_noisy_reproducible_pure_function_of_seed_and_step():
    clean = ill_conditioned()
    theta = np.zeros((3, 2))
    a, b = Noisy(clean, sigma=0.2, seed=5), Noisy(clean, sigma=0.2, seed=5)
    np.testing.assert_array_equal(a.grad(theta, 7), b.grad(theta, 7))
    first = a.grad(theta, 7)
    a.grad(theta, 8)  # no hidden state: another call does not shift the sequence
    np.testing.assert_array_equal(a.grad(theta, 7), first)
    assert not np.allclose(a.grad(theta, 7), a.grad(theta, 8))
    assert not np.allclose(a.grad(theta, 7), Noisy(clean, sigma=0.2, seed=6).grad(theta, 7))
    # Each batch entry gets its own draw.
    assert not np.allclose(first[0], first[1])
    np.testing.assert_array_equal(
        first, clean.grad(theta) + 0.2 * np.random.default_rng([5, 7]).standard_normal((3, 2)))


def test_noisy_statistics_and_zero_sigma():
    clean = Rosenbrock()
    theta = np.array([0.5, 0.5])
    noisy = Noisy(clean, sigma=0.3, seed=0)
    noise = np.array([noisy.grad(theta, s) for s in range(5000)]) - clean.grad(theta)
    n = len(noise)
    np.testing.assert_allclose(noise.mean(axis=0), 0.0, atol=5 * 0.3 / np.sqrt(n))
    np.testing.assert_allclose(noise.std(axis=0), 0.3, rtol=0.05)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.1  # independent coordinates
    silent = Noisy(clean, sigma=0.0, seed=4)
    np.testing.assert_array_equal(silent.grad(theta, 3), clean.grad(theta, 3))


def test_noisy_delegates_landscape_and_steps():
    inner = NonStationary(switch_step=2)
    noisy = Noisy(inner, sigma=0.1, seed=1)
    np.testing.assert_array_equal(noisy.minimizer, inner.minimizer)
    np.testing.assert_array_equal(noisy.start, inner.start)
    assert (noisy.f_min, noisy.xlim, noisy.ylim) == (inner.f_min, inner.xlim, inner.ylim)
    np.testing.assert_array_equal(noisy.minimizer_at(0), inner.minimizer_at(0))
    theta = np.array([1.0, 1.0])
    np.testing.assert_array_equal(noisy.value(theta, 0), inner.value(theta, 0))
    np.testing.assert_array_equal(noisy(theta, 2), inner.value(theta, 2))
    assert noisy.value(theta, 0) != noisy.value(theta, 2)
    assert Noisy(Rosenbrock(), sigma=0.1).name == "noisy Rosenbrock (σ=0.1)"


def test_gallery_order_and_contents():
    g = gallery()
    assert list(g) == ["quadratic", "rotated", "rosenbrock", "beale", "saddle",
                       "nonstationary", "noisy"]
    assert all(isinstance(o, Objective) for o in g.values())
    assert g["quadratic"].hessian[0, 1] == 0.0 and g["rotated"].hessian[0, 1] != 0.0
    assert isinstance(g["noisy"], Noisy) and g["noisy"].sigma > 0
    np.testing.assert_array_equal(Rosenbrock().start, [-1.5, 2.0])


def test_start_points_are_read_only():
    obj = Rosenbrock()
    with pytest.raises(ValueError, match="read-only"):
        obj.start[0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        obj.minimizer += 1.0


def test_contour_grid():
    obj = Rosenbrock()
    X, Y, Z = contour_grid(obj, n=9)
    assert X.shape == Y.shape == Z.shape == (9, 9)
    assert (X.min(), X.max(), Y.min(), Y.max()) == (*obj.xlim, *obj.ylim)
    np.testing.assert_allclose(Z[3, 5], obj.value(np.array([X[3, 5], Y[3, 5]])))
    assert np.all(X[:, 1] > X[:, 0]) and np.all(Y[1, :] > Y[0, :])  # x along columns
    ns = NonStationary(switch_step=5)
    _, _, before = contour_grid(ns, n=5, step=4)
    _, _, after = contour_grid(ns, n=5, step=5)
    assert not np.allclose(before, after)


@pytest.mark.parametrize("make, exc, name", [
    (lambda: Quadratic(eigenvalues=(0.0, 1.0)), ValueError, "eigenvalues"),
    (lambda: Quadratic(eigenvalues=(-1.0, 1.0)), ValueError, "eigenvalues"),
    (lambda: Quadratic(eigenvalues=(1.0, 2.0, 3.0)), ValueError, "eigenvalues"),
    (lambda: Quadratic(eigenvalues=(1.0, np.nan)), ValueError, "eigenvalues"),
    (lambda: Quadratic(angle=np.inf), ValueError, "angle"),
    (lambda: Quadratic(angle=(0.1, 0.2)), ValueError, "angle"),
    (lambda: Quadratic(center=(1.0,)), ValueError, "center"),
    (lambda: Quadratic(center="origin"), TypeError, "center"),
    (lambda: ill_conditioned(kappa=0.5), ValueError, "kappa"),
    (lambda: rotated(kappa=-2.0), ValueError, "kappa"),
    (lambda: rotated(angle=None), TypeError, "angle"),
    (lambda: Rosenbrock(b=0.0), ValueError, "b"),
    (lambda: Rosenbrock(a=True), TypeError, "a"),
    (lambda: NonStationary(switch_step=-1), ValueError, "switch_step"),
    (lambda: NonStationary(switch_step=2.5), TypeError, "switch_step"),
    (lambda: NonStationary(curvature_before=0.0), ValueError, "curvature_before"),
    (lambda: NonStationary(curvature_after=(1.0, -1.0)), ValueError, "curvature_after"),
    (lambda: NonStationary(curvature_after=(1.0, 1.0, 1.0)), ValueError, "curvature_after"),
    (lambda: NonStationary(center_before=(0.0, 0.0, 0.0)), ValueError, "center_before"),
    (lambda: NonStationary(center_after=3.0), ValueError, "center_after"),
    (lambda: Noisy(Rosenbrock(), sigma=-0.1), ValueError, "sigma"),
    (lambda: Noisy(Rosenbrock(), seed=-1), ValueError, "seed"),
    (lambda: Noisy(Rosenbrock(), seed=1.0), TypeError, "seed"),
    (lambda: Noisy(lambda theta: theta), TypeError, "objective"),
    (lambda: contour_grid(Beale(), n=1), ValueError, "n"),
    (lambda: contour_grid("beale"), TypeError, "objective"),
])
def test_bad_arguments_raise_naming_the_argument(make, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        make()


@pytest.mark.parametrize("objective", list(gallery().values()), ids=lambda o: o.name)
def test_bad_theta_and_step(objective):
    for method in (objective.value, objective.grad, objective.distance_to_minimum):
        with pytest.raises(TypeError, match="theta"):
            method(np.array([1, 2]))
        with pytest.raises(ValueError, match=r"theta.*\(\.\.\., 2\)"):
            method(np.zeros(3))
        with pytest.raises(ValueError, match="theta"):
            method(np.zeros((4, 3)))
        with pytest.raises(ValueError, match="theta"):
            method(np.float64(1.0))
    theta = np.zeros(2)
    for call in (lambda step: objective.value(theta, step),
                 lambda step: objective.grad(theta, step), objective.minimizer_at):
        with pytest.raises(ValueError, match="step"):
            call(-1)
        with pytest.raises(TypeError, match="step"):
            call(1.5)


def test_distance_needs_a_minimizer():
    class Unbounded(Objective):
        name, minimizer, f_min = "plane", None, -np.inf
        xlim = ylim = (-1.0, 1.0)
        start = np.zeros(2)

        def _value(self, theta, step):
            return theta[..., 0]

        def _grad(self, theta, step):
            return np.broadcast_to(np.array([1.0, 0.0], theta.dtype), theta.shape)

    with pytest.raises(ValueError, match="minimizer"):
        Unbounded().distance_to_minimum(np.zeros(2))
    assert Unbounded().value(np.ones((3, 2))).shape == (3,)


def test_module_exports():
    assert set(objectives.__all__) >= {"Objective", "Quadratic", "Rosenbrock", "Beale",
                                       "Saddle", "NonStationary", "Noisy", "gallery",
                                       "contour_grid", "ill_conditioned", "rotated"}


def test_noisy_keeps_the_dimension_of_what_it_wraps():
    chain = objectives.SigmoidChain(depth=3)
    noisy = objectives.Noisy(chain, sigma=0.1)
    assert noisy.dim == 6
    assert noisy.grad(chain.start).shape == (6,)
