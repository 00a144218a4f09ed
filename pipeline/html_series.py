"""The landing page of `output/html/`: one entry per book whose site is there,
so that a series built into one folder reads as a series (and a single book is
one click away).  Titles come from each site's copy of its TEI file."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .atomic import write_atomic
from .teiview import parse_safely

TEMPLATES = Path(__file__).parent / "templates" / "html"
NS = {"t": "http://www.tei-c.org/ns/1.0"}


def book_entry(site: Path) -> dict[str, str] | None:
    tei = site / f"{site.name}.xml"
    if not (site / "index.html").is_file() or not tei.is_file():
        return None
    try:
        root = parse_safely(tei).getroot()
    except Exception:  # noqa: BLE001 - a broken neighbour must not break this book's build
        return None
    title = root.findtext(".//t:titleStmt/t:title[@type='main']", namespaces=NS) or site.name
    author = root.findtext(".//t:titleStmt/t:author", namespaces=NS) or ""
    return {"href": f"{site.name}/index.html", "title": title.strip(), "author": author.strip()}


def write_series_page(html_root: Path) -> None:
    books = [e for e in (book_entry(p) for p in sorted(html_root.iterdir()) if p.is_dir()) if e]
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)
    page = env.get_template("series.html").render(books=books)
    write_atomic(html_root / "index.html", page.encode("utf-8"))
