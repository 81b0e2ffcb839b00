"""Getting around the book, as a first-time reader on a phone (390 px) and a desktop (1280 px):
the header's one visible chapter-list button opens the chapter list and its links work, the
sidebar collapses and comes back, the header has one search box, the book's title stays in
view in the chapter list, and nothing logs an error on the way.

pydata-sphinx-theme 0.17 added a header of its own with hidden copies of the sidebar buttons
and a second search box; both themes' scripts bound to the hidden copies, so the visible
buttons did nothing (pydata-sphinx-theme#2451, sphinx-book-theme#917). requirements.txt pins
sphinx-book-theme 1.1.4 with pydata-sphinx-theme 0.15.4, the last pair without that header.
"""
from __future__ import annotations

import pytest

from book_site import DESKTOP, PHONE, toc_docnames

DOCNAMES = toc_docnames()
# a chapter deep in the list (so the list has scrolled to it), and another one to go to
CHAPTER = next((d for d in reversed(DOCNAMES) if d.endswith("frameworks")), DOCNAMES[-1])
OTHER = next((d for d in DOCNAMES if d.endswith("rmsprop")), DOCNAMES[1])

# the left sidebar (the chapter list) and whether a reader can see it
SIDEBAR_JS = """() => {
    const sidebar = document.querySelector('.bd-sidebar-primary');
    const box = sidebar.getBoundingClientRect();
    const style = getComputedStyle(sidebar);
    return {left: box.left, right: box.right, width: box.width,
            shown: box.width > 50 && box.right > 50 && box.left >= -1 &&
                   style.visibility !== 'hidden' && style.display !== 'none'};
}"""

VISIBLE_JS = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.offsetWidth > 0 && e.offsetHeight > 0 &&
                 getComputedStyle(e).visibility !== 'hidden')
    .map(e => e.className)"""

TITLE_JS = """() => {
    const sidebar = document.querySelector('.bd-sidebar-primary');
    const title = sidebar.querySelector('.navbar-brand');
    const s = sidebar.getBoundingClientRect(), t = title.getBoundingClientRect();
    const hit = document.elementFromPoint((t.left + t.right) / 2, (t.top + t.bottom) / 2);
    return {text: title.textContent.trim(), top: t.top, bottom: t.bottom,
            sidebarTop: Math.max(s.top, 0), sidebarBottom: Math.min(s.bottom, innerHeight),
            onTop: !!hit && title.contains(hit)};
}"""


def _sidebar_button(page):
    """The one visible button that toggles the chapter list (there must be exactly one)."""
    visible = page.evaluate(VISIBLE_JS, ".primary-toggle")
    assert len(visible) == 1, f"visible chapter-list buttons: {visible}"
    buttons = page.locator(".primary-toggle")
    return next(buttons.nth(k) for k in range(buttons.count()) if buttons.nth(k).is_visible())


def _wait_sidebar(page, shown: bool, what: str):
    try:
        page.wait_for_function(f"() => ({SIDEBAR_JS})().shown === {str(shown).lower()}",
                               timeout=3000)
        return
    except Exception:  # noqa: BLE001  (Playwright's TimeoutError)
        pass
    pytest.fail(f"{what}: the chapter list is {page.evaluate(SIDEBAR_JS)}")


def test_on_a_phone_the_menu_opens_the_chapter_list_and_its_links_work(visit):
    v = visit(f"{CHAPTER}.html", viewport=PHONE, wait=False, touch=True)
    page = v.page
    assert not page.evaluate(SIDEBAR_JS)["shown"], "the chapter list covers the page at first"
    _sidebar_button(page).tap()
    _wait_sidebar(page, True, "after a tap on the menu button")
    link = page.locator(f".bd-sidebar-primary nav a[href$='{OTHER.split('/')[-1]}.html']")
    assert link.count() == 1 and link.is_visible(), f"no visible link to {OTHER} in the list"
    title = link.inner_text().strip()
    link.tap()
    page.wait_for_url(f"**/{OTHER}.html", timeout=5000)
    assert title.split(":")[0] in page.locator("article.bd-article h1").first.inner_text()
    assert not v.js_errors(), v.js_errors()


def test_on_a_desktop_the_sidebar_button_hides_and_shows_the_chapter_list(visit):
    v = visit(f"{CHAPTER}.html", viewport=DESKTOP, wait=False)
    page = v.page
    assert page.evaluate(SIDEBAR_JS)["shown"], "the chapter list is not shown at 1280 px"
    button = _sidebar_button(page)
    button.click()
    _wait_sidebar(page, False, "after a click on the sidebar button")
    button.click()
    _wait_sidebar(page, True, "after a second click")
    assert not v.js_errors(), v.js_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_header_has_one_search_box(visit, viewport):
    v = visit(f"{CHAPTER}.html", viewport=viewport, wait=False)
    visible = v.page.evaluate(VISIBLE_JS, ".search-button__button, .bd-search input")
    assert len(visible) == 1, f"visible search boxes and buttons: {visible}"


def test_the_book_title_stays_in_view_in_the_chapter_list(visit):
    page = visit(f"{CHAPTER}.html", viewport=DESKTOP).page

    def check(when: str):
        title = page.evaluate(TITLE_JS)
        assert title["top"] >= title["sidebarTop"] - 1 and \
            title["bottom"] <= title["sidebarBottom"] + 1 and title["onTop"], (
                f"{when}: the title {title['text']!r} is clipped or covered: {title}")

    check("on load (the list scrolls to the current chapter)")
    page.mouse.move(640, 450)
    page.mouse.wheel(0, 4000)
    page.evaluate("() => { const s = document.querySelector('.bd-sidebar-primary');"
                  " s.scrollTop = s.scrollHeight; }")
    page.wait_for_timeout(200)
    check("after scrolling the page and the chapter list")
