"""Endpoints and EndpointSlices: the endpoints controller, the EndpointSlice controller
and the EndpointSlice mirroring controller."""

from __future__ import annotations

from ..api.objects import clone, owner_reference, random_suffix
from ..api.selectors import selector_from_map
from .base import ClusterView, pod_ready


MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
MIRROR_CONTROLLER = "endpointslicemirroring-controller.k8s.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"
#: the EndpointSlice controller's --max-endpoints-per-slice default
MAX_SLICE_ENDPOINTS = 100
#: what an Endpoints object holds at most (the rest: the over-capacity annotation)
MAX_ENDPOINTS = 1000
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"


def resolve_target_port(svc_port: dict, pod: dict) -> int | None:
    """The pod's port for a Service port: a number, or a named container port."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in pod["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == svc_port.get("protocol", "TCP"):
                return p.get("containerPort")
    return None


def _selected_pods(cluster: ClusterView, svc: dict) -> list[dict]:
    """The Service's pods that have an address and are not going away (label index)."""
    reqs = selector_from_map(svc["spec"].get("selector"))
    return [p for p in cluster.store.list("pods", svc["metadata"]["namespace"], reqs)
            if p.get("status", {}).get("podIP") and not p["metadata"].get("deletionTimestamp")
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def _truncate(subsets: list[dict]) -> bool:
    """Keep at most MAX_ENDPOINTS addresses, ready ones first; True when some were cut."""
    total = sum(len(s.get("addresses", [])) + len(s.get("notReadyAddresses", []))
                for s in subsets)
    if total <= MAX_ENDPOINTS:
        return False
    budget = MAX_ENDPOINTS
    for field in ("addresses", "notReadyAddresses"):
        for subset in subsets:
            kept = subset.get(field, [])[:budget]
            budget -= len(kept)
            if kept:
                subset[field] = kept
            else:
                subset.pop(field, None)
    subsets[:] = [s for s in subsets if s.get("addresses") or s.get("notReadyAddresses")]
    return True


def _trigger_time(pods: list[dict], svc: dict) -> str:
    times = [svc["metadata"]["creationTimestamp"]]
    for p in pods:
        for c in p.get("status", {}).get("conditions") or []:
            if c.get("type") == "Ready" and c.get("lastTransitionTime"):
                times.append(c["lastTransitionTime"])
        times.append(p["metadata"]["creationTimestamp"])
    return max(times)


def _service_labels(svc: dict, extra: dict) -> dict:
    labels = dict(svc["metadata"].get("labels") or {})
    if svc["spec"].get("clusterIP") == "None":
        labels["service.kubernetes.io/headless"] = ""
    labels.update(extra)
    return labels


class EndpointsController:
    name = "endpoints"
    watches = ("services", "pods", "endpoints")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s
                    for s in store.list("services")}
        for svc in services.values():
            if not svc["spec"].get("selector") or svc["spec"].get("type") == "ExternalName":
                continue
            self._sync_service(cluster, svc, _selected_pods(cluster, svc))
        ep_type = store.type_of("endpoints")
        for ep in store.list(ep_type):
            key = (ep["metadata"]["namespace"], ep["metadata"]["name"])
            if key not in services and (ep["metadata"].get("labels") or {}).get(
                    "endpoints.kubernetes.io/managed-by") == "endpoint-controller":
                store.remove(ep_type, ep)
        return None

    def _sync_service(self, cluster: ClusterView, svc: dict, pods: list[dict]) -> None:
        publish = svc["spec"].get("publishNotReadyAddresses", False)
        subsets: dict[tuple, dict] = {}
        for pod in pods:
            ports = []
            for sp in svc["spec"].get("ports") or []:
                number = resolve_target_port(sp, pod)
                if number is None:
                    continue
                entry = {"port": number, "protocol": sp.get("protocol", "TCP")}
                if sp.get("name"):
                    entry = {"name": sp["name"], **entry}
                if sp.get("appProtocol"):
                    entry["appProtocol"] = sp["appProtocol"]
                ports.append(entry)
            if not ports and svc["spec"].get("ports"):
                continue
            key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
            subset = subsets.setdefault(key, {"addresses": [], "notReadyAddresses": [],
                                              "ports": ports})
            address = {"ip": pod["status"]["podIP"], "nodeName": pod["spec"].get("nodeName"),
                       "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"],
                                     "namespace": pod["metadata"]["namespace"],
                                     "uid": pod["metadata"]["uid"]}}
            if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == svc["metadata"]["name"]:
                address = {"hostname": pod["spec"]["hostname"], **address}
            if publish or pod_ready(pod):
                subset["addresses"].append(address)
            else:
                subset["notReadyAddresses"].append(address)
        out = []
        for subset in subsets.values():
            for field in ("addresses", "notReadyAddresses"):
                subset[field].sort(key=lambda a: (a["ip"], a["targetRef"]["uid"]))
                if not subset[field]:
                    del subset[field]
            subset["ports"].sort(key=lambda p: (p.get("name", ""), p["port"]))
            out.append({k: subset[k] for k in ("addresses", "notReadyAddresses", "ports")
                        if k in subset})
        out.sort(key=lambda s: (s.get("addresses") or s.get("notReadyAddresses"))[0]["ip"])
        truncated = _truncate(out)
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        existing = cluster.store.find("endpoints", ns, name)
        labels = _service_labels(svc, {"endpoints.kubernetes.io/managed-by": "endpoint-controller"})
        desired = {"apiVersion": "v1", "kind": "Endpoints",
                   "metadata": {"name": name, "namespace": ns, "labels": labels}}
        if out:
            desired["subsets"] = out
        if existing is not None:
            annotations = existing["metadata"].get("annotations") or {}
            same = existing.get("subsets") == desired.get("subsets") and \
                existing["metadata"].get("labels") == labels and \
                (OVER_CAPACITY in annotations) == truncated
            if same:
                return
            new = clone(existing)
            new["metadata"]["labels"] = labels
            new.pop("subsets", None)
            if out:
                new["subsets"] = out
            annotations = new["metadata"].setdefault("annotations", {})
            annotations[TRIGGER] = _trigger_time(pods, svc)
            if truncated:
                annotations[OVER_CAPACITY] = "truncated"
            else:
                annotations.pop(OVER_CAPACITY, None)
            cluster.store.write(new)
        else:
            desired["metadata"]["annotations"] = {TRIGGER: _trigger_time(pods, svc)}
            if truncated:
                desired["metadata"]["annotations"][OVER_CAPACITY] = "truncated"
            cluster.store.write(desired)


class EndpointSliceController:
    name = "endpointslice"
    watches = ("services", "pods", "endpointslices", "nodes")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        slices_by_svc: dict[tuple, list[dict]] = {}
        for sl in store.list("endpointslices"):
            if (sl["metadata"].get("labels") or {}).get(MANAGED_BY) == SLICE_CONTROLLER:
                svc_name = sl["metadata"]["labels"].get("kubernetes.io/service-name", "")
                slices_by_svc.setdefault((sl["metadata"]["namespace"], svc_name), []).append(sl)
        rt = store.type_of("endpointslices")
        wanted = set()
        for svc in store.list("services"):
            if not svc["spec"].get("selector") or svc["spec"].get("type") == "ExternalName":
                continue
            key = (svc["metadata"]["namespace"], svc["metadata"]["name"])
            wanted.add(key)
            self._sync_service(cluster, svc, _selected_pods(cluster, svc),
                               slices_by_svc.get(key, []))
        for key, slices in slices_by_svc.items():
            if key not in wanted:
                for sl in slices:
                    store.remove(rt, sl)
        return None

    def _sync_service(self, cluster, svc, pods, slices) -> None:
        publish = svc["spec"].get("publishNotReadyAddresses", False)
        endpoints = []
        ports = None
        # ordered by address as a string, like the Endpoints subsets (and what describe shows)
        for pod in sorted(pods, key=lambda p: (p["status"]["podIP"], p["metadata"]["uid"])):
            pod_ports = []
            for sp in svc["spec"].get("ports") or []:
                number = resolve_target_port(sp, pod)
                if number is None:
                    continue
                entry = {"name": sp.get("name", ""), "port": number,
                         "protocol": sp.get("protocol", "TCP")}
                if sp.get("appProtocol"):
                    entry["appProtocol"] = sp["appProtocol"]
                pod_ports.append(entry)
            if svc["spec"].get("ports") and not pod_ports:
                continue
            ports = pod_ports if ports is None else ports
            ready = pod_ready(pod)
            ep = {"addresses": [pod["status"]["podIP"]],
                  "conditions": {"ready": ready or publish, "serving": ready,
                                 "terminating": False},
                  "nodeName": pod["spec"].get("nodeName"),
                  "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"],
                                "namespace": pod["metadata"]["namespace"],
                                "uid": pod["metadata"]["uid"]}}
            if pod["spec"].get("hostname") and pod["spec"].get("subdomain") == svc["metadata"]["name"]:
                ep["hostname"] = pod["spec"]["hostname"]
            zone = self._zone(cluster, pod["spec"].get("nodeName"))
            if zone:
                ep["zone"] = zone
            endpoints.append(ep)
        labels = _service_labels(svc, {"kubernetes.io/service-name": svc["metadata"]["name"],
                                       MANAGED_BY: SLICE_CONTROLLER})
        desired_body = {"addressType": "IPv4", "endpoints": endpoints or None,
                        "ports": ports if ports is not None else
                        ([] if not svc["spec"].get("ports") else None)}
        if desired_body["ports"] == []:
            desired_body["ports"] = None
        chunks = [endpoints[i:i + MAX_SLICE_ENDPOINTS]
                  for i in range(0, len(endpoints), MAX_SLICE_ENDPOINTS)] or [None]
        slices = sorted(slices, key=lambda sl: (sl["metadata"]["creationTimestamp"],
                                                sl["metadata"]["name"]))
        for extra in slices[len(chunks):]:
            cluster.store.remove(cluster.store.type_of("endpointslices"), extra)
        trigger = None
        for i, chunk in enumerate(chunks):
            body = dict(desired_body, endpoints=chunk)
            current = slices[i] if i < len(slices) else None
            if current is not None:
                if {k: current.get(k) for k in ("addressType", "endpoints", "ports")} == body \
                        and current["metadata"].get("labels") == labels:
                    continue
                new = clone(current)
                new["metadata"]["labels"] = labels
                new.update(clone(body))
                trigger = trigger or _trigger_time(pods, svc)
                new["metadata"].setdefault("annotations", {})[TRIGGER] = trigger
                cluster.store.write(new)
                continue
            trigger = trigger or _trigger_time(pods, svc)
            obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": {"name": self._name(cluster, svc),
                                "generateName": svc["metadata"]["name"] + "-",
                                "namespace": svc["metadata"]["namespace"], "labels": labels,
                                "annotations": {TRIGGER: trigger},
                                "ownerReferences": [owner_reference(svc)]}}
            obj.update(clone(body))
            cluster.store.write(obj)

    @staticmethod
    def _name(cluster, svc) -> str:
        while True:
            name = f"{svc['metadata']['name']}-{random_suffix(cluster.rng)}"
            if cluster.store.find("endpointslices", svc["metadata"]["namespace"], name) is None:
                return name

    @staticmethod
    def _zone(cluster, node_name) -> str | None:
        if not node_name:
            return None
        node = cluster.store.find("nodes", None, node_name)
        if node is None:
            return None
        return (node["metadata"].get("labels") or {}).get("topology.kubernetes.io/zone")


class EndpointSliceMirroringController:
    """Selector-less Services with hand-made Endpoints get a mirrored EndpointSlice."""

    name = "endpointslicemirroring"
    watches = ("services", "endpoints", "endpointslices")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        rt = store.type_of("endpointslices")
        mirrored: dict[tuple, list[dict]] = {}
        for sl in store.list(rt):
            if (sl["metadata"].get("labels") or {}).get(MANAGED_BY) == MIRROR_CONTROLLER:
                key = (sl["metadata"]["namespace"],
                       sl["metadata"]["labels"].get("kubernetes.io/service-name", ""))
                mirrored.setdefault(key, []).append(sl)
        wanted = set()
        for ep in store.list("endpoints"):
            labels = ep["metadata"].get("labels") or {}
            if labels.get("endpointslice.kubernetes.io/skip-mirror") == "true" or \
                    labels.get("endpoints.kubernetes.io/managed-by") == "endpoint-controller":
                continue
            svc = store.find("services", ep["metadata"]["namespace"], ep["metadata"]["name"])
            if svc is None or svc["spec"].get("selector"):
                continue
            key = (ep["metadata"]["namespace"], ep["metadata"]["name"])
            wanted.add(key)
            self._mirror(cluster, svc, ep, mirrored.get(key, []))
        for key, slices in mirrored.items():
            if key not in wanted:
                for sl in slices:
                    store.remove(rt, sl)
        return None

    def _mirror(self, cluster, svc, ep, slices) -> None:
        endpoints, ports = [], None
        for subset in ep.get("subsets") or []:
            sub_ports = [{"name": p.get("name", ""), "port": p.get("port"),
                          "protocol": p.get("protocol", "TCP")} for p in subset.get("ports") or []]
            ports = sub_ports if ports is None else ports
            for ready, field in ((True, "addresses"), (False, "notReadyAddresses")):
                for addr in subset.get(field) or []:
                    entry = {"addresses": [addr["ip"]],
                             "conditions": {"ready": ready}}
                    if addr.get("hostname"):
                        entry["hostname"] = addr["hostname"]
                    if addr.get("nodeName"):
                        entry["nodeName"] = addr["nodeName"]
                    if addr.get("targetRef"):
                        entry["targetRef"] = addr["targetRef"]
                    endpoints.append(entry)
        labels = dict(svc["metadata"].get("labels") or {})
        labels.update({"kubernetes.io/service-name": svc["metadata"]["name"],
                       MANAGED_BY: MIRROR_CONTROLLER})
        body = {"addressType": "IPv4", "endpoints": endpoints or None, "ports": ports}
        current = slices[0] if slices else None
        if current is not None:
            if {k: current.get(k) for k in body} == body and \
                    current["metadata"].get("labels") == labels:
                return
            new = clone(current)
            new["metadata"]["labels"] = labels
            new.update(clone(body))
            cluster.store.write(new)
            return
        name = EndpointSliceController._name(cluster, svc)
        obj = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
               "metadata": {"name": name, "generateName": svc["metadata"]["name"] + "-",
                            "namespace": svc["metadata"]["namespace"], "labels": labels,
                            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time":
                                            ep["metadata"]["creationTimestamp"]},
                            "ownerReferences": [owner_reference(svc)]}}
        obj.update(clone(body))
        cluster.store.write(obj)
