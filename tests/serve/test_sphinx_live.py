"""What the extension puts in a built site for the live page: each transcript's place, the
page's words and blocks, and nothing that acts without `serve`."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tutorial_runner import site as site_build
from tutorial_runner.document import read_document
from tutorial_runner.live.labels import labels
from tutorial_runner.live.pages import read_page

from .conftest import LIVE_SITE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("live-site")
    source = work / "src"
    shutil.copytree(LIVE_SITE, source)
    assert site_build.html(work / "build", ["-q"], source=source, confdir=source,
                           languages={"ja": "日本語", "en": "English"}) == 0
    return work / "build" / "html"


def _config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="tr-live-config">(.*?)</script>', html)
    assert found, "no live configuration on the page"
    return json.loads(found.group(1))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_transcript_says_its_session_and_place(built, language):
    html = (built / language / "service.html").read_text(encoding="utf-8")
    places = re.findall(r'<div class="tr-transcript[^"]*" data-tr-block="(\d+)" '
                        r'data-tr-session="([^"]+)">', html)
    # block 0 is the tutorial-file: the transcripts are the session's blocks 1, 2 and 3
    assert places == [("1", "default"), ("2", "default")]
    assert '<div class="tr-transcript tr-status-unverified" data-tr-block="3" '\
        'data-tr-session="default" data-tr-skip="1">' in html
    config = _config(html)
    assert config["doc"] == "service" and config["lang"] == language
    assert config["labels"] == labels(language)
    assert "tutorial_runner_live.js" in html


def test_the_page_s_blocks_are_written_beside_it_as_the_runner_reads_them(built):
    expected = read_document(LIVE_SITE / "service.md").blocks
    for language in ("ja", "en"):
        page = read_page(built, language, "service")
        assert page is not None and page.environment == "sim"
        assert [(b.kind, b.body, b.options, b.filename) for b in page.blocks] == \
            [(b.kind, b.body, b.options, b.filename) for b in expected]
        assert page.session("default") is not None


def test_a_page_without_transcripts_has_no_live_part(built):
    html = (built / "ja" / "index.html").read_text(encoding="utf-8")
    assert 'id="tr-live-config"' not in html
    assert not (built / "ja" / "_tutorial_runner" / "index.json").exists()


def test_the_page_offers_nothing_live_by_itself(built):
    """The controls come from the script, after the server answers: the HTML has none."""
    html = (built / "ja" / "service.html").read_text(encoding="utf-8")
    assert "tr-live-try" not in html and "試してみる" in html   # only in the words
    script = (built / "ja" / "_static" / "tutorial_runner_live.js").read_text(encoding="utf-8")
    assert 'fetch("/_live/status"' in script
