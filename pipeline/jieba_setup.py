"""jieba, loaded once and only when a stage needs it, with its cache in the
project's cache directory (not /tmp, where it would be rebuilt on a new
machine and could be tampered with by other users).

Loading jieba's whole dictionary would cost most of a build's time (≈0.85 s
with the part-of-speech table), so jieba's tables are loaded in shards, only
for the characters of the text it is asked about (`DictionaryShards`), and
what the pipeline asks of jieba is remembered: the tagged tokens of each run
of text per book (`memo-<book>.json`), word frequencies and dictionary tags
for all books (`memo-default.json`).  A rebuild after an edit asks jieba only
about text it has not seen, and loads only the shards that text needs.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import marshal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .cache import cache_root, installed_stamp

TokenRow = tuple[int, int, str]  # start, end, part-of-speech tag


def cache_dir() -> Path:
    return cache_root("jieba")


@lru_cache(maxsize=1)
def dictionary() -> DictionaryShards:
    return DictionaryShards.load()


class DictionaryShards:
    """jieba's dictionary (word → frequency, word → part-of-speech tag), split by
    the word's first character and kept as marshal in the cache directory.

    jieba cuts a text by looking up only words that begin at one of the text's
    characters, so a tokenizer whose tables hold just the shards of those
    characters cuts it exactly as the full dictionary would.  Loading the full
    tables costs ≈0.85 s; the shards for one edited paragraph, ≈10 ms.
    """

    FREQ, TAG = 0, 1

    def __init__(self, total: int, blobs: dict[str, bytes]) -> None:
        self.total = total
        self.blobs = blobs
        self.decoded: dict[str, tuple[dict[str, int], dict[str, str]]] = {}

    @classmethod
    def load(cls) -> DictionaryShards:
        path = cache_dir() / "dictionary-shards.marshal"
        stamp = dictionary_stamp()
        try:
            cached_stamp, total, blobs = marshal.loads(path.read_bytes())
            if cached_stamp == stamp:
                return cls(total, blobs)
        except (OSError, ValueError, EOFError, TypeError):
            pass
        total, blobs = split_dictionary()
        from .atomic import write_atomic

        write_atomic(path, marshal.dumps((stamp, total, blobs)))
        return cls(total, blobs)

    def shard(self, char: str, part: int) -> dict:
        if char not in self.decoded:
            blob = self.blobs.get(char)
            self.decoded[char] = marshal.loads(blob) if blob else ({}, {})
        return self.decoded[char][part]


class LazyTable:
    """One of a tokenizer's tables, filled with the shards of the characters it is about to see."""

    def __init__(self, table: dict, part: int) -> None:
        self.table = table
        self.part = part
        self.loaded: set[str] = set()
        self.pinned: dict[str, dict] = {}  # first character → words added to the dictionary

    def pin(self, word: str) -> None:
        """Keep `word`'s entry as it is now when its shard is loaded later."""
        self.pinned.setdefault(word[0], {})[word] = self.table[word]

    def cover(self, text: str) -> None:
        for char in set(text) - self.loaded:
            self.table.update(dictionary().shard(char, self.part))
            self.table.update(self.pinned.get(char, {}))
            self.loaded.add(char)


def dictionary_stamp() -> str:
    source = import_jieba().dt.dictionary
    size = Path(source).stat().st_size if source and Path(source).exists() else "default"
    return f"{installed_stamp('jieba')}:{size}"


def split_dictionary() -> tuple[int, dict[str, bytes]]:
    """Read jieba's dictionary text once, with jieba's own parser for the frequencies."""
    dt = import_jieba().dt
    freq, total = dt.gen_pfdict(dt.get_dict_file())
    shards: dict[str, tuple[dict[str, int], dict[str, str]]] = {}
    for word, count in freq.items():
        shards.setdefault(word[0], ({}, {}))[0][word] = count
    with dt.get_dict_file() as lines:
        for line in lines:
            fields = line.strip().decode("utf-8").split(" ")
            if len(fields) == 3:
                shards.setdefault(fields[0][0], ({}, {}))[1][fields[0]] = fields[2]
    return total, {char: marshal.dumps(shards[char]) for char in sorted(shards)}


def lazy_tokenizer(tokenizer, pos=None):
    """Give a jieba tokenizer (and its part-of-speech tokenizer) empty tables that fill on demand."""
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, dictionary().total, True
    tokenizer.edition_tables = [LazyTable(tokenizer.FREQ, DictionaryShards.FREQ)]
    if pos is not None:
        pos.word_tag_tab = {}
        tokenizer.edition_tables.append(LazyTable(pos.word_tag_tab, DictionaryShards.TAG))
    return tokenizer


def add_words(pos, words: tuple[tuple[str, str], ...], sizes: list[int] | None) -> list[int]:
    """Add `words` ((word, tag) pairs) to a lazy part-of-speech tokenizer, as jieba's
    `add_word` would on the whole dictionary; returns the frequencies given.

    jieba sizes a new word by cutting it, which needs the shards of its
    characters.  Given the `sizes` of an earlier build, no shard is loaded:
    the words are pinned, and shards loaded later cannot overwrite them.
    """
    own = pos.tokenizer
    if sizes is None or len(sizes) != len(words):
        cover(own, "".join(word for word, _ in words))
        sizes = []
        for word, tag in words:
            own.add_word(word, tag=tag)
            sizes.append(own.FREQ[word])
    else:
        for (word, tag), size in zip(words, sizes):
            own.add_word(word, size, tag=tag)
    pos.makesure_userdict_loaded()
    for word, _ in words:
        for table in own.edition_tables:
            table.pin(word)
    return sizes


def cover(tokenizer, text: str) -> None:
    """Load the dictionary shards `tokenizer` needs to cut `text` as the full dictionary would."""
    for table in tokenizer.edition_tables:
        table.cover(text)


@lru_cache(maxsize=1)
def import_jieba():  # -> the jieba module
    """jieba, imported without pkg_resources: jieba only opens its own data files
    with it, and importing that deprecated module costs ≈50 ms; without it, jieba
    opens them by path."""
    import sys

    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import` raise ImportError
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir())
    return jieba


@lru_cache(maxsize=1)
def tokenizer():  # -> jieba.Tokenizer; typed loosely because jieba has no stubs
    return lazy_tokenizer(import_jieba().dt)


@lru_cache(maxsize=1)
def pos_tokenizer():  # -> jieba.posseg.POSTokenizer
    """jieba's own part-of-speech tokenizer, on the shared tokenizer's lazy tables.

    Importing jieba.posseg parses the whole 5 MB dictionary text for the tag
    table (≈ 0.3 s); the import is given an empty dictionary to parse, and the
    tag table fills from the shards like the frequencies.
    """
    jieba = import_jieba()
    tokenizer()
    real = jieba.Tokenizer.get_dict_file
    jieba.Tokenizer.get_dict_file = lambda self: io.BytesIO()  # type: ignore[method-assign]
    try:
        import jieba.posseg
    finally:
        jieba.Tokenizer.get_dict_file = real  # type: ignore[method-assign]
    dt = jieba.posseg.dt
    lazy_tokenizer(dt.tokenizer, dt)
    return dt


# jieba's dictionary answers do not depend on the book: one memo keeps them for all.
def dictionary_frequency(word: str) -> int:
    """How often jieba's dictionary has seen `word` (0 for a non-word)."""
    return memo("").lookup("freq", word, lambda: int(looked_up(tokenizer(), word).FREQ.get(word) or 0))


def dictionary_tag(word: str) -> str:
    return memo("").lookup("tag", word, lambda: str(looked_up(pos_tokenizer(), word).word_tag_tab.get(word, "")))


def looked_up(tok, word: str):
    cover(getattr(tok, "tokenizer", tok), word[:1])
    return tok


class Memo:
    """What jieba answered before, for one book, keyed by jieba's version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = installed_stamp("jieba")
        self.dirty = False
        self.touched: set[str] = set()
        data = self.read()
        self.freq: dict[str, int] = data.get("freq", {})
        self.tag: dict[str, str] = data.get("tag", {})
        self.tokens: dict[str, list[TokenRow]] = data.get("tokens", {})
        self.sizes: dict[str, list[int]] = data.get("sizes", {})
        self.touched_sizes: set[str] = set()

    def read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("jieba") == self.version else {}

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

    def remember_sizes(self, words_key: str, sizes: list[int]) -> None:
        """The frequencies jieba gave the register's words when they were added (see `add_words`)."""
        self.touched_sizes.add(words_key)
        if self.sizes.get(words_key) != sizes:
            self.sizes[words_key] = sizes
            self.dirty = True

    def save(self) -> None:
        """Keep only the runs and word lists this build used, so the memo does not grow with every edit."""
        if not self.dirty and len(self.tokens) == len(self.touched) and len(self.sizes) == len(self.touched_sizes):
            return
        from .atomic import write_atomic

        tokens = {k: v for k, v in sorted(self.tokens.items()) if k in self.touched}
        sizes = {k: v for k, v in sorted(self.sizes.items()) if k in self.touched_sizes}
        with exclusive_lock(self.path):
            # Books built in parallel share the dictionary's answers: keep what the others saved meanwhile.
            on_disk = self.read()
            self.freq = {**on_disk.get("freq", {}), **self.freq}
            self.tag = {**on_disk.get("tag", {}), **self.tag}
            data = {"jieba": self.version, "freq": dict(sorted(self.freq.items())),
                    "tag": dict(sorted(self.tag.items())), "tokens": tokens, "sizes": sizes}
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        self.dirty = False


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """One writer at a time for `path`, across processes (an advisory lock beside it)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)  # a long-lived process outlives `make clean`
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_MEMOS: dict[str, Memo] = {}


def memo(stem: str) -> Memo:
    if stem not in _MEMOS:
        _MEMOS[stem] = Memo(cache_dir() / f"memo-{stem or 'default'}.json")
    return _MEMOS[stem]


def save_memos() -> None:
    for m in _MEMOS.values():
        m.save()
