"""Stage 1, ingest: read the scanned book into numbered source lines.

OCR text arrives as UTF-8 (with or without BOM) or as GB18030/GBK from older
Windows tools; line ends may be CRLF.  A PDF with a text layer goes through
`pipeline.pdf`.  Whatever the form, the result is a `Source` whose line numbers
are the ones an editor sees in the input file.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .model import Source, SourceLine


class IngestError(Exception):
    """The input cannot be read as a book; the message says why and what to do."""

    exit_code = 3


# The legacy encodings a Chinese OCR text plausibly comes in besides UTF-8.
# GB18030 decodes almost any bytes, Big5 text included, as nonsense: each reading
# is judged by how much of it looks like Chinese text, and charset-normalizer is
# asked only when neither reads well.
LEGACY_ENCODINGS = ("gb18030", "big5")
# Share of the non-ASCII characters of a reading that must be Han or CJK
# punctuation: ≈ 1.0 for a right reading, ≈ 0.3 for Big5 read as GB18030.
MIN_CHINESE_SHARE = 0.9
CHINESE_TEXT_RANGES = (
    ("\u4e00", "\u9fff"), ("\u3400", "\u4dbf"),  # Han
    ("\u3000", "\u303f"), ("\uff00", "\uffef"),  # CJK punctuation, full-width forms
    ("\u2010", "\u2027"), ("\u00b7", "\u00b7"),  # dashes, quotes, ellipsis, middle dot
    ("\u2160", "\u217f"), ("\u2460", "\u24ff"),  # Roman numerals, circled note markers
)
# More control characters than this share of the text means a binary file.
MAX_CONTROL_SHARE = 0.01


def ingest(path: Path) -> Source:
    """Read `path` (text or PDF) into a `Source`."""
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    if path.is_dir():
        raise IngestError(f"{path}: is a directory, expected a .txt or .pdf file")
    data = path.read_bytes()
    if data.startswith(b"%PDF-") or path.suffix.lower() == ".pdf":
        from .pdf import (
            read_pdf,  # pdfplumber costs start-up time; only load it for PDFs
        )

        return read_pdf(path)
    text, encoding = decode(path, data)
    lines = [SourceLine(number=i, text=line) for i, line in enumerate(text.split("\n"), start=1)]
    return Source(path=path, lines=lines, encoding=encoding, sha256=hashlib.sha256(data).hexdigest())


def mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a stray byte or two: GB18030 would read it without complaint, as nonsense."""
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return multibyte >= 20 and bad <= max(3, multibyte // 500)


def first_bad_byte(data: bytes, encodings: tuple[str, ...] = ("utf-8",)) -> str:
    """`line:column` of the first bad byte in whichever of `encodings` reads furthest,
    for the editor to find it: in a GBK file with one broken byte, that byte, not
    where UTF-8 gave up."""
    stops = []
    for candidate in encodings:
        try:
            data.decode(candidate)
        except UnicodeDecodeError as exc:
            stops.append((exc.start, candidate))
    if not stops:
        return "1"
    start, candidate = max(stops)
    before = data[:start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1:].decode(candidate, "replace")) + 1
    return f"{line}:{column}"


def chinese_share(text: str) -> float:
    """How much of the non-ASCII text is Han characters or CJK punctuation."""
    wide = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    if not wide:
        return 1.0
    chinese = sum(1 for ch in wide if any(lo <= ch <= hi for lo, hi in CHINESE_TEXT_RANGES))
    return chinese / len(wide)


def decode_legacy(path: Path, data: bytes) -> tuple[str, str]:
    """Not UTF-8: the legacy encoding whose reading looks most like Chinese text."""
    readings: dict[str, str] = {}
    for candidate in LEGACY_ENCODINGS:
        try:
            readings[candidate] = data.decode(candidate)
        except UnicodeDecodeError:
            continue
    if not readings:
        # Only for the rare file that is none of them: the import costs ≈ 10 ms.
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None or best.encoding is None:
            where = first_bad_byte(data, ("utf-8", *LEGACY_ENCODINGS))
            raise IngestError(f"{path}:{where}: cannot decode the file as UTF-8, GB18030 or Big5; "
                              "save it as UTF-8 and try again")
        readings[best.encoding] = str(best)
    encoding = max(readings, key=lambda enc: chinese_share(readings[enc]))
    if chinese_share(readings[encoding]) < MIN_CHINESE_SHARE:
        raise IngestError(f"{path}: cannot tell the file's encoding: read as {encoding} it is not Chinese text; "
                          "save it as UTF-8 and try again")
    return readings[encoding], encoding


def utf16_without_mark(data: bytes) -> bool:
    head = data[:65536]
    for candidate in ("utf-16-le", "utf-16-be"):
        try:
            text = head[: len(head) // 2 * 2].decode(candidate)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and chinese_share(text) >= MIN_CHINESE_SHARE:
            return True
    return False


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Bytes to text with universal newlines; raise IngestError for non-text."""
    if not data.strip():
        raise IngestError(f"{path}: the file is empty; expected the OCR text of a book")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{path}: the file is UTF-16 (Windows \"Unicode\"); save it as UTF-8 and try again")
    if b"\x00" in data[:65536]:
        if utf16_without_mark(data):
            raise IngestError(f"{path}: the file is UTF-16 without a byte-order mark; save it as UTF-8 and try again")
        raise IngestError(f"{path}: looks like a binary file (NUL bytes); expected UTF-8 or GB18030 text or a PDF")
    encoding = ""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    if mostly_utf8(data):
        raise IngestError(f"{path}:{first_bad_byte(data)}: the file is UTF-8 but for a few broken bytes here; "
                          "fix or delete them and try again")
    try:
        text, encoding = data.decode("utf-8"), encoding or "utf-8"
    except UnicodeDecodeError:
        if encoding:  # a UTF-8 byte-order mark, then bytes that are not UTF-8
            raise IngestError(f"{path}:{first_bad_byte(data)}: the file says it is UTF-8 but is not, from here; "
                              "save it as UTF-8 and try again") from None
        text, encoding = decode_legacy(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise IngestError(f"{path}: looks like a binary file ({controls} control characters); expected text or PDF")
    return text, encoding
