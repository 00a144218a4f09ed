"""jieba, loaded once and only when a stage needs it, with its cache in the
project's cache directory (not /tmp, where it would be rebuilt on a new
machine and could be tampered with by other users)."""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path


def cache_dir() -> Path:
    """`$EDITION_CACHE_DIR`, else `.cache/` in the working directory."""
    root = Path(os.environ.get("EDITION_CACHE_DIR") or Path.cwd() / ".cache")
    path = root / "jieba"
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1)
def tokenizer():  # -> jieba.Tokenizer; typed loosely because jieba has no stubs
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir())
    jieba.dt.check_initialized()
    return jieba.dt


def dictionary_frequency(word: str) -> int:
    """How often jieba's dictionary has seen `word` (0 for a non-word)."""
    return int(tokenizer().FREQ.get(word, 0))
