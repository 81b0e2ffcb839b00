"""The rendered book in a real browser (Chromium), offline: every page of the table of contents
loads without a single JavaScript or console error and without any request to another host,
its images load, its equations and algorithm boxes render, figures have alt text or captions
and stay readable in the dark theme; no saved widget pretends to work, wide tables show that
they scroll, proofs end with a mark, exercises are numbered per chapter; solutions open, the
kernel-free sliders move, search finds RMSProp (with readable snippets), the bibliography
reads like the citations, and the launch buttons are there.

Every page is visited once (by a small pool of browsers, in parallel), as a first-time visitor:
checked and screenshotted at 1280 px in the light theme, switched to the dark theme, checked and
screenshotted again, then at 390 px (a phone) in both themes, then its sliders, algorithm boxes
and solutions are exercised. The tests below report what that pass found, page by page and
feature by feature. Screenshots go to ``test-artifacts/screenshots/``
(``<page>-<width>-<theme>.jpg``).
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import queue
import re
import traceback
import urllib.parse

import pytest
import yaml

from book_site import (PHONE, ROOT, launch, open_page, screenshot, set_mode, settle, source_of,
                       toc_docnames)

DOCNAMES = toc_docnames()
MODES = ("light", "dark")
MAX_PAGE_BYTES = 5_000_000
# uncompressed: the themes' scripts, styles and fonts (2.5 MB, Font Awesome alone 1.5 MB) and
# MathJax (1.2 MB); the widget manager that saved widgets pulled in was 4.4 MB on its own
MAX_CHROME_BYTES = 4_000_000
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# what a page with saved widgets loads: the html-manager (4.4 MB) and require.js
WIDGET_MANAGER = re.compile(r"html-manager|embed-amd|@jupyter-widgets|require(\.min)?\.js")


def _html(site, docname: str) -> str:
    path = site.page(docname)
    if not path.exists():
        source = source_of(docname)
        pytest.fail(f"{docname}: listed in _toc.yml but no page was built ("
                    + (f"source {source.relative_to(ROOT)})" if source else "no source file)"))
    return path.read_text(encoding="utf-8")


# --- what the browser runs --------------------------------------------------------------------

MATH_JS = r"""() => {
    const article = document.querySelector('article.bd-article') || document.body;
    const maths = [...article.querySelectorAll('.math')];
    const clone = article.cloneNode(true);
    clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .math, .highlight')
         .forEach(e => e.remove());
    const text = clone.textContent.replace(/\s+/g, ' ');
    const tex = new RegExp(String.raw`\\(frac|sqrt|alpha|beta|rho|theta|varepsilon|epsilon|eta` +
                           String.raw`|sum|mathbf|hat|left|right|begin)\b|\$\$|\$\\`, 'g');
    const raw = [...text.matchAll(tex)]
        .map(m => '…' + text.slice(Math.max(0, m.index - 50), m.index + 30) + '…');
    return {
        count: maths.length,
        unrendered: maths.filter(m => !m.querySelector('mjx-container'))
                         .map(m => m.textContent.trim().slice(0, 80)),
        texErrors: [...article.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
        rawTex: raw.slice(0, 4),
    };
}"""

IMAGES_JS = """() => [...document.images]
    .filter(image => !(image.complete && image.naturalWidth > 0))
    .map(image => (image.getAttribute('src') || '').slice(0, 100))"""

ALT_JS = r"""() => [...document.querySelectorAll('article.bd-article img')].filter(image => {
        const figure = image.closest('figure');
        const caption = figure && figure.querySelector('figcaption');
        if (caption && caption.textContent.trim()) return false;
        const alt = (image.getAttribute('alt') || '').trim();
        return !alt || /\.(png|jpe?g|gif|svg|webp)$/i.test(alt) || alt.includes('_images/');
    }).map(image => {
        const section = image.closest('section');
        const heading = section && section.querySelector('h1, h2, h3, h4');
        return `image under "${heading ? heading.textContent.replace('#', '').trim() : '?'}"`;
    })"""

_BACKGROUND_JS = r"""
    const parse = c => (c.match(/[\d.]+/g) || []).map(Number);
    const background = element => {
        for (let e = element; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };"""

# A figure must bring its own opaque background, or sit on a light one.
FIGURE_BACKGROUND_JS = "() => {" + _BACKGROUND_JS + """
    const results = [];
    for (const image of document.querySelectorAll('article.bd-article img')) {
        if (!image.offsetWidth || !image.naturalWidth) continue;
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(image, 0, 0);
        const w = canvas.width - 1, h = canvas.height - 1;
        let alpha = 255;
        for (const [x, y] of [[0, 0], [w, 0], [0, h], [w, h], [w >> 1, 0], [0, h >> 1],
                              [w >> 1, h >> 1]]) {
            alpha = Math.min(alpha, context.getImageData(x, y, 1, 1).data[3]);
        }
        const src = image.getAttribute('src') || '';
        results.push({src: src.startsWith('data:') ? `alt="${image.alt.slice(0, 50)}"`
                                                   : src.slice(-40),
                      alpha, background: background(image)});
    }
    return results;
}"""

CONTRAST_JS = "(selector) => {" + _BACKGROUND_JS + """
    return [...document.querySelectorAll(selector)].map(e => ({
        text: e.textContent.trim().slice(0, 40),
        color: parse(getComputedStyle(e).color).slice(0, 3), background: background(e)}));
}"""

FRAMES_JS = """(scrubber) => [...scrubber.querySelectorAll('.alr-frame')]
    .filter(frame => getComputedStyle(frame).display !== 'none' && frame.offsetWidth > 0)
    .map(frame => ({frame: frame.dataset.frame,
                    src: [...frame.querySelectorAll('img')].map(i => i.getAttribute('src'))
                         .join(' ')}))"""

SET_JS = """(slider, value) => {
    slider.value = String(value);
    slider.dispatchEvent(new Event('input', {bubbles: true}));
}"""


WIDGETS_JS = """() => [...document.querySelectorAll(
        '.jupyter-widgets, .widget-area, .jupyter-widgets-view, ' +
        'script[type^="application/vnd.jupyter.widget"]')]
    .map(e => e.tagName === 'SCRIPT' ? e.type : e.className.slice(0, 60))"""

# Every table either fits its column or scrolls sideways and says so: its content fades out at
# the edge it can scroll towards (_static/table-scroll.js and book.css), and no longer once it
# has been scrolled there.
TABLES_JS = r"""async () => {
    const frame = () => new Promise(done => requestAnimationFrame(() =>
        requestAnimationFrame(done)));
    const masked = box => /gradient/.test(getComputedStyle(box).maskImage ||
                                          getComputedStyle(box).webkitMaskImage || '');
    const tables = [];
    for (const table of document.querySelectorAll('article.bd-article table')) {
        const box = table.closest('.pst-scrollable-table-container') || table.parentElement;
        const head = table.querySelector('tr');
        const result = {
            head: head ? head.textContent.replace(/\s+/g, ' ').trim().slice(0, 50) : '',
            overflows: box.scrollWidth > box.clientWidth + 1,
            width: table.scrollWidth, column: box.clientWidth,
            scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
        };
        if (result.overflows) {
            result.hint = box.classList.contains('alr-more-right') && masked(box);
            box.scrollLeft = box.scrollWidth;
            await frame();
            result.hintGoesAtTheEnd = !box.classList.contains('alr-more-right') &&
                                      box.classList.contains('alr-more-left');
            box.scrollLeft = 0;
            await frame();
        }
        tables.push(result);
    }
    return tables;
}"""

# sphinx-proof's {prf:proof} is its only box without a title
PROOFS_JS = r"""() => [...document.querySelectorAll('article.bd-article div.proof.admonition')]
    .filter(box => !box.querySelector(':scope > .admonition-title'))
    .map(box => ({text: box.textContent.replace(/\s+/g, ' ').trim().slice(0, 40),
                  mark: box.lastElementChild ?
                        getComputedStyle(box.lastElementChild, '::after').content : ''}))"""

EXERCISES_JS = r"""() => ({
    chapter: ((document.querySelector('article.bd-article h1 .section-number') || {})
              .textContent || '').trim(),
    numbers: [...document.querySelectorAll(
        'article.bd-article div.exercise > .admonition-title .caption-number')]
        .map(e => e.textContent.trim()),
})"""

# Bytes a page loaded from the site: its HTML (with the frames of its sliders) and images,
# and everything else it needs (scripts, styles, fonts, MathJax).
WEIGHT_JS = """() => {
    const weight = {content: 0, rest: 0};
    for (const entry of [...performance.getEntriesByType('navigation'),
                         ...performance.getEntriesByType('resource')]) {
        const content = entry.entryType === 'navigation' || entry.initiatorType === 'img';
        weight[content ? 'content' : 'rest'] += entry.encodedBodySize || 0;
    }
    return weight;
}"""


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- one pass over every page -----------------------------------------------------------------

@dataclasses.dataclass
class Report:
    """What one visit of a page found."""
    problems: dict = dataclasses.field(default_factory=lambda: {m: [] for m in MODES})
    screenshots: dict = dataclasses.field(default_factory=dict)
    equations: int = 0
    scrubbers: int = 0
    scrubber_problems: list = dataclasses.field(default_factory=list)
    algorithms: int = 0
    algorithm_problems: list = dataclasses.field(default_factory=list)
    solutions: int = 0
    solution_problems: list = dataclasses.field(default_factory=list)
    weight: dict = dataclasses.field(default_factory=dict)  # bytes loaded: content, rest


def _check_page_chrome(page, width: int) -> list[str]:
    """What does not depend on the theme but may on the width: the tables."""
    problems = []
    for table in page.evaluate(TABLES_JS):
        if table["overflows"] and not (table["scrolls"] and table["hint"]
                                       and table["hintGoesAtTheEnd"]):
            problems.append(f"at {width} px the table '{table['head']}' ({table['width']} px in "
                            f"a {table['column']} px column) is cut off with no sign that it "
                            f"scrolls: {table}")
    return problems


def _check_content(page, docname: str) -> list[str]:
    """What depends on neither theme nor width: widgets, proofs, exercise numbers, wide
    tables of the Markdown pages (which can be restructured, unlike printed outputs)."""
    problems = []
    if widgets := page.evaluate(WIDGETS_JS):
        problems.append(f"saved widget views or state on the static page (they need a kernel): "
                        f"{sorted(set(widgets))}")
    for proof in page.evaluate(PROOFS_JS):
        if "∎" not in proof["mark"]:
            problems.append(f"the proof '{proof['text']}…' has no end mark ∎")
    exercises = page.evaluate(EXERCISES_JS)
    expected = [f"Exercise {exercises['chapter']}{k}"
                for k in range(1, len(exercises["numbers"]) + 1)]
    if exercises["numbers"] != expected:
        problems.append(f"exercises are numbered {exercises['numbers']}, not per chapter "
                        f"({expected})")
    source = source_of(docname)
    if source is not None and source.suffix == ".md":
        for table in page.evaluate(TABLES_JS):
            if table["overflows"]:
                problems.append(f"the table '{table['head']}' is {table['width']} px wide in a "
                                f"{table['column']} px column at 1280 px: restructure it")
    return problems


def _check_rendering(page, mode: str) -> list[str]:
    problems = []
    theme = page.evaluate("document.documentElement.dataset.theme")
    if theme != mode:
        problems.append(f"the theme is {theme!r}, not {mode!r}")
    if mode != "light":  # what does not depend on the theme is checked once, in light mode
        return problems + _check_theme_dependent(page)
    if broken := page.evaluate(IMAGES_JS):
        problems.append(f"images that did not load: {broken}")
    math = page.evaluate(MATH_JS)
    if math["unrendered"]:
        problems.append(f"{len(math['unrendered'])} of {math['count']} equations not rendered by "
                        f"MathJax, e.g. {math['unrendered'][:3]}")
    if math["texErrors"]:
        problems.append(f"TeX errors: {math['texErrors'][:5]}")
    if math["rawTex"]:
        problems.append("raw TeX left in the text (math markup not parsed): "
                        + " | ".join(math["rawTex"]))
    if missing := page.evaluate(ALT_JS):
        problems.append(f"{len(missing)} figure(s) without alt text or caption (give the cell "
                        "metadata mystnb.image.alt or mystnb.figure.caption): "
                        + "; ".join(missing[:8]))
    return problems + _check_theme_dependent(page)


def _check_theme_dependent(page) -> list[str]:
    problems = []
    for item in page.evaluate(CONTRAST_JS, ".alr-scrubber label"):
        ratio = _contrast(item["color"], item["background"])
        if ratio < 4.5:
            problems.append(f"slider label {item['text']!r}: contrast {ratio:.2f} < 4.5")
    for image in page.evaluate(FIGURE_BACKGROUND_JS):
        if image["alpha"] < 255 and _luminance(image["background"]) < 0.4:
            problems.append(f"figure {image['src']} is transparent and sits on a dark "
                            f"background {image['background']}")
    return problems


def _exercise_scrubbers(page, report: Report) -> None:
    scrubbers = page.locator(".alr-scrubber")
    report.scrubbers = scrubbers.count()
    for k in range(report.scrubbers):
        scrubber = scrubbers.nth(k)
        name = f"#{scrubber.get_attribute('id')}"
        slider, output = scrubber.locator("input[type=range]"), scrubber.locator("output")
        labels = json.loads(scrubber.get_attribute("data-labels"))
        start, last = int(slider.input_value()), int(slider.get_attribute("max"))
        shown = scrubber.evaluate(FRAMES_JS)
        if [s["frame"] for s in shown] != [str(start)] or output.text_content() != labels[start]:
            frames = [s["frame"] for s in shown]
            report.scrubber_problems.append(f"{name}: shows frames {frames} and "
                                            f"{output.text_content()!r} at value {start}")
            continue
        target = 0 if start != 0 else last
        slider.evaluate(SET_JS, target)
        moved = scrubber.evaluate(FRAMES_JS)
        if [s["frame"] for s in moved] != [str(target)]:
            report.scrubber_problems.append(f"{name}: set to {target}, shows frames "
                                            f"{[s['frame'] for s in moved]}")
            continue
        if moved[0]["src"] == shown[0]["src"]:
            report.scrubber_problems.append(f"{name}: frames {start} and {target} are the same "
                                            "picture")
        if output.text_content() != labels[target] or labels[target] == labels[start]:
            report.scrubber_problems.append(f"{name}: the value shown ({output.text_content()!r}) "
                                            f"did not follow the slider to {labels[target]!r}")
        # and with the keyboard, as a reader would
        step = target - 1 if target == last else target + 1
        slider.focus()
        page.keyboard.press("ArrowLeft" if target == last else "ArrowRight")
        if [s["frame"] for s in scrubber.evaluate(FRAMES_JS)] != [str(step)] or \
                output.text_content() != labels[step]:
            report.scrubber_problems.append(f"{name}: the arrow key did not move the slider")


def _exercise_algorithms(page, report: Report) -> None:
    boxes = page.locator(".proof.algorithm")
    report.algorithms = boxes.count()
    for k in range(report.algorithms):
        box = boxes.nth(k)
        title = box.locator(".admonition-title").first
        name = title.inner_text().strip() if title.count() else f"algorithm box {k + 1}"
        if not title.count() or not title.is_visible() or not re.match(r"Algorithm \d+", name):
            report.algorithm_problems.append(f"{name!r}: no visible 'Algorithm N' title")
        content = box.locator(".algorithm-content, section").first
        if not content.count() or not content.is_visible() or content.bounding_box()["height"] < 20:
            report.algorithm_problems.append(f"{name!r}: its body is not shown")


def _exercise_solutions(page, report: Report) -> None:
    solutions = page.locator("div.solution")
    report.solutions = solutions.count()
    for k in range(report.solutions):
        solution = solutions.nth(k)
        title = solution.locator(".admonition-title").first
        body = solution.locator("section, p:not(.admonition-title)").first
        name = (title.inner_text().strip().splitlines() or [f"solution {k + 1}"])[0]
        if "dropdown" not in (solution.get_attribute("class") or ""):
            report.solution_problems.append(f"{name!r} is not a dropdown (:class: dropdown)")
            continue
        if body.is_visible():
            report.solution_problems.append(f"{name!r} is open before a click")
            continue
        title.scroll_into_view_if_needed()
        title.click()
        try:
            body.wait_for(state="visible", timeout=3000)
        except Exception:  # noqa: BLE001  (Playwright's TimeoutError)
            report.solution_problems.append(f"{name!r} did not open when its title was clicked")


def _inspect(browser, server: str, docname: str) -> Report:
    report = Report()
    visit = open_page(browser, server, f"{docname}.html", "light")  # a first visit
    try:
        page = visit.page
        report.weight = page.evaluate(WEIGHT_JS)
        report.problems["light"] += _check_content(page, docname)
        desktop = page.viewport_size
        for viewport in (desktop, PHONE):
            if viewport != desktop:
                page.set_viewport_size(viewport)
                settle(page)
            report.problems["light"] += _check_page_chrome(page, viewport["width"])
            for mode in MODES:
                set_mode(page, mode)
                if viewport == desktop:
                    report.problems[mode] += _check_rendering(page, mode)
                report.screenshots[(viewport["width"], mode)] = screenshot(page, docname, mode)
        page.set_viewport_size(desktop)
        set_mode(page, "light")
        report.equations = page.locator("article.bd-article mjx-container").count()
        _exercise_scrubbers(page, report)
        _exercise_algorithms(page, report)
        _exercise_solutions(page, report)
        if visit.blocked:
            report.problems["light"].append(
                f"requests to other hosts (the site must serve everything itself): "
                f"{sorted(set(visit.blocked))}")
        if managers := [url for url in visit.requests if WIDGET_MANAGER.search(url)]:
            report.problems["light"].append(f"loads a widget manager: {managers}")
        if errors := visit.js_errors():
            report.problems["light"].append(f"JavaScript errors: {errors}")
    finally:
        visit.close()
    return report


def _worker(sync_api, server: str, jobs: queue.Queue) -> dict:
    reports = {}
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            while True:
                try:
                    docname = jobs.get_nowait()
                except queue.Empty:
                    break
                try:
                    reports[docname] = _inspect(browser, server, docname)
                except Exception:  # noqa: BLE001  (reported as the page's failure)
                    reports[docname] = Report()
                    reports[docname].problems["light"].append(
                        "the visit failed:\n" + traceback.format_exc(limit=6))
        finally:
            browser.close()
    return reports


@pytest.fixture(scope="session")
def reports(sync_api, server, site) -> dict:
    """Visit every built page of the table of contents once; a Report for each."""
    pages = sorted((d for d in DOCNAMES if site.page(d).exists()),
                   key=lambda d: -site.page(d).stat().st_size)  # big pages first
    jobs = queue.Queue()
    for docname in pages:
        jobs.put(docname)
    # One Chromium per thread (Playwright's sync API is per thread); pages run in parallel.
    n = max(1, min(int(os.environ.get("ADAPTIVE_LR_BROWSERS", "2")), len(pages)))
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(lambda _: _worker(sync_api, server, jobs), range(n)))
    return {docname: report for result in results for docname, report in result.items()}


# --- the build --------------------------------------------------------------------------------

def test_the_book_builds_without_warnings(site):
    if site.returncode is None:
        pytest.skip("ADAPTIVE_LR_SITE: testing a prebuilt site, whose build log is unknown")
    assert site.returncode == 0, ("`jupyter-book build . -W -n --keep-going` failed:\n"
                                  + "\n".join(site.warnings() or [site.log[-3000:]]))


def test_every_page_is_under_5_mb(site):
    """A page and the images it loads from the site stay under 5 MB (slider frames count)."""
    sizes = {}
    for docname in DOCNAMES:
        page = site.page(docname)
        if not page.exists():
            continue  # reported by test_page_renders
        html = page.read_text(encoding="utf-8")
        total = len(html.encode())
        for src in set(re.findall(r'<img[^>]*\ssrc="([^"]+)"', html)):
            if not src.startswith(("data:", "http:", "https:")):
                image = (page.parent / urllib.parse.unquote(src.split("?")[0])).resolve()
                total += image.stat().st_size if image.is_file() else 0
        sizes[docname] = total
    too_big = {d: f"{s / 1e6:.2f} MB" for d, s in sizes.items() if s > MAX_PAGE_BYTES}
    assert not too_big, f"pages over {MAX_PAGE_BYTES / 1e6:g} MB: {too_big}"


def test_what_every_page_needs_beyond_its_content_stays_under_4_mb(reports):
    """Scripts, styles, fonts and MathJax, all served by the site itself."""
    heavy = {d: f"{r.weight['rest'] / 1e6:.2f} MB" for d, r in reports.items()
             if r.weight["rest"] > MAX_CHROME_BYTES}
    assert not heavy, f"pages loading over {MAX_CHROME_BYTES / 1e6:g} MB besides their " \
                      f"content: {heavy}"


# --- every page, light and dark ---------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders(site, reports, docname, mode):
    _html(site, docname)
    report = reports[docname]
    assert not report.problems[mode], (
        f"{docname} ({mode} theme; screenshot {report.screenshots.get((1280, mode))}):\n  "
        + "\n  ".join(report.problems[mode]))


# --- features ---------------------------------------------------------------------------------

def test_equations_render(reports):
    """MathJax (served locally) typesets the book's equations; each page's own equations are
    checked in test_page_renders."""
    assert sum(r.equations for r in reports.values()), "MathJax rendered no equation in the book"


def _has_widget_outputs(docname: str) -> bool:
    source = source_of(docname)
    return source is not None and source.suffix == ".ipynb" and WIDGET_VIEW in source.read_text()


def test_scrubbers_move_without_a_kernel(site, reports):
    """Each kernel-free slider shows another precomputed frame and value when moved (by an
    input event and by the arrow keys); every chapter with a live widget also has one."""
    with_widgets = [d for d in reports if _has_widget_outputs(d)]
    assert sum(r.scrubbers for r in reports.values()), \
        "no page of the book has a kernel-free slider (adaptive_lr.plots.Scrubber)"
    live_only = [d for d in with_widgets if not reports[d].scrubbers]
    assert not live_only, f"pages with a live widget but no kernel-free slider: {live_only}"
    problems = {d: r.scrubber_problems for d, r in reports.items() if r.scrubber_problems}
    assert not problems, problems


def test_algorithm_boxes_render(reports):
    assert sum(r.algorithms for r in reports.values()), \
        "no algorithm box ({prf:algorithm}) in the book"
    problems = {d: r.algorithm_problems for d, r in reports.items() if r.algorithm_problems}
    assert not problems, problems


def test_solutions_open_when_clicked(reports):
    assert sum(r.solutions for r in reports.values()), \
        "no exercise solution ({solution}) in the book"
    problems = {d: r.solution_problems for d, r in reports.items() if r.solution_problems}
    assert not problems, problems


def test_search_finds_rmsprop(visit):
    page = visit("search.html?q=RMSProp", wait=False).page
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15000)
    texts = results.all_inner_texts()
    assert any("RMSProp" in text for text in texts), texts
    if "chapters/rmsprop" in DOCNAMES:
        links = page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))")
        assert any("rmsprop.html" in (href or "") for href in links), links


def test_search_snippets_show_no_tex(visit):
    """Snippets are cut from each page's HTML, where equations are TeX; _static/search-snippets.js
    turns inline maths into plain text ("\\(r\\)" became "r")."""
    page = visit("search.html?q=accumulator", wait=False).page
    page.wait_for_function("() => /found/.test((document.querySelector("
                           "'#search-results .search-summary') || {}).textContent || '')",
                           timeout=15000)
    snippets = page.locator("#search-results ul.search li p.context").all_inner_texts()
    assert snippets, "no search result has a snippet"
    raw = [text for text in snippets if re.search(r"\\[()\[\]]|\\[A-Za-z]+", text)]
    assert not raw, f"snippets with raw TeX: {raw}"


def _bib_labels(site) -> dict[str, str]:
    """The bibliography's entries: id → label, as the page shows it (without brackets)."""
    html = site.page("chapters/bibliography").read_text(encoding="utf-8")
    return {m["id"]: re.sub(r"<[^>]+>", "", m["label"]).strip()
            for m in re.finditer(r'<div class="citation" id="(?P<id>[^"]+)"[^>]*>\s*'
                                 r'<span class="label">(?P<label>.*?)</span></span>', html, re.S)}


def test_the_bibliography_reads_like_the_citations(site, visit):
    """Labels are author–year, as the text cites; no raw LaTeX; the capitals braced in
    references.bib (Adam, CUD, ...) survive; every entry links to its source (URL or DOI)."""
    if "chapters/bibliography" not in DOCNAMES:
        pytest.skip("no bibliography page in the table of contents")
    page = visit("chapters/bibliography.html").page
    entries = page.evaluate("""() => [...document.querySelectorAll('div.citation')].map(e => ({
        label: e.querySelector('.label').textContent.trim(),
        text: e.querySelector('p').textContent.replace(/\\s+/g, ' ').trim(),
        links: [...e.querySelectorAll('a.reference.external')].map(a => a.href)}))""")
    assert entries, "the bibliography is empty"
    problems = []
    for entry in entries:
        if not re.fullmatch(r"\[\D+, \d{4}[a-z]?\]", entry["label"]):
            problems.append(f"{entry['label']}: not an author–year label")
        if re.search(r"\\[A-Za-z]+|[{}]", entry["text"]):
            problems.append(f"{entry['label']}: raw LaTeX in {entry['text']!r}")
        if not any(link.startswith("https://") for link in entry["links"]):
            problems.append(f"{entry['label']}: no URL or DOI link")
    text = " ".join(entry["text"] for entry in entries)
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    for title in re.findall(r"^\s*title\s*=\s*\{(.*)\},?\s*$", bib, re.M):
        for word in re.findall(r"\{([^{}]+)\}", title):
            if word not in text:
                problems.append(f"{word!r} (braced in references.bib) lost its case")
    assert not problems, "\n".join(problems)
    # the text cites with the same words: "[Duchi et al., 2011]", or "Duchi et al. [2011]"
    labels = _bib_labels(site)
    cite = re.compile(r'<a class="reference internal" href="(?:[^"]*/)?bibliography\.html#'
                      r'(?P<id>[^"]+)"[^>]*>(?P<text>.*?)</a>', re.S)
    mismatched = set()
    for docname in DOCNAMES:
        path = site.page(docname)
        for m in cite.finditer(path.read_text(encoding="utf-8") if path.exists() else ""):
            shown = " ".join(re.sub(r"<[^>]+>", "", m["text"]).split())
            label = labels.get(m["id"], "?").strip("[]")
            if shown != label and not label.endswith(f", {shown}"):
                mismatched.add(f"{docname}: cites {shown!r}, the bibliography says {label!r}")
    assert not mismatched, sorted(mismatched)


def test_launch_buttons_on_a_chapter_page(visit):
    """Binder, Colab and Live Code (Thebe) are in the header's launch menu of a notebook page."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = re.sub(r"^https://github.com/|/$", "", config["repository"]["url"])
    branch = config["repository"].get("branch", "main")
    notebooks = [d for d in DOCNAMES if (ROOT / f"{d}.ipynb").exists()]
    assert notebooks, "no notebook in the table of contents"
    docname = "chapters/how-to-use" if "chapters/how-to-use" in notebooks else notebooks[0]
    page = visit(f"{docname}.html").page
    launch_menu = page.locator(".dropdown-launch-buttons")
    launch_menu.locator("button.dropdown-toggle").click()
    items = launch_menu.locator(".dropdown-menu")
    items.wait_for(state="visible", timeout=3000)
    for label in ("Binder", "Colab", "Live Code"):
        assert items.get_by_text(label, exact=True).is_visible(), label
    assert launch_menu.locator("a[href^='https://mybinder.org/']").get_attribute("href") == \
        f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{docname}.ipynb"
    assert launch_menu.locator("a[href^='https://colab.research.google.com/']").get_attribute(
        "href") == f"https://colab.research.google.com/github/{repo}/blob/{branch}/{docname}.ipynb"
    assert launch_menu.locator("button.btn-launch-thebe").count() == 1


def test_the_theme_switch_turns_the_page_dark(visit):
    """The theme's own button reaches the dark theme (it cycles light, system, dark)."""
    page = visit(f"{DOCNAMES[0]}.html", "light").page
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    themes = []
    for _ in range(3):
        page.locator(".theme-switch-button").first.click()
        themes.append(page.evaluate("document.documentElement.dataset.theme"))
    assert "dark" in themes, themes
