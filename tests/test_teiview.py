"""The shared TEI reader: safe parsing, the view model, escaping, anchors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from pipeline.teiview import Flavor, TeiError, read_tei, sort_key

MINI = Path(__file__).parent / "fixtures" / "mini.xml"
TEI_NS = 'xmlns="http://www.tei-c.org/ns/1.0"'


def write(tmp_path: Path, body: str, header: str = "", prolog: str = "") -> Path:
    path = tmp_path / "t.xml"
    header = header or "<fileDesc><titleStmt><title>T</title></titleStmt></fileDesc>"
    path.write_text(f'{prolog}<TEI {TEI_NS} xml:lang="zh-Hans"><teiHeader>{header}</teiHeader>'
                    f"<text>{body}</text></TEI>", encoding="utf-8")
    return path


def test_doctype_with_entities_is_refused(tmp_path: Path) -> None:
    prolog = '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    with pytest.raises(TeiError, match="entities"):
        read_tei(write(tmp_path, "<body><p>&b;</p></body>", prolog=prolog))


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    prolog = f'<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
    with pytest.raises(TeiError):
        read_tei(write(tmp_path, "<body><p>&s;</p></body>", prolog=prolog))


def test_malformed_xml_is_a_tei_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<TEI><p>", encoding="utf-8")
    with pytest.raises(TeiError, match="well-formed"):
        read_tei(path)


def test_metadata_comes_from_the_header() -> None:
    meta = read_tei(MINI).meta
    assert meta.title == "样书：核不扩散 & 反扩散研究"
    assert meta.authors == ("李测试",)
    assert meta.isbn == "978-7-80150-897-3"
    assert meta.clc == "D815.2"
    assert meta.subjects == ("核扩散", "防止", "政策")
    assert meta.print_date == "2011-01" and meta.edition_date == "2024-01-02"
    assert meta.edition_id.startswith("urn:uuid:")
    assert meta.licence_url.startswith("https://creativecommons.org/")
    assert meta.language == "zh-Hans"
    assert "<script>" in meta.description  # plain text, escaping is the renderer's job


def test_hostile_text_is_escaped_everywhere() -> None:
    ed = read_tei(MINI)
    html = "".join(b.html for d in ed.divisions() for b in d.blocks)
    assert "<script>" not in html and "&lt;" in html and "]]&gt;" in html
    assert "A &amp; B" in html
    fragment = etree.fromstring(f"<div>{html}</div>".encode())  # well-formed XHTML
    assert "<script>alert(1)</script>" in "".join(fragment.itertext())
    assert "&amp;" in str(ed.title_pages[0].lines[1].html)


def test_divisions_keep_ids_labels_and_heads() -> None:
    ed = read_tei(MINI)
    [ch] = ed.body
    assert (ch.id, ch.type, ch.n, str(ch.label)) == ("ch1", "chapter", "1", "第一章")
    assert ch.head_text == "第一章 绪论"  # the corrected reading, not the sic
    assert [c.id for c in ch.children] == ["ch1-s1", "ch1-s2"]
    assert [d.id for d in ed.front] == ["preface"] and [d.id for d in ed.back] == ["back1"]


def test_notes_know_marker_kind_and_anchor() -> None:
    ed = read_tei(MINI)
    notes = {n.id: n for n in ed.notes}
    assert list(notes) == ["fn-p003-1", "ed-1", "ed-2", "fn-p003-2", "fn-p004-1"]
    assert notes["ed-2"].kind == "editorial" and notes["fn-p004-1"].kind == "foot"
    assert notes["fn-p004-1"].marker == "①" and notes["fn-p004-1"].loc.page == "2"
    assert notes["fn-p003-1"].loc.part == "body-head"
    assert 'id="nref-fn-p004-1"' in "".join(b.html for b in ed.body[0].children[0].blocks)
    assert "".join(etree.fromstring(f"<d>{notes['fn-p004-1'].body}</d>").itertext()).endswith("46603.htm>.")


def test_page_breaks_get_stable_anchors_and_page_numbers() -> None:
    pages = read_tei(MINI).pages
    assert [(p.anchor, p.n, p.seq) for p in pages] == [("pb-1", None, 2), ("pb-2", "2", 3)]
    assert read_tei(MINI).pages == pages  # same anchors on every read


def test_register_collects_occurrences_in_document_order() -> None:
    ed = read_tei(MINI)
    ents = {e.id: e for e in ed.entities}
    assert {e.kind for e in ed.entities} == {"person", "place", "org", "work"}
    assert ents["obama"].wikidata == "Q76"
    assert ("en", "Barack Obama") in ents["obama"].names
    assert [(o.loc.part, o.loc.div) for o in ents["prague"].occurrences] == [("preface", "preface"), ("ch1", "ch1-s1")]
    assert all(ed.part_of[o.anchor] == o.loc.part for e in ed.entities for o in e.occurrences)
    assert [n.text for n in ed.names if not n.refs] == ["U. S. Implementation of Article VI", "杰姬·桑德斯"]


def test_corrections_and_dates() -> None:
    ed = read_tei(MINI)
    assert [(c.id, c.sic, c.corr, c.resp, c.cert) for c in ed.corrections][1] == (
        "corr-2", "絮论", "绪论", "#rule-toc", "high")
    assert [(d.when, d.from_, d.to, d.not_before) for d in ed.dates] == [
        ("2009-04-05", "", "", ""), ("", "2009-09-24", "2009-09-25", ""), ("", "", "", "1990")]


def test_contents_is_a_tree_by_level() -> None:
    toc = read_tei(MINI).contents
    assert toc is not None
    assert [(e.full_text, e.target, e.page) for e in toc.entries] == [
        ("前 言", "preface", "1"), ("第一章 绪论", "ch1", "1"), ("第二章 未收入本样本", None, "19")]
    assert [e.target for e in toc.entries[1].children] == ["ch1-s1", "ch1-s2"]


def test_contents_entries_carry_their_printed_label() -> None:
    toc = read_tei(MINI).contents
    assert toc is not None
    ch1, ch2 = toc.entries[1], toc.entries[2]
    assert (ch1.label_text, ch1.text) == ("第一章", "绪论")
    assert str(ch1.heading) == '<span class="label">第一章</span> 绪论'
    assert str(ch1.children[0].heading) == '<span class="label">一、</span>问题的提出'  # no gap after 、
    assert (ch2.label_text, ch2.text, ch2.target) == ("第二章", "未收入本样本", None)  # a <seg>, no link
    assert toc.entries[0].label == "" and str(toc.entries[0].heading) == "前　言"


def test_latin_marked_where_tei_says_so_and_where_obvious() -> None:
    ed = read_tei(MINI)
    s2 = str(ed.body[0].children[1].blocks[0].html)
    assert '<span lang="en">non-proliferation</span>' in s2  # <foreign xml:lang="en">
    assert '<span lang="en">counter-proliferation</span>' in s2  # a bare Latin run


def test_flavor_hooks_change_the_markup() -> None:
    class Mine(Flavor):
        def noteref(self, note):  # type: ignore[no-untyped-def]
            return super().noteref(note).replace("noteref", "mine")

        def href(self, target_id: str) -> str:
            return f"{self.part_of[target_id]}.xhtml#{target_id}"

    html = str(read_tei(MINI, Mine()).body[0].children[0].blocks[0].html)
    assert 'class="mine"' in html and 'href="ch1.xhtml#fn-p004-1"' in html


def test_a_bare_tei_without_standoff_notes_or_back(tmp_path: Path) -> None:
    ed = read_tei(write(tmp_path, '<body><div type="chapter"><head>一</head><p>文 &amp; 字<pb/></p>'
                                  '<pb n="9"/><p>二</p></div></body>'))
    assert ed.entities == [] and ed.notes == [] and ed.back == [] and ed.contents is None
    assert ed.meta.title == "T" and ed.meta.isbn == ""
    [ch] = ed.body
    assert ch.id and ed.part_of[ch.id] == ch.id
    assert [b.kind for b in ch.blocks] == ["p", "pb", "p"]
    assert 'aria-label="9"' in ch.blocks[1].html


def test_sort_key_orders_by_pinyin() -> None:
    assert sorted(["中国", "奥巴马", "布拉格"], key=sort_key) == ["奥巴马", "布拉格", "中国"]


def test_heads_keep_the_tei_whitespace_after_their_label() -> None:
    ch = read_tei(MINI).body[0]
    assert str(ch.heading) == '<span class="label">第一章</span> <span class="corr" id="corr-2" title="絮论">绪论</span>'
    assert str(ch.children[0].heading).startswith('<span class="label">一、</span>问题的提出')
    assert ch.children[0].head_text == "一、问题的提出"


def test_an_editorial_note_inside_a_footnote_is_a_note_of_its_own() -> None:
    ed = read_tei(MINI)
    notes = {n.id: n for n in ed.notes}
    outer, inner = notes["fn-p003-1"], notes["ed-1"]
    assert inner.kind == "editorial" and inner.loc.part == outer.loc.part == "body-head"
    assert (inner.parent, outer.parent) == ("fn-p003-1", "")
    assert 'id="nref-ed-1"' in outer.body and 'href="#ed-1"' in outer.body  # the marker sits in the footnote
    assert "vertical proliferation" in inner.body and "vertical" not in outer.body
    assert ed.body_head is not None and [n.id for n in ed.body_head.notes] == ["fn-p003-1", "ed-1"]


def test_dates_carry_the_sentence_they_stand_in() -> None:
    first = read_tei(MINI).dates[0]
    assert (first.before, first.text, first.after) == ("奥巴马上台后，", "2009年4月5日", "在布拉格发表讲话。")


def test_corrections_name_their_rule_from_the_header() -> None:
    ed = read_tei(MINI)
    assert ed.rules["rule-toc"] == "据目录校正标题"
    assert {c.id: c.rule for c in ed.corrections} == {"corr-1": "据 CIP 校正书名", "corr-2": "据目录校正标题"}


def test_main_title_is_one_kind_typed_or_not() -> None:
    ed = read_tei(MINI)
    kinds = [[line.kind for line in tp.lines] for tp in ed.title_pages]
    assert kinds == [["series", "title", "author", "publisher"], ["title", "author", "publisher"]]


def test_first_body_div_is_where_the_body_head_goes() -> None:
    assert read_tei(MINI).first_body == "ch1"


def test_colophon_lines_keep_their_printed_label() -> None:
    lines = [line for line in read_tei(MINI).imprint if line.type == "colophon"]
    assert [(str(line.label), line.text) for line in lines] == [
        ("", "本书版权归作者所有"), ("书名", "书名 样书：核不扩散 & 反扩散研究"), ("定价", "定价 35.00 元")]
    assert str(lines[1].value) == "样书：核不扩散 &amp; 反扩散研究"
    assert str(lines[1].html).startswith('<span class="label">书名</span> ')


def test_only_a_latin_script_title_is_marked_as_such() -> None:
    ed = read_tei(MINI)
    html = str(ed.notes[-1].body) + "".join(b.html for b in ed.body[0].children[1].blocks)
    assert re.search(r'<cite class="title" id="nm-\d+" lang="en"><span lang="en">U\. S\. Implementation', html)
    assert re.search(r'<cite class="title" id="nm-\d+">《不扩散核武器条约》', html)
