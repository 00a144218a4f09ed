"""The HTML edition in a real browser: Debian's chromium driven by Playwright.

The site is rendered once from the hand-made fixture TEI and then opened the
way readers open it: from disk (file://), and served over http for search
(browsers refuse fetch() from file:// pages, and Pagefind fetches its index).
"""
from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from browser_helpers import launch_chromium
from click.testing import CliRunner

from pipeline.cli import main as edition_cli
from pipeline.html import render_html

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURE = Path(__file__).parent / "fixtures" / "mini.xml"
BOOK = Path(__file__).parent.parent / "input" / "book.txt"
PAGE_TYPES = ["index.html", "preface.html", "ch1.html", "persons.html", "works.html",
              "timeline.html", "corrections.html", "search.html"]


# ---------------------------------------------------------------- harness

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "html"
    render_html(FIXTURE, out)
    return out


@pytest.fixture(scope="module")
def book_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real book, built the way `edition build` builds it."""
    out = tmp_path_factory.mktemp("book")
    result = CliRunner().invoke(edition_cli, ["build", str(BOOK), "--out", str(out), "--format", "tei",
                                              "--format", "html"])
    assert result.exit_code == 0, result.output
    return out / "html" / "book"


@pytest.fixture(params=["site", "book_site"], ids=["fixture", "book"])
def any_site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - environment problem
        pytest.fail(f"playwright is not installed: {e}")
    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


class Errors(list):
    """Console errors, uncaught exceptions and failed requests of one page."""

    def attach(self, page) -> None:
        page.on("console", lambda m: self.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.append(f"exception: {e}"))
        page.on("requestfailed", lambda r: self.append(f"request failed: {r.url} {r.failure}"))


@pytest.fixture
def errors() -> Errors:
    return Errors()


def new_page(browser, errors: Errors, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    errors.attach(page)
    return page


@pytest.fixture
def page(browser, errors: Errors):
    p = new_page(browser, errors)
    yield p
    p.context.close()


def serve(site: Path) -> Iterator[str]:
    """The site on an ephemeral port of 127.0.0.1, as a static host serves it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    yield from serve(site)


@pytest.fixture(scope="module")
def served_book(book_site: Path) -> Iterator[str]:
    yield from serve(book_site)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def url(site: Path, name: str) -> str:
    return (site / name).as_uri()


# ---------------------------------------------------------------- every page, every link

def links_of(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "[href], [src]",
        "els => els.map(e => [e.tagName.toLowerCase(), e.getAttribute('href') ?? e.getAttribute('src')])")


def ids_of(page) -> set[str]:
    return set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))


def test_every_page_loads_without_errors_and_every_link_resolves(any_site: Path, page, errors: Errors) -> None:
    site = any_site
    start = url(site, "index.html")
    todo, seen, ids, problems = [start], set(), {}, []
    fragments: list[tuple[str, str, str]] = []  # (from page, target page url, fragment)
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        page.goto(current)
        page.wait_for_load_state("load")
        ids[current] = ids_of(page)
        for tag, ref in links_of(page):
            absolute = page.evaluate("r => new URL(r, document.baseURI).href", ref)
            if urlsplit(absolute).scheme == "data":
                continue
            if urlsplit(absolute).scheme in ("http", "https"):
                if tag != "a":
                    problems.append(f"{current}: <{tag}> loads a remote asset {absolute}")
                continue
            target, fragment = urldefrag(absolute)
            path = Path(unquote(urlsplit(target).path))
            if not path.is_file():
                problems.append(f"{current}: {ref} -> missing file {path}")
                continue
            if path.suffix == ".html":
                todo.append(target)
                if fragment:
                    fragments.append((current, target, unquote(fragment)))
    for source, target, fragment in fragments:
        if fragment not in ids[target]:
            problems.append(f"{source}: #{fragment} not found in {target}")
    crawled = {Path(urlsplit(u).path).name for u in seen}
    assert set(PAGE_TYPES) <= crawled, f"pages not reachable from the home page: {set(PAGE_TYPES) - crawled}"
    assert not problems, "\n".join(problems)
    assert not errors, "\n".join(errors)


def test_no_page_loads_anything_from_the_network(site: Path, page, errors: Errors) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for name in PAGE_TYPES:
        page.goto(url(site, name))
    remote = [u for u in requested if not u.startswith("file://")]
    assert remote == []


# ---------------------------------------------------------------- reading features

def test_clicking_a_note_marker_opens_the_note_in_place(site: Path, page, errors: Errors) -> None:
    page.goto(url(site, "ch1.html"))
    popover = page.locator("#note-popover")
    assert not popover.is_visible()
    page.click("a.noteref[href='#fn-p003-2']")
    assert popover.is_visible()
    assert "本书主要集中研究核扩散问题" in popover.inner_text()
    assert page.evaluate("location.hash") == "", "the page should not jump when the note opens in place"
    assert page.evaluate("document.activeElement.id") == "note-popover", "focus should move into the note"
    page.keyboard.press("Escape")
    assert not popover.is_visible()
    assert page.evaluate("document.activeElement.id") == "nref-fn-p003-2", "focus should return to the marker"
    assert not errors, "\n".join(errors)


def test_an_editors_note_inside_a_footnote_opens_from_the_open_footnote(site: Path, page, errors: Errors) -> None:
    page.goto(url(site, "ch1.html"))
    popover = page.locator("#note-popover")
    page.click("a.noteref[href='#fn-p003-1']")
    assert "横向扩散" in popover.inner_text()
    popover.locator("a.noteref[href='#ed-1']").click()  # the editor's marker, inside the author's note
    assert popover.is_visible() and "vertical proliferation" in popover.inner_text()
    assert page.evaluate("location.hash") == ""
    page.keyboard.press("Escape")
    assert not popover.is_visible()
    assert page.evaluate("document.activeElement.id") == "nref-fn-p003-1", "focus returns to the marker in the text"
    assert not errors, "\n".join(errors)


def test_note_marker_jumps_to_the_note_without_javascript(site: Path, browser, errors: Errors) -> None:
    page = new_page(browser, errors, java_script_enabled=False)
    page.goto(url(site, "ch1.html"))
    page.click("a.noteref[href='#fn-p004-1']")
    assert page.evaluate("location.hash") == "#fn-p004-1"
    note = page.locator("#fn-p004-1")
    assert note.is_visible() and "Implementation of Article VI" in note.inner_text()
    note.locator("a.backlink").click()
    assert page.evaluate("location.hash") == "#nref-fn-p004-1"
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sic_corr_switch_shows_the_ocr_reading(site: Path, browser, errors: Errors, javascript: bool) -> None:
    page = new_page(browser, errors, java_script_enabled=javascript)
    page.goto(url(site, "ch1.html"))
    heading = page.locator("h1")
    assert "绪论" in heading.inner_text() and "絮论" not in heading.inner_text()
    page.check("#toggle-sic")
    assert "絮论" in heading.inner_text() and "绪论" not in heading.inner_text()
    page.uncheck("#toggle-sic")
    assert "绪论" in heading.inner_text()
    page.context.close()


def background_of(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_entity_switch_toggles_highlighting(site: Path, browser, errors: Errors, javascript: bool) -> None:
    page = new_page(browser, errors, java_script_enabled=javascript)
    page.goto(url(site, "preface.html"))
    plain = background_of(page, ".ent-person")
    page.check("#toggle-entities")
    kinds = [".ent-person", ".ent-place", ".ent-work", ".ent-date"]
    lit = {k: background_of(page, k) for k in kinds}
    assert all(v != plain for v in lit.values()), lit
    assert len(set(lit.values())) == len(kinds), "each kind of entity should have its own colour"
    page.uncheck("#toggle-entities")
    assert background_of(page, ".ent-person") == plain
    page.context.close()


def test_switches_are_remembered_from_page_to_page(site: Path, page) -> None:
    page.goto(url(site, "preface.html"))
    page.check("#toggle-entities")
    page.goto(url(site, "ch1.html"))
    assert page.is_checked("#toggle-entities")
    assert not page.is_checked("#toggle-sic")


def test_print_page_numbers_stand_in_the_margin(site: Path, browser, errors: Errors) -> None:
    page = new_page(browser, errors, viewport={"width": 1280, "height": 900})
    page.goto(url(site, "ch1.html"))
    number = page.locator(".pb-n").first
    assert number.inner_text() == "2"
    text_left = page.eval_on_selector("article.text p", "e => e.getBoundingClientRect().left")
    assert number.bounding_box()["x"] + number.bounding_box()["width"] <= text_left
    assert page.locator(".pb-unnumbered").count() == 0  # the unnumbered break is in the preface
    page.goto(url(site, "preface.html"))
    assert page.locator(".pb-unnumbered").count() == 1
    page.context.close()


def test_phone_width_has_no_sideways_scrolling(any_site: Path, browser, errors: Errors) -> None:
    page = new_page(browser, errors, viewport={"width": 360, "height": 740}, is_mobile=True)
    for name in PAGE_TYPES:
        page.goto(url(any_site, name))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a phone screen"
    page.context.close()


def test_print_stylesheet_drops_the_navigation(site: Path, page) -> None:
    page.goto(url(site, "ch1.html"))
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("article.text").is_visible()


def test_hostile_text_shows_as_characters(site: Path, page, errors: Errors) -> None:
    page.goto(url(site, "preface.html"))
    text = page.locator("article.text").inner_text()
    assert "<script>alert(1)</script>" in text
    assert "]]>" in text and "a < b" in text
    assert page.locator("script").count() == 1  # only edition.js
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------- search

def test_search_explains_itself_when_opened_from_disk(site: Path, page, errors: Errors) -> None:
    page.goto(url(site, "search.html"))
    assert page.locator("#search-offline").is_visible()
    assert not errors, "\n".join(errors)


def test_search_finds_a_chinese_word_in_the_preface(served: str, page, errors: Errors) -> None:
    page.goto(served + "search.html?q=奥巴马")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=15000)
    hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert any("preface" in h for h in hrefs), hrefs
    assert not errors, "\n".join(errors)


def test_search_finds_obama_in_the_preface_of_the_book(served_book: str, page, errors: Errors) -> None:
    page.goto(served_book + "search.html?q=奥巴马")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
    hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.split("#")[0].endswith("preface.html") for h in hrefs), hrefs
    page.locator(".pagefind-ui__result-link").first.click()
    page.wait_for_load_state("load")
    assert "奥巴马" in page.locator("main").inner_text()
    assert not errors, "\n".join(errors)


def test_search_box_finds_a_phrase_typed_by_the_reader(served: str, page, errors: Errors) -> None:
    page.goto(served + "search.html")
    box = page.locator(".pagefind-ui__search-input")
    box.wait_for(timeout=15000)
    box.fill("国际原子能机构")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
    hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert any("ch1" in h for h in hrefs), hrefs
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------- accessibility

def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:5]})"
            for v in results.response["violations"]]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_finds_no_violations(any_site: Path, page, name: str) -> None:
    page.goto(url(any_site, name))
    found = axe_violations(page)
    assert not found, "\n".join(found)


def test_axe_finds_no_violations_with_switches_on_and_a_note_open(site: Path, page) -> None:
    page.goto(url(site, "ch1.html"))
    page.check("#toggle-entities")
    page.check("#toggle-sic")
    page.click("a.noteref[href='#fn-p004-1']")
    found = axe_violations(page)
    assert not found, "\n".join(found)


def test_axe_finds_no_violations_in_search_results(served: str, page) -> None:
    page.goto(served + "search.html?q=奥巴马")
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
    found = axe_violations(page)
    assert not found, "\n".join(found)
