"""Names a renderer makes: file names for the parts (from part keys, that is from the TEI's
ids) and ids of its own that must not meet an id of the TEI.

A TEI may use any id, so a name made from one can equal a renderer's own file
(``index``, ``nav``) or, once case is folded as macOS and Windows do, another
part's.  ``unique_stems`` settles that the same way every time: parts in
document order, each keeps its wished name when it is free, a name a renderer
owns gets its ``prefix`` and anything still taken a ``-2``, ``-3`` suffix.
"""
from __future__ import annotations

from collections.abc import Container, Iterable


def unique_stems(wanted: Iterable[tuple[str, str]], reserved: Iterable[str], prefix: str) -> dict[str, str]:
    """key -> file stem, for (key, wished stem) pairs in document order; no two alike, none reserved."""
    owned = {r.casefold() for r in reserved}
    taken = set(owned)
    out: dict[str, str] = {}
    for key, stem in wanted:
        base = f"{prefix}{stem}" if stem.casefold() in owned else stem
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        out[key] = name
    return out


def free_id(base: str, *taken: Container[str]) -> str:
    """`base`, or base-2, base-3, ... when one of `taken` has it.

    The TEI's ids are kept as they are (they are what readers cite and link to), so an
    id the renderer makes for itself (an anchor, a heading, the page frame) is the one
    that steps aside.
    """
    name, n = base, 1
    while any(name in t for t in taken):
        n += 1
        name = f"{base}-{n}"
    return name
