"""Golden cases: kubectl arguments, and the same output from our printers.

Objects are built at fixtures.FROZEN so the files do not depend on the day they were
recorded; describe runs with --show-events=false and on objects whose description has
no age in it, because describe computes ages from the client's clock.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import fixtures
import scenario
import scenario_rich
from reference import kubectl_reference

matches, resource_of = kubectl_reference.matches, kubectl_reference.resource_of
from sim.printers import (as_list, custom_columns, describe, jsonpath, kind_prefix,
                                  print_table, to_json, to_name, to_yaml)

GOLDEN_DIR = Path(__file__).parent / "golden"
Printer = Callable[[list[dict]], str]


def build_objects() -> list[dict]:
    with fixtures.frozen():
        return scenario.objects() + scenario_rich.objects()


def _select(objs: list[dict], resource: str, name: str | None = None, labels: str | None = None,
            all_ns: bool = False) -> list[dict]:
    return [o for o in objs if resource_of(o) == resource
            and (all_ns or o["metadata"].get("namespace") in (None, "default"))
            and (name is None or o["metadata"]["name"] == name)
            and matches(o, labels)]


def table(resource: str, **kw) -> Printer:
    labels = kw.pop("labels", None)
    all_ns = kw.get("with_namespace", False)
    return lambda objs: print_table(resource, _select(objs, resource, labels=labels, all_ns=all_ns),
                                    now=fixtures.FROZEN, **kw)


def tables(*resources: str) -> Printer:
    def run(objs: list[dict]) -> str:
        parts = [print_table(r, _select(objs, r), now=fixtures.FROZEN, kind_prefix=kind_prefix(r))
                 for r in resources]
        return "\n".join(p for p in parts if p)
    return run


def one(fmt: Callable[[dict], str], resource: str, name: str) -> Printer:
    return lambda objs: fmt(_select(objs, resource, name)[0])


def many(fmt: Callable, resource: str, labels: str | None = None) -> Printer:
    return lambda objs: fmt(_select(objs, resource, labels=labels))


def names(resource: str) -> Printer:
    return lambda objs: "".join(to_name(o) + "\n" for o in _select(objs, resource))


def path(template: str, resource: str, name: str | None = None) -> Printer:
    def run(objs: list[dict]) -> str:
        found = _select(objs, resource, name)
        return jsonpath(template, found[0] if name else as_list(found))
    return run


def columns(spec: str, resource: str) -> Printer:
    return lambda objs: custom_columns(spec, _select(objs, resource))


def described(resource: str, name: str, namespace: str = "default") -> Printer:
    def run(objs: list[dict]) -> str:
        obj = next(o for o in objs if resource_of(o) == resource and o["metadata"]["name"] == name
                   and o["metadata"].get("namespace", "") in ("", namespace))

        def lookup(res: str, ns: str | None, label_selector: str | None = None,
                   field_selector: str | None = None) -> list[dict]:
            return [o for o in objs if resource_of(o) == res
                    and (ns is None or o["metadata"].get("namespace") == ns)
                    and matches(o, label_selector, field_selector)]
        return describe(resource, obj, now=fixtures.FROZEN, lookup=lookup, show_events=False)
    return run


def _describe_args(resource: str, name: str, namespace: str = "default") -> list[str]:
    return ["describe", resource, name, "-n", namespace, "--show-events=false"]


CASES: dict[str, tuple[list[str], Printer]] = {
    "get-pods": (["get", "pods"], table("pods")),
    "get-pods-wide-selector": (["get", "pods", "-l", "run=my-nginx", "-o", "wide"],
                               table("pods", wide=True, labels="run=my-nginx")),
    "get-pods-show-labels": (["get", "pods", "--show-labels"], table("pods", show_labels=True)),
    "get-svc": (["get", "svc"], table("services")),
    "get-svc-wide": (["get", "svc", "-o", "wide"], table("services", wide=True)),
    "get-svc-all-namespaces": (["get", "svc", "-A"], table("services", with_namespace=True)),
    "get-ep": (["get", "ep"], table("endpoints")),
    "get-endpointslices": (["get", "endpointslices"], table("endpointslices")),
    "get-deploy-wide": (["get", "deploy", "-o", "wide"], table("deployments", wide=True)),
    "get-rs": (["get", "rs"], table("replicasets")),
    "get-sts": (["get", "sts"], table("statefulsets")),
    "get-nodes-wide": (["get", "nodes", "-o", "wide"], table("nodes", wide=True)),
    "get-secrets": (["get", "secrets"], table("secrets")),
    "get-configmaps": (["get", "configmaps"], table("configmaps")),
    "get-ingress": (["get", "ingress"], table("ingresses")),
    "get-ingressclass": (["get", "ingressclass"], table("ingressclasses")),
    "get-netpol": (["get", "netpol"], table("networkpolicies")),
    "get-events": (["get", "events"], table("events")),
    "get-ns": (["get", "ns"], table("namespaces")),
    "get-sa": (["get", "sa"], table("serviceaccounts")),
    "get-jobs-wide": (["get", "jobs", "-o", "wide"], table("jobs", wide=True)),
    "get-ds-all-namespaces-wide": (["get", "ds", "-A", "-o", "wide"],
                                   table("daemonsets", with_namespace=True, wide=True)),
    "get-pods-all-namespaces": (["get", "pods", "-A"], table("pods", with_namespace=True)),
    "get-cronjobs": (["get", "cronjobs"], table("cronjobs")),
    "get-svc-ep": (["get", "svc,ep"], tables("services", "endpoints")),
    "get-pods-svc-deploy-rs": (["get", "pods,svc,deploy,rs"],
                               tables("pods", "services", "deployments", "replicasets")),
    "yaml-pod": (["get", "pod", "my-nginx-6c5948bf66-jr4a2", "-o", "yaml"],
                 one(to_yaml, "pods", "my-nginx-6c5948bf66-jr4a2")),
    "yaml-pods-selector": (["get", "pods", "-l", "run=nginx-secure", "-o", "yaml"],
                           many(to_yaml, "pods", "run=nginx-secure")),
    "yaml-svc": (["get", "svc", "my-nginx", "-o", "yaml"], one(to_yaml, "services", "my-nginx")),
    "yaml-nodes": (["get", "nodes", "-o", "yaml"], many(to_yaml, "nodes")),
    "yaml-ingress": (["get", "ingress", "sample-ingress", "-o", "yaml"],
                     one(to_yaml, "ingresses", "sample-ingress")),
    "yaml-deploy": (["get", "deploy", "nginx-secure", "-o", "yaml"],
                    one(to_yaml, "deployments", "nginx-secure")),
    "json-svc": (["get", "svc", "sample-lb", "-o", "json"], one(to_json, "services", "sample-lb")),
    "json-ep": (["get", "ep", "-o", "json"], many(to_json, "endpoints")),
    "name-all": (["get", "pods", "-o", "name"], names("pods")),
    "jsonpath-names": (["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"],
                       path("{.items[*].metadata.name}", "pods")),
    "jsonpath-range": (["get", "pods", "-o", r'jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}'],
                       path(r'{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}', "pods")),
    "jsonpath-external-ip": (["get", "nodes", "-o", r'jsonpath={.items[*].status.addresses[?(@.type=="ExternalIP")].address}'],
                             path(r'{.items[*].status.addresses[?(@.type=="ExternalIP")].address}', "nodes")),
    "jsonpath-one-svc": (["get", "svc", "my-nginx", "-o", "jsonpath={.spec.ports[*].nodePort}"],
                         path("{.spec.ports[*].nodePort}", "services", "my-nginx")),
    "custom-columns-pods": (["get", "pods", "-o", "custom-columns=NAME:{metadata.name},IP:{status.podIP}"],
                            columns("NAME:{metadata.name},IP:{status.podIP}", "pods")),
    "custom-columns-nodes": (["get", "nodes", "-o", "custom-columns=NAME:{metadata.name},IP:{status.addresses[].address}"],
                             columns("NAME:{metadata.name},IP:{status.addresses[].address}", "nodes")),
    "custom-columns-svc": (["get", "svc", "-o", "custom-columns=NAME:.metadata.name,PORTS:.spec.ports[*].port,SEL:.spec.selector"],
                           columns("NAME:.metadata.name,PORTS:.spec.ports[*].port,SEL:.spec.selector", "services")),
}
for _resource, _name in [("services", "my-nginx"), ("services", "sample-lb"), ("services", "aws-lb"),
                         ("services", "pending-lb"), ("services", "sample-externalip"),
                         ("services", "sample-headless"), ("services", "sample-externalname"),
                         ("services", "kubernetes"), ("endpoints", "my-nginx"),
                         ("endpoints", "sample-none-selector"), ("endpoints", "many"),
                         ("endpointslices", "sample-headless-x7k2p"),
                         ("pods", "my-nginx-6c5948bf66-jr4a2"), ("pods", "nginx-secure-7d9c8b7f6-j4rm4"),
                         ("pods", "broken"), ("pods", "finished"),
                         ("deployments", "my-nginx"), ("deployments", "nginx-secure"),
                         ("replicasets", "nginx-secure-7d9c8b7f6"),
                         ("statefulsets", "sample-statefulset-headless"),
                         ("ingresses", "sample-ingress"), ("ingresses", "test-ingress"),
                         ("ingresses", "many-hosts"), ("ingressclasses", "nginx"),
                         ("nodes", "control-plane"), ("secrets", "nginxsecret"),
                         ("secrets", "default-token-il9rc"), ("configmaps", "nginxconfigmap"),
                         ("namespaces", "default"), ("serviceaccounts", "default"),
                         ("networkpolicies", "access-nginx")]:
    CASES[f"describe-{_resource}-{_name}"] = (_describe_args(_resource, _name), described(_resource, _name))
CASES["describe-daemonsets-kube-proxy"] = (_describe_args("daemonsets", "kube-proxy", "kube-system"),
                                           described("daemonsets", "kube-proxy", "kube-system"))
