from pathlib import Path

import pytest

from pipeline.ingest import IngestError, ingest

TEXT = "前　　言\n\n防扩散与反扩散是不同时期美国对付大规模杀伤性武器的称谓。\n"


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""),
                                             ("gbk", b"")])
def test_ingest_reads_utf8_bom_and_gbk_alike(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "book.txt"
    path.write_bytes(prefix + TEXT.encode(encoding))
    source = ingest(path)
    assert [ln.text for ln in source.lines][:3] == ["前　　言", "", "防扩散与反扩散是不同时期美国对付大规模杀伤性武器的称谓。"]
    assert source.encoding in {"utf-8", "utf-8-sig", "gb18030"}


def test_ingest_folds_crlf_and_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-8"))
    source = ingest(path)
    assert source.lines[2].number == 3
    assert not any("\r" in ln.text for ln in source.lines)


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    (bytes(range(1, 32)) * 40, "binary"),
])
def test_ingest_rejects_empty_and_binary_files_with_a_message(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "book.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        ingest(path)


def test_ingest_rejects_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        ingest(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match="directory"):
        ingest(tmp_path)


@pytest.mark.parametrize("encoding,message", [
    ("utf-16", "UTF-16"),  # with its byte-order mark
    ("utf-16-le", "UTF-16 without a byte-order mark"),
])
def test_ingest_utf16_gets_a_message_not_binary(tmp_path: Path, encoding: str, message: str) -> None:
    path = tmp_path / "book.txt"
    path.write_bytes(TEXT.encode(encoding))
    with pytest.raises(IngestError, match=message):
        ingest(path)


def test_ingest_utf8_with_a_stray_byte_says_where(tmp_path: Path) -> None:
    """GB18030 would read it without complaint, as nonsense: better to stop and point at the byte."""
    path = tmp_path / "book.txt"
    body = (TEXT * 20).encode("utf-8")
    cut = body.index("防扩散".encode()) + 3 * 40
    path.write_bytes(body[:cut] + b"\xff" + body[cut:])
    with pytest.raises(IngestError, match=r"book.txt:\d+:\d+: the file is UTF-8 but for a few broken bytes"):
        ingest(path)


BOOK = Path(__file__).resolve().parent.parent / "input" / "book.txt"


def test_ingest_reads_big5_as_big5_not_as_gb18030_nonsense(tmp_path: Path) -> None:
    """GB18030 decodes Big5 bytes without an error, as nonsense; the reading that is Chinese text wins."""
    text = BOOK.read_text(encoding="utf-8")
    path = tmp_path / "big5.txt"
    data = text.encode("big5", errors="ignore")  # the characters Big5 has: enough to tell
    path.write_bytes(data)
    source = ingest(path)
    assert source.encoding == "big5"
    assert "\n".join(ln.text for ln in source.lines) == data.decode("big5")


def test_ingest_refuses_text_no_encoding_reads_as_chinese(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes("".join(chr(0x0410 + i % 60) for i in range(3000)).encode("koi8-r"))  # Russian, no Chinese
    with pytest.raises(IngestError, match="encoding|decode"):
        ingest(path)


def test_ingest_gbk_with_a_broken_byte_points_at_that_byte(tmp_path: Path) -> None:
    lines = BOOK.read_text(encoding="utf-8").splitlines()
    data = "\n".join(lines[:113]).encode("gbk", errors="ignore") + b"\n\xff\xff" + \
        "\n".join(lines[113:]).encode("gbk", errors="ignore")
    path = tmp_path / "gbk.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=r"gbk\.txt:114:1: cannot decode"):
        ingest(path)
