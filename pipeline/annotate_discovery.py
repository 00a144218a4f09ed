"""Discovery: names the register does not know yet, found by jieba's
part-of-speech tags and by rules of the field.

jieba alone tags foreign names badly (奥巴马 as a place, 乌克兰 as a person)
and splits transliterations (萨|默尔).  So each occurrence collects evidence:
jieba's tag counts once, a rule of the field counts `STRONG` times, and every
surface gets the type with most evidence over the whole document -- 奥巴马 in
"总统奥巴马" makes every 奥巴马 a person.  Everything here is a convention of
Chinese text about international affairs, not knowledge of one book.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .annotate_jieba import Token
from .jieba_setup import dictionary_frequency as frequency

STRONG = 3
# Characters of the standard transliteration tables (新华社译名) that are rare in
# ordinary Chinese words: a word made only of them is likely a foreign name.
TRANSLIT = set(
    "阿埃艾爱安昂奥巴拜贝本比彼毕宾波伯博布查达戴丹道德登迪蒂杜顿多厄恩尔法菲费芬丰弗福夫盖冈戈格贡古圭哈海汉豪"
    "赫亨胡霍基吉加贾杰金喀卡凯坎康柯科克肯库夸奎拉莱赖兰朗劳勒雷蕾里丽利莉林琳卢鲁伦罗洛马玛迈麦曼梅蒙米"
    "莫默姆穆纳娜奈南内尼涅纽努诺帕潘佩蓬皮珀普齐奇乔切琴萨塞桑瑟森沙莎舍施什斯苏索塔泰坦汤特提托瓦"
    "威韦维温沃乌伍希锡谢辛雅亚扬耶伊尤约泽扎詹兹佐姬珊思图默廉琼露妮"
)
# A foreign name written with a middle dot (巴拉克·奥巴马): transliteration
# characters on both sides, so that 部长威廉姆·佩里时 yields 威廉姆·佩里.
NAME_DOT = re.compile(r"[{0}]{{1,6}}(?:[·・•][{0}]{{1,6}})+".format("".join(sorted(TRANSLIT))))
# Posts that stand right before (总统奥巴马) or after (奥巴马总统) a person's name.
POSTS = ("总统", "副总统", "参议员", "众议员", "议员", "特使", "大使", "国务卿", "部长", "总理", "首相",
         "主席", "外长", "顾问", "代表", "将军", "教授", "博士", "先生", "女士")
# Words that make the next name a place (首都布拉格, 访问朝鲜) or follow one (捷克首都).
BEFORE_PLACE = ("首都", "首府", "城市", "访问", "前往", "赴")
AFTER_PLACE = ("首都", "境内", "国内", "政府")
# Heads that make the nouns before them an organisation (国家安全委员会).
ORG_HEADS = ("委员会", "理事会", "机构", "组织", "集团", "联盟", "大学", "学院", "研究院", "科学院", "学会",
             "协会", "基金会", "国会", "议会", "参议院", "众议院", "国务院")
ORG_SUFFIX_CHARS = ("部", "院", "党", "署", "局")  # 能源部, 参议院, 共和党: with at least two characters before
# Words that may stand before such a name as part of it (国家科学院); other
# nouns before it are not merged (资助|国家科学院).
ORG_MODIFIERS = ("国家", "国际", "中央", "全国", "联邦", "世界", "联合国")
# Conjunctions: a name coordinated with a place is a place (俄罗斯和乌克兰).
COORDINATION = ("和", "与", "、", "及", "同")
# A function word jieba glues to the end of a name (卢格曾 → 卢格).
FUNCTION_TAIL = tuple("曾将在和也等对与被称说是的于")
# Generic words after a place name that jieba takes into it (东欧地区).
PLACE_TAILS = ("地区", "一带")
NOUNISH = {"n", "nt", "ns", "nz", "j", "vn", "an", "nr", "nrt"}
# jieba dictionary words tagged ns/nr/nt that are no names (上台, 长达); a
# fixed fact about jieba's dictionary, not about a book.
JIEBA_MISTAGS = {"上台", "长达", "两国", "大国", "三边", "新约", "加盟", "共和国", "超级大国", "陶醉", "诸如",
                 "严重性", "卫星", "顾问", "文明", "安全措施", "采取措施", "各国", "本国", "该国", "外国", "邻国"}
# Country abbreviations that pair up (中美, 美俄): such pairs are not place names.
COUNTRY_ABBREVIATIONS = set("中美俄苏日英法德朝韩印巴伊欧")
COMMON_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤滕"
)
# A person name is more common than this in jieba's dictionary only if it is
# also an ordinary word (陶醉, 文明).
RARE = 100
JIEBA_TYPE = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org"}
TAG_OF_TYPE = {"person": "persName", "place": "placeName", "org": "orgName"}


@dataclass(frozen=True)
class Occurrence:
    start: int
    end: int
    surface: str


@dataclass
class Evidence:
    votes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, surface: str, kind: str, weight: int) -> None:
        self.votes[surface][kind] += weight

    def kind(self, surface: str) -> str | None:
        votes = self.votes.get(surface)
        if not votes:
            return None
        # Deterministic tie-break: the type order person < place < org.
        return max(sorted(votes), key=lambda k: (votes[k], -["person", "place", "org"].index(k)))


def is_translit(word: str) -> bool:
    return len(word) >= 2 and all(ch in TRANSLIT for ch in word)


def occurrences(text: str, toks: list[Token], evidence: Evidence) -> list[Occurrence]:
    """Name-like stretches of `text`, voting on their type as they are found."""
    found: dict[tuple[int, int], Occurrence] = {}

    def note(start: int, end: int, kind: str | None, weight: int) -> None:
        surface = text[start:end]
        if len(surface) < 2 or surface in JIEBA_MISTAGS:
            return
        found.setdefault((start, end), Occurrence(start, end, surface))
        if kind:
            evidence.add(surface, kind, weight)

    for m in NAME_DOT.finditer(text):
        note(m.start(), m.end(), "person", STRONG)
        for part in re.finditer(r"[\u4e00-\u9fff]+", m.group(0)):
            if len(part.group(0)) >= 2:
                evidence.add(part.group(0), "person", STRONG)
    for start, end, kind, weight in name_tokens(trim_tails(toks)):
        note(start, end, kind, weight)
    for start, end in org_compounds(toks):
        note(start, end, "org", STRONG)
    inside_dot_names = [(m.start(), m.end()) for m in NAME_DOT.finditer(text)]
    return sorted(
        (o for o in found.values()
         if not any(s <= o.start and o.end <= e and (s, e) != (o.start, o.end) for s, e in inside_dot_names)),
        key=lambda o: (o.start, -o.end),
    )


def name_tokens(toks: list[Token]) -> list[tuple[int, int, str | None, int]]:
    """(start, end, voted type, weight) for single or merged name tokens."""
    out = []
    for i, start, end, word, flag in merged_names(toks):
        kind = JIEBA_TYPE.get(flag)
        if flag.startswith("nr") and not person_like(word):
            continue
        if flag == "ns" and not place_like(word):
            continue
        if flag == "nt" and word.endswith("关系"):
            continue  # 中美关系: a relation, not a body
        if flag == "ns" and word.endswith(PLACE_TAILS) and len(word) >= 4:
            out.append((start, end - 2, "place", 1))
            continue
        if flag == "nt" and word.endswith("政府") and len(word) > 2:
            # 克林顿政府: the name before 政府 is the mention; its type is decided by votes.
            out.append((start, end - 2, JIEBA_TYPE.get(dictionary_flag(toks, word[:-2]), None), 1))
            continue
        out.append((start, end, kind, 1))
        context = field_context(toks, i, word)
        if context:
            out.append((start, end, context, STRONG))
    return out


def trim_tails(toks: list[Token]) -> list[Token]:
    """Split a function word off the end of a transliterated name (卢格曾 → 卢格|曾)."""
    out: list[Token] = []
    for t in toks:
        if (t.flag.startswith("nr") and len(t.word) >= 3 and t.word.endswith(FUNCTION_TAIL)
                and is_translit(t.word[:-1])):
            out += [Token(t.start, t.end - 1, t.word[:-1], t.flag), Token(t.end - 1, t.end, t.word[-1], "d")]
        else:
            out.append(t)
    return out


def merged_names(toks: list[Token]) -> list[tuple[int, int, int, str, str]]:
    """Tokens, with runs of short transliteration pieces (萨|默尔, 卡瓦|克|图兰)
    joined into one name: (index of the last piece, start, end, word, flag)."""
    out = []
    i = 0
    while i < len(toks):
        j = i
        while (j + 1 < len(toks) and all(ch in TRANSLIT for ch in toks[j].word + toks[j + 1].word)
               and len(toks[j].word) <= 3 and len(toks[j + 1].word) <= 3
               and {toks[j].flag[:2], toks[j + 1].flag[:2]} & {"nr", "ns"}):
            j += 1
        if j > i:
            word = "".join(t.word for t in toks[i:j + 1])
            out.append((j, toks[i].start, toks[j].end, word, "nr"))
        else:
            t = toks[i]
            if t.flag in JIEBA_TYPE:
                out.append((i, t.start, t.end, t.word, t.flag))
        i = j + 1
    return out


def person_like(word: str) -> bool:
    """A jieba nr word that is likely a real name, not a mis-tagged word."""
    if is_translit(word):
        return True
    return 2 <= len(word) <= 3 and word[0] in COMMON_SURNAMES and frequency(word) < RARE


def place_like(word: str) -> bool:
    if len(word) == 2 and all(ch in COUNTRY_ABBREVIATIONS for ch in word):
        return False
    return len(word) >= 2


def dictionary_flag(toks: list[Token], word: str) -> str:
    from .jieba_setup import dictionary_tag

    return dictionary_tag(word) or ("nr" if is_translit(word) else "")


def field_context(toks: list[Token], i: int, word: str) -> str | None:
    """The type the words around token `i` give a name, if any."""
    before = toks[i - 1].word if i > 0 else ""
    after = toks[i + 1].word if i + 1 < len(toks) else ""
    if before in BEFORE_PLACE or after in ("首都", "境内"):
        return "place"
    if before in COORDINATION and i > 1 and toks[i - 2].flag == "ns" or (
            after in COORDINATION and i + 2 < len(toks) and toks[i + 2].flag == "ns"):
        return "place"
    if before.endswith(POSTS) or (after in POSTS and is_translit(word)) or (after == "政府" and is_translit(word)):
        return "person"
    return None


def org_compounds(toks: list[Token]) -> list[tuple[int, int]]:
    """Nouns ending in an organisation head (国家安全委员会, 能源部, 国家科学院)."""
    out = []
    for i, t in enumerate(toks):
        generic = t.word in ORG_HEADS  # 委员会 alone names nothing
        head = t.word.endswith(ORG_HEADS) or (len(t.word) >= 3 and t.word.endswith(ORG_SUFFIX_CHARS))
        if not head or t.flag not in NOUNISH:
            continue
        j = i
        while j > 0 and mergeable(toks[j - 1]) and (generic and i - j < 3 or toks[j - 1].word in ORG_MODIFIERS):
            j -= 1
            if not generic:
                break
        if j < i or not generic:
            out.append((toks[j].start, t.end))
    return out


def mergeable(tok: Token) -> bool:
    """May `tok` be part of the organisation name after it?  Plain nouns only
    from a short list: jieba tags verbs like 资助 as nouns too."""
    if len(tok.word) < 2 or tok.word.endswith("政府"):
        return False
    return tok.word in ORG_MODIFIERS or tok.flag in {"ns", "nt", "nz", "j", "an", "vn"}


def typed(occ: Occurrence, evidence: Evidence) -> str | None:
    kind = evidence.kind(occ.surface)
    return TAG_OF_TYPE.get(kind) if kind else None
