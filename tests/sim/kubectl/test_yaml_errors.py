"""A manifest that is not YAML: kubectl's (go-yaml's) wording and line numbers, compared
with the real kubectl (which fails before it asks the server anything)."""

from __future__ import annotations

import pytest

from tests.sim.kubectl.conftest import NoServer, needs_reference, run_reference, run_sim

BROKEN = {
    "indented-key": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   labels: x\n",
    "tab-indent": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n\tx: 1\n",
    "unclosed-sequence": "a: [\n",
    "unclosed-mapping": "a: {b: 1\n",
    "sequence-then-key": "a:\n  - x\n  y: 1\n",
    "bad-escape": 'a: "x\\qy"\n',
    "over-indented": "a: 1\n b: 2\n",
    "sequence-missing-comma": "a: [1, 2\nb: 3\n",
    "reserved-character": "key: @x\n",
    "two-colons": "a: b: c\n",
    "unclosed-quote": 'a: "unclosed\n',
    "list-then-map": "- a\nb: 1\n",
    "under-indented": "a:\n  b: 1\n c: 2\n",
}


def _apply(tmp_path, name: str, runner):
    path = tmp_path / f"{name}.yaml"
    path.write_text(BROKEN[name])
    return runner(["apply", "-f", path.name, "--validate=false"], str(tmp_path))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_yaml_error_is_go_yaml_s(name, tmp_path):
    ours = _apply(tmp_path, name, lambda a, cwd: run_sim(NoServer(), a, cwd))
    assert ours.code == 1 and ours.stdout == ""
    assert ours.stderr.startswith(f"error: error parsing {name}.yaml: error converting YAML to "
                                  "JSON: yaml: ")
    assert "here" not in ours.stderr and "found '" not in ours.stderr


@needs_reference
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_yaml_error_matches_kubectl(name, tmp_path):
    ours = _apply(tmp_path, name, lambda a, cwd: run_sim(NoServer(), a, cwd))
    real = _apply(tmp_path, name, run_reference)
    assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, real.stderr)
