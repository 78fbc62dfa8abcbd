"""Four kubernetes.io pages written as transcripts (see README.md here): every session
verifies, each block that shows an older Kubernetes than v1.35 drifting as announced.

A session that still fails because of a part of the simulated cluster or of the runner
that is not built yet is marked ``xfail(strict=True)`` naming what it waits for, so it
turns red the day that part lands and the mark can go.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutorial_runner.document import read_document
from tutorial_runner.engine import run_session
from tutorial_runner.environment import load_environment

HERE = Path(__file__).resolve().parent
DOCUMENTS = sorted(p.name for p in HERE.glob("*.md") if p.name != "README.md")

# (document, session) -> what it waits for
WAITING: dict[tuple[str, str], str] = {}     # none since kube-proxy, pod DNS, apply -f URL
                                             # and the runner's table bindings were merged


def _sessions():
    for name in DOCUMENTS:
        for session in read_document(HERE / name).sessions:
            reason = WAITING.get((name, session.name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, session.name, marks=marks, id=f"{name}::{session.name}")


def test_the_corpus():
    assert DOCUMENTS == ["connect-applications-service.md", "dns-pod-service.md",
                         "expose-external-ip-address.md", "source-ip.md"]
    known = {(name, s.name) for name in DOCUMENTS for s in read_document(HERE / name).sessions}
    assert set(WAITING) <= known


def test_every_drift_names_a_difference():
    """Each announced drift gives its reason, and names what changed (a version, a program,
    or what the page shows that a cluster does not)."""
    for name in DOCUMENTS:
        for block in read_document(HERE / name).blocks:
            reason = block.options.expect_drift if block.kind == "transcript" else None
            if reason:
                assert len(reason) > 30, (name, block.line, reason)
                assert any(word in reason for word in ("v1.", "Kubernetes 1.", "echoserver",
                                                       "page")), (name, block.line, reason)


@pytest.mark.parametrize("document,session_name", list(_sessions()))
def test_session_verifies(document, session_name):
    session = next(s for s in read_document(HERE / document).sessions if s.name == session_name)
    result = run_session(session, load_environment("sim"), sandbox="auto", cache=None)
    failures = [(b.block.line, b.status, b.message,
                 [(s.line, s.diff) for s in b.steps if not s.ok]) for b in result.blocks
                if not b.ok]
    assert result.ok, failures
    assert {b.status for b in result.blocks} <= {"verified", "drift", "skipped"}
