"""The comparison panel, the live widget and the static scrubber built on them."""
import matplotlib

matplotlib.use("Agg")
import ipywidgets as w  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import adaptive_lr as alr  # noqa: E402
from adaptive_lr import objectives, widgets  # noqa: E402


def pair(rho):
    return [alr.SGD(lr=rho), alr.AdaGrad(lr=10 * rho)]


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


def test_panel_png_reflects_the_lines_and_reuses_the_background():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=20)
    before = panel.png()
    key = panel._background_key
    panel.update(optimizers=pair(0.015))
    after = panel.png()
    assert before[:8] == b"\x89PNG\r\n\x1a\n" and before != after
    assert panel._background_key == key  # a small change only re-blits the lines


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


def test_widget_updates_on_slider_and_shows_errors_instead_of_raising():
    rho = w.FloatSlider(value=0.01, min=-1, max=1, step=0.001)
    box = widgets.comparison_widget({"quadratic": objectives.ill_conditioned()}, pair,
                                    {"rho": rho}, steps=20)
    image, status = box.children[2], box.children[3]
    first = image.value
    rho.value = 0.02
    assert image.value != first
    assert box.panel.runs[0].thetas.shape == (21, 2)
    rho.value = -0.5  # an invalid learning rate: reported, not raised
    assert "invalid setting" in status.value and "lr" in status.value


def test_widget_objective_dropdown_moves_the_start_sliders():
    box = widgets.comparison_widget(objectives.gallery(), pair,
                                    {"rho": w.FloatSlider(value=0.001)}, steps=10)
    chooser = box.children[0].children[0]
    chooser.value = "rosenbrock"
    sliders = [c for row in box.children[:2] for c in row.children
               if isinstance(c, w.FloatSlider) and "start" in c.description]
    assert [s.value for s in sliders] == list(objectives.Rosenbrock().start)
    assert box.panel.objective.name == "Rosenbrock"


def test_static_scrubber_has_one_frame_per_value():
    scrub = widgets.static_scrubber(objectives.ill_conditioned(), pair, [0.01, 0.05, 0.1],
                                    name="t", label="ρ", steps=10)
    assert len(scrub.frames) == 3 and len(set(scrub.frames)) == 3
    assert "GD" in scrub.alt and "AdaGrad" in scrub.alt


# ------------------------------------------------- the accumulator-weight axes (weights=True)


def ada_rms(alpha):
    return [alr.AdaGrad(lr=0.3), alr.RMSProp(lr=0.03, alpha=alpha)]


def test_panel_without_weights_keeps_two_axes():
    panel = widgets.ComparisonPanel(objectives.ill_conditioned(), pair(0.01), steps=10)
    assert len(panel.fig.axes) == 2 and panel.ax_weights is None
    assert tuple(panel.fig.get_size_inches()) == (9.0, 4.2)


def test_weight_axes_show_each_optimizers_memory():
    panel = widgets.ComparisonPanel(objectives.NonStationary(), ada_rms(0.9), steps=30,
                                    weights=True)
    assert len(panel.fig.axes) == 3 and len(panel.weight_lines) == 2
    ada_line, rms_line = panel.weight_lines
    np.testing.assert_array_equal(ada_line.get_xdata(), np.arange(1, 31))
    np.testing.assert_array_equal(ada_line.get_ydata(), np.ones(30))
    np.testing.assert_allclose(rms_line.get_ydata(), 0.9 ** np.arange(30))  # newest first
    assert "half-life 6.58 steps" in panel.weight_text.get_text()
    assert "forgets none" in panel.weight_text.get_text()
    before = panel.png()
    panel.update(optimizers=ada_rms(0.5))
    np.testing.assert_allclose(panel.weight_lines[1].get_ydata(), 0.5 ** np.arange(30))
    assert panel.png() != before


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
    assert len(set(scrub.frames)) == 3 and "accumulators" in scrub.alt


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
    assert not any(isinstance(c, w.Dropdown) for row in box.children[:2] for c in row.children)
    panel, status = box.panel, box.children[3]
    assert panel.objective.condition_number == 4.0
    kappa.value = 25.0
    assert panel.objective is built(25.0) and calls[-1] == (0.01, 25.0)
    landscape = panel.objective
    rho.value = 0.05            # a rate change keeps the cached landscape
    assert panel.objective is landscape
    kappa.value = 0.5           # κ < 1 is invalid: reported, not raised
    assert "invalid setting" in status.value and "kappa" in status.value
    assert panel.objective is landscape
