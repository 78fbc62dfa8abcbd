"""Hostile commands typed by a transcript: each one ends in a clear result, the session
recovers or ends cleanly, no process is left, nothing is written outside, and the
document is untouched."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.reliability.harness import (
    CORPUS, materialize, needs_bwrap, pwned_files, record_shells, run_document, sha256)

HOSTILE = CORPUS / "hostile"


@dataclass(frozen=True)
class Outcome:
    statuses: tuple[str, ...]          # block by block
    note: str = ""                     # in the first failing step's note or the error message
    leftovers: tuple[str, ...] = ()    # command-line patterns that must not outlive the run


TIMEOUT = "timed out after 2 s"
WAITING = "waiting for input that the transcript does not give"
OVERFLOW = "output over 1000000 bytes: stopped"

# case file -> what must happen
CASES: dict[str, Outcome] = {
    "sleep-forever.md": Outcome(("failed", "verified"), TIMEOUT, ("sleep infinity",)),
    "watch-pods.md": Outcome(("failed", "verified"), TIMEOUT, ("get pods -w",)),
    "stdin-never-comes.md": Outcome(("failed", "verified"), WAITING),
    "kubectl-stdin.md": Outcome(("failed", "verified"), WAITING, ("apply -f -",)),
    "exit-shell.md": Outcome(("error", "error"), "the shell exited"),
    "kill-shell.md": Outcome(("error", "error"), "the shell exited"),
    "kill-cluster-pkill.md": Outcome(("verified", "verified")),
    "kill-cluster-pid.md": Outcome(("verified",)),
    "huge-output.md": Outcome(("failed", "verified"), OVERFLOW, ("/dev/zero",)),
    "endless-output.md": Outcome(("failed", "verified"), OVERFLOW),
    "write-outside.md": Outcome(("verified",)),
    "write-home.md": Outcome(("verified",)),
    "tmp-private.md": Outcome(("verified",)),
    "network.md": Outcome(("verified",)),
    "escape-marker.md": Outcome(("verified",), "", ("sleep 987654", "sleep 987653")),
    "raw-terminal.md": Outcome(("failed", "verified"), TIMEOUT, ("sleep infinity",)),
    "ignore-interrupts.md": Outcome(("error", "error"), "did not recover", ("sleep infinity",)),
    "pager.md": Outcome(("error", "error"), "did not recover", ("less /etc/hostname",)),
    "binary-output.md": Outcome(("failed", "verified"), "not UTF-8"),
    "exec-sleep.md": Outcome(("error", "error"), "the shell exited", ("sleep infinity",)),
    "set-prompt.md": Outcome(("verified", "verified")),
    "stty-echo.md": Outcome(("verified", "verified")),
    "long-command.md": Outcome(("verified", "verified")),
}

KNOWN_BUGS: dict[str, str] = {}


def test_every_hostile_case_has_an_outcome():
    on_disk = {p.name for p in HOSTILE.glob("*.md")} - {"fork-bomb.md", "control-characters.md",
                                                        "terminal-escapes.md"}
    assert on_disk == set(CASES)


def _first_problem(record) -> str:
    for block in record.blocks:
        if block.status == "error":
            return block.message
        for step in block.steps:
            if not step.ok:
                return step.note
    return ""


def _cases():
    for name in sorted(CASES):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []
        yield pytest.param(name, marks=marks, id=name)


@needs_bwrap
@pytest.mark.parametrize("case", list(_cases()))
def test_hostile_command(case, tmp_path, monkeypatch):
    outcome = CASES[case]
    outside = tmp_path / "outside"
    outside.mkdir()
    source = HOSTILE / case
    before_source = sha256(source)
    document = materialize(source, tmp_path, outside)
    before = sha256(document)

    record = record_shells(monkeypatch)
    run_document(document, record)

    report = [(b.status, b.message, [(s.command, s.live, s.note) for s in b.steps])
              for b in record.blocks]
    assert tuple(record.statuses) == outcome.statuses, report
    if outcome.note:
        assert outcome.note in _first_problem(record), report
    assert record.leftovers(outcome.leftovers) == []
    assert all(not shell.root.exists() for shell in record.shells)
    assert pwned_files([outside, tmp_path]) == []
    assert list(outside.iterdir()) == []
    assert sha256(document) == before
    assert sha256(source) == before_source


@needs_bwrap
def test_a_shell_ended_by_the_interrupt_does_not_stop_the_run(tmp_path, monkeypatch, capsys):
    from tutorial_runner.cli import main

    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))
    good = tmp_path / "zz-good.md"
    good.write_text("```{transcript}\n$ echo fine\nfine\n```\n")
    code = main(["check", "--no-cache", str(HOSTILE / "exec-sleep.md"), str(good)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 1
    assert "1 verified" in out


FLIP = """\
import os, shutil, sys
outside = sys.argv[1]
while True:
    try:
        os.mkdir("sub")
        shutil.rmtree("sub")
    except OSError:
        shutil.rmtree("sub", ignore_errors=True)
    try:
        os.symlink(outside, "sub")
        os.unlink("sub")
    except OSError:
        pass
"""


@needs_bwrap
def test_tutorial_files_cannot_be_redirected_outside_by_a_symlink_race(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    parts = ["# A race\n", "```{tutorial-file} flip.py\n" + FLIP + "```\n",
             f"```{{transcript}}\n$ (python3 flip.py {outside} >/dev/null 2>&1 &); sleep 0.3\n```\n"]
    for n in range(200):
        parts.append(f"```{{tutorial-file}} sub/f{n}.yaml\nn: {n}\n```\n")
        parts.append("```{transcript}\n$ true\n```\n")
    document = tmp_path / "race.md"
    document.write_text("\n".join(parts))

    record = record_shells(monkeypatch)
    # A race: tried a few times over (a run of 200 files takes about two seconds).
    for _ in range(6):
        run_document(document, record, environment="plain")
        assert record.leftovers(["flip.py"]) == []
        if any(outside.iterdir()):
            break
    assert sorted(p.name for p in outside.iterdir()) == []


def test_junit_report_stays_well_formed_with_control_characters(tmp_path, monkeypatch, capsys):
    import xml.etree.ElementTree as ET

    from tutorial_runner.cli import main

    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))
    junit = tmp_path / "junit.xml"
    code = main(["check", "--no-cache", "--sandbox", "off", "--environment", "plain",
                 "--junit", str(junit), str(HOSTILE / "control-characters.md")])
    capsys.readouterr()
    assert code == 1
    root = ET.parse(junit).getroot()
    (failure,) = root.iter("failure")
    assert "+a" in failure.text


def test_the_text_report_carries_no_terminal_escapes(tmp_path, monkeypatch, capsys):
    from tutorial_runner.cli import main

    monkeypatch.setenv("TUTORIAL_RUNNER_CACHE", str(tmp_path / "cache"))
    code = main(["check", "--no-cache", "--sandbox", "off", "--environment", "plain",
                 str(HOSTILE / "terminal-escapes.md")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "+a" in out                      # the live line is reported …
    assert "\x1b" not in out + err          # … without a raw escape character
