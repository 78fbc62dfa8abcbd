"""What a transcript prints reaches the built site only as text: markup in live output
(shown with a drift or a failure) is escaped, never interpreted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.reliability.harness import HERE

BIN = Path(sys.executable).parent


def test_markup_in_live_output_is_escaped_in_html(tmp_path):
    root = tmp_path / "markup"
    shutil.copytree(HERE / "roots" / "markup", root)
    done = subprocess.run([str(BIN / "sphinx-build"), "-q", "-b", "html", str(root),
                           str(root / "_build")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = (root / "_build" / "page.html").read_text(encoding="utf-8")
    # The live output is on the page (drift: what the cluster prints; failure: the diff) …
    assert "tr-live-output" in html and "tr-diff-output" in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    # … and none of it as markup.
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
