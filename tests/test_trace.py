"""Tests for adaptive_lr.trace: the recorded quantities against hand computations and against
the optimizers' own steps, gradient-function forms, table formatting and argument checks."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import adaptive_lr as alr
from adaptive_lr import objectives
from adaptive_lr.tables import Table, format_table
from adaptive_lr.trace import COLUMNS, Trace, trace


def diagonal(theta):
    """Gradient of f = ½(θ₁² + 10 θ₂²)."""
    return np.array([1.0, 10.0]) * theta


def test_adagrad_three_steps_by_hand():
    tr = trace(alr.AdaGrad(lr=0.5, eps=1e-300), diagonal, np.array([2.0, 1.0]), 3)
    # step 1: g = (2, 10), r = (4, 100), rate = 0.5/(2, 10), ΔΘ = (−0.5, −0.5)
    np.testing.assert_allclose(tr.grads[0], [2.0, 10.0])
    np.testing.assert_allclose(tr.accumulators[0], [4.0, 100.0])
    np.testing.assert_allclose(tr.rates[0], [0.25, 0.05])
    np.testing.assert_allclose(tr.deltas[0], [-0.5, -0.5])
    np.testing.assert_allclose(tr.thetas[1], [1.5, 0.5])
    # step 2: g = (1.5, 5), r = (6.25, 125), ΔΘ = (−0.3, −0.5·5/√125)
    np.testing.assert_allclose(tr.accumulators[1], [6.25, 125.0])
    np.testing.assert_allclose(tr.deltas[1], [-0.3, -2.5 / np.sqrt(125.0)])
    # the recorded rows are consistent with lines 5–7 at every step
    np.testing.assert_allclose(tr.accumulators, np.cumsum(tr.grads ** 2, axis=0))
    np.testing.assert_allclose(tr.deltas, -tr.rates * tr.grads)
    np.testing.assert_allclose(tr.thetas[1:], tr.thetas[:-1] + tr.deltas)
    assert tr.steps == 3 and tr.losses is None and tr.label == "AdaGrad (ρ=0.5)"


@pytest.mark.parametrize("make", [
    lambda: alr.SGD(lr=0.001),
    lambda: alr.SGD(lr=0.001, momentum=0.9),
    lambda: alr.AdaGrad(lr=0.4, initial_accumulator_value=0.1),
    lambda: alr.RMSProp(lr=0.05, alpha=0.9),
    lambda: alr.Adam(lr=0.1),
    lambda: alr.AdaDelta(),
])
def test_matches_minimize(make):
    objective = objectives.Rosenbrock()
    tr = trace(make(), objective, objective.start, 25)
    run = alr.minimize(make(), objective, objective.start, 25)
    np.testing.assert_array_equal(tr.thetas, run.thetas)
    np.testing.assert_array_equal(tr.rates, run.lrs)
    np.testing.assert_array_equal(tr.losses, run.losses)
    np.testing.assert_allclose(tr.deltas, np.diff(run.thetas, axis=0), rtol=0, atol=0)


def test_accumulator_fields():
    quad = objectives.ill_conditioned()
    assert trace(alr.SGD(lr=0.01), quad, quad.start, 2).accumulators is None
    adam = trace(alr.Adam(lr=0.1), quad, quad.start, 2)
    g = adam.grads
    np.testing.assert_allclose(adam.accumulators[0], 0.001 * g[0] ** 2)
    rms = trace(alr.RMSProp(lr=0.1, alpha=0.9), quad, quad.start, 2)
    g = rms.grads
    np.testing.assert_allclose(rms.accumulators[1], 0.9 * 0.1 * g[0] ** 2 + 0.1 * g[1] ** 2)


def test_gradient_function_forms():
    theta0 = np.array([1.0, -1.0])
    seen = []

    def with_step(theta, step):
        seen.append(step)
        return theta * (step + 1)

    tr = trace(alr.SGD(lr=0.1), with_step, theta0, 3)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(tr.grads[2], tr.thetas[2] * 3)
    # a callable object exposing grad/value is an objective, and its value is recorded
    objective = objectives.NonStationary(switch_step=2)
    tr = trace(alr.SGD(lr=0.1), objective, objective.start, 4)
    np.testing.assert_allclose(tr.losses, [objective.value(th, t) for t, th in enumerate(tr.thetas)])
    np.testing.assert_allclose(tr.grads[2], objective.grad(tr.thetas[2], 2))
    # builtins without a signature are called with theta only
    tr = trace(alr.SGD(lr=0.5), np.negative, np.array([1.0]), 2)
    np.testing.assert_allclose(tr.thetas[:, 0], [1.0, 1.5, 2.25])


def test_per_coordinate_hyperparameters_and_float32():
    tr = trace(alr.AdaGrad(lr=np.array([0.1, 1.0])), diagonal, np.array([1.0, 1.0]), 1)
    np.testing.assert_allclose(tr.deltas[0], [-0.1, -1.0], rtol=1e-9)
    tr32 = trace(alr.AdaGrad(lr=0.1), diagonal, np.array([1.0, 1.0], dtype=np.float32), 2)
    assert tr32.thetas.dtype == np.float32 and tr32.rates.dtype == np.float32


def test_divergence_is_recorded_not_raised():
    quad = objectives.ill_conditioned()
    with np.errstate(all="raise"):
        tr = trace(alr.SGD(lr=1.0), quad, quad.start, 400)
    assert not np.all(np.isfinite(tr.thetas[-1]))


def test_table_layout():
    tr = trace(alr.AdaGrad(lr=0.5), diagonal, np.array([2.0, 1.0]), 3)
    text = str(tr.table(start=True))
    lines = text.splitlines()
    assert lines[0].split() == ["t", "g₁", "g₂", "r₁", "r₂", "rate₁", "rate₂", "ΔΘ₁", "ΔΘ₂",
                                "Θ₁", "Θ₂"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["0", "2", "1"]
    assert lines[3].split() == ["1", "2", "10", "4", "100", "0.25", "0.05", "-0.5", "-0.5",
                                "1.5", "0.5"]
    assert len(lines) == 6 and str(tr) == str(tr.table())
    # every line has the same width (right-aligned columns), no trailing blanks
    assert all(line == line.rstrip() for line in lines)
    assert len({len(line) for line in lines[:2] + lines[3:]}) == 1
    part = str(tr.table(columns=("delta",), steps=[2], coordinates=[1], fmt="{:.3f}"))
    assert part.splitlines()[0].split() == ["t", "ΔΘ₂"]
    assert part.splitlines()[2].split() == ["2", "-0.224"]


def test_table_without_accumulator_skips_r():
    tr = trace(alr.SGD(lr=0.1), diagonal, np.array([1.0, 1.0]), 2)
    assert str(tr.table()).splitlines()[0].split() == ["t", "g₁", "g₂", "rate₁", "rate₂", "ΔΘ₁",
                                                  "ΔΘ₂", "Θ₁", "Θ₂"]
    with pytest.raises(ValueError, match="no column 'r'"):
        tr.column("r")


def test_table_argument_checks():
    tr = trace(alr.SGD(lr=0.1), diagonal, np.array([1.0, 1.0]), 2)
    with pytest.raises(ValueError, match="column must be one of"):
        tr.table(columns=("gradient",))
    with pytest.raises(ValueError, match="steps must lie"):
        tr.table(steps=[3])
    with pytest.raises(ValueError, match="at least 1"):
        tr.table(steps=[0])
    with pytest.raises(ValueError, match="coordinates must lie"):
        tr.table(coordinates=[2])
    assert set(COLUMNS) == {"g", "r", "rate", "delta", "theta"}


def test_trace_argument_checks():
    with pytest.raises(ValueError, match="gradients must be an objective"):
        trace(alr.SGD(lr=0.1), 3.0, np.array([1.0]), 1)
    with pytest.raises(TypeError, match="floating-point"):
        trace(alr.SGD(lr=0.1), diagonal, np.array([1, 2]), 1)
    with pytest.raises(ValueError, match="at least 0"):
        trace(alr.SGD(lr=0.1), diagonal, np.array([1.0, 2.0]), -1)
    with pytest.raises(ValueError, match="shape"):
        trace(alr.SGD(lr=0.1), lambda th: np.ones(3), np.array([1.0, 2.0]), 1)


def test_trace_is_frozen_and_does_not_touch_theta0():
    theta0 = np.array([2.0, 1.0])
    tr = trace(alr.AdaGrad(lr=0.5), diagonal, theta0, 2)
    np.testing.assert_array_equal(theta0, [2.0, 1.0])
    assert isinstance(tr, Trace)
    with pytest.raises(AttributeError):
        tr.label = "x"


def test_format_table():
    text = format_table(["ρ", "loss", "note"], [[0.1, 0.25, None], [1, "diverged", "x"],
                                                 [np.int64(3), -1e-9, True]], fmt="{:.2f}")
    lines = text.splitlines()
    assert lines[0] == "   ρ      loss  note"
    assert lines[1] == "----  --------  ----"
    assert lines[2] == "0.10      0.25"
    assert lines[3] == "   1  diverged     x"
    # a value that rounds to zero loses its sign; numpy ints print as ints
    assert lines[4] == "   3      0.00  True"
    assert format_table(["a"], []) == "a\n-"
    with pytest.raises(ValueError, match="row 0 has 1 cells but there are 2 headers"):
        format_table(["a", "b"], [[1]])


# ------------------------------------------------------------- replaying gradients


def test_trace_replays_arrays_callables_and_objectives():
    opt = alr.SGD(lr=0.1)
    tr = trace(opt, np.ones((3, 2)), np.array([1.0, 2.0]))
    assert_allclose(tr.thetas[:, 0], [1.0, 0.9, 0.8, 0.7])
    assert_allclose(tr.deltas, -0.1)
    assert tr.losses is None and tr.state.count == 3
    quad = trace(opt, lambda theta, t: 2 * theta, np.array([1.0]), steps=3)
    assert_allclose(quad.thetas[:, 0], 0.8 ** np.arange(4))
    bowl = objectives.Quadratic(eigenvalues=(1.0, 4.0))
    run = alr.minimize(opt, bowl, bowl.start, 5)
    tr = trace(opt, bowl, bowl.start, steps=5)
    assert_allclose(tr.thetas, run.thetas)
    assert_allclose(tr.losses, run.losses)
    # a gradient array defaults theta0 to zeros and steps to its length; steps=0 is empty
    assert_allclose(trace(alr.SGD(lr=0.5), np.ones((3, 2))).thetas[-1], -1.5)
    assert trace(opt, bowl, bowl.start, steps=0).thetas.shape == (1, 2)


def test_trace_keeps_any_parameter_shape_and_continues_from_its_state():
    opt = alr.Adam(lr=0.1)
    grads = np.random.default_rng(0).normal(size=(6, 2, 3))
    whole = trace(opt, grads, np.zeros((2, 3)))
    first = trace(opt, grads[:3], np.zeros((2, 3)))
    theta, state = first.thetas[-1], first.state
    for g in grads[3:]:
        theta, state = opt.step(theta, g, state)
    assert_array_equal(theta, whole.thetas[-1])
    assert whole.rates.shape == whole.accumulators.shape == (6, 2, 3)
    with pytest.raises(ValueError, match="one parameter vector"):
        whole.table()


def test_trace_runs_a_schedule_of_optimizers_sharing_one_state():
    grads = np.ones((4, 1))
    schedule = [alr.SGD(lr=lr, momentum=0.5) for lr in (1.0, 1.0, 0.1, 0.1)]
    tr = trace(schedule, grads, np.zeros(1))
    # b = 1, 1.5, 1.75, 1.875 and ΔΘ = −ρ_t b_t
    assert_allclose(tr.deltas[:, 0], [-1.0, -1.5, -0.175, -0.1875])
    with pytest.raises(ValueError, match="cannot run 5 steps"):
        trace(schedule, np.ones((5, 1)), np.zeros(1))
    with pytest.raises(ValueError, match="non-empty"):
        trace([], grads, np.zeros(1))


def test_trace_validates():
    opt = alr.SGD(lr=0.1)
    with pytest.raises(TypeError, match="steps"):
        trace(opt, lambda theta, t: theta, np.array([1.0]))
    with pytest.raises(TypeError, match="theta0 is required"):
        trace(opt, lambda theta, t: theta, steps=2)
    with pytest.raises(ValueError, match="shape"):
        trace(opt, np.ones((3, 3)), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="only 3"):
        trace(opt, np.ones((3, 2)), np.array([1.0, 2.0]), steps=4)
    with pytest.raises(TypeError, match="floating-point"):
        trace(opt, np.zeros((3, 2), dtype=int))


# ----------------------------------------------------------------------- tables


def test_format_table_aligns_left_and_counts_combining_marks_as_no_column():
    text = format_table(["ε̂", "b"], [["x", 1], ["long", 22]], align="left")
    assert text.splitlines() == ["ε̂     b", "----  --", "x     1", "long  22"]
    with pytest.raises(ValueError, match="align"):
        format_table(["a"], [[1]], align="centre")


def test_table_shows_html_in_notebooks_and_text_elsewhere():
    table = Table(["ρ", "note"], [[0.1, "<b>"], [1, None]], caption="runs")
    assert str(table) == repr(table) == format_table(["ρ", "note"], [[0.1, "<b>"], [1, None]])
    html = table._repr_html_()
    assert html.startswith('<table class="alr-table"><caption>runs</caption>')
    assert "<td style=\"text-align: right\">&lt;b&gt;</td>" in html
    assert table.rows == [["0.1", "<b>"], ["1", ""]]
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        Table(["a", "b"], [[1]])


def test_table_links_cells_in_html_only():
    from adaptive_lr.tables import Link
    table = Table(["chapter"], [[Link("AdaGrad & co", "adagrad.html#claim-4")]], align="left")
    assert str(table).splitlines()[-1] == "AdaGrad & co"
    assert '<a href="adagrad.html#claim-4">AdaGrad &amp; co</a>' in table._repr_html_()


def test_glue_converts_numbers_rounds_floats_and_refuses_other_values(monkeypatch):
    import sys
    import types

    from adaptive_lr.tables import glue
    pasted = {}
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda key, value, display=True: pasted.setdefault(key, (value, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    out = glue({"a": np.float64(1 / 3), "b": np.int64(4), "c": np.bool_(True), "d": "holds"},
               prefix="x-")
    assert out == {"x-a": 0.33333333, "x-b": 4, "x-c": True, "x-d": "holds"}
    assert type(out["x-a"]) is float and type(out["x-b"]) is int
    assert pasted["x-a"] == (0.33333333, False)
    with pytest.raises(TypeError, match="numbers or strings"):
        glue({"e": [1, 2]})
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import fails: nothing is pasted
    assert glue({"f": 1.5}) == {"f": 1.5}


def test_trace_table_is_an_html_table_in_the_book():
    tr = trace(alr.AdaGrad(lr=0.5), diagonal, np.array([2.0, 1.0]), 2)
    table = tr.table(columns=("g",))
    assert isinstance(table, Table) and table.headers == ["t", "g₁", "g₂"]
    assert table._repr_html_().startswith('<table class="alr-table">')


def test_sci_and_span_quote_numbers_for_the_prose():
    from adaptive_lr.tables import sci, span
    assert [sci(v) for v in (0.0212, 1234.0, 1.75e-5, 1e5, -2e-7, 0.0)] == \
        ["0.0212", "1230", "1.75 × 10⁻⁵", "10⁵", "-2 × 10⁻⁷", "0"]
    assert sci(9.996e4) == "10⁵"                         # rounding carries into the next decade
    assert span([0.21213, 0.21214]) == "0.212" and span([1.0, 2.0, np.nan]) == "1 … 2"
    assert span([np.nan]) == "—" and span([], empty="none") == "none"
