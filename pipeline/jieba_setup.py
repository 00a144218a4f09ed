"""jieba, loaded once and only when a stage needs it, with its cache in the
project's cache directory (not /tmp, where it would be rebuilt on a new
machine and could be tampered with by other users).

Loading jieba's dictionary costs most of a build's time (≈0.6 s, plus ≈0.3 s
for the part-of-speech table), so what the pipeline asks of jieba is
remembered: the tagged tokens of each run of text per book (`memo-<book>.json`),
word frequencies and dictionary tags for all books (`memo-default.json`).  A rebuild after an edit asks jieba
only about text it has not seen, and loads it only then.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import marshal
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from .cache import cache_root

TokenRow = tuple[int, int, str]  # start, end, part-of-speech tag


def cache_dir() -> Path:
    return cache_root("jieba")


@lru_cache(maxsize=1)
def tokenizer():  # -> jieba.Tokenizer; typed loosely because jieba has no stubs
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir())
    jieba.dt.check_initialized()
    return jieba.dt


@lru_cache(maxsize=1)
def pos_tokenizer():  # -> jieba.posseg.POSTokenizer
    """jieba's own part-of-speech tokenizer, with its tag table from our cache.

    Importing jieba.posseg parses the whole 5 MB dictionary text for the tag
    table (≈ 0.3 s); a marshal copy loads in a fraction of that.  The import is
    given an empty dictionary to parse, then the table is filled in.
    """
    import jieba

    real = jieba.Tokenizer.get_dict_file
    jieba.Tokenizer.get_dict_file = lambda self: io.BytesIO()  # type: ignore[method-assign]
    try:
        import jieba.posseg
    finally:
        jieba.Tokenizer.get_dict_file = real  # type: ignore[method-assign]
    tokenizer()
    dt = jieba.posseg.dt
    if not dt.word_tag_tab:
        dt.word_tag_tab = word_tag_table(dt)
    return dt


def word_tag_table(dt) -> dict[str, str]:
    """jieba's word → part-of-speech table, cached as marshal beside its dictionary cache."""
    source = Path(dt.tokenizer.dictionary) if dt.tokenizer.dictionary else None
    stamp = f"{version('jieba')}:{source.stat().st_size if source and source.exists() else 'default'}"
    path = cache_dir() / "word_tag.marshal"
    try:
        cached_stamp, table = marshal.loads(path.read_bytes())
        if cached_stamp == stamp:
            return table
    except (OSError, ValueError, EOFError, TypeError):
        pass
    dt.load_word_tag(dt.tokenizer.get_dict_file())
    table = dict(dt.word_tag_tab)
    from .atomic import write_atomic

    write_atomic(path, marshal.dumps((stamp, table)))
    return table


# jieba's dictionary answers do not depend on the book: one memo keeps them for all.
def dictionary_frequency(word: str) -> int:
    """How often jieba's dictionary has seen `word` (0 for a non-word)."""
    return memo("").lookup("freq", word, lambda: int(tokenizer().FREQ.get(word) or 0))


def dictionary_tag(word: str) -> str:
    return memo("").lookup("tag", word, lambda: str(pos_tokenizer().word_tag_tab.get(word, "")))


class Memo:
    """What jieba answered before, for one book, keyed by jieba's version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = version("jieba")
        self.dirty = False
        self.touched: set[str] = set()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if data.get("jieba") != self.version:
            data = {}
        self.freq: dict[str, int] = data.get("freq", {})
        self.tag: dict[str, str] = data.get("tag", {})
        self.tokens: dict[str, list[TokenRow]] = data.get("tokens", {})

    def lookup(self, table: str, word: str, compute: Callable[[], int | str]):
        values = getattr(self, table)
        if word not in values:
            values[word] = compute()
            self.dirty = True
        return values[word]

    def tagged(self, text: str, words_key: str, compute: Callable[[], list[TokenRow]]) -> list[TokenRow]:
        key = words_key + ":" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]
        self.touched.add(key)
        if key not in self.tokens:
            self.tokens[key] = [tuple(row) for row in compute()]
            self.dirty = True
        return [tuple(row) for row in self.tokens[key]]  # type: ignore[misc]

    def save(self) -> None:
        """Keep only the runs this build used, so the memo does not grow with every edit."""
        if not self.dirty and len(self.tokens) == len(self.touched):
            return
        from .atomic import write_atomic

        tokens = {k: v for k, v in sorted(self.tokens.items()) if k in self.touched}
        data = {"jieba": self.version, "freq": dict(sorted(self.freq.items())),
                "tag": dict(sorted(self.tag.items())), "tokens": tokens}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        self.dirty = False


_MEMOS: dict[str, Memo] = {}


def memo(stem: str) -> Memo:
    if stem not in _MEMOS:
        _MEMOS[stem] = Memo(cache_dir() / f"memo-{stem or 'default'}.json")
    return _MEMOS[stem]


def save_memos() -> None:
    for m in _MEMOS.values():
        m.save()
