"""What a reader of a chapter page sees at 1280 px (issue 11, items 2, 4, 5 and 6):
figures legible and numbered, code that does not crowd out or scroll past the text, and
solutions that keep their code folded away.

Each test visits every notebook page of the table of contents.
"""
from __future__ import annotations

import pytest

from book_site import ROOT, toc_docnames

NOTEBOOKS = [d for d in toc_docnames() if (ROOT / f"{d}.ipynb").exists()]

#: A figure is stored at 2× its CSS size, with 9–10 pt text (25–28 PNG px): shown at no
#: less than this share of its pixel width, that text stays at 10 CSS px or more.
MIN_SCALE = 0.4
#: The share of a chapter's height its visible code may take.
MAX_CODE_SHARE = 0.12

FIGURES_JS = """() => [...document.querySelectorAll('.bd-article .cell_output img')]
    .filter(img => img.checkVisibility({visibilityProperty: true}) && img.naturalWidth > 200)
    .map(img => ({src: img.currentSrc.slice(-40), alt: img.alt,
                  scale: img.getBoundingClientRect().width / img.naturalWidth}))"""

CODE_JS = """() => {
    const article = document.querySelector('.bd-article');
    const visible = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true})
        && el.getBoundingClientRect().height > 0;
    const inputs = [...article.querySelectorAll('.cell_input')].filter(visible);
    const code = inputs.reduce((sum, el) => sum + el.getBoundingClientRect().height, 0);
    const scrolling = inputs.flatMap(el => [...el.querySelectorAll('pre')])
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
        .map(pre => pre.textContent.split('\\n').find(l => l.length > 88) || pre.textContent.slice(0, 60));
    return {share: code / article.getBoundingClientRect().height, scrolling};
}"""

CAPTIONS_JS = """() => [...document.querySelectorAll('.bd-article figure')]
    .filter(f => f.querySelector('img'))
    .map(f => ({number: (f.querySelector('.caption-number') || {}).textContent || '',
                caption: (f.querySelector('figcaption') || {}).textContent || '',
                id: f.id, alts: [...f.querySelectorAll('img')].map(img => img.alt)}))"""

SOLUTIONS_JS = """() => [...document.querySelectorAll('.bd-article .solution')].map(s => ({
    title: (s.querySelector('.admonition-title, summary') || {}).textContent || '',
    shown: [...s.querySelectorAll('.cell_input, .cell_output')]
        .filter(el => el.checkVisibility({visibilityProperty: true})
                      && el.getBoundingClientRect().height > 0).length}))"""


@pytest.fixture(scope="module")
def pages(browser, server):
    """Every notebook page, visited once at 1280 px in light mode: what the JS above sees."""
    from book_site import open_page
    seen = {}
    for docname in NOTEBOOKS:
        visit = open_page(browser, server, f"{docname}.html")
        page = visit.page
        assert page.locator(".bd-article").count() == 1, f"{docname}: no article (not built?)"
        seen[docname] = {"figures": page.evaluate(FIGURES_JS), "code": page.evaluate(CODE_JS),
                         "captions": page.evaluate(CAPTIONS_JS),
                         "solutions": page.evaluate(SOLUTIONS_JS)}
        visit.close()
    return seen


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_figures_are_shown_large_enough_to_read(pages, docname):
    small = [f for f in pages[docname]["figures"] if f["scale"] < MIN_SCALE]
    assert not small, (f"{docname}: figures shown below {MIN_SCALE} of their pixel width "
                       f"(text under 10 px): {small}")


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_code_takes_a_small_share_and_never_scrolls_sideways(pages, docname):
    code = pages[docname]["code"]
    assert code["share"] <= MAX_CODE_SHARE, \
        f"{docname}: visible code is {code['share']:.0%} of the page"
    assert not code["scrolling"], f"{docname}: code blocks scroll sideways: {code['scrolling']}"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_figures_are_numbered_with_alt_text_of_their_own(pages, docname):
    def words(text, number=""):
        return " ".join(text.replace(number, "").strip(" \n#").split())

    bad = [f for f in pages[docname]["captions"]
           if not f["number"].strip().startswith("Fig.") or not f["id"]
           or not all(alt.strip() for alt in f["alts"])
           or any(words(alt) == words(f["caption"], f["number"]) for alt in f["alts"])]
    assert not bad, f"{docname}: figures without a number, a name or an alt text of their own: {bad}"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_solutions_keep_their_code_folded(pages, docname):
    shown = [s for s in pages[docname]["solutions"] if s["shown"]]
    assert not shown, f"{docname}: solutions whose code shows before they are opened: {shown}"
