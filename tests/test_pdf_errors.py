"""PDFs that cannot be read as a book: each says why and what to do, no traceback."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import run_edition
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.ingest import IngestError, ingest
from pipeline.pdf import read_pdf


def one_page(path: Path, text: str = "防扩散与反扩散", **options) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    canvas = Canvas(str(path), invariant=1, **options)
    canvas.setFont("STSong-Light", 10.5)
    canvas.drawString(72, 700, text)
    canvas.save()
    return path


def scanned(path: Path, pages: int = 2) -> Path:
    """Pages that are only pictures, as a scanner without OCR makes them."""
    picture = Image.new("L", (200, 280), 255)
    for y in range(40, 240, 12):
        picture.paste(0, (20, y, 180, y + 4))  # lines of 'text'
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    canvas = Canvas(str(path), invariant=1)
    for _ in range(pages):
        canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 50, 100, 400, 560)
        canvas.showPage()
    canvas.save()
    return path


def message(path: Path) -> str:
    with pytest.raises(IngestError) as info:
        read_pdf(path)
    return str(info.value)


def test_a_readable_page_is_read(tmp_path: Path) -> None:
    """The control for the cases below: the same kind of file, intact."""
    source = read_pdf(one_page(tmp_path / "ok.pdf"))
    assert [ln.text for ln in source.lines] == ["防扩散与反扩散"]
    assert source.encoding == "pdf" and len(source.sha256) == 64


def test_image_only_pdf_says_how_to_add_a_text_layer(tmp_path: Path) -> None:
    text = message(scanned(tmp_path / "scan.pdf"))
    assert "no text layer" in text and "2 on 2 pages" in text
    assert "ocrmypdf -l chi_sim in.pdf out.pdf" in text


def test_blank_pdf_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    canvas = Canvas(str(path), invariant=1)
    canvas.showPage()
    canvas.save()
    text = message(path)
    assert "no text" in text and "ocrmypdf" in text


def test_encrypted_pdf_asks_for_a_decrypted_copy(tmp_path: Path) -> None:
    text = message(one_page(tmp_path / "locked.pdf", encrypt="secret"))
    assert "encrypted" in text and "password" in text and "qpdf" in text


def test_pdf_with_empty_user_password_opens(tmp_path: Path) -> None:
    """Owner-password-only PDFs (printing restricted) open without a password.
    pdfminer then leaves the encrypted CIDSystemInfo strings of a CID font
    undecrypted, so it cannot map glyphs to Unicode; that must be said, not
    passed on as "(cid:1629)" text."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = one_page(tmp_path / "restricted.pdf", encrypt=StandardEncryption("", ownerPassword="o", canPrint=0))
    try:
        lines = [ln.text for ln in read_pdf(path).lines]
    except IngestError as err:
        assert "no Unicode mapping" in str(err) and "ocrmypdf --force-ocr" in str(err)
    else:
        assert lines == ["防扩散与反扩散"]


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_pdf_is_reported_as_damaged(tmp_path: Path, keep: float) -> None:
    data = one_page(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    try:
        source = read_pdf(path)
    except IngestError as err:
        assert "cannot read the PDF" in str(err) and "damaged or incomplete" in str(err)
    else:  # pdfminer may rebuild a file cut only in its trailer: then the text must be intact
        assert [ln.text for ln in source.lines] == ["防扩散与反扩散"]


def test_garbage_after_pdf_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    assert "cannot read the PDF" in message(path)


def test_zero_page_pdf(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
                     b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
                     b"trailer <</Root 1 0 R>>\n%%EOF\n")
    assert "has no pages" in message(path)


def test_ingest_dispatches_pdf_by_signature(tmp_path: Path) -> None:
    """A PDF is a PDF whatever its name says."""
    path = tmp_path / "book.bin"
    path.write_bytes(one_page(tmp_path / "x.pdf").read_bytes())
    assert ingest(path).lines[0].text == "防扩散与反扩散"


def test_cli_reports_a_bad_pdf_without_traceback(tmp_path: Path) -> None:
    path = scanned(tmp_path / "scan.pdf", pages=1)
    proc = run_edition("build", str(path), "--out", str(tmp_path / "out"), "--format", "tei")
    assert proc.returncode == IngestError.exit_code
    assert "ocrmypdf" in proc.stderr and "Traceback" not in proc.stderr
