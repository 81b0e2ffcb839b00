"""Plot helpers: palette, artists drawn from the data, the kernel-free scrubber."""
import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import adaptive_lr as alr  # noqa: E402
from adaptive_lr import objectives, plots  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_palette_is_okabe_ito_and_distinct():
    assert plots.PALETTE[:3] == ["#0072B2", "#D55E00", "#009E73"]
    assert len(set(plots.PALETTE)) == len(plots.PALETTE)
    assert plots.color(len(plots.PALETTE)) == plots.PALETTE[0]


def test_trajectories_draw_each_run_of_a_batch(ax):
    quadratic = objectives.ill_conditioned()
    theta0 = np.array([[-4.0, 1.5], [3.0, -1.0]])
    run = alr.minimize(alr.SGD(lr=np.array([[0.01], [0.03]])), quadratic, theta0, 5)
    lines = plots.trajectories(ax, run, ["slow", "fast"], style=1)
    assert [line.get_label() for line in lines] == ["slow", "fast"]
    np.testing.assert_array_equal(lines[1].get_xydata(), run.thetas[:, 1, :])
    assert lines[0].get_color() == plots.color(1)  # style offsets the colours


def test_contours_mark_the_minimizer_and_set_the_window(ax):
    rosen = objectives.Rosenbrock()
    plots.contours(ax, rosen, n=40)
    assert ax.get_xlim() == rosen.xlim and ax.get_ylim() == rosen.ylim
    star = [line for line in ax.lines if line.get_label() == "minimum"][0]
    np.testing.assert_array_equal(star.get_xydata()[0], rosen.minimizer)


def test_contour_levels_are_increasing_and_above_the_minimum():
    quadratic = objectives.ill_conditioned()
    z = objectives.contour_grid(quadratic, n=30)[2]
    levels = plots.contour_levels(quadratic, z)
    assert np.all(np.diff(levels) > 0) and levels[0] > quadratic.f_min


def test_effective_lr_and_losses_plot_the_recorded_values(ax):
    run = alr.minimize(alr.AdaGrad(lr=0.5), objectives.ill_conditioned(), [-4.0, 1.5], 10)
    lines = plots.effective_lr(ax, [run.lrs], ["AdaGrad"])
    assert len(lines) == 2 and ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines[1].get_ydata(), run.lrs[:, 1])
    (loss_line,) = plots.loss_curves(ax, [run.losses], ["AdaGrad"])
    np.testing.assert_allclose(loss_line.get_ydata(), np.maximum(run.losses, 1e-16))


def test_sweep_heatmap_masks_diverged_cells(ax):
    values = np.array([[1.0, np.nan], [0.1, 0.01]])
    image = plots.sweep_heatmap(ax, values, np.array([1e-3, 1e-2]), np.array([0.9, 0.99]),
                                row_label="ρ", col_label="α")
    data = image.get_array()
    assert data.mask.sum() == 1 and ax.get_yscale() == "log"


def test_edges_bracket_the_centres():
    centres = np.array([1e-3, 1e-2, 1e-1])
    edges = plots._edges(centres, log=True)
    assert len(edges) == 4 and np.all(edges[:-1] < centres) and np.all(centres < edges[1:])


def test_scrubber_html_is_deterministic_and_switches_frames():
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 0])
    scrub = plots.scrubber(fig, lambda v: line.set_ydata([0, v]), [0.5, 1.0, 2.0],
                           name="test-scrub", label="ρ", alt="a line", initial=1)
    html = scrub._repr_html_()
    assert html == scrub._repr_html_()
    images = re.findall(r'<img class="alr-frame" data-frame="(\d)"[^>]*display:(\w+)', html)
    assert images == [("0", "none"), ("1", "block"), ("2", "none")]
    payloads = re.findall(r"base64,([A-Za-z0-9+/=]+)", html)
    assert len(set(payloads)) == 3  # each value drew a different frame
    assert base64.b64decode(payloads[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'id="alr-test-scrub-slider"' in html and 'max="2"' in html
    assert "oninput=" in html and 'alt="a line (ρ = 0.5)"' in html
    assert "3 frames" in repr(scrub)


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Bad Name"}, "name"),
    ({"initial": 5}, "initial"),
])
def test_scrubber_rejects_bad_arguments(kwargs, message):
    arguments = {"name": "ok", "label": "x", "alt": "y", **kwargs}
    with pytest.raises(ValueError, match=message):
        plots.Scrubber([b"png"], [1], **arguments)
