"""Bad manifests applied by a transcript: the simulated kubectl prints exactly what
kubectl v1.35 prints, and the session goes on.

Each case's transcript holds the expected error.  Client-side errors (YAML parsing) were
checked against the real kubectl v1.35.2 (`test_client_side_wording_is_kubectl_s`, skipped
without it); server-side ones follow the Kubernetes sources (apimachinery field errors,
kubectl's `The <Kind> "<name>" is invalid` and `error when creating` wrappers).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.deps import REFERENCE_KUBECTL, needs_reference
from tests.reliability.harness import CORPUS, record_shells, run_document, sha256
from tutorial_runner.document import read_document

MANIFESTS = CORPUS / "manifests"

CASES = sorted(p.name for p in MANIFESTS.glob("*.md"))

KNOWN_BUGS: dict[str, str] = {}


def _cases():
    for name in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []
        yield pytest.param(name, marks=marks, id=name)


def test_the_manifest_corpus():
    assert len(CASES) >= 12
    assert set(KNOWN_BUGS) <= set(CASES)


@pytest.mark.parametrize("case", list(_cases()))
def test_bad_manifest_gives_kubectl_s_error(case, monkeypatch):
    path = MANIFESTS / case
    before = sha256(path)
    record = record_shells(monkeypatch)
    run_document(path, record, sandbox="auto")
    failures = [(step.line, step.diff) for block in record.blocks for step in block.steps
                if not step.ok]
    assert record.statuses and set(record.statuses) == {"verified"}, failures
    assert record.leftovers() == []
    assert sha256(path) == before


# -- client-side wording against the real kubectl --------------------------------------------

CLIENT_SIDE = ["invalid-yaml.md", "yaml-tab.md", "yaml-unclosed-flow.md"]


@needs_reference
@pytest.mark.parametrize("case", CLIENT_SIDE)
def test_client_side_wording_is_kubectl_s(case, tmp_path):
    """The documented error is the one the real kubectl prints (no server is needed: the
    file fails to parse before kubectl asks the server anything)."""
    document = read_document(MANIFESTS / case)
    (file_block,) = [b for b in document.blocks if b.kind == "file"]
    (transcript,) = [b for b in document.blocks if b.kind == "transcript"]
    (tmp_path / file_block.filename).write_text(file_block.text + "\n")
    command = transcript.body[0].removeprefix("$ ").split()
    expected = transcript.body[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n")
    done = subprocess.run([str(REFERENCE_KUBECTL), *command[1:], "--validate=false"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30,
                          env={"KUBECONFIG": str(kubeconfig), "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert done.stderr.strip() == expected
    assert re.match(r"error: error parsing \S+: error converting YAML to JSON: yaml: line \d+: ",
                    expected)
