"""Protobuf request bodies (sim/api/protobuf.py), written here with a wire writer of the test's
own from field numbers read off the Kubernetes API's generated.proto (not from the table the
decoder uses), so a wrong number, name, pointer rule or special form in the table shows."""
from __future__ import annotations

import pytest

from sim.api import protobuf


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def vint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def sub(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return sub(number, sub(1, key) + sub(2, value))


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = sub(1, api_version) + sub(2, kind)
    return protobuf.MAGIC + sub(1, type_meta) + sub(2, raw) + sub(3, "") + sub(4, "")


def test_a_deployment_keeps_a_pointer_zero_and_drops_the_wire_s_non_pointer_zeros():
    # ObjectMeta: name=1, labels=11; creationTimestamp=8 is a zero Time on the wire
    meta = sub(1, "web") + entry(11, "app", "web") + sub(8, b"")
    container = sub(1, "nginx") + sub(2, "nginx:1.27") + sub(6, vint(3, 80) + sub(4, "TCP")) \
        + sub(7, sub(1, "MODE") + sub(2, "fast"))
    # Container: name=1 image=2 ports=6 (containerPort=3 protocol=4) env=7 (name=1 value=2)
    # PodSpec: volumes=1 (Volume: name=1, its inlined VolumeSource=2 with emptyDir=2), containers=2
    pod_spec = sub(2, container) + sub(1, sub(1, "data") + sub(2, sub(2, b"")))
    template = sub(1, sub(11, sub(1, "app") + sub(2, "web"))) + sub(2, pod_spec)
    selector = sub(1, sub(1, "app") + sub(2, "web"))
    # DeploymentSpec: replicas=1 (*int32, sent as 0), selector=2, template=3, minReadySeconds=5
    spec = vint(1, 0) + sub(2, selector) + sub(3, template) + vint(5, 0) + vint(7, 0)
    obj = protobuf.decode(envelope("apps/v1", "Deployment", sub(1, meta) + sub(2, spec) + sub(3, b"")))
    assert obj["apiVersion"] == "apps/v1" and obj["kind"] == "Deployment"
    assert obj["metadata"] == {"name": "web", "labels": {"app": "web"}}
    assert obj["spec"]["replicas"] == 0                     # a pointer: zero is a value
    assert "minReadySeconds" not in obj["spec"] and "paused" not in obj["spec"]
    assert obj["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert obj["spec"]["template"]["spec"]["containers"] == [
        {"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80, "protocol": "TCP"}],
         "env": [{"name": "MODE", "value": "fast"}]}]
    assert obj["spec"]["template"]["spec"]["volumes"] == [{"name": "data", "emptyDir": {}}]
    assert "status" not in obj


def test_special_forms_bytes_times_int_or_string_quantities():
    # Secret: data=2 map<string, bytes>
    secret = protobuf.decode(envelope("v1", "Secret", sub(1, sub(1, "s")) + entry(2, "user", b"admin")))
    assert secret["data"] == {"user": "YWRtaW4="}
    # ServicePort: targetPort=4 IntOrString {type=1, intVal=2, strVal=3}
    ports = sub(1, "http") + vint(3, 80) + sub(4, vint(1, 1) + sub(3, "web"))
    service = protobuf.decode(envelope("v1", "Service", sub(1, sub(1, "svc")) + sub(2, sub(1, ports))))
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "web"}]
    # ObjectMeta.creationTimestamp=8 Time {seconds=1}; uid=5 has the JSON name "uid"
    meta = sub(1, "n") + sub(5, "abc") + sub(8, vint(1, 1767258000))
    namespace = protobuf.decode(envelope("v1", "Namespace", sub(1, meta)))
    assert namespace["metadata"] == {"name": "n", "uid": "abc", "creationTimestamp": "2026-01-01T09:00:00Z"}
    # ResourceRequirements.limits=1 map<string, Quantity {string=1}>
    resources = entry(1, "cpu", sub(1, "500m"))
    pod_spec = sub(2, sub(1, "c") + sub(8, resources))
    pod = protobuf.decode(envelope("v1", "Pod", sub(1, sub(1, "p")) + sub(2, pod_spec)))
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m"}}


def test_a_negative_int_and_an_unknown_field_from_a_newer_client():
    spec = sub(1, sub(1, "c")) + vint(4, -1 & (1 << 64) - 1) + vint(999, 7)
    pod = protobuf.decode(envelope("v1", "Pod", sub(1, sub(1, "p")) + sub(2, spec)))
    assert pod["spec"]["terminationGracePeriodSeconds"] == -1
    assert "999" not in pod["spec"]


@pytest.mark.parametrize("body, message", [
    (b"{}", "magic"),
    (protobuf.MAGIC + b"\x0a\x05\x0a\x02v1", "truncated"),
    (envelope("v1", "Widget", b""), 'no kind "Widget"'),
])
def test_bad_bodies_raise_a_clean_error(body, message):
    with pytest.raises(protobuf.ProtobufError, match=message):
        protobuf.decode(body)
