"""Objects shaped as a v1.35 API server returns them (defaulted fields, status)."""
from __future__ import annotations

import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

# Real time: describe computes ages on the client, so the reference kubectl must agree.
NOW = datetime.now(timezone.utc).replace(microsecond=0)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


# Golden files are recorded with objects built at this instant.
FROZEN = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@contextmanager
def frozen(now: datetime = FROZEN) -> Iterator[datetime]:
    """Build objects relative to `now` instead of the real time."""
    global NOW
    saved, NOW = NOW, now
    try:
        yield now
    finally:
        NOW = saved


def ts(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, age: float, namespace: str | None = "default", uid: str = "", **extra) -> dict:
    m = {"name": name}
    if namespace is not None:
        m["namespace"] = namespace
    m["uid"] = uid or f"{zlib.crc32(name.encode()) % 10**8:08d}-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    m["resourceVersion"] = str(1000 + int(age) % 977)
    m["creationTimestamp"] = ts(age)
    m.update(extra)
    return m


def container(name: str, image: str, port: int | None = 80) -> dict:
    c = {"name": name, "image": image, "resources": {},
         "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File", "imagePullPolicy": "Always"}
    if port:
        c["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    return c


def pod(name: str, ip: str | None, node: str | None, *, age: float = 13, labels=None,
        state: str = "running", restarts: int = 0, image: str = "nginx",
        deleting: bool = False, owner: dict | None = None) -> dict:
    labels = labels or {"run": "my-nginx"}
    start = ts(age - 1)
    m = meta(name, age, labels=labels)
    if owner:
        m["generateName"] = name.rsplit("-", 1)[0] + "-"
        m["ownerReferences"] = [owner]
    if deleting:
        m["deletionTimestamp"] = ts(0)
        m["deletionGracePeriodSeconds"] = 30
    ready = state == "running"
    cstate: dict
    if state == "running":
        cstate = {"running": {"startedAt": start}}
    elif state == "creating":
        cstate = {"waiting": {"reason": "ContainerCreating"}}
    elif state == "pull":
        cstate = {"waiting": {"reason": "ImagePullBackOff",
                              "message": f'Back-off pulling image "{image}"'}}
    else:
        cstate = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start,
                                 "finishedAt": ts(1)}}
    status_cs = {"name": "nginx", "state": cstate, "ready": ready, "restartCount": restarts,
                 "image": f"docker.io/library/{image}:latest", "imageID": "", "started": ready}
    if ready:
        status_cs["imageID"] = f"docker.io/library/{image}@sha256:" + "ab" * 32
        status_cs["containerID"] = "containerd://" + "cd" * 32
    if restarts:
        status_cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                                 "startedAt": ts(400), "finishedAt": ts(300)}}
    else:
        status_cs["lastState"] = {}
    phase = "Succeeded" if state == "completed" else ("Running" if ready else "Pending")
    cond = "True" if ready else "False"
    status = {"phase": phase, "conditions": [
        {"type": "PodReadyToStartContainers", "status": "True" if ip else "False",
         "lastProbeTime": None, "lastTransitionTime": start},
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(age)},
        {"type": "Ready", "status": cond, "lastProbeTime": None, "lastTransitionTime": start},
        {"type": "ContainersReady", "status": cond, "lastProbeTime": None, "lastTransitionTime": start},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(age)},
    ], "hostIP": "10.128.0.2" if node else None, "startTime": ts(age), "containerStatuses": [status_cs],
        "qosClass": "BestEffort"}
    if status["hostIP"]:
        status["hostIPs"] = [{"ip": status["hostIP"]}]
    else:
        del status["hostIP"]
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    spec = {"containers": [container("nginx", image)], "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default",
            "securityContext": {}, "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                 "tolerationSeconds": 300}],
            "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority"}
    if node:
        spec["nodeName"] = node
    return {"kind": "Pod", "apiVersion": "v1", "metadata": m, "spec": spec, "status": status}


def service(name: str, *, kind: str = "ClusterIP", ip: str | None = "10.96.162.149",
            ports=None, selector=None, age: float = 21, external_ips=None, lb=None,
            external_name: str | None = None, labels=None, annotations=None) -> dict:
    ports = ports if ports is not None else [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    spec: dict = {"ports": ports} if ports else {}
    if selector is not None:
        spec["selector"] = selector
    if kind != "ExternalName":
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
    if external_ips:
        spec["externalIPs"] = external_ips
    spec["type"] = kind
    if external_name:
        spec["externalName"] = external_name
    spec["sessionAffinity"] = "None"
    if kind in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = "Cluster"
    if kind != "ExternalName":
        spec["ipFamilies"] = ["IPv4"]
        spec["ipFamilyPolicy"] = "SingleStack"
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    m = meta(name, age)
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    return {"kind": "Service", "apiVersion": "v1", "metadata": m, "spec": spec,
            "status": {"loadBalancer": lb or {}}}


def endpoints(name: str, addresses: list[tuple[str, str | None]], ports, *, age: float = 21,
              not_ready=()) -> dict:
    subset: dict = {}
    if addresses:
        subset["addresses"] = [
            {"ip": ip, **({"nodeName": node} if node else {}),
             **({"targetRef": {"kind": "Pod", "namespace": "default", "name": f"pod-{ip}",
                               "uid": f"uid-{ip}"}} if node else {})}
            for ip, node in addresses]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    subset["ports"] = ports
    m = meta(name, age, labels={"run": name})
    return {"kind": "Endpoints", "apiVersion": "v1", "metadata": m,
            "subsets": [subset] if (addresses or not_ready) else []}


def endpointslice(service_name: str, suffix: str, addresses: list[str], ports, *,
                  age: float = 21, ready: bool = True) -> dict:
    m = meta(f"{service_name}-{suffix}", age, generateName=f"{service_name}-",
             labels={"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                     "kubernetes.io/service-name": service_name})
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1", "metadata": m,
            "addressType": "IPv4",
            "endpoints": [{"addresses": [a], "conditions": {"ready": ready, "serving": ready,
                                                            "terminating": False},
                           "nodeName": "node-1"} for a in addresses],
            "ports": ports}


def node(name: str, internal: str, external: str | None, *, control_plane: bool = False,
         age: float = 86400 * 12, ready: bool = True, unschedulable: bool = False) -> dict:
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux"}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
    addresses = [{"address": internal, "type": "InternalIP"}]
    if external:
        addresses.append({"address": external, "type": "ExternalIP"})
    addresses.append({"address": name, "type": "Hostname"})
    spec: dict = {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}
    if unschedulable:
        spec["unschedulable"] = True
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": meta(name, age, namespace=None, labels=labels,
                             annotations={"node.alpha.kubernetes.io/ttl": "0",
                                          "volumes.kubernetes.io/controller-managed-attach-detach": "true"}),
            "spec": spec,
            "status": {
                "capacity": {"cpu": "2", "ephemeral-storage": "102430Mi", "hugepages-2Mi": "0",
                             "memory": "8148236Ki", "pods": "110"},
                "allocatable": {"cpu": "2", "ephemeral-storage": "94403119396", "hugepages-2Mi": "0",
                                "memory": "8045836Ki", "pods": "110"},
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": ts(30),
                     "lastTransitionTime": ts(age), "reason": "KubeletHasSufficientMemory",
                     "message": "kubelet has sufficient memory available"},
                    {"type": "Ready", "status": "True" if ready else "False",
                     "lastHeartbeatTime": ts(30), "lastTransitionTime": ts(age - 20),
                     "reason": "KubeletReady" if ready else "KubeletNotReady",
                     "message": "kubelet is posting ready status"}],
                "addresses": addresses,
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": "0f" * 16, "systemUUID": "ec2-0000", "bootID": "b-1",
                             "kernelVersion": "6.8.0-1015-gcp", "osImage": "Ubuntu 24.04.1 LTS",
                             "containerRuntimeVersion": "containerd://1.7.24",
                             "kubeletVersion": "v1.35.2", "kubeProxyVersion": "",
                             "operatingSystem": "linux", "architecture": "amd64"},
            }}


def deployment(name: str, replicas: int, ready: int, *, age: float = 80) -> dict:
    labels = {"app": name}
    return {"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": meta(name, age, generation=1, labels=labels,
                             annotations={"deployment.kubernetes.io/revision": "1"}),
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container("nginx", "nginx:1.27")],
                                           "restartPolicy": "Always"}},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                     "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
            "status": {"observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas,
                       "readyReplicas": ready, "availableReplicas": ready,
                       "conditions": [
                           {"type": "Available", "status": "True", "lastUpdateTime": ts(60),
                            "lastTransitionTime": ts(60), "reason": "MinimumReplicasAvailable",
                            "message": "Deployment has minimum availability."},
                           {"type": "Progressing", "status": "True", "lastUpdateTime": ts(60),
                            "lastTransitionTime": ts(age), "reason": "NewReplicaSetAvailable",
                            "message": f'ReplicaSet "{name}-6c5948bf66" has successfully progressed.'}]}}


def replicaset(name: str, deploy: str, replicas: int, ready: int, *, age: float = 80) -> dict:
    labels = {"app": deploy, "pod-template-hash": name.rsplit("-", 1)[1]}
    return {"kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": meta(name, age, generation=1, labels=labels,
                             ownerReferences=[{"apiVersion": "apps/v1", "kind": "Deployment",
                                               "name": deploy, "uid": "d-uid",
                                               "controller": True, "blockOwnerDeletion": True}]),
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container("nginx", "nginx:1.27")]}}},
            "status": {"replicas": replicas, "fullyLabeledReplicas": replicas, "readyReplicas": ready,
                       "availableReplicas": ready, "observedGeneration": 1}}


def statefulset(name: str, replicas: int, ready: int, *, age: float = 300) -> dict:
    labels = {"app": name}
    return {"kind": "StatefulSet", "apiVersion": "apps/v1",
            "metadata": meta(name, age, generation=1),
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container("nginx", "nginx:1.27")]}},
                     "serviceName": name, "podManagementPolicy": "OrderedReady",
                     "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                              "whenScaled": "Retain"},
                     "updateStrategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"partition": 0}},
                     "revisionHistoryLimit": 10},
            "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": ready,
                       "currentReplicas": replicas, "updatedReplicas": replicas,
                       "availableReplicas": ready}}


def secret(name: str, kind: str, data: dict, *, age: float = 60) -> dict:
    return {"kind": "Secret", "apiVersion": "v1", "metadata": meta(name, age), "data": data,
            "type": kind}


def configmap(name: str, data: dict, *, age: float = 114) -> dict:
    return {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta(name, age), "data": data}


def ingress(name: str, *, rules, tls=None, default_backend=None, lb=None,
            class_name: str | None = None, age: float = 86400 * 2 + 3600) -> dict:
    spec: dict = {}
    if class_name:
        spec["ingressClassName"] = class_name
    if default_backend:
        spec["defaultBackend"] = default_backend
    if tls:
        spec["tls"] = tls
    spec["rules"] = rules
    return {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
            "metadata": meta(name, age, generation=1), "spec": spec,
            "status": {"loadBalancer": lb or {}}}


def backend(service_name: str, port: int | str) -> dict:
    key = "number" if isinstance(port, int) else "name"
    return {"service": {"name": service_name, "port": {key: port}}}


def event(name: str, involved: dict, reason: str, message: str, *, type_: str = "Normal",
          age: float = 10, count: int = 1, component: str = "default-scheduler",
          host: str = "", first_age: float | None = None) -> dict:
    source = {"component": component}
    if host:
        source["host"] = host
    return {"kind": "Event", "apiVersion": "v1",
            "metadata": meta(name, age), "involvedObject": involved, "reason": reason,
            "message": message, "source": source,
            "firstTimestamp": ts(first_age if first_age is not None else age),
            "lastTimestamp": ts(age), "count": count, "type": type_,
            "eventTime": None, "reportingComponent": component, "reportingInstance": host}


def involved(obj: dict, field_path: str = "") -> dict:
    ref = {"kind": obj["kind"], "namespace": obj["metadata"].get("namespace", ""),
           "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"],
           "apiVersion": obj["apiVersion"],
           "resourceVersion": obj["metadata"]["resourceVersion"]}
    if not ref["namespace"]:
        del ref["namespace"]
    if field_path:
        ref["fieldPath"] = field_path
    return ref
