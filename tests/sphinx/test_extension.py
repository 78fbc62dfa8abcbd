"""The extension in real Sphinx builds of roots/test-basic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutorial_runner.document import read_document
from tutorial_runner.sphinx import verify

from .fake_engine import FakeEngine


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(verify, "engine_module", lambda: fake)
    return fake


def page_html(app, name: str = "page") -> str:
    return (Path(app.outdir) / f"{name}.html").read_text(encoding="utf-8")


def transcripts(html: str) -> list[str]:
    return re.findall(r'<div class="tr-transcript.*?</div></div>(?=<div class="tr-badge)', html, re.S)


def test_blocks_are_the_ones_the_document_reader_finds(make_site, engine):
    app = make_site("html")
    for docname, source in (("page", "page.md"), ("other", "other.rst")):
        in_sphinx = app.env.tutorial_runner_blocks[docname]
        by_reader = read_document(Path(app.srcdir) / source).blocks
        assert in_sphinx == by_reader


def test_transcript_rendering_marks_prompts_output_and_commentary(make_site, engine):
    html = page_html(make_site("html"))
    shown = transcripts(html)
    assert len(shown) == 2                       # the :hide: block is not rendered
    first = shown[0]
    assert '<span class="tr-commentary"><span class="c1"># The file above' in first
    assert '<span class="gp">$ </span><span class="n">grep</span>' in first or \
        re.search(r'<span class="gp">\$ </span>.*grep', first)
    assert first.count('<span class="gp">&gt; </span>') == 2      # continuation prompts
    # output that looks like a comment or a prompt stays output
    assert '<span class="go"># not a comment\n</span>' in first
    assert '<span class="go">  % Total\n</span>' in first
    assert "hidden-setup" not in html


def test_copy_button_excludes_prompts_output_and_commentary(make_site, engine):
    app = make_site("html")
    excluded = {s.strip() for s in app.config.copybutton_exclude.split(",")}
    assert {".gp", ".go", ".tr-commentary", ".linenos"} <= excluded
    script = (Path(app.outdir) / "_static" / "copybutton.js").read_text()
    assert ".tr-commentary" in script


def test_tutorial_files_are_captioned_and_highlighted_by_extension(make_site, engine):
    html = page_html(make_site("html"))
    captions = re.findall(r'<div class="code-block-caption"><span class="caption-text">'
                          r'<code[^>]*><span class="pre">([^<]+)</span>', html)
    assert captions == ["deploy.yaml", "Makefile", "conf.d/default.conf"]
    for language in ("yaml", "make", "nginx"):
        assert re.search(rf'<div class="[^"]*\bhighlight-{language}\b', html), language


def test_badges_for_each_status(make_site, engine, tmp_path):
    app = make_site("html")
    html = page_html(app)
    assert 'tr-badge-verified' in html and "plain / default" in html
    assert re.search(r'tr-badge-skipped.*needs a real cloud account', html)
    other = page_html(app, "other")
    assert "tr-badge-verified" in other


def test_drift_and_failure_badges(make_site, engine, tmp_path):
    src = tmp_path / "test-basic"
    make_site("html")
    (src / "other.rst").write_text(
        "Other\n=====\n\n.. transcript::\n   :expect-drift: older kubectl printed more\n\n"
        "   $ echo one\n   one\n\n.. transcript::\n\n   $ echo FAIL\n   x\n",
        encoding="utf-8",
    )
    app = make_site("html", srcdir=src)
    html = page_html(app, "other")
    assert re.search(r'tr-badge-drift.*older kubectl printed more', html)
    assert '<details class="tr-live">' in html and "live says hello" in html
    assert 'tr-badge-failed' in html
    assert '<span class="gd">-x</span>' in html and '<span class="gi">+y</span>' in html


def test_second_build_replays_nothing_and_rewrites_nothing(make_site, engine, tmp_path):
    src = tmp_path / "test-basic"
    make_site("html")
    first_runs = len(engine.runs)
    assert first_runs == 3                                    # sessions one, two, rst
    page = src / "_build" / "html" / "page.html"
    before = page.stat().st_mtime_ns
    app = make_site("html", srcdir=src)
    assert len(engine.runs) == first_runs
    assert page.stat().st_mtime_ns == before
    assert "tr-badge-verified" in page_html(app)


def test_a_new_environment_version_replays_and_rewrites_changed_badges(
        make_site, engine, tmp_path, monkeypatch):
    src = tmp_path / "test-basic"
    make_site("html")
    runs = len(engine.runs)
    monkeypatch.setattr("tutorial_runner.environment.PlainEnvironment.version",
                        lambda self: "plain-2")
    engine.verdict_override = "failed"
    app = make_site("html", srcdir=src)
    assert len(engine.runs) == runs + 3
    assert "tr-badge-failed" in page_html(app, "other")      # source unchanged


def test_a_failed_hidden_step_is_shown_with_its_failure(make_site, engine, tmp_path):
    src = tmp_path / "test-basic"
    make_site("html")
    page = src / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "$ echo hidden-setup", "$ echo hidden-setup FAIL"), encoding="utf-8")
    html = page_html(make_site("html", srcdir=src))
    assert '<details class="tr-hidden">' in html and "hidden-setup FAIL" in html
    assert html.count("tr-badge-failed") == 1


def test_a_new_version_with_the_same_results_is_remembered(make_site, engine, tmp_path,
                                                           monkeypatch):
    src = tmp_path / "test-basic"
    make_site("html")
    monkeypatch.setattr("tutorial_runner.environment.PlainEnvironment.version",
                        lambda self: "plain-2")
    make_site("html", srcdir=src)
    runs = len(engine.runs)
    make_site("html", srcdir=src)
    assert len(engine.runs) == runs


def test_without_the_engine_pages_say_not_verified(make_site, monkeypatch):
    monkeypatch.setattr(verify, "engine_module", lambda: None)
    html = page_html(make_site("html"))
    assert "tr-badge-unverified" in html and "engine is not installed" in html


def test_transcripts_stay_out_of_translation_but_reasons_do_not(make_site, engine):
    app = make_site("gettext", gettext_additional_targets=["literal-block"])
    pot = (Path(app.outdir) / "page.pot").read_text(encoding="utf-8")
    assert "needs a real cloud account" in pot
    assert "grep -c name" not in pot and "kind: Deployment" not in pot
    assert "A page" in pot


def test_parallel_read_merges_the_blocks(make_site, engine):
    app = make_site("html", parallel=2)
    blocks = app.env.tutorial_runner_blocks
    assert sorted(blocks) == ["other", "page"]
    assert len(blocks["page"]) == 6
    assert "tr-badge-verified" in page_html(app, "other")


def test_japanese_pages_join_source_lines_but_not_code(make_site, engine):
    app = make_site("html", root="test-site")
    html = (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
    assert '各ページのコマンドは検証済みです。<code class="docutils literal' in html
    assert "の出力も確かめています。" in html
    assert '<span class="pre">kubectl</span>' in html
