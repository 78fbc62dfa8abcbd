"""Column definitions and cell values of `kubectl get` tables.

Each resource has a list of (header, priority) and a function giving every cell of a
row, wide ones included, as the API server's table convertor does: it always generates
with Wide=true (so load balancer addresses are never shortened) and the client drops
priority-1 columns unless `-o wide`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from .duration import as_utc, format_age, parse_time, translate_timestamp_since
from .selectors import format_label_selector, format_labels, selector_string

Cells = Callable[[dict, datetime], list[str]]

LOAD_BALANCER_WIDTH = 16
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _age(obj: dict, now: datetime) -> str:
    return translate_timestamp_since(_meta(obj).get("creationTimestamp"), now)


def _more(items: list[str], total: int, limit: int = 3, empty: str = "") -> str:
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty


def _containers(template_spec: dict) -> list[str]:
    containers = template_spec.get("containers") or []
    return [",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers)]


def _later(a: str | None, b: str | None) -> str | None:
    if not a:
        return b
    if not b:
        return a
    return b if parse_time(b) > parse_time(a) else a


def _pod_status(pod: dict) -> tuple[str, int, int, str | None]:
    """(reason, ready, restarts, last restart) following printPod."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    sidecar = {n for n, c in init_specs.items() if c.get("restartPolicy") == "Always"}
    restarts = sidecar_restarts = ready = 0
    last = sidecar_last = None
    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        last = _later(last, finished)
        is_sidecar = cs.get("name") in sidecar
        if is_sidecar:
            sidecar_restarts += cs.get("restartCount", 0)
            sidecar_last = _later(sidecar_last, finished)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if is_sidecar and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if term is not None:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif wait is not None and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True"
                      for c in status.get("conditions") or [])
    if not initializing or initialized:
        restarts, last = sidecar_restarts, sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last = _later(last, ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                reason = (f"Signal:{term['signal']}" if term.get("signal")
                          else f"ExitCode:{term.get('exitCode', 0)}")
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in status.get("conditions") or [])
            reason = "Running" if pod_ready else "NotReady"
    if _meta(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, restarts, last


def pod_cells(pod: dict, now: datetime) -> list[str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    reason, ready, restarts, last = _pod_status(pod)
    total = len(spec.get("containers") or []) + sum(
        1 for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always")
    restarts_text = str(restarts)
    if restarts and last:
        restarts_text = f"{restarts} ({translate_timestamp_since(last, now)} ago)"
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in reversed(status.get("conditions") or [])}
        true = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_text = f"{true}/{len(gates)}"
    return [_meta(pod).get("name", ""), f"{ready}/{total}", reason, restarts_text, _age(pod, now),
            (ips[0].get("ip") if ips else "") or "<none>",
            spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            gates_text]


def load_balancer_text(lb_status: dict | None, wide: bool) -> str:
    found = set()
    for ing in (lb_status or {}).get("ingress") or []:
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    text = ",".join(sorted(found))
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[:LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def service_external_ip(svc: dict, wide: bool) -> str:
    spec = svc.get("spec") or {}
    kind = spec.get("type", "")
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "LoadBalancer":
        lb = load_balancer_text((svc.get("status") or {}).get("loadBalancer"), wide)
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_ports(ports: list[dict]) -> str:
    pieces = []
    for port in ports:
        proto = port.get("protocol", "")
        if port.get("nodePort"):
            pieces.append(f"{port.get('port', 0)}:{port['nodePort']}/{proto}")
        else:
            pieces.append(f"{port.get('port', 0)}/{proto}")
    return ",".join(pieces)


def service_cells(svc: dict, now: datetime) -> list[str]:
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or []
    return [_meta(svc).get("name", ""), spec.get("type", ""), ips[0] if ips else "<none>",
            service_external_ip(svc, True), service_ports(spec.get("ports") or []) or "<none>",
            _age(svc, now), format_labels(spec.get("selector"))]


def _host_port(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def endpoints_text(ep: dict) -> str:
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items: list[str] = []
    count = 0
    for ss in subsets:
        addresses = [a.get("ip", "") for a in ss.get("addresses") or []]
        ports = ss.get("ports") or []
        if not ports:
            count += len(addresses)
            items.extend(addresses)
            continue
        for port in ports:
            count += len(addresses)
            items.extend(_host_port(ip, port.get("port", 0)) for ip in addresses)
    return _more(items, count)


def endpoints_cells(ep: dict, now: datetime) -> list[str]:
    return [_meta(ep).get("name", ""), endpoints_text(ep), _age(ep, now)]


def endpointslice_cells(eps: dict, now: datetime) -> list[str]:
    ports = []
    for port in eps.get("ports") or []:
        if port.get("port") is not None:
            ports.append(str(port["port"]))
        elif port.get("name") is not None:
            ports.append(port["name"])
        else:
            ports.append("*")
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    return [_meta(eps).get("name", ""), eps.get("addressType", ""),
            _more(ports, len(ports), empty="<unset>"),
            _more(addresses, len(addresses), empty="<unset>"), _age(eps, now)]


def deployment_cells(d: dict, now: datetime) -> list[str]:
    spec, status = d.get("spec") or {}, d.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(d).get("name", ""),
            f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            str(status.get("updatedReplicas", 0)), str(status.get("availableReplicas", 0)),
            _age(d, now), *_containers(tspec), _selector_or_invalid(spec.get("selector"))]


def _selector_or_invalid(selector: dict | None) -> str:
    try:
        return selector_string(selector)
    except ValueError:
        return "<invalid>"


def replicaset_cells(rs: dict, now: datetime) -> list[str]:
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(rs).get("name", ""), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
            str(status.get("readyReplicas", 0)), _age(rs, now), *_containers(tspec),
            _selector_or_invalid(spec.get("selector"))]


def statefulset_cells(ss: dict, now: datetime) -> list[str]:
    spec, status = ss.get("spec") or {}, ss.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(ss).get("name", ""), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            _age(ss, now), *_containers(tspec)]


def daemonset_cells(ds: dict, now: datetime) -> list[str]:
    spec, status = ds.get("spec") or {}, ds.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(ds).get("name", ""), *(str(status.get(k, 0)) for k in (
        "desiredNumberScheduled", "currentNumberScheduled", "numberReady",
        "updatedNumberScheduled", "numberAvailable")),
        format_labels(tspec.get("nodeSelector")), _age(ds, now), *_containers(tspec),
        _selector_or_invalid(spec.get("selector"))]


def node_roles(node: dict) -> str:
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX):]:
            roles.add(key[len(NODE_ROLE_PREFIX):])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def node_address(node: dict, kind: str) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == kind:
            return addr.get("address", "")
    return "<none>"


def node_cells(node: dict, now: datetime) -> list[str]:
    status = node.get("status") or {}
    states = []
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready":
            states = ["Ready" if cond.get("status") == "True" else "NotReady"]
    states = states or ["Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo") or {}
    return [_meta(node).get("name", ""), ",".join(states), node_roles(node), _age(node, now),
            info.get("kubeletVersion", ""), node_address(node, "InternalIP"),
            node_address(node, "ExternalIP"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def ingress_hosts(rules: list[dict]) -> str:
    hosts = [r["host"] for r in rules[:3] if r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 3} more..." if len(rules) > 3 else text


def ingress_cells(ing: dict, now: datetime) -> list[str]:
    spec = ing.get("spec") or {}
    return [_meta(ing).get("name", ""), spec.get("ingressClassName") or "<none>",
            ingress_hosts(spec.get("rules") or []),
            load_balancer_text((ing.get("status") or {}).get("loadBalancer"), True),
            "80, 443" if spec.get("tls") else "80", _age(ing, now)]


def ingressclass_cells(ic: dict, now: datetime) -> list[str]:
    spec = ic.get("spec") or {}
    params = spec.get("parameters")
    text = "<none>"
    if params is not None:
        text = params.get("kind", "")
        if params.get("apiGroup") is not None:
            text += "." + params["apiGroup"]
        text += "/" + params.get("name", "")
    return [_meta(ic).get("name", ""), spec.get("controller", ""), text, _age(ic, now)]


def event_source(ev: dict) -> str:
    source = ev.get("source") or {}
    component = source.get("component") or ev.get("reportingController", "")
    host = source.get("host") or ev.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


def event_cells(ev: dict, now: datetime) -> list[str]:
    first = translate_timestamp_since(ev.get("firstTimestamp"), now)
    if not ev.get("firstTimestamp"):
        first = translate_timestamp_since(ev.get("eventTime"), now)
    last = translate_timestamp_since(ev.get("lastTimestamp"), now) if ev.get("lastTimestamp") else first
    count = ev.get("count") or 1
    series = ev.get("series")
    if series:
        last = translate_timestamp_since(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    involved = ev.get("involvedObject") or {}
    target = (involved.get("kind") or "").lower()
    if involved.get("name"):
        target += "/" + involved["name"]
    return [last, ev.get("type", ""), ev.get("reason", ""), target, involved.get("fieldPath", ""),
            event_source(ev), (ev.get("message") or "").strip(), first, str(count),
            _meta(ev).get("name", "")]


def _has_condition(obj: dict, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or [])


def job_cells(job: dict, now: datetime) -> list[str]:
    spec, status = job.get("spec") or {}, job.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    length = ""
    if status.get("startTime"):
        end = parse_time(status["completionTime"]) if status.get("completionTime") else as_utc(now)
        length = format_age((end - parse_time(status["startTime"])).total_seconds())
    state = "Running"
    for kind, text in (("Complete", "Complete"), ("Failed", "Failed")):
        if _has_condition(job, kind):
            state = text
            break
    else:
        if _meta(job).get("deletionTimestamp"):
            state = "Terminating"
        else:
            for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
                if _has_condition(job, kind):
                    state = kind
                    break
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(job).get("name", ""), state, completions, length, _age(job, now), *_containers(tspec),
            format_label_selector(spec.get("selector"))]


def cronjob_cells(cj: dict, now: datetime) -> list[str]:
    spec, status = cj.get("spec") or {}, cj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    tspec = (job_spec.get("template") or {}).get("spec") or {}
    last = status.get("lastScheduleTime")
    suspend = spec.get("suspend")
    return [_meta(cj).get("name", ""), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            "<unset>" if suspend is None else ("True" if suspend else "False"),
            str(len(status.get("active") or [])),
            translate_timestamp_since(last, now) if last else "<none>", _age(cj, now),
            *_containers(tspec), format_label_selector(job_spec.get("selector"))]


def replicationcontroller_cells(rc: dict, now: datetime) -> list[str]:
    spec, status = rc.get("spec") or {}, rc.get("status") or {}
    tspec = (spec.get("template") or {}).get("spec") or {}
    return [_meta(rc).get("name", ""), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
            str(status.get("readyReplicas", 0)), _age(rc, now), *_containers(tspec),
            format_labels(spec.get("selector"))]


def _simple(*getters: Callable[[dict], str]) -> Cells:
    def cells(obj: dict, now: datetime) -> list[str]:
        return [_meta(obj).get("name", ""), *(g(obj) for g in getters), _age(obj, now)]
    return cells


COLUMNS: dict[str, tuple[list[tuple[str, int]], Cells]] = {
    "pods": ([("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0), ("IP", 1),
              ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)], pod_cells),
    "services": ([("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0),
                  ("Age", 0), ("Selector", 1)], service_cells),
    "endpoints": ([("Name", 0), ("Endpoints", 0), ("Age", 0)], endpoints_cells),
    "endpointslices": ([("Name", 0), ("AddressType", 0), ("Ports", 0), ("Endpoints", 0), ("Age", 0)],
                       endpointslice_cells),
    "deployments": ([("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0), ("Age", 0),
                     ("Containers", 1), ("Images", 1), ("Selector", 1)], deployment_cells),
    "replicasets": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0),
                     ("Containers", 1), ("Images", 1), ("Selector", 1)], replicaset_cells),
    "statefulsets": ([("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1), ("Images", 1)],
                     statefulset_cells),
    "daemonsets": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Up-to-date", 0),
                    ("Available", 0), ("Node Selector", 0), ("Age", 0), ("Containers", 1),
                    ("Images", 1), ("Selector", 1)], daemonset_cells),
    "nodes": ([("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0),
               ("Internal-IP", 1), ("External-IP", 1), ("OS-Image", 1), ("Kernel-Version", 1),
               ("Container-Runtime", 1)], node_cells),
    "namespaces": ([("Name", 0), ("Status", 0), ("Age", 0)],
                   _simple(lambda o: (o.get("status") or {}).get("phase", ""))),
    "secrets": ([("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)],
                _simple(lambda o: o.get("type", ""), lambda o: str(len(o.get("data") or {})))),
    "configmaps": ([("Name", 0), ("Data", 0), ("Age", 0)],
                   _simple(lambda o: str(len(o.get("data") or {}) + len(o.get("binaryData") or {})))),
    "serviceaccounts": ([("Name", 0), ("Secrets", 0), ("Age", 0)],
                        _simple(lambda o: str(len(o.get("secrets") or [])))),
    "ingresses": ([("Name", 0), ("Class", 0), ("Hosts", 0), ("Address", 0), ("Ports", 0), ("Age", 0)],
                  ingress_cells),
    "ingressclasses": ([("Name", 0), ("Controller", 0), ("Parameters", 0), ("Age", 0)],
                       ingressclass_cells),
    "events": ([("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1),
                ("Source", 1), ("Message", 0), ("First Seen", 1), ("Count", 1), ("Name", 1)],
               event_cells),
    "jobs": ([("Name", 0), ("Status", 0), ("Completions", 0), ("Duration", 0), ("Age", 0),
              ("Containers", 1), ("Images", 1), ("Selector", 1)], job_cells),
    "cronjobs": ([("Name", 0), ("Schedule", 0), ("Timezone", 0), ("Suspend", 0), ("Active", 0),
                  ("Last Schedule", 0), ("Age", 0), ("Containers", 1), ("Images", 1),
                  ("Selector", 1)], cronjob_cells),
    "replicationcontrollers": ([("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0),
                                ("Containers", 1), ("Images", 1), ("Selector", 1)],
                               replicationcontroller_cells),
    "networkpolicies": ([("Name", 0), ("Pod-Selector", 0), ("Age", 0)],
                        _simple(lambda o: format_label_selector((o.get("spec") or {}).get("podSelector")))),
}

# Kinds the server has no printer for (custom resources): the default NAME / AGE table.
DEFAULT_COLUMNS: tuple[list[tuple[str, int]], Cells] = ([("Name", 0), ("Age", 0)], _simple())

# Column index holding the object's name (the one a kind prefix goes on).
NAME_COLUMN = {resource: [h for h, _ in cols].index("Name") for resource, (cols, _) in COLUMNS.items()}
