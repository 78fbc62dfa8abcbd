"""Defaulting as the API server applies it (k8s pkg/apis/*/v1/defaults.go and the
admission plugins a kubeadm cluster enables), so that ``-o yaml`` shows what it would."""

from __future__ import annotations

from random import Random

from .objects import random_suffix, shared


def _image_pull_policy(image: str) -> str:
    # The tag is after the last ':' that follows the last '/'; digests pin the image.
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _probe(probe: dict | None) -> None:
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    if isinstance(probe.get("httpGet"), dict):
        probe["httpGet"].setdefault("path", "/")
        probe["httpGet"].setdefault("scheme", "HTTP")


def container(c: dict) -> None:
    if isinstance(c.get("image"), str):
        c.setdefault("imagePullPolicy", _image_pull_policy(c["image"]))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for env in c.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("fieldRef") if isinstance(env, dict) else None
        if isinstance(ref, dict):
            ref.setdefault("apiVersion", "v1")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(name))


def pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec and the per-container defaults (pod templates get these)."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            if isinstance(c, dict):
                container(c)
    for vol in spec.get("volumes") or []:
        if not isinstance(vol, dict):
            continue
        if len(vol) == 1 and "name" in vol:
            vol["emptyDir"] = {}
        if isinstance(vol.get("hostPath"), dict):
            vol["hostPath"].setdefault("type", "")
        if isinstance(vol.get("downwardAPI"), dict):
            vol["downwardAPI"].setdefault("defaultMode", 420)
        for source in ("secret", "configMap"):
            if isinstance(vol.get(source), dict):
                vol[source].setdefault("defaultMode", 420)
        if isinstance(vol.get("projected"), dict):
            vol["projected"].setdefault("defaultMode", 420)


def pod(obj: dict, rng: Random) -> None:
    """SetDefaults_Pod plus the ServiceAccount, Priority and DefaultTolerationSeconds
    admission plugins."""
    spec = obj.setdefault("spec", {})
    pod_spec(spec)
    for field in ("containers", "initContainers"):
        for c in spec.get(field) or []:
            res = c.get("resources") if isinstance(c, dict) else None
            if isinstance(res, dict) and res.get("limits"):
                requests = res.setdefault("requests", {})
                for key, value in res["limits"].items():
                    requests.setdefault(key, value)
            if spec.get("hostNetwork") and isinstance(c, dict):
                for port in c.get("ports") or []:
                    if isinstance(port, dict) and not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    spec.setdefault("enableServiceLinks", True)
    if spec.get("priorityClassName") in _PRIORITY_CLASSES:
        spec.setdefault("priority", _PRIORITY_CLASSES[spec["priorityClassName"]])
    mirror = "kubernetes.io/config.mirror" in (obj.get("metadata", {}).get("annotations") or {})
    if mirror:
        # mirror pods of static manifests skip the ServiceAccount admission plugin
        spec.setdefault("priority", 0)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        _default_tolerations(spec)
        obj.setdefault("status", {}).setdefault("phase", "Pending")
        obj["status"].setdefault("qosClass", qos_class(spec))
        return
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = account
    spec["serviceAccount"] = account
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    _default_tolerations(spec)
    if spec.get("automountServiceAccountToken") is not False and not any(
            (v.get("name") or "").startswith("kube-api-access-")
            for v in spec.get("volumes") or [] if isinstance(v, dict)):
        volume_name = "kube-api-access-" + random_suffix(rng)
        spec.setdefault("volumes", []).append(_api_access_volume(volume_name))
        for c in spec.get("containers") or []:
            if isinstance(c, dict):
                c.setdefault("volumeMounts", []).append(
                    {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                     "name": volume_name, "readOnly": True})
    obj.setdefault("status", {}).setdefault("phase", "Pending")
    obj["status"].setdefault("qosClass", qos_class(spec))


_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}


def _default_tolerations(spec: dict) -> None:
    """DefaultTolerationSeconds: pods ride out a not-ready/unreachable node for 300 s
    (unless they tolerate every NoExecute taint already)."""
    tolerations = spec.setdefault("tolerations", [])
    if any(isinstance(t, dict) and t.get("operator") == "Exists" and not t.get("key")
           and t.get("effect") in (None, "", "NoExecute") for t in tolerations):
        return
    for toleration in _DEFAULT_TOLERATIONS:
        if not any(t.get("key") == toleration["key"] for t in tolerations if isinstance(t, dict)):
            tolerations.append(toleration)


# What admission adds to every pod alike is one object shared by all the pods that hold it
# (stored objects are never changed in place): a cluster of 100,000 pods keeps one copy.
_DEFAULT_TOLERATIONS = tuple(
    shared({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300})
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"))
_API_ACCESS_PROJECTION = shared({"defaultMode": 420, "sources": [
    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
    {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
    {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                "path": "namespace"}]}}]})


def _api_access_volume(name: str) -> dict:
    return {"name": name, "projected": _API_ACCESS_PROJECTION}


def qos_class(spec: dict) -> str:
    requests = limits = False
    guaranteed = True
    for c in spec.get("containers") or []:
        res = (c.get("resources") or {}) if isinstance(c, dict) else {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        requests = requests or bool(req)
        limits = limits or bool(lim)
        if not (lim.get("cpu") and lim.get("memory")) or any(
                req.get(k) not in (None, lim.get(k)) for k in ("cpu", "memory")):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _template(obj: dict) -> None:
    template = obj.setdefault("spec", {}).get("template")
    if isinstance(template, dict):
        template.setdefault("metadata", {})
        pod_spec(template.setdefault("spec", {}))


def deployment(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(obj)


def replicaset(obj: dict) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj)


def statefulset(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        strategy.setdefault("rollingUpdate", {})
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        strategy["rollingUpdate"].setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy",
                    {"whenDeleted": "Retain", "whenScaled": "Retain"})
    _template(obj)


def daemonset(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    strategy = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template(obj)


def service(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    kind = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if spec["sessionAffinity"] == "ClientIP":
        spec.setdefault("sessionAffinityConfig", {}).setdefault(
            "clientIP", {}).setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def secret(obj: dict) -> None:
    obj.setdefault("type", "Opaque")


def namespace(obj: dict) -> None:
    name = obj["metadata"].get("name", "")
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")


def network_policy(obj: dict) -> None:
    spec = obj.setdefault("spec", {})
    if "policyTypes" not in spec:
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in (rule or {}).get("ports") or []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")


def endpoints(obj: dict) -> None:
    for subset in obj.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def job(obj: dict, rng: Random) -> None:
    """SetDefaults_Job and the registry's generated selector: the pods a Job makes carry
    its uid and name as labels, and its selector matches the uid (unless manualSelector)."""
    from sim.api.objects import new_uid

    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    md = obj.setdefault("metadata", {})
    template = spec.setdefault("template", {})
    if isinstance(md, dict) and isinstance(template, dict) and not spec.get("manualSelector") \
            and not spec.get("selector"):
        uid = md.setdefault("uid", new_uid(rng))
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        name = md.get("name", "")
        labels.update({"batch.kubernetes.io/controller-uid": uid,
                       "batch.kubernetes.io/job-name": name, "controller-uid": uid,
                       "job-name": name})
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    template_labels = ((template.get("metadata") or {}).get("labels") if isinstance(template, dict)
                       else None)
    if isinstance(md, dict) and not md.get("labels") and template_labels:
        md["labels"] = dict(template_labels)     # a Job without labels takes its pods'
    _template(obj)


def apply_defaults(plural: str, obj: dict, rng: Random) -> None:
    if plural == "pods":
        pod(obj, rng)
    elif plural == "deployments":
        deployment(obj)
    elif plural in ("replicasets", "replicationcontrollers"):
        replicaset(obj)
    elif plural == "statefulsets":
        statefulset(obj)
    elif plural == "daemonsets":
        daemonset(obj)
    elif plural == "jobs":
        job(obj, rng)
    elif plural == "services":
        service(obj)
    elif plural == "secrets":
        secret(obj)
    elif plural == "namespaces":
        namespace(obj)
    elif plural == "endpoints":
        endpoints(obj)
    elif plural == "ingresses":
        obj.setdefault("status", {}).setdefault("loadBalancer", {})
    elif plural == "networkpolicies":
        network_policy(obj)
    elif plural == "nodes":
        obj.setdefault("spec", {})
    elif plural == "podtemplates":
        template = obj.setdefault("template", {})
        pod_spec(template.setdefault("spec", {}))
