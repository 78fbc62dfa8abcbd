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
OVERFLOW = "output over 1000000 bytes: stopped"

# case file -> what must happen
CASES: dict[str, Outcome] = {
    "sleep-forever.md": Outcome(("failed", "verified"), TIMEOUT, ("sleep 100000",)),
    "watch-pods.md": Outcome(("failed", "verified"), TIMEOUT, ("get pods -w",)),
    "stdin-never-comes.md": Outcome(("failed", "verified"), TIMEOUT),
    "kubectl-stdin.md": Outcome(("failed", "verified"), TIMEOUT, ("apply -f -",)),
    "exit-shell.md": Outcome(("error", "error"), "the shell exited"),
    "kill-shell.md": Outcome(("error", "error"), "the shell exited"),
    "kill-cluster-pkill.md": Outcome(("verified",)),
    "kill-cluster-pid.md": Outcome(("verified",)),
    "huge-output.md": Outcome(("failed", "verified"), OVERFLOW, ("/dev/zero",)),
    "endless-output.md": Outcome(("failed", "verified"), OVERFLOW),
    "write-outside.md": Outcome(("verified",)),
    "write-home.md": Outcome(("verified",)),
    "tmp-private.md": Outcome(("verified",)),
    "network.md": Outcome(("verified",)),
    "escape-marker.md": Outcome(("verified",), "", ("sleep 987654", "sleep 987653")),
    "raw-terminal.md": Outcome(("failed", "verified"), TIMEOUT, ("sleep 100000",)),
}


def test_every_hostile_case_has_an_outcome():
    on_disk = {p.name for p in HOSTILE.glob("*.md")} - {"fork-bomb.md"}
    assert on_disk == set(CASES)


def _first_problem(record) -> str:
    for block in record.blocks:
        if block.status == "error":
            return block.message
        for step in block.steps:
            if not step.ok:
                return step.note
    return ""


@needs_bwrap
@pytest.mark.parametrize("case", sorted(CASES))
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
