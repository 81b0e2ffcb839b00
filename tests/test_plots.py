"""Plot helpers: palette, book style, panels and legends, the kernel-free scrubber."""
import base64
import html as html_module
import io
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import adaptive_lr as alr  # noqa: E402
from adaptive_lr import objectives, plots  # noqa: E402

#: The rendered book's text column at a 1280 px window and on a 390 px phone (CSS px).
COLUMN_PX, PHONE_PX = 688, 358


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


def test_book_style_draws_for_the_column_at_twice_its_density():
    with matplotlib.rc_context():
        plots.use_book_style()
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1], label="a line")
        ax.legend()
        width_in = fig.get_figwidth()
        png = Image.open(io.BytesIO(plots.png_bytes(fig)))
        sizes = [matplotlib.rcParams[key] for key in (
            "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
            "ytick.labelsize", "legend.fontsize")]
        plt.close(fig)
    assert width_in == plots.COLUMN_WIDTH and png.width == 1400  # shown at ~690 CSS px
    scale = COLUMN_PX / width_in  # CSS px per inch when the figure fills the column
    assert min(sizes) / 72 * scale >= 12  # ≥ 10 CSS px: about 80 % of the 16 px body text


def test_panels_are_half_column_figures_outside_pyplot():
    before = plt.get_fignums()
    figures, axes = plots.panels(2)
    assert plt.get_fignums() == before  # Jupyter never shows them by themselves
    assert [ax.figure for ax in axes] == figures
    widths = [plots.css_size(plots.png_bytes(fig))[0] for fig in figures]
    assert 2 * widths[0] + 8 <= COLUMN_PX and widths[0] <= PHONE_PX
    with pytest.raises(ValueError, match="n must be at least 1"):
        plots.panels(0)


def test_legend_below_sits_under_the_axes_in_as_many_columns_as_fit(ax):
    for k in range(4):
        ax.plot([0, 1], [k, k + 1], label=f"a rather long label number {k}")
    legend = plots.legend_below(ax)
    fig = ax.figure
    fig.canvas.draw()
    box, axes = legend.get_window_extent(), ax.get_window_extent()
    assert box.y1 <= axes.y0 and 0 <= box.x0 and box.x1 <= fig.bbox.x1
    assert 1 < legend._ncols < 4


def test_legend_below_a_figure_names_each_label_once():
    fig, (left, right) = plt.subplots(1, 2)
    for axes in (left, right):
        axes.plot([0, 1], [0, 1], label="GD")
        axes.plot([0, 1], [1, 0], label="AdaGrad")
    legend = plots.legend_below(fig)
    assert [t.get_text() for t in legend.get_texts()] == ["GD", "AdaGrad"]
    plt.close(fig)
    with pytest.raises(ValueError, match="labelled artists"):
        plots.legend_below(plt.figure())
    with pytest.raises(TypeError, match="where must be an Axes or a Figure"):
        plots.legend_below([left])
    plt.close("all")


def test_encode_png_is_a_compact_palette_that_looks_the_same(ax):
    plots.contours(ax, objectives.Rosenbrock(), n=60)
    ax.figure.canvas.draw()
    rgba = Image.frombuffer("RGBA", ax.figure.canvas.get_width_height(),
                            ax.figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    png = plots.encode_png(rgba)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    difference = np.asarray(image.convert("RGBA"), float) - np.asarray(rgba, float)
    assert np.sqrt(np.mean(difference ** 2)) < 3  # the figure check's noise level


def pngs(n, size=(2.0, 1.5)):
    """``n`` distinct small PNGs."""
    figures, axes = plots.panels(n, size=size)
    for k, ax in enumerate(axes):
        ax.plot([0, 1], [0, k])
    return [plots.png_bytes(fig) for fig in figures]


def test_scrubber_html_is_deterministic_and_switches_frames():
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 0])

    def update(v):
        line.set_ydata([0, v])
        return [f"height {v:g}", "a second line"]

    scrub = plots.scrubber(fig, update, [0.5, 1.0, 2.0], name="test-scrub", label="ρ",
                           alt="a line", initial=1)
    assert not plt.fignum_exists(fig.number)  # closed: Jupyter will not show it again
    html = scrub._repr_html_()
    assert html == scrub._repr_html_()
    frames = re.findall(r'<div class="alr-frame" data-frame="(\d)" style="display:(\w+)', html)
    assert frames == [("0", "none"), ("1", "flex"), ("2", "none")]
    payloads = re.findall(r"base64,([A-Za-z0-9+/=]+)", html)
    assert len(set(payloads)) == 3  # each value drew a different frame
    assert base64.b64decode(payloads[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'id="alr-test-scrub-slider"' in html and 'max="2"' in html
    assert "oninput=" in html and 'alt="a line (ρ = 0.5)"' in html
    assert "3 frames" in repr(scrub)
    # the readout: text beside the slider, announced by screen readers
    assert scrub.readouts[1] == "height 1\na second line"
    assert re.search(r'<div class="alr-readout" id="alr-test-scrub-readout" aria-live="polite"'
                     r'[^>]*>height 1\na second line</div>', html)
    readouts = json.loads(html_module.unescape(re.search(r'data-readouts="([^"]*)"',
                                                         html).group(1)))
    assert readouts == ["height 0.5\na second line", "height 1\na second line",
                        "height 2\na second line"]
    assert '<label for="alr-test-scrub-slider">ρ = <output id="alr-test-scrub-value"' in html
    assert 'aria-valuetext="1"' in html


def test_scrubber_frames_of_several_panels_wrap_in_a_row():
    frames = [pngs(2), pngs(2, size=(2.0, 1.6))]
    scrub = plots.Scrubber(frames, [1, 2], name="two", label="k", alt=["left", "right"])
    html = scrub._repr_html_()
    assert html.count('class="alr-panel"') == 4
    assert re.findall(r'alt="(\w+) \(k = 1\)" width="(\d+)"', html) == [("left", "200"),
                                                                       ("right", "200")]
    assert "flex-wrap:wrap" in html and "max-width:100%;height:auto" in html
    assert 'data-readouts="[&quot;&quot;, &quot;&quot;]"' in html  # no readouts: empty text


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": "Bad Name"}, ValueError, "name"),
    ({"initial": 5}, ValueError, "initial"),
    ({"initial": True}, TypeError, "initial must be an integer"),
    ({"frames": 3}, TypeError, "frames and values must be sequences"),
    ({"label": None}, TypeError, "label must be a string"),
    ({"frames": [7]}, TypeError, "a frame or panel must be PNG bytes"),
    ({"frames": [b"png"]}, TypeError, "PNG bytes"),
    ({"frames": [pngs(1)[0], pngs(2)], "values": [1, 2]}, ValueError, "same number of panels"),
    ({"values": []}, ValueError, "non-empty and of equal length"),
    ({"alt": ["one", "two"]}, ValueError, "alt must be a string or a sequence of 1 strings"),
    ({"readouts": ["a", "b"]}, ValueError, r"one entry per frame \(1\)"),
    ({"readouts": [3.5]}, TypeError, "a readout must be a string or a sequence of strings"),
    ({"values": ["a"]}, ValueError, "fmt '{:g}' cannot format the values"),
])
def test_scrubber_rejects_bad_arguments(kwargs, error, message):
    arguments = {"frames": [pngs(1)[0]], "values": [1], "name": "ok", "label": "x",
                 "alt": "y", **kwargs}
    with pytest.raises(error, match=message):
        plots.Scrubber(**arguments)


def test_panel_row_shows_figures_side_by_side_and_closes_them():
    figures, axes = plots.panels(2)
    pyplot_figure = plt.figure(figsize=(3.5, 2.0))
    row = plots.PanelRow(figures + [pyplot_figure], alt=["a", "b", "c"])
    html = row._repr_html_()
    assert html.startswith('<div class="alr-panels" style="display:flex;flex-wrap:wrap')
    assert re.findall(r'alt="(\w)" width="(\d+)"', html) == [("a", "330"), ("b", "330"),
                                                             ("c", "350")]
    assert not plt.fignum_exists(pyplot_figure.number)
    with pytest.raises(TypeError, match="figures must be a Figure"):
        plots.PanelRow([], alt="none")
    with pytest.raises(ValueError, match="alt must be a string or a sequence of 1 strings"):
        plots.PanelRow(plots.panels(1)[0], alt=3)
