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
    table = conv.table(algorithm)
    columns = conv.conventions(algorithm)
    assert table.headers[0] == algorithm and len(table.headers) == 1 + len(columns)
    for header, c in zip(table.headers[1:], columns):
        assert header.startswith(conv.LABELS[c.framework])
    assert table.rows[0][0] == "ρ"
    # every cell wraps: no unbreakable piece longer than an argument name
    longest = max(len(word) for row in table.rows for cell in row for word in cell.split())
    assert longest <= len("initial_accumulator_value")


def cells(algorithm):
    return {row[0]: row[1:] for row in conv.table(algorithm).rows}


def test_table_states_the_differences():
    rms = cells("RMSProp")
    assert rms["α"] == ["alpha = 0.99", "rho = 0.9", "decay = 0.9", "decay = 0.9"]
    assert rms["ε at"] == ["outside √", "inside √", "inside √", "inside √"]
    assert rms["r₀"][3] == "1 (fixed)" and rms["r₀"][2] == "initial_scale = 0"
    ada = cells("AdaGrad")
    assert "initial_accumulator_value = 0.1" in ada["r₀"] and ada["ε"][0] == "eps = 1e-10"
    adam = cells("Adam")
    assert adam["ε at"][1] == "ε̂ on √v" and adam["λ"][0].endswith("L2")
    assert adam["β₁"][0] == "betas[0] = 0.9" and adam["β₂"][0] == "betas[1] = 0.999"
    assert "decoupled" in adam["λ"][1]
    assert "max of v̂" in cells("AMSGrad")["AMSGrad"]
    assert "ρ in μ-buffer" in cells("SGD")


def test_pytorch_sgd_default_carries_its_version_note():
    table = conv.table("SGD")
    assert cells("SGD")["ρ"][0] == "lr = 0.001†"
    assert "2.2" in table.caption and "required" in table.caption
    assert table.caption.startswith("* the package accepts only this default.")
    assert conv.notes("SGD") == [conv.lookup("pytorch", "SGD").arguments[0].note]
    assert conv.table("Adam").caption is None and conv.notes("Adam") == []


def test_table_text_columns_line_up_despite_combining_hats():
    lines = str(conv.table("Adam")).splitlines()
    eps_row = next(line for line in lines if line.startswith("ε at"))
    header = lines[0]
    col = header.index("Keras 3 Adam")
    visible = "".join(ch for ch in eps_row if not __import__("unicodedata").combining(ch))
    assert visible[col - 2:col] == "  " and visible[col] != " "


def test_porting_table_lists_every_convention():
    table = conv.porting_table()
    assert len(table.rows) == len(conv.CONVENTIONS)
    assert table.rows[0] == ["torch.optim.SGD", "SGD(lr=0.001, momentum=0)"]
    assert any(row[0] == "torch.optim.Adam(amsgrad=True)" for row in table.rows)


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


# ------------------------------------------------------------- the chapter's experiments


def test_compare_defaults_statements():
    from adaptive_lr import data

    d = conv.compare_defaults(data.digits_softmax(), seeds=(0, 1, 2, 3, 4), epochs=5)
    assert d.same("Adam") and d.same("Adam", b="Keras, PyTorch's ρ")
    for name in ("Adagrad", "RMSprop", "Adadelta"):
        assert not d.same(name)
    loss = {k: v.mean() for k, v in d.losses.items()}
    # AdaGrad: PyTorch's ρ recovers most of the gap, not all
    gap = loss["Adagrad", "Keras defaults"] - loss["Adagrad", "PyTorch defaults"]
    rest = loss["Adagrad", "Keras, PyTorch's ρ"] - loss["Adagrad", "PyTorch defaults"]
    assert 0 < rest < gap / 2
    # ... and the seeds do not change the order: the ranges do not overlap
    order = ["Keras defaults", "Keras, PyTorch's ρ", "PyTorch defaults"]
    for worse, better in zip(order, order[1:]):
        assert d.losses["Adagrad", better].max() < d.losses["Adagrad", worse].min()
    # RMSProp at PyTorch's ρ: Keras's mean loss within PyTorch's seed-to-seed range
    torch_losses = d.losses["RMSprop", "PyTorch defaults"]
    assert torch_losses.min() <= loss["RMSprop", "Keras, PyTorch's ρ"] <= torch_losses.max()
    # RMSProp: the learning rate is nearly the whole story
    assert abs(loss["RMSprop", "Keras, PyTorch's ρ"] - loss["RMSprop", "PyTorch defaults"]) \
        < 0.1 * loss["RMSprop", "Keras defaults"]
    # AdaDelta at Keras's defaults barely trains: near-chance accuracy
    assert d.accuracies["Adadelta", "Keras defaults"].max() < 0.3
    numbers = conv.defaults_numbers(d)
    assert numbers["defaults-adam-same"] == "yes" and numbers["defaults-rmsprop-same"] == "no"
    assert numbers["defaults-adagrad-keras-loss"] == pytest.approx(
        loss["Adagrad", "Keras defaults"])
    assert len(d.table().rows) == 4 * 3


def test_first_steps_of_the_three_eps_forms():
    sizes = np.array([1e-6, 1e-3, 1.0])
    forms = {k: conv.first_steps(o, sizes) for k, o in conv.eps_forms(1e-7).items()}
    full = 1 / math.sqrt(0.1)
    # outside: g / (eps + |g|) / sqrt(0.1) per unit ρ; inside: g / sqrt(0.1 g² + eps)
    assert_allclose(forms["ε outside"], sizes / (1e-7 + math.sqrt(0.1) * sizes), rtol=1e-12)
    assert_allclose(forms["ε inside"], sizes / np.sqrt(0.1 * sizes ** 2 + 1e-7), rtol=1e-12)
    assert forms["ε outside"][-1] == pytest.approx(full)
    ratio = forms["√ε outside"] / forms["ε inside"]
    assert np.all(ratio <= 1 + 1e-12) and np.all(ratio >= 1 / math.sqrt(2) - 1e-12)
    assert conv.eps_table(sizes, 1e-7).headers == ["|g|", "1e-06", "1e-03", "1e+00"]


def test_adagrad_start_value_ratio_closed_form():
    ratio = conv.adagrad_ratio(g=0.01, lr=0.1, steps=1000)
    t = np.arange(1, 1001)
    # Keras: g / sqrt(0.1 + t g² + 1e-7); PyTorch: g / (sqrt(t g²) + 1e-10)
    expected = (np.sqrt(t * 1e-4) + 1e-10) / np.sqrt(0.1 + t * 1e-4 + 1e-7)
    assert_allclose(ratio, expected, rtol=1e-9)
    assert ratio[999] == pytest.approx(1 / math.sqrt(2), rel=1e-5)
    table = conv.adagrad_starts([1e-3, 1.0], lr=0.1)
    assert table.rows[0][1] == "1.0000" and table.rows[0][2] == "0.0032"


def test_rmsprop_steps_and_tf1_half_step():
    large = conv.rmsprop_steps(1.0, steps=60)
    assert large["PyTorch"][0] == pytest.approx(10.0, rel=1e-6)
    assert large["TF 1"][0] == pytest.approx(1.0, rel=1e-9)
    small = conv.rmsprop_steps(0.01, steps=100)
    half = conv.first_at_least(small["TF 1"], 0.5)
    # the closed form of the TF 1 exercise: r_t = α^t + (1 − α^t) g², step g/sqrt(r_t + ε)
    t = np.arange(1, 101)
    r = 0.9 ** t + (1 - 0.9 ** t) * 1e-4
    assert_allclose(small["TF 1"], 0.01 / np.sqrt(r + 1e-10), rtol=1e-9)
    assert half == int(np.argmax(0.01 / np.sqrt(r + 1e-10) >= 0.5)) + 1
    assert conv.first_at_least(np.zeros(3), 1.0) == -1
    assert conv.steps_table(large, [1, 50]).headers == ["", "t = 1", "t = 50"]


def test_buffer_drop_conventions():
    drop = conv.buffer_drop()
    assert drop.constant_difference < 1e-15
    assert_allclose(drop.torch[:10], drop.keras[:10], rtol=1e-12)
    assert drop.keras[10] > 5 * drop.torch[10]
    assert drop.shed == 22  # ceil(ln 0.1 / ln 0.9)
    assert drop.table([10, 11]).rows[1][1] == "0.01"


def test_adam_eps_hat_and_its_closed_form():
    steps = conv.adam_eps_steps(1e-3, g=0.01, steps=200)
    assert_allclose(steps["paper"], 0.01 / (0.01 + 1e-3), rtol=1e-9)
    t = np.arange(1, 201)
    assert_allclose(steps["Keras ε̂"], 0.01 / (0.01 + 1e-3 / np.sqrt(1 - 0.999 ** t)),
                    rtol=1e-9)
    k = conv.eps_hat_within(0.999, 0.1)
    assert 1 / math.sqrt(1 - 0.999 ** k) <= 1.1 < 1 / math.sqrt(1 - 0.999 ** (k - 1))


def test_eps_panels_redraw_and_report(monkeypatch):
    figures, update = conv.eps_panels(steps=100)
    lines = update(1e-3)
    assert len(figures) == 2 and len(lines) == 2
    assert lines[0].startswith("ε = 0.001.") and "Keras ε̂" in lines[1]
    drawn = figures[0].axes[0].get_lines()[0].get_ydata()
    assert_allclose(drawn, conv.first_steps(conv.eps_forms(1e-3)["ε outside"],
                                            np.geomspace(1e-6, 10, 71)))
    import matplotlib.pyplot as plt
    for fig in figures:
        plt.close(fig)


def test_amsgrad_spike_and_constant_gradient():
    spike = conv.amsgrad_spike(steps=200)
    first = {name: s[0] for name, s in spike.items()}
    assert all(v == pytest.approx(1e-3) for v in first.values())
    # optax's max of v̂ stays at 1: step = ρ · 0.01 once m̂ has caught up
    assert spike["optax amsgrad"][150] == pytest.approx(1e-5, rel=1e-3)
    assert spike["PyTorch/Keras AMSGrad"][150] > 5 * spike["optax amsgrad"][150]
    assert conv.amsgrad_constant_difference() < 1e-12


def test_weight_decay_experiment():
    w = conv.weight_decay_experiment(steps=1000, seeds=(0, 1))
    moved_l2, moved_dec = w.moved("L2 (Adam)"), w.moved("decoupled (AdamW)")
    # decoupled: every parameter shrinks by (1 − ρλ)^1000 of its value, about 1%
    assert_allclose(w.final("decoupled (AdamW)")[:, 0], (1 - 1e-5) ** 1000, rtol=1e-12)
    assert (moved_l2[:, 0] > 50 * moved_l2[:, 1]).all()
    assert_allclose(moved_dec[:, 0], moved_dec[:, 1], rtol=0.1)
    assert w.table().rows[0][3] == "—"


def test_adamw_paper_matches_its_formula_and_ports_with_lambda_over_alpha():
    grads = np.array([[0.5], [-1.0], [0.25]])
    out = conv.adamw_paper(grads, [1.0], alpha=0.1, lam=0.5, eta=[1.0, 0.5, 0.25],
                           eps=0.0)
    # step 1 by hand: m̂ = g, v̂ = g², so θ₁ = 1 − η₁(α sign(g) + λ θ₀)
    assert out[1, 0] == pytest.approx(1 - 1.0 * (0.1 * 1 + 0.5 * 1.0))
    port = conv.adamw_port(steps=300)
    assert port.converted_difference < 1e-12
    assert port.same_lambda[-1, 0] > 0.9 and port.paper[-1, 0] < 0.5
    assert port.table().rows[2][2] == port.table().rows[0][2]


def test_series_numbers_keys():
    numbers = conv.series_numbers({"Adam (no max)": np.array([1.0, 2.0])}, [2], "ams")
    assert numbers == {"ams-adam-no-max-2": 2.0}
