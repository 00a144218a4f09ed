"""A part-of-speech tokenizer for annotation, with the register's names added.

The project's shared jieba tokenizer (`jieba_setup.tokenizer`) must not learn
the register's words: clean asks it how common a word is, and its answers
must not depend on whether annotation ran first.  So annotation works on a
copy of the dictionary (a dict copy costs ~30 ms; loading it again ~700 ms).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# jieba's tag for each register type: what discovery would have called it.
JIEBA_TAG = {"person": "nr", "place": "ns", "org": "nt", "work": "nz"}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    flag: str


@lru_cache(maxsize=1)
def base_pos_tokenizer():  # -> jieba.posseg.POSTokenizer (no stubs)
    import jieba.posseg

    from .jieba_setup import tokenizer

    return jieba.posseg.POSTokenizer(tokenizer())


@lru_cache(maxsize=4)
def pos_tokenizer(words: tuple[tuple[str, str], ...]):
    """A POS tokenizer that also knows `words` ((word, jieba tag) pairs)."""
    import jieba
    import jieba.posseg

    base = base_pos_tokenizer()
    if not words:
        return base
    shared = base.tokenizer
    own = jieba.Tokenizer(shared.dictionary)
    own.FREQ, own.total, own.initialized = dict(shared.FREQ), shared.total, True
    own.tmp_dir, own.cache_file = shared.tmp_dir, shared.cache_file
    # No __init__: it would read the tag table from disk again (~250 ms).
    pos = object.__new__(jieba.posseg.POSTokenizer)
    pos.tokenizer = own
    pos.word_tag_tab = dict(base.word_tag_tab)
    for word, tag in words:
        own.add_word(word, tag=tag)
    pos.makesure_userdict_loaded()
    return pos


def tokens(text: str, words: tuple[tuple[str, str], ...] = ()) -> list[Token]:
    """`text` cut into tagged words, with their offsets."""
    out: list[Token] = []
    offset = 0
    for pair in pos_tokenizer(words).cut(text):
        out.append(Token(offset, offset + len(pair.word), pair.word, pair.flag))
        offset += len(pair.word)
    return out


def frequency(word: str) -> int:
    """How common `word` is in jieba's own dictionary (0: unknown)."""
    return int(base_pos_tokenizer().tokenizer.FREQ.get(word) or 0)


def dictionary_tag(word: str) -> str:
    return str(base_pos_tokenizer().word_tag_tab.get(word, ""))
