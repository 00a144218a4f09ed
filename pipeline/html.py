"""The HTML edition: a static site rendered from the TEI file alone.

`render_html(tei_path, out_dir)` reads the TEI through teiview, renders every
page with the Jinja templates in `templates/html/` (autoescape on), copies the
static assets and the downloads, indexes the site with Pagefind, and only
then replaces `out_dir`: a failed build leaves the previous site untouched.
The build uses its two halves, `start_html()` and `PendingSite.finish()`, to
render the EPUB while Pagefind indexes the pages on another core: only the
home page shows the downloads, in a part the index ignores, so it is
rendered again with them at the end.

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
from dataclasses import replace
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
    start_html(tei_path, out_dir).finish()


def start_html(tei_path: Path, out_dir: Path) -> PendingSite:
    """Write the site beside `out_dir` and start indexing it; `finish()` puts it in place."""
    tei_path, out_dir = Path(tei_path), Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        pending = PendingSite(tei_path, out_dir, staging, write_site(tei_path, staging))
        pending.start_index()
        return pending
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


class PendingSite:
    """A site written to its staging folder, with Pagefind indexing it in a thread
    (the thread only waits on the Pagefind process, which does the work)."""

    def __init__(self, tei_path: Path, out_dir: Path, staging: Path, written: WrittenSite) -> None:
        self.tei_path, self.out_dir, self.staging, self.written = tei_path, out_dir, staging, written
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._index, name="pagefind-index", daemon=True)

    def start_index(self) -> None:
        self.thread.start()

    def _index(self) -> None:
        try:
            build_search_index(self.staging)
        except BaseException as exc:  # raised again in finish(), in the build's thread
            self.failure = exc

    def finish(self) -> None:
        """The downloads as they are now (the EPUB just made), the index, then the swap."""
        try:
            self.thread.join()
            if self.failure is not None:
                raise self.failure
            self.written.add_downloads(copy_downloads(self.tei_path, self.staging))
            swap_into_place(self.staging, self.out_dir)
        except BaseException:
            self.abandon()
            raise

    def abandon(self) -> None:
        self.thread.join()  # Pagefind's answer is written into the staging folder: wait for it
        shutil.rmtree(self.staging, ignore_errors=True)


class WrittenSite:
    """The pages written to a site folder; the home page is written again with the downloads."""

    def __init__(self, site_dir: Path, site: Site, home: Page) -> None:
        self.site_dir, self.site, self.home = site_dir, site, home
        self.env = jinja_env()

    def write(self, page: Page, site: Site) -> None:
        html = self.env.get_template(page.template).render(site=site, page=page)
        (self.site_dir / page.filename).write_text(html, encoding="utf-8")

    def add_downloads(self, downloads: tuple[Download, ...]) -> None:
        if downloads != self.site.downloads:
            self.write(self.home, replace(self.site, downloads=downloads))


def write_site(tei_path: Path, site_dir: Path) -> WrittenSite:
    """Every page and asset of the site, without the downloads and the search index."""
    flavor = HtmlFlavor()
    edition = read_tei(tei_path, flavor)
    texts = text_pages(edition, flavor)
    pages = [home_page(edition, flavor, texts), *texts, *finding_aid_pages(edition, flavor)]
    site = Site(edition.meta.title, footer_text(edition), site_nav(pages), (), frame_ids(edition.ids))
    written = WrittenSite(site_dir, site, pages[0])
    for page in pages:
        written.write(page, site)
    shutil.copytree(STATIC, site_dir / "static")
    return written


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
