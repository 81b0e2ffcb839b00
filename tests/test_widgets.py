"""The comparison panel, the live widget and the static scrubber built on them."""
import io
import math

import matplotlib

matplotlib.use("Agg")
import ipywidgets as w  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

import adaptive_lr as alr  # noqa: E402
from adaptive_lr import objectives, plots, widgets  # noqa: E402


def pair(rho):
    return [alr.SGD(lr=rho), alr.AdaGrad(lr=10 * rho)]


def parts(box):
    """The widget's controls, status line and panel images."""
    controls, status, images = box.children
    return list(controls.children), status, list(images.children)


def test_panel_lines_show_the_runs_and_move_with_set_data():
    quadratic = objectives.ill_conditioned()
    panel = widgets.ComparisonPanel(quadratic, pair(0.01), steps=20)
    first = panel.path_lines[0]
    np.testing.assert_array_equal(first.get_xydata(), panel.runs[0].thetas)
    contours = list(panel.ax_path.collections)
    panel.update(optimizers=pair(0.02))
    assert panel.path_lines[0] is first  # moved, not re-plotted
    assert list(panel.ax_path.collections) == contours  # contours not recomputed
    solo = alr.minimize(alr.SGD(lr=0.02), quadratic, quadratic.start, 20)
    np.testing.assert_array_equal(first.get_xydata(), solo.thetas)
    np.testing.assert_array_equal(panel.lr_lines[2].get_ydata(), panel.runs[1].lrs[:, 0])


def test_panel_pngs_reflect_the_lines_and_reuse_the_backgrounds():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=20)
    before = panel.pngs()
    keys = list(panel._keys)
    panel.update(optimizers=pair(0.015))
    after = panel.pngs()
    assert len(before) == 2 and all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in before)
    assert before[0] != after[0] and before[1] != after[1]
    assert panel._keys == keys  # a small change only re-blits the lines


def test_panel_reports_divergence_in_its_messages():
    quadratic = objectives.ill_conditioned()
    panel = widgets.ComparisonPanel(quadratic, pair(0.5), steps=50)
    assert panel.messages[0].startswith("GD (ρ=0.5): diverged at step")
    assert "distance to minimum" in panel.messages[1]
    assert "diverged at step" in panel.status_html()


def test_panel_changes_objective_and_start():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=10)
    rosen = objectives.Rosenbrock()
    panel.update(objective=rosen)
    np.testing.assert_array_equal(panel.start, rosen.start)
    panel.update(start=(0.5, 0.5))
    np.testing.assert_array_equal(panel.runs[0].thetas[0], [0.5, 0.5])
    assert panel.ax_path.get_title() == rosen.name


def test_decades_keep_limits_that_still_fit():
    assert widgets._decades(np.array([0.02, 0.3])) == (0.01, 1.0)
    assert widgets._decades(np.array([0.03, 0.2]), current=(0.01, 1.0)) == (0.01, 1.0)
    assert widgets._decades(np.array([3.0, 20.0]), current=(0.01, 1.0)) == (1.0, 100.0)
    assert widgets._decades(np.array([np.nan])) == (1e-3, 1.0)
    assert widgets._decades(np.array([np.nan]), current=(0.1, 10.0)) == (0.1, 10.0)
    assert widgets._decades(np.array([0.0]), current=(0.0, 1.0)) == (1e-3, 1.0)  # never ≤ 0


def test_widget_updates_on_slider_and_shows_errors_instead_of_raising():
    rho = w.FloatSlider(value=0.01, min=-1, max=1, step=0.001)
    box = widgets.comparison_widget({"quadratic": objectives.ill_conditioned()}, pair,
                                    {"rho": rho}, steps=20)
    _, status, (image, _) = parts(box)
    first = image.value
    rho.value = 0.02
    assert image.value != first
    assert box.panel.runs[0].thetas.shape == (21, 2)
    rho.value = -0.5  # an invalid learning rate: reported, not raised
    assert "invalid setting" in status.value and "lr" in status.value


def test_widget_objective_dropdown_moves_the_start_sliders():
    box = widgets.comparison_widget(objectives.gallery(), pair,
                                    {"rho": w.FloatSlider(value=0.001)}, steps=10)
    controls = parts(box)[0]
    chooser = controls[0]
    chooser.value = "rosenbrock"
    sliders = [c for c in controls if isinstance(c, w.FloatSlider) and "start" in c.description]
    assert [s.value for s in sliders] == list(objectives.Rosenbrock().start)
    assert box.panel.objective.name == "Rosenbrock"


def test_static_scrubber_has_one_frame_per_value_and_its_numbers_as_text():
    scrub = widgets.static_scrubber(objectives.ill_conditioned(), pair, [0.01, 0.05, 0.1],
                                    name="t", label="ρ", steps=10)
    assert len(scrub.frames) == 3 and all(len(frame) == 2 for frame in scrub.frames)
    assert len({frame[0] for frame in scrub.frames}) == 3  # each value moved the paths
    assert all("GD" in alt and "AdaGrad" in alt for alt in scrub.alts)  # the text says GD
    first, last = scrub.readouts[0].splitlines(), scrub.readouts[2].splitlines()
    assert first[0].startswith("GD (ρ=0.01): loss ") and last[1].startswith("AdaGrad (ρ=1): ")


# ------------------------------------------------- the accumulator-weight axes (weights=True)


def ada_rms(alpha):
    return [alr.AdaGrad(lr=0.3), alr.RMSProp(lr=0.03, alpha=alpha)]


def test_panel_without_weights_keeps_two_panels():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=10)
    assert len(panel.figures) == 2 and panel.ax_weights is None
    assert all(tuple(fig.get_size_inches()) == plots.PANEL_SIZE for fig in panel.figures)


def test_weight_axes_show_each_optimizers_memory():
    panel = widgets.ComparisonPanel(objectives.NonStationary(), ada_rms(0.9), steps=30,
                                    weights=True)
    assert len(panel.figures) == 3 and len(panel.weight_lines) == 2
    ada_line, rms_line = panel.weight_lines
    np.testing.assert_array_equal(ada_line.get_xdata(), np.arange(1, 31))
    np.testing.assert_array_equal(ada_line.get_ydata(), np.ones(30))
    np.testing.assert_allclose(rms_line.get_ydata(), 0.9 ** np.arange(30))  # newest first
    # the window and half-life are text beside the controls, not inside the image
    assert panel.messages[1].endswith("; memory: window 10, half-life 6.58 steps")
    assert panel.messages[0].endswith("; memory: sums every gradient, forgets none")
    before = panel.pngs()
    panel.update(optimizers=ada_rms(0.5))
    np.testing.assert_allclose(panel.weight_lines[1].get_ydata(), 0.5 ** np.arange(30))
    assert panel.pngs()[2] != before[2]


def test_weight_axes_follow_steps_and_skip_gd():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=10,
                                    weights=True)
    assert np.all(np.isnan(panel.weight_lines[0].get_ydata()))  # GD has no accumulator
    panel.update(steps=40)
    assert panel.ax_weights.get_xlim() == (1, 40)
    assert len(panel.weight_lines[1].get_ydata()) == 40


def test_widget_and_scrubber_accept_weights():
    alpha = w.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.01)
    box = widgets.comparison_widget({"nonstationary": objectives.NonStationary()}, ada_rms,
                                    {"alpha": alpha}, steps=20, weights=True)
    assert box.panel.ax_weights is not None
    alpha.value = 0.5
    np.testing.assert_allclose(box.panel.weight_lines[1].get_ydata()[:2], [1.0, 0.5])
    scrub = widgets.static_scrubber(objectives.NonStationary(), ada_rms, [0.5, 0.9, 0.99],
                                    name="w", label="α", steps=20, weights=True)
    assert len({frame[2] for frame in scrub.frames}) == 3 and "accumulators" in scrub.alts[2]
    assert "half-life" in scrub.readouts[1]


# ------------------------------------- an objective built from the controls (a κ slider)


def test_widget_builds_the_objective_from_the_controls():
    import functools

    built = functools.lru_cache(maxsize=None)(lambda kappa: objectives.ill_conditioned(kappa))
    calls = []

    def gd_pair(rho, kappa):
        calls.append((rho, kappa))
        return [alr.SGD(lr=rho), alr.SGD(lr=2 / (1 + kappa))]

    rho = w.FloatSlider(value=0.01, min=0.001, max=1, step=0.001)
    kappa = w.FloatSlider(value=4.0, min=0.5, max=100, step=0.5)
    box = widgets.comparison_widget(lambda rho, kappa: built(kappa), gd_pair,
                                    {"rho": rho, "kappa": kappa}, steps=20)
    controls, status, _ = parts(box)
    assert not any(isinstance(c, w.Dropdown) for c in controls)
    panel = box.panel
    assert panel.objective.condition_number == 4.0
    kappa.value = 25.0
    assert panel.objective is built(25.0) and calls[-1] == (0.01, 25.0)
    landscape = panel.objective
    rho.value = 0.05            # a rate change keeps the cached landscape
    assert panel.objective is landscape
    kappa.value = 0.5           # κ < 1 is invalid: reported, not raised
    assert "invalid setting" in status.value and "kappa" in status.value
    assert panel.objective is landscape


# ------------------------------------------ bad input: clear errors, and never a crashed widget


@pytest.mark.parametrize("optimizers, first_line", [
    ([alr.SGD(lr=1e6), alr.AdaGrad(lr=1e6)], "GD (ρ=1e+06): diverged at step 1"),  # at once
    ([alr.SGD(lr=0.0)], "GD (ρ=0): loss "),            # a zero rate: nothing on a log axis
])
def test_panel_draws_runs_with_no_positive_rate(optimizers, first_line):
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), optimizers, steps=10)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in panel.pngs())
    assert panel.messages[0].startswith(first_line)
    low, high = panel.ax_lr.get_ylim()
    assert 0 < low < high


def test_static_scrubber_whose_first_value_diverges():
    scrub = widgets.static_scrubber(objectives.ill_conditioned(), pair, [1e6, 0.01],
                                    name="t", label="ρ", steps=10)
    assert "diverged at step 1" in scrub.readouts[0] and "loss" in scrub.readouts[1]


@pytest.mark.parametrize("make, error, match", [
    (lambda q: widgets.ComparisonPanel(q, pair(0.1), coordinates=(0, 5)), ValueError,
     r"coordinates must name distinct coordinates of θ = \(θ₁, θ₂\) by index, 0 or 1"),
    (lambda q: widgets.ComparisonPanel(q, pair(0.1), coordinates=(1, 1)), ValueError,
     "coordinates"),
    (lambda q: widgets.ComparisonPanel(q, pair(0.1), coordinates=()), ValueError, "coordinates"),
    (lambda q: widgets.ComparisonPanel(q, []), ValueError,
     "optimizers must hold at least one optimizer"),
    (lambda q: widgets.ComparisonPanel(q, alr.SGD(lr=0.1)), TypeError,
     "optimizers must be a list of optimizers"),
    (lambda q: widgets.ComparisonPanel([], pair(0.1)), TypeError,
     "objective must be an adaptive_lr Objective"),
    (lambda q: widgets.ComparisonPanel(q, pair(0.1), start=(1.0, 2.0, 3.0)), ValueError,
     r"start must be a point \(θ₁, θ₂\)"),
    (lambda q: widgets.static_scrubber(q, pair, [], name="t", label="ρ"), ValueError,
     "values must hold at least one value"),
    (lambda q: widgets.comparison_widget({}, pair, {}), ValueError,
     "objectives must map names to objectives"),
])
def test_panel_and_scrubber_reject_bad_arguments_clearly(make, error, match):
    with pytest.raises(error, match=match):
        make(objectives.ill_conditioned())


def test_panel_is_left_as_it_was_when_a_run_raises():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=10)
    runs, pngs = panel.runs, panel.pngs()
    with pytest.raises(ValueError, match=r"lr has shape \(3,\)"):
        panel.update(optimizers=[alr.SGD(lr=0.02), alr.SGD(lr=np.full(3, 0.01))])
    assert panel.runs is runs and panel.pngs() == pngs


def test_widget_shows_errors_raised_while_running():
    rho = w.FloatSlider(value=0.01, min=0.001, max=1, step=0.001)
    box = widgets.comparison_widget(
        {"quadratic": objectives.ill_conditioned()},
        lambda rho: [alr.SGD(lr=np.full(3, rho)) if rho > 0.5 else alr.SGD(lr=rho)],
        {"rho": rho}, steps=20)
    _, status, images = parts(box)
    frame = images[0].value
    rho.value = 0.6  # minimize raises: lr of shape (3,) against θ of shape (2,)
    assert "invalid setting" in status.value and "lr has shape (3,)" in status.value
    assert images[0].value == frame  # the last good frame stays


def test_widget_shows_any_error_of_the_factories():
    def broken(rho):
        if rho > 0.5:
            raise RuntimeError("the factory broke")
        return pair(rho)

    rho = w.FloatSlider(value=0.01, min=0.001, max=1, step=0.001)
    box = widgets.comparison_widget({"quadratic": objectives.ill_conditioned()}, broken,
                                    {"rho": rho}, steps=20)
    rho.value = 0.6
    assert parts(box)[1].value == "<b>RuntimeError:</b> the factory broke"


def test_widget_with_invalid_initial_values_starts_with_the_error_in_its_status():
    rho = w.FloatSlider(value=-0.5, min=-1, max=1, step=0.05)
    box = widgets.comparison_widget({"quadratic": objectives.ill_conditioned()}, pair,
                                    {"rho": rho}, steps=20)
    _, status, images = parts(box)
    assert box.panel is None and images == []
    assert "invalid setting" in status.value and "lr must lie in [0, inf)" in status.value
    rho.value = 0.05
    _, status, images = parts(box)
    assert box.panel is not None and len(images) == 2 and "loss" in status.value


def test_widget_with_an_objective_that_cannot_be_built_starts_with_the_error():
    box = widgets.comparison_widget(lambda kappa: objectives.ill_conditioned(kappa),
                                    lambda kappa: pair(0.01),
                                    {"kappa": w.FloatSlider(value=0.5, min=0.5, max=10)})
    assert "invalid setting" in parts(box)[1].value and box.panel is None


# ------------------------------------------------------- sized for the page, readable on it


def css_width(png):
    return Image.open(io.BytesIO(png)).width / plots.DENSITY


def test_panels_fit_the_column_side_by_side_and_a_phone_one_by_one():
    panel = widgets.ComparisonPanel(objectives.NonStationary(), ada_rms(0.9), steps=20,
                                    weights=True)
    widths = [css_width(png) for png in panel.pngs()]
    assert all(320 <= width <= 345 for width in widths)  # a phone's column is ~358 px
    assert 2 * widths[0] + 8 <= 688  # two and their gap in the 1280 px page's column


def test_panel_text_renders_at_12_css_px_or_more():
    panel = widgets.ComparisonPanel(objectives.NonStationary(), ada_rms(0.9), steps=20,
                                    weights=True)
    panel.pngs()
    for fig in panel.figures:
        texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
        assert texts and min(t.get_fontsize() for t in texts) * 100 / 72 >= 12
        assert not [t.get_text() for t in texts if "loss" in t.get_text()]  # numbers are HTML


def test_panel_legends_sit_below_the_axes_off_the_data():
    panel = widgets.ComparisonPanel(objectives.NonStationary(), ada_rms(0.9), steps=20,
                                    weights=True)
    panel.pngs()
    for fig, legend in zip(panel.figures, panel._legends):
        box, axes = legend.get_window_extent(), fig.axes[0].get_window_extent()
        assert box.y1 <= axes.y0 and box.x0 >= 0 and box.x1 <= fig.bbox.x1
    labels = [t.get_text() for t in panel._legends[0].get_texts()]
    assert {"AdaGrad", "RMSProp", "start"} <= set(labels)
    assert [t.get_text() for t in panel._legends[1].get_texts()] == ["θ₁", "θ₂"]


def test_widget_controls_have_widths_and_wrap_instead_of_collapsing():
    controls = {"rho": w.FloatLogSlider(value=0.3, base=10, min=-4, max=1, step=0.1),
                "alpha": w.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.005),
                "eps": w.FloatLogSlider(value=1e-8, base=10, min=-12, max=-1, step=0.5,
                                        layout=w.Layout(width="250px"))}
    box = widgets.comparison_widget(objectives.gallery(),
                                    lambda rho, alpha, eps: [alr.RMSProp(lr=rho, alpha=alpha,
                                                                         eps=eps)],
                                    controls, steps=20)
    inputs = parts(box)[0]
    assert len(inputs) == 7 and box.children[0].layout.flex_flow == "row wrap"
    assert [c.layout.width for c in inputs] == [widgets.CONTROL_WIDTH] * 3 + ["250px"] \
        + [widgets.CONTROL_WIDTH] * 3
    assert box.children[2].layout.flex_flow == "row wrap"
    assert all(image.width == "330" for image in parts(box)[2])  # CSS px: pixels / density


@pytest.mark.parametrize("slider", [
    w.FloatLogSlider(value=0.07, base=10, min=-3, max=0, step=0.1),  # how-to-use's ρ
    w.FloatLogSlider(value=0.05, base=10, min=-3, max=0, step=0.1),  # adam's ρ
    w.FloatSlider(value=0.9, min=0.0, max=1.0, step=0.25),
    w.IntSlider(value=5, min=0, max=10, step=2),
])
def test_slider_grids_pass_through_the_initial_values(slider):
    value, low = slider.value, slider.min
    widgets.comparison_widget({"quadratic": objectives.ill_conditioned()},
                              lambda rho: pair(float(rho) / 100), {"rho": slider}, steps=10)
    position = math.log(value, slider.base) if isinstance(slider, w.FloatLogSlider) else value
    steps = (position - slider.min) / slider.step
    assert slider.value == value and abs(steps - round(steps)) < 1e-9
    assert low <= slider.min < low + slider.step  # the range stays within the author's


def test_widget_status_names_the_value_the_slider_shows():
    rho = w.FloatLogSlider(value=0.07, base=10, min=-3, max=0, step=0.1)
    box = widgets.comparison_widget({"quadratic": objectives.ill_conditioned()},
                                    lambda rho: [alr.SGD(lr=rho)], {"rho": rho}, steps=10)
    shown = 10 ** (rho.min + round((math.log10(rho.value) - rho.min) / rho.step) * rho.step)
    assert f"{shown:.3g}" == "0.07" and "GD (ρ=0.07)" in parts(box)[1].value


def test_start_sliders_grids_pass_through_the_start():
    odd = objectives.ill_conditioned()
    box = widgets.comparison_widget({"quadratic": odd}, lambda: pair(0.01), {}, steps=10,
                                    start=(-3.123, 1.01))
    x0, y0 = [c for c in parts(box)[0] if "start" in c.description]
    for slider, value in ((x0, -3.123), (y0, 1.01)):
        steps = (value - slider.min) / slider.step
        assert slider.value == value and abs(steps - round(steps)) < 1e-9
    np.testing.assert_array_equal(box.panel.start, [-3.123, 1.01])


def test_image_row_shows_pngs_at_their_css_size():
    row = widgets.image_row()
    assert row.layout.flex_flow == "row wrap" and row.children == ()
    figures, _ = plots.panels(2)
    pngs = [plots.png_bytes(fig) for fig in figures]
    widgets.show_pngs(row, pngs)
    first = row.children[0]
    assert [image.value for image in row.children] == pngs
    assert [image.width for image in row.children] == ["330", "330"]
    widgets.show_pngs(row, pngs[:1])
    assert len(row.children) == 1 and row.children[0] is not first
