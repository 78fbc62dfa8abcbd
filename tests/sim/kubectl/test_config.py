"""kubectl config against a real kubectl on an equivalent kubeconfig file (skipped without
one), and the namespace a context sets reaching later commands."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.sim.kubectl.conftest import REFERENCE, StoreCluster, needs_reference, run_sim

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: https://192.168.56.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: QUJD
    client-key-data: QUJD
"""

SEQUENCE = [
    ["config", "view"], ["config", "current-context"], ["config", "get-contexts"],
    ["config", "get-contexts", "--no-headers"], ["config", "get-contexts", "-o", "name"],
    ["config", "get-clusters"], ["config", "get-users"],
    ["config", "use-context", "nope"], ["config", "use-context", "kubernetes-admin@kubernetes"],
    ["config", "set-context", "--current", "--namespace=team"], ["config", "get-contexts"],
    ["config", "view", "--minify"], ["config", "set-context", "--current", "--namespace="],
    ["config", "get-contexts"],
    ["--context=foo", "get", "pods"], ["get", "pods", "--cluster=zz"],
    ["version", "--client", "--context=foo"],
    ["--context=kubernetes-admin@kubernetes", "version", "--client"],
]


def sim_cluster() -> StoreCluster:
    c = StoreCluster()
    c.add({"apiVersion": "v1", "kind": "Node",
           "metadata": {"name": "cp", "labels": {"node-role.kubernetes.io/control-plane": ""}},
           "status": {"addresses": [{"type": "InternalIP", "address": "192.168.56.10"}]}})
    return c


@needs_reference
def test_config_sequence_matches_kubectl(tmp_path):
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(path),
           "KUBECTL_KUBERC": "false"}
    cluster = sim_cluster()
    for args in SEQUENCE:
        real = subprocess.run([REFERENCE, *args], env=env, capture_output=True, text=True,
                              timeout=30)
        ours = run_sim(cluster, args, str(tmp_path))
        assert (ours.code, ours.stdout, ours.stderr) == (
            real.returncode, real.stdout, real.stderr), args


def test_context_namespace_is_the_default_for_later_commands():
    cluster = sim_cluster()
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    run_sim(cluster, ["config", "set-context", "--current", "--namespace=team"], "/")
    out = run_sim(cluster, ["get", "pods"], "/")
    assert out.stderr == "No resources found in team namespace.\n"
    run_sim(cluster, ["create", "configmap", "c", "--from-literal=a=b"], "/")
    assert cluster.store.find("configmaps", "team", "c") is not None
