"""The API server as the network sees it: the ``kubernetes`` Service's endpoints, serving
TLS with a certificate from the cluster's CA, refusing anonymous requests, and answering
service-account tokens like ``kubectl proxy`` does."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography import x509

from sim.net import addresses as addr
from sim.net.http import Request, Response, http_date

ANONYMOUS_PATHS = {"/healthz", "/livez", "/readyz", "/version"}


def endpoints(cluster: Any) -> set[tuple[str, int]]:
    """Where the API server listens: the ``kubernetes`` Service's endpoints."""
    found = set()
    eps = addr.get(cluster, "endpoints", "default", "kubernetes")
    for subset in (eps or {}).get("subsets") or []:
        for address in subset.get("addresses") or []:
            for port in subset.get("ports") or []:
                found.add((address["ip"], int(port["port"])))
    return found


def chain(cluster: Any) -> list[x509.Certificate]:
    """The serving certificate, issued by the cluster's CA (kube-root-ca.crt)."""
    state = cluster.runtime.setdefault("net", {})
    if "apiserver-chain" in state:
        return state["apiserver-chain"]
    from sim.net import tls

    domain = addr.cluster_domain(cluster)
    names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", f"kubernetes.default.svc.{domain}"]
    ips = [ip for ip, _ in endpoints(cluster)]
    svc = addr.get(cluster, "services", "default", "kubernetes")
    if svc and addr.service_ip_set(svc):
        ips.append(svc["spec"]["clusterIP"])
    # as kubeadm's certificate: the control plane's address, and the loopback for clients
    # that reach the API on the cluster process's own listener (sim/api/listener.py)
    host = control_plane_url(cluster).split("//", 1)[1].rsplit(":", 1)[0]
    ips += [ip for ip in (host, "127.0.0.1") if addr_is_ip(ip) and ip not in ips]
    names.append("localhost")
    made, made_key = tls.issue("kube-apiserver", names, issuer=_ca(cluster), ip_names=ips)
    state["apiserver-key"] = made_key
    state["apiserver-chain"] = [made]
    return state["apiserver-chain"]


def control_plane_url(cluster: Any) -> str:
    """The API's address as kubeconfig and cluster-info give it: the profile's, else the
    control-plane node's InternalIP, on the profile's port."""
    profile = cluster.profile or {}
    cp = profile.get("control_plane") or {}
    port = int(cp.get("port", 6443))
    state = getattr(cluster, "state", None) or {}
    host = cp.get("ip") or state.get("control_plane_ip") or _control_plane_address(cluster)
    return f"https://{host}:{port}" if port != 443 else f"https://{host}"


def _control_plane_address(cluster: Any) -> str:
    nodes = cluster.store.list("nodes")
    chosen = next((n for n in nodes if "node-role.kubernetes.io/control-plane"
                   in (n["metadata"].get("labels") or {})), nodes[0] if nodes else None)
    if chosen is None:
        return "127.0.0.1"
    for a in (chosen.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a["address"]
    return "127.0.0.1"


def addr_is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ca_pem(cluster: Any) -> str:
    """The cluster's CA certificate (PEM), as kube-root-ca.crt publishes it."""
    ca_map = addr.get(cluster, "configmaps", "default", "kube-root-ca.crt")
    return ((ca_map or {}).get("data") or {}).get("ca.crt", "")


def _ca(cluster: Any) -> tuple[x509.Certificate, Any] | None:
    from sim.net import tls

    ca = tls.load_chain(ca_pem(cluster).encode())
    key = (getattr(cluster, "state", None) or {}).get("root_ca_key")
    return (ca[0], key) if ca and key is not None else None


def serving_key(cluster: Any) -> Any:
    """The private key of the serving certificate ``chain`` returns."""
    chain(cluster)
    return cluster.runtime["net"]["apiserver-key"]


def token_user(cluster: Any, token: str) -> str | None:
    """Who a bearer token names: a service account token the kubelet mounted in a pod that
    still exists (sim.workloads.runtime writes them: its claims name the account, its
    signature is the pod's), else None."""
    import base64

    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        uid = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(subject, str) or not subject.startswith("system:serviceaccount:"):
        return None
    namespace, _, account = subject[len("system:serviceaccount:"):].partition(":")
    for pod in cluster.store.list("pods", namespace):
        if pod["metadata"].get("uid") == uid and \
                (pod.get("spec") or {}).get("serviceAccountName", "default") == account:
            return subject
    return None


def admin_credentials(cluster: Any, user: str) -> tuple[x509.Certificate, Any]:
    """A client certificate for the kubeconfig's user, as kubeadm writes admin.conf: issued
    by the cluster's CA, in the group ``kubeadm:cluster-admins``."""
    from sim.net import tls

    state = cluster.runtime.setdefault("net", {})
    if "admin-credentials" not in state:
        state["admin-credentials"] = tls.issue(user, [], issuer=_ca(cluster),
                                               organization="kubeadm:cluster-admins")
    return state["admin-credentials"]


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": {}, "code": code}


def respond(cluster: Any, request: Request) -> Response:
    from sim.net import proxy

    now = cluster.clock.now()
    audit = hashlib.sha256(f"{now.isoformat()}{request.target}".encode()).hexdigest()
    audit_id = f"{audit[:8]}-{audit[8:12]}-{audit[12:16]}-{audit[16:20]}-{audit[20:32]}"
    headers = [("Audit-Id", audit_id), ("Cache-Control", "no-cache, private"),
               ("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff")]
    auth = request.header("Authorization") or ""
    if request.scheme != "https":
        body = b"Client sent an HTTP request to an HTTPS server.\n"
        return Response(400, [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")], body)
    if not auth.startswith("Bearer ") and request.path not in ANONYMOUS_PATHS:
        payload = _status(403, "Forbidden",
                          f'forbidden: User "system:anonymous" cannot get path "{request.path}"')
        body = (json.dumps(payload, indent=2) + "\n").encode()
        return Response(403, headers + [("Date", http_date(now)), ("Content-Length", str(len(body)))], body)
    if request.path in ANONYMOUS_PATHS and request.path != "/version":
        return Response(200, [("Audit-Id", audit_id), ("Cache-Control", "no-cache, private"),
                              ("Content-Type", "text/plain; charset=utf-8"),
                              ("X-Content-Type-Options", "nosniff"), ("Date", http_date(now)),
                              ("Content-Length", "2")], b"ok")
    inner = proxy.handle(cluster, request.method, request.target,
                         [(k, v) for k, v in request.headers if k.lower() != "authorization"], request.body)
    inner.headers = [("Audit-Id", audit_id)] + [h for h in inner.headers if h[0].lower() != "date"] + \
        [("Date", http_date(now)), ("Content-Length", str(len(inner.body)))]
    return inner
