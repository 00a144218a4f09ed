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


# Encodings a Chinese OCR text plausibly comes in, in the order we try them.
# charset-normalizer decides only when the strict decoders disagree.
CANDIDATE_ENCODINGS = ("utf-8", "gb18030")
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


def first_bad_byte(data: bytes) -> str:
    """`line:column` of the first byte that is not UTF-8, for the editor to find it."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        return f"{line}:{column}"
    return "1"


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Bytes to text with universal newlines; raise IngestError for non-text."""
    if not data.strip():
        raise IngestError(f"{path}: the file is empty; expected the OCR text of a book")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{path}: the file is UTF-16 (Windows \"Unicode\"); save it as UTF-8 and try again")
    if b"\x00" in data[:65536]:
        raise IngestError(f"{path}: looks like a binary file (NUL bytes); expected UTF-8 or GB18030 text or a PDF")
    encoding = ""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    text = None
    if mostly_utf8(data):
        raise IngestError(f"{path}:{first_bad_byte(data)}: the file is UTF-8 but for a few broken bytes here; "
                          "fix or delete them and try again")
    for candidate in ([encoding] if encoding else CANDIDATE_ENCODINGS):
        try:
            text = data.decode(candidate.replace("-sig", ""))
            encoding = candidate
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        # Only for the rare file that is neither: the import costs ≈ 10 ms.
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None or best.encoding is None:
            raise IngestError(f"{path}:{first_bad_byte(data)}: cannot decode the file as UTF-8 or GB18030; "
                              "save it as UTF-8 and try again")
        text, encoding = str(best), best.encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise IngestError(f"{path}: looks like a binary file ({controls} control characters); expected text or PDF")
    return text, encoding
