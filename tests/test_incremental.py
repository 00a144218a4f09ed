"""What a rebuild redoes: nothing when nothing changed; only the renderings when a template changed; the
HTML too when the EPUB it offers for download changed; everything when input/ changed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BOOK

from pipeline import incremental
from pipeline.build import BuildConfig, build


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[BuildConfig, dict[str, Path]]:
    folder = tmp_path / "input"
    shutil.copytree(BOOK.parent, folder)
    templates = {fmt: tmp_path / f"{fmt}-template.txt" for fmt in ("epub", "html")}
    for path in templates.values():
        path.write_text("v1", encoding="utf-8")
    real = incremental.renderer_files
    monkeypatch.setattr(incremental, "renderer_files", lambda fmt: real(fmt) | {templates[fmt]})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cfg = BuildConfig.beside(folder / "book.txt", tmp_path / "out")
    build(cfg)
    return cfg, templates


def test_incremental_nothing_changed_rebuilds_nothing(book) -> None:
    cfg, _ = book
    assert build(cfg).skipped == ["tei", "epub", "html"]


def test_the_report_lists_every_output_renderings_included(book) -> None:
    import json

    cfg, _ = book
    report = json.loads((cfg.out_dir / "reports" / "book.report.json").read_text(encoding="utf-8"))
    assert [Path(p).name for p in report["outputs"]] == ["book.xml", "book.entity-candidates.tsv", "book.epub", "book"]


def test_incremental_a_new_build_date_rebuilds_everything(book, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TEI records SOURCE_DATE_EPOCH's date: another date is another edition, not "up to date"."""
    cfg, _ = book
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert build(cfg).skipped == []
    assert 'when="2020-09-13"' in (cfg.out_dir / "book.xml").read_text(encoding="utf-8")


def test_a_new_build_time_on_the_same_day_re_dates_the_epub(book, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TEI records the day only, so its bytes stay; the EPUB's dcterms:modified has the second:
    the same input and SOURCE_DATE_EPOCH give the same EPUB, whatever was built before."""
    import zipfile

    cfg, _ = book
    tei = (cfg.out_dir / "book.xml").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700003600")  # an hour later, the same day
    assert "epub" not in build(cfg).skipped
    assert (cfg.out_dir / "book.xml").read_bytes() == tei
    with zipfile.ZipFile(cfg.out_dir / "book.epub") as epub:
        opf = epub.read("OEBPS/content.opf").decode("utf-8")
    assert "2023-11-14T23:13:20Z" in opf


@pytest.mark.parametrize("output", ["book.xml", "book.epub"])
def test_incremental_an_output_edited_by_hand_is_made_again(book, output: str) -> None:
    """Outputs are made from input/; one changed by hand is not passed on (and never rendered unvalidated)."""
    cfg, _ = book
    path = cfg.out_dir / output
    good = path.read_bytes()
    path.write_bytes(good.replace(b"</TEI>", b"<foo/></TEI>") if output.endswith(".xml") else good + b"junk")
    result = build(cfg)
    assert ("tei" in result.skipped) == (output != "book.xml")
    assert path.read_bytes() == good


def test_incremental_html_template_rerenders_only_html(book) -> None:
    cfg, templates = book
    templates["html"].write_text("v2", encoding="utf-8")
    result = build(cfg)
    assert result.skipped == ["tei", "epub"] and [p.relative_to(cfg.out_dir).as_posix() for p in result.outputs] == ["html/book"]


def test_incremental_epub_template_rerenders_the_epub(book) -> None:
    cfg, templates = book
    templates["epub"].write_text("v2", encoding="utf-8")
    result = build(cfg)
    assert "epub" not in result.skipped and "tei" in result.skipped
    # This fake template changes no byte of the EPUB, so the HTML's download copy is still current.
    assert "html" in result.skipped


def test_incremental_a_new_epub_rerenders_the_html_that_offers_it(book, monkeypatch: pytest.MonkeyPatch) -> None:
    """An EPUB renderer that now writes other bytes (its template changed): the site offers the new EPUB."""
    from pipeline import epub as epub_renderer

    cfg, templates = book
    real = epub_renderer.render_epub

    def render_other_bytes(tei: Path, out: Path) -> None:
        real(tei, out)
        out.write_bytes(out.read_bytes() + b"\0")

    monkeypatch.setattr(epub_renderer, "render_epub", render_other_bytes)
    templates["epub"].write_text("v2", encoding="utf-8")
    result = build(cfg)
    assert result.skipped == ["tei"]
    assert [p.relative_to(cfg.out_dir).as_posix() for p in result.outputs] == ["book.epub", "html/book"]
    assert (cfg.out_dir / "html" / "book" / "book.epub").read_bytes() == (cfg.out_dir / "book.epub").read_bytes()


def test_incremental_editor_file_rebuilds_from_the_tei(book) -> None:
    cfg, _ = book
    corrections = cfg.source.parent / "corrections.tsv"
    corrections.write_text(corrections.read_text(encoding="utf-8") + "不存在的字\t存在的字\t\t\t\n", encoding="utf-8")
    result = build(BuildConfig.beside(cfg.source, cfg.out_dir))
    assert "tei" not in result.skipped
    assert any(p.code == "C001" for p in result.problems)


def test_series_books_keep_their_own_sites_and_a_landing_page_lists_them(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from lxml import html as lxml_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "input"
    shutil.copytree(BOOK.parent, folder)
    text = (folder / "book.txt").read_text(encoding="utf-8")
    (folder / "second.txt").write_text(text.replace("美国防扩散与反扩散政策研究", "第二本书研究"), encoding="utf-8")
    out = tmp_path / "out"
    for stem in ("book", "second"):
        build(BuildConfig.beside(folder / f"{stem}.txt", out, ("tei", "html")))
    assert (out / "html" / "book" / "index.html").exists() and (out / "html" / "second" / "index.html").exists()
    assert (out / "reports" / "book.entity-candidates.tsv").exists()
    assert (out / "reports" / "second.entity-candidates.tsv").exists()
    landing = lxml_html.parse(str(out / "html" / "index.html")).getroot()
    links = {a.get("href"): a.text_content() for a in landing.iter("a")}
    assert links == {"book/index.html": "美国防扩散与反扩散政策研究", "second/index.html": "第二本书研究"}
    # building the first book again changes nothing of the second's site
    before = (out / "html" / "second" / "index.html").read_bytes()
    build(BuildConfig.beside(folder / "book.txt", out, ("tei", "html")), force=True)
    assert (out / "html" / "second" / "index.html").read_bytes() == before


def test_a_rebuild_in_a_warm_process_writes_the_tei_a_new_process_writes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The build server and `edition watch` keep discovery's answers between builds (annotate.RecentScans):
    after an edit of the text and of the register, the TEI must be the one a fresh process makes."""
    from conftest import run_edition

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("EDITION_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "input"
    shutil.copytree(BOOK.parent, folder)
    cfg = BuildConfig.beside(folder / "book.txt", tmp_path / "warm", ("tei",))
    build(cfg)
    book = folder / "book.txt"
    book.write_text(book.read_text(encoding="utf-8").replace("奥巴马", "奥巴马总统", 1)
                    + "\n\n克林顿与叶利钦在莫斯科会晤。\n", encoding="utf-8")
    register = folder / "register.toml"
    register.write_text(register.read_text(encoding="utf-8")
                        + '\n[yeltsin]\ntype = "person"\nname = "叶利钦"\n', encoding="utf-8")
    build(cfg)
    cold = run_edition("build", str(book), "--out", str(tmp_path / "cold"), "--format", "tei",
                       env={"EDITION_CACHE_DIR": str(tmp_path / "cache")}, check=True)
    assert cold.returncode == 0
    warm_tei = (tmp_path / "warm" / "book.xml").read_text(encoding="utf-8")
    assert 'ref="#yeltsin"' in warm_tei
    assert warm_tei == (tmp_path / "cold" / "book.xml").read_text(encoding="utf-8")
