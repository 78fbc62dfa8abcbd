"""Reports carry no raw control characters: readable on a terminal, well-formed as XML."""

import xml.etree.ElementTree as ET
from pathlib import Path

from tutorial_runner.engine import BlockResult, SessionResult, StepResult
from tutorial_runner.model import Block, BlockOptions, Session
from tutorial_runner.report import junit_xml, text_report, visible
from tutorial_runner.session import normalize


def test_visible_escapes_controls_but_keeps_tab_newline_and_text():
    assert visible("a\x01b\x00c\x0bd\x7f\x9b") == "a\\x01b\\x00c\\x0bd\\x7f\\x9b"
    assert visible("tab\there\nnext → ü") == "tab\there\nnext → ü"
    assert visible("\ufffe") == "\\ufffe"


def test_normalize_strips_every_escape_sequence():
    raw = b"a\x1bcb\x1b]52;c;cHduZWQ=\x07c\x1b7d\x1b(Be\x1b[1;31mf\x1b[0m\x1bPq#\x1b\\g\x1b"
    assert normalize(raw) == ("abcdefg", False)


def _result(live: str) -> SessionResult:
    block = Block(kind="transcript", path=Path("doc.md"), line=3, body=("$ printf x", "x"),
                  body_line=4, options=BlockOptions())
    step = StepResult(line=4, command="printf x", expected=["x"], live=[live], ok=False,
                      diff=["-x", f"+{live}"])
    return SessionResult(Session(Path("doc.md"), "default", [block]), [BlockResult(block, "failed", "", [step])])


def test_junit_and_text_report_with_control_characters():
    result = _result("a\x01b\x00c\x0bd\x1b")
    root = ET.fromstring(junit_xml([result]).split("\n", 1)[1])
    (failure,) = root.iter("failure")
    assert "+a\\x01b\\x00c\\x0bd\\x1b" in failure.text
    text = text_report([result])
    assert "+a\\x01b" in text and "\x1b" not in text and "\x00" not in text


def test_main_puts_the_signal_handlers_back(tmp_path, monkeypatch):
    import signal

    from tutorial_runner.cli import main

    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))
    doc = tmp_path / "d.md"
    doc.write_text("```{transcript}\n$ echo hi\nhi\n```\n")
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    assert main(["check", "--sandbox", "off", "--environment", "plain", str(doc)]) == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before
