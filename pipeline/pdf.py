"""Stage 1 for PDF input: the text layer of a book PDF as source lines.

A PDF knows what OCR text has lost: where each page begins, its printed page
number, which lines are running heads, which are footnotes (smaller type below
a rule), which characters are raised note markers, and where a paragraph
starts (an indented line).  `read_pdf` hands this on in the same `Source` form
as the OCR text path, one `SourceLine` per paragraph piece on a page:

- `page_start=True` on the first line of each physical page, `page` the
  printed page number where one was found;
- `role="paragraph"` for a block that starts on this page, `"continuation"`
  for the piece of a paragraph carried over from the previous page, `"note"`
  for a footnote body;
- superscript markers as `^①`; running heads and page numbers removed and
  listed in `Source.dropped` (I101, I102); pages without text (I103),
  rotated text (I104) and glyphs without Unicode mapping (I105) skipped are
  listed there too.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from .ingest import IngestError
from .model import Problem, Source, SourceLine
from .pdf_layout import PageLayout, lay_out, measure
from .pdf_lines import PageText, read_page

# More glyphs than this share without Unicode mapping: the text layer is useless.
MAX_UNMAPPED_SHARE = 0.05
OCR_HINT = "add a text layer with OCR first, e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`"


def read_pdf(path: Path) -> Source:
    """Read the PDF at `path` into a `Source`; raise IngestError if it has no usable text."""
    data = path.read_bytes()
    pages = extract(path)
    if not pages:
        raise IngestError(f"{path}: the PDF has no pages")
    unmapped = sum(p.unmapped_chars for p in pages)
    if unmapped > MAX_UNMAPPED_SHARE * (unmapped + sum(len(ln.text) for p in pages for ln in p.lines)):
        raise IngestError(f"{path}: {unmapped} characters of the text layer have no Unicode mapping (fonts "
                          "without ToUnicode); replace the text layer with OCR, e.g. "
                          "`ocrmypdf --force-ocr -l chi_sim in.pdf out.pdf`")
    if not any(p.lines for p in pages):
        images = sum(p.images for p in pages)
        what = f"only scanned images ({images} on {len(pages)} pages)" if images else "no text"
        raise IngestError(f"{path}: the PDF has {what} and no text layer; {OCR_HINT}")
    geo = measure(pages)
    layouts: list[PageLayout] = []
    full = False
    for page in pages:
        layout = lay_out(page, geo, full)
        full = layout.ends_full
        layouts.append(layout)
    lines, dropped = source_lines(path, pages, layouts)
    return Source(path=path, lines=lines, encoding="pdf", sha256=hashlib.sha256(data).hexdigest(),
                  dropped=dropped)


def extract(path: Path) -> list[PageText]:
    """Every page's lines; damaged, encrypted or unreadable files as IngestError."""
    try:
        with pdfplumber.open(path) as pdf:
            pages = []
            for index, page in enumerate(pdf.pages, start=1):
                pages.append(read_page(page, index))
                page.close()  # pdfplumber caches layout objects per page; free them as we go
            return pages
    except PdfminerException as err:
        cause = err.args[0] if err.args else err
        if isinstance(cause, PDFPasswordIncorrect):
            raise IngestError(f"{path}: the PDF is encrypted and needs a password; save an unencrypted copy "
                              "first, e.g. `qpdf --password=PASSWORD --decrypt in.pdf out.pdf`") from None
        raise IngestError(f"{path}: cannot read the PDF ({describe(cause)}); the file is damaged or "
                          "incomplete: download or export it again, or try `qpdf in.pdf repaired.pdf`") from None
    except Exception as err:  # noqa: BLE001 -- a damaged file can fail anywhere inside pdfminer
        raise IngestError(f"{path}: cannot read the PDF ({describe(err)}); the file is damaged or "
                          "incomplete: download or export it again, or try `qpdf in.pdf repaired.pdf`") from None


def describe(err: object) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def source_lines(path: Path, pages: list[PageText], layouts: list[PageLayout]) -> tuple[list[SourceLine], list[Problem]]:
    lines: list[SourceLine] = []
    dropped: list[Problem] = []
    for page, layout in zip(pages, layouts):
        printed = f" (printed {layout.number})" if layout.number else ""
        for head in layout.heads:
            dropped.append(Problem("I101", f"running head removed: {head}", path.name, severity="info", page=page.index))
        for number in layout.numbers:
            dropped.append(Problem("I102", f"page number removed: {number}", path.name, severity="info", page=page.index))
        if page.rotated_chars:
            dropped.append(Problem("I104", f"{page.rotated_chars} characters of rotated text skipped{printed}",
                                   path.name, severity="info", page=page.index))
        if page.unmapped_chars:
            dropped.append(Problem("I105", f"{page.unmapped_chars} glyphs without Unicode mapping skipped{printed}",
                                   path.name, severity="info", page=page.index))
        if not layout.blocks:
            why = "only images" if page.images else "no text"
            dropped.append(Problem("I103", f"page has {why}; no page break recorded for it{printed}",
                                   path.name, severity="info", page=page.index))
            continue
        for k, block in enumerate(layout.blocks):
            lines.append(SourceLine(number=len(lines) + 1, text=block.text, page=layout.number,
                                    page_start=k == 0, role=block.role))
    return lines, dropped
