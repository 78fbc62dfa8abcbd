"""Bringing a cluster up from its profile, as kubeadm (or a cloud) would have done."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ..api.objects import clone
from .base import ClusterView


_VAR = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _substitute(value: Any, variables: dict) -> Any:
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, str):
        whole = _VAR.fullmatch(value.strip())
        if whole and whole.group(1) in variables:
            return variables[whole.group(1)]
        return _VAR.sub(lambda m: str(variables.get(m.group(1), m.group(0))), value)
    return value


def _fill(value: Any, variables: dict) -> Any:
    """Node data uses ``{name}`` placeholders (node name, index, random parts, address)."""
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    if isinstance(value, str):
        for key, var in variables.items():
            value = value.replace("{" + key + "}", str(var))
    return value


def _node_names(cluster: ClusterView) -> list[dict]:
    """Expand the profile's node groups into one entry per node."""
    rng = cluster.rng
    profile = cluster.profile
    out = []
    for group in profile.get("nodes") or []:
        hex8 = "%08x" % rng.getrandbits(32)
        for i in range(1, int(group.get("count", 1)) + 1):
            out.append({"group": group, "i": i, "hex8": hex8,
                        "rand4": "".join(rng.choice(_LOWER_ALNUM) for _ in range(4))})
    return out


def build_node(cluster: ClusterView, entry: dict, internal_ip: str, external_ip: str | None,
               pod_cidr: str) -> dict:
    profile = cluster.profile
    group = entry["group"]
    defaults = profile.get("node_defaults", {})
    variables = dict(profile.get("vars") or {})
    variables.update(cluster=profile.get("cluster_name", "kubernetes"), i=entry["i"],
                     hex8=entry["hex8"], rand4=entry["rand4"],
                     ip_dashed=internal_ip.replace(".", "-"),
                     region=profile.get("region", ""), zone=profile.get("zone", ""))
    variables["ip"] = internal_ip
    name = _fill(str(group["name"]), variables)
    variables["name"] = name
    role = group.get("role", "worker")
    now = cluster.clock.timestamp()
    arch = defaults.get("architecture", "amd64")
    labels = {"beta.kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": arch, "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux"}
    labels.update(_fill(defaults.get("labels") or {}, variables))
    labels.update(_fill(group.get("labels") or {}, variables))
    if role == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    annotations = {"node.alpha.kubernetes.io/ttl": "0",
                   "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
    annotations.update(_fill(defaults.get("annotations") or
                                   {"kubeadm.alpha.kubernetes.io/cri-socket":
                                    "unix:///var/run/containerd/containerd.sock"}, variables))
    spec: dict = {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]}
    if defaults.get("provider_id"):
        spec["providerID"] = _fill(defaults["provider_id"], variables)
    if role == "control-plane":
        spec["taints"] = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    addresses = [{"address": internal_ip, "type": "InternalIP"}]
    if external_ip:
        addresses.append({"address": external_ip, "type": "ExternalIP"})
    addresses.append({"address": name, "type": "Hostname"})
    rng = cluster.rng
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    version = str(profile.get("kubelet_version") or profile.get("version", "v1.35.2"))
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": spec,
        "status": {
            "addresses": addresses,
            "allocatable": dict(defaults.get("allocatable") or {}),
            "capacity": dict(defaults.get("capacity") or {}),
            "conditions": [{"lastHeartbeatTime": now, "lastTransitionTime": now,
                            "message": m, "reason": r, "status": s, "type": t}
                           for t, s, r, m in conditions],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "features": {"supplementalGroupsPolicy": True},
            "images": [],
            "nodeInfo": {
                "architecture": arch,
                "bootID": _uuid(rng),
                "containerRuntimeVersion": defaults.get("container_runtime_version", "containerd://2.1.5"),
                "kernelVersion": defaults.get("kernel_version", "6.8.0-90-generic"),
                "kubeProxyVersion": "",
                "kubeletVersion": version,
                "machineID": "%032x" % rng.getrandbits(128),
                "operatingSystem": "linux",
                "osImage": defaults.get("os_image", "Ubuntu 24.04.3 LTS"),
                "systemUUID": _uuid(rng),
            },
            "runtimeHandlers": [
                {"features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}, "name": "runc"},
                {"features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}, "name": ""},
            ],
        },
    }


def _uuid(rng) -> str:
    from ..api.objects import new_uid

    return new_uid(rng)


def _pick_external(rng, pool: ipaddress.IPv4Network, used: set[str]) -> str:
    while True:
        ip = str(pool.network_address + rng.randrange(1, pool.num_addresses - 1))
        if ip not in used:
            used.add(ip)
            return ip


def bootstrap(cluster: ClusterView) -> None:
    profile = cluster.profile
    store = cluster.store
    net = profile.get("network", {})
    for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    entries = _node_names(cluster)
    addr = profile.get("node_addresses", {})
    next_ip = ipaddress.ip_address(addr.get("internal_start", "192.168.56.10"))
    external_pool = ipaddress.ip_network(addr["external_pool"]) if addr.get("external_pool") else None
    used_external: set[str] = set()
    subnets = ipaddress.ip_network(net.get("pod_cidr", "10.244.0.0/16")).subnets(
        new_prefix=int(net.get("node_cidr_bits", 24)))
    control_plane_ip = (profile.get("control_plane") or {}).get("ip")
    for entry in entries:
        internal = str(next_ip)
        next_ip += 1
        external = _pick_external(cluster.rng, external_pool, used_external) if external_pool else None
        node = build_node(cluster, entry, internal, external, str(next(subnets)))
        store.create(node)
        if entry["group"].get("role") == "control-plane" and not control_plane_ip:
            control_plane_ip = internal
    control_plane_ip = control_plane_ip or "192.168.56.2"
    cluster.state["control_plane_ip"] = control_plane_ip
    port = int((profile.get("control_plane") or {}).get("port", 6443))
    api_ip = cluster.admission.ips.nth(1)
    dns_ip = cluster.admission.ips.nth(10)
    variables = dict(profile.get("vars") or {})
    variables.update(dns_ip=dns_ip, api_ip=api_ip, control_plane_ip=control_plane_ip,
                     dns_domain=net.get("dns_domain", "cluster.local"),
                     cluster=profile.get("cluster_name", "kubernetes"),
                     version=profile.get("version", "v1.35.2"),
                     service_cidr=net.get("service_cidr", "10.96.0.0/12"),
                     pod_cidr=net.get("pod_cidr", "10.244.0.0/16"))
    cluster.state["dns_ip"] = dns_ip
    store.create({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": api_ip, "ports": [{"name": "https", "port": 443,
                                                 "protocol": "TCP", "targetPort": port}]}})
    store.write({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": control_plane_ip}],
                     "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]})
    store.write({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [control_plane_ip], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}]})
    cluster.reconcile()
    for node in store.list("nodes"):
        if "node-role.kubernetes.io/control-plane" in (node["metadata"].get("labels") or {}):
            for manifest in profile.get("static_pods") or []:
                store.create(_static_pod(cluster, node, _substitute(clone(manifest), variables)),
                             field_validation="Ignore")
    for obj in (list(profile.get("objects") or []) + list(profile.get("ingress_objects") or [])
                + list(profile.get("extra_objects") or [])):
        store.create(_substitute(clone(obj), variables), field_validation="Ignore")
    cluster.reconcile()


def _static_pod(cluster: ClusterView, node: dict, manifest: dict) -> dict:
    """The mirror pod the kubelet posts for a static manifest on ``node``."""
    import hashlib

    name = node["metadata"]["name"]
    md = manifest.setdefault("metadata", {})
    md["name"] = f"{md['name']}-{name}"
    md.setdefault("namespace", "kube-system")
    digest = hashlib.md5(repr(sorted(manifest.items())).encode()).hexdigest()
    md.setdefault("annotations", {}).update({
        "kubernetes.io/config.hash": digest, "kubernetes.io/config.mirror": digest,
        "kubernetes.io/config.seen": cluster.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f000Z"),
        "kubernetes.io/config.source": "file"})
    md["ownerReferences"] = [{"apiVersion": "v1", "controller": True, "kind": "Node",
                              "name": name, "uid": node["metadata"]["uid"]}]
    manifest.setdefault("spec", {})["nodeName"] = name
    return manifest
