"""label, annotate, scale, patch, edit, cluster-info, version and api-resources."""

from __future__ import annotations

import pytest

from sim.api.errors import ApiError
from tests.sim.kubectl.conftest import run_sim


def svc(name, ns="default", labels=None, ports=None, ingress=None):
    obj = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
           "spec": {"type": "ClusterIP", "selector": {"app": name},
                    "ports": ports or [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}
    if ingress:
        obj["status"] = {"loadBalancer": {"ingress": ingress}}
    return obj


def deploy(name):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def k(cluster, *args, **kw):
    return run_sim(cluster, list(args), "/", **kw)


def test_label_add_conflict_overwrite_remove(cluster):
    cluster.add(svc("web"))
    assert k(cluster, "label", "svc", "web", "env=prod").stdout == "service/web labeled\n"
    assert k(cluster, "label", "svc", "web", "env=prod").stdout == "service/web not labeled\n"
    out = k(cluster, "label", "svc/web", "env=dev")
    assert (out.code, out.stderr) == (
        1, "error: 'env' already has a value (prod), and --overwrite is false\n")
    assert k(cluster, "label", "svc/web", "env=dev", "--overwrite").stdout == \
        "service/web labeled\n"
    assert cluster.store.get("services", "default", "web")["metadata"]["labels"] == {"env": "dev"}
    assert k(cluster, "label", "svc", "web", "env-").stdout == "service/web unlabeled\n"
    out = k(cluster, "label", "svc", "web", "gone-")
    assert out.stdout == 'label "gone" not found.\nservice/web not labeled\n'
    assert k(cluster, "label", "svc", "web", "a=b", "c").stderr == (
        "error: all resources must be specified before label changes: c\n")


def test_annotate(cluster):
    cluster.add(svc("web"))
    assert k(cluster, "annotate", "svc", "web", "note=x").stdout == "service/web annotated\n"
    out = k(cluster, "annotate", "svc", "web", "note=y")
    assert out.stderr == ("error: --overwrite is false but found the following declared "
                          "annotation(s): 'note' already has a value (x)\n")
    assert k(cluster, "annotate", "svc", "web").stderr == (
        "error: at least one annotation update is required\n")


def test_scale_several_and_missing(cluster):
    cluster.add(deploy("a"))
    cluster.add(deploy("b"))
    out = k(cluster, "scale", "deployment", "a", "b", "--replicas=3")
    assert out.stdout == "deployment.apps/a scaled\ndeployment.apps/b scaled\n"
    assert cluster.store.get("deployments", "default", "b")["spec"]["replicas"] == 3
    out = k(cluster, "scale", "deploy/a", "deploy/zz", "--replicas=1")
    assert (out.code, out.stdout) == (1, "deployment.apps/a scaled\n")
    assert out.stderr == 'Error from server (NotFound): deployments.apps "zz" not found\n'
    assert k(cluster, "scale", "deploy", "a").stderr == 'error: required flag(s) "replicas" not set\n'


def test_patch_types_and_no_change(cluster):
    cluster.add(svc("web"))
    assert k(cluster, "patch", "svc", "web", "-p", '{"spec":{"type":"NodePort"}}').stdout == \
        "service/web patched\n"
    assert k(cluster, "patch", "svc", "web", "--type=merge", "-p",
             '{"spec":{"type":"NodePort"}}').stdout == "service/web patched (no change)\n"
    out = k(cluster, "patch", "svc", "web", "--type=json", "-p",
            '[{"op":"replace","path":"/spec/type","value":"ClusterIP"}]')
    assert out.stdout == "service/web patched\n"
    assert k(cluster, "patch", "svc", "web", "--type=xml", "-p", "{}").stderr == \
        'error: --type must be one of [json merge strategic], not "xml"\n'


def test_edit_applies_changes_cancels_unchanged(cluster):
    cluster.add(svc("web"))
    out = k(cluster, "edit", "svc", "web", editor=lambda text: text)
    assert (out.code, out.stdout, out.stderr) == (0, "", "Edit cancelled, no changes made.\n")
    seen = []

    def to_lb(text):
        seen.append(text)
        return text.replace("type: ClusterIP", "type: LoadBalancer")
    out = k(cluster, "edit", "svc", "web", editor=to_lb)
    assert (out.code, out.stdout) == (0, "service/web edited\n")
    assert seen[0].startswith("# Please edit the object below. Lines beginning with a '#' will "
                              "be ignored,\n# and an empty file will abort the edit. If an error "
                              "occurs while saving this file will be\n# reopened with the "
                              "relevant failures.\n#\napiVersion: v1\n")
    assert cluster.store.get("services", "default", "web")["spec"]["type"] == "LoadBalancer"


def test_edit_invalid_reopens_with_reasons(cluster, monkeypatch):
    cluster.add(svc("web"))
    real_patch = cluster.store.patch
    fail_once = [True]

    def patch(*args, **kw):
        if fail_once.pop() if fail_once else False:
            raise ApiError(422, "Invalid", "bad", {"kind": "Service", "name": "web", "causes": [
                {"field": "spec.ports[0].nodePort", "message": "Invalid value: 80: out of range"}]})
        return real_patch(*args, **kw)
    monkeypatch.setattr(cluster.store, "patch", patch)
    texts = []

    def editor(text):
        texts.append(text)
        return text.replace("port: 80", "port: 81") if len(texts) == 1 else \
            text.replace("port: 81", "port: 82")
    out = k(cluster, "edit", "svc", "web", editor=editor)
    assert out.stderr == 'error: services "web" is invalid\n'
    assert out.stdout == "service/web edited\n"
    assert '# services "web" was not valid:\n# * spec.ports[0].nodePort: Invalid value: 80: ' \
           'out of range\n#\n' in texts[1]


def test_cluster_info_lists_cluster_services(cluster):
    cluster.add({"apiVersion": "v1", "kind": "Node",
                 "metadata": {"name": "cp", "labels": {"node-role.kubernetes.io/control-plane": ""}},
                 "status": {"addresses": [{"type": "InternalIP", "address": "192.168.56.10"}]}})
    flagged = {"kubernetes.io/cluster-service": "true"}
    cluster.add(svc("kube-dns", "kube-system", dict(flagged, **{"kubernetes.io/name": "CoreDNS"}),
                    ports=[{"name": "dns", "port": 53, "protocol": "UDP"}]))
    cluster.add(svc("dash", "kube-system", flagged,
                    ports=[{"name": "", "port": 443, "protocol": "TCP"}]))
    cluster.add(svc("lb", "kube-system", flagged, ports=[{"port": 80}, {"port": 81}],
                    ingress=[{"ip": "1.2.3.4"}]))
    cluster.add(svc("hidden", "kube-system"))
    out = k(cluster, "cluster-info")
    assert out.stdout == (
        "Kubernetes control plane is running at https://192.168.56.10:6443\n"
        "dash is running at https://192.168.56.10:6443/api/v1/namespaces/kube-system/services/"
        "https:dash:/proxy\n"
        "CoreDNS is running at https://192.168.56.10:6443/api/v1/namespaces/kube-system/services/"
        "kube-dns:dns/proxy\n"
        "lb is running at http://1.2.3.4:80 http://1.2.3.4:81 \n"
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")


def test_version_and_skew_warning(cluster):
    assert k(cluster, "version", "--client").stdout == (
        "Client Version: v1.35.2\nKustomize Version: v5.7.1\n")
    cluster.profile["version"] = "v1.10.0"
    out = k(cluster, "version")
    assert out.stdout.endswith("Server Version: v1.10.0\n")
    assert out.stderr == ("Warning: version difference between client (1.35) and server (1.10) "
                          "exceeds the supported minor version skew of +/-1\n")


def test_api_resources_table_from_the_registry(cluster):
    out = k(cluster, "api-resources")
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    services = next(line for line in lines if line.startswith("services "))
    assert services.split() == ["services", "svc", "v1", "true", "Service"]
    groups = [line.split()[-3] for line in lines[1:]]
    core_last = max(i for i, g in enumerate(groups) if g == "v1")
    assert all(g != "v1" for g in groups[core_last + 1:])
    names = k(cluster, "api-resources", "--api-group=apps", "-o", "name").stdout.splitlines()
    assert "deployments.apps" in names and all(n.endswith(".apps") for n in names)


def test_label_messages_follow_v1_35(cluster):
    cluster.add(svc("web", labels={"a": "1"}))
    # v1.35 compares the object's JSON: a removal with --overwrite still says "labeled".
    assert k(cluster, "label", "svc", "web", "a-", "--overwrite").stdout == "service/web labeled\n"
    assert k(cluster, "label", "svc", "web", "bb=2").stdout == "service/web labeled\n"
    assert k(cluster, "label", "svc", "web", "bb-").stdout == "service/web unlabeled\n"


def test_events_in_time_order_with_filters(cluster):
    def event(name, reason, kind, obj, when, etype="Normal", count=1, first=None):
        return {"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": "default"},
                "involvedObject": {"kind": kind, "name": obj, "namespace": "default"},
                "reason": reason, "message": f"{reason} happened ", "type": etype,
                "count": count, "firstTimestamp": first or when, "lastTimestamp": when}
    cluster.add(event("b", "Late", "Pod", "web", "2026-01-01T09:00:50Z"))
    cluster.add(event("a", "Early", "Service", "web", "2026-01-01T09:00:10Z", "Warning", 3,
                      "2026-01-01T08:59:00Z"))
    cluster.clock.advance(60)
    out = k(cluster, "events")
    assert out.stdout == (
        "LAST SEEN          TYPE      REASON   OBJECT        MESSAGE\n"
        "50s (x3 over 2m)   Warning   Early    Service/web   Early happened\n"
        "10s                Normal    Late     Pod/web       Late happened\n")
    out = k(cluster, "events", "--for", "pod/web", "--no-headers")
    assert out.stdout.split() == ["10s", "Normal", "Late", "Pod/web", "Late", "happened"]
    assert k(cluster, "events", "--types=Foo").stderr == "No events found in default namespace.\n"
