from collections import Counter
from pathlib import Path

import pytest

from pipeline.clean import clean, diff_corrections, normalise
from pipeline.model import Source, SourceLine


@pytest.mark.parametrize("ocr,clean_text", [
    ("美 国 防 护 散", "美国防护散"),
    ("2010 年 5 月 30 日", "2010年5月30日"),
    ("ISBN 978 - 7 - 80150 - 897 - 3", "ISBN 978-7-80150-897-3"),
    ("定 价 35. 00 元", "定价35.00元"),
    ("开 本 787 × 1092 1/16", "开本787×1092 1/16"),
    ("核裁军, 即核裁军; 二是:(1)大规模", "核裁军，即核裁军；二是：（1）大规模"),
    ("扩散(proliferation)分为", "扩散（proliferation）分为"),
    ("Ambassador Jackie W. Sanders, Special Representative", "Ambassador Jackie W. Sanders, Special Representative"),
    ("May 20, 2005, <<http://www.state.gov/t/np/rls/rm/46603.htm>>.", "May 20, 2005, <<http://www.state.gov/t/np/rls/rm/46603.htm>>."),
    ("见 http://example.org/a,b;c 一文", "见http://example.org/a,b;c一文"),
    ("I . ①美… II . ①滕…", "I.①美…II.①滕…"),
    ("军事谊文出版社, 2010. 12", "军事谊文出版社，2010.12"),
    ("前　　言", "前言"),
    ("the U. S. and (NPT) treaty", "the U. S. and (NPT) treaty"),
])
def test_clean_normalises_spacing_and_punctuation(ocr: str, clean_text: str) -> None:
    assert normalise(ocr, Counter()) == clean_text


def test_clean_normalisation_is_idempotent() -> None:
    once = normalise("核裁军, 即 2010 年 (NPT) 审议", Counter())
    assert normalise(once, Counter()) == once


@pytest.mark.parametrize("wrong,right,edits", [
    ("美国防护散", "美国防扩散", [(3, 4, "扩")]),
    ("美国国防扩散", "美国防扩散", [(1, 3, "国")]),  # a deletion is widened so neither reading is empty
    ("絮论", "绪论", [(0, 1, "绪")]),
])
def test_clean_diff_corrections_never_leave_an_empty_reading(wrong, right, edits) -> None:
    assert diff_corrections(wrong, right) == edits
    for start, end, corr in edits:
        assert wrong[start:end] and corr


def source_of(text: str, name: str = "book.txt") -> Source:
    return Source(Path(name), [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)], "utf-8", "0" * 64)


MINI_BOOK = """丛书名丛书

美 国 防 护 散 研 究

张三 著

某某出版社

图书在版编目(CIP)数据

美国防扩散研究/张三著. —北京:某某出版社, 2010. 12

书 名 美国防扩散研究

目 录
第一章 绪论\t(1)
一、问题的提出\t(1)

第一章 絮 论

一、问题的提出

正文第一段。"""


def test_clean_corrects_title_page_from_cip_and_heading_from_toc() -> None:
    text = clean(source_of(MINI_BOOK))
    by_line = {ln.number: ln for ln in text.lines}
    assert by_line[3].text == "美国防扩散研究"
    assert [(c.sic, c.corr, c.rule) for c in by_line[3].corrections] == [("护", "扩", "rule-cip-title")]
    assert by_line[19].text == "第一章绪论"
    (c,) = by_line[19].corrections
    assert (c.sic, c.corr, c.rule, c.line) == ("絮", "绪", "rule-toc", 19)
    assert by_line[19].text[c.start:c.end] == "绪"


def test_clean_applies_editor_corrections_and_reports_unmatched_rows(tmp_path: Path) -> None:
    tsv = tmp_path / "corrections.tsv"
    tsv.write_text("sic\tcorr\tcontext\tcert\tnote\n"
                   "第一段\t第1段\t正文第一段\tmedium\ttest row\n"
                   "不存在\t存在\t\thigh\t\n", encoding="utf-8")
    text = clean(source_of(MINI_BOOK), tsv)
    last = text.lines[-1]
    assert last.text == "正文第1段。"
    assert [(c.sic, c.corr, c.rule, c.cert) for c in last.corrections] == [("第一段", "第1段", "editor", "medium")]
    assert [(p.code, p.file, p.line) for p in text.problems] == [("C001", "corrections.tsv", 3)]


def test_clean_an_editor_row_for_text_a_rule_already_corrected_says_so(tmp_path: Path) -> None:
    """The editor's row reads the source (护散); a rule made it 扩散 first: C005 names that, not C001."""
    tsv = tmp_path / "corrections.tsv"
    tsv.write_text("sic\tcorr\tcontext\tcert\tnote\n"
                   "护\t扩\t防护散\thigh\t\n", encoding="utf-8")
    text = clean(source_of(MINI_BOOK), tsv)
    (problem,) = [p for p in text.problems if p.file == "corrections.tsv"]
    assert (problem.code, problem.line) == ("C005", 2)
    assert "rule-cip-title" in problem.message and "book.txt:3" in problem.message
