"""The site itself: its driver, its root page, its catalogues and its transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tutorial_runner import site
from tutorial_runner.sphinx import verify
from tutorial_runner.sphinx.language import language_links

# The pages of the site's own frame (the tutorials' catalogues are checked with them).
FRAME_PAGES = ("index", "about")


def test_language_links_lead_to_the_same_page_in_each_language():
    links = language_links({"ja": "日本語", "en": "English"}, "ja", "tutorials/000-x", ".html")
    assert links == [
        {"code": "ja", "label": "日本語", "url": "../../ja/tutorials/000-x.html", "current": True},
        {"code": "en", "label": "English", "url": "../../en/tutorials/000-x.html", "current": False},
    ]
    top = language_links({"ja": "日本語", "en": "English"}, "en", "index", ".html")
    assert [link["url"] for link in top] == ["../ja/index.html", "../en/index.html"]


def test_root_index_links_every_language_and_picks_one():
    page = site.root_index({"ja": "日本語", "en": "English"}, default="en")
    assert '<a href="ja/index.html" hreflang="ja" lang="ja">日本語</a>' in page
    assert '<a href="en/index.html" hreflang="en" lang="en">English</a>' in page
    assert 'var available = ["ja", "en"];' in page
    assert 'location.replace("en/index.html")' in page


def test_unknown_command_prints_usage(capsys):
    assert site.main(["publish", "_build"]) == 2
    assert "usage" in capsys.readouterr().err


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    builddir = tmp_path_factory.mktemp("gettext")
    assert site.gettext(builddir, ["-q"]) == 0
    return builddir / "gettext"


@pytest.mark.parametrize("page", FRAME_PAGES)
def test_english_catalogue_translates_every_message(templates, page):
    with open(templates / f"{page}.pot", "rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with open(site.LOCALE / "en" / "LC_MESSAGES" / f"{page}.po", "rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    missing = sorted(i for i in wanted if i not in catalogue or not catalogue[i].string)
    fuzzy = sorted(i for i in wanted if i in catalogue and catalogue[i].fuzzy)
    assert missing == [] and fuzzy == []


def test_every_transcript_of_the_site_verifies(tmp_path):
    """``make doctest`` over docs/: the site's transcripts are part of ``make test``."""
    assert verify.engine_module() is not None
    status = site.doctest(tmp_path, ["-q"])
    report = (tmp_path / "doctest" / "report.txt").read_text(encoding="utf-8")
    assert status == 0, report
    summary = report.strip().splitlines()[-1]
    assert " verified" in summary and not any(
        word in summary for word in ("failed", "error", "unexpected", "could not be read")), summary
