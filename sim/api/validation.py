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
    if kind == "ip":
        family = ip_family_of(name)
        if family is None:
            return [VALID_IP_MSG]
        import ipaddress

        canonical = str(ipaddress.ip_address(name))
        return [] if canonical == name else [f'must be in canonical form ("{canonical}")']
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


_NAME_RULES = {"services": "dns1035", "namespaces": "dns1123label", "ipaddresses": "ip"}


LABEL_KEY_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_KEY_NAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start "
                      "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                      "'123-abc', regex used for validation is "
                      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric "
                   "characters, '-', '_' or '.', and must start and end with an "
                   "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is "
                   "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def label_key_errors(key: str) -> list[str]:
    """IsQualifiedName: an optional DNS subdomain prefix and '/', then a name."""
    parts = key.split("/")
    errs: list[str] = []
    if len(parts) > 2:
        return ["a valid label key " + LABEL_KEY_NAME_MSG[:LABEL_KEY_NAME_MSG.index(" (e.g.")]
                + LABEL_KEY_NAME_MSG[LABEL_KEY_NAME_MSG.index(" (e.g."):]
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + msg for msg in _name_errors(prefix, "dns1123subdomain")]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not LABEL_KEY_NAME.match(name):
        errs.append("name part " + LABEL_KEY_NAME_MSG)
    return errs


def validate_metadata(plural: str, obj: dict) -> list[FieldError]:
    md = obj.get("metadata") or {}
    name = md.get("name")
    if not name:
        return [required("metadata.name", "name or generateName is required")]
    errs = [invalid("metadata.name", name, msg)
            for msg in _name_errors(name, _NAME_RULES.get(plural, "dns1123subdomain"))]
    errs += labels_errors("metadata.labels", md.get("labels") or {})
    annotations = md.get("annotations") or {}
    for key in sorted(annotations):
        errs += [invalid("metadata.annotations", key, msg)
                 for msg in label_key_errors(key.lower())]
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
                errs += [invalid(f"{ppath}.name", pname, msg) for msg in port_name_errors(pname)]
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


DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
MAX_DNS_NAMESERVERS = 3


def validate_pod_dns(path: str, spec: dict) -> list[FieldError]:
    """validateDNSPolicy and validatePodDNSConfig (the parts a manifest meets)."""
    policy = spec.get("dnsPolicy", "ClusterFirst")
    if policy == "":
        return [required(f"{path}.dnsPolicy")]
    if policy not in DNS_POLICIES:
        return [not_supported(f"{path}.dnsPolicy", policy, DNS_POLICIES)]
    config = spec.get("dnsConfig")
    nameservers = (config or {}).get("nameservers") or []
    if policy == "None":
        if config is None:
            return [required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not nameservers:
            return [required(f"{path}.dnsConfig.nameservers",
                             "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if len(nameservers) > MAX_DNS_NAMESERVERS:
        return [invalid(f"{path}.dnsConfig.nameservers", _go_string_slice(nameservers),
                        f"must not have more than {MAX_DNS_NAMESERVERS} nameservers")]
    return []


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
    errs.extend(validate_pod_dns(f"{path}.spec", spec))
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
    bad_selector = label_selector_errors("spec.selector", selector)
    errs += bad_selector
    if bad_selector:
        errs.append(invalid("spec.selector", go_label_selector(selector), "invalid label selector"))
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        errs.append(invalid("spec.replicas", replicas,
                            "must be greater than or equal to 0"))
    template = spec.get("template")
    if isinstance(template, dict):
        errs += labels_errors("spec.template.metadata.labels",
                              (template.get("metadata") or {}).get("labels") or {})
    validate_pod_template("spec.template", template, None if bad_selector else selector, errs,
                          required_labels=not bad_selector)
    return errs


def labels_errors(path: str, labels: dict) -> list[FieldError]:
    """ValidateLabels: keys are qualified names, values label values (keys in order)."""
    errs: list[FieldError] = []
    for key in sorted(labels):
        errs += [invalid(path, key, msg) for msg in label_key_errors(key)]
        value = labels[key]
        if len(value) > 63:
            errs.append(invalid(path, value, "must be no more than 63 characters"))
        if not LABEL_VALUE.match(value):
            errs.append(invalid(path, value, LABEL_VALUE_MSG))
    return errs


def label_selector_errors(path: str, selector) -> list[FieldError]:
    """ValidateLabelSelector: matchLabels as labels, each requirement's operator, key and
    values."""
    if not isinstance(selector, dict):
        return []
    errs = labels_errors(f"{path}.matchLabels", selector.get("matchLabels") or {})
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        expr = expr or {}
        epath = f"{path}.matchExpressions[{i}]"
        operator, values = expr.get("operator") or "", expr.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(required(f"{epath}.values",
                                     "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(f"{epath}.values", "may not be specified when `operator` "
                                                         "is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{epath}.operator", operator, "not a valid selector operator"))
        errs += [invalid(f"{epath}.key", expr.get("key") or "", msg)
                 for msg in label_key_errors(expr.get("key") or "")]
        for j, value in enumerate(values):
            if len(value) > 63:
                errs.append(invalid(f"{epath}.values[{j}]", value, "must be no more than 63 characters"))
            if not LABEL_VALUE.match(value):
                errs.append(invalid(f"{epath}.values[{j}]", value, LABEL_VALUE_MSG))
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
        elif isinstance(target, str):
            errs += [invalid(f"{path}.targetPort", target, msg) for msg in port_name_errors(target)]
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
    errs += labels_errors("spec.selector", spec.get("selector") or {})
    ranges = spec.get("loadBalancerSourceRanges") or []
    if ranges:
        # the field path's capital L is the API server's own
        if kind != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges",
                                  "may only be used when `type` is 'LoadBalancer'"))
        for i, value in enumerate(ranges):
            errs += cidr_errors(f"spec.LoadBalancerSourceRanges[{i}]", str(value).strip())
    return errs


def _go_service_port(port: dict) -> str:
    """The duplicate key as Go's %#v prints it: only protocol and port are set."""
    return (f'core.ServicePort{{Name:"", Protocol:"{port.get("protocol", "TCP")}", '
            f'AppProtocol:(*string)(nil), Port:{port.get("port")}, '
            'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')


WILDCARD_SUBDOMAIN = re.compile(r"^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
WILDCARD_SUBDOMAIN_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character (e.g. '*.example.com', regex used for validation is "
    "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")


def port_name_errors(name: str) -> list[str]:
    """IsValidPortName."""
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not IANA_SVC_NAME.match(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _subdomain_errors(value: str) -> list[str]:
    errs = [] if DNS1123_SUBDOMAIN.match(value) else [DNS1123_SUBDOMAIN_MSG]
    if len(value) > 253:
        errs.insert(0, "must be no more than 253 characters")
    return errs


def _host_errors(path: str, host: str) -> list[FieldError]:
    errs = []
    if "*" in host:
        if len(host) > 253:
            errs.append(invalid(path, host, "must be no more than 253 characters"))
        if not WILDCARD_SUBDOMAIN.match(host):
            errs.append(invalid(path, host, WILDCARD_SUBDOMAIN_MSG))
        return errs
    return [invalid(path, host, msg) for msg in _subdomain_errors(host)]


def _ingress_backend(path: str, backend: dict) -> list[FieldError]:
    """validateIngressBackend."""
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    errs: list[FieldError] = []
    if resource is not None:
        if not resource.get("kind"):
            errs.append(required(f"{path}.resource.kind"))
        if not resource.get("name"):
            errs.append(required(f"{path}.resource.name"))
        return errs
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    name = service.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs += [invalid(f"{path}.service.name", name, msg) for msg in _name_errors(name, "dns1035")]
    port = service.get("port") or {}
    port_name, number = port.get("name") or "", port.get("number") or 0
    if port_name and number:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs += [invalid(f"{path}.service.port.name", port_name, msg)
                 for msg in port_name_errors(port_name)]
    elif number:
        if not 1 <= number <= 65535:
            errs.append(invalid(f"{path}.service.port.number", number,
                                "must be between 1 and 65535, inclusive"))
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def validate_ingress(obj: dict) -> list[FieldError]:
    """ValidateIngressCreate (pkg/apis/networking/validation)."""
    spec = obj.get("spec") or {}
    errs: list[FieldError] = []
    rules = spec.get("rules")
    if not rules and not spec.get("defaultBackend"):
        errs.append(invalid("spec", GoValue("[]networking.IngressRule{}" if rules == []
                                            else "[]networking.IngressRule(nil)"),
                            "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend"):
        errs += _ingress_backend("spec.defaultBackend", spec["defaultBackend"])
    for i, rule in enumerate(rules or []):
        rule = rule or {}
        host = rule.get("host") or ""
        if host:
            if ip_family_of(host) is not None:
                errs.append(invalid(f"spec.rules[{i}].host", host,
                                    "must be a DNS name, not an IP address"))
            errs += _host_errors(f"spec.rules[{i}].host", host)
        http = rule.get("http")
        if http is None:
            continue
        if not http.get("paths"):
            errs.append(required(f"spec.rules[{i}].http.paths"))
        for j, path in enumerate(http.get("paths") or []):
            ppath = f"spec.rules[{i}].http.paths[{j}]"
            ptype = path.get("pathType")
            value = path.get("path") or ""
            if not ptype:
                errs.append(required(f"{ppath}.pathType", "pathType must be specified"))
                continue
            if ptype in ("Exact", "Prefix"):
                if not value.startswith("/"):
                    errs.append(invalid(f"{ppath}.path", value, "must be an absolute path"))
                if value:
                    errs += [invalid(f"{ppath}.path", value, f"must not contain '{seq}'")
                             for seq in INVALID_PATH_SEQUENCES if seq in value]
                    errs += [invalid(f"{ppath}.path", value, f"cannot end with '{suffix}'")
                             for suffix in INVALID_PATH_SUFFIXES if value.endswith(suffix)]
            elif ptype == "ImplementationSpecific":
                if value and not value.startswith("/"):
                    errs.append(invalid(f"{ppath}.path", value, "must be an absolute path"))
            else:
                errs.append(not_supported(f"{ppath}.pathType", ptype,
                                          ["Exact", "ImplementationSpecific", "Prefix"]))
            errs += _ingress_backend(f"{ppath}.backend", path.get("backend") or {})
    for i, tls in enumerate(spec.get("tls") or []):
        tls = tls or {}
        for j, host in enumerate(tls.get("hosts") or []):
            errs += _host_errors(f"spec.tls[{i}].hosts[{j}]", host)
        secret = tls.get("secretName") or ""
        if secret:
            errs += [invalid(f"spec.tls[{i}].secretName", secret, msg)
                     for msg in _name_errors(secret, "dns1123subdomain")]
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs += [invalid("spec.ingressClassName", class_name, msg)
                 for msg in _name_errors(class_name, "dns1123subdomain")]
    annotation = (obj.get("metadata") or {}).get("annotations", {}) or {}
    if "kubernetes.io/ingress.class" in annotation and class_name is not None \
            and annotation["kubernetes.io/ingress.class"] != class_name:
        errs.append(invalid("annotations.kubernetes.io/ingress.class",
                            annotation["kubernetes.io/ingress.class"],
                            "must match `ingressClassName` when both are specified"))
    return errs


# -- CIDRs ------------------------------------------------------------------------------

CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def parse_cidr(text) -> "ipaddress.IPv4Network | ipaddress.IPv6Network | None":
    """A CIDR as netutils.ParseCIDRSloppy reads it (host bits allowed), or None."""
    import ipaddress

    try:
        if "/" not in str(text):
            return None
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return None


def cidr_errors(path: str, value: str, strict: bool = False) -> list[FieldError]:
    """IsValidCIDRForLegacyField (strict=False) / IsValidCIDR (strict=True)."""
    import ipaddress

    net = parse_cidr(value)
    if net is None:
        return [invalid(path, value, CIDR_MSG)]
    if strict:
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError:
            return [invalid(path, value, "must not have bits set beyond the prefix length")]
        if value != str(net):
            return [invalid(path, value, f'must be in canonical form ("{net}")')]
    return []


def validate_network_policy(obj: dict) -> list[FieldError]:
    """ValidateNetworkPolicySpec: the pod selector, ports, peers, ipBlocks, policyTypes."""
    spec = obj.get("spec") or {}
    errs = label_selector_errors("spec.podSelector", spec.get("podSelector") or {})
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            rule = rule or {}
            rpath = f"spec.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                errs += _network_policy_port(f"{rpath}.ports[{j}]", port or {})
            for j, peer in enumerate(rule.get(peers_key) or []):
                errs += _network_policy_peer(f"{rpath}.{peers_key}[{j}]", peer or {})
    types = spec.get("policyTypes") or []
    if len(types) > 2:
        errs.append(invalid("spec.policyTypes", GoValue("&" + _go_policy_types(types)),
                            "may not specify more than two policyTypes"))
        return errs
    for i, kind in enumerate(types):
        if kind not in ("Ingress", "Egress"):
            errs.append(not_supported(f"spec.policyTypes[{i}]", kind, ["Ingress", "Egress"]))
    return errs


def _go_policy_types(types: list) -> str:
    return "[]networking.PolicyType{" + ", ".join(json.dumps(str(t)) for t in types) + "}"


def _network_policy_port(path: str, port: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
        errs.append(not_supported(f"{path}.protocol", protocol, ["TCP", "UDP", "SCTP"]))
    value, end = port.get("port"), port.get("endPort")
    if value is not None:
        if isinstance(value, int):
            if not 1 <= value <= 65535:
                errs.append(invalid(f"{path}.port", value, "must be between 1 and 65535, inclusive"))
            if end is not None:
                if end < value:
                    errs.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
                if not 1 <= end <= 65535:
                    errs.append(invalid(f"{path}.endPort", end, "must be between 1 and 65535, inclusive"))
        else:
            if end is not None:
                errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
            errs += [invalid(f"{path}.port", value, msg) for msg in port_name_errors(str(value))]
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    return errs


def _network_policy_peer(path: str, peer: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    count = sum(1 for key in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(key) is not None)
    for key in ("podSelector", "namespaceSelector"):
        errs += label_selector_errors(f"{path}.{key}", peer.get(key))
    block = peer.get("ipBlock")
    if block is not None:
        cidr = block.get("cidr") or ""
        if not cidr:
            errs.append(required(f"{path}.ipBlock.cidr"))
        else:
            errs += cidr_errors(f"{path}.ipBlock.cidr", cidr)
            outer = parse_cidr(cidr)
            for k, text in enumerate(block.get("except") or []):
                epath = f"{path}.ipBlock.except[{k}]"
                found = cidr_errors(epath, text)
                errs += found
                inner = parse_cidr(text)
                if outer is None or inner is None:
                    continue
                if inner.version != outer.version or inner.network_address not in outer \
                        or outer.prefixlen >= inner.prefixlen:
                    errs.append(invalid(epath, text, "must be a strict subset of `cidr`"))
    if count == 0:
        errs.append(required(path, "must specify a peer"))
    elif count > 1 and block is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_service_cidr(obj: dict) -> list[FieldError]:
    """ValidateServiceCIDR: one or two CIDRs, valid and canonical, one per family."""
    cidrs = (obj.get("spec") or {}).get("cidrs") or []
    if not cidrs:
        return [required("spec.cidrs", "at least one CIDR required")]
    if len(cidrs) > 2:
        return [invalid("spec.cidrs", GoValue("networking.ServiceCIDRSpec{CIDRs:" +
                                              _go_string_slice(cidrs) + "}"),
                        "may only hold up to 2 values")]
    errs: list[FieldError] = []
    for i, cidr in enumerate(cidrs):
        errs += cidr_errors(f"spec.cidrs[{i}]", cidr, strict=True)
    nets = [parse_cidr(c) for c in cidrs]
    if len(nets) == 2 and None not in nets and nets[0].version == nets[1].version:
        errs.append(invalid("spec.cidrs", _go_string_slice(cidrs),
                            "may specify no more than one IP for each IP family, i.e "
                            "192.168.0.0/24 and 2001:db8::/64"))
    return errs


def validate_ingress_class(obj: dict) -> list[FieldError]:
    """validateIngressClassSpec: a controller is required."""
    spec = obj.get("spec") or {}
    controller = spec.get("controller") or ""
    if not controller:
        return [required("spec.controller")]
    if len(controller) > 250:
        return [FieldError("spec.controller", "FieldValueTooLong", None,
                           "may not be more than 250 bytes")]
    return []


def validate_ip_address(obj: dict) -> list[FieldError]:
    """ValidateIPAddress: the parent reference (the name is checked with the metadata)."""
    ref = (obj.get("spec") or {}).get("parentRef")
    if ref is None:
        return [required("spec.parentRef")]
    errs: list[FieldError] = []
    if ref.get("group"):
        errs += [invalid("spec.parentRef.group", ref["group"], msg)
                 for msg in _subdomain_errors(ref["group"])]
    for key in ("resource", "name"):
        if not ref.get(key):
            errs.append(required(f"spec.parentRef.{key}"))
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
        errs += validate_pod_dns("spec", obj.get("spec") or {})
    elif plural == "services":
        errs += validate_service(obj, old, node_port_range)
    elif plural == "ingresses":
        errs += validate_ingress(obj)
    elif plural == "ingressclasses":
        errs += validate_ingress_class(obj)
    elif plural == "networkpolicies":
        errs += validate_network_policy(obj)
    elif plural == "servicecidrs":
        errs += validate_service_cidr(obj)
    elif plural == "ipaddresses":
        errs += validate_ip_address(obj)
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
