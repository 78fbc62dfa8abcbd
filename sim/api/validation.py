"""Validation with apimachinery's messages (k8s pkg/apis/*/validation)."""

from __future__ import annotations

import json
import re

from .errors import FieldError, duplicate, forbidden, invalid, not_supported, required
from .selectors import matches, selector_from_api

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
IANA_SVC_NAME = re.compile(r"^[-a-z0-9]+$")

DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                     "characters or '-', and must start and end with an alphanumeric character "
                     "(e.g. 'my-name',  or '123-abc', regex used for validation is "
                     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                         "characters, '-' or '.', and must start and end with an alphanumeric "
                         "character (e.g. 'example.com', regex used for validation is "
                         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1035_LABEL_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or "
                     "'-', start with an alphabetic character, and end with an alphanumeric "
                     "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                     "'[a-z]([-a-z0-9]*[a-z0-9])?')")


class GoValue(str):
    """A value printed the way Go's %#v prints it (maps, structs) in a field error."""


def go_map(labels: dict) -> GoValue:
    inner = ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
    return GoValue(f"map[string]string{{{inner}}}")


def _name_errors(name: str, kind: str) -> list[str]:
    if kind == "dns1035":
        errs = [] if DNS1035_LABEL.match(name) else [DNS1035_LABEL_MSG]
        limit = 63
    elif kind == "dns1123label":
        errs = [] if DNS1123_LABEL.match(name) else [DNS1123_LABEL_MSG]
        limit = 63
    else:
        errs = [] if DNS1123_SUBDOMAIN.match(name) else [DNS1123_SUBDOMAIN_MSG]
        limit = 253
    if len(name) > limit:
        errs.insert(0, f"must be no more than {limit} characters")
    return errs


_NAME_RULES = {"services": "dns1035", "namespaces": "dns1123label"}


def validate_metadata(plural: str, obj: dict) -> list[FieldError]:
    md = obj.get("metadata") or {}
    name = md.get("name")
    if not name:
        return [required("metadata.name", "name or generateName is required")]
    errs = [invalid("metadata.name", name, msg)
            for msg in _name_errors(name, _NAME_RULES.get(plural, "dns1123subdomain"))]
    for key, value in (md.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or (
                value and not re.match(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", value)):
            errs.append(invalid("metadata.labels", value,
                                "a valid label must be an empty string or consist of alphanumeric "
                                "characters, '-', '_' or '.', and must start and end with an "
                                "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                                "'12345', regex used for validation is "
                                "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
    return errs


def _port_number(path: str, value, errs: list[FieldError]) -> None:
    if not isinstance(value, int) or not 1 <= value <= 65535:
        errs.append(invalid(path, value, "must be between 1 and 65535, inclusive"))


def validate_containers(path: str, spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    containers = spec.get("containers")
    if not containers:
        return [required(f"{path}.containers")]
    names: set[str] = set()
    volumes = {v.get("name") for v in spec.get("volumes") or [] if isinstance(v, dict)}
    for i, c in enumerate(containers):
        cpath = f"{path}.containers[{i}]"
        name = c.get("name")
        if not name:
            errs.append(required(f"{cpath}.name"))
        else:
            for msg in _name_errors(name, "dns1123label"):
                errs.append(invalid(f"{cpath}.name", name, msg))
            if name in names:
                errs.append(duplicate(f"{cpath}.name", name))
            names.add(name)
        if not c.get("image"):
            errs.append(required(f"{cpath}.image"))
        port_names: set[str] = set()
        for j, port in enumerate(c.get("ports") or []):
            ppath = f"{cpath}.ports[{j}]"
            _port_number(f"{ppath}.containerPort", port.get("containerPort"), errs)
            pname = port.get("name")
            if pname:
                if pname in port_names:
                    errs.append(duplicate(f"{ppath}.name", pname))
                port_names.add(pname)
            if port.get("protocol") not in ("TCP", "UDP", "SCTP"):
                errs.append(not_supported(f"{ppath}.protocol", port.get("protocol"),
                                          ["SCTP", "TCP", "UDP"]))
        for j, mount in enumerate(c.get("volumeMounts") or []):
            if mount.get("name") not in volumes:
                errs.append(FieldError(f"{cpath}.volumeMounts[{j}].name", "FieldValueNotFound",
                                       mount.get("name")))
    return errs


def validate_pod_template(path: str, template: dict | None, selector: dict | None,
                          errs: list[FieldError], required_labels: bool = True) -> None:
    if not isinstance(template, dict):
        errs.append(required(path))
        return
    labels = (template.get("metadata") or {}).get("labels") or {}
    reqs = selector_from_api(selector) if selector is not None else None
    if required_labels and (reqs is None or not matches(reqs, labels)):
        errs.append(invalid(f"{path}.metadata.labels", go_map(labels),
                            "`selector` does not match template `labels`"))
    spec = template.get("spec") or {}
    errs.extend(validate_containers(f"{path}.spec", spec))
    policy = spec.get("restartPolicy", "Always")
    if path.endswith("template") and policy != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", policy, ["Always"]))


def validate_workload(plural: str, obj: dict) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errs: list[FieldError] = []
    selector = spec.get("selector")
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        if not selector:
            errs.append(required("spec.selector"))
        else:
            errs.append(invalid("spec.selector", GoValue("null"), "empty selector is invalid for deployment"))
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        errs.append(invalid("spec.replicas", replicas,
                            "must be greater than or equal to 0"))
    validate_pod_template("spec.template", spec.get("template"), selector, errs)
    return errs


def validate_service(obj: dict, old: dict | None, node_port_range: tuple[int, int]) -> list[FieldError]:
    """ValidateServiceUpdate / ValidateService, in their order. Node port ranges and
    conflicts are the allocator's (sim.api.allocators), reported after these pass."""
    spec = obj.get("spec") or {}
    errs: list[FieldError] = []
    kind = spec.get("type", "ClusterIP")
    if old is not None:
        old_spec = old.get("spec") or {}
        old_ip, new_ip = old_spec.get("clusterIP"), spec.get("clusterIP")
        if (kind != "ExternalName" and old_spec.get("type") != "ExternalName" and old_ip
                and new_ip != old_ip and new_ip):
            errs.append(invalid("spec.clusterIP", new_ip, "field is immutable"))
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if kind == "ExternalName":
        name = spec.get("externalName")
        if not name:
            errs.append(required("spec.externalName"))
        elif not DNS1123_SUBDOMAIN.match(name.rstrip(".")):
            errs.append(invalid("spec.externalName", name, DNS1123_SUBDOMAIN_MSG))
    elif not ports and not headless:
        errs.append(required("spec.ports"))
    seen_names: set[str] = set()
    for i, port in enumerate(ports):
        path = f"spec.ports[{i}]"
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errs.append(required(f"{path}.name"))
        elif name:
            for msg in _name_errors(name, "dns1123label"):
                errs.append(invalid(f"{path}.name", name, msg))
            if name in seen_names:
                errs.append(duplicate(f"{path}.name", name))
            seen_names.add(name)
        _port_number(f"{path}.port", port.get("port"), errs)
        protocol = port.get("protocol", "TCP")
        if protocol not in ("TCP", "UDP", "SCTP"):
            errs.append(not_supported(f"{path}.protocol", protocol, ["SCTP", "TCP", "UDP"]))
        target = port.get("targetPort")
        if isinstance(target, int):
            _port_number(f"{path}.targetPort", target, errs)
        elif isinstance(target, str) and not (IANA_SVC_NAME.match(target) and len(target) <= 15):
            errs.append(invalid(f"{path}.targetPort", target,
                                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"))
    if headless and kind in ("NodePort", "LoadBalancer"):
        errs.append(invalid("spec.clusterIPs[0]", "None",
                            f"may not be set to 'None' for {kind} services"))
    for i, ip in enumerate(spec.get("externalIPs") or []):
        if ip_family_of(ip) is None:
            errs.append(invalid(f"spec.externalIPs[{i}]", ip,
                                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        errs.append(not_supported("spec.type", kind,
                                  ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]))
    if kind == "ClusterIP":
        for i, port in enumerate(ports):
            if port.get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort",
                                      "may not be used when `type` is 'ClusterIP'"))
    seen_node_ports: set[tuple] = set()
    for i, port in enumerate(ports):
        if not port.get("nodePort"):
            continue
        key = (port["nodePort"], port.get("protocol", "TCP"))
        if key in seen_node_ports:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", port["nodePort"]))
        seen_node_ports.add(key)
    seen_ports: set[tuple] = set()
    for i, port in enumerate(ports):
        key = (port.get("port"), port.get("protocol", "TCP"))
        if key in seen_ports:
            errs.append(duplicate(f"spec.ports[{i}]", GoValue(_go_service_port(port))))
        seen_ports.add(key)
    affinity = spec.get("sessionAffinity", "None")
    if affinity not in ("None", "ClientIP"):
        errs.append(not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"]))
    return errs


def _go_service_port(port: dict) -> str:
    """The duplicate key as Go's %#v prints it: only protocol and port are set."""
    return (f'core.ServicePort{{Name:"", Protocol:"{port.get("protocol", "TCP")}", '
            f'AppProtocol:(*string)(nil), Port:{port.get("port")}, '
            'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')


def validate_ingress(obj: dict) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errs: list[FieldError] = []
    if not spec.get("rules") and not spec.get("defaultBackend"):
        errs.append(invalid("spec", GoValue("networking.IngressSpec{...}"),
                            "either `defaultBackend` or `rules` must be specified"))
    for i, rule in enumerate(spec.get("rules") or []):
        for j, path in enumerate(((rule or {}).get("http") or {}).get("paths") or []):
            ppath = f"spec.rules[{i}].http.paths[{j}]"
            ptype = path.get("pathType")
            if not ptype:
                errs.append(required(f"{ppath}.pathType", "pathType must be specified"))
            elif ptype not in ("Exact", "Prefix", "ImplementationSpecific"):
                errs.append(not_supported(f"{ppath}.pathType", ptype,
                                          ["Exact", "ImplementationSpecific", "Prefix"]))
            backend = path.get("backend") or {}
            if not backend.get("service") and not backend.get("resource"):
                errs.append(invalid(f"{ppath}.backend", GoValue("networking.IngressBackend{...}"),
                                    "one backend must be specified"))
    return errs


CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                  "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                  "is '[-._a-zA-Z0-9]+')")


def _config_keys(obj: dict, fields: tuple[str, ...]) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for field in fields:
        for key in obj.get(field) or {}:
            if not CONFIG_KEY.match(key) or len(key) > 253:
                errs.append(invalid(f"{field}[{key}]", key, CONFIG_KEY_MSG))
            if field == "binaryData" and key in seen:
                errs.append(invalid(f"{field}[{key}]", key,
                                    "duplicate of key present in data"))
            seen.add(key)
    return errs


def validate_configmap(obj: dict) -> list[FieldError]:
    return _config_keys(obj, ("data", "binaryData"))


def validate_secret(obj: dict) -> list[FieldError]:
    errs: list[FieldError] = _config_keys(obj, ("data",))
    data = obj.get("data") or {}
    if obj.get("type") == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                errs.append(required(f"data[{key}]"))
    return errs


def go_label_selector(selector: dict | None) -> GoValue:
    """A LabelSelector as Go's %#v prints it in a field error."""
    if selector is None:
        return GoValue("null")
    labels = selector.get("matchLabels")
    ml = go_map(labels) if labels else GoValue("map[string]string(nil)")
    exprs = selector.get("matchExpressions")
    if exprs:
        items = ", ".join(
            f'v1.LabelSelectorRequirement{{Key:"{e.get("key", "")}", Operator:"{e.get("operator", "")}", '
            f'Values:[]string{{{", ".join(chr(34) + v + chr(34) for v in e.get("values") or [])}}}}}'
            for e in exprs)
        me = f"[]v1.LabelSelectorRequirement{{{items}}}"
    else:
        me = "[]v1.LabelSelectorRequirement(nil)"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{ml}, MatchExpressions:{me}}}")


def validate(plural: str, obj: dict, old: dict | None, node_port_range: tuple[int, int]) -> list[FieldError]:
    errs = validate_metadata(plural, obj)
    if plural in ("deployments", "replicasets", "statefulsets", "daemonsets"):
        if old is not None and \
                (obj.get("spec") or {}).get("selector") != (old.get("spec") or {}).get("selector"):
            errs.append(invalid("spec.selector", go_label_selector((obj.get("spec") or {}).get("selector")),
                                "field is immutable"))
        errs += validate_workload(plural, obj)
    elif plural == "pods":
        errs += validate_containers("spec", obj.get("spec") or {})
    elif plural == "services":
        errs += validate_service(obj, old, node_port_range)
    elif plural == "ingresses":
        errs += validate_ingress(obj)
    elif plural == "secrets":
        errs += validate_secret(obj)
    elif plural == "configmaps":
        errs += validate_configmap(obj)
    return errs


# -- IP families (the Service registry's initIPFamilyFields and
#    ValidateServiceClusterIPsRelatedFields) -----------------------------------------------

IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
VALID_IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def ip_family_of(text) -> str | None:
    """IPv4 / IPv6 for a valid address, None otherwise (as netutils parses)."""
    import ipaddress

    try:
        return "IPv6" if ipaddress.ip_address(str(text)).version == 6 else "IPv4"
    except ValueError:
        return None


def _go_string_slice(values: list) -> GoValue:
    return GoValue("[]string{" + ", ".join(json.dumps(str(v)) for v in values) + "}")


def validate_cluster_ips_related(spec: dict) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields: clusterIP(s), ipFamilies, ipFamilyPolicy."""
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    cluster_ip = spec.get("clusterIP") or ""
    ips = spec.get("clusterIPs") or []
    if cluster_ip:
        if not ips:
            errs.append(required("spec.clusterIPs"))
        elif ips[0] != cluster_ip:
            errs.append(invalid("spec.clusterIPs", _go_string_slice(ips),
                                "first value must match `clusterIP`"))
    elif ips:
        errs.append(invalid("spec.clusterIPs", _go_string_slice(ips),
                            "must be empty when `clusterIP` is not specified"))
    seen: set = set()
    for i, family in enumerate(spec.get("ipFamilies") or []):
        if family not in IP_FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, list(IP_FAMILIES)))
        if family in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, list(IP_FAMILY_POLICIES)))
    bad_ips = False
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            if len(ips) > 1:
                bad_ips = True
                errs.append(invalid("spec.clusterIPs", _go_string_slice(ips),
                                    "'None' must be the first and only value"))
            continue
        if ip_family_of(ip) is None:
            bad_ips = True
            errs.append(invalid(f"spec.clusterIPs[{i}]", ip, VALID_IP_MSG))
    if len(ips) > 2:
        errs.append(invalid("spec.clusterIPs", _go_string_slice(ips), "may only hold up to 2 values"))
    if bad_ips:
        return errs
    if len(ips) > 1 and len({ip_family_of(ip) for ip in ips}) != len(ips):
        errs.append(invalid("spec.clusterIPs", _go_string_slice(ips),
                            "may specify no more than one IP for each IP family"))
    families = spec.get("ipFamilies") or []
    if ips and ips != ["None"] and families:
        for i, ip in enumerate(ips[:len(families)]):
            want = families[i]
            if want in IP_FAMILIES and ip_family_of(ip) != want:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip,
                                    f"expected an {want} value as indicated by `ipFamilies[{i}]`"))
    return errs


def init_ip_families(spec: dict, old_spec: dict | None, cluster_families: list[str]) -> list[FieldError]:
    """initIPFamilyFields: default ipFamilyPolicy and ipFamilies from the cluster's stack
    (``cluster_families``: the families of its service ranges, primary first) and refuse
    what the stack cannot give. Changes ``spec``; the errors are the Service's Invalid."""
    if spec.get("type") == "ExternalName":
        return []
    headless = spec.get("clusterIP") == "None"
    if spec.get("ipFamilyPolicy") is None:
        if old_spec and old_spec.get("ipFamilyPolicy") and old_spec.get("type") != "ExternalName":
            spec["ipFamilyPolicy"] = old_spec["ipFamilyPolicy"]
        elif headless and not spec.get("selector"):
            spec["ipFamilyPolicy"] = "RequireDualStack"
        else:
            spec["ipFamilyPolicy"] = "SingleStack"
    errs = validate_cluster_ips_related(spec)
    if errs:
        return errs
    policy = spec["ipFamilyPolicy"]
    ips = spec.get("clusterIPs") or []
    families = list(spec.get("ipFamilies") or [])
    if policy == "SingleStack":
        if len(ips) == 2:
            errs.append(invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or "
                                "'PreferDualStack' when multiple cluster IPs are specified"))
        if len(families) == 2:
            errs.append(invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or "
                                "'PreferDualStack' when multiple IP families are specified"))
    for i, ip in enumerate(ips):
        if ip == "None":
            break
        family = ip_family_of(ip)
        if i >= len(families):
            if family not in cluster_families:
                errs.append(invalid(f"spec.clusterIPs[{i}]", _go_string_slice(ips),
                                    f"{family} is not configured on this cluster"))
            else:
                families.append(family)
    if errs:
        return errs
    if headless and not spec.get("selector"):
        if not families:
            families = [cluster_families[0]]
        if len(families) < 2 and policy != "SingleStack":
            families.append("IPv6" if families[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = families
        return []
    if policy == "RequireDualStack" and len(cluster_families) < 2:
        errs.append(invalid("spec.ipFamilyPolicy", policy,
                            "this cluster is not configured for dual-stack services"))
    for i, family in enumerate(families):
        if family not in cluster_families:
            errs.append(invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster"))
    if errs:
        return errs
    if not families:
        families = [cluster_families[0]]
    if policy != "SingleStack" and len(families) == 1 and len(cluster_families) == 2:
        families.append("IPv6" if families[0] == "IPv4" else "IPv4")
    spec["ipFamilies"] = families
    return []
