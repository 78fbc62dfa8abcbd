"""Cell and format rules taken from the Go sources (printers.go, duration.go, tabwriter)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sim.printers import format_age, table_cells, translate_timestamp_since
from sim.printers.columns import endpoints_text, ingress_hosts, load_balancer_text
from sim.printers.quantity import Quantity
from sim.printers.selectors import format_label_selector, selector_string
from sim.printers.structured import yaml_needs_quotes
from sim.printers.tabwriter import describe_layout, table_layout

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("seconds,text", [
    (-5, "<invalid>"), (-1.5, "0s"), (0, "0s"), (13, "13s"), (119, "119s"), (120, "2m"),
    (125, "2m5s"), (599, "9m59s"), (600, "10m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 300, "3h5m"), (8 * 3600, "8h"), (30 * 3600, "30h"), (48 * 3600, "2d"),
    (76 * 3600, "3d4h"), (8 * 86400, "8d"), (93 * 86400, "93d"), (730 * 86400, "2y"),
    (740 * 86400, "2y10d"), (8 * 365 * 86400, "8y"), (20 * 365 * 86400, "20y"),
])
def test_human_duration(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


def test_timestamps() -> None:
    assert translate_timestamp_since(None, NOW) == "<unknown>"
    assert translate_timestamp_since("2026-03-01T11:59:47Z", NOW) == "13s"
    assert translate_timestamp_since("2026-03-01T12:00:10Z", NOW) == "<invalid>"


def _pod(statuses: list[dict], phase: str = "Running", **extra) -> dict:
    pod = {"metadata": {"name": "p", "creationTimestamp": "2026-03-01T11:00:00Z"},
           "spec": {"containers": [{"name": s["name"]} for s in statuses]},
           "status": {"phase": phase, "containerStatuses": statuses, "conditions": []}}
    for key, value in extra.items():
        section, field = key.split("__")
        pod[section][field] = value
    return pod


def _cs(name: str, state: dict, ready: bool = False, restarts: int = 0, last: dict | None = None) -> dict:
    return {"name": name, "state": state, "ready": ready, "restartCount": restarts,
            "lastState": last or {}}


RUNNING = {"running": {"startedAt": "2026-03-01T11:00:01Z"}}


@pytest.mark.parametrize("pod,ready,status,restarts", [
    (_pod([_cs("a", RUNNING, True)]), "1/1", "Running", "0"),
    (_pod([_cs("a", {"waiting": {"reason": "ContainerCreating"}})], "Pending"), "0/1", "ContainerCreating", "0"),
    (_pod([_cs("a", {"waiting": {"reason": "ErrImagePull"}})], "Pending"), "0/1", "ErrImagePull", "0"),
    (_pod([_cs("a", {"waiting": {"reason": "CrashLoopBackOff"}}, restarts=5,
               last={"terminated": {"exitCode": 1, "finishedAt": "2026-03-01T11:55:00Z"}})]),
     "0/1", "CrashLoopBackOff", "5 (5m ago)"),
    (_pod([_cs("a", {"terminated": {"exitCode": 0, "reason": "Completed"}})], "Succeeded"),
     "0/1", "Completed", "0"),
    (_pod([_cs("a", {"terminated": {"exitCode": 2}})], "Failed"), "0/1", "ExitCode:2", "0"),
    (_pod([_cs("a", {"terminated": {"exitCode": 0, "reason": "Completed"}}), _cs("b", RUNNING, True)]),
     "1/2", "NotReady", "0"),
    (_pod([_cs("a", RUNNING, True)], metadata__deletionTimestamp="2026-03-01T12:00:00Z"),
     "1/1", "Terminating", "0"),
    (_pod([], "Pending", status__reason="", spec__initContainers=[{"name": "i"}],
          status__initContainerStatuses=[_cs("i", {"waiting": {"reason": "PodInitializing"}})]),
     "0/0", "Init:0/1", "0"),
    (_pod([], "Pending", spec__initContainers=[{"name": "i"}],
          status__initContainerStatuses=[_cs("i", {"terminated": {"exitCode": 1, "reason": "Error"}})]),
     "0/0", "Init:Error", "0"),
    (_pod([], "Pending", status__conditions=[{"type": "PodScheduled", "status": "False",
                                               "reason": "SchedulingGated"}]),
     "0/0", "SchedulingGated", "0"),
])
def test_pod_cells(pod: dict, ready: str, status: str, restarts: str) -> None:
    cells = table_cells("pods", pod, now=NOW)
    assert cells[1:4] == [ready, status, restarts]
    assert cells[5:] == ["<none>", "<none>", "<none>", "<none>"]


def _svc(kind: str, **spec) -> dict:
    return {"metadata": {"name": "s", "creationTimestamp": "2026-03-01T11:59:00Z"},
            "spec": {"type": kind, **spec}, "status": spec.pop("status", {})}


def test_service_cells() -> None:
    cluster_ip = _svc("ClusterIP", clusterIPs=["10.0.0.5"],
                      ports=[{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                      selector={"b": "2", "a": "1"})
    assert table_cells("services", cluster_ip, now=NOW) == [
        "s", "ClusterIP", "10.0.0.5", "<none>", "53/UDP,53/TCP", "60s", "a=1,b=2"]
    node_port = _svc("NodePort", clusterIPs=["10.0.0.6"], externalIPs=["1.1.1.1", "2.2.2.2"],
                     ports=[{"port": 8080, "nodePort": 30080, "protocol": "TCP"}])
    assert table_cells("services", node_port, now=NOW)[2:5] == ["10.0.0.6", "1.1.1.1,2.2.2.2", "8080:30080/TCP"]
    headless = _svc("ClusterIP", clusterIPs=["None"], ports=[])
    assert table_cells("services", headless, now=NOW)[2:5] == ["None", "<none>", "<none>"]
    external = _svc("ExternalName", externalName="example.com")
    assert table_cells("services", external, now=NOW)[1:5] == ["ExternalName", "<none>", "example.com", "<none>"]
    pending = _svc("LoadBalancer", clusterIPs=["10.0.0.7"])
    assert table_cells("services", pending, now=NOW)[3] == "<pending>"


def test_load_balancer_addresses_are_sorted_and_shortened_only_when_asked() -> None:
    status = {"ingress": [{"hostname": "a320587ffd19711e5a37606cf4a74574-1142138393.us-east-1.elb.amazonaws.com"},
                          {"ip": "34.71.248.88"}]}
    assert load_balancer_text(status, True).startswith("34.71.248.88,a320587")
    assert load_balancer_text(status, False) == "34.71.248.88,..."


def test_endpoints_first_three_then_more() -> None:
    ep = {"subsets": [{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 6)],
                       "ports": [{"port": 80}, {"port": 443}]}]}
    assert endpoints_text(ep) == "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 7 more..."
    assert endpoints_text({"subsets": []}) == "<none>"
    assert endpoints_text({"subsets": [{"notReadyAddresses": [{"ip": "10.0.0.9"}], "ports": [{"port": 80}]}]}) == ""


def test_ingress_hosts() -> None:
    assert ingress_hosts([]) == "*"
    assert ingress_hosts([{"host": "a"}, {"http": {}}]) == "a"
    assert ingress_hosts([{"host": h} for h in "abcde"]) == "a,b,c + 2 more..."


def test_node_cells() -> None:
    node = {"metadata": {"name": "n", "creationTimestamp": "2026-02-20T12:00:00Z",
                         "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "x"}},
            "spec": {"unschedulable": True},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}],
                       "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}],
                       "nodeInfo": {"kubeletVersion": "v1.35.2"}}}
    assert table_cells("nodes", node, now=NOW) == [
        "n", "NotReady,SchedulingDisabled", "control-plane,x", "9d", "v1.35.2", "10.0.0.1", "<none>",
        "<unknown>", "<unknown>", "<unknown>"]


def test_selectors() -> None:
    sel = {"matchLabels": {"z": "1"}, "matchExpressions": [
        {"key": "a", "operator": "In", "values": ["y", "x"]}, {"key": "b", "operator": "DoesNotExist"}]}
    assert selector_string(sel) == "a in (x,y),!b,z=1"
    assert format_label_selector({}) == "<none>"


def test_tabwriter_pads_all_but_the_last_column() -> None:
    assert table_layout("NAME\tAGE\nlonger-name\t5s\n") == "NAME          AGE\nlonger-name   5s\n"
    assert table_layout("A\tB\n") == "A     B\n"
    text = "Name:\tx\nLabels:\ta=b\n\tc=d\nEvents:\n  Type\tReason\n"
    assert describe_layout(text) == "Name:    x\nLabels:  a=b\n         c=d\nEvents:\n  Type  Reason\n"


@pytest.mark.parametrize("text,quoted", [
    ("80", True), ("true", True), ("y", True), ("", True), ("1.5", True), ("0x1F", True),
    ("2026-01-01T00:00:00Z", True), ("1:20", True), ("10.0.0.1", False), ("nginx", False),
    ("a:b", False), ("<<", False), ("infinity", False),
])
def test_yaml_quotes_what_go_yaml_would_resolve(text: str, quoted: bool) -> None:
    assert yaml_needs_quotes(text) is quoted


@pytest.mark.parametrize("text,canonical", [
    ("100m", "100m"), ("2", "2"), ("8148236Ki", "8148236Ki"), ("1024Mi", "1Gi"), ("1500m", "1500m"),
    ("2000", "2k"), ("128974848", "128974848"), ("0", "0"),
])
def test_quantity_canonical_form(text: str, canonical: str) -> None:
    assert str(Quantity.parse(text)) == canonical


def test_quantity_sums_keep_the_format() -> None:
    assert str(Quantity.parse("64Mi") + Quantity.parse("64Mi")) == "128Mi"
    assert str(Quantity.parse("250m") + Quantity.parse("250m")) == "500m"
    assert Quantity.parse("250m").milli() == 250


def test_table_columns_keep_their_width_across_a_one_cell_line() -> None:
    text = "very-long-name\tx\nmulti\nab\tc\n"
    assert table_layout(text) == "very-long-name   x\nmulti\nab               c\n"
    assert describe_layout(text) == "very-long-name  x\nmulti\nab  c\n"


def test_a_naive_clock_reading_is_utc() -> None:
    assert translate_timestamp_since("2026-03-01T11:59:47Z", NOW.replace(tzinfo=None)) == "13s"


def test_jsonpath_values_are_the_decoded_values() -> None:
    from sim.printers import jsonpath_values
    svc = {"status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}, "spec": {"ports": [{"port": 80}]}}
    assert jsonpath_values("{.status.loadBalancer.ingress}", svc) == [[[{"ip": "1.2.3.4"}]]]
    assert jsonpath_values("{.spec.ports[0].port}{.missing}", svc) == [[80], []]


def test_chunks_join_to_the_whole_text():
    from datetime import datetime

    from sim.printers import (as_list, print_table, print_table_chunks, to_json,
                              to_json_chunks)

    pods = [{"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": f"pod-{i}" + "x" * (i % 7), "namespace": "default",
                          "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"i": str(i)}},
             "spec": {"containers": [{"name": "c"}], "nodeName": None},
             "status": {"phase": "Running", "podIP": f"10.0.0.{i}", "empty": {}, "list": []}}
            for i in range(300)]
    now = datetime(2026, 1, 1, 1, 0, 0)
    for value in (as_list(pods), pods[0], as_list([]), {}, []):
        pieces = list(to_json_chunks(value, size=1000))
        assert "".join(pieces) == to_json(value)
    assert len(list(to_json_chunks(as_list(pods), size=1000))) > 10
    for options in ({}, {"wide": True, "show_labels": True}, {"no_headers": True, "with_namespace": True}):
        pieces = list(print_table_chunks("pods", pods, now=now, size=2000, **options))
        assert len(pieces) > 3 and all(piece.endswith("\n") for piece in pieces)
        assert "".join(pieces) == print_table("pods", pods, now=now, **options)
    assert list(print_table_chunks("pods", [], now=now)) == []
