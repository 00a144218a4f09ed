"""The EPUB 3 edition, rendered from the TEI file alone (through pipeline.teiview).

One XHTML file per top-level piece of the text (cover, title pages, imprint,
preface, printed contents, the body title, each chapter, each back div), then
the indexes and the list of corrections.  Footnotes are `aside
epub:type="footnote"` at the end of the file that holds their reference, with
links both ways: Apple Books and Kobo only pop up notes that sit in the same
file, and Kindle wants a back-link.  The package is byte-identical across
builds: sorted entries, timestamps from SOURCE_DATE_EPOCH.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.atomic import write_atomic_with
from pipeline.cache import template_cache
from pipeline.teiview import (
    Contents,
    Division,
    Edition,
    Flavor,
    Footnote,
    Imprint,
    PageBreak,
    Part,
    free_id,
    markup,
    read_tei,
    sort_key,
    tidy_heading,
    unique_stems,
)

TEMPLATES = Path(__file__).parent / "templates" / "epub"
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip entry can carry

# Words the edition shows around the book's own text (its language is Chinese).
UI = {
    "notes": "注释", "back": "返回正文", "editorial": "编者注", "editorial_marker": "〔编〕",
    "contents": "目录", "landmarks": "导航", "pages": "页码", "indexes": "索引",
    "cover": "封面", "titlepage": "书名页", "imprint": "版权页", "corrections": "校勘记",
    "corrections_intro": "本版据下列依据改正了底本的文字；正文显示改正后的文字。",
    "printed_pages": "右侧数字为印本页码。", "page": "第 {} 页",
    "kinds": {"person": "人名索引", "place": "地名索引", "org": "机构索引", "work": "文献索引"},
    "a11y_summary": "本书为可重排的文字出版物，章节标题、目录、页码列表与脚注均有语义标记，"
                    "可用屏幕阅读器朗读；不含依赖视觉的内容。",
}
CERTAINTY = {"high": "可信度高", "medium": "可信度中", "low": "可信度低"}
ROLES = {
    "chapter": ("chapter", "doc-chapter"), "preface": ("preface", "doc-preface"),
    "afterword": ("afterword", "doc-afterword"), "appendix": ("appendix", "doc-appendix"),
    "bibliography": ("bibliography", "doc-bibliography"), "foreword": ("foreword", "doc-foreword"),
    "introduction": ("introduction", "doc-introduction"), "epilogue": ("epilogue", "doc-epilogue"),
}
MEDIA_TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".svg": "image/svg+xml",
               ".ncx": "application/x-dtbncx+xml"}


# Content documents of our own; a part whose id is one of these is renamed, never overwrites it.
OWN_FILES = ("cover", "nav", "indexes", "corrections")
# The parts that become a content document each (see content_docs).
FILE_KINDS = frozenset({"titlepage", "imprint", "contents", "front", "body-head", "body", "back"})


def file_stem(key: str) -> str:
    """Ids may hold any NCName letter; file names stay ASCII."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return f"part-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def part_files(parts: Iterable[Part]) -> dict[str, str]:
    """Part key -> its XHTML file: one file per part, none shared, none of ours taken."""
    wanted = ((p.key, file_stem(p.key)) for p in parts if p.kind in FILE_KINDS)
    return {key: f"{stem}.xhtml" for key, stem in unique_stems(wanted, OWN_FILES, "text-").items()}


class EpubFlavor(Flavor):
    """Inline markup with EPUB structural semantics and XHTML's xml:lang."""

    def part_files(self, parts: Iterable[Part]) -> dict[str, str]:
        return part_files(parts)

    def lang_attrs(self, lang: str) -> Markup:
        return markup('lang="{0}" xml:lang="{0}"', lang)

    def href(self, target_id: str) -> str:
        file = self.files.get(self.part_of.get(target_id, ""))
        return f"{file}#{target_id}" if file else ""

    def noteref(self, note: Footnote) -> Markup:
        editorial = note.kind == "editorial"
        return markup('<a epub:type="noteref" role="doc-noteref" class="noteref{}" id="{}" href="#{}">{}</a>',
            " editorial" if editorial else "", note.ref_id, note.id,
            note.marker or (UI["editorial_marker"] if editorial else "*"))

    def pagebreak(self, pb: PageBreak) -> Markup:
        if pb.n is None:  # a page end the OCR saw, but no printed number: an anchor only
            return markup('<span class="pb" id="{}"></span>', pb.anchor)
        return markup('<span epub:type="pagebreak" role="doc-pagebreak" class="pb" id="{}" aria-label="{}"></span>',
                      pb.anchor, pb.n)

    def choice(self, corr, inner: Markup) -> Markup:  # type: ignore[no-untyped-def]
        return markup('<span class="corr" id="{}" title="{}">{}</span>', corr.id, f"原文：{corr.sic}", inner)


@dataclass
class Doc:
    """One content document: where it goes and what renders it."""

    href: str
    template: str
    title: str
    context: dict = field(default_factory=dict)
    notes: list[Footnote] = field(default_factory=list)
    linear: bool = True


@dataclass
class NavPoint:
    text: str
    href: str
    children: list[NavPoint] = field(default_factory=list)
    order: int = 0


def short(text: str) -> str:
    return tidy_heading(text)


def source_date_epoch(ed: Edition) -> int:
    """SOURCE_DATE_EPOCH if set, else the edition date, so that builds repeat byte for byte."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ed.meta.edition_date):
        return int(datetime.fromisoformat(ed.meta.edition_date).replace(tzinfo=UTC).timestamp())
    return ZIP_EPOCH_MIN


def part_titles(ed: Edition) -> dict[str, str]:
    titles = {tp.key: UI["titlepage"] for tp in ed.title_pages}
    titles.update({imprint.part: UI["imprint"] for imprint in ed.imprints})
    if ed.body_head_part:
        titles[ed.body_head_part] = (short(ed.body_head.text) if ed.body_head else "") or ed.meta.title
    for d in (*ed.front, *ed.body, *ed.back):
        titles[d.part] = short(d.head_text) or d.id
    titles.update(contents_titles(ed))
    return titles


def contents_titles(ed: Edition) -> dict[str, str]:
    """Part key -> title of each contents div: its head, else 目录, 目录（2）, ... so that none reads alike."""
    every = [ed.contents, *ed.other_contents] if ed.contents else []
    return {c.part: short(c.head_text) or (UI["contents"] + (f"（{k}）" if k > 1 else ""))
            for k, c in enumerate(every, 1)}


def notes_in(ed: Edition, key: str) -> list[Footnote]:
    return [n for n in ed.notes if n.loc.part == key]


def content_docs(ed: Edition, files: dict[str, str]) -> list[Doc]:
    """The reading order.  Part keys come from teiview; each becomes one file (`files`)."""
    meta = ed.meta
    docs = [Doc("cover.xhtml", "cover.xhtml", UI["cover"])]
    docs += [Doc(files[tp.key], "titlepage.xhtml", UI["titlepage"], {"page": tp, "label": UI["titlepage"]},
                 notes_in(ed, tp.key)) for tp in ed.title_pages]
    docs += [imprint_doc(ed, imprint, files) for imprint in ed.imprints if imprint.lines]
    docs += front_docs(ed, files)
    key = ed.body_head_part
    if key and (ed.body_head or ed.body_blocks):  # the body's title and any text before its first div
        title = (short(ed.body_head.text) if ed.body_head else "") or meta.title or meta.print_title
        docs.append(Doc(files[key], "division.xhtml", title,
                        {"head": ed.body_head, "blocks": ed.body_blocks, "div": None, "matter": "bodymatter",
                         "key": key}, notes_in(ed, key)))
    docs += [division_doc(ed, d, "bodymatter", files) for d in ed.body]
    docs += [division_doc(ed, d, "backmatter", files) for d in ed.back]
    if any(e.occurrences for e in ed.entities):
        docs.append(Doc("indexes.xhtml", "index.xhtml", UI["indexes"], {"groups": index_groups(ed, files)}))
    if ed.corrections:
        docs.append(Doc("corrections.xhtml", "corrections.xhtml", UI["corrections"],
                        {"corrections": correction_rows(ed, files)}))
    return docs


def front_docs(ed: Edition, files: dict[str, str]) -> list[Doc]:
    """The front's divisions and contents divs in the order they are printed in."""
    titles = contents_titles(ed)
    docs = {d.part: division_doc(ed, d, "frontmatter", files) for d in ed.front}
    docs.update({c.part: contents_doc(ed, c, titles[c.part], files)
                 for c in (ed.contents, *ed.other_contents) if c is not None})
    return [docs[p.key] for p in ed.parts if p.key in docs]


def contents_doc(ed: Edition, contents: Contents, title: str, files: dict[str, str]) -> Doc:
    # The heading's id is ours, so it yields to the TEI's ids (a pb of the list may be "contents-h").
    heading = free_id(f"{contents.id}-h", ed.ids)
    return Doc(files[contents.part], "contents.xhtml", title, {"contents": contents, "heading_id": heading},
               notes_in(ed, contents.part))


def imprint_doc(ed: Edition, imprint: Imprint, files: dict[str, str]) -> Doc:
    """Each imprint div is a page of its own, as printed (a CIP page, a colophon)."""
    return Doc(files[imprint.part], "imprint.xhtml", UI["imprint"],
               {"lines": imprint.lines, "label": UI["imprint"], "key": imprint.part}, notes_in(ed, imprint.part))


def division_doc(ed: Edition, div: Division, matter: str, files: dict[str, str]) -> Doc:
    return Doc(files[div.part], "division.xhtml", short(div.head_text) or div.id,
               {"div": div, "head": None, "blocks": [], "matter": matter, "key": div.part}, notes_in(ed, div.part))


def locator(ed: Edition, files: dict[str, str], titles: dict[str, str], anchor: str,
            page: str | None) -> dict[str, str]:
    part = ed.part_of[anchor]
    text = titles.get(part, "") + (f"（{UI['page'].format(page)}）" if page else "")
    return {"href": f"{files[part]}#{anchor}", "text": text}


def index_groups(ed: Edition, files: dict[str, str]) -> list[dict]:
    titles = part_titles(ed)
    groups = []
    for kind, title in UI["kinds"].items():
        entries = [{"id": e.id, "name": e.name, "wikidata": e.wikidata,
                    "others": [(lang, n) for lang, n in e.names if n != e.name],
                    "links": [locator(ed, files, titles, o.anchor, o.loc.page) for o in e.occurrences]}
                   for e in ed.entities if e.kind == kind and e.occurrences]
        if entries:
            groups.append({"kind": kind, "title": title, "entries": sorted(entries, key=lambda e: sort_key(e["name"]))})
    return groups


def correction_rows(ed: Edition, files: dict[str, str]) -> list[dict]:
    titles = part_titles(ed)
    return [{**locator(ed, files, titles, c.id, c.loc.page), "id": c.id, "sic": c.sic, "corr": c.corr,
             "where": titles.get(ed.part_of[c.id], ""), "rule": c.rule or c.resp.lstrip("#"),
             "cert": CERTAINTY.get(c.cert, c.cert), "reasons": c.reasons}
            for c in ed.corrections]


def nav_tree(docs: list[Doc]) -> list[NavPoint]:
    def div_point(d: Division, file: str) -> NavPoint:
        # A division inside a chapter is in the chapter's file.
        return NavPoint(short(d.head_text) or d.id, f"{file}#{d.id}",
                        [div_point(c, file) for c in d.children if c.head_text])

    by_href = {d.href: d for d in docs}
    points: list[NavPoint] = []
    for doc in docs[1:]:
        div = doc.context.get("div")
        if div is not None:
            points.append(div_point(div, doc.href))
        elif doc.template in ("titlepage.xhtml", "imprint.xhtml") and any(p.text == doc.title for p in points):
            continue  # one entry for the title pages, one for the imprint pages
        else:
            points.append(NavPoint(doc.title, doc.href))
    if "indexes.xhtml" in by_href:
        points[-1 if "corrections.xhtml" not in by_href else -2].children = [
            NavPoint(g["title"], f"indexes.xhtml#index-{g['kind']}") for g in by_href["indexes.xhtml"].context["groups"]]
    counter = iter(range(1, 100000))

    def number(ps: list[NavPoint]) -> None:
        for p in ps:
            p.order = next(counter)
            number(p.children)
    number(points)
    return points


def landmarks(ed: Edition, docs: list[Doc], files: dict[str, str]) -> list[dict[str, str]]:
    marks = [{"type": "cover", "href": "cover.xhtml", "text": UI["cover"]}]
    if ed.title_pages:
        marks.append({"type": "titlepage", "href": files[ed.title_pages[0].key], "text": UI["titlepage"]})
    marks.append({"type": "toc", "href": files[ed.contents.part] if ed.contents else "nav.xhtml",
                  "text": UI["contents"]})
    marks += [{"type": "preface", "href": files[d.part], "text": short(d.head_text)} for d in ed.front
              if d.type == "preface"][:1]
    if ed.body:
        marks.append({"type": "bodymatter", "href": files[ed.body[0].part], "text": short(ed.body[0].head_text)})
    elif opening := next((d for d in docs if d.href == files.get(ed.body_head_part or "")), None):
        # A body without divs: its text is where the body starts.
        marks.append({"type": "bodymatter", "href": opening.href, "text": opening.title})
    if any(d.href == "indexes.xhtml" for d in docs):
        marks.append({"type": "index", "href": "indexes.xhtml", "text": UI["indexes"]})
    return marks


# ---------------------------------------------------------------- package

def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True, bytecode_cache=template_cache("epub"))


def book_metadata(ed: Edition, epoch: int) -> dict:
    m = ed.meta
    modified = datetime.fromtimestamp(epoch, UTC)
    isbn = re.sub(r"[^0-9Xx]", "", m.isbn)
    identifier = m.edition_id or "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{m.title}|{isbn}"))
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    features += ["pageNavigation", "printPageNumbers"] if any(p.n for p in ed.pages) else []
    features += ["index"] if any(e.occurrences for e in ed.entities) else []
    return {
        "identifier": identifier, "title": m.title or m.print_title, "subtitle": m.subtitle,
        "authors": m.authors, "publisher": m.publisher or m.print_publisher,
        "date": m.edition_date if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", m.edition_date)
        else modified.strftime("%Y-%m-%d"),
        "subjects": m.subjects, "clc": m.clc, "source": f"urn:isbn:{isbn}" if isbn else "",
        "description": m.description, "licence": m.licence, "licence_url": m.licence_url,
        "modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "features": features,
        "a11y_summary": UI["a11y_summary"], "certifier": m.publisher or m.print_publisher or "edition pipeline",
    }


def cover_lines(text: str, width: int) -> list[str]:
    """Break a title for the cover at its own punctuation, else every `width` characters."""
    lines = []
    for piece in re.split(r"(?<=[：:，,])", text):
        lines += [piece[i:i + width] for i in range(0, len(piece), width)] if piece else []
    return lines


def package_files(ed: Edition, docs: list[Doc], epoch: int, files: dict[str, str]) -> dict[str, bytes]:
    env = environment()
    lang = ed.meta.language or "zh-Hans"
    meta = book_metadata(ed, epoch)
    common = {"lang": lang, "ui": UI, "roles": ROLES, "meta": meta}
    pages = [{"href": f"{files[ed.part_of[p.anchor]]}#{p.anchor}", "text": p.n} for p in ed.pages if p.n]
    toc = nav_tree(docs)
    hrefs = {k: f"{files[v]}#{k}" for k, v in ed.part_of.items() if v in files}
    out: dict[str, str] = {}
    for doc in docs:
        out[doc.href] = env.get_template(doc.template).render(
            **common, **doc.context, page_title=doc.title, notes=doc.notes, hrefs=hrefs, alt=cover_alt(ed),
            cover_label=UI["cover"])
    in_spine = ed.contents is not None
    out["nav.xhtml"] = env.get_template("nav.xhtml").render(
        **common, page_title=UI["contents"], notes=[], toc=toc, landmarks=landmarks(ed, docs, files), pages=pages)
    out["toc.ncx"] = env.get_template("toc.ncx").render(**common, toc=toc, depth=depth(toc))
    out["cover.svg"] = env.get_template("cover.svg").render(
        **common, alt=cover_alt(ed), series=ed.meta.series, title_lines=cover_lines(meta["title"], 8),
        author_lines=[a + " 著" for a in meta["authors"]][:3], publisher=ed.meta.print_publisher)
    out["css/book.css"] = (TEMPLATES / "book.css").read_text(encoding="utf-8")
    spine = [{"id": item_id(d.href), "linear": d.linear} for d in docs]
    if not in_spine:  # no printed contents: the nav document is the contents page, after the imprint
        opening = sum(d.template in ("titlepage.xhtml", "imprint.xhtml") for d in docs)
        spine.insert(1 + opening, {"id": item_id("nav.xhtml"), "linear": True})
    manifest = [{"id": item_id(h), "href": h, "media_type": MEDIA_TYPES[Path(h).suffix],
                 "properties": {"nav.xhtml": "nav", "cover.svg": "cover-image"}.get(h, "")} for h in sorted(out)]
    out["content.opf"] = env.get_template("content.opf").render(**common, manifest=manifest, spine=spine, pages=pages)
    files = {f"OEBPS/{name}": text.encode("utf-8") for name, text in out.items()}
    files["META-INF/container.xml"] = (TEMPLATES / "container.xml").read_bytes()
    return files


def cover_alt(ed: Edition) -> str:
    return "，".join(x for x in (ed.meta.title, "、".join(ed.meta.authors)) if x)


def item_id(href: str) -> str:
    return "cover-image" if href == "cover.svg" else ("ncx" if href == "toc.ncx" else
                                                       "x-" + re.sub(r"[^A-Za-z0-9_-]", "-", href))


def depth(points: list[NavPoint]) -> int:
    return 1 + max((depth(p.children) for p in points), default=0) if points else 0


def write_epub(out_path: Path, files: dict[str, bytes], epoch: int) -> None:
    """Zip with mimetype first and stored, entries sorted, one fixed timestamp; then rename into place."""
    stamp = time.gmtime(epoch)[:6]

    def write(raw: BinaryIO) -> None:
        with zipfile.ZipFile(raw, "w") as zf:
            for name, data, method in [("mimetype", b"application/epub+zip", zipfile.ZIP_STORED),
                                       *((n, files[n], zipfile.ZIP_DEFLATED) for n in sorted(files))]:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type, info.create_system, info.external_attr = method, 3, 0o100644 << 16
                zf.writestr(info, data, compresslevel=9 if method == zipfile.ZIP_DEFLATED else None)

    write_atomic_with(out_path, write)


def render_epub(tei_path: Path, out_path: Path) -> None:
    """Render the TEI edition at `tei_path` as an EPUB 3 at `out_path` (written atomically)."""
    flavor = EpubFlavor()
    ed = read_tei(Path(tei_path), flavor)
    epoch = max(source_date_epoch(ed), ZIP_EPOCH_MIN)
    files = flavor.files
    write_epub(Path(out_path), package_files(ed, content_docs(ed, files), epoch, files), epoch)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m pipeline.epub BOOK.xml OUT.epub", file=sys.stderr)
        return 2
    start = time.perf_counter()
    render_epub(Path(argv[0]), Path(argv[1]))
    print(f"{argv[1]} written in {time.perf_counter() - start:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
