"""The project's cache folder: `$EDITION_CACHE_DIR`, else `.cache/` in the
working directory.  Everything in it can be deleted at any time; it only
saves work (jieba's answers, compiled templates, pinyin sort keys)."""
from __future__ import annotations

import json
import os
from pathlib import Path


def cache_root(*parts: str) -> Path:
    path = Path(os.environ.get("EDITION_CACHE_DIR") or Path.cwd() / ".cache").joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def installed_stamp(package: str) -> str:
    """What identifies the installed `package` for a cache key, without importing it
    or importlib.metadata (≈ 10 ms): its module file's size and modification time."""
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is None or spec.origin is None:
        return "missing"
    stat = os.stat(spec.origin)
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def template_cache(kind: str):  # -> jinja2.FileSystemBytecodeCache
    """Compiled templates, so a new process does not parse them again (≈ 0.15 s)."""
    from jinja2 import FileSystemBytecodeCache

    return FileSystemBytecodeCache(str(cache_root("jinja", kind)))


class PinyinKeys:
    """Pinyin sort keys remembered across builds: importing pypinyin costs ≈ 0.2 s."""

    def __init__(self) -> None:
        self.path = cache_root() / "pinyin.json"
        self.version = installed_stamp("pypinyin")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.keys: dict[str, str] = data.get("keys", {}) if data.get("pypinyin") == self.version else {}
        self.dirty = False

    def key(self, text: str) -> str:
        if text not in self.keys:
            from pypinyin import Style, lazy_pinyin

            self.keys[text] = "".join(lazy_pinyin(text, style=Style.TONE3)).lower()
            self.dirty = True
        return self.keys[text]

    def save(self) -> None:
        if self.dirty:
            from .atomic import write_atomic

            data = {"pypinyin": self.version, "keys": dict(sorted(self.keys.items()))}
            write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
            self.dirty = False


_PINYIN: PinyinKeys | None = None


def pinyin_key(text: str) -> str:
    global _PINYIN
    if _PINYIN is None:
        _PINYIN = PinyinKeys()
    return _PINYIN.key(text)


def save_pinyin_keys() -> None:
    if _PINYIN is not None:
        _PINYIN.save()
