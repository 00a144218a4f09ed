"""The EPUB passes the real checkers: epubcheck, the Nu HTML Checker, Ace by DAISY, Chromium.

These need Java, `npm ci` (vnu-jar, @daisy/ace) and Debian's chromium; a missing
tool fails the test with a message saying what to install, it never skips.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from browser_helpers import debian_chromium, launch_chromium
from epub_helpers import assert_epubcheck_clean
from lxml import etree

from pipeline.epub import render_epub

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.xml"
pytestmark = pytest.mark.slow


def need(path: Path | str | None, what: str) -> str:
    if not path or not Path(path).exists():
        pytest.fail(f"{what} is missing: {path}")
    return str(path)


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """mini.xml, and the real book built from input/book.txt by the core pipeline."""
    from pipeline.build import BuildConfig, build

    out = tmp_path_factory.mktemp("epub")
    with pytest.MonkeyPatch.context() as mp:  # not leaked into other modules' tests
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        render_epub(MINI, out / "mini.epub")
        result = build(BuildConfig.beside(ROOT / "input" / "book.txt", out / "book", formats=("tei",)))
        render_epub(result.tei_path, out / "book.epub")
    return {"mini": out / "mini.epub", "book": out / "book.epub"}


def unpack(epub: Path) -> Path:
    target = epub.with_name(epub.stem + "-unpacked")
    if not target.exists():
        with zipfile.ZipFile(epub) as zf:
            zf.extractall(target)
    return target


@pytest.mark.parametrize("name", ["mini", "book"])
def test_epubcheck_finds_no_errors_and_no_warnings(epubs: dict[str, Path], name: str, tmp_path: Path) -> None:
    assert_epubcheck_clean(epubs[name], tmp_path)


@pytest.mark.parametrize("name", ["mini", "book"])
def test_nu_html_checker_finds_no_errors_in_content_documents(epubs: dict[str, Path], name: str,
                                                              tmp_path: Path) -> None:
    jar = need(ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar", "vnu.jar (run `npm ci`)")
    # vnu does not know the EPUB namespace; epubcheck validates epub:type, so strip it here.
    files = []
    for doc in sorted((unpack(epubs[name]) / "OEBPS").glob("*.xhtml")):
        root = etree.parse(str(doc)).getroot()
        for el in root.iter():
            for attr in [a for a in el.attrib if a.startswith("{http://www.idpf.org/2007/ops}")]:
                del el.attrib[attr]
        target = tmp_path / doc.name
        target.write_bytes(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE html>\n" + etree.tostring(root, encoding="utf-8"))
        files.append(str(target))
    assert len(files) > 8
    run = subprocess.run(["java", "-jar", jar, "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, check=False)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert [m for m in messages if m["type"] in ("error", "non-document-error")] == []


@pytest.mark.parametrize("name", ["mini", "book"])
def test_ace_by_daisy_passes(epubs: dict[str, Path], name: str, tmp_path: Path) -> None:
    need(ROOT / "node_modules" / ".bin" / "ace-puppeteer", "ace-puppeteer (run `npm ci`)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": debian_chromium()}
    run = subprocess.run(["npx", "--no-install", "ace-puppeteer", "-f", "-s", "-o", str(tmp_path / "ace"),
                          str(epubs[name])], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    failures = [(b["earl:test"]["dct:title"], b["earl:result"].get("html", "")) for a in report["assertions"]
                for b in a["assertions"] if b["earl:result"]["earl:outcome"] != "pass"]
    assert report["earl:result"]["earl:outcome"] == "pass", (failures, run.stderr[-2000:])
    checked = {a["earl:testSubject"]["url"] for a in report["assertions"]}
    assert "ch1.xhtml" in checked  # the content documents were opened in the browser
    assert report["a11y-metadata"]["missing"] == ["a11y:certifierCredential", "a11y:certifierReport"]


def test_chromium_renders_a_chapter_and_a_noteref_reaches_its_footnote(epubs: dict[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    chapter = unpack(epubs["mini"]) / "OEBPS" / "ch1.xhtml"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(chapter.as_uri())
        body = page.inner_text("body")
        assert "早在第二次世界大战后期" in body and "A & B" in body
        assert page.locator("h1").first.inner_text().replace(" ", "") == "第一章绪论"
        indent = page.eval_on_selector("section > p", "p => getComputedStyle(p).textIndent")
        size = page.eval_on_selector("section > p", "p => parseFloat(getComputedStyle(p).fontSize)")
        assert float(indent.removesuffix("px")) == pytest.approx(2 * size)
        ref = page.locator("a[role=doc-noteref]", has_text="①")
        ref.click()
        assert page.evaluate("location.hash") == "#fn-p004-1"
        assert "46603.htm" in page.locator(":target").inner_text()
        page.locator(":target a[role=doc-backlink]").click()
        assert page.evaluate("location.hash") == "#nref-fn-p004-1"
        page.goto((chapter.parent / "preface.xhtml").as_uri())
        assert page.locator("script").count() == 0
        assert "<script>alert(1)</script>" in page.inner_text("body")
        browser.close()


def test_calibre_converts_to_azw3(epubs: dict[str, Path], tmp_path: Path) -> None:
    convert = need(shutil.which("ebook-convert"), "Calibre's ebook-convert (apt-get install calibre)")
    out = tmp_path / "mini.azw3"
    run = subprocess.run([convert, str(epubs["mini"]), str(out)], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.stat().st_size > 1000 and out.read_bytes()[60:68] == b"BOOKMOBI"
