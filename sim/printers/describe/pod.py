"""describe for pods, and the container / volume / pod template blocks others reuse."""
from __future__ import annotations

from datetime import datetime

from ..duration import translate_timestamp_since
from ..gofmt import go_quote
from ..quantity import Quantity
from ..selectors import format_label_selector
from .writer import (Lookup, Writer, annotations_multiline, controller_of, events, find_events,
                     labels_multiline, rfc1123z, tolerations_multiline)

_STANDARD_RESOURCES = ["cpu", "memory", "storage", "ephemeral-storage"]


def _sorted_resources(names) -> list[str]:
    """SortedResourceNames: standard ones first in a fixed order, then by name."""
    def key(name: str):
        return (0, _STANDARD_RESOURCES.index(name)) if name in _STANDARD_RESOURCES else (1, name)
    return sorted(names, key=key)


def _port_string(ports: list[dict], field: str) -> str:
    out = []
    for p in ports:
        text = f"{p.get(field, 0)}/{p.get('protocol', '')}"
        if p.get("name"):
            text += f" ({p['name']})"
        out.append(text)
    return ", ".join(out)


def _int_or_string(value) -> str:
    return str(value) if value is not None else ""


def describe_probe(probe: dict) -> str:
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 0)}s "
             f"period={probe.get('periodSeconds', 0)}s #success={probe.get('successThreshold', 0)} "
             f"#failure={probe.get('failureThreshold', 0)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        http = probe["httpGet"]
        scheme = (http.get("scheme") or "").lower()
        port = _int_or_string(http.get("port"))
        host = http.get("host", "")
        hostport = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        url = f"{scheme}://{hostport}{http.get('path', '')}" if scheme else f"//{hostport}{http.get('path', '')}"
        return f"http-get {url} {attrs}"
    if probe.get("tcpSocket") is not None:
        tcp = probe["tcpSocket"]
        return f"tcp-socket {tcp.get('host', '')}:{_int_or_string(tcp.get('port'))} {attrs}"
    if probe.get("grpc") is not None:
        return f"grpc <pod>:{probe['grpc'].get('port', 0)} {probe['grpc'].get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _resources(w: Writer, resources: dict | None, level: int) -> None:
    if not resources:
        return
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(key) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in _sorted_resources(values):
            w.write(level + 1, f"{name}:\t{Quantity.parse(values[name])}\n")


def _state(w: Writer, title: str, state: dict) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        term = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{term.get('exitCode', 0)}\n")
        if term.get("signal", 0) > 0:
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def _env(w: Writer, container: dict, pod: dict | None) -> None:
    env = container.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        source = e.get("valueFrom")
        if source is None:
            for i, part in enumerate((e.get("value") or "").split("\n")):
                w.write(3, f"{e.get('name', '')}:\t{part}\n" if i == 0 else f"\t{part}\n")
            continue
        if source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = _field_value(pod, ref.get("fieldPath", "")) if pod is not None else ""
            w.write(3, f"{e.get('name', '')}:\t{value} ({ref.get('apiVersion', '')}:{ref.get('fieldPath', '')})\n")
        elif source.get("resourceFieldRef") is not None:
            w.write(3, f"{e.get('name', '')}:\tnode allocatable ({source['resourceFieldRef'].get('resource', '')})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{ref.get('key', '')}' in secret '{ref.get('name', '')}'>"
                       f"\tOptional: {'true' if ref.get('optional') else 'false'}\n")
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            w.write(3, f"{e.get('name', '')}:\t<set to the key '{ref.get('key', '')}' of config map '{ref.get('name', '')}'>"
                       f"\tOptional: {'true' if ref.get('optional') else 'false'}\n")


def _field_value(pod: dict, path: str) -> str:
    """EnvValueRetriever: only paths that are both Pod field labels and readable from
    metadata by fieldpath.ExtractFieldPathAsString give a value."""
    meta = pod.get("metadata") or {}
    return {"metadata.name": meta.get("name", ""),
            "metadata.namespace": meta.get("namespace", "")}.get(path, "")


def _env_from(w: Writer, container: dict) -> None:
    sources = container.get("envFrom") or []
    if not sources:
        return
    w.write(2, "Environment Variables from:\n")
    for src in sources:
        kind, ref = ("ConfigMap", src.get("configMapRef")) if src.get("configMapRef") else ("Secret", src.get("secretRef") or {})
        optional = "true" if ref.get("optional") else "false"
        if src.get("prefix"):
            w.write(3, f"{ref.get('name', '')}\t{kind} with prefix '{src['prefix']}'\tOptional: {optional}\n")
        else:
            w.write(3, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")


def _mounts(w: Writer, container: dict) -> None:
    mounts = sorted(container.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
    w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
    for m in mounts:
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f"path={go_quote(m['subPath'])}")
        w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")


def describe_containers(w: Writer, label: str, containers: list[dict], statuses: list[dict] | None,
                        pod: dict | None, space: str) -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    indent = " " if space else ""
    for c in containers:
        status = by_name.get(c.get("name"))
        w.write(1, f"{indent}{c.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = c.get("ports") or []
        text = _port_string(ports, "containerPort")
        w.write(2, f"Ports:\t{text}\n" if "," in text else f"Port:\t{text or '<none>'}\n")
        host = _port_string(ports, "hostPort")
        w.write(2, f"Host Ports:\t{host}\n" if "," in host else f"Host Port:\t{host or '<none>'}\n")
        seccomp = (c.get("securityContext") or {}).get("seccompProfile")
        if seccomp:
            w.write(2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for part in item.split("\n"):
                        w.write(3, f"{part}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            last = status.get("lastState") or {}
            if last.get("terminated") is not None:
                _state(w, "Last State", last)
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, c.get("resources"), 2)
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if c.get(key) is not None:
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        _env_from(w, c)
        _env(w, c, pod)
        _mounts(w, c)


def _volume(w: Writer, vol: dict) -> None:
    if vol.get("hostPath") is not None:
        hp = vol["hostPath"]
        w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                   f"    Path:\t{hp.get('path', '')}\n    HostPathType:\t{hp.get('type') or '<none>'}\n")
    elif vol.get("emptyDir") is not None:
        ed = vol["emptyDir"]
        limit = ed.get("sizeLimit")
        limit_text = str(Quantity.parse(limit)) if limit and Quantity.parse(limit).value > 0 else "<unset>"
        w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                   f"    Medium:\t{ed.get('medium', '')}\n    SizeLimit:\t{limit_text}\n")
    elif vol.get("secret") is not None:
        sec = vol["secret"]
        w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                   f"    SecretName:\t{sec.get('secretName', '')}\n"
                   f"    Optional:\t{'true' if sec.get('optional') else 'false'}\n")
    elif vol.get("configMap") is not None:
        cm = vol["configMap"]
        w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                   f"    Name:\t{cm.get('name', '')}\n"
                   f"    Optional:\t{'true' if cm.get('optional') else 'false'}\n")
    elif vol.get("projected") is not None:
        w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for src in vol["projected"].get("sources") or []:
            if src.get("secret") is not None:
                w.write(2, f"SecretName:\t{src['secret'].get('name', '')}\n"
                           f"    Optional:\t{'true' if src['secret'].get('optional') else 'false'}\n")
            elif src.get("downwardAPI") is not None:
                w.write(2, "DownwardAPI:\ttrue\n")
            elif src.get("configMap") is not None:
                w.write(2, f"ConfigMapName:\t{src['configMap'].get('name', '')}\n"
                           f"    Optional:\t{'true' if src['configMap'].get('optional') else 'false'}\n")
            elif src.get("serviceAccountToken") is not None:
                w.write(2, f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 0)}\n")
    elif vol.get("persistentVolumeClaim") is not None:
        pvc = vol["persistentVolumeClaim"]
        w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
                   f"    ClaimName:\t{pvc.get('claimName', '')}\n"
                   f"    ReadOnly:\t{'true' if pvc.get('readOnly') else 'false'}\n")
    elif vol.get("downwardAPI") is not None:
        w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
        for item in vol["downwardAPI"].get("items") or []:
            if item.get("fieldRef"):
                w.write(3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n")
            if item.get("resourceFieldRef"):
                w.write(3, f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n")
    else:
        w.write(1, "<unknown>\n")


def describe_volumes(w: Writer, volumes: list[dict] | None, space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for vol in volumes:
        w.write(1, f"{' ' if space else ''}{vol.get('name', '')}:\n")
        _volume(w, vol)


def _topology(w: Writer, constraints: list[dict] | None, space: str) -> None:
    items = sorted(constraints or [], key=lambda c: c.get("topologyKey", ""))
    if not items:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, c in enumerate(items):
        if i:
            w.write(0, space)
            w.write(0, "\t")
        text = f"{c.get('topologyKey', '')}:{c.get('whenUnsatisfiable', '')} when max skew {c.get('maxSkew', 0)} is exceeded"
        if c.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(c['labelSelector'])}"
        w.write(0, text + "\n")


def describe_pod_template(w: Writer, template: dict | None) -> None:
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    _topology(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"), initial="  ")


def qos_class(pod: dict) -> str:
    status_qos = (pod.get("status") or {}).get("qosClass")
    if status_qos:
        return status_qos
    requests_limits = [c.get("resources") or {} for c in (pod.get("spec") or {}).get("containers") or []]
    if not any(r.get("requests") or r.get("limits") for r in requests_limits):
        return "BestEffort"
    return "Burstable"


def describe_pod(pod: dict, now: datetime, lookup: Lookup, show_events: bool = True) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("nodeName"):
        w.write(0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    else:
        w.write(0, "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {translate_timestamp_since(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    if status.get("podIPs"):
        w.write(0, "IPs:\n")
        for ip in status["podIPs"]:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    owner = controller_of(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner.get('kind', '')}/{owner.get('name', '')}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        _resources(w, spec["resources"], 1)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses"), pod, "")
    describe_containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), pod, "")
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            found = next((c.get("status", "") for c in status.get("conditions") or []
                          if c.get("type") == gate.get("conditionType")), "<none>")
            w.write(1, f"{gate.get('conditionType', '')} \t{found} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes"), "")
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    _topology(w, spec.get("topologySpreadConstraints"), "")
    if show_events:
        events(w, find_events(pod, lookup, with_kind=False), now)
    return w.text()
