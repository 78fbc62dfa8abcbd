"""The kubeconfig that reaches the cluster process's API (sim/api/listener.py), as kubeadm's
admin.conf reads: the profile's cluster, context and user names, the profile's API address
as the server, the cluster's CA, and a client certificate the CA issued. The listener is
the ``proxy-url``: clients tunnel to "the API address" through it, on loopback only."""
from __future__ import annotations

import base64
from typing import Any

import yaml

STATE_KEY = "kubectl"


def kubeconfig_state(cluster: Any) -> dict:
    """What `kubectl config` changed in this cluster's kubeconfig (its context's namespace)."""
    holder = getattr(cluster, "state", None)
    if holder is None:
        holder = cluster.state = {}
    return holder.setdefault(STATE_KEY, {})


def context_namespace(cluster: Any) -> str | None:
    """The namespace the current context sets, if any."""
    holder = getattr(cluster, "state", None) or {}
    return (holder.get(STATE_KEY) or {}).get("namespace") or None


def names(cluster: Any) -> tuple[str, str, str]:
    """(context, cluster, user) as kubeadm names them, or as the profile says."""
    profile = getattr(cluster, "profile", None) or {}
    kc = profile.get("kubeconfig") or {}
    cluster_name = kc.get("cluster") or profile.get("cluster_name") or "kubernetes"
    user = kc.get("user") or f"{cluster_name}-admin"
    return kc.get("context") or f"{user}@{cluster_name}", cluster_name, user


def render(cluster: Any, port: int) -> str:
    from cryptography.hazmat.primitives import serialization

    from sim.net.apiserver import control_plane_url
    from sim.net import apiserver

    context, cluster_name, user = names(cluster)
    cert, key = apiserver.admin_credentials(cluster, user)

    def data(pem: bytes) -> str:
        return base64.b64encode(pem).decode()

    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    context_body: dict[str, str] = {"cluster": cluster_name, "user": user}
    if context_namespace(cluster):
        context_body["namespace"] = context_namespace(cluster)
    config = {
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": data(apiserver.ca_pem(cluster).encode()),
                                  "proxy-url": f"http://127.0.0.1:{port}",
                                  "server": control_plane_url(cluster)},
                      "name": cluster_name}],
        "contexts": [{"context": context_body, "name": context}],
        "current-context": context,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": user, "user": {
            "client-certificate-data": data(cert.public_bytes(serialization.Encoding.PEM)),
            "client-key-data": data(key_pem)}}],
    }
    return yaml.safe_dump(config, sort_keys=False)
