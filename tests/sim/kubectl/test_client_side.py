"""Client-side behaviour compared byte for byte with a real kubectl v1.35 (skipped
without one): flag and command errors, generator validation, ``--dry-run=client``."""

from __future__ import annotations

import pytest

from sim import printers
from tests.sim.kubectl.conftest import NoServer, needs_reference, run_reference, run_sim

ERRORS = [
    ["foo"], ["ap"], ["describ"], ["GET"], ["zzzzzz"], ["optio"], ["ps"], ["rm"], ["list"],
    ["hel"], ["kuberc"], ["exe"], ["lgs"],
    ["get", "pods", "--foo"], ["get", "-x"], ["get", "pods", "-n"],
    ["scale", "--replicas=abc", "deploy", "x"],
    ["create"], ["create", "foo"], ["create", "deploy", "x"],
    ["create", "configmap", "--dry-run=client"],
    ["create", "service", "clusterip", "x", "--dry-run=client"],
    ["create", "svc", "nodeport", "x", "--clusterip=None", "--tcp=80", "--dry-run=client"],
    ["create", "service", "externalname", "x", "--dry-run=client"],
    ["create", "service", "externalname", "x", "--external-name=Bad_Name", "--dry-run=client"],
    ["create", "ingress", "x", "--rule=bad", "--dry-run=client"],
    ["create", "ingress", "x", "--dry-run=client"],
    ["create", "ingress", "x", "--default-backend=a", "--dry-run=client"],
    ["create", "secret", "generic", "s", "--from-literal=a", "--dry-run=client"],
    ["create", "secret", "generic", "s", "--from-literal=a b=c", "--dry-run=client"],
    ["create", "configmap", "x", "--from-file=nope", "--dry-run=client"],
    ["create", "configmap", "x", "--from-file=a=cfgdir", "--dry-run=client"],
    ["create", "configmap", "x", "--from-literal=a=1", "--from-literal=a=2", "--dry-run=client"],
    ["create", "configmap", "x", "--from-file==x", "--dry-run=client"],
    ["create", "configmap", "x", "--from-env-file=bad.env", "--dry-run=client"],
    ["create", "configmap", "x", "--from-env-file=nope.env", "--dry-run=client"],
    ["create", "configmap", "x", "--from-env-file=cfgdir", "--dry-run=client"],
    ["create", "configmap", "x", "--from-env-file=app.env", "--from-literal=a=b",
     "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nginx.key", "--key=nginx.key", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=default.conf", "--key=nginx.key", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nginx.crt", "--key=nginx.crt", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nginx.crt", "--key=default.conf", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nginx.crt", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nope", "--key=nginx.key", "--dry-run=client"],
    ["create", "secret", "tls", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert=nginx.crt", "--key=other.key", "--dry-run=client"],
    ["create", "deployment", "x", "--image=a", "--image=b", "--dry-run=client", "--", "sh"],
    ["create", "deployment", "x", "--image=nginx", "--dry-run=bogus"],
    ["create", "deployment", "x", "--image=nginx", "--dry-run=client", "-o", "bad"],
    ["create", "deployment", "x", "--image=nginx", "--dry-run=client", "-o", "jsonpath"],
    ["apply", "-f", "empty.yaml"], ["apply", "-f", "comments.yaml"],
    ["create", "-f", "empty.yaml"], ["apply", "-f", "comments.yaml", "--dry-run=client"],
]

NAMES = [
    ["create", "deployment", "x", "--image=nginx", "--dry-run=client"],
    ["create", "deployment", "x", "--image=nginx", "--dry-run=client", "-o", "name"],
    ["create", "service", "nodeport", "x", "--tcp=80:8080", "--dry-run=client"],
    ["create", "namespace", "foo", "--dry-run=client"],
    ["create", "secret", "tls", "t", "--cert", "nginx.crt", "--key", "nginx.key",
     "--dry-run=client"],
    ["create", "cm", "c", "--from-literal=a=b", "--dry-run=client"],
]

YAML = [
    ["create", "deployment", "x", "--image=nginx"],
    ["create", "deployment", "x", "--image=nginx", "--replicas=3", "--port=80"],
    ["create", "deployment", "x", "--image=nginx", "--image=busybox:1.2"],
    ["create", "deployment", "x", "--image=busybox", "--", "sleep", "3600"],
    ["create", "deployment", "web", "--image=nginx", "-n", "team"],
    ["create", "service", "clusterip", "x", "--tcp=80:8080", "--tcp=443"],
    ["create", "service", "clusterip", "x", "--clusterip=None"],
    ["create", "service", "nodeport", "x", "--tcp=80:8080", "--node-port=30080"],
    ["create", "service", "loadbalancer", "x", "--tcp=80"],
    ["create", "service", "externalname", "x", "--external-name=example.com"],
    ["create", "namespace", "foo"],
    ["create", "configmap", "cm", "--from-file=default.conf", "--from-literal=k=v"],
    ["create", "configmap", "cm", "--from-file=key=default.conf", "--from-file=cfgdir"],
    ["create", "secret", "generic", "s", "--from-literal=user=admin", "--from-literal=pw=a b",
     "--type=Opaque"],
    ["create", "secret", "generic", "s", "--from-file=default.conf"],
    ["create", "secret", "tls", "nginxsecret", "--key", "nginx.key", "--cert", "nginx.crt"],
    ["create", "ingress", "ing", "--class=nginx", "--rule=foo.com/bar=svc:80",
     "--rule=foo.com/*=svc2:http,tls=sec"],
    ["create", "configmap", "env", "--from-env-file=app.env"],
    ["create", "secret", "generic", "env", "--from-env-file=app.env"],
    ["create", "ingress", "ing", "--default-backend=def:80", "--rule=/x=svc:80,tls",
     "--annotation=a=b"],
]


def _compare(args, workdir):
    ours = run_sim(NoServer(), args, str(workdir))
    real = run_reference(args, str(workdir))
    assert (ours.code, ours.stdout, ours.stderr) == (real.code, real.stdout, real.stderr)


@needs_reference
@pytest.mark.parametrize("args", ERRORS, ids=" ".join)
def test_errors_match_kubectl(args, workdir):
    _compare(args, workdir)


@needs_reference
@pytest.mark.parametrize("args", NAMES, ids=" ".join)
def test_dry_run_messages_match_kubectl(args, workdir):
    _compare(args, workdir)


@needs_reference
@pytest.mark.parametrize("args", YAML, ids=" ".join)
def test_generators_dry_run_yaml_matches_kubectl(args, workdir):
    _compare(args[:3] + ["--dry-run=client", "-o", "yaml"] + args[3:], workdir)


TYPED = [
    ["deployment", "x", "--image=nginx", "--port=80"],
    ["service", "clusterip", "s", "--tcp=80:8080"],
    ["service", "nodeport", "s", "--tcp=80", "--node-port=30080"],
    ["ns", "n"],
    ["configmap", "c", "--from-literal=a=b", "--from-file=cfgdir"],
    ["secret", "generic", "g", "--from-literal=a=b", "--type=Opaque"],
    ["secret", "tls", "t", "--cert=nginx.crt", "--key=nginx.key"],
    ["ingress", "i", "--rule=a.com/x*=s:80,tls=t", "--class=nginx", "--default-backend=d:http"],
]


@needs_reference
@pytest.mark.parametrize("extra", [["-o", "json"], ["--save-config", "-o", "yaml"],
                                   ["--save-config", "-o", "json"], ["-n", "team", "-o", "json"]],
                         ids=" ".join)
@pytest.mark.parametrize("args", TYPED, ids=" ".join)
def test_generators_typed_json_and_save_config_match_kubectl(args, extra, workdir):
    _compare(["create", *args, "--dry-run=client", *extra], workdir)
