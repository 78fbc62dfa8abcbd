"""The extension with the real engine and a real bash (the ``plain`` environment)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "test-basic"
    shutil.copytree(ROOTS / "test-basic", src)
    return src


def test_the_test_project_verifies_in_bash(make_site, source):
    app = make_site("tutorial", srcdir=source, tutorial_runner_sandbox="off")
    report = (Path(app.outdir) / "report.txt").read_text(encoding="utf-8")
    assert app.statuscode == 0, report
    assert report.startswith("6 verified, 1 skipped")


def test_an_edited_output_fails_and_is_named(make_site, source):
    page = source / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace("\na\nb\n", "\na\nc\n"),
                    encoding="utf-8")
    app = make_site("tutorial", srcdir=source, tutorial_runner_sandbox="off")
    assert app.statuscode == 1
    report = (Path(app.outdir) / "report.txt").read_text(encoding="utf-8")
    assert "page.md:15: $ for word in a b; do" in report
    assert "page.md:15: WARNING: failed: $ for word in a b; do" in app._warning.getvalue()


def test_html_shows_real_verdicts_and_the_second_build_replays_nothing(make_site, source):
    app = make_site("html", srcdir=source, tutorial_runner_sandbox="off")
    html = (Path(app.outdir) / "page.html").read_text(encoding="utf-8")
    assert html.count("tr-badge-verified") == 1 and "tr-badge-skipped" in html
    cache = source / "_cache"
    stored = sorted(cache.rglob("*.json"))
    assert len(stored) == 3
    mtimes = [p.stat().st_mtime_ns for p in stored]
    again = make_site("html", srcdir=source, tutorial_runner_sandbox="off")
    assert "verifying" not in again._status.getvalue()
    assert [p.stat().st_mtime_ns for p in stored] == mtimes
