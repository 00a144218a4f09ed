"""Discovery: names the register does not know yet, found by jieba's
part-of-speech tags and by rules of the field.

jieba alone tags foreign names badly (奥巴马 as a place, 乌克兰 as a person)
and splits transliterations (萨|默尔).  So each occurrence collects evidence:
jieba's tag counts once, a rule of the field counts `STRONG` times, and every
surface gets the type with most evidence over the whole document -- 奥巴马 in
"总统奥巴马" makes every 奥巴马 a person.  Everything here is a convention of
Chinese text about international affairs, not knowledge of one book.

The notes of such books cite English sources and Chinese articles, so
discovery also reads citations: an English author, organisation or work
title by the shape of English names and of the order author, title,
publication data; a Chinese article title by “题名”，《刊名》.
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
# 老布什/小布什, 老罗斯福: Chinese tells a father from his son of the same name
# by these prefixes, which are part of the name.
GENERATION_PREFIXES = ("老", "小")
# Bodies of which a state has only one, so that the bare word names that
# state's body (推动国会批准条约, 参议院拒绝批准): a fact of the field's usage.
# Bodies a state has many of (委员会, 议会 in 各国议会) are not here.
SINGULAR_BODIES = ("国会", "参议院", "众议院")
# Words before a body word that make it a common noun (各国|国会 is no one body).
GENERIC_DETERMINERS = ("各", "诸", "每", "两", "多个", "一些", "其他", "各国", "有关")
# Heads of a body inside an organisation, named after its subject matter:
# 参议院外交关系委员会, 国会预算办公室, 国家科学院国际安全和军备控制委员会.
SUB_BODY_HEADS = ("委员会", "小组委员会", "理事会", "小组", "办公室")
# Verbs that stand for a body's subject matter in such names (军备控制,
# 裁军审议, 预算); other verbs (批准|成立|委员会) end the name.
SUBJECT_VERBS = ("控制", "审议", "执行", "预算", "核查", "监督", "管理", "研究", "评估", "裁军", "制裁")
SUBJECT_TAGS = {"n", "vn", "an", "nz", "j", "ns", "l"}
MAX_SUBJECT_TOKENS = 6
# A Chinese citation of an article: 作者，“题名”，《刊名》，日期 (or 载《刊名》2009年第3期).
# The author's clause before the quote is short, and the periodical is followed
# by the rest of the reference, not by a verb: 他说：“……”，《纽约时报》评论说 is speech.
ARTICLE_TITLE = re.compile(r"(?:^|[。；;])([^。；;“”，,]{1,15})[，,：:]\s*“([^“”《》。！？\n]{2,60})”\s*[，,]\s*"
                           r"(?:载于?|见)?\s*《[^《》]+》\s*(?:[，,。．.;；]|\d|第|$)")
# Verbs of saying: a quote after them is speech with its source (他认为，“……”，《邮报》，日期).
REPORTING_VERBS = ("说", "称", "道", "问", "答", "认为", "表示", "指出", "强调", "宣布", "声称", "提出", "写", "呼吁", "承认")
JIEBA_TYPE = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org"}
TAG_OF_TYPE = {"person": "persName", "place": "placeName", "org": "orgName", "work": "title"}
KINDS = ("person", "place", "org", "work")  # the tie-break order of votes

# English names in the notes' citations.  A word of a name: Kerr, McNamara, O'Brien, Smith-Jones.
EN_NAME_WORD = r"[A-Z](?:['’][A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
# First name, middle initials, surname (George W. Bush): the shape of a person's name in English.
EN_INITIALLED = re.compile(rf"\b{EN_NAME_WORD}(?:\s+[A-Z]\.)+\s+{EN_NAME_WORD}\b")
# Honorifics before a person's name (Senator Richard Lugar); General, Representative
# and Secretary are left out: they begin names of bodies too (General Assembly).
EN_HONORIFIC = re.compile(
    rf"\b(?:Ambassador|Senator|President|Professor|Prof\.|Dr\.|Mr\.|Mrs\.|Ms\.|Admiral|Governor|Congressman|"
    rf"Congresswoman)\s+((?:{EN_NAME_WORD}|[A-Z]\.)(?:\s+(?:{EN_NAME_WORD}|[A-Z]\.)){{1,3}})")
# Head nouns of English organisation names (Arms Control Association, Department
# of Energy).  Union is left out: the Soviet Union is a place.
EN_ORG_HEADS = ("Association", "Institute", "Institution", "Council", "Committee", "Commission", "Agency",
                "Department", "Ministry", "Foundation", "Endowment", "University", "College", "Center", "Centre",
                "Organization", "Organisation", "Office", "Service", "Bureau", "Senate", "Congress", "Assembly",
                "Party", "Academy", "Society", "Laboratory", "Corporation", "Group", "Administration")
# Posts that open the segment after an author's name (Special Representative of
# the President, Under Secretary of State): the author's office, not a title.
EN_POSTS = {"Representative", "Secretary", "Director", "Chairman", "Chair", "Minister", "Ambassador", "Adviser",
            "Advisor", "Assistant", "Deputy", "Senator", "Professor", "Fellow", "Coordinator", "Administrator",
            "Commissioner", "Envoy", "Spokesman", "Spokesperson", "President", "Chief"}
EN_CAP_WORD = r"(?:[A-Z][A-Za-z’'\-]*\.?(?:\s?[A-Z]\.)*|&)"
EN_ORG = re.compile(
    rf"\b(?:{EN_CAP_WORD}\s+){{0,5}}(?:{'|'.join(EN_ORG_HEADS)})\b"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?{EN_CAP_WORD}(?:\s+(?:and\s+)?{EN_CAP_WORD}){{0,5}})?")
# Capitalised words that open a sentence or a reference, not a name.
EN_LEADING_WORDS = {"The", "See", "In", "By", "From", "Also", "And", "Cf.", "According", "To", "At", "On",
                    "Ambassador", "Senator", "President", "Dr.", "Mr.", "Mrs.", "Ms."}
# Lower-case words a title-case English title may hold.
EN_SMALL_WORDS = {"a", "an", "the", "of", "for", "on", "and", "in", "to", "at", "by", "with", "from", "or",
                  "as", "into", "vs.", "after", "over", "under", "toward", "towards", "beyond", "against", "is"}
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.", "Sep.",
             "Oct.", "Nov.", "Dec.")
# What follows the title in a reference: a date, volume, pages, a link, a report or series
# number (RL32572, Policy Paper 7), Place: Publisher.
EN_PUBLICATION_DATA = re.compile(rf"^(?:\d|(?:{'|'.join(re.escape(m) for m in EN_MONTHS)})\s|Vol\.|No\.|pp?\.|<|http|"
                                 r"[Aa]vailable|[Aa]ccessed|[Rr]etrieved|[A-Z]{1,4}-?\d+$|.*\b(?:Paper|Brief|No\.)\s+\d+$|"
                                 r"[A-Z][\w .]*:\s.*\b(?:Press|Books|Publishers|Publishing|House|Office|Printing)$)")
# A stretch of English text: no Han characters, at least a few words.
EN_STRETCH = re.compile(r"[A-Za-z][^\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{15,}")
EN_QUOTED = re.compile(r"[“\"]([A-Z][^“”\"]{4,200}?)[,.]?[”\"]")


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
        # Deterministic tie-break: the type order of KINDS.
        return max(sorted(votes), key=lambda k: (votes[k], -KINDS.index(k)))


def is_translit(word: str) -> bool:
    return len(word) >= 2 and all(ch in TRANSLIT for ch in word)


Vote = tuple[str, str, int]  # surface, type, weight


def discover(text: str, toks: list[Token]) -> tuple[list[Occurrence], list[Vote]]:
    """Name-like stretches of `text` and their votes: the same text and tokens always
    give the same answer, so a long-lived process may keep it (annotate.RecentScans)."""
    found: dict[tuple[int, int], Occurrence] = {}
    votes: list[Vote] = []

    def note(start: int, end: int, kind: str | None, weight: int) -> None:
        surface = text[start:end]
        if len(surface) < 2 or surface in JIEBA_MISTAGS:
            return
        found.setdefault((start, end), Occurrence(start, end, surface))
        if kind:
            votes.append((surface, kind, weight))

    for m in NAME_DOT.finditer(text):
        note(m.start(), m.end(), "person", STRONG)
        for part in re.finditer(r"[\u4e00-\u9fff]+", m.group(0)):
            if len(part.group(0)) >= 2:
                votes.append((part.group(0), "person", STRONG))
    for start, end, kind, weight in name_tokens(trim_tails(toks)):
        note(start, end, kind, weight)
    compounds = org_compounds(toks)
    for start, end in compounds:
        note(start, end, "org", STRONG)
    for start, end in singular_bodies(toks) + sub_bodies(toks, compounds):
        note(start, end, "org", STRONG)
    for start, end in generation_names(toks):
        note(start, end, "person", STRONG)
    for start, end in article_titles(text):
        note(start, end, "work", STRONG)
    for start, end, kind in english_names(text):
        note(start, end, kind, STRONG)
    inside_dot_names = [(m.start(), m.end()) for m in NAME_DOT.finditer(text)]
    return sorted(
        (o for o in found.values()
         if not any(s <= o.start and o.end <= e and (s, e) != (o.start, o.end) for s, e in inside_dot_names)),
        key=lambda o: (o.start, -o.end),
    ), votes


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
    if is_translit(word) or (len(word) >= 3 and word[0] in GENERATION_PREFIXES and is_translit(word[1:])):
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


def singular_bodies(toks: list[Token]) -> list[tuple[int, int]]:
    """A bare 国会, 参议院, 众议院: the state's own body, unless a determiner makes it common (各国会)."""
    return [(t.start, t.end) for i, t in enumerate(toks)
            if t.word in SINGULAR_BODIES and not (i > 0 and generic_determiner(toks[i - 1]))]


def generic_determiner(tok: Token) -> bool:
    return tok.word in GENERIC_DETERMINERS or tok.flag == "m"


def sub_bodies(toks: list[Token], compounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """An organisation, its subject matter, a body head: 参议院|外交关系|委员会,
    国家科学院|国际|安全|和|军备|控制|委员会.  The organisation before the subject
    words is what makes the whole a name (各国|军备|控制|委员会 is not one)."""
    starts = {end: start for start, end in compounds}
    out = []
    for i, head in enumerate(toks):
        if head.word not in SUB_BODY_HEADS:
            continue
        for k in range(i - 1, max(-1, i - 2 - MAX_SUBJECT_TOKENS), -1):
            if ends_organisation(toks[k], starts):
                if k < i - 1:  # an organisation right before the head is org_compounds' case
                    out.append((starts.get(toks[k].end, toks[k].start), head.end))
                break
            if not subject_word(toks, k, i):
                break
    return out


def ends_organisation(tok: Token, compound_starts: dict[int, int]) -> bool:
    """Is `tok` an organisation's name or the last word of one?"""
    if tok.end in compound_starts or tok.word in SINGULAR_BODIES:
        return True
    if tok.flag == "nt":
        # 中美关系 is a relation; in 克林顿政府|国家安全委员会 the body is the state's, not the person's.
        return not tok.word.endswith(("关系", "政府"))
    return tok.word not in ORG_HEADS and (
        tok.word.endswith(ORG_HEADS) or (len(tok.word) >= 3 and tok.word.endswith(ORG_SUFFIX_CHARS)))


def subject_word(toks: list[Token], k: int, head: int) -> bool:
    """May token `k` be a subject word of the body name ending at token `head`?
    A conjunction only between two nouns (国际安全|和|军备控制)."""
    tok = toks[k]
    if tok.word in ("和", "与", "及"):
        return 0 < k and toks[k - 1].flag in SUBJECT_TAGS and k + 1 < head and toks[k + 1].flag in SUBJECT_TAGS
    if len(tok.word) < 2:
        return False
    return tok.flag in SUBJECT_TAGS or tok.word in SUBJECT_VERBS


def generation_names(toks: list[Token]) -> list[tuple[int, int]]:
    """老|罗斯福: a generation prefix jieba cut off a transliterated name."""
    return [(t.start, toks[i + 1].end) for i, t in enumerate(toks[:-1])
            if t.word in GENERATION_PREFIXES and toks[i + 1].flag.startswith("nr") and is_translit(toks[i + 1].word)]


def article_titles(text: str) -> list[tuple[int, int]]:
    """“题名” between a short author clause and ，《刊名》: the title of an article cited."""
    return [(m.start(2), m.end(2)) for m in ARTICLE_TITLE.finditer(text)
            if not m.group(1).rstrip().endswith(REPORTING_VERBS)]


def english_names(text: str) -> list[tuple[int, int, str]]:
    """Persons, organisations and works in the English stretches of `text` (citations)."""
    out: list[tuple[int, int, str]] = []
    for m in EN_STRETCH.finditer(text):
        offset, stretch = m.start(), m.group(0)
        found = english_persons(stretch) + english_orgs(stretch) + english_titles(stretch)
        out += [(offset + start, offset + end, kind) for start, end, kind in found]
    return out


def english_persons(text: str) -> list[tuple[int, int, str]]:
    out = [(m.start(), m.end(), "person") for m in EN_INITIALLED.finditer(text)
           if not set(m.group(0).split()) & set(EN_ORG_HEADS)]
    for m in EN_HONORIFIC.finditer(text):
        words = m.group(1).split()
        cut = next((n for n, w in enumerate(words) if w in EN_ORG_HEADS), len(words))
        while cut and re.fullmatch(r"[A-Z]\.", words[cut - 1]):
            cut -= 1  # a name ends with the surname, not an initial
        if cut >= 2:
            out.append((m.start(1), m.start(1) + len(" ".join(words[:cut])), "person"))
    return out


def english_orgs(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in EN_ORG.finditer(text):
        start, words = m.start(), m.group(0).split(" ")
        while len(words) > 1 and words[0] in EN_LEADING_WORDS:
            start += len(words.pop(0)) + 1
        if len(words) < 2:
            continue  # a head alone (Congress, Senate) is not discovered: which one?
        if len(words) == 2 and words[1] == "Administration":
            continue  # the Bush Administration is a presidency, as 布什政府 is 布什's
        out.append((start, m.end(), "org"))
    return out


def english_titles(text: str) -> list[tuple[int, int, str]]:
    """Quoted titles, and the title of a reference 'Author, Title, publication data':
    after an author (a person's or an organisation's name, the whole first
    segment), the last title-case segment that is not an organisation and is
    followed by publication data (or ends the reference)."""
    out = [(m.start(1), m.end(1), "work") for m in EN_QUOTED.finditer(text) if title_case(m.group(1))]
    segments = reference_segments(text)
    if not segments or not is_author(text[segments[0][0]:segments[0][1]]):
        return out
    title: tuple[int, int] | None = None
    for start, end, after_paren in segments[1:]:
        segment = text[start:end]
        if after_paren or EN_PUBLICATION_DATA.match(segment):
            break
        if EN_QUOTED.fullmatch(segment) or not title_case(segment):
            return out
        if not whole_org(segment) and not set(segment.split()[:2]) & EN_POSTS:
            title = (start, end)
    else:
        if title is None or not re.search(r"\.\s*$", text):
            return out  # no publication data and no full stop: not a reference
    if title is not None:
        out.append((*title, "work"))
    return out


def reference_segments(text: str) -> list[tuple[int, int, bool]]:
    """The comma- and bracket-separated parts of a reference: (start, end, opened by a bracket)."""
    out = []
    for m in re.finditer(r"[^,()]+", text):
        stripped = m.group(0).strip().rstrip(".")
        if stripped:
            start = m.start() + m.group(0).index(stripped)
            out.append((start, start + len(stripped), text[:m.start()].endswith("(")))
    return out


def is_author(segment: str) -> bool:
    for m in EN_INITIALLED.finditer(segment):
        if m.end() == len(segment):
            return True
    if any(m.end(1) == len(segment) for m in EN_HONORIFIC.finditer(segment)):
        return True
    return whole_org(segment) or bool(re.fullmatch(rf"{EN_NAME_WORD}\s+{EN_NAME_WORD}", segment))


def whole_org(segment: str) -> bool:
    return any((start, end) == (0, len(segment)) for start, end, _ in english_orgs(segment))


def title_case(segment: str) -> bool:
    """Three words or more, the first and every longer word capitalised (or a number)."""
    words = segment.split()
    if len(words) < 3 or not re.match(r"[A-Z0-9“\"‘']", words[0]):
        return False
    return all(w.lower() in EN_SMALL_WORDS or re.match(r"[A-Z0-9“\"‘'(]", w) or len(w) < 3 for w in words)


def mergeable(tok: Token) -> bool:
    """May `tok` be part of the organisation name after it?  Plain nouns only
    from a short list: jieba tags verbs like 资助 as nouns too."""
    if len(tok.word) < 2 or tok.word.endswith("政府"):
        return False
    return tok.word in ORG_MODIFIERS or tok.flag in {"ns", "nt", "nz", "j", "an", "vn"}


def typed(occ: Occurrence, evidence: Evidence) -> str | None:
    kind = evidence.kind(occ.surface)
    return TAG_OF_TYPE.get(kind) if kind else None
