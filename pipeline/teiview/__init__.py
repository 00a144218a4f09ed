"""Read a TEI edition (the shape of docs/encoding.md) into a view model for renderers.

Both the EPUB and the HTML edition are rendered from the TEI file alone, through
this module, so that they agree on ids, anchors, page numbers and the register.

Public API (stable)
-------------------
``read_tei(path, flavor=None) -> Edition``
    Parse safely (no entities, no DTD, no network; a DOCTYPE declaring entities
    is refused with ``TeiError``) and build the view.  All inline content is
    converted to XHTML-compatible ``markupsafe.Markup`` with ``flavor``'s hooks;
    every text node is escaped.
``Flavor``
    Subclass and override to change how inline TEI becomes markup:
    ``text(s, lang)``, ``lang_attrs(lang)``, ``href(target_id)``,
    ``noteref(note)``, ``pagebreak(pb)``, ``name(ref, inner)``,
    ``date(ref, inner)``, ``choice(corr, inner)``.  ``self.part_of`` (id or
    anchor -> part key) and ``self.parts`` (part key -> Part, document order)
    are filled before any hook runs, so ``href`` can map an id to the file it
    lands in.  ``mark_latin`` wraps obvious Latin runs inside Chinese text in
    ``lang="en"``.
``Edition``
    ``meta`` (Metadata), ``title_pages``, ``imprint`` (the ImprintLines of
    every imprint div), ``imprints`` (one Imprint per div type="imprint":
    ``part``, ``id``, ``lines``), ``front`` (Division list: preface and other
    front divs), ``contents`` (Contents or None), ``body_head`` (Head or None), ``body``, ``back``
    (Division trees), ``notes`` (every Footnote, document order), ``pages``
    (every PageBreak), ``entities`` (register Entity list with occurrences),
    ``names`` (every NameRef, also candidates without @ref), ``dates``,
    ``corrections``, ``part_of``, ``rules`` (respStmt id -> its resp, the
    words naming a correction rule), ``first_body`` (part key of the first
    body div, where the body's own ``<head>`` belongs), ``body_blocks`` (text
    the body prints before its first div: all of a book without chapters; part
    ``body-head``, shown after ``body_head``), ``parts`` (every top-level
    piece as a ``Part``: ``key``, ``kind``, ``id``); ``divisions()`` walks
    front/body/back, ``part_keys(kind)`` lists the parts of a kind and
    ``body_head_part`` is the key of the body's opening (None without one);
    ``other_contents`` (a Contents per contents div after the first: parts of
    their own, ``contents`` stays the book's 目录) and ``ids`` (every xml:id of
    the file and every anchor teiview made: an id a renderer makes for itself
    goes through ``free_id(base, edition.ids)`` and steps aside for these).
Page breaks between pieces (``front/pb``, ``body/pb``, ``div/pb``, a pb in the
    contents list or the imprint) are rendered once, before the piece they
    open: ``lead`` markup on ``TitlePageView``, ``ImprintLine``, ``Contents``
    (before its heading), ``TocEntry``, ``Head`` (the body's) and ``Division``
    (before its heading; this also holds a div's own pb before its head); a pb
    between paragraphs is a ``Block`` of kind ``pb``; a pb that nothing follows
    ends the last div's blocks.  Its ``part``/``part_of`` is that piece's part,
    so a page list built from ``pages`` never points to an unrendered anchor.
Also: ``DateRef.before``/``after`` (the date's sentence), ``Correction.rule``,
``Correction.reasons`` (reading text of each note whose @target names the
choice or its sic/corr: the editor's reason),
``Division.heading`` (label + head, whitespace as in the TEI),
``TocEntry.label``/``heading``/``full_text``, ``ImprintLine.label``/``value``,
``Footnote.parent`` (the note a note sits in: an editor's note on a footnote),
``Contents.blocks_before``/``blocks_after`` (a contents div's paragraphs before
its first list and after it; the items of all its lists are ``entries``),
``Contents.has_pages`` (some entry prints a page number);
a ``<label>`` anywhere renders as ``<span class="label">``.  A titlePart
without @type or with @type="main" is ``TitleLine.kind == "title"``.
Parts: ``Part.kind`` says what a top-level piece is, from its element, its
place and its @type, never from its xml:id: ``titlepage``, ``imprint`` and
``contents`` (front divs of that @type; the first contents div is
``Edition.contents``, the others ``Edition.other_contents``), ``front``, ``body-head`` (the body's head and text before
its first div, one piece), ``body``, ``back``, ``other``.  A part's key is its
xml:id when it has one (``Division.part``, ``Contents.part`` and
``Imprint.part`` give it), else a made-up one (``titlepage-{n}``,
``body-head``, its @type) that steps aside (``-{position}``, ``-2``) for any
xml:id of the file and any other key; keys are unique, so a renderer can name
one file per key (``unique_stems`` keeps those names apart from its own).
Location fields: ``part`` is the key of the top-level piece the thing sits in;
``div`` the innermost div with an id; ``page`` the ``@n`` of the last page
break before it (None when unknown) and ``page_seq`` the 1-based page ordinal.
Generated anchors: ``pb-{k}`` page breaks, ``nm-{k}`` names, ``dt-{k}`` dates,
``nref-{note id}`` note references, ``{parent}-{position}`` divs without an
id; existing xml:ids are kept, and a generated anchor that one of them already
uses gets a ``-2`` (``-3``, ...) suffix.
``sort_key(s)`` sorts Chinese strings by pinyin (for indexes);
``tidy_heading(s)`` undoes print letter-spacing (前　　言 -> 前言).

Modules: ``tree`` (safe parsing, XPath and text helpers), ``model`` (the
dataclasses), ``header`` (teiHeader), ``index`` (the anchor pass), ``flavor``
(the markup hooks), ``builder`` (markup and the view), ``naming`` (file names
from part keys, ``free_id`` for a renderer's own ids).
"""
from __future__ import annotations

from pathlib import Path

from .builder import BLOCK_TAGS, Builder
from .flavor import HTML_DATETIME, LATIN_RUN, Flavor
from .header import read_metadata, read_rules
from .model import (
    Block,
    Contents,
    Correction,
    DateRef,
    Division,
    Edition,
    Entity,
    Footnote,
    Head,
    Imprint,
    ImprintLine,
    Loc,
    Metadata,
    NameRef,
    PageBreak,
    Part,
    TitleLine,
    TitlePageView,
    TocEntry,
    join_label,
    markup,
)
from .naming import free_id, unique_stems
from .tree import (
    ENTITY_TAGS,
    NAME_TAGS,
    TEI,
    XML_ID,
    XML_LANG,
    TeiError,
    first_text,
    local,
    parse_safely,
    plain,
    plain_without,
    sort_key,
    tidy_heading,
    x,
)

__all__ = [
    "BLOCK_TAGS", "ENTITY_TAGS", "HTML_DATETIME", "LATIN_RUN", "NAME_TAGS", "TEI", "XML_ID", "XML_LANG",
    "Block", "Contents", "Correction", "DateRef", "Division", "Edition", "Entity", "Flavor", "Footnote", "Head",
    "Imprint", "ImprintLine", "Loc", "Metadata", "NameRef", "PageBreak", "Part", "TeiError", "TitleLine",
    "TitlePageView", "TocEntry",
    "first_text", "free_id", "join_label", "local", "markup", "parse_safely", "plain", "plain_without",
    "read_metadata", "read_rules", "read_tei", "sort_key", "tidy_heading", "unique_stems", "x",
]


def read_tei(path: Path, flavor: Flavor | None = None) -> Edition:
    return Builder(parse_safely(Path(path)), flavor or Flavor()).build()
