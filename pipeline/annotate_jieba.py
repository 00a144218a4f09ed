"""A part-of-speech tokenizer for annotation, with the register's names added.

The project's shared jieba tokenizer (`jieba_setup.tokenizer`) must not learn
the register's words: clean asks it how common a word is, and its answers
must not depend on whether annotation ran first.  So annotation works on
tables of its own, filled from the same dictionary shards.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from .jieba_setup import add_words, cover, lazy_tokenizer, memo
from .jieba_setup import pos_tokenizer as shared_pos_tokenizer

# jieba's tag for each register type: what discovery would have called it.
JIEBA_TAG = {"person": "nr", "place": "ns", "org": "nt", "work": "nz"}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    flag: str


@lru_cache(maxsize=4)
def pos_tokenizer(words: tuple[tuple[str, str], ...], stem: str = ""):
    """A POS tokenizer that also knows `words` ((word, jieba tag) pairs); `stem`
    names the book whose memo remembers the words' sizes."""
    base = shared_pos_tokenizer()  # first: it imports jieba.posseg without parsing the dictionary text
    if not words:
        return base
    import jieba
    import jieba.posseg

    shared = base.tokenizer
    own = jieba.Tokenizer(shared.dictionary)
    own.tmp_dir, own.cache_file = shared.tmp_dir, shared.cache_file
    # No __init__: it would read the tag table from the dictionary text (~250 ms).
    pos = object.__new__(jieba.posseg.POSTokenizer)
    pos.tokenizer = lazy_tokenizer(own, pos)
    book, key = memo(stem), words_key(words)
    book.remember_sizes(key, add_words(pos, words, book.sizes.get(key)))
    return pos


@lru_cache(maxsize=4)
def words_key(words: tuple[tuple[str, str], ...]) -> str:
    return hashlib.sha1(repr(words).encode("utf-8")).hexdigest()[:12]


def tokens(text: str, words: tuple[tuple[str, str], ...] = (), stem: str = "") -> list[Token]:
    """`text` cut into tagged words, with their offsets; jieba is asked only about new text."""
    def cut() -> list[tuple[int, int, str]]:
        rows, offset = [], 0
        pos = pos_tokenizer(words, stem)
        cover(pos.tokenizer, text)
        for pair in pos.cut(text):
            rows.append((offset, offset + len(pair.word), pair.flag))
            offset += len(pair.word)
        return rows

    return [Token(a, b, text[a:b], flag) for a, b, flag in memo(stem).tagged(text, words_key(words), cut)]
