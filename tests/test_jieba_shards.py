"""jieba on dictionary shards cuts and tags exactly as jieba on its whole dictionary.

The shards are a speed-up only: a tokenizer that loads the shards of the
characters it is about to see must give the same words, the same tags and the
same frequencies as one that loaded everything, with and without the
register's names added.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import jieba
import jieba.posseg
import pytest

from pipeline import annotate_jieba, jieba_setup
from pipeline.annotate import jieba_words
from pipeline.annotate_register import load_register

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "input" / "book.txt"


def paragraphs() -> list[str]:
    return [line for line in BOOK.read_text(encoding="utf-8").splitlines() if line.strip()]


def register_words() -> tuple[tuple[str, str], ...]:
    return jieba_words(load_register(ROOT / "input" / "register.toml"))


def forget_tokenizers() -> None:
    """As if a new process started: the tokenizers and their loaded shards are gone."""
    for cached in (jieba_setup.dictionary, jieba_setup.tokenizer, jieba_setup.pos_tokenizer,
                   annotate_jieba.pos_tokenizer):
        cached.cache_clear()


@pytest.fixture(scope="module")
def shards_cache(tmp_path_factory: pytest.TempPathFactory):
    """A cache of its own, so the shards are split from jieba's dictionary in this test."""
    mp = pytest.MonkeyPatch()
    mp.setenv("EDITION_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.setattr(jieba_setup, "_MEMOS", {})
    forget_tokenizers()
    yield
    mp.undo()
    forget_tokenizers()


@functools.lru_cache(maxsize=2)
def full_pos_tokenizer(words: tuple[tuple[str, str], ...]):
    jieba.setLogLevel(logging.WARNING)
    whole = jieba.Tokenizer()
    whole.initialize()
    pos = jieba.posseg.POSTokenizer(whole)
    for word, tag in words:
        whole.add_word(word, tag=tag)
    pos.makesure_userdict_loaded()
    return pos


def cut_with_shards(pos, text: str) -> list[tuple[str, str]]:
    jieba_setup.cover(pos.tokenizer, text)
    return [(p.word, p.flag) for p in pos.cut(text)]


@pytest.mark.parametrize("register", ["none", "added", "replayed"])
def test_shards_cut_the_book_as_the_whole_dictionary_does(shards_cache, register: str) -> None:
    """"replayed": the register's words are added with the sizes the book's memo
    remembers from the build before, and no shard is loaded for them."""
    words = register_words() if register != "none" else ()
    assert register == "none" or len(words) > 50
    if register == "replayed":
        annotate_jieba.pos_tokenizer(words, "replay")
        forget_tokenizers()
        assert jieba_setup.memo("replay").sizes
    sharded = annotate_jieba.pos_tokenizer(words, "replay" if register == "replayed" else "")
    whole = full_pos_tokenizer(words)
    texts = paragraphs()
    assert len(texts) > 100
    for text in texts:
        assert cut_with_shards(sharded, text) == [(p.word, p.flag) for p in whole.cut(text)], text
    # Only what the book needed was loaded: far fewer entries than the dictionary has.
    assert 0 < len(sharded.tokenizer.FREQ) < len(whole.tokenizer.FREQ)
    assert sharded.tokenizer.total == whole.tokenizer.total


def test_shards_answer_frequency_and_tag_questions_as_the_dictionary(shards_cache) -> None:
    whole = full_pos_tokenizer(())
    for word in ("美国", "扩散", "政策", "奥巴马", "不是一个词", "国"):
        assert jieba_setup.looked_up(jieba_setup.tokenizer(), word).FREQ.get(word) == whole.tokenizer.FREQ.get(word)
        tag = jieba_setup.looked_up(jieba_setup.pos_tokenizer(), word).word_tag_tab.get(word)
        assert tag == whole.word_tag_tab.get(word)


def test_register_words_do_not_leak_into_the_shared_tokenizer(shards_cache) -> None:
    words = register_words()
    annotate_jieba.pos_tokenizer(words)
    shared = jieba_setup.tokenizer()
    surface = next(w for w, _ in words if len(w) >= 3)
    jieba_setup.cover(shared, surface)
    assert full_pos_tokenizer(()).tokenizer.FREQ.get(surface) == shared.FREQ.get(surface)


def test_books_built_in_parallel_keep_each_others_dictionary_answers(tmp_path: Path) -> None:
    """Two processes with the shared memo open: the second to save keeps the first's answers."""
    path = tmp_path / "memo-default.json"
    first, second = jieba_setup.Memo(path), jieba_setup.Memo(path)
    first.lookup("freq", "美国", lambda: 7)
    second.lookup("freq", "中国", lambda: 9)
    second.lookup("tag", "中国", lambda: "ns")
    first.save()
    second.save()
    reread = jieba_setup.Memo(path)
    assert reread.freq == {"美国": 7, "中国": 9}
    assert reread.tag == {"中国": "ns"}
