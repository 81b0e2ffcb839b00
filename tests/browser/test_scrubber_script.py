"""The scrubber's inline script in a real browser: it moves frames, value and readout
together, by mouse and keyboard, and its panels stack on a phone. (In the browser suite, so
that it shares the session's one Playwright instance.)"""
import matplotlib

matplotlib.use("Agg")

from adaptive_lr import plots  # noqa: E402


def pngs(n, size=(2.0, 1.5)):
    """``n`` distinct small PNGs."""
    figures, axes = plots.panels(n, size=size)
    for k, ax in enumerate(axes):
        ax.plot([0, 1], [0, k])
    return [plots.png_bytes(fig) for fig in figures]


def test_scrubber_script_runs_without_errors_and_moves_everything(browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    readouts = [["GD: loss 1", "AdaGrad: loss 2 <b>not bold</b>"], "GD: loss 3", "done"]
    scrub = plots.Scrubber([pngs(2), pngs(2), pngs(2)], [0.1, 0.2, 0.3], name="live",
                           label="ρ", alt=["paths", "rates"], readouts=readouts, initial=1)
    page.set_content(f"<!doctype html><html><body>{scrub._repr_html_()}</body></html>")

    def state():
        return page.evaluate("""() => ({
            frames: [...document.querySelectorAll('.alr-frame')]
                .filter(f => getComputedStyle(f).display !== 'none').map(f => f.dataset.frame),
            value: document.getElementById('alr-live-value').textContent,
            valuetext: document.getElementById('alr-live-slider').getAttribute('aria-valuetext'),
            readout: document.getElementById('alr-live-readout').innerText,
            label: document.getElementById('alr-live-slider').labels[0].textContent})""")

    assert state() == {"frames": ["1"], "value": "0.2", "valuetext": "0.2",
                       "readout": "GD: loss 3", "label": "ρ = 0.2"}
    page.focus("#alr-live-slider")
    page.keyboard.press("ArrowLeft")
    assert state() == {"frames": ["0"], "value": "0.1", "valuetext": "0.1",
                       "readout": "GD: loss 1\nAdaGrad: loss 2 <b>not bold</b>",
                       "label": "ρ = 0.1"}
    page.keyboard.press("End")
    assert state()["frames"] == ["2"] and state()["readout"] == "done"
    # on a phone the two panels stack, each at its own width
    boxes = page.evaluate("""() => [...document.querySelectorAll('.alr-frame[data-frame="2"] img')]
        .map(i => i.getBoundingClientRect()).map(r => [r.left, r.top, r.width])""")
    assert boxes[0][1] < boxes[1][1] and boxes[0][2] == boxes[1][2] == 200
    assert errors == []
