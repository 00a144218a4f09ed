"""The rules of name discovery that go beyond jieba's tags, each on made-up
sentences of the field (not the book's): what they find and what they leave alone."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from annotate_helpers import document

from pipeline.annotate import annotate
from pipeline.annotate_discovery import (
    ends_organisation,
    english_names,
    generation_names,
    sub_bodies,
    title_case,
)
from pipeline.annotate_jieba import Token


def tagged(text: str) -> set[tuple[str, str]]:
    """(tag, surface) of the names discovery gives `text` with an empty register."""
    doc = annotate(document(text), None, None)
    [block] = doc.front_divs[0].blocks
    reading = block.run.reading_text()
    return {(s.tag, reading[s.start:s.end]) for s in block.run.spans if s.tag != "date"}


def tags_of(text: str, surface: str) -> set[str]:
    return {tag for tag, found in tagged(text) if found == surface}


# -- 老布什 / 小布什: a generation prefix is part of the name ----------------------

@pytest.mark.parametrize("text, name", [
    ("小布什政府上台后改变了政策。", "小布什"),  # one jieba word
    ("老罗斯福与总统会面。", "老罗斯福"),  # jieba cuts 老|罗斯福
])
def test_generation_prefix_is_part_of_the_name(text: str, name: str) -> None:
    assert ("persName", name) in tagged(text)


def test_generation_prefix_needs_a_transliterated_name() -> None:
    assert not any(tag == "persName" for tag, _ in tagged("他是美国的老朋友，老挝和小国也派了代表。"))
    toks = [Token(0, 1, "小", "a"), Token(1, 3, "组织", "n")]
    assert generation_names(toks) == []


# -- 国会, 参议院, 众议院: a body a state has only one of -------------------------

def test_bare_singular_body_is_an_organisation() -> None:
    found = tagged("众议院否决了法案，随后国会休会。")
    assert {("orgName", "众议院"), ("orgName", "国会")} <= found


@pytest.mark.parametrize("text, word", [
    ("各国国会都应审议这项协定。", "国会"),  # a determiner: any congress
    ("这位国会议员说明了理由。", "国会"),  # part of a longer word
    ("文件在委员会审议中被修改，各委员会意见不一。", "委员会"),  # a state has many
])
def test_generic_bodies_are_not_names(text: str, word: str) -> None:
    assert "orgName" not in tags_of(text, word)


# -- 参议院外交关系委员会: organisation + subject matter + body head ----------------

@pytest.mark.parametrize("text, name", [
    ("参议院外交关系委员会举行听证。", "参议院外交关系委员会"),
    ("众议院军事委员会主席发言。", "众议院军事委员会"),
    ("联合国裁军审议委员会举行会议。", "联合国裁军审议委员会"),  # a subject verb (审议)
])
def test_sub_body_named_after_its_subject(text: str, name: str) -> None:
    found = tagged(text)
    assert ("orgName", name) in found
    assert not any(tag == "orgName" and surface != name and surface in name for tag, surface in found)


@pytest.mark.parametrize("text", [
    "国务院批准成立委员会。",  # verbs of action end the name
    "民主党议员主导委员会的议程。",
    "在国会与委员会之间协调。",  # a conjunction needs a noun on both sides
])
def test_no_sub_body_across_a_clause(text: str) -> None:
    assert not any(tag == "orgName" and surface.endswith("委员会") for tag, surface in tagged(text))


def test_a_persons_administration_does_not_own_a_body() -> None:
    # 某某政府|国家|安全|委员会: the council is the state's; the person is the mention.
    assert not ends_organisation(Token(0, 4, "某某政府", "nt"), {})
    toks = [Token(0, 4, "某某政府", "nt"), Token(4, 6, "国家", "n"), Token(6, 8, "安全", "an"),
            Token(8, 11, "委员会", "n")]
    assert sub_bodies(toks, []) == []
    toks[0] = Token(0, 3, "某某部", "nt")
    assert sub_bodies(toks, []) == [(0, 11)]


# -- Chinese citations: 作者，“题名”，《刊名》 -------------------------------------

@pytest.mark.parametrize("text, title", [
    ("王五，“美国军控政策的新进展”，《国际观察》，2008年3月。", "美国军控政策的新进展"),
    ("李四：“核裁军的前景”，载《世界知识》2007年第5期。", "核裁军的前景"),
])
def test_quoted_article_title_in_a_citation(text: str, title: str) -> None:
    found = tagged(text)
    assert ("title", title) in found
    assert ("placeName", "美国") not in found  # names inside a title are part of it


@pytest.mark.parametrize("text, quote", [
    ("他认为，“核安全是首要问题”，《纽约时报》，2010年4月。", "核安全是首要问题"),  # speech and its source
    ("总统表示：“我们将加强合作”，《纽约时报》评论说这是转折。", "我们将加强合作"),  # the paper is a subject
])
def test_quoted_speech_is_no_title(text: str, quote: str) -> None:
    assert "title" not in tags_of(text, quote)


# -- English references in the notes --------------------------------------------

def english(text: str) -> set[tuple[str, str]]:
    tag = {"person": "persName", "org": "orgName", "work": "title"}
    return {(tag[kind], text[start:end]) for start, end, kind in english_names(text)}


def test_english_reference_author_and_title() -> None:
    text = "See John Q. Public, The Future of Arms Control in Europe, March 3, 2004."
    assert english(text) == {("persName", "John Q. Public"), ("title", "The Future of Arms Control in Europe")}


def test_english_reference_skips_the_authors_post() -> None:
    text = ("Ambassador Jane K. Doe, Deputy Representative to the Conference, "
            "Verification and the Test Ban Treaty, June 3, 2007, <<http://example.org/speech.htm>>.")
    assert english(text) == {("persName", "Jane K. Doe"), ("title", "Verification and the Test Ban Treaty")}
    without_title = "Ambassador Jane K. Doe, Deputy Representative to the Conference, June 3, 2007."
    assert english(without_title) == {("persName", "Jane K. Doe")}


def test_english_organisation_as_author_and_quoted_title() -> None:
    text = "Peace Studies Association, “Missile Defense after the Cold War,” Policy Brief, No. 12, 2006."
    assert english(text) == {("orgName", "Peace Studies Association"),
                             ("title", "Missile Defense after the Cold War")}


@pytest.mark.parametrize("text, name", [
    ("Remarks of Senator Mary Lou Smith at the hearing.", "Mary Lou Smith"),
    ("Report by the Office of Technology Assessment, 1993.", "Office of Technology Assessment"),
    ("A letter to the U.S. Department of Commerce on export controls.", "U.S. Department of Commerce"),
])
def test_english_names_in_running_text(text: str, name: str) -> None:
    assert name in {surface for _, surface in english(text)}


@pytest.mark.parametrize("text", [
    "The Soviet Union and the United States signed the accord in Geneva in 1987.",
    "Officials of the Carter Administration met in Vienna on Monday.",  # a presidency, not a body
    "He told Congress that the Senate would vote soon.",  # which congress? the register knows
    "The treaty was, in the words of its critics, a modest step forward.",
])
def test_english_text_without_discoverable_names(text: str) -> None:
    assert english(text) == set()


def test_an_english_note_is_read_although_jieba_has_nothing_to_do() -> None:
    found = tagged("Thomas R. Miller, Nuclear Safeguards in Practice, Policy Paper 7, May 2001.")
    assert ("persName", "Thomas R. Miller") in found
    assert ("title", "Nuclear Safeguards in Practice") in found


@pytest.mark.parametrize("segment, expected", [
    ("The Future of Arms Control", True),
    ("Verification and the Test Ban Treaty", True),
    ("Washington", False),  # too short
    ("the treaty was signed in Geneva", False),  # a sentence, not a title
])
def test_title_case(segment: str, expected: bool) -> None:
    assert title_case(segment) is expected
