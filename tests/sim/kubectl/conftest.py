"""Shared fixtures: a ToolIO double, a cluster-less stand-in, and the reference kubectl."""

from __future__ import annotations

import os
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.kubectl.main import main
from tests.deps import REFERENCE_KUBECTL, needs_reference
from tests.sim.kubectl.fakeio import FakeIO

REFERENCE = str(REFERENCE_KUBECTL) if REFERENCE_KUBECTL else ""


@dataclass
class Run:
    stdout: str
    stderr: str
    code: int


class NoServer:
    """What generators need when nothing reaches the server: a seeded rng."""

    def __init__(self) -> None:
        self.rng = random.Random(7)
        self.profile: dict = {}


def run_sim(cluster, args: list[str], cwd: str, **io_kw) -> Run:
    io = FakeIO(cwd=cwd, **io_kw)
    code = main(cluster, list(args), io)
    return Run(io.stdout, io.stderr, code)


def run_reference(args: list[str], cwd: str) -> Run:
    """The real kubectl with a kubeconfig whose server refuses connections."""
    home = Path(cwd) / ".home"
    home.mkdir(exist_ok=True)
    config = home / "config"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n"
        "    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n"
        "    user: u\n    namespace: default\nusers:\n- name: u\n  user: {token: x}\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "KUBECONFIG": str(config),
           "KUBECTL_KUBERC": "false", "LANG": "C.UTF-8"}
    proc = subprocess.run([REFERENCE, *args], cwd=cwd, env=env, capture_output=True, timeout=30)
    return Run(proc.stdout.decode(), proc.stderr.decode(), proc.returncode)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("work")
    (tmp_path / "default.conf").write_text("server {\n  listen 80;\n}\n")
    d = tmp_path / "cfgdir"
    d.mkdir()
    (d / "a.txt").write_text("hi\n")
    (d / "bin.dat").write_bytes(b"\xff\xfe")
    (tmp_path / "app.env").write_text("\ufeff# settings\nA=1\n  B=two=2\n\nEMPTY=\n")
    (tmp_path / "bad.env").write_text("1BAD=x\n")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "comments.yaml").write_text("---\n# nothing here\n---\n")
    for name, cn in (("nginx", "my-nginx"), ("other", "other")):
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "365", "-newkey",
                        "rsa:2048", "-keyout", str(tmp_path / f"{name}.key"), "-out",
                        str(tmp_path / f"{name}.crt"), "-subj", f"/CN={cn}/O={cn}"],
                       check=True, capture_output=True)
    return tmp_path


class StoreCluster:
    """The real object store and registry without controllers: state is exactly what a
    test puts in, so expected output follows from it."""

    def __init__(self) -> None:
        import threading
        from datetime import datetime, timezone

        from sim.api.registry import Registry
        from sim.api.store import Store
        from sim.clock import VirtualClock

        self.lock = threading.RLock()
        self.rng = random.Random(11)
        self.clock = VirtualClock(datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc), 11)
        self.profile: dict = {"version": "v1.35.2", "control_plane": {"port": 6443}}
        self.resources = Registry()
        self.store = Store(self.resources, self.rng, self.clock.timestamp)
        self.runtime: dict = {}
        self.reconciled = 0
        for ns in ("default", "kube-system"):
            self.store.create({"apiVersion": "v1", "kind": "Namespace",
                               "metadata": {"name": ns}})

    def reconcile(self) -> None:
        self.reconciled += 1

    def add(self, obj: dict) -> dict:
        """Store an object as a controller would (status included)."""
        return self.store.write(obj)


@pytest.fixture
def cluster() -> StoreCluster:
    return StoreCluster()
