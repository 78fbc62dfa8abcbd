"""Per-namespace objects (the default ServiceAccount, kube-root-ca.crt) and namespace
deletion."""

from __future__ import annotations

from .base import ClusterView


def _root_ca(cluster: ClusterView) -> str:
    pem = cluster.state.get("root_ca_pem")
    if pem is None:
        from .certs import cluster_ca_pem

        pem = cluster_ca_pem(cluster)
        cluster.state["root_ca_pem"] = pem
    return pem


class NamespaceController:
    name = "namespace"
    watches = ("namespaces", "serviceaccounts", "configmaps")

    def sync(self, cluster: ClusterView):
        store = cluster.store
        for ns in store.list("namespaces"):
            name = ns["metadata"]["name"]
            if ns["metadata"].get("deletionTimestamp"):
                self._finish_deletion(cluster, ns)
                continue
            if store.find("serviceaccounts", name, "default") is None:
                store.create({"apiVersion": "v1", "kind": "ServiceAccount",
                              "metadata": {"name": "default", "namespace": name}})
            if store.find("configmaps", name, "kube-root-ca.crt") is None:
                store.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "kube-root-ca.crt", "namespace": name,
                                           "annotations": {"kubernetes.io/description": (
                                               "Contains a CA bundle that can be used to verify "
                                               "the kube-apiserver when using internal endpoints "
                                               "such as the internal service IP or "
                                               "kubernetes.default.svc. No other usage is "
                                               "guaranteed across distributions of Kubernetes "
                                               "clusters.")}},
                              "data": {"ca.crt": _root_ca(cluster)}})
        return None

    def _finish_deletion(self, cluster: ClusterView, ns: dict) -> None:
        store = cluster.store
        name = ns["metadata"]["name"]
        for rt in store.registry:
            if not rt.namespaced:
                continue
            for obj in store.list(rt, name):
                store.remove(rt, obj)
        store.remove(store.type_of("namespaces"), ns)
