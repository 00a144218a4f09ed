"""The HTML edition: a static site rendered from the TEI file alone.

`render_html(tei_path, out_dir)` reads the TEI through teiview, renders every
page with the Jinja templates in `templates/html/` (autoescape on), copies the
static assets and the downloads, indexes the site with Pagefind, and only
then replaces `out_dir`: a failed build leaves the previous site untouched.

All links are relative and every asset is local, so the site opens from disk
(file://) and from any static host; only search needs http://, because
browsers refuse fetch() from file:// pages.

Downloads: the TEI file is copied in as `<stem>.xml`.  The EPUB is copied in
as `<stem>.epub` when it already sits next to the TEI file (the build makes it
first); otherwise the site has no EPUB link, never a dangling one.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .cache import template_cache
from .html_flavor import HtmlFlavor, frame_ids
from .html_pages import (
    Download,
    Page,
    Site,
    finding_aid_pages,
    home_page,
    site_nav,
    text_pages,
)
from .html_search import build_search_index
from .teiview import Edition, read_tei

TEMPLATES = Path(__file__).parent / "templates" / "html"
STATIC = TEMPLATES / "static"


def render_html(tei_path: Path, out_dir: Path) -> None:
    """Render the HTML edition of `tei_path` into `out_dir` (replaced whole)."""
    tei_path, out_dir = Path(tei_path), Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        write_site(tei_path, staging)
        build_search_index(staging)
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_site(tei_path: Path, site_dir: Path) -> list[Page]:
    """Every page, asset and download of the site, without the search index."""
    flavor = HtmlFlavor()
    edition = read_tei(tei_path, flavor)
    downloads = copy_downloads(tei_path, site_dir)
    texts = text_pages(edition, flavor)
    pages = [home_page(edition, flavor, texts), *texts, *finding_aid_pages(edition, flavor)]
    site = Site(edition.meta.title, footer_text(edition), site_nav(pages), downloads, frame_ids(edition.ids))
    env = jinja_env()
    for page in pages:
        html = env.get_template(page.template).render(site=site, page=page)
        (site_dir / page.filename).write_text(html, encoding="utf-8")
    shutil.copytree(STATIC, site_dir / "static")
    return pages


def jinja_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        bytecode_cache=template_cache("html"),
    )


def footer_text(edition: Edition) -> str:
    m = edition.meta
    parts = [m.title, m.subtitle, m.publisher, m.edition_date, m.licence]
    return " · ".join(p for p in parts if p)


def human_size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} B"


def copy_downloads(tei_path: Path, site_dir: Path) -> tuple[Download, ...]:
    stem = tei_path.stem
    found = []
    for source, label in ((tei_path, "TEI P5 XML"), (tei_path.with_suffix(".epub"), "EPUB 3 电子书")):
        if source.is_file():
            target = site_dir / f"{stem}{source.suffix}"
            shutil.copyfile(source, target)
            found.append(Download(target.name, label, human_size(target.stat().st_size)))
    return tuple(found)


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by `staging` with two renames on the same filesystem.

    Ctrl-C is held back until the swap is done: between the two renames there is
    no site at all, and an interrupt there would leave none.
    """
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
    with interrupts_deferred():
        for stale in out_dir.parent.glob(f".{out_dir.name}.old-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        if not out_dir.exists():
            staging.rename(out_dir)
            return
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        retired.rmdir()
        out_dir.rename(retired)
        try:
            staging.rename(out_dir)
        except OSError:
            retired.rename(out_dir)
            raise
        shutil.rmtree(retired, ignore_errors=True)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM for the duration; one that came is raised afterwards.

    Python-level handlers, not a blocked signal mask: a mask holds only for the
    thread that sets it, and with another thread alive (the search service's
    warm-up) the kernel hands the signal to that thread and Python raises it in
    the main thread anyway, between the two renames.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: received.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if received:
            signal.raise_signal(received[0])  # now handled as it would have been
