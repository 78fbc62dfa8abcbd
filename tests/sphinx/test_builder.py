"""The ``tutorial`` builder (``make doctest``): summary, report, JUnit XML, exit status."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tutorial_runner.sphinx import verify

from .fake_engine import FakeEngine

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(verify, "engine_module", lambda: fake)
    return fake


def with_other(tmp_path: Path, text: str) -> Path:
    """test-basic with other.rst replaced by ``text``."""
    src = tmp_path / "test-basic"
    shutil.copytree(ROOTS / "test-basic", src)
    (src / "other.rst").write_text(text, encoding="utf-8")
    return src


def test_all_matching_builds_succeed_with_a_report(make_site, engine):
    app = make_site("tutorial")
    assert app.statuscode == 0
    report = (Path(app.outdir) / "report.txt").read_text(encoding="utf-8")
    assert report.startswith("6 verified, 1 skipped (3 sessions")
    suite = ET.parse(Path(app.outdir) / "junit.xml").getroot().find("testsuite")
    assert suite.get("tests") == "7" and suite.get("failures") == "0"
    assert suite.get("skipped") == "1"


def test_a_mismatch_fails_the_build_and_names_file_and_line(make_site, engine, tmp_path):
    src = with_other(tmp_path, "Other\n=====\n\n.. transcript::\n\n"
                               "   $ echo ok\n   x\n   $ echo FAIL\n   x\n")
    app = make_site("tutorial", srcdir=src)
    assert app.statuscode == 1
    report = (Path(app.outdir) / "report.txt").read_text(encoding="utf-8")
    assert "FAILED other.rst:4" in report           # the directive
    assert "other.rst:8: $ echo FAIL" in report     # the command's line
    assert "bindings: 10.0.0.1 → 10.0.0.9" in report
    assert "1 failed" in report
    assert "other.rst:8: WARNING: failed: $ echo FAIL" in app._warning.getvalue()
    suite = ET.parse(Path(app.outdir) / "junit.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1"
    failure = suite.find(".//failure")
    assert failure is not None and "echo FAIL" in failure.text


def test_a_session_that_raises_is_an_error_of_its_blocks(make_site, engine, monkeypatch):
    def broken(session, *args, **kwargs):
        raise OSError("no pty left")

    monkeypatch.setattr(engine, "run_session", broken)
    app = make_site("tutorial")
    assert app.statuscode == 1
    report = (Path(app.outdir) / "report.txt").read_text(encoding="utf-8")
    assert "the run failed: OSError: no pty left" in report
    warnings = app._warning.getvalue()
    assert "page.md:3: WARNING: error: the run failed: OSError: no pty left " \
        "(and 2 later block(s))" in warnings
    assert warnings.count("no pty left") == 3      # once per session


def test_without_the_engine_the_builder_fails(make_site, monkeypatch):
    monkeypatch.setattr(verify, "engine_module", lambda: None)
    app = make_site("tutorial")
    assert app.statuscode == 1
    assert "engine" in app._warning.getvalue()
